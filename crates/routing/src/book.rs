//! The side of a book an order takes liquidity from (asks for a buy, bids
//! for a sell), best price first, and the depth-weighted price of a size.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Prices, quantities and caps the router accepts are below this (10¹⁵):
/// products and sums of such values stay far inside `Decimal`'s range.
pub const MAX_VALUE: Decimal = Decimal::from_parts(0xA4C6_8000, 0x38D7E, 0, false, 0);

/// A price level: price and the quantity resting there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Level {
    pub price: Decimal,
    pub qty: Decimal,
}

/// Levels best first: ascending prices for asks, descending for bids.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookSide {
    pub levels: Vec<Level>,
}

/// The result of walking a book for a size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sweep {
    /// How much the book holds of the size (≤ the size asked).
    pub qty: Decimal,
    /// Price × quantity summed over the levels taken.
    pub notional: Decimal,
}

impl Sweep {
    /// The depth-weighted average price; `None` when nothing was taken.
    pub fn avg_price(&self) -> Option<Decimal> {
        (!self.qty.is_zero()).then(|| self.notional / self.qty)
    }
}

impl BookSide {
    pub fn new(levels: Vec<Level>) -> Self {
        BookSide { levels }
    }

    /// The best price, if any.
    pub fn best(&self) -> Option<Decimal> {
        self.levels.first().map(|l| l.price)
    }

    /// Takes `qty` from the best level down, stopping at `limit` (levels
    /// priced worse than it are not taken; `is_buy` says which way worse is).
    pub fn sweep(&self, qty: Decimal, limit: Option<Decimal>, is_buy: bool) -> Sweep {
        let mut left = qty;
        let mut notional = Decimal::ZERO;
        for level in &self.levels {
            if left <= Decimal::ZERO {
                break;
            }
            if let Some(limit) = limit {
                let worse = if is_buy {
                    level.price > limit
                } else {
                    level.price < limit
                };
                if worse {
                    break;
                }
            }
            let take = left.min(level.qty.max(Decimal::ZERO));
            notional += take * level.price;
            left -= take;
        }
        Sweep {
            qty: qty - left.max(Decimal::ZERO),
            notional,
        }
    }

    /// Whether the levels are ordered best first and every price and
    /// quantity is positive and below [`MAX_VALUE`] (a book that is not is
    /// refused by the router, so a garbled message cannot overflow its sums).
    pub fn is_well_formed(&self, is_buy: bool) -> bool {
        let sane = |d: Decimal| d > Decimal::ZERO && d < MAX_VALUE;
        self.levels.iter().all(|l| sane(l.qty) && sane(l.price))
            && self.levels.windows(2).all(|w| {
                if is_buy {
                    w[0].price < w[1].price
                } else {
                    w[0].price > w[1].price
                }
            })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use rust_decimal::dec;

    fn asks() -> BookSide {
        BookSide::new(vec![
            Level {
                price: dec!(100),
                qty: dec!(1),
            },
            Level {
                price: dec!(101),
                qty: dec!(2),
            },
        ])
    }

    #[test]
    fn a_sweep_weights_each_level_by_what_it_gives() {
        let s = asks().sweep(dec!(2), None, true);
        assert_eq!(s.qty, dec!(2));
        assert_eq!(s.avg_price().unwrap(), dec!(100.5));
    }

    #[test]
    fn a_sweep_stops_at_the_limit_and_at_the_end_of_the_book() {
        assert_eq!(asks().sweep(dec!(2), Some(dec!(100)), true).qty, dec!(1));
        assert_eq!(asks().sweep(dec!(5), None, true).qty, dec!(3));
        assert_eq!(
            BookSide::default().sweep(dec!(1), None, true).avg_price(),
            None
        );
    }

    #[test]
    fn a_book_out_of_order_or_of_range_is_not_well_formed() {
        assert_eq!(MAX_VALUE, Decimal::from(1_000_000_000_000_000_i64));
        assert!(asks().is_well_formed(true));
        assert!(!asks().is_well_formed(false));
        let huge = BookSide::new(vec![Level {
            price: Decimal::MAX,
            qty: dec!(1),
        }]);
        assert!(!huge.is_well_formed(true));
    }
}
