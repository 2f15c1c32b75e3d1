#!/usr/bin/env python3
"""Conformance of `smc venue-sim` with a real client: python-binance 1.0.37.

Points python-binance at a running simulator (as shared/research/client_requests.md
describes: instance URL attributes, never testnet=True) and runs real client calls
on spot and USD-M: ping, time, exchange info, klines, depth, tickers, limit orders
priced inside the filters (10 % below the replayed price), open orders, query,
cancel, a market order with its fill, account, balances, positions, listen keys and
API restrictions; then checks Binance's errors: -1022 for a wrong signature, -1021
outside the receive window, -1013/-4164-style filter failures, -2013 for an unknown
order. Prints one line per check and "N passed, M failed".

Usage: venue_sim_conformance.py --base http://127.0.0.1:PORT --key K --secret S --symbol BTCUSDT
"""

import argparse
import decimal
import sys
import traceback

from binance.client import Client
from binance.exceptions import BinanceAPIException

D = decimal.Decimal


def client(base, key, secret):
    c = Client(key, secret, ping=False)
    c.API_URL = base + "/api"
    c.MARGIN_API_URL = base + "/sapi"
    c.FUTURES_URL = base + "/fapi"
    c.FUTURES_DATA_URL = base + "/futures/data"
    return c


def filters_of(info, symbol):
    sym = next(s for s in info["symbols"] if s["symbol"] == symbol)
    return {f["filterType"]: f for f in sym["filters"]}


def below(price, tick, fraction="0.9"):
    """`fraction` of `price`, rounded down to the tick, as a string."""
    p = (D(price) * D(fraction) / D(tick)).to_integral_value(rounding=decimal.ROUND_FLOOR) * D(tick)
    return format(p.normalize(), "f")


def qty_for(price, step, notional="20"):
    """The smallest lot multiple worth at least `notional`."""
    q = (D(notional) / D(price) / D(step)).to_integral_value(rounding=decimal.ROUND_CEILING) * D(step)
    return format(q.normalize(), "f")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--secret", required=True)
    ap.add_argument("--symbol", default="BTCUSDT")
    a = ap.parse_args()
    c = client(a.base, a.key, a.secret)
    sym = a.symbol
    results = []
    ctx = {}

    def check(name, fn):
        try:
            detail = fn()
            results.append(True)
            print(f"PASS {name}" + (f": {detail}" if detail else ""))
        except Exception as e:  # noqa: BLE001 - every failure is reported, not raised
            results.append(False)
            print(f"FAIL {name}: {type(e).__name__}: {e}")
            traceback.print_exc(limit=2, file=sys.stdout)

    def expect_error(fn, code):
        try:
            fn()
        except BinanceAPIException as e:
            assert e.code == code, f"expected {code}, got {e.code} {e.message}"
            return f"{e.status_code} {e.code} {e.message}"
        raise AssertionError(f"expected Binance error {code}, the call succeeded")

    # --- public, spot
    check("spot ping", lambda: c.ping() == {} or (_ for _ in ()).throw(AssertionError("not {}")))

    def server_time():
        t = c.get_server_time()["serverTime"]
        assert isinstance(t, int) and t > 1_600_000_000_000
        return t
    check("spot time", server_time)

    def spot_info():
        info = c.get_exchange_info()
        f = filters_of(info, sym)
        ctx["spot_tick"], ctx["spot_step"] = f["PRICE_FILTER"]["tickSize"], f["LOT_SIZE"]["stepSize"]
        assert c.get_symbol_info(sym)["status"] == "TRADING"
        return f"tick {ctx['spot_tick']} step {ctx['spot_step']}"
    check("spot exchange info", spot_info)

    def spot_klines():
        k = c.get_klines(symbol=sym, interval=Client.KLINE_INTERVAL_1MINUTE, limit=5)
        assert 1 <= len(k) <= 5 and len(k[0]) == 12
        ctx["spot_price"] = k[-1][4]
        return f"{len(k)} klines, last close {k[-1][4]}"
    check("spot klines", spot_klines)

    def spot_depth():
        d = c.get_order_book(symbol=sym, limit=5)
        assert D(d["bids"][0][0]) < D(d["asks"][0][0])
        return f"bid {d['bids'][0][0]} ask {d['asks'][0][0]}"
    check("spot depth", spot_depth)
    check("spot ticker", lambda: c.get_symbol_ticker(symbol=sym)["price"])

    # --- spot trading
    def spot_limit():
        price = D(c.get_symbol_ticker(symbol=sym)["price"])
        p = below(price, ctx["spot_tick"])
        q = qty_for(p, ctx["spot_step"])
        o = c.create_order(symbol=sym, side="BUY", type="LIMIT", timeInForce="GTC", quantity=q, price=p)
        assert o["status"] == "NEW", o
        ctx["spot_order"] = o["orderId"]
        return f"order {o['orderId']} BUY {q} @ {p} NEW"
    check("spot limit order 10% below", spot_limit)

    def spot_open():
        open_ = c.get_open_orders(symbol=sym)
        assert any(o["orderId"] == ctx["spot_order"] for o in open_), open_
        return f"{len(open_)} open"
    check("spot open orders", spot_open)
    check("spot query order", lambda: c.get_order(symbol=sym, orderId=ctx["spot_order"])["status"])

    def spot_cancel():
        r = c.cancel_order(symbol=sym, orderId=ctx["spot_order"])
        assert r["status"] == "CANCELED", r
        assert not c.get_open_orders(symbol=sym)
        return "CANCELED"
    check("spot cancel", spot_cancel)

    def spot_market():
        q = qty_for(c.get_symbol_ticker(symbol=sym)["price"], ctx["spot_step"])
        o = c.create_order(symbol=sym, side="BUY", type="MARKET", quantity=q)
        assert o["status"] == "FILLED" and o["fills"], o
        trades = c.get_my_trades(symbol=sym)
        assert any(t["orderId"] == o["orderId"] for t in trades)
        return f"filled {o['executedQty']} at {o['fills'][0]['price']}"
    check("spot market order fills", spot_market)

    def spot_account():
        acc = c.get_account()
        bal = {b["asset"]: b for b in acc["balances"]}
        assert D(bal["USDT"]["free"]) > 0 and D(bal[sym.removesuffix("USDT")]["free"]) > 0, bal
        return f"USDT free {bal['USDT']['free']}"
    check("spot account", spot_account)

    def api_permissions():
        r = c.get_account_api_permissions()
        assert r["enableWithdrawals"] is False and r["enableReading"] is True
        return "withdrawals disabled"
    check("api restrictions", api_permissions)

    def spot_listen_key():
        lk = c.stream_get_listen_key()
        assert len(lk) == 60
        c.stream_keepalive(lk)
        c.stream_close(lk)
        return "create/keepalive/close"
    check("spot listen key", spot_listen_key)

    # --- public, USD-M
    check("futures ping", lambda: c.futures_ping() == {} or (_ for _ in ()).throw(AssertionError("not {}")))
    check("futures time", lambda: c.futures_time()["serverTime"])

    def fut_info():
        f = filters_of(c.futures_exchange_info(), sym)
        ctx["fut_tick"], ctx["fut_step"] = f["PRICE_FILTER"]["tickSize"], f["LOT_SIZE"]["stepSize"]
        assert D(f["PERCENT_PRICE"]["multiplierDown"]) == D("0.85")
        return f"tick {ctx['fut_tick']} step {ctx['fut_step']}"
    check("futures exchange info", fut_info)

    def fut_klines():
        k = c.futures_klines(symbol=sym, interval="1m", limit=3)
        assert 1 <= len(k) <= 3
        return f"last close {k[-1][4]}"
    check("futures klines", fut_klines)
    check("futures depth", lambda: c.futures_order_book(symbol=sym, limit=5)["bids"][0])
    check("futures mark price", lambda: c.futures_mark_price(symbol=sym)["markPrice"])

    # --- USD-M trading
    def fut_limit():
        price = D(c.futures_symbol_ticker(symbol=sym)["price"])
        p = below(price, ctx["fut_tick"])
        q = qty_for(p, ctx["fut_step"])
        o = c.futures_create_order(symbol=sym, side="BUY", type="LIMIT", timeInForce="GTC", quantity=q, price=p)
        assert o["status"] == "NEW", o
        ctx["fut_order"] = o["orderId"]
        return f"order {o['orderId']} BUY {q} @ {p} NEW"
    check("futures limit order 10% below", fut_limit)

    def fut_open():
        open_ = c.futures_get_open_orders(symbol=sym)
        assert any(o["orderId"] == ctx["fut_order"] for o in open_), open_
        return f"{len(open_)} open"
    check("futures open orders", fut_open)
    check("futures query order", lambda: c.futures_get_order(symbol=sym, orderId=ctx["fut_order"])["status"])

    def fut_cancel():
        r = c.futures_cancel_order(symbol=sym, orderId=ctx["fut_order"])
        assert r["status"] == "CANCELED", r
        return "CANCELED"
    check("futures cancel", fut_cancel)

    def fut_market():
        q = qty_for(c.futures_symbol_ticker(symbol=sym)["price"], ctx["fut_step"])
        o = c.futures_create_order(symbol=sym, side="SELL", type="MARKET", quantity=q)
        assert o["status"] == "FILLED", o
        pos = c.futures_position_information(symbol=sym)
        assert D(pos[0]["positionAmt"]) == -D(q), pos
        return f"short {q}, entry {pos[0]['entryPrice']}"
    check("futures market order and position", fut_market)

    def fut_account():
        acc = c.futures_account()
        assert D(acc["totalWalletBalance"]) > 0 and acc["assets"][0]["asset"] == "USDT"
        return f"wallet {acc['totalWalletBalance']}"
    check("futures account (v2)", fut_account)

    def fut_balance():
        b = c.futures_account_balance()
        assert b[0]["asset"] == "USDT" and D(b[0]["balance"]) > 0
        return f"balance {b[0]['balance']}"
    check("futures balance (v3)", fut_balance)

    def fut_listen_key():
        lk = c.futures_stream_get_listen_key()
        c.futures_stream_keepalive(lk)
        c.futures_stream_close(lk)
        return "create/keepalive/close"
    check("futures listen key", fut_listen_key)

    # --- errors
    bad = client(a.base, a.key, a.secret[::-1])
    check("wrong signature is -1022", lambda: expect_error(lambda: bad.get_account(), -1022))
    check("wrong signature on USD-M is -1022", lambda: expect_error(lambda: bad.futures_account(), -1022))

    def stale():
        old = client(a.base, a.key, a.secret)
        old.timestamp_offset = -70_000
        return expect_error(lambda: old.get_open_orders(symbol=sym), -1021)
    check("stale timestamp is -1021", stale)
    check(
        "price off the tick is -1013",
        lambda: expect_error(
            lambda: c.create_order(symbol=sym, side="BUY", type="LIMIT", timeInForce="GTC", quantity="1",
                                   price=str(D(below(c.get_symbol_ticker(symbol=sym)["price"], ctx["spot_tick"])) + D(ctx["spot_tick"]) / 2)),
            -1013),
    )
    check(
        "futures price outside PERCENT_PRICE is -4024",
        lambda: expect_error(
            lambda: c.futures_create_order(symbol=sym, side="BUY", type="LIMIT", timeInForce="GTC", quantity="1",
                                           price=below(c.futures_symbol_ticker(symbol=sym)["price"], ctx["fut_tick"], "0.5")),
            -4024),
    )
    check("unknown order is -2013", lambda: expect_error(lambda: c.get_order(symbol=sym, orderId=1), -2013))

    passed = sum(results)
    print(f"{passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
