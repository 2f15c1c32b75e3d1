//! The candle the detectors consume: prices as `f64` (analysis math), and
//! both ends of its period so that every event can say when it was knowable.

use smc_model::{Candle, Timeframe, num::to_f64};

/// A closed candle of one timeframe.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bar {
    /// Open time, epoch ms UTC.
    pub open_time: i64,
    /// Close time = open time + the timeframe's duration, epoch ms UTC.
    pub close_time: i64,
    pub open: f64,
    pub high: f64,
    pub low: f64,
    pub close: f64,
    pub volume: f64,
}

impl Bar {
    /// Converts an exact candle of timeframe `tf`.
    pub fn from_candle(c: &Candle, tf: Timeframe) -> Self {
        Bar {
            open_time: c.open_time.ms(),
            close_time: (c.open_time + tf.duration_ms()).ms(),
            open: to_f64(c.open),
            high: to_f64(c.high),
            low: to_f64(c.low),
            close: to_f64(c.close),
            volume: to_f64(c.volume),
        }
    }
}

impl smc_data::Aggregate for Bar {
    fn open_time(&self) -> i64 {
        self.open_time
    }

    fn opening_at(&self, start: i64, duration_ms: i64) -> Self {
        Bar {
            open_time: start,
            close_time: start + duration_ms,
            ..*self
        }
    }

    fn absorb(&mut self, next: &Self) {
        // Selects rather than f64::max so that a NaN never replaces a price.
        if next.high > self.high || self.high.is_nan() {
            self.high = next.high;
        }
        if next.low < self.low || self.low.is_nan() {
            self.low = next.low;
        }
        self.close = next.close;
        self.volume += next.volume;
    }
}
