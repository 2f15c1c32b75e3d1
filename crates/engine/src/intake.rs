//! Turning an approved intent into an order: the instrument's rounding (the
//! one place prices and fixed quantities are rounded), the time-in-force
//! rules that can be checked before the venue sees the order, and the
//! eligibility time from the latency model.

use rust_decimal::Decimal;
use smc_matching::Order;
use smc_model::Timestamp;
use smc_model::{
    ClientOrderId, Instrument, OrderIntent, OrderKind, OrderRequest, Side, Size, TimeInForce,
};

/// Why an intent cannot become an order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IntakeError {
    #[error("no instrument with index {0}")]
    UnknownInstrument(usize),
    #[error("size must be positive, got {0:?}")]
    BadSize(Size),
    #[error("{tif:?} applies to market and limit orders, not {kind:?}")]
    TifKind { tif: TimeInForce, kind: OrderKind },
    #[error("post-only needs a limit order, not {0:?}")]
    PostOnlyKind(OrderKind),
    #[error(transparent)]
    Instrument(#[from] smc_model::InstrumentError),
}

/// Builds the order for `intent`, decided at `decided_at`, eligible from
/// `eligible_at`. `reference` is the last close, for the minimum-notional
/// check of fixed quantities.
pub fn order_from_intent(
    intent: OrderIntent,
    client_id: ClientOrderId,
    instrument: &Instrument,
    reference: Decimal,
    decided_at: Timestamp,
    eligible_at: Timestamp,
) -> Result<Order, IntakeError> {
    let spec = &instrument.spec;
    let buy = intent.side == Side::Buy;
    let positive = match intent.size {
        Size::Qty(q) | Size::Notional(q) | Size::EquityFraction(q) => q > Decimal::ZERO,
        Size::ClosePosition => true,
    };
    if !positive {
        return Err(IntakeError::BadSize(intent.size));
    }
    let kind = match intent.kind {
        OrderKind::Market => OrderKind::Market,
        OrderKind::Limit { price } => OrderKind::Limit {
            price: spec.round_price(price, buy)?,
        },
        OrderKind::StopMarket { trigger } => OrderKind::StopMarket {
            trigger: spec.round_price(trigger, buy)?,
        },
        OrderKind::StopLimit { trigger, price } => OrderKind::StopLimit {
            trigger: spec.round_price(trigger, buy)?,
            price: spec.round_price(price, buy)?,
        },
        OrderKind::TakeProfit { trigger } => OrderKind::TakeProfit {
            trigger: spec.round_price(trigger, buy)?,
        },
    };
    match (intent.time_in_force, kind) {
        (TimeInForce::PostOnly, OrderKind::Limit { .. }) => {}
        (TimeInForce::PostOnly, k) => return Err(IntakeError::PostOnlyKind(k)),
        (tif @ (TimeInForce::Ioc | TimeInForce::Fok), k)
            if !matches!(k, OrderKind::Market | OrderKind::Limit { .. }) =>
        {
            return Err(IntakeError::TifKind { tif, kind: k });
        }
        _ => {}
    }
    let qty = match intent.size {
        Size::Qty(q) => Some(spec.round_qty(q, kind.limit_price().unwrap_or(reference))?),
        _ => None,
    };
    // Protective legs sit on the other side of the book.
    let exit_buy = !buy;
    let stop_loss = intent
        .stop_loss
        .map(|p| spec.round_price(p, exit_buy))
        .transpose()?;
    let take_profit = intent
        .take_profit
        .map(|p| spec.round_price(p, exit_buy))
        .transpose()?;
    let request = OrderRequest {
        client_id,
        instrument: instrument.id.clone(),
        side: intent.side,
        qty: qty.unwrap_or(Decimal::ZERO),
        kind,
        time_in_force: intent.time_in_force,
        reduce_only: intent.reduce_only,
    };
    let mut order = Order::new(
        request,
        intent.instrument,
        intent.size,
        decided_at,
        eligible_at,
    );
    order.stop_loss = stop_loss;
    order.take_profit = take_profit;
    order.setup = intent.setup;
    Ok(order)
}
