//! OANDA order records (`GET …/orders/{spec}`, `…/pendingOrders`,
//! `…/orders`) and the answer of `POST …/orders`, to the shared order
//! view and an [`OrderOutcome`].
//!
//! An order's `state` is `PENDING` (resting: `Submitted`), `FILLED`,
//! `TRIGGERED` (a dependent order that fired: treated as filled) or
//! `CANCELLED` (v20.yaml `OrderState`). OANDA fills an order whole or
//! cancels what is left, so a filled order's filled quantity is its units.

use super::error::ParseError;
use super::instruments::VENUE;
use super::time::time_ms;
use super::transactions::{RawExtensions, RawTransaction};
use crate::binance::parse_util::{dec, from_json};
use crate::execution::{OrderOutcome, VenueOrder};
use rust_decimal::Decimal;
use serde::Deserialize;
use smc_model::{ClientOrderId, InstrumentId, OrderStatus};

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct RawOrder {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    state: String,
    instrument: Option<String>,
    units: Option<String>,
    client_extensions: Option<RawExtensions>,
    create_time: Option<String>,
    filled_time: Option<String>,
    cancelled_time: Option<String>,
    cancelling_transaction_id: Option<String>,
}

const W: &str = "order";

fn order_of(r: &RawOrder, i: usize) -> Result<VenueOrder, ParseError> {
    let field = |f: &str| format!("orders[{i}].{f}");
    let status = match r.state.as_str() {
        "PENDING" => OrderStatus::Submitted,
        "FILLED" | "TRIGGERED" => OrderStatus::Filled,
        "CANCELLED" => OrderStatus::Cancelled,
        other => {
            tracing::warn!(state = other, id = %r.id, "unknown OANDA order state");
            OrderStatus::Unknown
        }
    };
    let units = match r.units.as_deref() {
        None | Some("") => Decimal::ZERO,
        Some(u) => dec(W, &field("units"), u)?.abs(),
    };
    let instrument = InstrumentId::new(VENUE, r.instrument.as_deref().unwrap_or("UNKNOWN"))
        .map_err(|e| ParseError::Field {
            what: W,
            field: field("instrument"),
            detail: e.to_string(),
        })?;
    let time = r
        .cancelled_time
        .as_deref()
        .or(r.filled_time.as_deref())
        .or(r.create_time.as_deref());
    let time = match time {
        Some(t) => time_ms(W, &field("time"), t)?,
        None => 0,
    };
    let _ = (&r.kind, &r.cancelling_transaction_id);
    Ok(VenueOrder {
        client_id: ClientOrderId::new(
            r.client_extensions
                .as_ref()
                .and_then(|e| e.id.clone())
                .unwrap_or_default(),
        ),
        instrument,
        venue_order_id: r.id.clone(),
        status,
        orig_qty: units,
        filled_qty: if status == OrderStatus::Filled {
            units
        } else {
            Decimal::ZERO
        },
        fills: Vec::new(),
        reject_reason: None,
        time,
    })
}

#[derive(Deserialize)]
struct OneAnswer {
    order: RawOrder,
}

#[derive(Deserialize)]
struct ListAnswer {
    orders: Vec<RawOrder>,
}

/// `GET …/orders/{spec}`.
pub fn parse_order(body: &str) -> Result<VenueOrder, ParseError> {
    let a: OneAnswer = from_json(W, body)?;
    order_of(&a.order, 0)
}

/// `GET …/pendingOrders` or `GET …/orders`.
pub fn parse_orders(body: &str) -> Result<Vec<VenueOrder>, ParseError> {
    let a: ListAnswer = from_json("orders", body)?;
    a.orders
        .iter()
        .enumerate()
        .map(|(i, r)| order_of(r, i))
        .collect()
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct CreateAnswer {
    order_create_transaction: Option<RawTransaction>,
    order_fill_transaction: Option<RawTransaction>,
    order_cancel_transaction: Option<RawTransaction>,
    order_reject_transaction: Option<RawTransaction>,
    error_code: Option<String>,
    error_message: Option<String>,
}

/// The answer of `POST …/orders` (any status) for `client_id`: accepted
/// (resting, filled, or cancelled by OANDA at once with its reason), or
/// rejected (`orderRejectTransaction`). `None` when it is neither (an
/// error answer without a reject transaction: the caller reads it as an
/// API error).
pub fn parse_create(
    client_id: &ClientOrderId,
    instrument: &InstrumentId,
    body: &str,
) -> Result<Option<OrderOutcome>, ParseError> {
    let a: CreateAnswer = from_json("order create", body)?;
    if let Some(rej) = &a.order_reject_transaction {
        let reason = rej
            .reject_reason
            .clone()
            .or(a.error_code.clone())
            .unwrap_or_else(|| "REJECTED".into());
        let message = a.error_message.unwrap_or_default();
        return Ok(Some(OrderOutcome::Rejected {
            client_id: client_id.clone(),
            code: -400,
            reason: if message.is_empty() {
                reason
            } else {
                format!("{reason}: {message}")
            },
        }));
    }
    let Some(created) = &a.order_create_transaction else {
        return Ok(None);
    };
    let mut order = match created.update()? {
        Some(u) => u.order,
        None => return Ok(None),
    };
    order.client_id = client_id.clone();
    order.instrument = instrument.clone();
    if let Some(fill) = &a.order_fill_transaction {
        let mut f = fill.fill()?;
        f.client_id = client_id.clone();
        order.status = OrderStatus::Filled;
        order.filled_qty = f.qty;
        order.time = f.time.ms();
        order.fills.push(f);
    }
    if let Some(cancel) = &a.order_cancel_transaction
        && let Some(u) = cancel.update()?
    {
        // Filled in part and the rest cancelled (IOC), or not at all.
        order.status = if order.fills.is_empty() {
            u.order.status
        } else {
            OrderStatus::PartiallyFilled
        };
        if order.fills.is_empty() {
            order.reject_reason = u.order.reject_reason.or(cancel.reason.clone());
        }
        order.time = order.time.max(u.order.time);
    }
    if order.status == OrderStatus::PartiallyFilled && order.filled_qty >= order.orig_qty {
        order.status = OrderStatus::Filled;
    }
    Ok(Some(OrderOutcome::Accepted(order)))
}
