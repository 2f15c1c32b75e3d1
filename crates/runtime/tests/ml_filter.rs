#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The ML filter end to end on the bundled FXCM GBPUSD 1m series (the one
//! bundled series with hundreds of smc setups): `train` writes a model
//! directory that the same seed reproduces byte for byte; `evaluate`
//! scores it after its window and backtests with and without it; a config
//! with `ml.model` filters a plain backtest (its no-trade reasons say so),
//! refuses a model trained for other timeframes, and passes the lookahead
//! check.

use smc_engine::check_lookahead;
use smc_model::NoTradeReason;
use smc_runtime::SessionError;
use smc_runtime::backtest::{BacktestRequest, candles_timeframe, parse_time};
use smc_runtime::ml::{TrainRequest, evaluate, train};
use smc_runtime::strategies::StrategyName;
use smc_strategy::features::FeatureSet;
use std::path::{Path, PathBuf};

fn input() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/market/fxcm/GBPUSD-1m.csv")
}

fn request(settings: Option<smc_config::Config>, timeframes: &str) -> BacktestRequest {
    BacktestRequest {
        settings,
        input: Some(input()),
        strategy: Some(StrategyName::Smc),
        timeframes: (timeframes.split(','))
            .filter(|t| !t.is_empty())
            .map(String::from)
            .collect(),
        ..BacktestRequest::default()
    }
}

fn trained(dir: &Path, seed: u64) -> smc_runtime::ml::Trained {
    let req = TrainRequest {
        backtest: request(None, "1m,15m"),
        train_until: Some(parse_time("2012-02-18").unwrap()),
        seed,
        holding_bars: 100,
        out: dir.to_path_buf(),
    };
    train(&req, &mut |_| {}).unwrap()
}

fn config_with(model: &Path, threshold: f64) -> smc_config::Config {
    let text = format!(
        "ml:\n  model: {}\n  threshold: {threshold}\n",
        model.display()
    );
    smc_config::parse("test", &text).unwrap()
}

#[test]
fn train_writes_a_reproducible_model_of_the_strategy_s_features_before_its_date() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let t = trained(a.path(), 7);
    assert_eq!(t.model.feature_names, FeatureSet::new(0).names());
    let until = parse_time("2012-02-18").unwrap().ms();
    assert!(
        t.model.train_to_ms <= until,
        "labels end before --train-until"
    );
    let c = t.facts.counts;
    assert_eq!(c.candidates, c.never_filled + c.unresolved + c.labelled);
    assert!(
        t.facts.samples >= 100 && t.facts.samples < c.labelled,
        "{:?}",
        t.facts
    );
    assert!(t.model.report.out_of_fold.ensemble.n > 0);
    trained(b.path(), 7);
    let read = |d: &Path| std::fs::read(d.join("model.json")).unwrap();
    assert_eq!(
        read(a.path()),
        read(b.path()),
        "same data and seed, same file"
    );
}

#[test]
fn evaluate_scores_the_model_after_its_window_and_backtests_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let t = trained(dir.path(), 1);
    let e = evaluate(
        dir.path(),
        &request(None, ""),
        None,
        Some((20, 1)),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(e.from_ms, t.facts.train_until_ms);
    let m = e.candidates.as_ref().unwrap();
    assert!(m.n >= 30, "{m:?}");
    assert!(m.brier > 0.0 && m.brier < 1.0);
    assert_eq!(e.without_filter.skipped_by_model, 0);
    assert!(e.without_filter.trades > 0);
    // Each run that closed a trade is set against 20 random-entry runs.
    let s = e.without_filter.significance.as_ref().unwrap();
    assert_eq!((s.runs, s.seed), (20, 1));
    assert!(s.p_value_total_return.is_some_and(|p| p > 0.0 && p <= 1.0));
    assert_eq!(
        e.with_filter.significance.is_some(),
        e.with_filter.trades > 0 && e.with_filter.win_rate.is_some()
    );
    // The filter ran: it either skipped setups or rated every one above 0.55.
    assert!(
        e.with_filter.skipped_by_model > 0 || m.calls == m.n,
        "{e:?}"
    );
}

#[test]
fn a_config_with_ml_model_filters_the_backtest_and_passes_the_lookahead_check() {
    let dir = tempfile::tempdir().unwrap();
    trained(dir.path(), 3);
    // A threshold no setup reaches: every setup is skipped, with its reason.
    let strict = request(Some(config_with(dir.path(), 0.999)), "1m,15m");
    let b = strict.run(&mut |_| {}).unwrap();
    assert_eq!(b.report.orders_submitted, 0, "the filter skips every setup");
    let totals = b.no_trade.totals();
    let skipped = totals[NoTradeReason::ModelBelowThreshold.as_str()];
    assert!(skipped > 50, "{totals:?}");
    // The lookahead check, with a filter that takes some setups.
    let req = request(Some(config_with(dir.path(), 0.2)), "1m,15m");
    let input = req.load().unwrap();
    let candles = &input.candles[..12_000];
    let tf = candles_timeframe(candles).unwrap();
    let found =
        check_lookahead::<_, SessionError>(candles, tf, 6, |slice| req.engine(slice, tf)).unwrap();
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn a_model_trained_for_other_timeframes_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    trained(dir.path(), 0);
    let other = request(Some(config_with(dir.path(), 0.55)), "1m,5m,15m");
    let err = other.run(&mut |_| {}).unwrap_err().to_string();
    assert!(err.contains("trained on other features"), "{err}");
    assert!(err.contains("confirm1_swing_trend"), "{err}");
}
