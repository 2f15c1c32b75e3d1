//! Per-setup breakdown: how each SMC pattern and timeframe that opened
//! trades performed, with the same definitions as the overall trade
//! statistics.

use crate::trades::pnl_stats;
use serde::Serialize;
use smc_model::{RoundTrip, num::to_f64};
use std::collections::BTreeMap;

/// The closed trades of one setup.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetupStats {
    /// The trades' setup label (`ob:1h`, see `RoundTrip::setup_label`).
    pub setup: String,
    /// Closed round trips (at least one).
    pub trades: usize,
    /// Winners (pnl > 0) / trades.
    pub win_rate: f64,
    /// Σ pnl, quote currency.
    pub total_pnl: f64,
    /// total_pnl / trades.
    pub avg_pnl: f64,
    /// Σ pnl⁺ / |Σ pnl⁻|; `None` when the setup has no losing trade.
    pub profit_factor: Option<f64>,
}

/// One row per setup that has closed trades, sorted by setup name
/// (byte order), so the report is deterministic. Open trades are left out,
/// as in the overall statistics; a setup with only open trades has no row.
pub fn setup_stats(trades: &[RoundTrip]) -> Vec<SetupStats> {
    let mut by_setup: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for t in trades.iter().filter(|t| t.is_closed()) {
        by_setup
            .entry(t.setup_label())
            .or_default()
            .push(to_f64(t.pnl));
    }
    by_setup
        .into_iter()
        .map(|(setup, pnls)| {
            let s = pnl_stats(&pnls);
            SetupStats {
                setup,
                trades: s.trades,
                // Every group has at least one trade, so these are defined.
                win_rate: s.win_rate.unwrap_or(0.0),
                total_pnl: s.total_pnl,
                avg_pnl: s.expectancy.unwrap_or(0.0),
                profit_factor: s.profit_factor,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use smc_model::InstrumentIndex;
    use smc_model::Timestamp;
    use smc_model::TradeSide;

    fn trade(setup: &str, pnl: i64, closed: bool) -> RoundTrip {
        RoundTrip {
            instrument: InstrumentIndex::new(0),
            entry_time: Timestamp::from_ms(0),
            exit_time: closed.then_some(Timestamp::from_ms(1)),
            entry_price: Decimal::ONE,
            exit_price: None,
            size: Decimal::ONE,
            side: TradeSide::Long,
            pnl: Decimal::from(pnl),
            fees: Decimal::ZERO,
            setup: smc_model::Setup::from_label(setup),
        }
    }

    #[test]
    fn grouped_and_sorted_by_setup() {
        let trades = [
            trade("ob:1h", 10, true),
            trade("fvg:4h", -5, true),
            trade("ob:1h", -5, true),
            trade("ob:1h", 25, true),
            trade("bos:15m", 100, false),
        ];
        let s = setup_stats(&trades);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].setup, "fvg:4h");
        assert_eq!(
            (s[0].trades, s[0].win_rate, s[0].profit_factor),
            (1, 0.0, Some(0.0))
        );
        assert_eq!(s[1].setup, "ob:1h");
        assert_eq!((s[1].trades, s[1].total_pnl, s[1].avg_pnl), (3, 30.0, 10.0));
        assert_eq!(s[1].profit_factor, Some(7.0));
        assert!(setup_stats(&[]).is_empty());
    }
}
