//! The REST answers other than placing orders: the account and its
//! summary, instruments, pricing, orders, trades, positions (with their
//! close), and the transaction log (pages, idrange, sinceid), each with
//! the account's `lastTransactionID`.

use super::OandaState;
use super::account::{Account, Kind, Trade};
use super::fill::{self, Cx, FillReq};
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

fn no_trade() -> OandaError {
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

/// A market order that closes `units` (signed, against the trades) of
/// instrument `i`, filled at once; its create and fill transactions.
fn close_market(
    acct: &mut Account,
    cx: &Cx,
    i: usize,
    units: Decimal,
    only: Option<u64>,
    extra: (&str, Value),
    reason: &'static str,
) -> Result<(Value, Value), OandaError> {
    let (bid, ask) = instruments::quote(cx.shared, i, cx.step);
    let mut o = fill::blank(Kind::Market, i, cx.now, cx.step);
    o.units = units;
    o.tif = "FOK".into();
    o.position_fill = "REDUCE_ONLY".into();
    let id = acct.next_id();
    o.id = id;
    let mut body = fill::create_body(cx.shared, &o, extra.0);
    let key = match extra.0 {
        "TRADE_CLOSE" => "tradeClose",
        "POSITION_CLOSEOUT" if units < Decimal::ZERO => "longPositionCloseout",
        _ => "shortPositionCloseout",
    };
    body[key] = extra.1;
    acct.record(cx.now, body, None);
    acct.orders.insert(id, o);
    let req = FillReq {
        order_id: id,
        instrument: i,
        units,
        price: if units > Decimal::ZERO { ask } else { bid },
        reason,
        position_fill: "REDUCE_ONLY".into(),
        only_trade: only,
        batch: id,
    };
    let fill_tx = fill::fill(acct, cx, &req)
        .map_err(|r| OandaError::new(400, format!("The close was cancelled: {r}")))?;
    Ok((
        acct.transaction(id).cloned().unwrap_or_default(),
        acct.transaction(fill_tx).cloned().unwrap_or_default(),
    ))
}

/// `PUT /trades/{spec}/close` (`units`: `ALL` or a number).
pub fn close_trade(
    acct: &mut Account,
    cx: &Cx,
    spec: &str,
    body: &Value,
) -> Result<Value, OandaError> {
    let t = acct
        .find_trade(spec)
        .filter(|t| t.is_open())
        .ok_or_else(no_trade)?
        .clone();
    let all = t.current_units.abs();
    let units = match body.get("units").and_then(Value::as_str).unwrap_or("ALL") {
        "ALL" => all,
        u => u
            .parse::<Decimal>()
            .ok()
            .filter(|u| *u > Decimal::ZERO && *u <= all)
            .ok_or_else(|| {
                let mut e = OandaError::new(400, "The units specified exceed the Trade's size");
                e.code = Some("CLOSE_TRADE_UNITS_EXCEED_TRADE_SIZE".into());
                e
            })?,
    };
    let signed = if t.current_units > Decimal::ZERO {
        -units
    } else {
        units
    };
    let first = acct.next_id();
    let (c, f) = close_market(
        acct,
        cx,
        t.instrument,
        signed,
        Some(t.id),
        (
            "TRADE_CLOSE",
            json!({"tradeID": wire::id(t.id), "units": wire::units(units)}),
        ),
        "MARKET_ORDER_TRADE_CLOSE",
    )?;
    Ok(json!({
        "orderCreateTransaction": c, "orderFillTransaction": f,
        "relatedTransactionIDs": (first..=acct.last_tx).map(wire::id).collect::<Vec<_>>(),
        "lastTransactionID": last(acct),
    }))
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

/// `PUT /positions/{instrument}/close` (`longUnits`/`shortUnits`: `ALL`,
/// `NONE` or a number).
pub fn close_position(
    acct: &mut Account,
    cx: &Cx,
    inst: &str,
    body: &Value,
) -> Result<Value, OandaError> {
    let i = cx
        .shared
        .market
        .find(inst)
        .ok_or_else(|| OandaError::invalid("instrument"))?;
    let pos = acct.position(i);
    let first = acct.next_id();
    let mut answer = json!({});
    let mut any = false;
    for (key, long) in [("longUnits", true), ("shortUnits", false)] {
        let Some(u) = body
            .get(key)
            .and_then(Value::as_str)
            .filter(|u| *u != "NONE")
        else {
            continue;
        };
        let held = if long {
            pos.max(Decimal::ZERO)
        } else {
            (-pos).max(Decimal::ZERO)
        };
        let units = if u == "ALL" {
            held
        } else {
            u.parse::<Decimal>().unwrap_or(Decimal::ZERO).min(held)
        };
        if units.is_zero() {
            let mut e = OandaError::new(
                400,
                "The Position requested to be closed out does not exist",
            );
            e.code = Some("CLOSEOUT_POSITION_DOESNT_EXIST".into());
            return Err(e);
        }
        let signed = if long { -units } else { units };
        let (c, f) = close_market(
            acct,
            cx,
            i,
            signed,
            None,
            ("POSITION_CLOSEOUT", json!({"instrument": inst, "units": u})),
            "MARKET_ORDER_POSITION_CLOSEOUT",
        )?;
        let side = if long { "long" } else { "short" };
        answer[format!("{side}OrderCreateTransaction")] = c;
        answer[format!("{side}OrderFillTransaction")] = f;
        any = true;
    }
    if !any {
        let mut e = OandaError::new(400, "The Position closeout request is incomplete");
        e.code = Some("CLOSEOUT_POSITION_INCOMPLETE_SPECIFICATION".into());
        return Err(e);
    }
    answer["relatedTransactionIDs"] =
        json!((first..=acct.last_tx).map(wire::id).collect::<Vec<_>>());
    answer["lastTransactionID"] = last(acct);
    Ok(answer)
}

fn id_param(q: &Query, k: &str) -> Result<u64, OandaError> {
    q.get(k)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| OandaError::invalid(k))
}

fn type_filter(q: &Query) -> impl Fn(&&Value) -> bool + '_ {
    let types: Option<Vec<&str>> = q.get("type").map(|t| t.split(',').collect());
    move |t: &&Value| {
        types
            .as_ref()
            .is_none_or(|ts| ts.iter().any(|x| t["type"].as_str() == Some(x)))
    }
}

/// `GET /transactions`: the id pages of the transactions in `from`..`to`
/// (times), `pageSize` ids each (default 100, at most 1000).
pub fn transactions(acct: &Account, q: &Query, account_id: &str) -> Result<Value, OandaError> {
    let from = q
        .get("from")
        .map(|f| wire::parse_time(f).ok_or_else(|| OandaError::invalid("from")))
        .transpose()?;
    let to = q
        .get("to")
        .map(|f| wire::parse_time(f).ok_or_else(|| OandaError::invalid("to")))
        .transpose()?;
    let size: u64 = match q.get("pageSize") {
        Some(p) => p
            .parse()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| OandaError::invalid("pageSize"))?,
        None => 100,
    };
    let filter = type_filter(q);
    let ids: Vec<u64> = acct
        .transactions
        .iter()
        .filter(|t| {
            let time = t["time"].as_str().and_then(wire::parse_time).unwrap_or(0);
            from.is_none_or(|f| time >= f) && to.is_none_or(|e| time <= e)
        })
        .filter(filter)
        .filter_map(|t| t["id"].as_str()?.parse().ok())
        .collect();
    let pages: Vec<String> = ids
        .chunks(usize::try_from(size).unwrap_or(100))
        .filter_map(|c| Some((*c.first()?, *c.last()?)))
        .map(|(a, b)| format!("/v3/accounts/{account_id}/transactions/idrange?from={a}&to={b}"))
        .collect();
    let first_time = acct
        .transactions
        .first()
        .and_then(|t| t["time"].as_str())
        .unwrap_or("")
        .to_string();
    Ok(json!({
        "from": from.map(wire::time).unwrap_or(first_time), "to": wire::time(to.unwrap_or_else(crate::state::now_ms)),
        "pageSize": size, "count": ids.len(), "pages": pages, "lastTransactionID": last(acct),
    }))
}

/// `GET /transactions/idrange?from=&to=`.
pub fn idrange(acct: &Account, q: &Query) -> Result<Value, OandaError> {
    let (from, to) = (id_param(q, "from")?, id_param(q, "to")?);
    let filter = type_filter(q);
    let list: Vec<Value> = (from.max(1)..=to.min(acct.last_tx))
        .filter_map(|i| acct.transaction(i))
        .filter(filter)
        .cloned()
        .collect();
    Ok(json!({"transactions": list, "lastTransactionID": last(acct)}))
}

/// `GET /transactions/sinceid?id=`: every transaction after `id`.
pub fn sinceid(acct: &Account, q: &Query) -> Result<Value, OandaError> {
    let id = id_param(q, "id")?;
    let filter = type_filter(q);
    let list: Vec<Value> = acct
        .transactions
        .iter()
        .skip(usize::try_from(id).unwrap_or(usize::MAX))
        .filter(filter)
        .cloned()
        .collect();
    Ok(json!({"transactions": list, "lastTransactionID": last(acct)}))
}

pub fn transaction(acct: &Account, id: &str) -> Result<Value, OandaError> {
    let t = id
        .parse::<u64>()
        .ok()
        .and_then(|i| acct.transaction(i))
        .ok_or_else(|| OandaError::new(404, "The transaction ID specified does not exist"))?;
    Ok(json!({"transaction": t, "lastTransactionID": last(acct)}))
}
