//! The overfitting statistics on synthetic trials: pure noise must be
//! flagged, a genuine edge must be recovered and pass.

mod common;

use common::Market;
use smc_optimize::{
    OptimizeConfig, ParamSet, Value, WindowLength, WindowSpec, optimize, planned_runs,
};
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};

fn config(folds: usize) -> OptimizeConfig {
    OptimizeConfig::new(WindowSpec {
        length: WindowLength::Folds(folds),
        anchored: false,
    })
}

/// 40 trials of pure noise: whichever wins in sample won by luck. Its
/// Sharpe ratio is not above what 40 trials give by chance (low DSR), and
/// CSCV finds the in-sample winner at or below the median out of sample
/// about half the time (PBO near 0.5, far from a genuine edge's 0).
#[test]
fn pure_noise_is_flagged() {
    let market = Market::new(&[0.0; 40], 3000, 0.01, 1);
    let trials = market.trials();
    let bt = |p: &ParamSet, r: Range<usize>| market.run(p, r);
    let report = optimize(&bt, &trials, 3000, &config(4), &|| {}).unwrap();
    let s = &report.summary;
    let dsr = s.dsr.as_ref().unwrap();
    let pbo = s.pbo.as_ref().unwrap();
    assert!(dsr.value < 0.95, "DSR {}", dsr.value);
    assert!(
        dsr.input.sharpe < 2.0 * dsr.expected_max_sharpe,
        "the best noise Sharpe {} should be of the order of E[max] {}",
        dsr.input.sharpe,
        dsr.expected_max_sharpe
    );
    assert!(pbo.value > 0.3, "PBO {}", pbo.value);
    assert_eq!(pbo.combinations, 12870);
    assert!(s.overfitting_warning);
    assert!(
        s.warnings.iter().any(|w| w.contains("DSR")),
        "{:?}",
        s.warnings
    );
    // In sample the winners look good; out of sample they are noise.
    let (is, oos) = (s.is_mean.unwrap(), s.oos_mean.unwrap());
    assert!(is > 0.5 && is > oos + 0.5, "IS {is} OOS {oos}");
}

/// Noise whose in-sample winner reverses: trial k earns +k·d in the first
/// half of the data and −k·d in the second. CSCV sees the reversal in
/// more than half of its splits.
#[test]
fn a_reversing_edge_has_pbo_above_half() {
    let mut market = Market::new(&[0.0; 12], 2400, 0.01, 2);
    for (k, row) in market.returns.iter_mut().enumerate() {
        for (t, r) in row.iter_mut().enumerate() {
            *r += if t < 1200 { 3e-4 } else { -3e-4 } * k as f64;
        }
    }
    let trials = market.trials();
    let bt = |p: &ParamSet, r: Range<usize>| market.run(p, r);
    let report = optimize(&bt, &trials, 2400, &config(3), &|| {}).unwrap();
    let pbo = report.summary.pbo.as_ref().unwrap();
    assert!(pbo.value > 0.5, "PBO {}", pbo.value);
    assert!(report.summary.overfitting_warning);
    assert!(report.summary.warnings.iter().any(|w| w.contains("PBO")));
}

/// One trial in twenty has a real drift (Sharpe 0.3 per bar, some 6.7
/// standard errors over a 500-bar train window; luck reaches about 3.5
/// among 20 trials); the others are noise
/// or losing. Every window must
/// choose it, it must hold up out of sample, and neither statistic warns.
#[test]
fn a_genuine_edge_is_recovered() {
    let mut drifts = vec![0.0; 20];
    drifts[13] = 3e-3;
    drifts[5] = -1e-3;
    let market = Market::new(&drifts, 3000, 0.01, 3);
    let trials = market.trials();
    let bt = |p: &ParamSet, r: Range<usize>| market.run(p, r);
    let runs = AtomicUsize::new(0);
    let report = optimize(&bt, &trials, 3000, &config(5), &|| {
        runs.fetch_add(1, Ordering::Relaxed);
    })
    .unwrap();
    assert_eq!(runs.into_inner(), planned_runs(20, 5));
    assert_eq!(report.windows.len(), 5);
    for w in &report.windows {
        assert_eq!(
            w.params.get("id"),
            Some(&Value::Int(13)),
            "window {}",
            w.index
        );
        assert_eq!(w.trial, 13);
        assert!(w.oos_score.unwrap() > 0.0);
        assert!(w.test.start == w.train.end);
    }
    let s = &report.summary;
    assert_eq!(
        s.dsr_params.as_ref().and_then(|p| p.get("id")),
        Some(&Value::Int(13))
    );
    assert!(s.dsr.as_ref().unwrap().value > 0.99, "{:?}", s.dsr);
    assert!(s.pbo.as_ref().unwrap().value < 0.05, "{:?}", s.pbo);
    assert!(!s.overfitting_warning, "{:?}", s.warnings);
    assert!(s.stitched_oos.total_return.unwrap() > 0.5);
    assert!(s.efficiency.unwrap() > 0.3, "{:?}", s.efficiency);
}
