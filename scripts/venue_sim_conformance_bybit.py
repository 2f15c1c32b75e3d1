#!/usr/bin/env python3
"""Conformance of `smc venue-sim --protocol bybit` with Bybit's own SDK: pybit 5.17.

Points pybit's unified_trading.HTTP at a running simulator by overwriting the
session's `endpoint` attribute (shared/research/clients/demo_pybit.py) and runs
real client calls on spot and linear: server time, instruments, klines, order
book, limit orders priced inside the filters (10 % below the replayed price)
placed, found among open orders and in the history after a cancel, a market
order and its executions with Bybit's fee, the unified wallet, positions, fee
rates and the key's permissions; then Bybit's errors: a wrong secret raises
InvalidRequestError 10004, an unknown order 110001 (linear) / 170213 (spot), a
duplicate orderLinkId 110072, an orderLinkId over 36 characters 10001, a
spot quantity off the step 170137. Then pybit's WebSocket client (its URL
templates PUBLIC_WSS / PRIVATE_WSS pointed at the simulator): klines with
confirm, the order book kept from snapshot and deltas, and the private order,
execution, position and wallet topics after a market order. Prints one line per
check and "N passed, M failed".

Usage: venue_sim_conformance_bybit.py --base http://127.0.0.1:PORT --key K --secret S --symbol BTCUSDT
"""

import argparse
import decimal
import threading
import time
import traceback
import uuid

from pybit import unified_trading
from pybit.exceptions import InvalidRequestError
from pybit.unified_trading import HTTP

D = decimal.Decimal


def session(base, key, secret):
    s = HTTP(api_key=key, api_secret=secret, recv_window=5000, max_retries=1)
    s.endpoint = base
    return s


def below(price, tick, fraction="0.9"):
    p = (D(price) * D(fraction) / D(tick)).to_integral_value(rounding=decimal.ROUND_FLOOR) * D(tick)
    return format(p.normalize(), "f")


def qty_for(price, step, notional="20"):
    q = (D(notional) / D(price) / D(step)).to_integral_value(rounding=decimal.ROUND_CEILING) * D(step)
    return format(q.normalize(), "f")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--secret", required=True)
    ap.add_argument("--symbol", default="BTCUSDT")
    a = ap.parse_args()
    s = session(a.base, a.key, a.secret)
    sym = a.symbol
    passed = failed = 0

    def check(name, fn):
        nonlocal passed, failed
        try:
            detail = fn()
            passed += 1
            print(f"ok    {name}" + (f": {detail}" if detail else ""))
        except Exception as e:  # one failing check must not stop the others
            failed += 1
            print(f"FAIL  {name}: {type(e).__name__}: {e}")
            traceback.print_exc(limit=2)

    def error_code(fn):
        try:
            fn()
        except InvalidRequestError as e:
            return e.status_code
        raise AssertionError("no InvalidRequestError")

    state = {}

    def time_():
        r = s.get_server_time()
        assert r["retCode"] == 0 and int(r["result"]["timeSecond"]) > 1_600_000_000, r
        return r["result"]["timeSecond"]

    def instruments(cat):
        def run():
            r = s.get_instruments_info(category=cat, symbol=sym)
            i = r["result"]["list"][0]
            assert i["symbol"] == sym and i["status"] == "Trading", i
            tick = i["priceFilter"]["tickSize"]
            step = i["lotSizeFilter"]["basePrecision" if cat == "spot" else "qtyStep"]
            state[cat] = (tick, step)
            return f"tick {tick}, step {step}"
        return run

    def kline():
        r = s.get_kline(category="linear", symbol=sym, interval="1", limit=5)
        rows = r["result"]["list"]
        assert rows and len(rows[0]) == 7 and int(rows[0][0]) >= int(rows[-1][0]), rows
        state["last"] = rows[0][4]
        return f"{len(rows)} candles, last close {rows[0][4]}"

    def orderbook():
        r = s.get_orderbook(category="linear", symbol=sym, limit=5)["result"]
        assert D(r["b"][0][0]) < D(r["a"][0][0]) and len(r["b"]) == 5, r
        return f"best bid {r['b'][0][0]}, ask {r['a'][0][0]}"

    def limit_cycle(cat):
        def run():
            tick, step = state[cat]
            price = below(state["last"], tick)
            qty = qty_for(price, step)
            link = f"conf-{cat}-{uuid.uuid4().hex[:12]}"
            r = s.place_order(category=cat, symbol=sym, side="Buy", orderType="Limit",
                              qty=qty, price=price, timeInForce="GTC", orderLinkId=link)
            oid = r["result"]["orderId"]
            assert r["result"]["orderLinkId"] == link, r
            open_ = s.get_open_orders(category=cat, symbol=sym)["result"]["list"]
            mine = [o for o in open_ if o["orderId"] == oid]
            assert mine and mine[0]["orderStatus"] == "New" and mine[0]["price"] == price, open_
            c = s.cancel_order(category=cat, symbol=sym, orderId=oid)
            assert c["result"]["orderId"] == oid, c
            hist = s.get_order_history(category=cat, symbol=sym, orderId=oid)["result"]["list"]
            assert hist and hist[0]["orderStatus"] == "Cancelled", hist
            state[cat + "_link"] = link
            return f"{qty} @ {price} placed, open, cancelled"
        return run

    def market_linear():
        tick, step = state["linear"]
        qty = qty_for(state["last"], step)
        r = s.place_order(category="linear", symbol=sym, side="Buy", orderType="Market", qty=qty)
        oid = r["result"]["orderId"]
        ex = s.get_executions(category="linear", symbol=sym, orderId=oid)["result"]["list"]
        assert ex and sum(D(e["execQty"]) for e in ex) == D(qty), ex
        e = ex[0]
        fee = D(e["execPrice"]) * D(e["execQty"]) * D("0.00055")
        assert abs(D(e["execFee"]) - fee) < D("0.00000001") and e["feeRate"] == "0.00055", e
        pos = s.get_positions(category="linear", symbol=sym)["result"]["list"][0]
        assert pos["side"] == "Buy" and D(pos["size"]) == D(qty), pos
        return f"{qty} filled at {e['execPrice']}, fee {e['execFee']} USDT, position {pos['size']}"

    def market_spot():
        r = s.place_order(category="spot", symbol=sym, side="Buy", orderType="Market", qty="50")
        oid = r["result"]["orderId"]
        ex = s.get_executions(category="spot", symbol=sym, orderId=oid)["result"]["list"]
        assert ex and ex[0]["feeCurrency"] == "BTC", ex
        got = sum(D(e["execQty"]) for e in ex)
        return f"50 USDT bought {got} BTC, fee {ex[0]['execFee']} BTC"

    def wallet():
        w = s.get_wallet_balance(accountType="UNIFIED")["result"]["list"][0]
        coins = {c["coin"]: c for c in w["coin"]}
        assert w["accountType"] == "UNIFIED" and "USDT" in coins and "BTC" in coins, w
        assert D(coins["USDT"]["walletBalance"]) < D("10000"), coins["USDT"]
        return f"equity {w['totalEquity']}, USDT {coins['USDT']['walletBalance']}, BTC {coins['BTC']['walletBalance']}"

    def fee_rate():
        r = s.get_fee_rates(category="linear", symbol=sym)["result"]["list"][0]
        assert (r["takerFeeRate"], r["makerFeeRate"]) == ("0.00055", "0.0002"), r
        return f"taker {r['takerFeeRate']}, maker {r['makerFeeRate']}"

    def api_key():
        r = s.get_api_key_information()["result"]
        assert r["readOnly"] == 0 and "Withdraw" not in r["permissions"]["Wallet"], r
        return f"permissions {sorted(k for k, v in r['permissions'].items() if v)}"

    def wrong_secret():
        bad = session(a.base, a.key, a.secret + "x")
        code = error_code(lambda: bad.get_wallet_balance(accountType="UNIFIED"))
        assert code == 10004, code
        return "InvalidRequestError 10004"

    def unknown_order(cat, expected):
        def run():
            code = error_code(lambda: s.cancel_order(category=cat, symbol=sym, orderId="424242"))
            assert code == expected, code
            return f"InvalidRequestError {code}"
        return run

    def duplicate_link():
        tick, step = state["linear"]
        price = below(state["last"], tick)
        code = error_code(lambda: s.place_order(
            category="linear", symbol=sym, side="Buy", orderType="Limit",
            qty=qty_for(price, step), price=price, orderLinkId=state["linear_link"]))
        assert code == 110072, code
        return "InvalidRequestError 110072"

    def long_link():
        tick, step = state["linear"]
        price = below(state["last"], tick)
        code = error_code(lambda: s.place_order(
            category="linear", symbol=sym, side="Buy", orderType="Limit",
            qty=qty_for(price, step), price=price, orderLinkId="x" * 37))
        assert code == 10001, code
        return "InvalidRequestError 10001"

    def small_qty():
        tick, step = state["spot"]
        price = below(state["last"], tick)
        code = error_code(lambda: s.place_order(
            category="spot", symbol=sym, side="Buy", orderType="Limit",
            qty=format(D(step) / 10, "f"), price=price))
        assert code == 170137, code
        return "InvalidRequestError 170137 (volume decimals)"

    ws_base = "ws://" + a.base.split("://", 1)[1]
    unified_trading.PUBLIC_WSS = ws_base + "/v5/public/{CHANNEL_TYPE}"
    unified_trading.PRIVATE_WSS = ws_base + "/v5/private"

    class Inbox:
        """Messages a pybit callback received, and waiting for one that matches."""

        def __init__(self):
            self.items = []
            self.cond = threading.Condition()

        def __call__(self, msg):
            with self.cond:
                self.items.append(msg)
                self.cond.notify_all()

        def wait(self, pred, timeout=15):
            with self.cond:
                ok = self.cond.wait_for(lambda: any(pred(m) for m in self.items), timeout)
                assert ok, f"no matching message in {timeout} s; got {self.items[-3:]}"
                return next(m for m in self.items if pred(m))

    def close(ws):
        """pybit's exit() waits for its socket without a limit; give it 5 s."""
        t = threading.Thread(target=ws.exit, daemon=True)
        t.start()
        t.join(5)
        assert not t.is_alive(), "pybit's WebSocket did not close in 5 s"

    def public_ws():
        ws = unified_trading.WebSocket(testnet=False, channel_type="linear", retries=3)
        try:
            klines, book = Inbox(), Inbox()
            ws.kline_stream(interval=1, symbol=sym, callback=klines)
            ws.orderbook_stream(depth=50, symbol=sym, callback=book)
            closed = klines.wait(lambda m: m["data"][0]["confirm"] is True)
            klines.wait(lambda m: m["data"][0]["confirm"] is False)
            merged = book.wait(lambda m: m["data"]["u"] >= 3)
            bids, asks = merged["data"]["b"], merged["data"]["a"]
            assert len(bids) == 50 and len(asks) == 50, (len(bids), len(asks))
            assert max(D(b[0]) for b in bids) < min(D(x[0]) for x in asks)
            return f"kline close {closed['data'][0]['close']} confirmed; book of 50+50 kept over {merged['data']['u']} updates"
        finally:
            close(ws)

    def private_ws():
        ws = unified_trading.WebSocket(testnet=False, channel_type="private", api_key=a.key,
                                       api_secret=a.secret, retries=3)
        try:
            orders, execs, positions, wallets = Inbox(), Inbox(), Inbox(), Inbox()
            ws.order_stream(callback=orders)
            ws.execution_stream(callback=execs)
            ws.position_stream(callback=positions)
            ws.wallet_stream(callback=wallets)
            tick, step = state["linear"]
            qty = qty_for(state["last"], step)
            link = f"conf-ws-{uuid.uuid4().hex[:10]}"
            # pybit does not say when its subscriptions are acknowledged; a
            # change before that is not pushed (as on Bybit), so give them time.
            time.sleep(0.5)
            s.place_order(category="linear", symbol=sym, side="Sell", orderType="Market",
                          qty=qty, orderLinkId=link)
            o = orders.wait(lambda m: any(x["orderLinkId"] == link and x["orderStatus"] == "Filled" for x in m["data"]))
            e = execs.wait(lambda m: any(x["orderLinkId"] == link for x in m["data"]))
            positions.wait(lambda m: m["data"][0]["symbol"] == sym)
            w = wallets.wait(lambda m: m["data"][0]["accountType"] == "UNIFIED")
            x = next(x for x in e["data"] if x["orderLinkId"] == link)
            return f"order Filled, execution {x['execQty']} @ {x['execPrice']}, position and wallet pushed"
        finally:
            close(ws)

    check("get_server_time", time_)
    check("get_instruments_info spot", instruments("spot"))
    check("get_instruments_info linear", instruments("linear"))
    check("get_kline linear 1m", kline)
    check("get_orderbook linear", orderbook)
    check("spot limit order: place, get_open_orders, cancel, get_order_history", limit_cycle("spot"))
    check("linear limit order: place, get_open_orders, cancel, get_order_history", limit_cycle("linear"))
    check("linear market order and get_executions, get_positions", market_linear)
    check("spot market buy (quote amount) and get_executions", market_spot)
    check("get_wallet_balance UNIFIED", wallet)
    check("get_fee_rates linear", fee_rate)
    check("get_api_key_information", api_key)
    check("wrong secret", wrong_secret)
    check("unknown order linear", unknown_order("linear", 110001))
    check("unknown order spot", unknown_order("spot", 170213))
    check("duplicate orderLinkId", duplicate_link)
    check("orderLinkId over 36 characters", long_link)
    check("spot quantity off the step", small_qty)
    check("WebSocket public linear: kline and orderbook", public_ws)
    check("WebSocket private: order, execution, position, wallet", private_ws)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
