//! Builds large CSV inputs for benchmarks by tiling a real series: each copy
//! is shifted in time past the previous one, prices unchanged, so the digits
//! and the bar shapes stay those of real data.

use smc_model::Candle;
use std::fmt::Write;

/// `rows` candles made of repeated copies of `base`, each copy starting one
/// bar step after the previous copy ended.
pub fn tile(base: &[Candle], rows: usize) -> Vec<Candle> {
    let (Some(first), Some(last)) = (base.first(), base.last()) else {
        return Vec::new();
    };
    let step = base
        .get(1)
        .map_or(60_000, |c| c.open_time - first.open_time);
    let span = last.open_time - first.open_time + step;
    (0..rows)
        .map(|i| {
            let c = base[i % base.len()];
            Candle {
                open_time: c.open_time + (i / base.len()) as i64 * span,
                ..c
            }
        })
        .collect()
}

/// Writes candles in the uniform CSV format.
pub fn to_uniform_csv(candles: &[Candle]) -> String {
    let mut s = String::with_capacity(candles.len() * 56 + 40);
    s.push_str("timestamp,open,high,low,close,volume\n");
    for c in candles {
        // Writing to a String cannot fail.
        let _ = writeln!(
            s,
            "{},{},{},{},{},{}",
            c.open_time, c.open, c.high, c.low, c.close, c.volume
        );
    }
    s
}
