//! Synthetic, seeded datasets for the integration tests.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use smc_ml::rng::SplitMix64;
use smc_ml::{Dataset, LabelSpan, TrainConfig};

pub const FEATURES: usize = 12;

/// `n` samples a minute apart, each label known 5 samples later. With
/// `signal`, the label's log-odds are 3·x0 − 2·x1 + 3·x2·x3; otherwise the
/// label is a fair coin independent of the features.
pub fn synthetic(n: usize, seed: u64, signal: bool) -> Dataset {
    let mut rng = SplitMix64::new(seed);
    let mut rows = Vec::with_capacity(n);
    let mut labels = Vec::with_capacity(n);
    for _ in 0..n {
        let r: Vec<f64> = (0..FEATURES).map(|_| rng.next_f64() * 2.0 - 1.0).collect();
        let z = if signal {
            3.0 * r[0] - 2.0 * r[1] + 3.0 * r[2] * r[3]
        } else {
            0.0
        };
        labels.push(rng.next_f64() < 1.0 / (1.0 + (-z).exp()));
        rows.push(r);
    }
    let names = (0..FEATURES).map(|i| format!("feature_{i}")).collect();
    let spans = (0..n as i64)
        .map(|i| LabelSpan::new(i * 60_000, (i + 5) * 60_000))
        .collect();
    Dataset::from_rows(names, rows, labels, spans, None).unwrap()
}

/// A config small enough for quick tests, with an embargo of 10 minutes.
pub fn quick_config(seed: u64) -> TrainConfig {
    let mut c = TrainConfig {
        seed,
        ..TrainConfig::default()
    };
    c.split.folds = 4;
    c.split.embargo_ms = 10 * 60_000;
    c.forest.trees = 40;
    c.boosting.rounds = 60;
    c.boosting.learning_rate = 0.1;
    c
}
