//! Criterion benches of the ML filter: the ensemble's `predict_proba` for one
//! row of 40 features (run on every candle in live mode), and a full fit
//! (5-fold purged walk-forward plus the final refit of all three families)
//! on 5,000 × 40 synthetic rows with the default `TrainConfig`.
//! Machine: the project's 2-core, 24 GiB workplace, single-threaded fit.
//! Measured there (another build running beside it): predict_proba about
//! 3.0 µs per row; the fit about 1.4 s.

use criterion::{Criterion, criterion_group, criterion_main};
use smc_ml::rng::SplitMix64;
use smc_ml::{Dataset, Ensemble, LabelSpan, TrainConfig};
use std::hint::black_box;

const ROWS: usize = 5_000;
const FEATURES: usize = 40;

/// Planted signal on the first three features, the rest noise; each label
/// spans the next 5 samples (one sample a minute).
fn dataset() -> Dataset {
    let mut rng = SplitMix64::new(42);
    let mut rows = Vec::with_capacity(ROWS);
    let mut labels = Vec::with_capacity(ROWS);
    for _ in 0..ROWS {
        let r: Vec<f64> = (0..FEATURES).map(|_| rng.next_f64() * 2.0 - 1.0).collect();
        let z = 1.5 * r[0] - r[1] + 2.0 * r[2] * r[0];
        labels.push(rng.next_f64() < 1.0 / (1.0 + (-z).exp()));
        rows.push(r);
    }
    let names = (0..FEATURES).map(|i| format!("f{i}")).collect();
    let spans = (0..ROWS as i64)
        .map(|i| LabelSpan::new(i * 60_000, (i + 5) * 60_000))
        .collect();
    match Dataset::from_rows(names, rows, labels, spans, None) {
        Ok(ds) => ds,
        Err(e) => panic!("bench dataset: {e}"),
    }
}

fn bench(c: &mut Criterion) {
    let ds = dataset();
    let config = TrainConfig::default();
    let (ensemble, _) = match Ensemble::fit(&ds, &config) {
        Ok(fit) => fit,
        Err(e) => panic!("bench fit: {e}"),
    };
    let row = ds.row(ROWS - 1).to_vec();
    c.bench_function("ensemble predict_proba, 1 row x 40 features", |b| {
        b.iter(|| black_box(ensemble.predict_proba(black_box(&row))))
    });
    let mut group = c.benchmark_group("ensemble fit");
    group.sample_size(10);
    group.measurement_time(std::time::Duration::from_secs(20));
    group.bench_function("walk-forward fit, 5000 x 40, 5 folds + refit", |b| {
        b.iter(|| black_box(Ensemble::fit(black_box(&ds), &config).is_ok()))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
