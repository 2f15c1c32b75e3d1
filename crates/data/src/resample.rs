//! Aggregates candles into a higher timeframe whose periods are aligned to
//! UTC (see [`Timeframe::period_start`]). Open is the first open, high the
//! maximum, low the minimum, close the last close and volume the sum; empty
//! periods produce no candle.
//!
//! The streaming [`Resampler`] emits a higher-timeframe candle as soon as it
//! is complete: when a source candle whose close reaches the period's end
//! has been pushed, or when time (a later candle, or the clock) passes the
//! period's end. A period still open at the end of the data yields nothing,
//! so a live run never sees a candle before it closes.

use smc_model::Timestamp;
use smc_model::{Candle, Timeframe};

/// A bar that can be aggregated into a longer period: exact candles here,
/// and the analysis crate's `f64` bars, which it resamples without decimal
/// arithmetic on its hot path.
pub trait Aggregate: Copy {
    /// Open time, epoch ms.
    fn open_time(&self) -> i64;
    /// This bar as the first of a period opening at `start` and lasting
    /// `duration_ms`.
    fn opening_at(&self, start: i64, duration_ms: i64) -> Self;
    /// Extends the period's bar with the next bar of the period.
    fn absorb(&mut self, next: &Self);
}

impl Aggregate for Candle {
    fn open_time(&self) -> i64 {
        self.open_time.ms()
    }

    fn opening_at(&self, start: i64, _duration_ms: i64) -> Self {
        Candle {
            open_time: Timestamp::from_ms(start),
            ..*self
        }
    }

    fn absorb(&mut self, next: &Self) {
        self.high = self.high.max(next.high);
        self.low = self.low.min(next.low);
        self.close = next.close;
        self.volume += next.volume;
    }
}

/// Streaming aggregation of source bars into `target` bars.
#[derive(Debug, Clone)]
pub struct Resampler<C = Candle> {
    source_ms: i64,
    target: Timeframe,
    current: Option<C>,
}

impl<C: Aggregate> Resampler<C> {
    /// A resampler from bars of `source` duration to `target`.
    pub fn new(source: Timeframe, target: Timeframe) -> Self {
        Resampler {
            source_ms: source.duration_ms(),
            target,
            current: None,
        }
    }

    /// The target timeframe.
    pub fn target(&self) -> Timeframe {
        self.target
    }

    /// Closes the open period if the time `now` (epoch ms) is at or past its
    /// end, returning the completed bar.
    pub fn advance_to(&mut self, now: i64) -> Option<C> {
        let end = self
            .current
            .as_ref()
            .map(|c| c.open_time() + self.target.duration_ms())?;
        if now >= end {
            self.current.take()
        } else {
            None
        }
    }

    /// Adds a closed source bar. Pushes onto `out` the bar of a period that
    /// a gap left incomplete, then the bar of the current period if this bar
    /// completes it.
    pub fn push(&mut self, bar: &C, out: &mut Vec<C>) {
        out.extend(self.advance_to(bar.open_time()));
        match &mut self.current {
            Some(acc) => acc.absorb(bar),
            None => {
                let start = self
                    .target
                    .period_start(Timestamp::from_ms(bar.open_time()));
                self.current = Some(bar.opening_at(start.ms(), self.target.duration_ms()));
            }
        }
        out.extend(self.advance_to(bar.open_time() + self.source_ms));
    }
}

/// Resamples a whole series of `source`-timeframe candles to `target`.
/// The last period is dropped if the data ends before it closes.
pub fn resample(candles: &[Candle], source: Timeframe, target: Timeframe) -> Vec<Candle> {
    let mut resampler = Resampler::<Candle>::new(source, target);
    let ratio = (target.duration_ms() / source.duration_ms()).max(1) as usize;
    let mut out = Vec::with_capacity(candles.len() / ratio + 1);
    for candle in candles {
        resampler.push(candle, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn bar(minute: i64, o: i64, h: i64, l: i64, c: i64) -> Candle {
        Candle {
            open_time: Timestamp::from_ms(minute * 60_000),
            open: Decimal::from(o),
            high: Decimal::from(h),
            low: Decimal::from(l),
            close: Decimal::from(c),
            volume: Decimal::ONE,
        }
    }

    #[test]
    fn aggregates_one_period() {
        let bars: Vec<_> = (0..5)
            .map(|m| bar(m, 10 + m, 20 + m, 5 - m, 11 + m))
            .collect();
        let out = resample(&bars, Timeframe::M1, Timeframe::M5);
        assert_eq!(out.len(), 1);
        let c = out[0];
        assert_eq!(
            (c.open_time, c.open, c.high, c.low, c.close),
            (Timestamp::EPOCH, 10.into(), 24.into(), 1.into(), 15.into())
        );
        assert_eq!(c.volume, Decimal::from(5));
    }

    #[test]
    fn incomplete_last_period_is_dropped() {
        let bars: Vec<_> = (0..7).map(|m| bar(m, 1, 2, 1, 1)).collect();
        assert_eq!(resample(&bars, Timeframe::M1, Timeframe::M5).len(), 1);
    }

    #[test]
    fn a_gap_closes_the_period_and_empty_periods_are_skipped() {
        // Minutes 0..3 then 20..25: the first 5m period is incomplete but a
        // later candle proves it over; periods 5, 10 and 15 are empty.
        let bars: Vec<_> = [0, 1, 2, 20, 21, 22, 23, 24]
            .iter()
            .map(|&m| bar(m, 1, 2, 1, 1))
            .collect();
        let out = resample(&bars, Timeframe::M1, Timeframe::M5);
        let opens: Vec<_> = out.iter().map(|c| c.open_time.ms() / 60_000).collect();
        assert_eq!(opens, vec![0, 20]);
    }

    #[test]
    fn clock_closes_a_period_without_a_new_candle() {
        let mut r = Resampler::new(Timeframe::M1, Timeframe::M5);
        let mut out = Vec::new();
        r.push(&bar(0, 1, 2, 1, 1), &mut out);
        assert!(out.is_empty());
        assert!(r.advance_to(4 * 60_000).is_none());
        assert_eq!(
            r.advance_to(5 * 60_000).map(|c| c.open_time),
            Some(Timestamp::from_ms(0))
        );
    }
}
