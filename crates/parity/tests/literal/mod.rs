//! Literal, slow versions of the structure indicators, written line by line
//! from the reference's algorithm (`shared/research/smc_reference_spec.md`,
//! §2–§6 and §9), with its quadratic scans, its list copies and its
//! pairwise elimination loop left as they are. They share no code with the
//! crate: the property tests compare the two on random series.
//!
//! Each returns the output columns in the reference's order, float32
//! columns widened to f64 (NaN for an empty cell).

// Literal on purpose: index loops as the reference reads.
#![allow(clippy::needless_range_loop)]

use smc_parity::{Ohlc, Swings};

/// Python's `min(a, b)` and `max(a, b)`: the first unless the second beats it.
fn py_min<T: PartialOrd>(a: T, b: T) -> T {
    if b < a { b } else { a }
}

fn py_max<T: PartialOrd>(a: T, b: T) -> T {
    if b > a { b } else { a }
}

/// §2: window `i-L+1 ..= i+L` from row 2L-1, then pairwise elimination of
/// consecutive same-type swings until nothing changes, then the synthetic
/// endpoints.
pub fn swings(o: &Ohlc, l: usize) -> Swings {
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
        let mut remove = vec![false; idx.len()];
        for k in 0..idx.len().saturating_sub(1) {
            let (a, b) = (idx[k], idx[k + 1]);
            if hl[a] == 1.0 && hl[b] == 1.0 {
                remove[k] |= o.high[a] < o.high[b];
                remove[k + 1] |= o.high[a] >= o.high[b];
            }
            if hl[a] == -1.0 && hl[b] == -1.0 {
                remove[k] |= o.low[a] > o.low[b];
                remove[k + 1] |= o.low[a] <= o.low[b];
            }
        }
        if !remove.contains(&true) {
            break;
        }
        for (k, &r) in remove.iter().enumerate() {
            if r {
                hl[idx[k]] = f64::NAN;
            }
        }
    }
    let idx: Vec<usize> = (0..n).filter(|&i| !hl[i].is_nan()).collect();
    if let (Some(&first), Some(&last)) = (idx.first(), idx.last()) {
        let (first_kind, last_kind) = (hl[first], hl[last]);
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

/// §3: gaps on the middle candle, optional join, first touch from i+2.
pub fn fvg(o: &Ohlc, join: bool) -> Vec<Vec<f64>> {
    let n = o.len();
    let (mut dir, mut top, mut bottom) = (vec![f64::NAN; n], vec![f64::NAN; n], vec![f64::NAN; n]);
    for i in 1..n.saturating_sub(1) {
        let bull = o.high[i - 1] < o.low[i + 1] && o.close[i] > o.open[i];
        let bear = o.low[i - 1] > o.high[i + 1] && o.close[i] < o.open[i];
        if bull || bear {
            let up = o.close[i] > o.open[i];
            dir[i] = if up { 1.0 } else { -1.0 };
            top[i] = if up { o.low[i + 1] } else { o.low[i - 1] };
            bottom[i] = if up { o.high[i - 1] } else { o.high[i + 1] };
        }
    }
    if join {
        for i in 0..n.saturating_sub(1) {
            if dir[i] == dir[i + 1] {
                top[i + 1] = py_max(top[i], top[i + 1]);
                bottom[i + 1] = py_min(bottom[i], bottom[i + 1]);
                (dir[i], top[i], bottom[i]) = (f64::NAN, f64::NAN, f64::NAN);
            }
        }
    }
    let mut mitigated = vec![f64::NAN; n];
    for i in 0..n {
        if dir[i].is_nan() {
            continue;
        }
        let hit = (i + 2..n).find(|&j| {
            if dir[i] == 1.0 {
                o.low[j] <= top[i]
            } else {
                o.high[j] >= bottom[i]
            }
        });
        mitigated[i] = hit.map_or(0.0, |j| j as f64);
    }
    vec![dir, top, bottom, mitigated]
}

/// §4: every window of four swings, the break scan from P2's row + 2, and
/// the quadratic cancellation loop over all earlier live candidates.
pub fn bos_choch(o: &Ohlc, s: &Swings, close_break: bool) -> Vec<Vec<f64>> {
    let n = o.len();
    let (mut bos, mut choch, mut level) = (vec![0i32; n], vec![0i32; n], vec![0f32; n]);
    let (mut levels, mut kinds, mut rows): (Vec<f64>, Vec<f64>, Vec<usize>) = Default::default();
    for i in 0..n {
        if s.high_low[i].is_nan() {
            continue;
        }
        levels.push(s.level[i]);
        kinds.push(s.high_low[i]);
        if levels.len() >= 4 {
            let m = levels.len();
            let (p1, p2, p3, p4) = (levels[m - 4], levels[m - 3], levels[m - 2], levels[m - 1]);
            let k = &kinds[m - 4..];
            let up = k == [-1.0, 1.0, -1.0, 1.0];
            let down = k == [1.0, -1.0, 1.0, -1.0];
            let r = rows[rows.len() - 2];
            bos[r] = if up && p1 < p3 && p3 < p2 && p2 < p4 {
                1
            } else {
                0
            };
            level[r] = if bos[r] != 0 { p2 as f32 } else { 0.0 };
            bos[r] = if down && p1 > p3 && p3 > p2 && p2 > p4 {
                -1
            } else {
                bos[r]
            };
            level[r] = if bos[r] != 0 { p2 as f32 } else { 0.0 };
            choch[r] = if up && p4 > p2 && p2 > p1 && p1 > p3 {
                1
            } else {
                0
            };
            level[r] = if choch[r] != 0 { p2 as f32 } else { level[r] };
            choch[r] = if down && p4 < p2 && p2 < p1 && p1 < p3 {
                -1
            } else {
                choch[r]
            };
            level[r] = if choch[r] != 0 { p2 as f32 } else { level[r] };
        }
        rows.push(i);
    }
    let mut broken = vec![0usize; n];
    let candidates: Vec<usize> = (0..n).filter(|&i| bos[i] != 0 || choch[i] != 0).collect();
    for &i in &candidates {
        let lv = f64::from(level[i]);
        let up = bos[i] == 1 || choch[i] == 1;
        let hit = (i + 2..n).find(|&j| match (up, close_break) {
            (true, true) => o.close[j] > lv,
            (true, false) => o.high[j] > lv,
            (false, true) => o.close[j] < lv,
            (false, false) => o.low[j] < lv,
        });
        if let Some(j) = hit {
            broken[i] = j;
            for k in 0..n {
                if (bos[k] != 0 || choch[k] != 0) && k < i && broken[k] >= j {
                    (bos[k], choch[k], level[k]) = (0, 0, 0.0);
                }
            }
        }
    }
    for i in 0..n {
        if (bos[i] != 0 || choch[i] != 0) && broken[i] == 0 {
            (bos[i], choch[i], level[i]) = (0, 0, 0.0);
        }
    }
    let nan_if_zero = |x: f64| if x != 0.0 { x } else { f64::NAN };
    vec![
        bos.iter().map(|&x| nan_if_zero(f64::from(x))).collect(),
        choch.iter().map(|&x| nan_if_zero(f64::from(x))).collect(),
        level.iter().map(|&x| nan_if_zero(f64::from(x))).collect(),
        broken.iter().map(|&x| nan_if_zero(x as f64)).collect(),
    ]
}

/// Per-row state of §5, shared by both passes.
#[derive(Default)]
struct ObState {
    ob: Vec<i32>,
    top: Vec<f32>,
    bottom: Vec<f32>,
    volume: Vec<f32>,
    percentage: Vec<f32>,
    mitigated: Vec<i64>,
    breaker: Vec<bool>,
    crossed: Vec<bool>,
}

/// §5: the two passes, each re-testing a copy of the whole active list on
/// every candle.
pub fn ob(o: &Ohlc, s: &Swings, close_mitigation: bool) -> Vec<Vec<f64>> {
    let n = o.len();
    let mut st = ObState {
        ob: vec![0; n],
        top: vec![0.0; n],
        bottom: vec![0.0; n],
        volume: vec![0.0; n],
        percentage: vec![0.0; n],
        mitigated: vec![0; n],
        breaker: vec![false; n],
        crossed: vec![false; n],
    };
    for dir in [1, -1] {
        ob_pass(o, s, close_mitigation, dir, &mut st);
    }
    let live = |i: usize| st.ob[i] != 0;
    let col = |f: &dyn Fn(usize) -> f64| {
        (0..n)
            .map(|i| if live(i) { f(i) } else { f64::NAN })
            .collect()
    };
    vec![
        col(&|i| f64::from(st.ob[i])),
        col(&|i| f64::from(st.top[i])),
        col(&|i| f64::from(st.bottom[i])),
        col(&|i| f64::from(st.volume[i])),
        col(&|i| st.mitigated[i] as f64),
        col(&|i| f64::from(st.percentage[i])),
    ]
}

fn ob_pass(o: &Ohlc, s: &Swings, cm: bool, dir: i32, st: &mut ObState) {
    let n = o.len();
    let swing_rows: Vec<usize> = (0..n)
        .filter(|&i| s.high_low[i] == f64::from(dir))
        .collect();
    let mut active: Vec<usize> = Vec::new();
    for i in 0..n {
        for idx in active.clone() {
            if st.breaker[idx] {
                let through = if dir == 1 {
                    o.high[i] > f64::from(st.top[idx])
                } else {
                    o.low[i] < f64::from(st.bottom[idx])
                };
                if through {
                    st.ob[idx] = 0;
                    (
                        st.top[idx],
                        st.bottom[idx],
                        st.volume[idx],
                        st.percentage[idx],
                    ) = (0.0, 0.0, 0.0, 0.0);
                    st.mitigated[idx] = 0;
                    let at = active.iter().position(|&x| x == idx).unwrap();
                    active.remove(at);
                }
            } else {
                let touched = match (dir, cm) {
                    (1, false) => o.low[i] < f64::from(st.bottom[idx]),
                    (1, true) => py_min(o.open[i], o.close[i]) < f64::from(st.bottom[idx]),
                    (_, false) => o.high[i] > f64::from(st.top[idx]),
                    (_, true) => py_max(o.open[i], o.close[i]) > f64::from(st.top[idx]),
                };
                if touched {
                    st.breaker[idx] = true;
                    st.mitigated[idx] = if dir == 1 { i as i64 - 1 } else { i as i64 };
                }
            }
        }
        let pos = swing_rows.partition_point(|&r| r < i);
        if pos == 0 {
            continue;
        }
        let last = swing_rows[pos - 1];
        let breaks = if dir == 1 {
            o.close[i] > o.high[last]
        } else {
            o.close[i] < o.low[last]
        };
        if !breaks || st.crossed[last] {
            continue;
        }
        st.crossed[last] = true;
        let row = ob_write(o, dir, last, i, st);
        active.push(row);
    }
}

/// §5.4–5.6: the block's row and fields for a break of swing `last` at `i`.
fn ob_write(o: &Ohlc, dir: i32, last: usize, i: usize, st: &mut ObState) -> usize {
    let default = i - 1;
    let (mut row, mut top, mut bottom) = if dir == 1 {
        (default, o.low[default], o.high[default])
    } else {
        (default, o.high[default], o.low[default])
    };
    if i - last > 1 {
        let seg: Vec<f64> = if dir == 1 {
            o.low[last + 1..i].to_vec()
        } else {
            o.high[last + 1..i].to_vec()
        };
        // numpy's min/max: NaN if any value is NaN.
        let extreme = seg.iter().fold(seg[0], |m, &x| {
            if m.is_nan() || x.is_nan() {
                f64::NAN
            } else if dir == 1 {
                m.min(x)
            } else {
                m.max(x)
            }
        });
        if let Some(k) = (0..seg.len()).rev().find(|&k| seg[k] == extreme) {
            row = last + 1 + k;
            (top, bottom) = (o.high[row], o.low[row]);
        }
    }
    let v = |k: usize| if i >= k { o.volume[i - k] } else { 0.0 };
    st.ob[row] = dir;
    st.top[row] = top as f32;
    st.bottom[row] = bottom as f32;
    st.volume[row] = (v(0) + v(1) + v(2)) as f32;
    let (low_v, high_v) = if dir == 1 {
        (v(2) as f32, (v(0) + v(1)) as f32)
    } else {
        ((v(0) + v(1)) as f32, v(2) as f32)
    };
    let max_v = py_max(high_v, low_v);
    st.percentage[row] = if max_v != 0.0 {
        py_min(high_v, low_v) / max_v * 100.0
    } else {
        100.0
    };
    row
}

/// §6: every swing scans every later candle for its sweep and every later
/// swing for its pool.
pub fn liquidity(o: &Ohlc, s: &Swings, range_percent: f64) -> Vec<Vec<f64>> {
    let n = o.len();
    let max_h = o
        .high
        .iter()
        .copied()
        .filter(|x| !x.is_nan())
        .reduce(f64::max);
    let min_l = o
        .low
        .iter()
        .copied()
        .filter(|x| !x.is_nan())
        .reduce(f64::min);
    let band = (max_h.unwrap_or(f64::NAN) - min_l.unwrap_or(f64::NAN)) * range_percent;
    let mut cols = vec![vec![f64::NAN; n]; 4];
    let mut hl = s.high_low.clone();
    for dir in [1.0, -1.0] {
        let rows: Vec<usize> = (0..n).filter(|&i| hl[i] == dir).collect();
        for &i in &rows {
            if hl[i] != dir {
                continue;
            }
            let (lo, hi) = (s.level[i] - band, s.level[i] + band);
            let swept = (i + 1..n)
                .find(|&j| {
                    if dir == 1.0 {
                        o.high[j] >= hi
                    } else {
                        o.low[j] <= lo
                    }
                })
                .unwrap_or(0);
            let (mut group, mut end) = (vec![s.level[i]], i);
            for &j in &rows {
                if j <= i {
                    continue;
                }
                if swept != 0 && j >= swept {
                    break;
                }
                if hl[j] == dir && lo <= s.level[j] && s.level[j] <= hi {
                    group.push(s.level[j]);
                    end = j;
                    hl[j] = 0.0;
                }
            }
            if group.len() > 1 {
                let mean = group.iter().sum::<f64>() / group.len() as f64;
                let values = [dir, mean, end as f64, swept as f64];
                for (c, v) in cols.iter_mut().zip(values) {
                    c[i] = f64::from(v as f32);
                }
            }
        }
    }
    cols
}

/// numpy's `round(x, 1)` on a float64: `rint(x * 10) / 10`.
fn np_round1(x: f64) -> f64 {
    (x * 10.0).round_ties_even() / 10.0
}

/// §9: the per-row loop, `np.roll` by one, then the warm-up clearing.
pub fn retracements(o: &Ohlc, s: &Swings) -> Vec<Vec<f64>> {
    let n = o.len();
    let (mut dir, mut cur, mut deep) = (vec![0i64; n], vec![0.0f64; n], vec![0.0f64; n]);
    let (mut top, mut bottom) = (0.0, 0.0);
    let prev = |i: usize| (i + n - 1) % n; // Python's dir[i - 1], wrapping at 0
    for i in 0..n {
        if s.high_low[i] == 1.0 {
            dir[i] = 1;
            top = s.level[i];
        } else if s.high_low[i] == -1.0 {
            dir[i] = -1;
            bottom = s.level[i];
        } else {
            dir[i] = if i > 0 { dir[i - 1] } else { 0 };
        }
        if dir[prev(i)] == 1 {
            let d: f64 = top - bottom;
            cur[i] = if d != 0.0 {
                np_round1(100.0 - ((o.low[i] - bottom) / d) * 100.0)
            } else {
                0.0
            };
            let carried = if i > 0 && dir[i - 1] == 1 {
                deep[i - 1]
            } else {
                0.0
            };
            deep[i] = py_max(carried, cur[i]);
        }
        if dir[i] == -1 {
            let d: f64 = bottom - top;
            cur[i] = if d != 0.0 {
                np_round1(100.0 - ((o.high[i] - top) / d) * 100.0)
            } else {
                0.0
            };
            let carried = if i > 0 && dir[i - 1] == -1 {
                deep[i - 1]
            } else {
                0.0
            };
            deep[i] = py_max(carried, cur[i]);
        }
    }
    if n > 0 {
        dir.rotate_right(1);
        cur.rotate_right(1);
        deep.rotate_right(1);
    }
    let mut changes = 0;
    for i in 0..n {
        if i + 1 == n {
            break;
        }
        if dir[i] != dir[i + 1] {
            changes += 1;
        }
        (dir[i], cur[i], deep[i]) = (0, 0.0, 0.0);
        if changes == 3 {
            (dir[i + 1], cur[i + 1], deep[i + 1]) = (0, 0.0, 0.0);
            break;
        }
    }
    vec![dir.iter().map(|&d| d as f64).collect(), cur, deep]
}
