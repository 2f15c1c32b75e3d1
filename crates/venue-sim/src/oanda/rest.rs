//! The REST answers that read the account (details and summary,
//! instruments, pricing, changes, orders, trades, positions) and order
//! cancels, each with the account's `lastTransactionID`. Placing orders
//! is `orders`, closing trades and positions `close`, the transaction log
//! `txlog`.

use super::OandaState;
use super::account::{Account, Trade};
use super::fill;
use super::front::Query;
use super::instruments;
use super::wire::{self, OandaError};
use rust_decimal::Decimal;
use serde_json::{Value, json};

fn last(acct: &Account) -> Value {
    json!(wire::id(acct.last_tx))
}

fn trade_json(st: &OandaState, acct: &Account, t: &Trade, step: usize) -> Value {
    let s = &st.shared.market.series[t.instrument];
    let dp = instruments::spec(s).display_precision;
    let mut v = json!({
        "id": wire::id(t.id), "instrument": s.symbol, "price": wire::price(t.price, dp),
        "openTime": wire::time(t.open_time), "state": if t.is_open() { "OPEN" } else { "CLOSED" },
        "initialUnits": wire::units(t.initial_units), "currentUnits": wire::units(t.current_units),
        "realizedPL": wire::money(t.realized_pl), "financing": wire::money(t.financing),
        "dividendAdjustment": "0.0000",
        "initialMarginRequired": wire::money(t.margin_required),
    });
    if t.is_open() {
        v["unrealizedPL"] = json!(wire::money(acct.unrealized(&st.shared, t, step)));
        v["marginUsed"] = json!(wire::money(acct.margin(&st.shared, t, step)));
    } else {
        v["unrealizedPL"] = json!("0.0000");
        v["closeTime"] = json!(t.close_time.map(wire::time));
        v["averageClosePrice"] = json!(wire::price(t.price, dp));
    }
    if !t.closing_txs.is_empty() {
        v["closingTransactionIDs"] = json!(
            t.closing_txs
                .iter()
                .map(|x| wire::id(*x))
                .collect::<Vec<_>>()
        );
    }
    if let Some(c) = &t.client_ext {
        v["clientExtensions"] = c.clone();
    }
    for (k, o) in [
        ("takeProfitOrder", t.take_profit),
        ("stopLossOrder", t.stop_loss),
        ("trailingStopLossOrder", t.trailing),
    ] {
        if let Some(o) = o.and_then(|o| acct.orders.get(&o)) {
            v[k] = o.to_json(&st.shared);
        }
    }
    v
}

fn position_json(st: &OandaState, acct: &Account, i: usize, step: usize) -> Value {
    let s = &st.shared.market.series[i];
    let dp = instruments::spec(s).display_precision;
    let side = |long: bool| {
        let trades: Vec<&Trade> = acct
            .open_trades(i)
            .filter(|t| (t.current_units > Decimal::ZERO) == long)
            .collect();
        let units: Decimal = trades.iter().map(|t| t.current_units).sum();
        let upl: Decimal = trades
            .iter()
            .map(|t| acct.unrealized(&st.shared, t, step))
            .sum();
        let pl: Decimal = acct
            .trades
            .values()
            .filter(|t| t.instrument == i && (t.initial_units > Decimal::ZERO) == long)
            .map(|t| t.realized_pl)
            .sum();
        let mut v = json!({
            "units": wire::units(units), "pl": wire::money(pl), "resettablePL": wire::money(pl),
            "unrealizedPL": wire::money(upl), "financing": "0.0000",
        });
        if !trades.is_empty() {
            let avg = trades
                .iter()
                .map(|t| t.price * t.current_units)
                .sum::<Decimal>()
                / units;
            v["averagePrice"] = json!(wire::price(avg, dp));
            v["tradeIDs"] = json!(trades.iter().map(|t| wire::id(t.id)).collect::<Vec<_>>());
        }
        v
    };
    let (long, short) = (side(true), side(false));
    let num = |v: &Value, k: &str| {
        v[k].as_str()
            .and_then(|x| x.parse::<Decimal>().ok())
            .unwrap_or_default()
    };
    let upl = num(&long, "unrealizedPL") + num(&short, "unrealizedPL");
    let pl = num(&long, "pl") + num(&short, "pl");
    let margin: Decimal = acct
        .open_trades(i)
        .map(|t| acct.margin(&st.shared, t, step))
        .sum();
    json!({
        "instrument": s.symbol, "long": long, "short": short, "pl": wire::money(pl),
        "resettablePL": wire::money(pl), "unrealizedPL": wire::money(upl),
        "marginUsed": wire::money(margin), "financing": "0.0000", "commission": "0.0000",
    })
}

/// `GET /v3/accounts/{id}` (full) or `/summary`.
pub fn account(st: &OandaState, acct: &Account, step: usize, full: bool) -> Value {
    let sh = &st.shared;
    let upl = acct.unrealized_total(sh, step);
    let nav = acct.balance + upl;
    let used = acct.margin_used(sh, step);
    let open_trades = acct.trades.values().filter(|t| t.is_open()).count();
    let positions = (0..sh.market.series.len())
        .filter(|i| !acct.position(*i).is_zero())
        .count();
    let pending = acct
        .orders
        .values()
        .filter(|o| o.state == "PENDING")
        .count();
    let value: Decimal = acct
        .trades
        .values()
        .filter(|t| t.is_open())
        .map(|t| acct.margin(sh, t, step) / sh.oanda.margin_rate)
        .sum();
    let mut v = json!({
        "id": acct.id, "alias": "venue-sim", "currency": "USD", "createdByUserID": acct.user_id,
        "createdTime": wire::time(acct.created), "hedgingEnabled": false,
        "marginRate": sh.oanda.margin_rate.normalize().to_string(),
        "balance": wire::money(acct.balance), "NAV": wire::money(nav), "pl": wire::money(acct.pl),
        "resettablePL": wire::money(acct.pl), "financing": wire::money(acct.financing),
        "commission": "0.0000", "guaranteedExecutionFees": "0.0000",
        "unrealizedPL": wire::money(upl), "marginUsed": wire::money(used),
        "marginAvailable": wire::money(nav - used), "positionValue": wire::money(value),
        "marginCloseoutUnrealizedPL": wire::money(upl), "marginCloseoutNAV": wire::money(nav),
        "marginCloseoutMarginUsed": wire::money(used),
        "marginCloseoutPercent": wire::money(if nav > Decimal::ZERO { used / Decimal::TWO / nav } else { Decimal::ZERO }),
        "marginCloseoutPositionValue": wire::money(value),
        "withdrawalLimit": wire::money((nav - used).max(Decimal::ZERO)),
        "marginCallMarginUsed": wire::money(used),
        "marginCallPercent": wire::money(if nav > Decimal::ZERO { used / nav } else { Decimal::ZERO }),
        "openTradeCount": open_trades, "openPositionCount": positions,
        "pendingOrderCount": pending, "lastTransactionID": wire::id(acct.last_tx),
    });
    if full {
        v["trades"] = Value::Array(
            acct.trades
                .values()
                .filter(|t| t.is_open())
                .map(|t| trade_json(st, acct, t, step))
                .collect(),
        );
        v["orders"] = Value::Array(
            acct.orders
                .values()
                .filter(|o| o.state == "PENDING")
                .map(|o| o.to_json(sh))
                .collect(),
        );
        v["positions"] = Value::Array(
            (0..sh.market.series.len())
                .map(|i| position_json(st, acct, i, step))
                .collect(),
        );
    }
    json!({"account": v, "lastTransactionID": last(acct)})
}

fn wanted(q: &Query) -> Option<Vec<String>> {
    q.get("instruments")
        .map(|s| s.split(',').map(str::to_string).collect())
}

/// `GET /v3/accounts/{id}/instruments`.
pub fn instruments(st: &OandaState, acct: &Account, q: &Query) -> Value {
    let want = wanted(q);
    let list: Vec<Value> = st
        .shared
        .market
        .series
        .iter()
        .filter(|s| want.as_ref().is_none_or(|w| w.contains(&s.symbol)))
        .map(|s| instruments::instrument_json(&st.shared, s))
        .collect();
    json!({"instruments": list, "lastTransactionID": last(acct)})
}

/// `GET /v3/accounts/{id}/pricing?instruments=`.
pub fn pricing(
    st: &OandaState,
    acct: &Account,
    step: usize,
    now: i64,
    q: &Query,
) -> Result<Value, OandaError> {
    let want = wanted(q).ok_or_else(|| OandaError::invalid("instruments"))?;
    let mut prices = Vec::new();
    for w in &want {
        let i = st
            .shared
            .market
            .find(w)
            .ok_or_else(|| OandaError::invalid("instruments"))?;
        prices.push(instruments::price_json(&st.shared, i, step, now));
    }
    Ok(json!({"prices": prices, "time": wire::time(now), "lastTransactionID": last(acct)}))
}

/// `GET /v3/accounts/{id}/changes?sinceTransactionID=`: the orders and
/// trades the transactions since then touched, as they are now.
pub fn changes(
    st: &OandaState,
    acct: &Account,
    step: usize,
    q: &Query,
) -> Result<Value, OandaError> {
    let since: u64 = q
        .get("sinceTransactionID")
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| OandaError::invalid("sinceTransactionID"))?;
    let txs: Vec<Value> = acct
        .transactions
        .iter()
        .skip(usize::try_from(since).unwrap_or(usize::MAX))
        .cloned()
        .collect();
    let touched = |id: u64| {
        txs.iter()
            .any(|t| t["orderID"] == json!(wire::id(id)) || t["id"] == json!(wire::id(id)))
    };
    let orders: Vec<&super::account::Order> =
        acct.orders.values().filter(|o| touched(o.id)).collect();
    let by = |state: &str| -> Vec<Value> {
        orders
            .iter()
            .filter(|o| o.state == state)
            .map(|o| o.to_json(&st.shared))
            .collect()
    };
    let trades_opened: Vec<Value> = acct
        .trades
        .values()
        .filter(|t| t.id > since && t.is_open())
        .map(|t| trade_json(st, acct, t, step))
        .collect();
    let trades_closed: Vec<Value> = acct
        .trades
        .values()
        .filter(|t| !t.is_open() && t.closing_txs.iter().any(|c| *c > since))
        .map(|t| trade_json(st, acct, t, step))
        .collect();
    let summary = account(st, acct, step, false);
    Ok(json!({
        "changes": {
            "ordersCreated": by("PENDING"), "ordersFilled": by("FILLED"),
            "ordersCancelled": by("CANCELLED"), "ordersTriggered": [],
            "tradesOpened": trades_opened, "tradesReduced": [], "tradesClosed": trades_closed,
            "positions": [], "transactions": txs,
        },
        "state": summary["account"].clone(),
        "lastTransactionID": last(acct),
    }))
}

/// `GET /orders` (`state`, `instrument`, `count`, `ids`) or `/pendingOrders`.
pub fn orders(st: &OandaState, acct: &Account, q: &Query, pending_only: bool) -> Value {
    let state = if pending_only {
        "PENDING"
    } else {
        q.get("state").map(String::as_str).unwrap_or("PENDING")
    };
    let count: usize = q
        .get("count")
        .and_then(|c| c.parse().ok())
        .unwrap_or(50)
        .min(500);
    let ids: Option<Vec<u64>> = q
        .get("ids")
        .map(|s| s.split(',').filter_map(|x| x.parse().ok()).collect());
    let inst = q.get("instrument");
    let list: Vec<Value> = acct
        .orders
        .values()
        .rev()
        .filter(|o| state == "ALL" || o.state == state)
        .filter(|o| ids.as_ref().is_none_or(|i| i.contains(&o.id)))
        .filter(|o| inst.is_none_or(|n| st.shared.market.series[o.instrument].symbol == *n))
        .take(count)
        .map(|o| o.to_json(&st.shared))
        .collect();
    json!({"orders": list, "lastTransactionID": last(acct)})
}

fn no_order() -> OandaError {
    let mut e = OandaError::new(404, "The order ID specified does not exist");
    e.code = Some("NO_SUCH_ORDER".into());
    e
}

pub fn order(st: &OandaState, acct: &Account, spec: &str) -> Result<Value, OandaError> {
    let o = acct.find_order(spec).ok_or_else(no_order)?;
    Ok(json!({"order": o.to_json(&st.shared), "lastTransactionID": last(acct)}))
}

/// `PUT /orders/{spec}/cancel`.
pub fn cancel(acct: &mut Account, now: i64, spec: &str) -> Result<Value, OandaError> {
    let id = acct.find_order(spec).ok_or_else(no_order)?.id;
    let Some(tx) = fill::cancel(acct, now, id, "CLIENT_REQUEST", None) else {
        let mut e = OandaError::new(
            404,
            "The Order specified is not pending and cannot be cancelled",
        );
        e.code = Some("ORDER_DOESNT_EXIST".into());
        return Err(e);
    };
    Ok(json!({
        "orderCancelTransaction": acct.transaction(tx).cloned(),
        "relatedTransactionIDs": [wire::id(tx)],
        "lastTransactionID": last(acct),
    }))
}

pub fn trades(st: &OandaState, acct: &Account, step: usize, q: &Query, open_only: bool) -> Value {
    let state = if open_only {
        "OPEN"
    } else {
        q.get("state").map(String::as_str).unwrap_or("OPEN")
    };
    let count: usize = q
        .get("count")
        .and_then(|c| c.parse().ok())
        .unwrap_or(50)
        .min(500);
    let inst = q.get("instrument");
    let list: Vec<Value> = acct
        .trades
        .values()
        .rev()
        .filter(|t| match state {
            "ALL" => true,
            "CLOSED" => !t.is_open(),
            _ => t.is_open(),
        })
        .filter(|t| inst.is_none_or(|n| st.shared.market.series[t.instrument].symbol == *n))
        .take(count)
        .map(|t| trade_json(st, acct, t, step))
        .collect();
    json!({"trades": list, "lastTransactionID": last(acct)})
}

pub fn no_trade() -> OandaError {
    let mut e = OandaError::new(404, "The Trade ID specified does not exist");
    e.code = Some("NO_SUCH_TRADE".into());
    e
}

pub fn trade(
    st: &OandaState,
    acct: &Account,
    step: usize,
    spec: &str,
) -> Result<Value, OandaError> {
    let t = acct.find_trade(spec).ok_or_else(no_trade)?;
    Ok(json!({"trade": trade_json(st, acct, t, step), "lastTransactionID": last(acct)}))
}

pub fn positions(st: &OandaState, acct: &Account, step: usize, open_only: bool) -> Value {
    let list: Vec<Value> = (0..st.shared.market.series.len())
        .filter(|i| !open_only || !acct.position(*i).is_zero())
        .filter(|i| open_only || acct.trades.values().any(|t| t.instrument == *i))
        .map(|i| position_json(st, acct, i, step))
        .collect();
    json!({"positions": list, "lastTransactionID": last(acct)})
}

pub fn position(
    st: &OandaState,
    acct: &Account,
    step: usize,
    inst: &str,
) -> Result<Value, OandaError> {
    let i = st
        .shared
        .market
        .find(inst)
        .ok_or_else(|| OandaError::invalid("instrument"))?;
    Ok(json!({"position": position_json(st, acct, i, step), "lastTransactionID": last(acct)}))
}
