//! Closing trades and positions at the market (`PUT /trades/{spec}/close`,
//! `PUT /positions/{instrument}/close`): a reduce-only FOK market order
//! (reason TRADE_CLOSE or POSITION_CLOSEOUT) filled at once.

use super::account::{Account, Kind};
use super::fill::{self, Cx, FillReq};
use super::instruments;
use super::rest::no_trade;
use super::wire::{self, OandaError};
use rust_decimal::Decimal;
use serde_json::{Value, json};

fn last(acct: &Account) -> Value {
    json!(wire::id(acct.last_tx))
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
