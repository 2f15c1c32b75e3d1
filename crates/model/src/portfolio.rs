//! What strategies and risk see of the account: cash, equity and one line
//! per position. The engine updates one snapshot in place (no allocation per
//! bar); readers get it by reference.

use crate::instrument_index::InstrumentIndex;
use crate::timestamp::Timestamp;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One instrument's position. `instrument` is the index in the engine's
/// instrument table (names stay at the edge; the hot path uses indices).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PositionSnapshot {
    pub instrument: InstrumentIndex,
    /// Signed quantity: positive long, negative short, zero flat.
    pub qty: Decimal,
    /// Average entry price of the open quantity (zero when flat).
    pub avg_price: Decimal,
    /// The last price the position was marked at.
    pub mark_price: Decimal,
    /// Realized P&L of this instrument so far, before fees.
    pub realized_pnl: Decimal,
}

impl PositionSnapshot {
    /// P&L of the open quantity at the mark price.
    pub fn unrealized_pnl(&self) -> Decimal {
        if self.qty.is_zero() {
            Decimal::ZERO
        } else {
            self.qty * (self.mark_price - self.avg_price)
        }
    }

    pub fn is_flat(&self) -> bool {
        self.qty.is_zero()
    }
}

/// The account as of `time`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PortfolioSnapshot {
    /// Epoch ms of the last mark.
    pub time: Timestamp,
    /// Spot: free quote currency. Futures: wallet balance (deposits, realized
    /// P&L, fees and funding).
    pub cash: Decimal,
    /// Cash plus the open positions valued at their marks (spot), or wallet
    /// plus unrealized P&L (futures).
    pub equity: Decimal,
    /// Initial margin held by open positions (zero for spot).
    pub margin_used: Decimal,
    /// Fees paid so far, in the quote currency.
    pub fees_paid: Decimal,
    /// Net funding paid so far (negative when received).
    pub funding_paid: Decimal,
    /// One entry per instrument of the engine, in table order.
    pub positions: Vec<PositionSnapshot>,
}

impl PortfolioSnapshot {
    /// The position of instrument `index`, if the engine trades it.
    pub fn position(&self, index: InstrumentIndex) -> Option<&PositionSnapshot> {
        self.positions.get(index.get())
    }

    /// Signed quantity held in instrument `index` (zero if unknown).
    pub fn qty(&self, index: InstrumentIndex) -> Decimal {
        self.position(index).map_or(Decimal::ZERO, |p| p.qty)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn unrealized_pnl_has_the_sign_of_the_position() {
        let long = PositionSnapshot {
            qty: dec!(2),
            avg_price: dec!(100),
            mark_price: dec!(110),
            ..Default::default()
        };
        assert_eq!(long.unrealized_pnl(), dec!(20));
        let short = PositionSnapshot {
            qty: dec!(-2),
            ..long
        };
        assert_eq!(short.unrealized_pnl(), dec!(-20));
    }
}
