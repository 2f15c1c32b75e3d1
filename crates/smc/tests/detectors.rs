//! Each detector on small hand-made series with known answers.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use smc_analysis::{Bar, DetectorConfig, Kind, Lifecycle, Scope, SmcEvent, TimeframeAnalyzer};
use smc_model::Timeframe;

const M: i64 = 60_000;

fn bars(ohlc: &[(f64, f64, f64, f64)]) -> Vec<Bar> {
    ohlc.iter()
        .enumerate()
        .map(|(i, &(open, high, low, close))| Bar {
            open_time: i as i64 * M,
            close_time: (i as i64 + 1) * M,
            open,
            high,
            low,
            close,
            volume: 1.0,
        })
        .collect()
}

fn run(ohlc: &[(f64, f64, f64, f64)], config: DetectorConfig) -> Vec<SmcEvent> {
    let mut a = TimeframeAnalyzer::new(Timeframe::M1, &config);
    let mut out = Vec::new();
    for b in bars(ohlc) {
        a.on_bar(b, &mut out);
    }
    out
}

fn small() -> DetectorConfig {
    DetectorConfig {
        internal_length: 1,
        swing_length: 2,
        equal_tolerance_atr: 0.5,
        ..DetectorConfig::default()
    }
}

fn find(events: &[SmcEvent], kind: Kind, event: Lifecycle) -> Vec<&SmcEvent> {
    events
        .iter()
        .filter(|e| e.kind == kind && e.event == event)
        .collect()
}

#[test]
fn a_bullish_gap_is_formed_at_the_third_close_then_mitigated_then_inverted() {
    let events = run(
        &[
            (10.0, 11.0, 9.0, 10.5),  // first: high 11
            (10.5, 14.0, 10.5, 13.5), // middle
            (13.5, 15.0, 12.0, 14.5), // third: low 12 > 11 -> gap [11, 12]
            (14.5, 14.6, 11.8, 12.5), // touches 12: mitigated
            (12.5, 12.6, 10.0, 10.2), // closes below 11: invalidated -> inverse FVG
        ],
        DetectorConfig::default(),
    );
    let formed = find(&events, Kind::Fvg, Lifecycle::Formed);
    assert_eq!(formed.len(), 1);
    let f = formed[0];
    assert_eq!(
        (f.direction, f.top, f.bottom, f.time, f.known_at),
        (1, Some(12.0), Some(11.0), M, 3 * M)
    );
    let m = find(&events, Kind::Fvg, Lifecycle::Mitigated);
    assert_eq!((m[0].time, m[0].known_at, m[0].id), (3 * M, 4 * M, f.id));
    let inv = find(&events, Kind::Fvg, Lifecycle::Invalidated);
    assert_eq!(inv[0].known_at, 5 * M);
    let ifvg = find(&events, Kind::InverseFvg, Lifecycle::Formed);
    assert_eq!((ifvg[0].direction, ifvg[0].origin_time), (-1, Some(M)));
}

#[test]
fn a_break_with_the_trend_is_a_bos_and_against_it_a_choch() {
    // Swing high at 12 (bar 2), swing low at 8 (bar 5); a close above 12 is
    // the first break (BOS, no prior trend); later a close below the next
    // swing low is against the up trend: a CHoCH.
    let ohlc = [
        (10.0, 10.5, 9.5, 10.0),
        (10.0, 11.0, 9.8, 10.8),
        (10.8, 12.0, 10.5, 11.5), // swing high 12
        (11.5, 11.6, 10.0, 10.2),
        (10.2, 10.4, 9.0, 9.2),
        (9.2, 9.4, 8.0, 8.5), // swing low 8
        (8.5, 9.5, 8.4, 9.4),
        (9.4, 11.0, 9.3, 10.9),
        (10.9, 12.5, 10.8, 12.4), // close 12.4 > 12: BOS up
        (12.4, 13.5, 12.3, 13.4),
        (13.4, 14.0, 11.0, 11.2), // swing high 14 (bar 10)
        (11.2, 11.4, 10.0, 10.1),
        (10.1, 10.3, 7.0, 7.5), // close 7.5 < 8: CHoCH down
    ];
    let events = run(&ohlc, small());
    let swing_breaks: Vec<_> = events
        .iter()
        .filter(|e| matches!(e.kind, Kind::Bos | Kind::Choch) && e.scope == Some(Scope::Swing))
        .map(|e| (e.kind, e.direction, e.level, e.time, e.origin_time))
        .collect();
    assert_eq!(
        swing_breaks,
        vec![
            (Kind::Bos, 1, Some(12.0), 8 * M, Some(2 * M)),
            (Kind::Choch, -1, Some(8.0), 12 * M, Some(5 * M))
        ]
    );
    // The bullish break's order block is the lowest candle between the
    // swing and the break: bar 5 (low 8).
    let ob = events
        .iter()
        .find(|e| {
            e.kind == Kind::Ob && e.event == Lifecycle::Formed && e.scope == Some(Scope::Swing)
        })
        .unwrap();
    assert_eq!(
        (ob.direction, ob.time, ob.bottom, ob.top, ob.known_at),
        (1, 5 * M, Some(8.0), Some(9.4), 9 * M)
    );
}

#[test]
fn equal_highs_form_a_pool_that_a_wick_sweeps() {
    let ohlc = [
        (10.0, 10.5, 9.5, 10.0),
        (10.0, 12.0, 9.9, 11.0), // swing high 12.0
        (11.0, 11.2, 10.0, 10.5),
        (10.5, 12.02, 10.4, 11.0), // swing high 12.02: equal within tolerance
        (11.0, 11.1, 10.2, 10.6),
        (10.6, 12.5, 10.5, 11.9), // wick above 12.02, close back below: swept
    ];
    let events = run(&ohlc, small());
    let pool = find(&events, Kind::Liquidity, Lifecycle::Formed);
    assert_eq!(pool.len(), 1);
    assert_eq!(
        (
            pool[0].direction,
            pool[0].level,
            pool[0].time,
            pool[0].origin_time
        ),
        (1, Some(12.02), 3 * M, Some(M))
    );
    assert_eq!(
        pool[0].known_at,
        5 * M,
        "the second swing is confirmed one bar later"
    );
    let swept = find(&events, Kind::Liquidity, Lifecycle::Swept);
    assert_eq!((swept[0].time, swept[0].known_at), (5 * M, 6 * M));
    assert!(
        events
            .iter()
            .any(|e| e.kind == Kind::Sweep && e.time == 5 * M && e.level == Some(12.02))
    );
}

#[test]
fn a_swing_is_known_only_after_its_confirming_bars() {
    let events = run(
        &[
            (10.0, 10.5, 9.5, 10.0),
            (10.0, 11.0, 9.9, 10.8),
            (10.8, 12.0, 10.5, 11.5),
            (11.5, 11.6, 10.0, 10.2),
            (10.2, 10.4, 9.0, 9.2),
        ],
        small(),
    );
    let highs: Vec<_> = events
        .iter()
        .filter(|e| e.kind == Kind::SwingHigh && e.scope == Some(Scope::Swing))
        .map(|e| (e.time, e.known_at, e.level))
        .collect();
    assert_eq!(
        highs,
        vec![(2 * M, 5 * M, Some(12.0))],
        "pivot at bar 2, confirmed by bar 4's close"
    );
}

#[test]
fn bad_prices_do_not_panic() {
    let nan = f64::NAN;
    let events = run(
        &[
            (nan, nan, nan, nan),
            (1.0, 1.0, 1.0, 1.0),
            (1.0, nan, 0.5, 1.0),
            (2.0, 3.0, 1.0, 2.5),
        ],
        small(),
    );
    assert!(events.iter().all(|e| e.known_at >= e.time));
}

/// Swing high 12 (bar 2), swing low 8 (bar 5), a close above 12 at bar 8.
const RALLY: [(f64, f64, f64, f64); 9] = [
    (10.0, 10.5, 9.5, 10.0),
    (10.0, 11.0, 9.8, 10.8),
    (10.8, 12.0, 10.5, 11.5), // swing high 12
    (11.5, 11.6, 10.0, 10.2),
    (10.2, 10.4, 9.0, 9.2),
    (9.2, 9.4, 8.0, 8.5), // swing low 8: the lowest candle before the break
    (8.5, 9.5, 8.4, 9.4),
    (9.4, 11.0, 9.3, 10.9),
    (10.9, 12.5, 10.8, 12.4), // close above 12: BOS, OB = bar 5 [8, 9.4]
];

fn swing_scope(events: &[SmcEvent], kind: Kind, direction: i8) -> Vec<(Lifecycle, i64, i64)> {
    events
        .iter()
        .filter(|e| e.kind == kind && e.direction == direction && e.scope == Some(Scope::Swing))
        .map(|e| (e.event, e.time, e.known_at))
        .collect()
}

#[test]
fn an_order_block_is_mitigated_then_broken_into_a_breaker_with_its_own_lifecycle() {
    let mut ohlc = RALLY.to_vec();
    ohlc.extend([
        (12.4, 13.5, 12.3, 13.4),
        (13.4, 13.6, 9.2, 9.6), // low 9.2 reaches the block: mitigated
        (9.6, 9.8, 7.5, 7.8),   // close below 8: invalidated -> bearish breaker
        (7.8, 8.3, 7.6, 8.1),   // high 8.3 reaches the breaker: mitigated
        (8.1, 9.9, 8.0, 9.7),   // close above 9.4: the breaker is invalidated
    ]);
    let events = run(&ohlc, small());
    assert_eq!(
        swing_scope(&events, Kind::Ob, 1),
        vec![
            (Lifecycle::Formed, 5 * M, 9 * M),
            (Lifecycle::Mitigated, 10 * M, 11 * M),
            (Lifecycle::Invalidated, 11 * M, 12 * M),
        ]
    );
    assert_eq!(
        swing_scope(&events, Kind::BreakerBlock, -1),
        vec![
            (Lifecycle::Formed, 11 * M, 12 * M),
            (Lifecycle::Mitigated, 12 * M, 13 * M),
            (Lifecycle::Invalidated, 13 * M, 14 * M),
        ]
    );
    let breaker = events
        .iter()
        .find(|e| e.kind == Kind::BreakerBlock && e.scope == Some(Scope::Swing))
        .unwrap();
    assert_eq!(
        (breaker.top, breaker.bottom, breaker.origin_time),
        (Some(9.4), Some(8.0), Some(5 * M)),
        "the breaker keeps the block's range and points back at its candle"
    );
    let ids: Vec<u64> = events
        .iter()
        .filter(|e| e.kind == Kind::Ob && e.direction == 1 && e.scope == Some(Scope::Swing))
        .map(|e| e.id)
        .collect();
    assert!(ids.windows(2).all(|w| w[0] == w[1]), "one id per object");
}

#[test]
fn a_wick_through_a_swing_is_a_sweep_by_default_and_a_break_with_the_wick_option() {
    let mut ohlc = RALLY.to_vec();
    ohlc[7] = (9.4, 12.2, 9.3, 11.5); // wick above 12, close back below
    let breaks = |events: &[SmcEvent]| {
        events
            .iter()
            .filter(|e| matches!(e.kind, Kind::Bos | Kind::Sweep) && e.scope == Some(Scope::Swing))
            .map(|e| (e.kind, e.time))
            .collect::<Vec<_>>()
    };
    let by_close = run(&ohlc, small());
    assert_eq!(
        breaks(&by_close),
        vec![(Kind::Sweep, 7 * M), (Kind::Bos, 8 * M)]
    );
    let by_wick = run(
        &ohlc,
        DetectorConfig {
            close_break: false,
            ..small()
        },
    );
    assert_eq!(breaks(&by_wick), vec![(Kind::Bos, 7 * M)]);
}

#[test]
fn the_premium_discount_range_spans_the_last_swing_high_and_low() {
    let mut a = TimeframeAnalyzer::new(Timeframe::M1, &small());
    let mut out = Vec::new();
    for b in bars(&RALLY[..8]) {
        a.on_bar(b, &mut out);
    }
    let pd = find(&out, Kind::PremiumDiscount, Lifecycle::Formed);
    assert_eq!(pd.len(), 1);
    assert_eq!(
        (pd[0].top, pd[0].bottom, pd[0].level, pd[0].known_at),
        (Some(12.0), Some(8.0), Some(10.0), 8 * M),
        "known when the low (bar 5) is confirmed two bars later"
    );
    let range = a.range().unwrap();
    assert_eq!(range.position(11.0), 0.75);
    assert_eq!(range.zone(11.0), smc_analysis::PriceZone::Premium);
    assert_eq!(range.zone(9.0), smc_analysis::PriceZone::Discount);
    assert_eq!(range.zone(10.0), smc_analysis::PriceZone::Equilibrium);
}

#[test]
fn equal_lows_closed_through_are_broken_not_swept() {
    let ohlc = [
        (10.0, 10.5, 9.5, 10.0),
        (10.0, 10.1, 8.0, 9.0), // swing low 8.0
        (9.0, 10.0, 8.9, 9.5),
        (9.5, 9.6, 7.98, 9.0), // swing low 7.98: equal within tolerance
        (9.0, 9.8, 8.9, 9.4),
        (9.4, 9.5, 7.0, 7.2), // closes below the pool: broken
    ];
    let events = run(&ohlc, small());
    let pool = find(&events, Kind::Liquidity, Lifecycle::Formed);
    assert_eq!(
        (pool.len(), pool[0].direction, pool[0].level),
        (1, -1, Some(7.98))
    );
    let broken = find(&events, Kind::Liquidity, Lifecycle::Broken);
    assert_eq!((broken.len(), broken[0].known_at), (1, 6 * M));
    assert!(find(&events, Kind::Liquidity, Lifecycle::Swept).is_empty());
    assert!(
        !events
            .iter()
            .any(|e| e.kind == Kind::Sweep && e.id == pool[0].id)
    );
}

#[test]
fn the_gap_size_filter_is_in_atrs() {
    let ohlc = [
        (10.0, 11.0, 9.0, 10.5),
        (10.5, 14.0, 10.5, 13.5),
        (13.5, 15.0, 12.0, 14.5), // gap [11, 12]: 1.0 tall
    ];
    let keep = |fvg_min_atr| {
        let events = run(
            &ohlc,
            DetectorConfig {
                fvg_min_atr,
                ..DetectorConfig::default()
            },
        );
        find(&events, Kind::Fvg, Lifecycle::Formed).len()
    };
    // ATR after three bars: mean true range of 2, 3.5 and 3 = 2.83.
    assert_eq!(keep(0.0), 1);
    assert_eq!(keep(0.3), 1);
    assert_eq!(keep(0.4), 0);
}

#[test]
fn one_candle_and_flat_candles_give_nothing_and_do_not_panic() {
    assert!(run(&[(1.0, 1.0, 1.0, 1.0)], small()).is_empty());
    let flat = vec![(5.0, 5.0, 5.0, 5.0); 50];
    let events = run(&flat, small());
    assert!(events.is_empty(), "{events:?}");
}
