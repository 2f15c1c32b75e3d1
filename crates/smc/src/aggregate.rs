//! Higher-timeframe bars built from base bars as they stream in, for the
//! multi-timeframe view: the same periods, gap handling and prices as
//! `smc_data::Resampler`, but a push hands back the (at most two) bars it
//! completes by value, so the hot path of every base candle neither goes
//! through a vector nor recomputes the open period's end.

use crate::bar::Bar;
use smc_data::Aggregate;
use smc_model::{Timeframe, Timestamp};

/// One target timeframe's bar in progress.
#[derive(Debug, Clone)]
pub struct Aggregator {
    source_ms: i64,
    target: Timeframe,
    target_ms: i64,
    /// The open period's bar and its end (exclusive), if one is open.
    current: Option<(Bar, i64)>,
}

/// The bars one base bar completes: first a period a gap left incomplete,
/// then the period this bar ends.
pub type Completed = (Option<Bar>, Option<Bar>);

impl Aggregator {
    pub fn new(source: Timeframe, target: Timeframe) -> Self {
        Aggregator {
            source_ms: source.duration_ms(),
            target,
            target_ms: target.duration_ms(),
            current: None,
        }
    }

    /// Closes the open period if `now` (epoch ms) is at or past its end.
    #[inline]
    pub fn advance_to(&mut self, now: i64) -> Option<Bar> {
        match self.current {
            Some((bar, end)) if now >= end => {
                self.current = None;
                Some(bar)
            }
            _ => None,
        }
    }

    /// Adds a closed base bar.
    #[inline]
    pub fn push(&mut self, bar: &Bar) -> Completed {
        // Most base bars fall inside the open period and do not end it.
        if let Some((acc, end)) = &mut self.current
            && bar.open_time + self.source_ms < *end
            && bar.open_time < *end
        {
            acc.absorb(bar);
            return (None, None);
        }
        let gap = self.advance_to(bar.open_time);
        match &mut self.current {
            Some((acc, _)) => acc.absorb(bar),
            None => {
                let start = self
                    .target
                    .period_start(Timestamp::from_ms(bar.open_time))
                    .ms();
                let opened = bar.opening_at(start, self.target_ms);
                self.current = Some((opened, opened.open_time + self.target_ms));
            }
        }
        (gap, self.advance_to(bar.open_time + self.source_ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use smc_data::Resampler;

    fn bar(minute: i64, price: f64) -> Bar {
        Bar {
            open_time: minute * 60_000,
            close_time: (minute + 1) * 60_000,
            open: price,
            high: price + 1.0,
            low: price - 1.0,
            close: price + 0.5,
            volume: 2.0,
        }
    }

    #[test]
    fn completes_the_same_bars_as_the_resampler_across_gaps() {
        let minutes = [0, 1, 2, 3, 4, 5, 7, 9, 10, 16, 17, 18, 19, 25, 26, 40, 44];
        let mut reference = Resampler::<Bar>::new(Timeframe::M1, Timeframe::M5);
        let mut ours = Aggregator::new(Timeframe::M1, Timeframe::M5);
        let (mut want, mut got) = (Vec::new(), Vec::new());
        for (k, &m) in minutes.iter().enumerate() {
            let b = bar(m, 100.0 + k as f64);
            reference.push(&b, &mut want);
            let (gap, done) = ours.push(&b);
            got.extend(gap);
            got.extend(done);
        }
        want.extend(reference.advance_to(50 * 60_000));
        got.extend(ours.advance_to(50 * 60_000));
        assert_eq!(got, want);
        assert_eq!(got.len(), 6);
    }
}
