//! POST /v3/accounts/{id}/orders: validating an order request
//! (`{"order": {...}}`), rejecting it as OANDA does (HTTP 400 with an
//! `orderRejectTransaction`, `errorCode` = its `rejectReason`), or
//! creating it and offering it the current price at once: a market
//! order fills (FOK/IOC) or is cancelled, a pending one fills if already
//! marketable, else rests (a FOK/IOC one is cancelled).

use super::account::{Account, Kind, OnFill};
use super::fill::{self, Cx};
use super::instruments;
use super::trigger::{self, Bar};
use super::wire::{self, OandaError};
use rust_decimal::Decimal;
use serde_json::{Value, json};

/// A reject reason and the order as sent.
fn reject(acct: &mut Account, cx: &Cx, order: &Value, kind: &str, reason: &str) -> OandaError {
    let mut body = order.clone();
    if !body.is_object() {
        body = json!({});
    }
    body["type"] = json!(format!("{kind}_ORDER_REJECT"));
    body["rejectReason"] = json!(reason);
    body["reason"] = json!("CLIENT_ORDER");
    let id = acct.record(cx.now, body, None);
    let tx = acct.transaction(id).cloned().unwrap_or_default();
    let mut e = OandaError::new(400, reject_message(reason));
    e.code = Some(reason.to_string());
    e.extra = Some(json!({
        "orderRejectTransaction": tx,
        "relatedTransactionIDs": [wire::id(id)],
        "lastTransactionID": wire::id(id),
    }));
    e
}

fn reject_message(reason: &str) -> String {
    match reason {
        "INSUFFICIENT_MARGIN" => "Insufficient margin to perform request".into(),
        "CLIENT_ORDER_ID_ALREADY_EXISTS" => {
            "The client Order ID specified is already in use".into()
        }
        "UNITS_INVALID" => "The units specified is invalid".into(),
        "MARKET_HALTED" => "The market is halted".into(),
        r => format!("The order request was rejected: {r}"),
    }
}

/// An OANDA reject reason for an injected `refuse(code=N)` (Binance codes).
pub fn refuse_reason(code: i64) -> &'static str {
    match code {
        -2010 | -2019 => "INSUFFICIENT_MARGIN",
        -1013 => "UNITS_INVALID",
        -2021 => "PRICE_INVALID",
        _ => "MARKET_HALTED",
    }
}

fn dec(v: &Value, k: &str) -> Result<Option<Decimal>, ()> {
    match v.get(k) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => s.parse().map(Some).map_err(|_| ()),
        Some(Value::Number(n)) => n.to_string().parse().map(Some).map_err(|_| ()),
        _ => Err(()),
    }
}

/// Handles an order request's body; the 201 answer or the error.
pub fn create(
    acct: &mut Account,
    cx: &Cx,
    body: &Value,
    refuse: Option<i64>,
) -> Result<Value, OandaError> {
    place(acct, cx, body, refuse, None)
}

fn no_pending(acct: &Account, spec: &str) -> Result<u64, OandaError> {
    match acct.find_order(spec) {
        Some(o) if o.state == "PENDING" => Ok(o.id),
        Some(_) => {
            let mut e = OandaError::new(404, "The Order specified is not pending");
            e.code = Some("ORDER_DOESNT_EXIST".into());
            Err(e)
        }
        None => {
            let mut e = OandaError::new(404, "The order ID specified does not exist");
            e.code = Some("NO_SUCH_ORDER".into());
            Err(e)
        }
    }
}

/// `PUT /orders/{spec}`: cancels the pending order (reason
/// CLIENT_REQUEST_REPLACED) and creates the one in the body in its place
/// (`replacesOrderID`); a take-profit, stop-loss or trailing stop is
/// replaced by one of its type on the same trade. If the new order is
/// rejected the old one stays.
pub fn replace(
    acct: &mut Account,
    cx: &Cx,
    spec: &str,
    body: &Value,
    refuse: Option<i64>,
) -> Result<Value, OandaError> {
    let old_id = no_pending(acct, spec)?;
    let Some(old) = acct.orders.get(&old_id).cloned() else {
        return Err(OandaError::invalid("orderSpecifier"));
    };
    if !old.kind.dependent() {
        return place(acct, cx, body, refuse, Some(old_id));
    }
    let Some(order) = body.get("order").filter(|o| o.is_object()) else {
        return Err(OandaError::invalid("order"));
    };
    let k = old.kind.as_str();
    if order.get("type").and_then(Value::as_str) != Some(k) {
        return Err(reject(acct, cx, order, k, "REPLACING_ORDER_INVALID"));
    }
    let has_level =
        matches!(dec(order, "price"), Ok(Some(_))) || matches!(dec(order, "distance"), Ok(Some(_)));
    if !has_level {
        return Err(reject(acct, cx, order, k, "PRICE_MISSING"));
    }
    let Some(trade) = old.trade_id else {
        return Err(reject(acct, cx, order, k, "TRADE_ID_UNSPECIFIED"));
    };
    let first = acct.next_id();
    let new_id = first + 1;
    fill::cancel_replaced(
        acct,
        cx.now,
        old_id,
        "CLIENT_REQUEST_REPLACED",
        Some(first),
        Some(new_id),
    );
    fill::dependent(acct, cx, old.kind, trade, order, Some(first), Some(old_id));
    Ok(json!({
        "orderCancelTransaction": acct.transaction(first).cloned(),
        "orderCreateTransaction": acct.transaction(new_id).cloned(),
        "relatedTransactionIDs": (first..=acct.last_tx).map(wire::id).collect::<Vec<_>>(),
        "lastTransactionID": wire::id(acct.last_tx),
    }))
}

fn place(
    acct: &mut Account,
    cx: &Cx,
    body: &Value,
    refuse: Option<i64>,
    replacing: Option<u64>,
) -> Result<Value, OandaError> {
    let Some(order) = body.get("order").filter(|o| o.is_object()) else {
        return Err(OandaError::invalid("order"));
    };
    let type_str = order
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("MARKET");
    let Some(kind) = Kind::parse(type_str) else {
        return Err(OandaError::invalid("order.type"));
    };
    let k = kind.as_str();
    let rej = |acct: &mut Account, r: &str| Err(reject(acct, cx, order, k, r));
    if kind.dependent() {
        // Exits come attached (…OnFill) or as STOP/LIMIT REDUCE_ONLY orders.
        return rej(acct, "TRADE_ID_UNSPECIFIED");
    }
    let Some(inst) = order.get("instrument").and_then(Value::as_str) else {
        return rej(acct, "INSTRUMENT_MISSING");
    };
    let Some(i) = cx.shared.market.find(inst) else {
        return rej(acct, "INSTRUMENT_UNKNOWN");
    };
    let units = match dec(order, "units") {
        Ok(Some(u)) => u,
        Ok(None) => return rej(acct, "UNITS_MISSING"),
        Err(()) => return rej(acct, "UNITS_INVALID"),
    };
    if units.is_zero() {
        return rej(acct, "UNITS_INVALID");
    }
    if units.fract() != Decimal::ZERO {
        return rej(acct, "UNITS_PRECISION_EXCEEDED");
    }
    let price = match dec(order, "price") {
        Ok(p) => p,
        Err(()) => return rej(acct, "PRICE_INVALID"),
    };
    if kind != Kind::Market && price.is_none() {
        return rej(acct, "PRICE_MISSING");
    }
    if price.is_some_and(|p| p <= Decimal::ZERO) {
        return rej(acct, "PRICE_INVALID");
    }
    let default_tif = if kind == Kind::Market { "FOK" } else { "GTC" };
    let tif = order
        .get("timeInForce")
        .and_then(Value::as_str)
        .unwrap_or(default_tif);
    let tif_ok = match kind {
        Kind::Market => matches!(tif, "FOK" | "IOC"),
        _ => matches!(tif, "GTC" | "GTD" | "GFD" | "FOK" | "IOC"),
    };
    if !tif_ok {
        return rej(acct, "TIME_IN_FORCE_INVALID");
    }
    let gtd = order.get("gtdTime").and_then(Value::as_str);
    let gtd = match (tif, gtd) {
        ("GTD", None) => return rej(acct, "TIME_IN_FORCE_GTD_TIMESTAMP_MISSING"),
        ("GTD", Some(g)) => match wire::parse_time(g) {
            Some(t) if t <= cx.now => return rej(acct, "TIME_IN_FORCE_GTD_TIMESTAMP_IN_PAST"),
            Some(t) => Some(t),
            None => return rej(acct, "TIME_IN_FORCE_INVALID"),
        },
        _ => None,
    };
    let position_fill = order
        .get("positionFill")
        .and_then(Value::as_str)
        .unwrap_or("DEFAULT");
    if !matches!(
        position_fill,
        "DEFAULT" | "OPEN_ONLY" | "REDUCE_FIRST" | "REDUCE_ONLY"
    ) {
        return rej(acct, "ORDER_FILL_POSITION_ACTION_INVALID");
    }
    let trigger = order
        .get("triggerCondition")
        .and_then(Value::as_str)
        .unwrap_or("DEFAULT");
    if !matches!(trigger, "DEFAULT" | "INVERSE" | "BID" | "ASK" | "MID") {
        return rej(acct, "TRIGGER_CONDITION_INVALID");
    }
    let client_ext = order.get("clientExtensions").cloned();
    if let Some(c) = client_ext
        .as_ref()
        .and_then(|c| c.get("id"))
        .and_then(Value::as_str)
        && acct.client_id_taken(c, replacing)
    {
        return rej(acct, "CLIENT_ORDER_ID_ALREADY_EXISTS");
    }
    let on_fill = OnFill {
        take_profit: order.get("takeProfitOnFill").cloned(),
        stop_loss: order.get("stopLossOnFill").cloned(),
        trailing: order.get("trailingStopLossOnFill").cloned(),
    };
    if let Some(tp) = &on_fill.take_profit
        && !matches!(dec(tp, "price"), Ok(Some(_)))
    {
        return rej(acct, "TAKE_PROFIT_ON_FILL_PRICE_MISSING");
    }
    if let Some(sl) = &on_fill.stop_loss {
        match (dec(sl, "price"), dec(sl, "distance")) {
            (Ok(Some(_)), Ok(Some(_))) => {
                return rej(acct, "STOP_LOSS_ON_FILL_PRICE_AND_DISTANCE_BOTH_SPECIFIED");
            }
            (Ok(None), Ok(None)) => {
                return rej(acct, "STOP_LOSS_ON_FILL_PRICE_AND_DISTANCE_BOTH_MISSING");
            }
            (Err(()), _) => return rej(acct, "STOP_LOSS_ON_FILL_PRICE_INVALID"),
            (_, Err(())) => return rej(acct, "STOP_LOSS_ON_FILL_DISTANCE_INVALID"),
            _ => {}
        }
    }
    if let Some(ts) = &on_fill.trailing
        && !matches!(dec(ts, "distance"), Ok(Some(d)) if d > Decimal::ZERO)
    {
        return rej(acct, "TRAILING_STOP_LOSS_ON_FILL_PRICE_DISTANCE_MISSING");
    }
    if let Some(code) = refuse {
        return rej(acct, refuse_reason(code));
    }
    let (bid, ask) = instruments::quote(cx.shared, i, cx.step);
    let buy = units > Decimal::ZERO;
    // A market order that opens must fit the margin, or it is rejected.
    if kind == Kind::Market && position_fill != "REDUCE_ONLY" {
        let pos = acct.position(i);
        let opens = if pos.is_zero() || (pos > Decimal::ZERO) == buy {
            units.abs()
        } else {
            (units.abs() - pos.abs()).max(Decimal::ZERO)
        };
        let s = &cx.shared.market.series[i];
        let p = if buy { ask } else { bid };
        let needed = instruments::notional_home(s, opens, p) * cx.shared.oanda.margin_rate;
        let avail = acct.nav(cx.shared, cx.step) - acct.margin_used(cx.shared, cx.step);
        if !opens.is_zero() && needed > avail {
            return rej(acct, "INSUFFICIENT_MARGIN");
        }
    }
    let mut o = fill::blank(kind, i, cx.now, cx.step);
    o.units = units;
    o.price = if kind == Kind::Market { None } else { price };
    o.price_bound = dec(order, "priceBound").ok().flatten();
    o.tif = tif.to_string();
    o.gtd = gtd;
    o.position_fill = position_fill.to_string();
    o.trigger_condition = trigger.to_string();
    o.client_ext = client_ext;
    o.trade_client_ext = order.get("tradeClientExtensions").cloned();
    o.on_fill = on_fill;
    // A market-if-touched order above the current price waits for a rise.
    o.above = price.is_some_and(|p| p > if buy { ask } else { bid });
    let mut first = acct.next_id();
    if let Some(old) = replacing {
        // The old order's cancel comes first, naming its replacement.
        first = acct.next_id();
        fill::cancel_replaced(
            acct,
            cx.now,
            old,
            "CLIENT_REQUEST_REPLACED",
            Some(first),
            Some(first + 1),
        );
        o.replaces = Some(old);
    }
    let id = acct.next_id();
    o.id = id;
    let reason = if replacing.is_some() {
        "REPLACEMENT"
    } else {
        "CLIENT_ORDER"
    };
    let create = fill::create_body(cx.shared, &o, reason);
    acct.record(cx.now, create, Some(first));
    acct.orders.insert(id, o);
    trigger::offer(acct, cx, id, Bar::flat(bid));
    let still_pending = acct.orders.get(&id).is_some_and(|o| o.state == "PENDING");
    if still_pending && matches!(tif, "FOK" | "IOC") {
        fill::cancel(acct, cx.now, id, "TIME_IN_FORCE_EXPIRED", Some(id));
    }
    let mut answer = json!({});
    let mut related = Vec::new();
    for tx in acct
        .transactions
        .iter()
        .skip(usize::try_from(first).unwrap_or(0).saturating_sub(1))
    {
        let tid = tx["id"].clone();
        related.push(tid);
        let key = match tx["type"].as_str().unwrap_or("") {
            t if t.ends_with("_ORDER") && tx["id"] == json!(wire::id(id)) => {
                "orderCreateTransaction"
            }
            "ORDER_FILL" if tx["orderID"] == json!(wire::id(id)) => "orderFillTransaction",
            "ORDER_CANCEL" if tx["orderID"] == json!(wire::id(id)) && replacing.is_some() => {
                "replacingOrderCancelTransaction"
            }
            "ORDER_CANCEL" if tx["orderID"] == json!(wire::id(id)) => "orderCancelTransaction",
            "ORDER_CANCEL" if replacing.is_some_and(|r| tx["orderID"] == json!(wire::id(r))) => {
                "orderCancelTransaction"
            }
            _ => continue,
        };
        answer[key] = tx.clone();
    }
    answer["relatedTransactionIDs"] = Value::Array(related);
    answer["lastTransactionID"] = json!(wire::id(acct.last_tx));
    Ok(answer)
}
