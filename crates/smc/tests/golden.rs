//! Pins the whole causal event stream — every event, in emission order,
//! every field bit for bit — on real one-minute series over 1m/5m/1h/1d, so
//! that work on the detectors' speed provably leaves their output as it was.
//! The figures were recorded from the implementation before that work.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use smc_analysis::{DetectorConfig, Kind, Lifecycle, MultiTimeframe, Scope, SmcEvent};
use smc_data::synthetic::tile;
use smc_data::{ReadOptions, read_ohlcv};
use smc_model::{Candle, Timeframe};
use std::collections::BTreeMap;
use std::path::Path;

const TFS: [Timeframe; 4] = [Timeframe::M1, Timeframe::M5, Timeframe::H1, Timeframe::D1];

fn real(file: &str) -> Vec<Candle> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/market")
        .join(file);
    read_ohlcv(&path, ReadOptions::default()).unwrap().candles
}

/// The stream as a strategy sees it: each candle's events drained in the
/// order the detectors emitted them.
fn stream(candles: &[Candle], config: &DetectorConfig) -> Vec<SmcEvent> {
    let mut mtf = MultiTimeframe::new(Timeframe::M1, &TFS, config).unwrap();
    let mut all = Vec::new();
    let mut buf = Vec::new();
    for c in candles {
        mtf.on_candle(c, &mut buf);
        all.append(&mut buf);
    }
    all
}

/// FNV-1a over every field of every event (prices by their bits, absent
/// values distinct from any present one), in order.
fn fingerprint(events: &[SmcEvent]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |x: u64| {
        for b in x.to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    let opt_f = |x: Option<f64>| x.map_or(u64::MAX - 1, f64::to_bits);
    for e in events {
        eat(e.timeframe.duration_ms() as u64);
        eat(e.kind as u64);
        eat(e.event as u64);
        eat(e.direction as u64);
        eat(e.time as u64);
        eat(e.known_at as u64);
        eat(opt_f(e.top));
        eat(opt_f(e.bottom));
        eat(opt_f(e.level));
        eat(e.id);
        eat(e.origin_time.map_or(u64::MAX - 1, |t| t as u64));
        eat(e.scope.map_or(7, |s| s as u64));
    }
    h
}

/// Events per kind and lifecycle, as `kind/lifecycle` names.
fn counts(events: &[SmcEvent]) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for e in events {
        *m.entry(format!("{}/{}", e.kind.as_str(), e.event.as_str()))
            .or_insert(0) += 1;
    }
    m
}

/// What a run must produce: its length, fingerprint and counts.
struct Golden {
    len: usize,
    hash: u64,
    counts: &'static [(&'static str, usize)],
}

fn check(events: &[SmcEvent], golden: &Golden, exact: &[(usize, SmcEvent)]) {
    let want: BTreeMap<String, usize> = golden
        .counts
        .iter()
        .map(|&(k, n)| (k.to_owned(), n))
        .collect();
    assert_eq!(counts(events), want, "events per kind and lifecycle");
    assert_eq!(events.len(), golden.len);
    for (i, e) in exact {
        assert_eq!(&events[*i], e, "event {i}");
    }
    assert_eq!(fingerprint(events), golden.hash, "the event stream changed");
}

const BTC: Golden = Golden {
    len: 15593,
    hash: 0x4844cc2068d375c4,
    counts: &[
        ("bos/formed", 347),
        ("breaker_block/expired", 64),
        ("breaker_block/formed", 503),
        ("breaker_block/invalidated", 429),
        ("breaker_block/mitigated", 489),
        ("choch/formed", 335),
        ("fvg/expired", 186),
        ("fvg/formed", 1611),
        ("fvg/invalidated", 1391),
        ("fvg/mitigated", 1516),
        ("inverse_fvg/expired", 122),
        ("inverse_fvg/formed", 1391),
        ("inverse_fvg/invalidated", 1250),
        ("inverse_fvg/mitigated", 1342),
        ("liquidity/broken", 52),
        ("liquidity/formed", 130),
        ("liquidity/swept", 58),
        ("ob/expired", 135),
        ("ob/formed", 682),
        ("ob/invalidated", 503),
        ("ob/mitigated", 597),
        ("premium_discount/formed", 457),
        ("sweep/formed", 167),
        ("swing_high/formed", 926),
        ("swing_low/formed", 910),
    ],
};

#[test]
fn binance_btcusdt_stream_is_unchanged() {
    let events = stream(
        &real("binance-usdm/BTCUSDT-1m.csv"),
        &DetectorConfig::default(),
    );
    let exact = [
        (
            0,
            SmcEvent {
                timeframe: Timeframe::M1,
                kind: Kind::Fvg,
                event: Lifecycle::Formed,
                direction: -1,
                time: 1649376060000,
                known_at: 1649376180000,
                top: Some(43402.7),
                bottom: Some(43394.3),
                level: None,
                id: 1,
                origin_time: None,
                scope: None,
            },
        ),
        (
            5197,
            SmcEvent {
                timeframe: Timeframe::M1,
                kind: Kind::Fvg,
                event: Lifecycle::Invalidated,
                direction: 1,
                time: 1651657560000,
                known_at: 1651657620000,
                top: Some(38954.0),
                bottom: Some(38941.4),
                level: None,
                id: 2102,
                origin_time: Some(1651656720000),
                scope: None,
            },
        ),
        (
            7796,
            SmcEvent {
                timeframe: Timeframe::M1,
                kind: Kind::Fvg,
                event: Lifecycle::Formed,
                direction: 1,
                time: 1651716540000,
                known_at: 1651716660000,
                top: Some(39664.0),
                bottom: Some(39651.6),
                level: None,
                id: 3162,
                origin_time: None,
                scope: None,
            },
        ),
        (
            15592,
            SmcEvent {
                timeframe: Timeframe::D1,
                kind: Kind::Fvg,
                event: Lifecycle::Formed,
                direction: -1,
                time: 1651708800000,
                known_at: 1651881600000,
                top: Some(37655.2),
                bottom: Some(36679.3),
                level: None,
                id: 2,
                origin_time: None,
                scope: None,
            },
        ),
    ];
    check(&events, &BTC, &exact);
}

const TILED: Golden = Golden {
    len: 554123,
    hash: 0x3cb69a9c7292ca12,
    counts: &[
        ("bos/formed", 11974),
        ("breaker_block/expired", 2971),
        ("breaker_block/formed", 18298),
        ("breaker_block/invalidated", 15305),
        ("breaker_block/mitigated", 17297),
        ("choch/formed", 11937),
        ("fvg/expired", 6825),
        ("fvg/formed", 56188),
        ("fvg/invalidated", 49320),
        ("fvg/mitigated", 53411),
        ("inverse_fvg/expired", 5064),
        ("inverse_fvg/formed", 49320),
        ("inverse_fvg/invalidated", 44234),
        ("inverse_fvg/mitigated", 47235),
        ("liquidity/broken", 2284),
        ("liquidity/expired", 138),
        ("liquidity/formed", 4742),
        ("liquidity/swept", 2249),
        ("ob/expired", 5564),
        ("ob/formed", 23911),
        ("ob/invalidated", 18298),
        ("ob/mitigated", 21012),
        ("premium_discount/formed", 16026),
        ("previous_high/broken", 49),
        ("previous_high/formed", 188),
        ("previous_low/broken", 120),
        ("previous_low/formed", 188),
        ("sweep/formed", 6030),
        ("swing_high/formed", 32249),
        ("swing_low/formed", 31696),
    ],
};

#[test]
fn binance_btcusdt_tiled_to_200k_with_previous_levels_is_unchanged() {
    // The throughput example's workload (the series tiled), with the
    // previous day's and week's levels on.
    let candles = tile(&real("binance-usdm/BTCUSDT-1m.csv"), 200_000);
    let config = DetectorConfig {
        previous_periods: vec![Timeframe::D1, Timeframe::W1],
        ..DetectorConfig::default()
    };
    let events = stream(&candles, &config);
    let exact = [
        (
            0,
            SmcEvent {
                timeframe: Timeframe::M1,
                kind: Kind::Fvg,
                event: Lifecycle::Formed,
                direction: -1,
                time: 1649376060000,
                known_at: 1649376180000,
                top: Some(43402.7),
                bottom: Some(43394.3),
                level: None,
                id: 1,
                origin_time: None,
                scope: None,
            },
        ),
        (
            184707,
            SmcEvent {
                timeframe: Timeframe::M1,
                kind: Kind::SwingLow,
                event: Lifecycle::Formed,
                direction: -1,
                time: 1679304300000,
                known_at: 1679304540000,
                top: None,
                bottom: None,
                level: Some(39440.7),
                id: 72278,
                origin_time: None,
                scope: Some(Scope::Internal),
            },
        ),
        (
            277061,
            SmcEvent {
                timeframe: Timeframe::M5,
                kind: Kind::SwingHigh,
                event: Lifecycle::Formed,
                direction: 1,
                time: 1694256000000,
                known_at: 1694259300000,
                top: None,
                bottom: None,
                level: Some(39063.0),
                id: 19668,
                origin_time: None,
                scope: Some(Scope::Swing),
            },
        ),
        (
            554122,
            SmcEvent {
                timeframe: Timeframe::M5,
                kind: Kind::InverseFvg,
                event: Lifecycle::Invalidated,
                direction: -1,
                time: 1736975700000,
                known_at: 1736976000000,
                top: Some(36368.4),
                bottom: Some(36347.9),
                level: None,
                id: 39338,
                origin_time: Some(1736975100000),
                scope: None,
            },
        ),
    ];
    check(&events, &TILED, &exact);
}

const GBP: Golden = Golden {
    len: 88668,
    hash: 0xd1c4ea9c59333e99,
    counts: &[
        ("bos/formed", 1858),
        ("breaker_block/expired", 315),
        ("breaker_block/formed", 3091),
        ("breaker_block/invalidated", 2749),
        ("breaker_block/mitigated", 3017),
        ("choch/formed", 1895),
        ("fvg/expired", 771),
        ("fvg/formed", 8848),
        ("fvg/invalidated", 8040),
        ("fvg/mitigated", 8524),
        ("inverse_fvg/expired", 639),
        ("inverse_fvg/formed", 8040),
        ("inverse_fvg/invalidated", 7380),
        ("inverse_fvg/mitigated", 7800),
        ("liquidity/broken", 475),
        ("liquidity/formed", 926),
        ("liquidity/swept", 438),
        ("ob/expired", 625),
        ("ob/formed", 3753),
        ("ob/invalidated", 3091),
        ("ob/mitigated", 3423),
        ("premium_discount/formed", 2401),
        ("sweep/formed", 998),
        ("swing_high/formed", 4781),
        ("swing_low/formed", 4790),
    ],
};

#[test]
fn fxcm_gbpusd_stream_with_weekend_gaps_is_unchanged() {
    let events = stream(&real("fxcm/GBPUSD-1m.csv"), &DetectorConfig::default());
    let exact = [
        (
            0,
            SmcEvent {
                timeframe: Timeframe::M1,
                kind: Kind::Fvg,
                event: Lifecycle::Formed,
                direction: -1,
                time: 1328054460000,
                known_at: 1328054580000,
                top: Some(1.57576),
                bottom: Some(1.57551),
                level: None,
                id: 1,
                origin_time: None,
                scope: None,
            },
        ),
        (
            29556,
            SmcEvent {
                timeframe: Timeframe::M1,
                kind: Kind::InverseFvg,
                event: Lifecycle::Mitigated,
                direction: 1,
                time: 1328831760000,
                known_at: 1328831820000,
                top: Some(1.58077),
                bottom: Some(1.58075),
                level: None,
                id: 11343,
                origin_time: Some(1328831280000),
                scope: None,
            },
        ),
        (
            44334,
            SmcEvent {
                timeframe: Timeframe::M1,
                kind: Kind::InverseFvg,
                event: Lifecycle::Invalidated,
                direction: 1,
                time: 1329312300000,
                known_at: 1329312360000,
                top: Some(1.56983),
                bottom: Some(1.56978),
                level: None,
                id: 16991,
                origin_time: Some(1329312120000),
                scope: None,
            },
        ),
        (
            88667,
            SmcEvent {
                timeframe: Timeframe::M1,
                kind: Kind::Fvg,
                event: Lifecycle::Mitigated,
                direction: 1,
                time: 1330560000000,
                known_at: 1330560060000,
                top: Some(1.59203),
                bottom: Some(1.59194),
                level: None,
                id: 34006,
                origin_time: Some(1330559760000),
                scope: None,
            },
        ),
    ];
    check(&events, &GBP, &exact);
}
