//! `fvg` (reference spec §3): fair value gaps of three candles, written on
//! the middle candle (a one-bar back-date), optionally joined when
//! consecutive, with the row of the first later touch of the near edge.

use crate::first_cross::{Cross, first_crossings};
use crate::frame::{Frame, Values};
use crate::input::Ohlc;

pub fn fvg(input: &Ohlc, join_consecutive: bool) -> Frame {
    let input = &*crate::align::candles(input);
    let n = input.len();
    let mut dir = vec![f64::NAN; n];
    let mut top = vec![f64::NAN; n];
    let mut bottom = vec![f64::NAN; n];
    detect(input, &mut dir, &mut top, &mut bottom);
    if join_consecutive {
        // §3.2: a run of same-direction gaps collapses onto its last row,
        // whose zone is the hull of the run. (Gap edges are never NaN: a NaN
        // fails the gap test.)
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

/// §3.1: bullish when the middle candle closes up and `H[i-1] < L[i+1]`,
/// bearish when it closes down and `L[i-1] > H[i+1]`; never on a doji or on
/// the first and last rows.
fn detect(input: &Ohlc, dir: &mut [f64], top: &mut [f64], bottom: &mut [f64]) {
    let n = dir.len();
    if n < 3 {
        return;
    }
    let (o, c) = (&input.open[1..n - 1], &input.close[1..n - 1]);
    let (h_before, l_before) = (&input.high[..n - 2], &input.low[..n - 2]);
    let (h_after, l_after) = (&input.high[2..n], &input.low[2..n]);
    for k in 0..n - 2 {
        // Non-short-circuit `&`: one branch per row instead of four.
        let bull = (c[k] > o[k]) & (h_before[k] < l_after[k]);
        let bear = (c[k] < o[k]) & (l_before[k] > h_after[k]);
        if bull | bear {
            let i = k + 1;
            (dir[i], top[i], bottom[i]) = if bull {
                (1.0, l_after[k], h_before[k])
            } else {
                (-1.0, l_before[k], h_after[k])
            };
        }
    }
}

/// §3.3: the first row j >= i+2 that touches the near edge (bullish:
/// `L[j] <= Top`; bearish: `H[j] >= Bottom`), 0 if none, NaN without a gap.
fn mitigation(input: &Ohlc, dir: &[f64], top: &[f64], bottom: &[f64]) -> Vec<f64> {
    let mut out = vec![f64::NAN; dir.len()];
    let (mut bull, mut bear) = (Vec::new(), Vec::new());
    for (i, &d) in dir.iter().enumerate() {
        if d == 1.0 {
            out[i] = 0.0;
            bull.push((i + 2, top[i]));
        } else if d == -1.0 {
            out[i] = 0.0;
            bear.push((i + 2, bottom[i]));
        }
    }
    // A query starts two rows after its gap's row.
    first_crossings(&input.low, &bull, Cross::AtOrBelow, |q, j| {
        out[bull[q].0 - 2] = j as f64;
    });
    first_crossings(&input.high, &bear, Cross::AtOrAbove, |q, j| {
        out[bear[q].0 - 2] = j as f64;
    });
    out
}
