//! Previous period highs and lows (the previous day's, the previous
//! week's), causally: a period's high and low become known when the period
//! closes, never before, and a level is broken when a later bar trades
//! beyond it. The reference library computes them over the whole series;
//! this is the stream a live session and the ML features can use.

use crate::bar::Bar;
use crate::event::{Kind, Lifecycle, SmcEvent};
use smc_model::{Timeframe, Timestamp};

/// The levels of the last closed period of one length.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PeriodLevel {
    /// The period's length (1d, 1w).
    pub period: Timeframe,
    /// Open time of the closed period the levels come from.
    pub time: i64,
    /// When they became known: that period's close.
    pub known_at: i64,
    pub high: f64,
    pub low: f64,
    /// A bar after the period traded above the high / below the low.
    pub high_broken: bool,
    pub low_broken: bool,
}

/// Tracks one period length.
#[derive(Debug, Clone)]
struct Tracker {
    period: Timeframe,
    /// Open time, high and low of the period in progress.
    current: Option<(i64, f64, f64)>,
    last: Option<PeriodLevel>,
}

impl Tracker {
    fn on_bar(&mut self, bar: &Bar, out: &mut Vec<SmcEvent>) {
        let start = self
            .period
            .period_start(Timestamp::from_ms(bar.open_time))
            .ms();
        match self.current {
            Some((open, high, low)) if open == start => {
                self.current = Some((open, high.max(bar.high), low.min(bar.low)));
            }
            previous => {
                if let Some((open, high, low)) = previous {
                    self.close(open, high, low, out);
                }
                self.current = Some((start, bar.high, bar.low));
            }
        }
        self.check_breaks(bar, out);
    }

    /// The period that opened at `open` closed with `high` and `low`: its
    /// levels are known from its end (the first bar of a later period
    /// shows it ended; a gap in the data does not move the time).
    fn close(&mut self, open: i64, high: f64, low: f64, out: &mut Vec<SmcEvent>) {
        let known_at = self.period.period_end(Timestamp::from_ms(open)).ms();
        let level = PeriodLevel {
            period: self.period,
            time: open,
            known_at,
            high,
            low,
            high_broken: false,
            low_broken: false,
        };
        for (kind, price) in [(Kind::PreviousHigh, high), (Kind::PreviousLow, low)] {
            out.push(self.event(&level, kind, Lifecycle::Formed, known_at, price));
        }
        self.last = Some(level);
    }

    /// Closes the period in progress if it ended at or before `now`, as a
    /// live clock would before the next bar arrives.
    fn advance_to(&mut self, now: i64, out: &mut Vec<SmcEvent>) {
        if let Some((open, high, low)) = self.current
            && self.period.period_end(Timestamp::from_ms(open)).ms() <= now
        {
            self.current = None;
            self.close(open, high, low, out);
        }
    }

    fn check_breaks(&mut self, bar: &Bar, out: &mut Vec<SmcEvent>) {
        let Some(mut level) = self.last else {
            return;
        };
        if !level.high_broken && bar.high > level.high {
            level.high_broken = true;
            let e = self.event(
                &level,
                Kind::PreviousHigh,
                Lifecycle::Broken,
                bar.close_time,
                level.high,
            );
            out.push(e);
        }
        if !level.low_broken && bar.low < level.low {
            level.low_broken = true;
            let e = self.event(
                &level,
                Kind::PreviousLow,
                Lifecycle::Broken,
                bar.close_time,
                level.low,
            );
            out.push(e);
        }
        self.last = Some(level);
    }

    fn event(
        &self,
        level: &PeriodLevel,
        kind: Kind,
        life: Lifecycle,
        known_at: i64,
        price: f64,
    ) -> SmcEvent {
        let direction = if kind == Kind::PreviousHigh { 1 } else { -1 };
        let mut e =
            SmcEvent::new(self.period, kind, life, direction, level.time, known_at).level(price);
        // From the period's open time: unique per period and side, and far
        // from the analysers' small counters on the same timeframe.
        e.id = (level.time.max(0) as u64) * 2 + u64::from(kind == Kind::PreviousLow);
        e
    }
}

/// The previous-period levels of several period lengths, fed base bars.
#[derive(Debug, Clone, Default)]
pub struct PeriodLevels {
    trackers: Vec<Tracker>,
}

impl PeriodLevels {
    /// Levels of each of `periods` (e.g. 1d and 1w).
    pub fn new(periods: &[Timeframe]) -> Self {
        let mut periods = periods.to_vec();
        periods.sort();
        periods.dedup();
        PeriodLevels {
            trackers: periods
                .into_iter()
                .map(|period| Tracker {
                    period,
                    current: None,
                    last: None,
                })
                .collect(),
        }
    }

    /// Processes one closed base bar.
    #[inline]
    pub fn on_bar(&mut self, bar: &Bar, out: &mut Vec<SmcEvent>) {
        for t in &mut self.trackers {
            t.on_bar(bar, out);
        }
    }

    /// Closes every period that ended at or before `now` (epoch ms).
    pub fn advance_to(&mut self, now: i64, out: &mut Vec<SmcEvent>) {
        for t in &mut self.trackers {
            t.advance_to(now, out);
        }
    }

    /// The last closed period's levels of length `period`, if one closed.
    pub fn last(&self, period: Timeframe) -> Option<&PeriodLevel> {
        self.trackers
            .iter()
            .find(|t| t.period == period)
            .and_then(|t| t.last.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;

    fn bar(hour: i64, high: f64, low: f64) -> Bar {
        Bar {
            open_time: hour * H,
            close_time: (hour + 1) * H,
            open: low,
            high,
            low,
            close: high,
            volume: 1.0,
        }
    }

    #[test]
    fn a_day_is_known_at_its_close_and_broken_by_a_later_bar() {
        let mut levels = PeriodLevels::new(&[Timeframe::D1]);
        let mut out = Vec::new();
        for h in 0..24 {
            levels.on_bar(&bar(h, 10.0 + h as f64, 5.0), &mut out);
        }
        assert!(out.is_empty(), "nothing known before the day closes");
        assert_eq!(levels.last(Timeframe::D1), None);
        levels.on_bar(&bar(24, 20.0, 6.0), &mut out);
        let formed: Vec<_> = out
            .iter()
            .filter(|e| e.event == Lifecycle::Formed)
            .collect();
        assert_eq!(formed.len(), 2);
        assert!(formed.iter().all(|e| e.known_at == 24 * H && e.time == 0));
        assert_eq!(formed[0].level, Some(33.0));
        assert_eq!(formed[1].level, Some(5.0));
        assert!(!out.iter().any(|e| e.event == Lifecycle::Broken));
        levels.on_bar(&bar(25, 34.0, 4.0), &mut out);
        let broken: Vec<_> = out
            .iter()
            .filter(|e| e.event == Lifecycle::Broken)
            .collect();
        assert_eq!(broken.len(), 2);
        assert!(broken.iter().all(|e| e.known_at == 26 * H));
        let last = levels
            .last(Timeframe::D1)
            .copied()
            .unwrap_or_else(|| panic!("a day closed"));
        assert!(last.high_broken && last.low_broken);
        // Broken once only.
        out.clear();
        levels.on_bar(&bar(26, 40.0, 1.0), &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn weeks_close_on_monday_across_a_gap() {
        let mut levels = PeriodLevels::new(&[Timeframe::W1, Timeframe::D1]);
        let mut out = Vec::new();
        // 1970-01-05 is a Monday: hour 96.
        levels.on_bar(&bar(96, 10.0, 9.0), &mut out);
        levels.on_bar(&bar(96 + 24 * 9, 11.0, 8.0), &mut out);
        let week = levels
            .last(Timeframe::W1)
            .copied()
            .unwrap_or_else(|| panic!("a week closed"));
        assert_eq!((week.time, week.known_at), (96 * H, (96 + 24 * 7) * H));
        assert_eq!((week.high, week.low), (10.0, 9.0));
        assert!(week.high_broken && week.low_broken);
    }
}
