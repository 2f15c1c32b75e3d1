//! Triple-barrier labels feed a dataset whose label spans the walk-forward
//! purges: no training label of any fold is still open when its test fold begins.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use smc_ml::rng::SplitMix64;
use smc_ml::{
    Bar, Barriers, Dataset, Hit, LabelSpan, Side, SplitConfig, triple_barrier, walk_forward,
};

#[test]
fn barrier_labels_become_purged_walk_forward_folds() {
    let mut rng = SplitMix64::new(17);
    let mut close = 100.0;
    let bars: Vec<Bar> = (0..3000i64)
        .map(|i| {
            let open = close;
            close = f64::max(close + (rng.next_f64() - 0.5) * 2.0, 1.0);
            Bar {
                time_ms: i * 60_000,
                high: open.max(close) + rng.next_f64(),
                low: open.min(close) - rng.next_f64(),
                close,
            }
        })
        .collect();
    let (mut rows, mut labels, mut spans) = (Vec::new(), Vec::new(), Vec::new());
    let mut hits = [0usize; 3];
    for entry in (20..bars.len()).step_by(7) {
        let price = bars[entry].close;
        let side = if entry % 2 == 0 {
            Side::Long
        } else {
            Side::Short
        };
        let (stop, target) = match side {
            Side::Long => (price - 3.0, price + 4.0),
            Side::Short => (price + 3.0, price - 4.0),
        };
        let b = Barriers {
            entry,
            side,
            entry_price: price,
            stop,
            target,
            max_bars: 40,
        };
        let Some(label) = triple_barrier(&bars, &b).unwrap() else {
            continue;
        };
        hits[match label.hit {
            Hit::Target => 0,
            Hit::Stop => 1,
            Hit::TimeLimit => 2,
        }] += 1;
        // Features from bars up to the entry only.
        let back = &bars[entry - 20..=entry];
        rows.push(vec![
            price - back[0].close,
            f64::from(u8::from(side == Side::Long)),
        ]);
        labels.push(label.label);
        spans.push(LabelSpan::new(label.start_ms, label.end_ms));
    }
    assert!(
        hits.iter().all(|&h| h > 10),
        "every barrier is hit sometimes: {hits:?}"
    );
    let ds = Dataset::from_rows(
        vec!["momentum".into(), "long".into()],
        rows,
        labels,
        spans,
        None,
    )
    .unwrap();
    let config = SplitConfig {
        folds: 4,
        test_fraction: 0.5,
        embargo_ms: 30 * 60_000,
        min_train: 20,
    };
    let folds = walk_forward(ds.spans(), &config).unwrap();
    let mut purged_somewhere = false;
    for fold in &folds {
        let before = fold.test[0];
        purged_somewhere |= fold.train.len() < before;
        for &i in &fold.train {
            assert!(ds.spans()[i].end_ms + config.embargo_ms < fold.test_span.start_ms);
        }
    }
    // Labels last up to 40 minutes, samples come every 7: the purge must bite.
    assert!(purged_somewhere);
}
