//! Take-profit and stop-loss attached to a linear order (`takeProfit`,
//! `stopLoss`, `tpslMode=Full`, market execution on the last price), as far
//! as the shared account supports them: once the entry order has filled
//! (at once for an immediate fill, else from the next replayed candle),
//! two close-position conditional market orders are placed on the
//! position, one order list, so that one's fill expires the other (Bybit's
//! "Full" mode closes the whole position). They show as `Untriggered`
//! orders with `stopOrderType` `TakeProfit` / `StopLoss`, and as the
//! position's `takeProfit` / `stopLoss`; cancelling the unfilled entry drops
//! them. Not supported, refused with 10001: `tpslMode=Partial`, limit
//! take-profit/stop-loss (`tpOrderType`/`slOrderType=Limit`), triggers on
//! the mark or index price, take-profit/stop-loss on spot or on conditional
//! orders. If the position is closed by another order, the legs stay and
//! expire when they trigger (Bybit would cancel them with the position).

use super::envelope::BybitError;
use super::params::Params;
use super::{BybitState, Category, Extra};
use crate::account::{Account, Ctx, NewOrder};
use crate::state::lock;
use rust_decimal::Decimal;
use smc_model::{OrderKind, Side, TimeInForce};
use std::collections::BTreeMap;

/// Take-profit and stop-loss prices asked for with an order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Attached {
    pub take_profit: Option<Decimal>,
    pub stop_loss: Option<Decimal>,
}

impl Attached {
    pub fn any(&self) -> bool {
        self.take_profit.is_some() || self.stop_loss.is_some()
    }
}

fn unsupported(what: &str) -> BybitError {
    BybitError::params(format!("venue-sim does not support {what}"))
}

/// Reads and checks the take-profit/stop-loss of a new order on the side
/// `side` entering at `base` (its limit price, else the last price).
pub fn parse(
    p: &Params,
    cat: Category,
    side: Side,
    base: Decimal,
    conditional: bool,
) -> Result<Attached, BybitError> {
    let a = Attached {
        take_profit: p.decimal("takeProfit")?.filter(|x| !x.is_zero()),
        stop_loss: p.decimal("stopLoss")?.filter(|x| !x.is_zero()),
    };
    if !a.any() {
        return Ok(a);
    }
    if cat == Category::Spot {
        return Err(unsupported("takeProfit/stopLoss on spot orders"));
    }
    if conditional {
        return Err(unsupported("takeProfit/stopLoss on conditional orders"));
    }
    if p.get("tpslMode").is_some_and(|m| m != "Full") {
        return Err(unsupported("tpslMode=Partial (only Full)"));
    }
    for name in ["tpOrderType", "slOrderType"] {
        if p.get(name).is_some_and(|t| t != "Market") {
            return Err(unsupported(&format!(
                "{name}=Limit (take-profit/stop-loss execute at market)"
            )));
        }
    }
    for name in ["tpTriggerBy", "slTriggerBy"] {
        if p.get(name).is_some_and(|t| t != "LastPrice") {
            return Err(unsupported(&format!("{name} other than LastPrice")));
        }
    }
    let long = side == Side::Buy;
    if let Some(tp) = a.take_profit
        && (long && tp <= base || !long && tp >= base)
    {
        return Err(BybitError::params(format!(
            "TakeProfit:{tp} set for {} position should be {} than base_price:{base}",
            if long { "Buy" } else { "Sell" },
            if long { "higher" } else { "lower" }
        )));
    }
    if let Some(sl) = a.stop_loss
        && (long && sl >= base || !long && sl <= base)
    {
        return Err(BybitError::params(format!(
            "StopLoss:{sl} set for {} position should be {} than base_price:{base}",
            if long { "Buy" } else { "Sell" },
            if long { "lower" } else { "higher" }
        )));
    }
    Ok(a)
}

/// Places the legs of every filled entry that still waits for them.
/// Called with the account locked (`with_account`); locks the extras.
pub fn attach_filled(st: &BybitState, acct: &mut Account, ctx: &mut Ctx, next_id: &mut u64) {
    let waiting: Vec<(u64, Attached)> = {
        let extras = lock(&st.extras);
        acct.orders
            .values()
            .filter(|o| !o.executed_qty.is_zero())
            .filter_map(|o| {
                let e = extras.get(&o.order_id)?;
                (e.attached.any() && !e.legs_placed).then_some((o.order_id, e.attached))
            })
            .collect()
    };
    for (entry, attached) in waiting {
        let Some(rec) = acct.orders.get(&entry).cloned() else {
            continue;
        };
        if let Some(e) = lock(&st.extras).get_mut(&entry) {
            e.legs_placed = true;
        }
        let close = match rec.side {
            Side::Buy => Side::Sell,
            Side::Sell => Side::Buy,
        };
        let last = ctx.last_price(rec.instrument);
        // Closing a long: the take-profit fires rising, the stop falling.
        let legs = [
            (attached.take_profit, "TakeProfit", true),
            (attached.stop_loss, "StopLoss", false),
        ];
        for (price, name, profit) in legs {
            let Some(trigger) = price else { continue };
            let id = *next_id + 1;
            let kind = if profit {
                OrderKind::TakeProfit { trigger }
            } else {
                OrderKind::StopMarket { trigger }
            };
            let rising = (close == Side::Sell) == profit;
            let leg = NewOrder {
                instrument: rec.instrument,
                symbol: rec.symbol.clone(),
                side: close,
                order_type: "Market".into(),
                kind,
                tif: TimeInForce::Gtc,
                tif_str: "GTC".into(),
                qty: None,
                quote_qty: None,
                price: None,
                stop_price: Some(trigger),
                reduce_only: true,
                close_position: true,
                client_id: format!("venuesim-{id}"),
                algo: false,
                list: Some(entry),
            };
            lock(&st.extras).insert(
                id,
                Extra {
                    trigger_direction: if rising { 1 } else { 2 },
                    last_price_on_created: last,
                    stop_order_type: name.into(),
                    parent: Some(entry),
                    ..Extra::default()
                },
            );
            if acct.place(ctx, id, leg).is_ok() {
                *next_id = id;
            } else {
                lock(&st.extras).remove(&id);
            }
        }
    }
}

/// Cancels the open legs of `entry` (its unfilled entry was cancelled).
pub fn cancel_legs(st: &BybitState, acct: &mut Account, ctx: &Ctx, entry: u64) {
    let legs: Vec<u64> = {
        let extras = lock(&st.extras);
        acct.orders
            .values()
            .filter(|o| o.is_open())
            .filter(|o| {
                extras
                    .get(&o.order_id)
                    .is_some_and(|e| e.parent == Some(entry))
            })
            .map(|o| o.order_id)
            .collect()
    };
    for id in legs {
        let _ = acct.cancel(ctx, id);
    }
    if let Some(e) = lock(&st.extras).get_mut(&entry) {
        e.legs_placed = true; // nothing to attach any more
    }
}

/// The open take-profit and stop-loss of the position in `symbol`.
pub fn of_position(
    acct: &Account,
    extras: &BTreeMap<u64, Extra>,
    symbol: &str,
) -> (Decimal, Decimal) {
    let mut tp = Decimal::ZERO;
    let mut sl = Decimal::ZERO;
    for o in acct
        .orders
        .values()
        .filter(|o| o.is_open() && o.symbol == symbol)
    {
        match extras.get(&o.order_id).map(|e| e.stop_order_type.as_str()) {
            Some("TakeProfit") => tp = o.stop_price,
            Some("StopLoss") => sl = o.stop_price,
            _ => {}
        }
    }
    (tp, sl)
}

/// After every released candle: legs for the entries that filled in it.
pub async fn run(st: std::sync::Arc<BybitState>) {
    let mut steps = st.shared.steps.subscribe();
    loop {
        match steps.recv().await {
            Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
            Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
        }
        let keys: Vec<String> = lock(&st.shared.inner).keys.keys().cloned().collect();
        for key in keys {
            let _ = st.shared.with_account(
                &key,
                crate::routes::Family::Futures,
                |acct, ctx, next_id| {
                    attach_filled(&st, acct, ctx, next_id);
                    Ok(())
                },
            );
        }
    }
}
