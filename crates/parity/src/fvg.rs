//! `fvg` (reference spec §3): fair value gaps of three candles, written on
//! the middle candle (a one-bar back-date), optionally joined when
//! consecutive, with the row of the first later touch of the near edge.

use crate::first_cross::{Cross, first_crossings};
use crate::frame::{Frame, Values};
use crate::input::Ohlc;

pub fn fvg(input: &Ohlc, join_consecutive: bool) -> Frame {
    let n = input.len();
    let (o, h, l, c) = (&input.open, &input.high, &input.low, &input.close);
    let mut dir = vec![f64::NAN; n];
    let mut top = vec![f64::NAN; n];
    let mut bottom = vec![f64::NAN; n];
    for i in 1..n.saturating_sub(1) {
        if c[i] > o[i] && h[i - 1] < l[i + 1] {
            (dir[i], top[i], bottom[i]) = (1.0, l[i + 1], h[i - 1]);
        } else if c[i] < o[i] && l[i - 1] > h[i + 1] {
            (dir[i], top[i], bottom[i]) = (-1.0, l[i - 1], h[i + 1]);
        }
    }
    if join_consecutive {
        // §3.2: a run of same-direction gaps collapses onto its last row,
        // whose zone is the hull of the run.
        for i in 0..n.saturating_sub(1) {
            if !dir[i].is_nan() && dir[i] == dir[i + 1] {
                top[i + 1] = top[i].max(top[i + 1]);
                bottom[i + 1] = bottom[i].min(bottom[i + 1]);
                (dir[i], top[i], bottom[i]) = (f64::NAN, f64::NAN, f64::NAN);
            }
        }
    }
    let mitigated = mitigation(input, &dir, &top, &bottom);
    Frame::default()
        .with("FVG", Values::F64(dir))
        .with("Top", Values::F64(top))
        .with("Bottom", Values::F64(bottom))
        .with("MitigatedIndex", Values::F64(mitigated))
}

/// §3.3: the first row j >= i+2 that touches the near edge (bullish:
/// `L[j] <= Top`; bearish: `H[j] >= Bottom`), 0 if none, NaN without a gap.
fn mitigation(input: &Ohlc, dir: &[f64], top: &[f64], bottom: &[f64]) -> Vec<f64> {
    let mut out = vec![f64::NAN; dir.len()];
    for (kind, cross, values, edge) in [
        (1.0, Cross::AtOrBelow, &input.low, top),
        (-1.0, Cross::AtOrAbove, &input.high, bottom),
    ] {
        let rows: Vec<usize> = (0..dir.len()).filter(|&i| dir[i] == kind).collect();
        let queries: Vec<(usize, f64)> = rows.iter().map(|&i| (i + 2, edge[i])).collect();
        for (&i, hit) in rows.iter().zip(first_crossings(values, &queries, cross)) {
            out[i] = hit.map_or(0.0, |j| j as f64);
        }
    }
    out
}
