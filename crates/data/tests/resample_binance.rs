//! The Binance USDⓈ-M BTCUSDT 1m series, resampled to 5m, equals Binance's
//! own 5m candles on 2022-04-08, the day both files cover (all 288 bars,
//! open/high/low/close/volume compared as exact decimals).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use smc_data::{ReadOptions, infer_timeframe, read_ohlcv, resample};
use smc_model::Timeframe;
use smc_model::time::{DAY_MS, epoch_ms};
use std::path::{Path, PathBuf};

fn market(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/market")
        .join(file)
}

#[test]
fn one_minute_resamples_exactly_to_binance_five_minute_candles() {
    let m1 = read_ohlcv(
        &market("binance-usdm/BTCUSDT-1m.csv"),
        ReadOptions::default(),
    )
    .unwrap()
    .candles;
    let m5 = read_ohlcv(
        &market("binance-usdm/BTCUSDT-5m.csv"),
        ReadOptions::default(),
    )
    .unwrap()
    .candles;
    assert_eq!(infer_timeframe(&m1), Some(Timeframe::M1));
    assert_eq!(infer_timeframe(&m5), Some(Timeframe::M5));

    let day_start = epoch_ms(2022, 4, 8, 0, 0, 0);
    let in_day = |t: i64| (day_start..day_start + DAY_MS).contains(&t);
    let day_m1: Vec<_> = m1
        .iter()
        .copied()
        .filter(|c| in_day(c.open_time.ms()))
        .collect();
    assert_eq!(day_m1.len(), 1440, "the 1m file holds the whole day");

    let ours = resample(&day_m1, Timeframe::M1, Timeframe::M5);
    let binance: Vec<_> = m5
        .iter()
        .copied()
        .filter(|c| in_day(c.open_time.ms()))
        .collect();
    assert_eq!(ours.len(), 288);
    assert_eq!(binance.len(), 288);
    for (a, b) in ours.iter().zip(&binance) {
        assert_eq!(
            a,
            b,
            "5m candle at {}",
            smc_model::time::format_utc(b.open_time.ms())
        );
    }
}

#[test]
fn whole_file_resampling_keeps_day_boundaries_across_gaps() {
    // The 1m file holds 2022-04-08 and 2022-05-04..06: the gap between them
    // must not merge periods, and every 1h candle must open on the hour.
    let m1 = read_ohlcv(
        &market("binance-usdm/BTCUSDT-1m.csv"),
        ReadOptions::default(),
    )
    .unwrap()
    .candles;
    let h1 = resample(&m1, Timeframe::M1, Timeframe::H1);
    let d1 = resample(&m1, Timeframe::M1, Timeframe::D1);
    assert!(h1.iter().all(|c| c.open_time.ms() % 3_600_000 == 0));
    let days: Vec<_> = d1
        .iter()
        .map(|c| smc_model::time::format_utc(c.open_time.ms()))
        .collect();
    assert_eq!(
        days,
        [
            "2022-04-08T00:00:00Z",
            "2022-05-04T00:00:00Z",
            "2022-05-05T00:00:00Z",
            "2022-05-06T00:00:00Z"
        ]
    );
    let volume_1m: rust_decimal::Decimal = m1.iter().map(|c| c.volume).sum();
    let volume_1d: rust_decimal::Decimal = d1.iter().map(|c| c.volume).sum();
    assert_eq!(volume_1m, volume_1d, "no volume lost or doubled");
}

#[test]
fn weekly_candles_start_on_monday() {
    let m1 = read_ohlcv(&market("fxcm/GBPUSD-1m.csv"), ReadOptions::default())
        .unwrap()
        .candles;
    let w1 = resample(&m1, Timeframe::M1, Timeframe::W1);
    assert!(!w1.is_empty());
    for c in &w1 {
        assert_eq!(
            smc_model::time::weekday(c.open_time.ms()),
            0,
            "{}",
            smc_model::time::format_utc(c.open_time.ms())
        );
    }
}
