//! The feature vector of one setup, in [`super::FeatureSet`]'s order, from
//! the strategy's multi-timeframe analysis and [`FeatureState`] as of the
//! decision candle's close. Nothing here reads a candle after that close:
//! the analysers only hold closed candles, and the state is fed the same.

use super::state::{FeatureState, Last};
use super::{MAX_ATRS, MAX_BARS, WINDOWS};
use crate::kill_zone::{KillZone, in_kill_zone};
use smc_analysis::{Kind, MultiTimeframe, Scope, TimeframeAnalyzer};
use smc_model::Timeframe;

/// The setup the strategy decided: direction (1 long, -1 short) and prices.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Setup {
    pub side: i8,
    pub entry: f64,
    pub stop: f64,
    pub target: f64,
}

const HOUR_MS: i64 = 3_600_000;

/// The features of `setup` as of now (`state.now()`), in order.
pub fn extract(state: &FeatureState, mtf: &MultiTimeframe, setup: &Setup) -> Vec<f64> {
    let price = mtf.last_price().unwrap_or(setup.entry);
    let now = state.now();
    let mut out = Vec::with_capacity(100);
    for (tf, memory) in state.frames().iter().zip(state.memory()) {
        let Some(a) = mtf.analyzer(*tf) else {
            out.extend(missing_frame());
            continue;
        };
        let atr = a.atr();
        let tf_ms = tf.duration_ms();
        out.push(f64::from(a.trend(Scope::Swing)));
        out.push(f64::from(a.trend(Scope::Internal)));
        for kind in [Kind::Ob, Kind::Fvg] {
            for with in [true, false] {
                let (dist, age) = nearest_zone(a, kind, setup.side, with, price, now, *tf);
                out.push(atrs(dist, atr).abs());
                out.push(age);
            }
        }
        let pools = a.pools().iter().map(|p| p.level);
        let above = pools.clone().filter(|l| *l > price).reduce(f64::min);
        let below = pools.filter(|l| *l < price).reduce(f64::max);
        out.push(above.map_or(MAX_ATRS, |l| atrs(l - price, atr).abs()));
        out.push(below.map_or(MAX_ATRS, |l| atrs(price - l, atr).abs()));
        let position = a.range().map(|r| r.position(price));
        out.push(
            position
                .filter(|p| p.is_finite())
                .map_or(0.5, |p| p.clamp(0.0, 1.0)),
        );
        for last in [memory.bos, memory.choch, memory.sweep] {
            let (bars, dir) = since(last, now, tf_ms);
            out.push(bars);
            out.push(dir);
        }
    }
    let entry_atr = state
        .frames()
        .first()
        .and_then(|tf| mtf.analyzer(*tf))
        .map_or(f64::NAN, TimeframeAnalyzer::atr);
    push_clock(&mut out, now);
    for period in [Timeframe::D1, Timeframe::W1] {
        match mtf.previous_levels().last(period) {
            Some(l) => out.extend([
                1.0,
                atrs(l.high - price, entry_atr),
                atrs(l.low - price, entry_atr),
                flag(l.high_broken),
                flag(l.low_broken),
            ]),
            None => out.extend([0.0; 5]),
        }
    }
    let valid_atr = entry_atr.is_finite() && entry_atr > 0.0;
    out.push(if valid_atr && price > 0.0 {
        entry_atr / price
    } else {
        0.0
    });
    let closes: Vec<f64> = state.closes().iter().copied().collect();
    for w in WINDOWS {
        out.push(realised_vol(&closes, w));
    }
    for w in WINDOWS {
        out.push(window_return(&closes, w));
    }
    out.push(relative_volume(state));
    let risk = (setup.entry - setup.stop).abs();
    let reward = (setup.target - setup.entry).abs();
    out.push(f64::from(setup.side));
    out.push(atrs(risk, entry_atr).abs());
    out.push(atrs(reward, entry_atr).abs());
    out.push(if risk > 0.0 {
        (reward / risk).min(MAX_ATRS)
    } else {
        0.0
    });
    // Defensive: the model library refuses a non-finite feature, and a
    // bad candle (a zero price) must not stop a session.
    for x in &mut out {
        if !x.is_finite() {
            *x = 0.0;
        }
    }
    out
}

/// The values of a frame the strategy has no analyser for (never in
/// practice: every role's frame is analysed).
fn missing_frame() -> [f64; 19] {
    let mut v = [0.0; 19];
    for i in [2, 3, 4, 5, 6, 7, 8, 9, 10, 11] {
        v[i] = if i % 2 == 0 || i >= 10 {
            MAX_ATRS
        } else {
            MAX_BARS
        };
    }
    v[12] = 0.5;
    for i in [13, 15, 17] {
        v[i] = MAX_BARS;
    }
    v
}

/// Distance (price units, 0 inside) and age (bars of `tf`) of the nearest
/// active zone of `kind` facing the trade (`with`: same direction as the
/// side, support for a long) or against it.
fn nearest_zone(
    a: &TimeframeAnalyzer,
    kind: Kind,
    side: i8,
    with: bool,
    price: f64,
    now: i64,
    tf: Timeframe,
) -> (f64, f64) {
    let nearest = a
        .zones()
        .filter(|z| z.kind == kind && (z.direction == side) == with)
        .map(|z| {
            let d = if z.contains(price) {
                0.0
            } else {
                (price - z.top).abs().min((price - z.bottom).abs())
            };
            (d, z.formed_at)
        })
        .min_by(|x, y| x.0.total_cmp(&y.0).then(y.1.cmp(&x.1)));
    match nearest {
        Some((d, formed)) => (d, bars(now - formed, tf.duration_ms())),
        None => (f64::INFINITY, MAX_BARS),
    }
}

/// `distance / atr`, clipped to ±[`MAX_ATRS`]; without a usable ATR (or
/// distance) the cap.
fn atrs(distance: f64, atr: f64) -> f64 {
    if atr.is_finite() && atr > 0.0 && !distance.is_nan() {
        (distance / atr).clamp(-MAX_ATRS, MAX_ATRS)
    } else {
        MAX_ATRS
    }
}

fn bars(ms: i64, tf_ms: i64) -> f64 {
    (ms.max(0) as f64 / tf_ms as f64).min(MAX_BARS)
}

fn since(last: Last, now: i64, tf_ms: i64) -> (f64, f64) {
    last.map_or((MAX_BARS, 0.0), |(t, d)| {
        (bars(now - t, tf_ms), f64::from(d))
    })
}

fn flag(b: bool) -> f64 {
    if b { 1.0 } else { 0.0 }
}

/// Sessions by UTC hour of the decision: Asia [0, 7), London [7, 12), New
/// York [12, 21), none after; the kill-zone flag is the entry filter's
/// London open and New York zones ([`KillZone`]), so that the model and
/// `kill_zones` in the config mean the same hours. Fixed UTC hours:
/// daylight saving moves the real ones by an hour, which the model sees
/// as noise rather than a lookahead.
fn push_clock(out: &mut Vec<f64>, now: i64) {
    let hour = now.rem_euclid(24 * HOUR_MS) / HOUR_MS;
    out.push(flag(hour < 7));
    out.push(flag((7..12).contains(&hour)));
    out.push(flag((12..21).contains(&hour)));
    out.push(flag(in_kill_zone(
        &[KillZone::LondonOpen, KillZone::NewYork],
        now,
    )));
}

/// Standard deviation of the last `w` log returns (fewer at the start).
fn realised_vol(closes: &[f64], w: usize) -> f64 {
    let start = closes.len().saturating_sub(w + 1);
    let r: Vec<f64> = closes[start..]
        .windows(2)
        .filter(|p| p[0] > 0.0 && p[1] > 0.0)
        .map(|p| (p[1] / p[0]).ln())
        .collect();
    if r.len() < 2 {
        return 0.0;
    }
    let mean = r.iter().sum::<f64>() / r.len() as f64;
    (r.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (r.len() - 1) as f64).sqrt()
}

/// Log return over the last `w` bars (0 until there are `w + 1` closes).
fn window_return(closes: &[f64], w: usize) -> f64 {
    match (
        closes.len().checked_sub(w + 1).map(|i| closes[i]),
        closes.last(),
    ) {
        (Some(then), Some(now)) if then > 0.0 && *now > 0.0 => (now / then).ln(),
        _ => 0.0,
    }
}

/// The newest volume over the mean of the last [`super::VOLUME_WINDOW`].
fn relative_volume(state: &FeatureState) -> f64 {
    let v = state.volumes();
    let mean = v.iter().sum::<f64>() / v.len().max(1) as f64;
    match v.back() {
        Some(last) if mean > 0.0 => (last / mean).min(MAX_ATRS),
        _ => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_and_volatility_use_only_the_closes_given() {
        let closes = [100.0, 101.0, 102.0, 101.0, 103.0, 104.0];
        assert!((window_return(&closes, 5) - (104.0f64 / 100.0).ln()).abs() < 1e-12);
        assert_eq!(window_return(&closes, 20), 0.0, "too little history");
        assert!(realised_vol(&closes, 5) > 0.0);
        assert_eq!(realised_vol(&[1.0, 1.0, 1.0], 5), 0.0);
    }

    #[test]
    fn sessions_follow_the_utc_hour() {
        let mut v = Vec::new();
        push_clock(&mut v, 8 * HOUR_MS + 5);
        assert_eq!(v, [0.0, 1.0, 0.0, 1.0]);
        v.clear();
        push_clock(&mut v, 22 * HOUR_MS);
        assert_eq!(v, [0.0; 4]);
        // The kill zones are the entry filter's: 06:00 is in London open,
        // 09:00 no longer is; 13:00 is in New York's, 14:00 not.
        for (hour, in_zone) in [(6, 1.0), (9, 0.0), (13, 1.0), (14, 0.0)] {
            v.clear();
            push_clock(&mut v, hour * HOUR_MS);
            assert_eq!(v[3], in_zone, "{hour}:00");
        }
    }

    #[test]
    fn distances_are_capped_and_survive_a_zero_atr() {
        assert_eq!(atrs(5.0, 0.0), MAX_ATRS);
        assert_eq!(atrs(1e9, 1.0), MAX_ATRS);
        assert_eq!(atrs(-3.0, 1.5), -2.0);
    }
}
