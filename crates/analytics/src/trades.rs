//! Win/loss statistics of round trips (`smc_model::RoundTrip`, which the
//! engine's trade ledger builds).
//!
//! Only closed round trips (`exit_time` set) are counted: an open trade's
//! P&L is a mark, not an outcome. Open trades still count for exposure.

use crate::curve::finite;
use serde::Serialize;
use smc_model::stats;
use smc_model::{RoundTrip, num::to_f64};

/// Win/loss statistics of a set of closed trades' P&L.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TradeStats {
    /// Closed round trips.
    pub trades: usize,
    /// Winners / trades (pnl > 0 wins; pnl = 0 counts as a trade, neither
    /// win nor loss). `None` with no trades.
    pub win_rate: Option<f64>,
    /// Gross profit / gross loss = Σ pnl⁺ / |Σ pnl⁻|. `None` when there is
    /// no losing trade (0/0 or +∞; read `win_rate` to tell which).
    pub profit_factor: Option<f64>,
    /// Mean P&L per trade (quote currency). `None` with no trades.
    pub expectancy: Option<f64>,
    /// Mean P&L of the winners (positive). `None` with no winner.
    pub avg_win: Option<f64>,
    /// Mean P&L of the losers, a negative number, so that
    /// expectancy = win_rate · avg_win + loss_rate · avg_loss. `None` with
    /// no loser.
    pub avg_loss: Option<f64>,
    /// Σ pnl (quote currency); 0 with no trades.
    pub total_pnl: f64,
}

/// Statistics of the closed trades among `trades`.
pub fn trade_stats(trades: &[RoundTrip]) -> TradeStats {
    let pnls: Vec<f64> = trades
        .iter()
        .filter(|t| t.is_closed())
        .map(|t| to_f64(t.pnl))
        .collect();
    pnl_stats(&pnls)
}

/// [`TradeStats`] of a list of per-trade P&L (every entry a closed trade).
pub fn pnl_stats(pnls: &[f64]) -> TradeStats {
    let wins: Vec<f64> = pnls.iter().copied().filter(|p| *p > 0.0).collect();
    let losses: Vec<f64> = pnls.iter().copied().filter(|p| *p < 0.0).collect();
    let gross_profit = stats::sum(wins.iter().copied());
    let gross_loss = -stats::sum(losses.iter().copied());
    let n = pnls.len();
    TradeStats {
        trades: n,
        win_rate: (n > 0).then(|| wins.len() as f64 / n as f64),
        profit_factor: if losses.is_empty() {
            None
        } else {
            finite(gross_profit / gross_loss)
        },
        expectancy: stats::mean(pnls).and_then(finite),
        avg_win: stats::mean(&wins).and_then(finite),
        avg_loss: stats::mean(&losses).and_then(finite),
        total_pnl: stats::sum(pnls.iter().copied()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use smc_model::InstrumentIndex;
    use smc_model::Timestamp;
    use smc_model::TradeSide;

    #[test]
    fn wins_losses_and_breakeven() {
        let s = pnl_stats(&[30.0, -10.0, 0.0, 20.0, -30.0]);
        assert_eq!(s.trades, 5);
        assert_eq!(s.win_rate, Some(0.4));
        assert_eq!(s.profit_factor, Some(50.0 / 40.0));
        assert_eq!(s.expectancy, Some(2.0));
        assert_eq!(s.avg_win, Some(25.0));
        assert_eq!(s.avg_loss, Some(-20.0));
        assert_eq!(s.total_pnl, 10.0);
    }

    #[test]
    fn no_trades_and_no_losers() {
        let none = pnl_stats(&[]);
        assert_eq!(none.trades, 0);
        assert_eq!(
            (none.win_rate, none.profit_factor, none.expectancy),
            (None, None, None)
        );
        assert_eq!(
            (none.avg_win, none.avg_loss, none.total_pnl),
            (None, None, 0.0)
        );
        let all_wins = pnl_stats(&[1.0, 2.0]);
        assert_eq!(all_wins.profit_factor, None);
        assert_eq!(all_wins.win_rate, Some(1.0));
        assert_eq!(all_wins.avg_loss, None);
        let all_flat = pnl_stats(&[0.0, 0.0]);
        assert_eq!(
            (all_flat.win_rate, all_flat.profit_factor),
            (Some(0.0), None)
        );
    }

    #[test]
    fn open_trades_are_not_counted() {
        let t = |exit: Option<i64>, pnl: i64| RoundTrip {
            instrument: InstrumentIndex::new(0),
            entry_time: Timestamp::from_ms(0),
            exit_time: exit.map(Timestamp::from_ms),
            entry_price: Decimal::ONE,
            exit_price: exit.map(|_| Decimal::ONE),
            size: Decimal::ONE,
            side: TradeSide::Long,
            pnl: Decimal::from(pnl),
            fees: Decimal::ZERO,
            setup: smc_model::Setup::from_label("ob:1h"),
        };
        let s = trade_stats(&[t(Some(5), 10), t(None, -100)]);
        assert_eq!(
            (s.trades, s.profit_factor, s.expectancy),
            (1, None, Some(10.0))
        );
    }
}
