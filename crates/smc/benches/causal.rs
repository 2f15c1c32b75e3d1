//! Criterion bench of the causal multi-timeframe suite: 100k one-minute
//! candles (real Binance BTCUSDT 1m, tiled) analysed on 1m, 5m, 1h and 1d,
//! candles already in memory. Throughput is in base candles.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use smc_analysis::{DetectorConfig, MultiTimeframe};
use smc_data::synthetic::tile;
use smc_data::{ReadOptions, read_ohlcv};
use smc_model::Timeframe;
use std::path::Path;

fn bench(c: &mut Criterion) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/market/binance-usdm/BTCUSDT-1m.csv");
    let Ok(loaded) = read_ohlcv(&path, ReadOptions::default()) else {
        eprintln!("test series missing: {}", path.display());
        return;
    };
    let candles = tile(&loaded.candles, 100_000);
    let tfs = [Timeframe::M1, Timeframe::M5, Timeframe::H1, Timeframe::D1];
    let mut g = c.benchmark_group("causal");
    g.throughput(Throughput::Elements(candles.len() as u64));
    g.sample_size(20);
    g.bench_function("mtf_1m_5m_1h_1d_100k", |b| {
        b.iter(|| {
            let Ok(mut mtf) = MultiTimeframe::new(Timeframe::M1, &tfs, &DetectorConfig::default())
            else {
                return 0;
            };
            let mut events = Vec::new();
            for candle in &candles {
                mtf.on_candle(candle, &mut events);
            }
            events.len()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
