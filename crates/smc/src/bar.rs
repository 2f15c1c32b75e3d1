//! The candle the detectors consume: prices as `f64` (analysis math), and
//! both ends of its period so that every event can say when it was knowable.

use rust_decimal::Decimal;
use smc_model::{Candle, Timeframe, num};

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

/// Powers of ten that are exact in `f64`, as in `smc_model::num`.
const EXACT_POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// `smc_model::num::to_f64`, with its fast path (an exact mantissa over an
/// exact power of ten: one correctly rounded division, so the same bits)
/// inlined here, where five prices of every base candle are converted; the
/// rare other decimals go to it.
#[inline]
pub fn to_f64(d: Decimal) -> f64 {
    // The documented layout: flags (scale in bits 16..24, sign in bit 31),
    // then the 96-bit mantissa's lo, mid and hi words, little-endian.
    let b = d.serialize();
    let word = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
    let (flags, lo, mid, hi) = (word(0), word(4), word(8), word(12));
    if hi == 0
        && mid < (1 << 21)
        && let Some(&p) = EXACT_POW10.get(((flags >> 16) & 0xff) as usize)
    {
        // Below 2^53: exact as an i64 and as an f64.
        let m = (u64::from(mid) << 32 | u64::from(lo)) as i64;
        let m = if flags >> 31 == 1 { -m } else { m };
        return m as f64 / p;
    }
    num::to_f64(d)
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn converts_to_the_same_bits_as_the_model(
            lo in any::<u32>(), mid in any::<u32>(), hi in 0u32..4, negative in any::<bool>(), scale in 0u32..29,
        ) {
            // Small mantissas (the fast path) and large ones (the fallback).
            for hi in [0, hi] {
                for mid in [mid >> 11, mid] {
                    let d = Decimal::from_parts(lo, mid, hi, negative, scale);
                    prop_assert_eq!(to_f64(d).to_bits(), num::to_f64(d).to_bits(), "{}", d);
                }
            }
        }
    }
}
