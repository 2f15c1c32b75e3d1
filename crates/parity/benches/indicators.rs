//! Criterion benches of the parity indicators on 100k candles: the reference
//! fixture (EURUSD 15m, 24,424 candles) tiled with 52-week shifted copies, as
//! the reference library's own benchmark does. Swings are precomputed for the
//! indicators that take them. Throughput is in candles.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use smc_data::{ReadOptions, read_ohlcv};
use smc_parity::{
    Indicator, Ohlc, ParityOptions, bos_choch, fvg, liquidity, ob, retracements, swings,
};
use std::path::Path;

const SIZE: usize = 100_000;
const WEEK_MS: i64 = 7 * 86_400_000;

fn fixture() -> Option<Ohlc> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/smc-reference/EURUSD/EURUSD_15M.csv");
    let base = Ohlc::from_candles(&read_ohlcv(&path, ReadOptions::default()).ok()?.candles);
    Some(base.tiled(SIZE, 52 * WEEK_MS))
}

fn bench(c: &mut Criterion) {
    let Some(input) = fixture() else {
        eprintln!("fixture missing");
        return;
    };
    let shl = swings::swing_highs_lows(&input, 5);
    let mut g = c.benchmark_group("parity_100k");
    g.throughput(Throughput::Elements(SIZE as u64));
    g.sample_size(20);
    g.bench_function("fvg", |b| b.iter(|| fvg::fvg(&input, false)));
    g.bench_function("fvg_join", |b| b.iter(|| fvg::fvg(&input, true)));
    g.bench_function("swing_highs_lows", |b| {
        b.iter(|| swings::swing_highs_lows(&input, 5))
    });
    g.bench_function("bos_choch", |b| {
        b.iter(|| bos_choch::bos_choch(&input, &shl, true))
    });
    g.bench_function("ob", |b| b.iter(|| ob::ob(&input, &shl, false)));
    g.bench_function("liquidity", |b| {
        b.iter(|| liquidity::liquidity(&input, &shl, 0.01))
    });
    g.bench_function("retracements", |b| {
        b.iter(|| retracements::retracements(&input, &shl))
    });
    for tf in ["4h", "1D", "W"] {
        let options = ParityOptions {
            time_frame: tf.to_string(),
            ..Default::default()
        };
        g.bench_function(format!("previous_high_low_{tf}"), |b| {
            b.iter(|| smc_parity::run(Indicator::PreviousHighLow, &input, &options))
        });
    }
    let london = ParityOptions {
        session: "London".to_string(),
        ..Default::default()
    };
    g.bench_function("sessions_london", |b| {
        b.iter(|| smc_parity::run(Indicator::Sessions, &input, &london))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
