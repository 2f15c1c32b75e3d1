//! The fast structure indicators against literal, quadratic versions written
//! straight from the spec (`shared/research/smc_reference_spec.md`), on
//! random series on a coarse tick grid (many ties) and random swing lengths:
//! what protects the port beyond the reference fixture.

#![allow(clippy::unwrap_used, clippy::expect_used)]
// The literal versions index like the spec reads, on purpose.
#![allow(clippy::needless_range_loop)]

use proptest::prelude::*;
use smc_parity::{Ohlc, Swings, bos_choch, fvg, liquidity, swings};

fn series(steps: &[(i8, u8, u8, bool)]) -> Ohlc {
    let mut o = Ohlc::default();
    let mut price = 1000i64;
    for (i, &(step, up, down, doji)) in steps.iter().enumerate() {
        let open = price;
        price = if doji {
            price
        } else {
            (price + i64::from(step)).max(10)
        };
        let high = open.max(price) + i64::from(up % 3);
        let low = open.min(price) - i64::from(down % 3);
        o.time.push(i as i64 * 60_000);
        o.open.push(open as f64);
        o.high.push(high as f64);
        o.low.push(low as f64);
        o.close.push(price as f64);
        o.volume.push(f64::from(up));
    }
    o
}

/// §2, literally: candidates, then repeated pairwise elimination of
/// consecutive same-type swings (keep the more extreme, the earlier on ties).
fn literal_swings(o: &Ohlc, l: usize) -> Swings {
    let n = o.len();
    let mut hl = vec![f64::NAN; n];
    if l > 0 && n >= 3 * l {
        for i in 2 * l - 1..n - l {
            let w = i + 1 - l..=i + l;
            if w.clone().all(|j| o.high[i] >= o.high[j]) {
                hl[i] = 1.0;
            } else if w.clone().all(|j| o.low[i] <= o.low[j]) {
                hl[i] = -1.0;
            }
        }
    }
    loop {
        let idx: Vec<usize> = (0..n).filter(|&i| !hl[i].is_nan()).collect();
        let mut changed = false;
        for w in idx.windows(2) {
            let (a, b) = (w[0], w[1]);
            if hl[a] != hl[b] || hl[a].is_nan() || hl[b].is_nan() {
                continue;
            }
            let drop_b = if hl[a] == 1.0 {
                o.high[b] <= o.high[a]
            } else {
                o.low[b] >= o.low[a]
            };
            if drop_b {
                hl[b] = f64::NAN
            } else {
                hl[a] = f64::NAN
            }
            changed = true;
        }
        if !changed {
            break;
        }
    }
    let idx: Vec<usize> = (0..n).filter(|&i| !hl[i].is_nan()).collect();
    if let (Some(&f), Some(&last)) = (idx.first(), idx.last()) {
        let (first_kind, last_kind) = (hl[f], hl[last]);
        hl[0] = -first_kind;
        hl[n - 1] = -last_kind;
    }
    let level = (0..n)
        .map(|i| match hl[i] {
            1.0 => o.high[i],
            -1.0 => o.low[i],
            _ => f64::NAN,
        })
        .collect();
    Swings {
        high_low: hl,
        level,
    }
}

/// §3.3, literally: scan forward from i+2 for the first touch.
fn literal_fvg_mitigation(o: &Ohlc, dir: &[f64], top: &[f64], bottom: &[f64]) -> Vec<f64> {
    (0..o.len())
        .map(|i| match dir[i] {
            1.0 => (i + 2..o.len())
                .find(|&j| o.low[j] <= top[i])
                .map_or(0.0, |j| j as f64),
            -1.0 => (i + 2..o.len())
                .find(|&j| o.high[j] >= bottom[i])
                .map_or(0.0, |j| j as f64),
            _ => f64::NAN,
        })
        .collect()
}

fn column(frame: &smc_parity::Frame, name: &str) -> Vec<f64> {
    let values = frame.column(name).unwrap();
    (0..frame.rows()).map(|r| values.get(r).unwrap()).collect()
}

fn same(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| (x.is_nan() && y.is_nan()) || (*x as f32) == (*y as f32))
}

/// §6, literally: every swing scans every later swing and candle.
fn literal_liquidity(o: &Ohlc, s: &Swings, range_percent: f64) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let n = o.len();
    let max_h = o.high.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let min_l = o.low.iter().copied().fold(f64::INFINITY, f64::min);
    let band = (max_h - min_l) * range_percent;
    let (mut liq, mut end, mut swept) = (vec![f64::NAN; n], vec![f64::NAN; n], vec![f64::NAN; n]);
    for dir in [1.0, -1.0] {
        let rows: Vec<usize> = (0..n).filter(|&i| s.high_low[i] == dir).collect();
        let mut consumed = vec![false; n];
        for &i in &rows {
            if consumed[i] {
                continue;
            }
            let lv = s.level[i];
            let (lo, hi) = (lv - band, lv + band);
            let sw = (i + 1..n)
                .find(|&j| {
                    if dir == 1.0 {
                        o.high[j] >= hi
                    } else {
                        o.low[j] <= lo
                    }
                })
                .unwrap_or(0);
            let mut last = i;
            let mut count = 1;
            for &j in rows.iter().filter(|&&j| j > i) {
                if sw != 0 && j >= sw {
                    break;
                }
                if !consumed[j] && lo <= s.level[j] && s.level[j] <= hi {
                    consumed[j] = true;
                    last = j;
                    count += 1;
                }
            }
            if count >= 2 {
                (liq[i], end[i], swept[i]) = (dir, last as f64, sw as f64);
            }
        }
    }
    (liq, end, swept)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn swings_equal_the_literal_algorithm(
        steps in prop::collection::vec((-4i8..=4, any::<u8>(), any::<u8>(), prop::bool::weighted(0.1)), 0..400),
        length in 1usize..9,
    ) {
        let o = series(&steps);
        let fast = swings::swing_highs_lows(&o, length);
        let slow = literal_swings(&o, length);
        prop_assert!(same(&fast.high_low, &slow.high_low));
        prop_assert!(same(&fast.level, &slow.level));
    }

    #[test]
    fn fvg_mitigation_equals_a_forward_scan(
        steps in prop::collection::vec((-4i8..=4, any::<u8>(), any::<u8>(), prop::bool::weighted(0.1)), 3..5000),
        join in any::<bool>(),
    ) {
        let o = series(&steps);
        let f = fvg::fvg(&o, join);
        let (dir, top, bottom) = (column(&f, "FVG"), column(&f, "Top"), column(&f, "Bottom"));
        prop_assert!(same(&column(&f, "MitigatedIndex"), &literal_fvg_mitigation(&o, &dir, &top, &bottom)));
    }

    #[test]
    fn liquidity_equals_the_literal_scan(
        steps in prop::collection::vec((-4i8..=4, any::<u8>(), any::<u8>(), prop::bool::weighted(0.1)), 0..3000),
        length in 1usize..6,
        range_bp in 1u32..500,
    ) {
        let o = series(&steps);
        let s = swings::swing_highs_lows(&o, length);
        let range_percent = f64::from(range_bp) / 10_000.0;
        let f = liquidity::liquidity(&o, &s, range_percent);
        let (liq, end, swept) = literal_liquidity(&o, &s, range_percent);
        prop_assert!(same(&column(&f, "Liquidity"), &liq));
        prop_assert!(same(&column(&f, "End"), &end));
        prop_assert!(same(&column(&f, "Swept"), &swept));
    }

    #[test]
    fn bos_choch_breaks_are_the_first_strict_crossing(
        steps in prop::collection::vec((-4i8..=4, any::<u8>(), any::<u8>(), prop::bool::weighted(0.1)), 0..3000),
        length in 1usize..6,
        close_break in any::<bool>(),
    ) {
        let o = series(&steps);
        let s = swings::swing_highs_lows(&o, length);
        let f = bos_choch::bos_choch(&o, &s, close_break);
        let (bos, choch, level, broken) =
            (column(&f, "BOS"), column(&f, "CHOCH"), column(&f, "Level"), column(&f, "BrokenIndex"));
        for b in 0..o.len() {
            let dir = if !bos[b].is_nan() { bos[b] } else { choch[b] };
            if dir.is_nan() {
                continue;
            }
            // A live signal's break is the first strict crossing from b+2.
            let j = broken[b] as usize;
            let crosses = |k: usize| {
                let (up, down) = if close_break { (o.close[k], o.close[k]) } else { (o.high[k], o.low[k]) };
                if dir == 1.0 { up > level[b] } else { down < level[b] }
            };
            prop_assert!(j >= b + 2 && crosses(j));
            prop_assert!((b + 2..j).all(|k| !crosses(k)));
        }
    }
}
