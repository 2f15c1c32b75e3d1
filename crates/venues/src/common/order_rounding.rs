//! The venue-neutral half of fitting an order to a symbol's rules: every
//! price it states (limit, trigger) onto the tick and inside the symbol's
//! price band, and its quantity onto the lot, checked for the minimum
//! notional at the price the order states. What each venue adds (its
//! quantity caps, its error wording) stays in its own `round_order`.

use rust_decimal::Decimal;
use smc_model::{InstrumentError, InstrumentSpec, OrderKind, OrderRequest, Side};

/// Why an order could not be fitted to the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RoundRefusal {
    /// The model's rounding refused a price or the quantity.
    Rounding(InstrumentError),
    /// A rounded price fell outside `[min, max]` (a zero bound is none).
    PriceOutside {
        price: Decimal,
        min: Decimal,
        max: Decimal,
    },
}

/// `order`'s kind with its prices rounded (buys down, sells up, as the
/// model does) and its rounded quantity.
pub(crate) fn round_kind_and_qty(
    spec: &InstrumentSpec,
    min_price: Decimal,
    max_price: Decimal,
    order: &OrderRequest,
) -> Result<(OrderKind, Decimal), RoundRefusal> {
    let buy = order.side == Side::Buy;
    let price = |p: Decimal| -> Result<Decimal, RoundRefusal> {
        let r = spec.round_price(p, buy).map_err(RoundRefusal::Rounding)?;
        let below = !min_price.is_zero() && r < min_price;
        let above = !max_price.is_zero() && r > max_price;
        if below || above {
            return Err(RoundRefusal::PriceOutside {
                price: r,
                min: min_price,
                max: max_price,
            });
        }
        Ok(r)
    };
    let kind = match order.kind {
        OrderKind::Market => OrderKind::Market,
        OrderKind::Limit { price: p } => OrderKind::Limit { price: price(p)? },
        OrderKind::StopMarket { trigger } => OrderKind::StopMarket {
            trigger: price(trigger)?,
        },
        OrderKind::StopLimit { trigger, price: p } => OrderKind::StopLimit {
            trigger: price(trigger)?,
            price: price(p)?,
        },
        OrderKind::TakeProfit { trigger } => OrderKind::TakeProfit {
            trigger: price(trigger)?,
        },
    };
    // The notional is checked at the price the order states; a market
    // order states none, so only its lot and minimum quantity are checked.
    let qty = match kind.limit_price().or(kind.trigger()) {
        Some(p) => spec.round_qty(order.qty, p),
        None => InstrumentSpec {
            min_notional: Decimal::ZERO,
            ..*spec
        }
        .round_qty(order.qty, Decimal::ONE),
    }
    .map_err(RoundRefusal::Rounding)?;
    Ok((kind, qty))
}
