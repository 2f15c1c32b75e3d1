//! A round trip: a position from flat back to flat (a flip closes one and
//! opens the next). The engine's trade ledger builds them from fills; the
//! analytics, the optimiser and the reports read them. Prices are
//! quantity-weighted averages; `pnl` is net of both legs' fees.

use crate::instrument_index::InstrumentIndex;
use crate::setup::Setup;
use crate::timestamp::Timestamp;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Long or short.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TradeSide {
    Long,
    Short,
}

/// One round trip. An open one has no exit; its `pnl` is marked at the
/// last close, net of the fees paid so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundTrip {
    /// Index of the instrument in the engine's table.
    pub instrument: InstrumentIndex,
    pub side: TradeSide,
    /// Open time of the bar whose price filled the entry (epoch ms).
    pub entry_time: Timestamp,
    /// Of the exit; `None` while the trade is open.
    pub exit_time: Option<Timestamp>,
    pub entry_price: Decimal,
    pub exit_price: Option<Decimal>,
    /// Total quantity entered (positive).
    pub size: Decimal,
    /// Realized P&L net of all fees, in the quote currency.
    pub pnl: Decimal,
    /// Fees of both legs, in the quote currency.
    pub fees: Decimal,
    /// The pattern and timeframe that opened the trade.
    pub setup: Option<Setup>,
}

impl RoundTrip {
    /// Closed when it has an exit time.
    pub fn is_closed(&self) -> bool {
        self.exit_time.is_some()
    }

    /// The setup as reports group by it: `pattern:timeframe` (`ob:1h`),
    /// the pattern alone without a timeframe, or `none`.
    pub fn setup_label(&self) -> String {
        match &self.setup {
            None => "none".to_string(),
            Some(s) => match s.timeframe {
                Some(tf) => format!("{}:{tf}", s.pattern),
                None => s.pattern.to_string(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeframe::Timeframe;

    #[test]
    fn the_setup_label_names_pattern_and_timeframe() {
        let mut t = RoundTrip {
            instrument: InstrumentIndex::new(0),
            side: TradeSide::Long,
            entry_time: Timestamp::from_ms(0),
            exit_time: None,
            entry_price: Decimal::ONE,
            exit_price: None,
            size: Decimal::ONE,
            pnl: Decimal::ZERO,
            fees: Decimal::ZERO,
            setup: None,
        };
        assert_eq!(t.setup_label(), "none");
        t.setup = Some(Setup::fixed("ob", Some(Timeframe::H1)));
        assert_eq!(t.setup_label(), "ob:1h");
        t.setup = Some(Setup::fixed("cross", None));
        assert_eq!(t.setup_label(), "cross");
        assert!(!t.is_closed());
    }
}
