//! Latency samples and their percentiles.

use serde::Serialize;
use std::time::Duration;

/// Percentiles of a set of latencies, in microseconds.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Latency {
    pub count: usize,
    pub p50_us: f64,
    pub p95_us: f64,
    pub p99_us: f64,
    pub max_us: f64,
    pub mean_us: f64,
}

impl Latency {
    /// The percentiles of `samples` (nanoseconds; sorted here).
    pub fn of(samples: &mut [u64]) -> Latency {
        if samples.is_empty() {
            return Latency::default();
        }
        samples.sort_unstable();
        let at = |q: f64| {
            // Nearest rank: the smallest sample with at least q of all at or below it.
            let rank = (q * samples.len() as f64).ceil() as usize;
            samples[rank.clamp(1, samples.len()) - 1] as f64 / 1e3
        };
        let sum: u128 = samples.iter().map(|&s| u128::from(s)).sum();
        Latency {
            count: samples.len(),
            p50_us: at(0.50),
            p95_us: at(0.95),
            p99_us: at(0.99),
            max_us: at(1.0),
            mean_us: sum as f64 / samples.len() as f64 / 1e3,
        }
    }

    /// `p50 / p95 / p99 / max` for people.
    pub fn line(&self) -> String {
        format!(
            "{} / {} / {} / {}",
            human(self.p50_us),
            human(self.p95_us),
            human(self.p99_us),
            human(self.max_us)
        )
    }
}

/// Microseconds as `812 µs`, `1.43 ms` or `2.1 s`.
pub fn human(us: f64) -> String {
    if us < 1_000.0 {
        format!("{us:.0} µs")
    } else if us < 1_000_000.0 {
        format!("{:.2} ms", us / 1e3)
    } else {
        format!("{:.2} s", us / 1e6)
    }
}

/// Nanoseconds of `d`, saturating.
pub fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank() {
        let mut s: Vec<u64> = (1..=100).map(|i| i * 1000).collect();
        let l = Latency::of(&mut s);
        assert_eq!(l.p50_us, 50.0);
        assert_eq!(l.p95_us, 95.0);
        assert_eq!(l.p99_us, 99.0);
        assert_eq!(l.max_us, 100.0);
    }
}
