#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The ML features are causal: the candidates' feature vectors computed on
//! a bundled series and on the series cut at each candidate's decision are
//! bit-identical; a planted feature that peeks one candle ahead makes the
//! same check fail; recording features changes none of the strategy's
//! decisions; a model under its threshold skips setups with its reason.

use rust_decimal::Decimal;
use smc_ml::{Dataset, Ensemble, LabelSpan, ModelFile, TrainConfig};
use smc_model::{
    Candle, Instrument, InstrumentIndex, InstrumentSpec, Intent, MarketKind, NoTradeReason,
    PortfolioSnapshot, RiskState, Timeframe,
};
use smc_strategy::features::{Candidate, CandidateLog, FeatureSet, MlFilter, check_causality};
use smc_strategy::{SmcConfig, SmcStrategy, Strategy, StrategyContext};
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn series(name: &str, bars: usize) -> Vec<Candle> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/market")
        .join(name);
    let loaded = smc_data::read_ohlcv(&path, smc_data::ReadOptions { lenient: false }).unwrap();
    loaded.candles.into_iter().take(bars).collect()
}

fn config() -> SmcConfig {
    SmcConfig {
        bias_timeframe: Timeframe::H4,
        allow_short: Some(true),
        ..SmcConfig::default()
    }
}

fn instrument() -> Instrument {
    Instrument {
        id: "sim:ETHUSDT".parse().unwrap(),
        kind: MarketKind::Spot,
        base: "ETH".into(),
        quote: "USDT".into(),
        spec: InstrumentSpec::FRACTIONAL,
    }
}

/// Runs `s` on `candles` of `tf`, always flat (no engine: a pending entry
/// waits for its expiry), returning each candle's entries and reason.
fn drive(
    s: &mut SmcStrategy,
    tf: Timeframe,
    candles: &[Candle],
) -> Vec<(usize, Option<NoTradeReason>)> {
    let inst = instrument();
    let portfolio = PortfolioSnapshot {
        equity: Decimal::from(10_000),
        ..PortfolioSnapshot::default()
    };
    let risk = RiskState::default();
    let mut out = Vec::new();
    candles
        .iter()
        .map(|c| {
            let ctx = StrategyContext {
                candle: c,
                instrument: &inst,
                instrument_index: InstrumentIndex::new(0),
                timeframe: tf,
                now: c.open_time + tf.duration_ms(),
                portfolio: &portfolio,
                risk: &risk,
            };
            out.clear();
            s.on_candle(&ctx, &mut out);
            let entries = out
                .iter()
                .filter(|i| matches!(i, Intent::Place(o) if !o.reduce_only))
                .count();
            (entries, s.no_trade_reason())
        })
        .collect()
}

fn candidates(candles: &[Candle]) -> Vec<Candidate> {
    let log = CandidateLog::new();
    let mut s = SmcStrategy::new(config()).with_log(log.clone());
    drive(&mut s, Timeframe::H1, candles);
    log.take()
}

#[test]
fn features_are_identical_on_the_series_cut_at_each_decision() {
    let candles = series("binance-spot/ETHUSDT-1h.csv", 1500);
    let (checked, found) = check_causality(&candles, Timeframe::H1, 12, &mut candidates);
    assert!(checked >= 8, "too few candidates to check: {checked}");
    assert!(
        found.is_empty(),
        "features that change when the future is cut: {found:?}"
    );
    let all = candidates(&candles);
    let n = FeatureSet::new(0).len();
    assert!(
        all.iter()
            .all(|c| c.features.len() == n && c.features.iter().all(|x| x.is_finite()))
    );
    // The vectors are not constant: the features carry information.
    let distinct = (0..n)
        .filter(|&j| all.iter().any(|c| c.features[j] != all[0].features[j]))
        .count();
    assert!(distinct > n / 2, "only {distinct} of {n} features vary");
}

#[test]
fn a_feature_that_peeks_one_candle_ahead_fails_the_check() {
    let candles = series("binance-spot/ETHUSDT-1h.csv", 1500);
    // The planted feature: the close of the candle after the decision
    // (0 when the series ends there, as it does when cut).
    let mut peeking = |slice: &[Candle]| {
        let mut found = candidates(slice);
        for c in &mut found {
            let next = slice
                .iter()
                .find(|k| k.open_time.ms() == c.time_ms)
                .map_or(0.0, |k| k.close.try_into().unwrap_or(0.0));
            c.features.push(next);
        }
        found
    };
    let (checked, found) = check_causality(&candles, Timeframe::H1, 12, &mut peeking);
    assert!(checked >= 8);
    assert_eq!(
        found.len(),
        checked,
        "every peeking candidate is caught: {found:?}"
    );
    assert!(
        found
            .iter()
            .all(|d| d.feature == Some(FeatureSet::new(0).len()))
    );
}

#[test]
fn recording_features_changes_no_decision() {
    let candles = series("binance-spot/ETHUSDT-1h.csv", 1500);
    let plain = drive(&mut SmcStrategy::new(config()), Timeframe::H1, &candles);
    let log = CandidateLog::new();
    let recorded = drive(
        &mut SmcStrategy::new(config()).with_log(log.clone()),
        Timeframe::H1,
        &candles,
    );
    assert_eq!(plain, recorded);
    let entries = plain.iter().filter(|(n, _)| *n > 0).count();
    assert_eq!(log.take().len(), entries, "one candidate per entry");
}

/// A model over the strategy's features, fitted on noise.
fn model(names: Vec<String>) -> ModelFile {
    let n = 160;
    let width = names.len();
    let mut x = 0x9e37_79b9u64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % 1000) as f64 / 1000.0
    };
    let rows: Vec<Vec<f64>> = (0..n)
        .map(|_| (0..width).map(|_| next()).collect())
        .collect();
    let labels = (0..n).map(|i| i % 3 == 0).collect();
    let spans = (0..n as i64)
        .map(|i| LabelSpan::new(i * 1000, i * 1000 + 500))
        .collect();
    let ds = Dataset::from_rows(names, rows, labels, spans, None).unwrap();
    let mut c = TrainConfig::default();
    c.split.folds = 2;
    c.split.min_train = 20;
    c.forest.trees = 5;
    c.boosting.rounds = 5;
    let (ensemble, report) = Ensemble::fit(&ds, &c).unwrap();
    ModelFile::new(ensemble, report, c, (0, 1), 0)
}

#[test]
fn a_model_under_its_threshold_skips_every_setup_with_its_reason() {
    let candles = series("binance-spot/ETHUSDT-1h.csv", 1500);
    let set = FeatureSet::new(0);
    let filter = MlFilter::new(model(set.names()), &set, 0.999, false, Path::new("m")).unwrap();
    let log = CandidateLog::new();
    let mut s = SmcStrategy::new(config())
        .with_filter(Arc::new(filter))
        .with_log(log.clone());
    let decisions = drive(&mut s, Timeframe::H1, &candles);
    assert!(
        decisions.iter().all(|(n, _)| *n == 0),
        "no entry passes p >= 0.999"
    );
    let skipped = decisions
        .iter()
        .filter(|(_, r)| *r == Some(NoTradeReason::ModelBelowThreshold))
        .count();
    let log = log.take();
    assert!(skipped >= 10, "{skipped}");
    assert_eq!(skipped, log.len());
    assert!(
        log.iter()
            .all(|c| c.skipped && c.probability.is_some_and(|p| p < 0.999))
    );
}

#[test]
fn a_model_with_other_features_is_refused_at_start() {
    let trained = FeatureSet::new(1);
    let err = MlFilter::new(
        model(trained.names()),
        &FeatureSet::new(0),
        0.55,
        false,
        Path::new("m"),
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("trained on other features") && text.contains("bias_swing_trend"),
        "{text}"
    );
}
