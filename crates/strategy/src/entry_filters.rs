//! Optional conditions on the `smc` strategy's entries, all off by default:
//! the decision must fall in one of the configured kill zones, and a
//! liquidity sweep against the bias (a stop hunt: sell-side liquidity taken
//! before a long) must have happened within the last N entry candles.

use crate::kill_zone::{KillZone, in_kill_zone};
use smc_analysis::{Kind, SmcEvent};
use smc_model::{NoTradeReason, Timeframe};

/// The filters and what they remember.
#[derive(Debug, Clone, Default)]
pub struct EntryFilters {
    kill_zones: Vec<KillZone>,
    require_sweep_bars: Option<usize>,
    /// Entry candles seen.
    bars: usize,
    /// The latest sweep's direction (1: buy-side liquidity above was
    /// taken, -1: sell-side below) and the candle it was seen on.
    last_sweep: Option<(i8, usize)>,
}

impl EntryFilters {
    pub fn new(kill_zones: Vec<KillZone>, require_sweep_bars: Option<usize>) -> Self {
        EntryFilters {
            kill_zones,
            require_sweep_bars,
            ..EntryFilters::default()
        }
    }

    /// Notes one entry candle's events (`base` is the entry timeframe).
    pub fn observe(&mut self, events: &[SmcEvent], base: Timeframe) {
        self.bars += 1;
        let latest = events
            .iter()
            .rev()
            .find(|e| e.timeframe == base && e.kind == Kind::Sweep);
        if let Some(e) = latest {
            self.last_sweep = Some((e.direction, self.bars));
        }
    }

    /// Why an entry in the `bias` direction decided at `now_ms` is not
    /// taken, if a filter says so.
    pub fn refuse(&self, bias: i8, now_ms: i64) -> Option<NoTradeReason> {
        if !in_kill_zone(&self.kill_zones, now_ms) {
            return Some(NoTradeReason::OutsideKillZone);
        }
        let window = self.require_sweep_bars?;
        // A long wants the lows swept (direction -1) first, a short the highs.
        let swept = self
            .last_sweep
            .is_some_and(|(d, at)| d == -bias && self.bars - at < window.max(1));
        (!swept).then_some(NoTradeReason::NoRecentSweep)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use smc_analysis::Lifecycle;

    fn sweep(direction: i8) -> SmcEvent {
        SmcEvent::new(
            Timeframe::M1,
            Kind::Sweep,
            Lifecycle::Formed,
            direction,
            0,
            60_000,
        )
    }

    #[test]
    fn a_long_needs_the_lows_swept_within_the_window() {
        let mut f = EntryFilters::new(Vec::new(), Some(3));
        f.observe(&[], Timeframe::M1);
        assert_eq!(f.refuse(1, 0), Some(NoTradeReason::NoRecentSweep));
        f.observe(&[sweep(1)], Timeframe::M1);
        assert_eq!(
            f.refuse(1, 0),
            Some(NoTradeReason::NoRecentSweep),
            "highs swept: for shorts"
        );
        assert_eq!(f.refuse(-1, 0), None);
        f.observe(&[sweep(-1)], Timeframe::M1);
        assert_eq!(f.refuse(1, 0), None);
        f.observe(&[], Timeframe::M1);
        f.observe(&[], Timeframe::M1);
        assert_eq!(f.refuse(1, 0), None, "two candles later: still within 3");
        f.observe(&[], Timeframe::M1);
        assert_eq!(
            f.refuse(1, 0),
            Some(NoTradeReason::NoRecentSweep),
            "three later: too old"
        );
    }

    #[test]
    fn kill_zones_refuse_outside_their_hours() {
        let f = EntryFilters::new(vec![KillZone::NewYork], None);
        assert_eq!(f.refuse(1, 12 * 3_600_000), None);
        assert_eq!(
            f.refuse(1, 20 * 3_600_000),
            Some(NoTradeReason::OutsideKillZone)
        );
        assert_eq!(EntryFilters::default().refuse(1, 20 * 3_600_000), None);
    }
}
