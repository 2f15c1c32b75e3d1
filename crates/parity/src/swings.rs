//! `swing_highs_lows` (reference spec §2): swing highs and lows, the base of
//! bos_choch, ob, liquidity and retracements.
//!
//! Quirks kept for parity: the window is `L-1` candles before the row and
//! `L` after it, the first candidate row is `2L-1`; an outside bar that is
//! both counts as a high; consecutive swings of one type collapse to the most
//! extreme (earliest on ties); rows 0 and n-1 get synthetic swings opposite
//! to the first and last real ones. This repaints: it looks `L` rows ahead.

use crate::frame::{Frame, Values};
use crate::input::Ohlc;

/// Swing points: `high_low` is 1 (high), -1 (low) or NaN; `level` the price.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Swings {
    pub high_low: Vec<f64>,
    pub level: Vec<f64>,
}

impl Swings {
    /// The reference's output columns `HighLow`, `Level`.
    pub fn into_frame(self) -> Frame {
        Frame::default()
            .with("HighLow", Values::F64(self.high_low))
            .with("Level", Values::F64(self.level))
    }

    /// Rows holding a swing, in order, with their type (1 or -1).
    pub fn points(&self) -> impl Iterator<Item = (usize, i8)> + '_ {
        self.high_low
            .iter()
            .enumerate()
            .filter_map(|(i, &h)| match h {
                1.0 => Some((i, 1)),
                -1.0 => Some((i, -1)),
                _ => None,
            })
    }
}

/// Computes the swings with the reference's `swing_length`.
pub fn swing_highs_lows(input: &Ohlc, swing_length: usize) -> Swings {
    let n = input.len();
    let mut out = Swings {
        high_low: vec![f64::NAN; n],
        level: vec![f64::NAN; n],
    };
    let kept = collapse_runs(input, &candidates(input, swing_length));
    let (Some(&(_, first_kind)), Some(&(_, last_kind))) = (kept.first(), kept.last()) else {
        return out;
    };
    for &(row, kind) in &kept {
        set(&mut out, input, row, kind);
    }
    // §2.3: synthetic endpoints, opposite to the first and last real swings.
    set(&mut out, input, 0, -first_kind);
    set(&mut out, input, n - 1, -last_kind);
    out
}

fn set(out: &mut Swings, input: &Ohlc, row: usize, kind: i8) {
    out.high_low[row] = f64::from(kind);
    out.level[row] = if kind == 1 {
        input.high[row]
    } else {
        input.low[row]
    };
}

/// Candidate rows (§2.1): `H[i]` is the maximum of rows `i-L+1 ..= i+L`
/// (a high), else `L[i]` is the minimum (a low). Checking the window from
/// the nearest neighbours outwards rejects almost every row after one or two
/// comparisons, which beats a sliding-window deque; NaN fails every
/// comparison, so a NaN in the window rejects the row, as in the reference.
fn candidates(input: &Ohlc, length: usize) -> Vec<(usize, i8)> {
    let n = input.len();
    // The first candidate row, 2L-1, must leave L rows after it.
    if length == 0 || n < 3 * length {
        return Vec::new();
    }
    let (h, l) = (&input.high, &input.low);
    let mut out = Vec::with_capacity(n / 8);
    for i in 2 * length - 1..n - length {
        if is_extreme(h, i, length, |a, b| a >= b) {
            out.push((i, 1));
        } else if is_extreme(l, i, length, |a, b| a <= b) {
            out.push((i, -1));
        }
    }
    out
}

/// Whether `v[i]` beats (`at_least`) every value of the window `i-L+1 ..= i+L`.
#[inline]
fn is_extreme(v: &[f64], i: usize, length: usize, at_least: impl Fn(f64, f64) -> bool) -> bool {
    let x = v[i];
    if !at_least(x, x) {
        return false; // NaN
    }
    for d in 1..length {
        if !at_least(x, v[i + d]) || !at_least(x, v[i - d]) {
            return false;
        }
    }
    at_least(x, v[i + length])
}

/// §2.2: keep one row per run of same-type candidates — the highest high or
/// lowest low, the earliest on ties.
fn collapse_runs(input: &Ohlc, candidates: &[(usize, i8)]) -> Vec<(usize, i8)> {
    let mut kept: Vec<(usize, i8)> = Vec::new();
    for &(row, kind) in candidates {
        match kept.last_mut() {
            Some(last) if last.1 == kind => {
                let better = if kind == 1 {
                    input.high[row] > input.high[last.0]
                } else {
                    input.low[row] < input.low[last.0]
                };
                if better {
                    last.0 = row;
                }
            }
            _ => kept.push((row, kind)),
        }
    }
    kept
}
