//! Whether an intent can only reduce risk: the test every gate applies
//! before it lets an order through a halt. It follows the limits gate: an
//! order reduces risk when it is reduce-only, closes the position, or trades
//! against the open position without exceeding it.

use rust_decimal::Decimal;
use smc_model::{OrderIntent, PortfolioSnapshot, Size};

/// True when `intent` cannot add risk to the account in `portfolio`. When
/// its quantity cannot be known (no price yet, unknown instrument) the
/// answer is false: a halt refuses what it cannot prove harmless.
pub fn reduces_risk(intent: &OrderIntent, portfolio: &PortfolioSnapshot) -> bool {
    if intent.reduce_only || intent.size == Size::ClosePosition {
        return true;
    }
    let Some(pos) = portfolio.positions.get(intent.instrument.get()) else {
        return false;
    };
    if pos.qty.is_zero() {
        return false;
    }
    let opposite = pos.qty.is_sign_positive() != (intent.side.sign() > Decimal::ZERO);
    if !opposite {
        return false;
    }
    let price = intent
        .kind
        .limit_price()
        .or(intent.kind.trigger())
        .unwrap_or(pos.mark_price);
    let qty = match intent.size {
        Size::Qty(q) => q,
        Size::Notional(n) if price > Decimal::ZERO => n / price,
        Size::EquityFraction(f) if price > Decimal::ZERO => f * portfolio.equity / price,
        Size::ClosePosition => return true,
        Size::Notional(_) | Size::EquityFraction(_) => return false,
    };
    qty >= Decimal::ZERO && qty <= pos.qty.abs()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;
    use smc_model::InstrumentIndex;
    use smc_model::{PositionSnapshot, Side};

    fn long(qty: Decimal) -> PortfolioSnapshot {
        PortfolioSnapshot {
            equity: dec!(1000),
            positions: vec![PositionSnapshot {
                qty,
                mark_price: dec!(100),
                avg_price: dec!(100),
                ..Default::default()
            }],
            ..Default::default()
        }
    }

    #[test]
    fn selling_part_of_a_long_reduces_it() {
        let sell = OrderIntent::market(InstrumentIndex::new(0), Side::Sell, Size::Qty(dec!(1)));
        assert!(reduces_risk(&sell, &long(dec!(2))));
        let notional = OrderIntent::market(
            InstrumentIndex::new(0),
            Side::Sell,
            Size::Notional(dec!(200)),
        );
        assert!(reduces_risk(&notional, &long(dec!(2))));
    }

    #[test]
    fn flipping_adding_or_opening_does_not() {
        let flip = OrderIntent::market(InstrumentIndex::new(0), Side::Sell, Size::Qty(dec!(3)));
        assert!(!reduces_risk(&flip, &long(dec!(2))));
        let add = OrderIntent::market(InstrumentIndex::new(0), Side::Buy, Size::Qty(dec!(1)));
        assert!(!reduces_risk(&add, &long(dec!(2))));
        let open = OrderIntent::market(InstrumentIndex::new(0), Side::Sell, Size::Qty(dec!(1)));
        assert!(!reduces_risk(&open, &long(dec!(0))));
        let unknown = OrderIntent::market(InstrumentIndex::new(5), Side::Sell, Size::Qty(dec!(1)));
        assert!(!reduces_risk(&unknown, &long(dec!(2))));
    }

    #[test]
    fn reduce_only_and_close_always_do() {
        let ro = OrderIntent::market(InstrumentIndex::new(0), Side::Buy, Size::Qty(dec!(9)))
            .reduce_only();
        assert!(reduces_risk(&ro, &long(dec!(2))));
        let close = OrderIntent::market(InstrumentIndex::new(0), Side::Sell, Size::ClosePosition);
        assert!(reduces_risk(&close, &long(dec!(0))));
    }
}
