//! The cut-and-replay check for features: the candidates computed on the
//! full series and on the series cut just after each candidate's decision
//! candle must have bit-identical feature vectors. A feature that reads a
//! later candle changes once that candle is cut off, and is reported.
//! The check takes the function that computes candidates, so a test can
//! hand it one that peeks and see the check fail.

use super::Candidate;
use smc_model::{Candle, Timeframe};

/// A candidate whose features differ once the future is cut off.
#[derive(Debug, Clone, PartialEq)]
pub struct Divergence {
    /// Decision time of the candidate.
    pub time_ms: i64,
    /// Index of the first differing feature (None: the candidate itself is
    /// missing from the cut run).
    pub feature: Option<usize>,
    pub full: Option<f64>,
    pub cut: Option<f64>,
}

/// Runs `compute` on all of `candles` and on each prefix ending at a
/// candidate's decision (at most `limit` candidates, spread evenly), and
/// lists the candidates whose features differ.
pub fn check_causality(
    candles: &[Candle],
    timeframe: Timeframe,
    limit: usize,
    compute: &mut dyn FnMut(&[Candle]) -> Vec<Candidate>,
) -> (usize, Vec<Divergence>) {
    let full = compute(candles);
    let step = full.len().div_ceil(limit.max(1)).max(1);
    let mut checked = 0;
    let mut found = Vec::new();
    for c in full.iter().step_by(step) {
        let end =
            candles.partition_point(|k| k.open_time.ms() + timeframe.duration_ms() <= c.time_ms);
        let cut = compute(&candles[..end]);
        checked += 1;
        let Some(other) = cut.iter().find(|o| o.time_ms == c.time_ms) else {
            found.push(Divergence {
                time_ms: c.time_ms,
                feature: None,
                full: None,
                cut: None,
            });
            continue;
        };
        let differs = (c.features.iter().zip(&other.features))
            .position(|(a, b)| a.to_bits() != b.to_bits())
            .or((c.features.len() != other.features.len()).then_some(c.features.len()));
        if let Some(i) = differs {
            found.push(Divergence {
                time_ms: c.time_ms,
                feature: Some(i),
                full: c.features.get(i).copied(),
                cut: other.features.get(i).copied(),
            });
        }
    }
    (checked, found)
}
