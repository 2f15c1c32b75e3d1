//! Criterion bench of OHLCV CSV parsing: 100k rows of real Binance BTCUSDT
//! 1m candles (tiled), from memory, so disk speed is excluded.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use smc_data::synthetic::{tile, to_uniform_csv};
use smc_data::{ReadOptions, parse_ohlcv, read_ohlcv};
use std::path::Path;

fn bench_parse(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/market/binance-usdm/BTCUSDT-1m.csv");
    let Ok(loaded) = read_ohlcv(&root, ReadOptions::default()) else {
        eprintln!("test series missing: {}", root.display());
        return;
    };
    let rows = 100_000;
    let text = to_uniform_csv(&tile(&loaded.candles, rows));
    let mut group = c.benchmark_group("csv");
    group.throughput(Throughput::Elements(rows as u64));
    group.bench_function("parse_uniform_100k", |b| {
        b.iter(|| {
            parse_ohlcv(
                Path::new("bench.csv"),
                text.as_bytes(),
                ReadOptions::default(),
            )
        })
    });
    group.finish();
}

criterion_group!(benches, bench_parse);
criterion_main!(benches);
