//! Filling an order on the netting account: units opposite to the
//! position close its trades first, oldest first (`tradesClosed`, or
//! `tradeReduced` for a part), the rest opens a trade (`tradeOpened`),
//! as `positionFill` allows; the margin of what opens is checked; the
//! fill's `halfSpreadCost` is half the spread on the units filled. The
//! exits attached to the order become the new trade's dependent orders,
//! and a closed trade's dependents are cancelled (LINKED_TRADE_CLOSED).

use super::account::{Account, Kind, Order, Trade};
use super::instruments::{self, to_home};
use super::wire;
use crate::state::Shared;
use rust_decimal::Decimal;
use serde_json::{Value, json};

/// Where and when an action happens.
pub struct Cx<'a> {
    pub shared: &'a Shared,
    pub step: usize,
    pub now: i64,
}

/// A fill to make.
#[derive(Debug, Clone)]
pub struct FillReq {
    pub order_id: u64,
    pub instrument: usize,
    /// Signed units.
    pub units: Decimal,
    pub price: Decimal,
    pub reason: &'static str,
    pub position_fill: String,
    /// Close only this trade (a trade's exit, a trade close).
    pub only_trade: Option<u64>,
    pub batch: u64,
}

fn side_sign(d: Decimal) -> Decimal {
    if d > Decimal::ZERO {
        Decimal::ONE
    } else {
        Decimal::NEGATIVE_ONE
    }
}

/// Makes fill `r`: the fill transaction's id, or the reason the order is
/// cancelled instead (an `OrderCancelReason`).
pub fn fill(acct: &mut Account, cx: &Cx, r: &FillReq) -> Result<u64, &'static str> {
    let shared = cx.shared;
    let s = &shared.market.series[r.instrument];
    let dp = instruments::spec(s).display_precision;
    let sign = side_sign(r.units);
    let want = r.units.abs();
    // The trades this fill may reduce, oldest first.
    let against: Vec<(u64, Decimal)> = acct
        .open_trades(r.instrument)
        .filter(|t| r.only_trade.is_none_or(|o| o == t.id))
        .filter(|t| side_sign(t.current_units) != sign)
        .map(|t| (t.id, t.current_units))
        .collect();
    let reducible: Decimal = against.iter().map(|(_, u)| u.abs()).sum();
    let reduce = want.min(reducible);
    let mut open = want - reduce;
    match r.position_fill.as_str() {
        "REDUCE_ONLY" => {
            if reduce.is_zero() {
                return Err("POSITION_CLOSEOUT_FAILED");
            }
            open = Decimal::ZERO;
        }
        // A netting account cannot open against its position.
        "OPEN_ONLY" if !reduce.is_zero() => return Err("FIFO_VIOLATION"),
        _ => {}
    }
    if r.only_trade.is_some() {
        open = Decimal::ZERO;
    }
    if !open.is_zero() {
        let needed = instruments::notional_home(s, open, r.price) * shared.oanda.margin_rate;
        let pos = acct.position(r.instrument).abs();
        let pos_margin: Decimal = acct
            .open_trades(r.instrument)
            .map(|t| acct.margin(shared, t, cx.step))
            .sum();
        let released = if pos.is_zero() {
            Decimal::ZERO
        } else {
            pos_margin * reduce / pos
        };
        let available = acct.nav(shared, cx.step) - acct.margin_used(shared, cx.step) + released;
        if needed > available {
            return Err("INSUFFICIENT_MARGIN");
        }
    }
    let half_spread = instruments::spread(shared, s) / Decimal::TWO;
    let hsc = |u: Decimal| to_home(s, u.abs() * half_spread, r.price);
    let fill_id = acct.next_id();
    let mut left = reduce;
    let mut closed = Vec::new();
    let mut reduced = None;
    let mut pl = Decimal::ZERO;
    let mut cancel_deps = Vec::new();
    for (tid, units) in against {
        if left.is_zero() {
            break;
        }
        let take = left.min(units.abs());
        left -= take;
        let realized = to_home(
            s,
            (r.price - trade_price(acct, tid)) * take * side_sign(units),
            r.price,
        );
        pl += realized;
        let Some(t) = acct.trades.get_mut(&tid) else {
            continue;
        };
        t.current_units -= side_sign(units) * take;
        t.realized_pl += realized;
        t.closing_txs.push(fill_id);
        let entry = json!({
            "tradeID": wire::id(tid), "units": wire::units(sign * take),
            "price": wire::price(r.price, dp), "realizedPL": wire::money(realized),
            "financing": "0.0000", "guaranteedExecutionFee": "0.0000",
            "halfSpreadCost": wire::money(hsc(take)),
        });
        if t.current_units.is_zero() {
            t.close_time = Some(cx.now);
            cancel_deps.extend(
                [t.take_profit, t.stop_loss, t.trailing]
                    .into_iter()
                    .flatten(),
            );
            closed.push(entry);
        } else {
            reduced = Some(entry);
        }
    }
    let mut body = json!({
        "type": "ORDER_FILL", "orderID": wire::id(r.order_id), "instrument": s.symbol,
        "units": wire::units(sign * (reduce + open)), "requestedUnits": wire::units(r.units),
        "price": wire::price(r.price, dp), "fullVWAP": wire::price(r.price, dp),
        "pl": wire::money(pl), "quotePL": wire::money(pl), "financing": "0.0000",
        "baseFinancing": "0.00000000000000", "commission": "0.0000",
        "guaranteedExecutionFee": "0.0000", "quoteGuaranteedExecutionFee": "0",
        "halfSpreadCost": wire::money(hsc(reduce + open)),
        "accountBalance": wire::money(acct.balance + pl), "reason": r.reason,
        "gainQuoteHomeConversionFactor": "1", "lossQuoteHomeConversionFactor": "1",
        "fullPrice": full_price(shared, r.instrument, cx),
    });
    let client_id = acct
        .orders
        .get(&r.order_id)
        .and_then(|o| o.client_id().map(str::to_string));
    if let Some(id) = client_id {
        body["clientOrderID"] = json!(id);
    }
    if !closed.is_empty() {
        body["tradesClosed"] = Value::Array(closed.clone());
    }
    if let Some(t) = &reduced {
        body["tradeReduced"] = t.clone();
    }
    let margin_required = instruments::notional_home(s, open, r.price) * shared.oanda.margin_rate;
    if !open.is_zero() {
        body["tradeOpened"] = json!({
            "tradeID": wire::id(fill_id), "units": wire::units(sign * open),
            "price": wire::price(r.price, dp), "guaranteedExecutionFee": "0.0000",
            "halfSpreadCost": wire::money(hsc(open)),
            "initialMarginRequired": wire::money(margin_required),
        });
    }
    acct.balance += pl;
    acct.pl += pl;
    let id = acct.record(cx.now, body, Some(r.batch));
    let trade_ext = acct
        .orders
        .get(&r.order_id)
        .and_then(|o| o.trade_client_ext.clone());
    if !open.is_zero() {
        acct.trades.insert(
            id,
            Trade {
                id,
                instrument: r.instrument,
                price: r.price,
                open_time: cx.now,
                initial_units: sign * open,
                current_units: sign * open,
                realized_pl: Decimal::ZERO,
                financing: Decimal::ZERO,
                close_time: None,
                closing_txs: Vec::new(),
                take_profit: None,
                stop_loss: None,
                trailing: None,
                client_ext: trade_ext,
                margin_required,
            },
        );
    }
    if let Some(o) = acct.orders.get_mut(&r.order_id) {
        o.state = "FILLED";
        o.filling_tx = Some(id);
        o.filled_time = Some(cx.now);
        o.trade_opened = (!open.is_zero()).then_some(id);
        o.trade_reduced = reduced
            .as_ref()
            .and_then(|t| t["tradeID"].as_str()?.parse().ok());
        o.trades_closed = closed
            .iter()
            .filter_map(|t| t["tradeID"].as_str()?.parse().ok())
            .collect();
    }
    for dep in cancel_deps {
        cancel(acct, cx.now, dep, "LINKED_TRADE_CLOSED", Some(r.batch));
    }
    if !open.is_zero() {
        attach_exits(acct, cx, r.order_id, id, r.batch);
    }
    Ok(id)
}

fn trade_price(acct: &Account, id: u64) -> Decimal {
    acct.trades.get(&id).map(|t| t.price).unwrap_or_default()
}

/// `ClientPrice` as an ORDER_FILL's `fullPrice`.
fn full_price(shared: &Shared, i: usize, cx: &Cx) -> Value {
    let mut p = instruments::price_json(shared, i, cx.step, cx.now);
    if let Some(o) = p.as_object_mut() {
        o.remove("instrument");
        o.remove("status");
        o.remove("tradeable");
        o.remove("quoteHomeConversionFactors");
        o.insert("timestamp".into(), json!(wire::time(cx.now)));
        o.remove("time");
    }
    p
}

/// Cancels pending order `id` for `reason`; the ORDER_CANCEL's id.
pub fn cancel(
    acct: &mut Account,
    now: i64,
    id: u64,
    reason: &str,
    batch: Option<u64>,
) -> Option<u64> {
    cancel_replaced(acct, now, id, reason, batch, None)
}

/// [`cancel`] of an order being replaced by order `by`.
pub fn cancel_replaced(
    acct: &mut Account,
    now: i64,
    id: u64,
    reason: &str,
    batch: Option<u64>,
    by: Option<u64>,
) -> Option<u64> {
    let o = acct.orders.get(&id)?;
    if o.state != "PENDING" {
        return None;
    }
    let mut body = json!({"type": "ORDER_CANCEL", "orderID": wire::id(id), "reason": reason});
    if let Some(by) = by {
        body["replacedByOrderID"] = json!(wire::id(by));
    }
    if let Some(c) = o.client_id() {
        body["clientOrderID"] = json!(c);
    }
    let trade = o.trade_id;
    let kind = o.kind;
    let tx = acct.record(now, body, batch);
    if let Some(o) = acct.orders.get_mut(&id) {
        o.state = "CANCELLED";
        o.cancelling_tx = Some(tx);
        o.cancelled_time = Some(now);
        o.replaced_by = by;
    }
    if let Some(t) = trade.and_then(|t| acct.trades.get_mut(&t)) {
        match kind {
            Kind::TakeProfit => t.take_profit = None,
            Kind::StopLoss => t.stop_loss = None,
            Kind::TrailingStopLoss => t.trailing = None,
            _ => {}
        }
    }
    Some(tx)
}

/// An order's creating transaction body (`LIMIT_ORDER` …): the order's
/// fields less its state.
pub fn create_body(shared: &Shared, o: &Order, reason: &str) -> Value {
    let mut v = o.to_json(shared);
    if let Some(m) = v.as_object_mut() {
        for k in ["id", "createTime", "state", "trailingStopValue"] {
            m.remove(k);
        }
    }
    v["type"] = json!(format!("{}_ORDER", o.kind.as_str()));
    v["reason"] = json!(reason);
    v
}

/// A new order with no fill yet.
pub fn blank(kind: Kind, instrument: usize, now: i64, step: usize) -> Order {
    Order {
        id: 0,
        kind,
        instrument,
        units: Decimal::ZERO,
        price: None,
        distance: None,
        trailing: None,
        price_bound: None,
        tif: "GTC".into(),
        gtd: None,
        position_fill: "DEFAULT".into(),
        trigger_condition: "DEFAULT".into(),
        client_ext: None,
        trade_client_ext: None,
        state: "PENDING",
        create_time: now,
        placed_step: step,
        trade_id: None,
        on_fill: Default::default(),
        above: false,
        filling_tx: None,
        filled_time: None,
        cancelling_tx: None,
        cancelled_time: None,
        trade_opened: None,
        trade_reduced: None,
        trades_closed: Vec::new(),
        replaces: None,
        replaced_by: None,
    }
}

/// Creates a dependent order of `kind` on trade `trade` from its on-fill
/// spec (`price` or `distance`, `timeInForce`, `gtdTime`,
/// `clientExtensions`); its id.
pub fn dependent(
    acct: &mut Account,
    cx: &Cx,
    kind: Kind,
    trade: u64,
    spec: &Value,
    batch: Option<u64>,
    replaces: Option<u64>,
) -> Option<u64> {
    // Created on the trade's fill, or replacing an exit of the trade.
    let reason = if replaces.is_some() {
        "REPLACEMENT"
    } else {
        "ON_FILL"
    };
    let t = acct.trades.get(&trade)?.clone();
    let mut o = blank(kind, t.instrument, cx.now, cx.step);
    let dec = |k: &str| spec.get(k)?.as_str()?.parse::<Decimal>().ok();
    let long = t.current_units > Decimal::ZERO;
    o.trade_id = Some(trade);
    o.price = dec("price");
    o.distance = dec("distance");
    if kind != Kind::TrailingStopLoss
        && o.price.is_none()
        && let Some(d) = o.distance
    {
        // A stop-loss by distance sits that far from the trade's price.
        o.price = Some(if long { t.price - d } else { t.price + d });
    }
    if kind == Kind::TrailingStopLoss {
        let d = o.distance?;
        let (bid, ask) = instruments::quote(cx.shared, t.instrument, cx.step);
        o.trailing = Some(if long { bid - d } else { ask + d });
    }
    o.tif = spec
        .get("timeInForce")
        .and_then(Value::as_str)
        .unwrap_or("GTC")
        .to_string();
    o.gtd = spec
        .get("gtdTime")
        .and_then(Value::as_str)
        .and_then(wire::parse_time);
    o.client_ext = spec.get("clientExtensions").cloned();
    o.replaces = replaces;
    let id = acct.next_id();
    o.id = id;
    let body = create_body(cx.shared, &o, reason);
    acct.record(cx.now, body, batch);
    acct.orders.insert(id, o);
    if let Some(t) = acct.trades.get_mut(&trade) {
        match kind {
            Kind::TakeProfit => t.take_profit = Some(id),
            Kind::StopLoss => t.stop_loss = Some(id),
            _ => t.trailing = Some(id),
        }
    }
    Some(id)
}

fn attach_exits(acct: &mut Account, cx: &Cx, order: u64, trade: u64, batch: u64) {
    let Some(on_fill) = acct.orders.get(&order).map(|o| o.on_fill.clone()) else {
        return;
    };
    for (kind, spec) in [
        (Kind::TakeProfit, on_fill.take_profit),
        (Kind::StopLoss, on_fill.stop_loss),
        (Kind::TrailingStopLoss, on_fill.trailing),
    ] {
        if let Some(spec) = spec {
            dependent(acct, cx, kind, trade, &spec, Some(batch), None);
        }
    }
}
