#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The reason the `smc` and `sma_cross` strategies give for each candle
//! that placed no entry, on small hand-made series: each branch of the
//! strategy's entry conditions is reached by a series built for it, and
//! the reason is compared with the branch.

use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;
use smc_analysis::DetectorConfig;
use smc_model::{
    Candle, Instrument, InstrumentIndex, InstrumentSpec, Intent, MarketKind, NoTradeReason,
    PortfolioSnapshot, PositionSnapshot, RiskState, Timeframe, Timestamp,
};
use smc_strategy::{SmcConfig, SmcStrategy, Strategy, StrategyContext};

/// Wicks wide enough that consecutive candles overlap: no fair value gap
/// forms on a straight leg, zones come from the structure alone.
const WICK: f64 = 1.0;

fn instrument() -> Instrument {
    Instrument {
        id: "sim:TEST".parse().unwrap(),
        kind: MarketKind::Spot,
        base: "X".into(),
        quote: "USD".into(),
        spec: InstrumentSpec::FRACTIONAL,
    }
}

/// Candles of `tf` walking straight between the `pivots`, `per_leg`
/// candles a leg, each with a small wick.
fn zigzag(tf: Timeframe, pivots: &[f64], per_leg: usize) -> Vec<Candle> {
    let legs: Vec<(f64, usize)> = pivots.iter().map(|p| (*p, per_leg)).collect();
    path(tf, &legs)
}

/// Candles of `tf` from the first pivot to each next one in its number of
/// candles.
fn path(tf: Timeframe, legs: &[(f64, usize)]) -> Vec<Candle> {
    let mut closes = vec![legs[0].0];
    for w in legs.windows(2) {
        let ((from, _), (to, n)) = (w[0], w[1]);
        for k in 1..=n {
            closes.push(from + (to - from) * k as f64 / n as f64);
        }
    }
    let d = |x: f64| Decimal::from_f64(x).unwrap().round_dp(4);
    closes
        .windows(2)
        .enumerate()
        .map(|(i, w)| Candle {
            open_time: Timestamp::from_ms(i as i64 * tf.duration_ms()),
            open: d(w[0]),
            high: d(w[0].max(w[1]) + WICK),
            low: d(w[0].min(w[1]) - WICK),
            close: d(w[1]),
            volume: Decimal::from(10),
        })
        .collect()
}

/// What the strategy decided on each candle: its reason, and whether it
/// placed an entry (a non-reduce-only order). `position` gives the
/// position held before each candle (by index).
fn decide(
    s: &mut dyn Strategy,
    tf: Timeframe,
    candles: &[Candle],
    position: impl Fn(usize) -> Decimal,
) -> Vec<(Option<NoTradeReason>, bool)> {
    decide_with(s, tf, candles, position, &RiskState::default())
}

fn decide_with(
    s: &mut dyn Strategy,
    tf: Timeframe,
    candles: &[Candle],
    position: impl Fn(usize) -> Decimal,
    risk: &RiskState,
) -> Vec<(Option<NoTradeReason>, bool)> {
    let inst = instrument();
    let mut out = Vec::new();
    candles
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut portfolio = PortfolioSnapshot {
                equity: Decimal::from(10_000),
                ..PortfolioSnapshot::default()
            };
            portfolio.positions = vec![PositionSnapshot {
                qty: position(i),
                ..PositionSnapshot::default()
            }];
            let ctx = StrategyContext {
                candle: c,
                instrument: &inst,
                instrument_index: InstrumentIndex::new(0),
                timeframe: tf,
                now: c.open_time + tf.duration_ms(),
                portfolio: &portfolio,
                risk,
            };
            out.clear();
            s.on_candle(&ctx, &mut out);
            let entry = out
                .iter()
                .any(|i| matches!(i, Intent::Place(o) if !o.reduce_only));
            (s.no_trade_reason(), entry)
        })
        .collect()
}

fn small() -> DetectorConfig {
    DetectorConfig {
        internal_length: 2,
        swing_length: 2,
        atr_period: 3,
        ..DetectorConfig::default()
    }
}

fn config(bias: Timeframe, confirm: &[Timeframe]) -> SmcConfig {
    SmcConfig {
        bias_timeframe: bias,
        confirm_timeframes: confirm.to_vec(),
        detectors: small(),
        ..SmcConfig::default()
    }
}

fn smc(bias: Timeframe, confirm: &[Timeframe]) -> SmcStrategy {
    SmcStrategy::new(config(bias, confirm))
}

/// A 5m uptrend (15 one-minute candles a leg), then a 1m pullback whose
/// lower lows break the 1m structure down but stay far above the last 5m
/// swing low (130): the 5m trend stays up.
fn pullback() -> Vec<Candle> {
    let mut up = vec![(100.0, 1)];
    for k in 0..8 {
        let b = 100.0 + 6.0 * k as f64;
        up.extend([(b + 8.0, 15), (b + 5.0, 15)]);
    }
    up.extend([(152.0, 15), (130.0, 15), (170.0, 15)]);
    up.extend([(165.0, 3), (168.0, 3), (162.0, 3), (166.0, 3), (158.0, 3)]);
    up.extend([(163.0, 3), (155.0, 3), (160.0, 3), (152.0, 3)]);
    path(Timeframe::M1, &up)
}

use NoTradeReason::*;

fn flat(_: usize) -> Decimal {
    Decimal::ZERO
}

fn reasons(d: &[(Option<NoTradeReason>, bool)]) -> Vec<Option<NoTradeReason>> {
    d.iter().map(|(r, _)| *r).collect()
}

fn entries(d: &[(Option<NoTradeReason>, bool)]) -> Vec<usize> {
    (d.iter().enumerate())
        .filter(|(_, (_, e))| *e)
        .map(|(i, _)| i)
        .collect()
}

/// A rising zigzag: higher highs and higher lows.
const RISING: [f64; 10] = [
    100.0, 108.0, 104.0, 112.0, 107.0, 116.0, 111.0, 120.0, 115.0, 124.0,
];

#[test]
fn warming_up_then_an_entry_then_pending_then_in_position() {
    let candles = zigzag(Timeframe::M1, &RISING, 3);
    let d = decide(&mut smc(Timeframe::M1, &[]), Timeframe::M1, &candles, flat);
    let first = entries(&d)[0];
    assert!(first > 0);
    // Before the first break of the bias frame there is no swing high and
    // low yet: warming up, never "no bias".
    assert!(
        d[..first].iter().all(|x| *x == (Some(WarmingUp), false)),
        "{d:?}"
    );
    // The candle that placed the entry gives no reason.
    assert_eq!(d[first].0, None);
    // The entry waits for its retest (30 candles by default): pending.
    assert!(
        d[first + 1..]
            .iter()
            .all(|x| *x == (Some(EntryPending), false)),
        "{d:?}"
    );
    // Filled on the next candle: in position from then on.
    let filled = |i: usize| {
        if i > first {
            Decimal::ONE
        } else {
            Decimal::ZERO
        }
    };
    let d = decide(
        &mut smc(Timeframe::M1, &[]),
        Timeframe::M1,
        &candles,
        filled,
    );
    assert!(
        d[first + 1..]
            .iter()
            .all(|x| *x == (Some(InPosition), false)),
        "{d:?}"
    );
}

#[test]
fn a_bearish_bias_without_shorts_enters_nothing() {
    let falling: Vec<f64> = RISING.iter().map(|x| 300.0 - x).collect();
    let candles = zigzag(Timeframe::M1, &falling, 3);
    let d = decide(&mut smc(Timeframe::M1, &[]), Timeframe::M1, &candles, flat);
    let warm = d.iter().take_while(|x| x.0 == Some(WarmingUp)).count();
    assert!(warm > 0 && warm < d.len());
    assert!(
        d[warm..]
            .iter()
            .all(|x| *x == (Some(ShortsNotAllowed), false)),
        "{d:?}"
    );
    // The same candles with shorts allowed: the bearish zone is entered.
    let mut shorts = SmcStrategy::new(SmcConfig {
        allow_short: Some(true),
        ..config(Timeframe::M1, &[])
    });
    let d = decide(&mut shorts, Timeframe::M1, &candles, flat);
    assert_eq!(entries(&d), vec![warm]);
    assert!(!reasons(&d).contains(&Some(ShortsNotAllowed)));
}

#[test]
fn a_range_without_a_break_has_no_bias() {
    let range = [
        100.0, 104.0, 100.0, 104.0, 100.0, 104.0, 100.0, 104.0, 100.0,
    ];
    let candles = zigzag(Timeframe::M1, &range, 3);
    let d = decide(&mut smc(Timeframe::M1, &[]), Timeframe::M1, &candles, flat);
    let warm = d.iter().take_while(|x| x.0 == Some(WarmingUp)).count();
    assert!(warm > 0 && warm < d.len());
    // Swing highs and lows exist, nothing breaks them: no bias.
    assert!(
        d[warm..].iter().all(|x| *x == (Some(NoBias), false)),
        "{d:?}"
    );
}

#[test]
fn a_zone_at_or_below_zero_cannot_be_sized() {
    let below: Vec<f64> = RISING.iter().map(|x| x - 200.0).collect();
    let d = decide(
        &mut smc(Timeframe::M1, &[]),
        Timeframe::M1,
        &zigzag(Timeframe::M1, &below, 3),
        flat,
    );
    assert!(entries(&d).is_empty());
    let unusable: Vec<usize> = (reasons(&d).iter().enumerate())
        .filter(|(_, r)| **r == Some(ZoneUnusable))
        .map(|(i, _)| i)
        .collect();
    assert!(!unusable.is_empty(), "{d:?}");
    // Between the zones, no zone formed: no_zone (no pending entry either,
    // since none was placed).
    assert!(reasons(&d).contains(&Some(NoZone)));
    // The same shape at positive prices enters where the first zone was.
    let d = decide(
        &mut smc(Timeframe::M1, &[]),
        Timeframe::M1,
        &zigzag(Timeframe::M1, &RISING, 3),
        flat,
    );
    assert_eq!(entries(&d)[0], unusable[0]);
}

#[test]
fn a_pullback_breaks_against_the_bias_or_disagrees_with_a_confirming_frame() {
    let candles = pullback();
    let quick = |confirm: Vec<Timeframe>| {
        SmcStrategy::new(SmcConfig {
            entry_expiry_bars: 3,
            ..config(Timeframe::M5, &confirm)
        })
    };
    let n = candles.len();
    // The 5m bias alone: still up, but the 1m structure broke down.
    let d = decide(&mut quick(vec![]), Timeframe::M1, &candles, flat);
    assert!(
        d[n - 10..]
            .iter()
            .all(|x| *x == (Some(BreakAgainstBias), false)),
        "{d:?}"
    );
    // With the 1m frame confirming, its downtrend disagrees with the 5m.
    let d = decide(
        &mut quick(vec![Timeframe::M1]),
        Timeframe::M1,
        &candles,
        flat,
    );
    assert!(
        d[n - 10..]
            .iter()
            .all(|x| *x == (Some(BiasDisagrees), false)),
        "{d:?}"
    );
}

#[test]
fn after_an_expired_entry_no_zone_until_one_forms() {
    let candles = pullback();
    let mut s = SmcStrategy::new(SmcConfig {
        entry_expiry_bars: 3,
        ..config(Timeframe::M5, &[])
    });
    let d = decide(&mut s, Timeframe::M1, &candles, flat);
    let first = entries(&d)[0];
    assert_eq!(
        reasons(&d[first..first + 4]),
        vec![None, Some(EntryPending), Some(EntryPending), Some(NoZone)],
        "the entry expires on its third candle"
    );
}

#[test]
fn other_timeframes_are_no_decision_and_an_unbuildable_bias_is_no_bias() {
    let candles = zigzag(Timeframe::M1, &RISING, 3);
    let mut s = smc(Timeframe::M1, &[]);
    let d = decide(&mut s, Timeframe::M1, &candles[..3], flat);
    assert_eq!(d[0].0, Some(WarmingUp));
    // The strategy trades the first timeframe it sees; a 5m candle is none
    // of its decisions.
    let d = decide(&mut s, Timeframe::M5, &candles[3..4], flat);
    assert_eq!(d, vec![(None, false)]);
    // 45m candles cannot build a 1h bias.
    let mut s = smc(Timeframe::H1, &[]);
    let m45 = Timeframe::from_ms(45 * 60_000).unwrap();
    let d = decide(&mut s, m45, &zigzag(m45, &RISING, 3), flat);
    assert!(d.iter().all(|x| *x == (Some(NoBias), false)), "{d:?}");
}

#[test]
fn sma_cross_reports_warming_up_no_cross_in_position_and_breakers() {
    use smc_strategy::{SmaCross, SmaCrossConfig};
    let cfg = SmaCrossConfig {
        fast: 2,
        slow: 3,
        ..SmaCrossConfig::default()
    };
    // Falling, then rising: no cross while falling, an entry once the fast
    // average is above.
    let closes = [10.0, 9.0, 8.0, 7.0, 6.0, 8.0, 10.0, 12.0, 14.0];
    let legs: Vec<(f64, usize)> = closes.iter().map(|c| (*c, 1)).collect();
    let candles = path(Timeframe::M1, &legs);
    let mut s = SmaCross::new(cfg).unwrap();
    let d = decide(&mut s, Timeframe::M1, &candles, flat);
    let first = entries(&d)[0];
    assert_eq!(reasons(&d[..3]), vec![Some(WarmingUp); 3], "{d:?}");
    assert!(
        d[3..first].iter().all(|x| *x == (Some(NoCross), false)),
        "{d:?}"
    );
    assert_eq!(d[first].0, None);
    let held = |i: usize| {
        if i > first {
            Decimal::ONE
        } else {
            Decimal::ZERO
        }
    };
    let d = decide(
        &mut SmaCross::new(cfg).unwrap(),
        Timeframe::M1,
        &candles,
        held,
    );
    assert!(
        d[first + 1..]
            .iter()
            .all(|x| *x == (Some(InPosition), false))
    );
    // A tripped breaker: the strategy itself holds back.
    let halted = RiskState {
        trading_allowed: false,
        tripped_breakers: vec!["daily_loss".into()],
    };
    let mut s = SmaCross::new(cfg).unwrap();
    let d = decide_with(&mut s, Timeframe::M1, &candles, flat, &halted);
    assert!(
        d[3..].iter().all(|x| *x == (Some(BreakerTripped), false)),
        "{d:?}"
    );
}
