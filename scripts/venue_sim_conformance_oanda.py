#!/usr/bin/env python3
"""Conformance of `smc venue-sim --protocol oanda` with oandapyV20 0.7.2.

Points oandapyV20 at a running simulator the way shared/research/clients/
demo_oandapyv20.py does (a new environment in the module-level dict
oandapyV20.oandapyV20.TRADING_ENVIRONMENTS, with the simulator's base URL as
both its `api` and `stream` host, passed as environment= to API()), then runs
real client calls: accounts, account details and summary, instruments,
pricing, candles (M, B, A), a market order with takeProfitOnFill and
stopLossOnFill (filled at the ask, its exits on the trade), a resting limit
order with both exits found by id and by @clientId among the pending orders
and cancelled, a duplicate client id rejected (V20Error 400), positions and
trades, a trade close and a position close, the transaction log (list pages,
idrange, sinceid), a few lines of the pricing stream and of the transaction
stream (each transaction as it happens, then a HEARTBEAT with
lastTransactionID), and a wrong token answered 401 with errorMessage. Prints
one line per check and "N passed, M failed".

Usage: venue_sim_conformance_oanda.py --base http://127.0.0.1:PORT --token T --account ID
"""

import argparse
import decimal
import json
import threading
import time
import traceback

import oandapyV20
import oandapyV20.endpoints.accounts as accounts
import oandapyV20.endpoints.instruments as instruments
import oandapyV20.endpoints.orders as orders
import oandapyV20.endpoints.positions as positions
import oandapyV20.endpoints.pricing as pricing
import oandapyV20.endpoints.trades as trades
import oandapyV20.endpoints.transactions as transactions
from oandapyV20 import API
from oandapyV20.exceptions import StreamTerminated, V20Error

D = decimal.Decimal
INST = "EUR_USD"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--account", required=True)
    a = ap.parse_args()
    oandapyV20.oandapyV20.TRADING_ENVIRONMENTS["venue-sim"] = {"api": a.base, "stream": a.base}
    api = API(access_token=a.token, environment="venue-sim",
              headers={"Accept-Datetime-Format": "RFC3339"})
    acct = a.account
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

    def v20_error(fn):
        try:
            fn()
        except V20Error as e:
            return e.code, e.msg
        raise AssertionError("no V20Error")

    state = {}

    def account_list():
        r = api.request(accounts.AccountList())
        ids = [x["id"] for x in r["accounts"]]
        assert ids == [acct], ids
        return ids[0]

    def details():
        r = api.request(accounts.AccountDetails(accountID=acct))
        x = r["account"]
        assert x["currency"] == "USD" and x["hedgingEnabled"] is False, x
        assert r["lastTransactionID"] == x["lastTransactionID"]
        return f"balance {x['balance']}"

    def summary():
        x = api.request(accounts.AccountSummary(accountID=acct))["account"]
        for k in ("NAV", "marginUsed", "marginAvailable", "marginRate", "openTradeCount"):
            assert k in x, k
        return f"NAV {x['NAV']}, marginRate {x['marginRate']}"

    def account_instruments():
        r = api.request(accounts.AccountInstruments(accountID=acct, params={"instruments": INST}))
        i = r["instruments"][0]
        assert (i["name"], i["pipLocation"], i["displayPrecision"], i["type"]) == (INST, -4, 5, "CURRENCY"), i
        return f"marginRate {i['marginRate']}"

    def prices():
        p = api.request(pricing.PricingInfo(accountID=acct, params={"instruments": INST}))["prices"][0]
        bid, ask = D(p["bids"][0]["price"]), D(p["asks"][0]["price"])
        assert ask - bid == D("0.00015"), (bid, ask)
        state["bid"], state["ask"] = bid, ask
        return f"bid {bid} ask {ask}"

    def candles():
        r = api.request(instruments.InstrumentsCandles(
            instrument=INST, params={"granularity": "D", "count": 5, "price": "MBA"}))
        cs = r["candles"]
        assert len(cs) >= 2 and cs[-1]["complete"] is False and cs[-2]["complete"] is True, cs
        c = cs[-2]
        assert D(c["ask"]["c"]) - D(c["bid"]["c"]) == D("0.00015"), c
        assert all(k in c for k in ("mid", "bid", "ask", "time", "volume"))
        return f"{len(cs)} candles, last complete close {c['bid']['c']}"

    def bad_granularity():
        code, msg = v20_error(lambda: api.request(instruments.InstrumentsCandles(
            instrument=INST, params={"granularity": "M1"})))
        assert code == 400 and "granularity" in msg, (code, msg)
        return msg

    def market_with_exits():
        bid = state["bid"]
        data = {"order": {"type": "MARKET", "instrument": INST, "units": "1000",
                          "takeProfitOnFill": {"price": str(bid + D("0.05"))},
                          "stopLossOnFill": {"price": str(bid - D("0.05"))},
                          "clientExtensions": {"id": "conf-mkt-1"}}}
        r = orders.OrderCreate(accountID=acct, data=data)
        resp = api.request(r)
        assert r.status_code == 201, r.status_code
        f = resp["orderFillTransaction"]
        assert f["tradeOpened"]["units"] == "1000" and D(f["halfSpreadCost"]) > 0, f
        state["trade"] = f["tradeOpened"]["tradeID"]
        return f"filled at {f['price']}, halfSpreadCost {f['halfSpreadCost']}"

    def limit_with_exits():
        price = (state["bid"] * D("0.9")).quantize(D("0.00001"))
        data = {"order": {"type": "LIMIT", "instrument": INST, "units": "100", "price": str(price),
                          "timeInForce": "GTC", "positionFill": "DEFAULT",
                          "takeProfitOnFill": {"price": str(price + D("0.01"))},
                          "stopLossOnFill": {"price": str(price - D("0.01"))},
                          "clientExtensions": {"id": "conf-lim-1"}}}
        r = orders.OrderCreate(accountID=acct, data=data)
        resp = api.request(r)
        assert r.status_code == 201 and "orderFillTransaction" not in resp, resp
        state["limit"] = resp["orderCreateTransaction"]["id"]
        return f"order {state['limit']} at {price}"

    def pending_and_lookup():
        pend = api.request(orders.OrdersPending(accountID=acct))["orders"]
        assert any(o["id"] == state["limit"] for o in pend), pend
        listed = api.request(orders.OrderList(accountID=acct))["orders"]
        assert any(o["id"] == state["limit"] for o in listed)
        by_client = api.request(orders.OrderDetails(accountID=acct, orderID="@conf-lim-1"))["order"]
        assert by_client["id"] == state["limit"] and by_client["stopLossOnFill"], by_client
        return f"{len(pend)} pending"

    def duplicate_client_id():
        data = {"order": {"type": "LIMIT", "instrument": INST, "units": "1", "price": "0.5",
                          "clientExtensions": {"id": "conf-lim-1"}}}
        code, msg = v20_error(lambda: api.request(orders.OrderCreate(accountID=acct, data=data)))
        body = json.loads(msg)
        assert code == 400 and body["errorCode"] == "CLIENT_ORDER_ID_ALREADY_EXISTS", (code, body)
        assert body["orderRejectTransaction"]["type"] == "LIMIT_ORDER_REJECT"
        return body["errorCode"]

    def cancel():
        r = api.request(orders.OrderCancel(accountID=acct, orderID=state["limit"]))
        assert r["orderCancelTransaction"]["orderID"] == state["limit"], r
        o = api.request(orders.OrderDetails(accountID=acct, orderID=state["limit"]))["order"]
        assert o["state"] == "CANCELLED", o
        return "CANCELLED"

    def unknown_order():
        code, _ = v20_error(lambda: api.request(orders.OrderDetails(accountID=acct, orderID="999999")))
        assert code == 404, code
        return "404"

    def open_trades():
        ts = api.request(trades.OpenTrades(accountID=acct))["trades"]
        t = next(t for t in ts if t["id"] == state["trade"])
        assert t["takeProfitOrder"]["type"] == "TAKE_PROFIT" and t["stopLossOrder"]["type"] == "STOP_LOSS", t
        all_trades = api.request(trades.TradesList(accountID=acct))["trades"]
        assert any(x["id"] == state["trade"] for x in all_trades)
        return f"trade {t['id']} {t['currentUnits']} units, unrealizedPL {t['unrealizedPL']}"

    def positions_open():
        ps = api.request(positions.OpenPositions(accountID=acct))["positions"]
        assert ps[0]["instrument"] == INST and ps[0]["long"]["units"] == "1000", ps
        pl = api.request(positions.PositionList(accountID=acct))["positions"]
        assert pl and pl[0]["instrument"] == INST
        return f"long {ps[0]['long']['units']} @ {ps[0]['long']['averagePrice']}"

    def trade_close():
        r = api.request(trades.TradeClose(accountID=acct, tradeID=state["trade"], data={"units": "400"}))
        f = r["orderFillTransaction"]
        assert f["tradeReduced"]["units"] == "-400", f
        return f"reduced by 400 at {f['price']}"

    def position_close():
        r = api.request(positions.PositionClose(accountID=acct, instrument=INST, data={"longUnits": "ALL"}))
        f = r["longOrderFillTransaction"]
        assert f["tradesClosed"][0]["units"] == "-600", f
        ps = api.request(positions.OpenPositions(accountID=acct))["positions"]
        assert ps == [], ps
        return f"closed, pl {f['pl']}"

    def transaction_log():
        r = api.request(transactions.TransactionList(accountID=acct, params={"pageSize": 5}))
        last = int(r["lastTransactionID"])
        assert r["count"] == last and r["pages"], r
        rng = api.request(transactions.TransactionIDRange(accountID=acct, params={"from": 1, "to": 3}))
        assert [t["id"] for t in rng["transactions"]] == ["1", "2", "3"], rng
        since = api.request(transactions.TransactionsSinceID(accountID=acct, params={"id": last - 2}))
        ids = [int(t["id"]) for t in since["transactions"]]
        assert ids == [last - 1, last], ids
        types = {t["type"] for t in api.request(transactions.TransactionIDRange(
            accountID=acct, params={"from": 1, "to": last}))["transactions"]}
        assert {"MARKET_ORDER", "ORDER_FILL", "LIMIT_ORDER", "ORDER_CANCEL", "TAKE_PROFIT_ORDER",
                "STOP_LOSS_ORDER", "LIMIT_ORDER_REJECT"} <= types, types
        return f"{last} transactions, {len(r['pages'])} pages"

    def price_stream():
        s = pricing.PricingStream(accountID=acct, params={"instruments": INST})
        got = []
        try:
            for msg in api.request(s):
                got.append(msg)
                if len(got) >= 3:
                    # oandapyV20 ends a stream by raising StreamTerminated.
                    s.terminate("enough")
        except StreamTerminated:
            pass
        assert all(m["type"] == "PRICE" for m in got), got
        assert D(got[0]["asks"][0]["price"]) - D(got[0]["bids"][0]["price"]) == D("0.00015")
        return f"{len(got)} PRICE lines"

    def transaction_stream():
        s = transactions.TransactionsStream(accountID=acct)
        got = []

        def reader():
            try:
                for msg in api.request(s):
                    got.append(msg)
                    if msg["type"] == "HEARTBEAT":
                        s.terminate("enough")
            except StreamTerminated:
                pass
            except Exception as e:  # reported by the check below
                got.append({"type": "ERROR", "error": repr(e)})

        t = threading.Thread(target=reader, daemon=True)
        t.start()
        time.sleep(0.5)
        api.request(orders.OrderCreate(accountID=acct, data={"order": {
            "type": "MARKET", "instrument": INST, "units": "-10"}}))
        t.join(12)
        types = [m["type"] for m in got]
        # DAILY_FINANCING may come between, as the replay passes 17:00 New York.
        assert types[:2] == ["MARKET_ORDER", "ORDER_FILL"] and types[-1] == "HEARTBEAT", types
        ids = [int(m["id"]) for m in got[:-1]]
        assert ids == list(range(ids[0], ids[0] + len(ids))), ids
        assert got[-1]["lastTransactionID"] == got[-2]["id"], got
        return " ".join(types)

    def wrong_token():
        bad = API(access_token="wrong-token", environment="venue-sim")
        code, msg = v20_error(lambda: bad.request(accounts.AccountList()))
        assert code == 401, code
        assert json.loads(msg)["errorMessage"] == "Insufficient authorization to perform request.", msg
        return f"{code} {msg}"

    for name, fn in [
        ("AccountList", account_list), ("AccountDetails", details), ("AccountSummary", summary),
        ("AccountInstruments", account_instruments), ("PricingInfo with the spread", prices),
        ("InstrumentsCandles M/B/A", candles), ("candles at another granularity: 400", bad_granularity),
        ("MARKET with takeProfitOnFill/stopLossOnFill", market_with_exits),
        ("LIMIT with exits rests", limit_with_exits), ("OrdersPending/OrderList/@clientId", pending_and_lookup),
        ("duplicate client id rejected", duplicate_client_id), ("OrderCancel", cancel),
        ("unknown order 404", unknown_order), ("OpenTrades/TradesList with exits", open_trades),
        ("OpenPositions/PositionList", positions_open), ("TradeClose partial", trade_close),
        ("PositionClose", position_close), ("transactions: list, idrange, sinceid", transaction_log),
        ("PricingStream", price_stream), ("TransactionsStream", transaction_stream),
        ("wrong token: 401 errorMessage", wrong_token),
    ]:
        check(name, fn)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
