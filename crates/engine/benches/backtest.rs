//! Throughput of a full backtest: `sma_cross` (20/50, all-in, 0.1 % taker
//! fee, spot, zero slippage and latency) on the committed peer-benchmark
//! series (100k 1-minute bars), measured in bars per second. Includes engine
//! construction, matching, portfolio marks, the per-bar equity curve and the
//! trade ledger; excludes CSV parsing. Compare with vectorbt's full pipeline
//! (3.3M bars/s warm on the project's 2-vCPU EPYC machine,
//! `/work/shared/research/peer_bench/RESULTS.md`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use smc_data::{ReadOptions, read_ohlcv};
use smc_engine::{Engine, EngineConfig, FeeModel, Series, engine_instruments, run_backtest};
use smc_model::InstrumentIndex;
use smc_model::{
    ApproveAll, Instrument, InstrumentSpec, MarketKind, NullSink, SimClock, Timeframe,
};
use smc_strategy::{SmaCross, SmaCrossConfig};
use std::hint::black_box;
use std::path::Path;

fn bench(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/peer-bench/sma-100k.csv");
    let candles = read_ohlcv(&path, ReadOptions::default()).unwrap().candles;
    let config = EngineConfig {
        fees: FeeModel {
            maker: rust_decimal::Decimal::new(1, 3),
            taker: rust_decimal::Decimal::new(1, 3),
            asset: smc_matching::FeeAsset::Quote,
        },
        ..EngineConfig::default()
    };
    let instrument = Instrument {
        id: "sim:SMA".parse().unwrap(),
        kind: MarketKind::Spot,
        base: "X".into(),
        quote: "USD".into(),
        spec: InstrumentSpec::FRACTIONAL,
    };
    let series = [Series {
        instrument: InstrumentIndex::new(0),
        timeframe: Timeframe::M1,
        candles: &candles,
    }];
    let mut group = c.benchmark_group("backtest");
    group.throughput(Throughput::Elements(candles.len() as u64));
    group.sample_size(20);
    group.bench_function("sma_cross_100k", |b| {
        b.iter(|| {
            let instruments = engine_instruments(vec![instrument.clone()], &series).unwrap();
            let strategy = Box::new(SmaCross::new(SmaCrossConfig::default()).unwrap());
            let mut engine = Engine::new(
                config,
                instruments,
                strategy,
                Box::new(ApproveAll::default()),
                Box::new(SimClock::default()),
            )
            .unwrap();
            let report = run_backtest(&mut engine, &series, &[], &mut NullSink).unwrap();
            black_box(report.final_equity)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
