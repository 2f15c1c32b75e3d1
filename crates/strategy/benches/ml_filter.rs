//! What the ML filter costs per candle: the `smc` strategy run over 1,500
//! candles of the bundled ETHUSDT 1h series (entry 1h, bias 4h, always
//! flat, no engine), plain and with the filter on (the features' memory
//! updated every candle, and at each setup the feature vector extracted and
//! the ensemble's probability computed). Divide by 1,500 for the cost per
//! candle. The model is fitted on noise with the library's default sizes
//! (100 trees, 150 boosting rounds), as large as a real one.
//!
//! Measured on this project's 2-core machine (`cargo bench -p smc-strategy
//! --bench ml_filter`): plain 524 µs (0.35 µs a candle), with the filter
//! 867 µs (0.58 µs a candle): the filter adds about 0.23 µs a candle on
//! average, the features' memory on every candle plus extraction and
//! prediction at each of the run's setups.

use criterion::{Criterion, criterion_group, criterion_main};
use rust_decimal::Decimal;
use smc_ml::{Dataset, Ensemble, LabelSpan, ModelFile, TrainConfig};
use smc_model::{
    Candle, Instrument, InstrumentIndex, InstrumentSpec, MarketKind, PortfolioSnapshot, RiskState,
    Timeframe,
};
use smc_strategy::features::{FeatureSet, MlFilter};
use smc_strategy::{SmcConfig, SmcStrategy, Strategy, StrategyContext};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn candles() -> Vec<Candle> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/market/binance-spot/ETHUSDT-1h.csv");
    match smc_data::read_ohlcv(&path, smc_data::ReadOptions { lenient: false }) {
        Ok(l) => l.candles.into_iter().take(1500).collect(),
        Err(e) => panic!("{e}"),
    }
}

fn config() -> SmcConfig {
    SmcConfig {
        bias_timeframe: Timeframe::H4,
        allow_short: Some(true),
        ..SmcConfig::default()
    }
}

fn filter() -> MlFilter {
    let set = FeatureSet::new(0);
    let names = set.names();
    let (n, width) = (400, names.len());
    let mut x = 0x2545_f491u64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % 10_000) as f64 / 10_000.0
    };
    let rows: Vec<Vec<f64>> = (0..n)
        .map(|_| (0..width).map(|_| next()).collect())
        .collect();
    let labels = rows.iter().map(|r| r[0] + r[1] > 1.0).collect();
    let spans = (0..n as i64).map(|i| LabelSpan::new(i, i)).collect();
    let built = Dataset::from_rows(names, rows, labels, spans, None)
        .and_then(|ds| Ensemble::fit(&ds, &TrainConfig::default()));
    let (ensemble, report) = match built {
        Ok(x) => x,
        Err(e) => panic!("{e}"),
    };
    let model = ModelFile::new(ensemble, report, TrainConfig::default(), (0, 1), 0);
    // Threshold 0.01: every setup is taken, so the run trades like the plain one.
    match MlFilter::new(model, &set, 0.01, false, Path::new("bench")) {
        Ok(f) => f,
        Err(e) => panic!("{e}"),
    }
}

fn run(mut s: SmcStrategy, candles: &[Candle]) {
    let inst = Instrument {
        id: match "sim:ETHUSDT".parse() {
            Ok(id) => id,
            Err(e) => panic!("{e}"),
        },
        kind: MarketKind::Spot,
        base: "ETH".into(),
        quote: "USDT".into(),
        spec: InstrumentSpec::FRACTIONAL,
    };
    let portfolio = PortfolioSnapshot {
        equity: Decimal::from(10_000),
        ..PortfolioSnapshot::default()
    };
    let risk = RiskState::default();
    let mut out = Vec::new();
    for c in candles {
        let ctx = StrategyContext {
            candle: c,
            instrument: &inst,
            instrument_index: InstrumentIndex::new(0),
            timeframe: Timeframe::H1,
            now: c.open_time + Timeframe::H1.duration_ms(),
            portfolio: &portfolio,
            risk: &risk,
        };
        out.clear();
        s.on_candle(&ctx, &mut out);
        black_box(&out);
    }
}

fn bench(c: &mut Criterion) {
    let candles = candles();
    let filter = Arc::new(filter());
    let mut g = c.benchmark_group("smc_1500_candles");
    g.sample_size(20);
    g.bench_function("plain", |b| {
        b.iter(|| run(SmcStrategy::new(config()), &candles))
    });
    g.bench_function("with_ml_filter", |b| {
        b.iter(|| {
            run(
                SmcStrategy::new(config()).with_filter(Arc::clone(&filter)),
                &candles,
            )
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
