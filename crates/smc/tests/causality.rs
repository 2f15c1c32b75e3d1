//! The causal contract, on random and real series: running on the data up
//! to any time t (the candles whose close is at or before t, then the clock
//! advanced to t) gives exactly the events of the full run whose `known_at`
//! is at or before t; stream and batch agree; no event is known before the
//! candles it uses have closed.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use rust_decimal::Decimal;
use smc_analysis::{
    DetectorConfig, Kind, Lifecycle, MultiTimeframe, SmcEvent, detect, sort_events,
};
use smc_data::{ReadOptions, read_ohlcv};
use smc_model::Timestamp;
use smc_model::{Candle, Timeframe};
use std::path::Path;

const MINUTE: i64 = 60_000;

/// The default detectors, plus the previous hour's and day's levels (hours
/// close often on these series, so the levels' causality is exercised).
fn config() -> DetectorConfig {
    DetectorConfig {
        previous_periods: vec![Timeframe::H1, Timeframe::D1],
        ..DetectorConfig::default()
    }
}

/// A random walk of 1m candles on a coarse tick (many ties), with random
/// gaps of a few minutes and, now and then, hours.
fn random_candles(steps: &[(i8, u8, u8, u8)]) -> Vec<Candle> {
    let mut t = 1_649_376_000_000i64; // 2022-04-08, a day boundary
    let mut price: i64 = 10_000;
    let mut out = Vec::with_capacity(steps.len());
    for (i, &(step, up, down, gap)) in steps.iter().enumerate() {
        let open = price;
        price = (price + i64::from(step)).max(100);
        let high = open.max(price) + i64::from(up % 4);
        let low = open.min(price) - i64::from(down % 4);
        let d = |x: i64| Decimal::new(x, 1);
        out.push(Candle {
            open_time: Timestamp::from_ms(t),
            open: d(open),
            high: d(high),
            low: d(low),
            close: d(price),
            volume: Decimal::ONE,
        });
        t += MINUTE
            * match gap {
                0..=240 => 1,
                241..=252 => 1 + i64::from(gap % 7),
                _ => 60 + i64::from(gap % 90) + (i as i64 % 3) * 60,
            };
    }
    out
}

fn run_until(candles: &[Candle], base: Timeframe, tfs: &[Timeframe], t: i64) -> Vec<SmcEvent> {
    let mut mtf = MultiTimeframe::new(base, tfs, &config()).unwrap();
    let mut events = Vec::new();
    for c in candles
        .iter()
        .filter(|c| c.open_time + base.duration_ms() <= Timestamp::from_ms(t))
    {
        mtf.on_candle(c, &mut events);
    }
    mtf.advance_to(t, &mut events);
    sort_events(&mut events);
    events
}

fn check_cut(candles: &[Candle], base: Timeframe, tfs: &[Timeframe], full: &[SmcEvent], t: i64) {
    let expected: Vec<&SmcEvent> = full.iter().filter(|e| e.known_at <= t).collect();
    let got = run_until(candles, base, tfs, t);
    let got: Vec<&SmcEvent> = got.iter().collect();
    if got != expected {
        let first = got
            .iter()
            .zip(&expected)
            .position(|(a, b)| a != b)
            .unwrap_or(got.len().min(expected.len()));
        panic!(
            "cut at {t}: {} events vs {} expected; first difference at {first}: {:?} vs {:?}",
            got.len(),
            expected.len(),
            got.get(first),
            expected.get(first)
        );
    }
}

fn check_invariants(events: &[SmcEvent]) {
    use std::collections::HashMap;
    let mut formed: HashMap<(Timeframe, u64), i64> = HashMap::new();
    for e in events {
        assert!(
            e.known_at >= e.time + e.timeframe.duration_ms(),
            "known before its candle closed: {e:?}"
        );
        if e.kind == Kind::Sweep {
            continue;
        }
        let key = (e.timeframe, e.id);
        if e.event == Lifecycle::Formed {
            assert!(
                formed.insert(key, e.known_at).is_none(),
                "formed twice: {e:?}"
            );
        } else {
            let at = formed
                .get(&key)
                .unwrap_or_else(|| panic!("{:?} before its formation: {e:?}", e.event));
            assert!(e.known_at >= *at, "lifecycle out of order: {e:?}");
        }
    }
    assert!(
        events.windows(2).all(|w| w[0].known_at <= w[1].known_at),
        "events not ordered by known_at"
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn cut_runs_see_exactly_the_known_events(
        steps in prop::collection::vec((-6i8..=6, any::<u8>(), any::<u8>(), any::<u8>()), 200..1500),
        cuts in prop::collection::vec(0.0f64..1.0, 3),
    ) {
        let candles = random_candles(&steps);
        let tfs = [Timeframe::M1, Timeframe::M5, Timeframe::H1, Timeframe::D1];
        let full = detect(&candles, Timeframe::M1, &tfs, &config()).unwrap().events;
        check_invariants(&full);
        let (start, end) = (candles[0].open_time, candles[candles.len() - 1].open_time + 2 * MINUTE);
        for cut in cuts {
            // Cuts anywhere, including between candles and inside gaps.
            let t = start + ((end - start) as f64 * cut) as i64;
            check_cut(&candles, Timeframe::M1, &tfs, &full, t.ms());
        }
    }

    #[test]
    fn stream_and_batch_agree(steps in prop::collection::vec((-6i8..=6, any::<u8>(), any::<u8>(), any::<u8>()), 50..800)) {
        let candles = random_candles(&steps);
        let tfs = [Timeframe::M1, Timeframe::M15];
        let batch = detect(&candles, Timeframe::M1, &tfs, &config()).unwrap().events;
        let mut mtf = MultiTimeframe::new(Timeframe::M1, &tfs, &config()).unwrap();
        let mut stream = Vec::new();
        for c in &candles {
            let mut step = Vec::new();
            mtf.on_candle(c, &mut step);
            stream.extend(step);
        }
        sort_events(&mut stream);
        prop_assert_eq!(stream, batch);
    }
}

fn real(file: &str) -> Vec<Candle> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/market")
        .join(file);
    read_ohlcv(&path, ReadOptions::default()).unwrap().candles
}

fn real_series_cuts(file: &str, tfs: &[Timeframe], cuts: usize) {
    let candles = real(file);
    let full = detect(&candles, Timeframe::M1, tfs, &config())
        .unwrap()
        .events;
    check_invariants(&full);
    assert!(full.len() > 1000, "{file}: only {} events", full.len());
    let (start, end) = (
        candles[0].open_time,
        candles[candles.len() - 1].open_time + MINUTE,
    );
    for k in 1..=cuts {
        // Deterministic, irregular cut points, off the minute grid.
        let t = start + (end - start) / (cuts as i64 + 1) * k as i64 + (k as i64 * 7_919) % MINUTE;
        check_cut(&candles, Timeframe::M1, tfs, &full, t.ms());
    }
}

#[test]
fn binance_btcusdt_one_minute_with_day_gaps() {
    real_series_cuts(
        "binance-usdm/BTCUSDT-1m.csv",
        &[Timeframe::M1, Timeframe::M5, Timeframe::H1, Timeframe::D1],
        12,
    );
}

#[test]
fn fxcm_gbpusd_one_minute_with_weekends() {
    let tfs = [
        Timeframe::M1,
        Timeframe::M15,
        Timeframe::H4,
        Timeframe::D1,
        Timeframe::W1,
    ];
    real_series_cuts("fxcm/GBPUSD-1m.csv", &tfs, 6);
}

#[test]
fn a_higher_timeframe_candle_is_invisible_until_it_closes() {
    let candles = real("binance-usdm/BTCUSDT-1m.csv");
    let tfs = [Timeframe::M1, Timeframe::H1];
    let mut mtf = MultiTimeframe::new(Timeframe::M1, &tfs, &config()).unwrap();
    let mut events = Vec::new();
    let hour_end = candles[0].open_time + 3_600_000;
    for c in candles.iter().take(59) {
        mtf.on_candle(c, &mut events);
        assert!(
            mtf.analyzer(Timeframe::H1).unwrap().last_bar().is_none(),
            "1h candle visible at {}",
            c.open_time
        );
    }
    // The clock alone, one millisecond before the hour ends, shows nothing.
    mtf.advance_to((hour_end - 1).ms(), &mut events);
    assert!(mtf.analyzer(Timeframe::H1).unwrap().last_bar().is_none());
    assert!(events.iter().all(|e| e.timeframe == Timeframe::M1));
    // The 60th minute closes the hour: now the candle and its events exist.
    mtf.on_candle(&candles[59], &mut events);
    let bar = *mtf.analyzer(Timeframe::H1).unwrap().last_bar().unwrap();
    assert_eq!(
        (bar.open_time, bar.close_time),
        (candles[0].open_time.ms(), hour_end.ms())
    );
    let hourly_known: Vec<i64> = events
        .iter()
        .filter(|e| e.timeframe == Timeframe::H1)
        .map(|e| e.known_at)
        .collect();
    assert!(
        hourly_known.iter().all(|&k| k >= hour_end.ms()),
        "{hourly_known:?}"
    );
}

#[test]
fn an_incomplete_period_is_closed_by_the_clock_not_by_the_data() {
    let candles = real("binance-usdm/BTCUSDT-1m.csv");
    let tfs = [Timeframe::M1, Timeframe::H1];
    let mut mtf = MultiTimeframe::new(Timeframe::M1, &tfs, &config()).unwrap();
    let mut events = Vec::new();
    for c in candles.iter().take(30) {
        mtf.on_candle(c, &mut events);
    }
    let hour_end = candles[0].open_time + 3_600_000;
    mtf.advance_to(hour_end.ms(), &mut events);
    let bar = *mtf
        .analyzer(Timeframe::H1)
        .unwrap()
        .last_bar()
        .expect("the clock closed the hour");
    assert_eq!(
        bar.close,
        smc_model::num::to_f64(candles[29].close),
        "built from the 30 minutes that exist"
    );
}
