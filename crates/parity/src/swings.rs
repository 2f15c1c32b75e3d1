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

    /// The rows of the swing highs and of the swing lows, in order.
    /// Each block of 64 rows becomes 64 flag bytes (1 high, 2 low) in a
    /// loop without branches, which the compiler vectorises; the flags are
    /// then read eight at a time as words, one step per swing. Swings are
    /// too irregular for a branch per row.
    pub(crate) fn rows_by_kind(&self) -> [Vec<usize>; 2] {
        let guess = self.high_low.len() / 16;
        let (mut highs, mut lows) = (Vec::with_capacity(guess), Vec::with_capacity(guess));
        let mut flags = [0u8; 64];
        for (c, chunk) in self.high_low.chunks(64).enumerate() {
            for (f, &v) in flags.iter_mut().zip(chunk) {
                *f = u8::from(v == 1.0) | (u8::from(v == -1.0) << 1);
            }
            // Rows past the chunk's end keep the previous chunk's flags:
            // clear them so that whole words can be read.
            flags[chunk.len()..].fill(0);
            for (w, word) in flags.chunks_exact(8).enumerate() {
                let mut x = u64::from_le_bytes([
                    word[0], word[1], word[2], word[3], word[4], word[5], word[6], word[7],
                ]);
                while x != 0 {
                    let byte = x.trailing_zeros() / 8;
                    let row = 64 * c + 8 * w + byte as usize;
                    if (x >> (8 * byte)) & 1 == 1 {
                        highs.push(row);
                    } else {
                        lows.push(row);
                    }
                    x &= !(0xff << (8 * byte));
                }
            }
        }
        [highs, lows]
    }
}

/// Computes the swings with the reference's `swing_length`.
pub fn swing_highs_lows(input: &Ohlc, swing_length: usize) -> Swings {
    let input = &*crate::align::candles(input);
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
/// Long runs of ties make those checks long (up to 2L per row), so past a
/// budget of comparisons the deques take over: O(n) whatever the data.
fn candidates(input: &Ohlc, length: usize) -> Vec<(usize, i8)> {
    let n = input.len();
    // The first candidate row, 2L-1, must leave L rows after it.
    if length == 0 || n < 3 * length {
        return Vec::new();
    }
    let (h, l) = (&input.high, &input.low);
    let mut budget = 8 * n;
    let mut out = Vec::with_capacity(n / 8);
    for i in 2 * length - 1..n - length {
        if is_extreme(h, i, length, &mut budget, |a, b| a >= b) {
            out.push((i, 1));
        } else if is_extreme(l, i, length, &mut budget, |a, b| a <= b) {
            out.push((i, -1));
        }
        if budget == 0 {
            return windowed(input, length);
        }
    }
    out
}

/// Whether `v[i]` beats (`at_least`) every value of the window
/// `i-L+1 ..= i+L`, spending one unit of `budget` per pair of neighbours.
#[inline]
fn is_extreme(
    v: &[f64],
    i: usize,
    length: usize,
    budget: &mut usize,
    at_least: impl Fn(f64, f64) -> bool,
) -> bool {
    let x = v[i];
    if !at_least(x, x) {
        return false; // NaN
    }
    for d in 1..length {
        *budget = budget.saturating_sub(1);
        if !at_least(x, v[i + d]) || !at_least(x, v[i - d]) {
            return false;
        }
    }
    at_least(x, v[i + length])
}

/// [`candidates`] with sliding-window extremes: one monotonic deque per
/// side over the window `e-2L+1 ..= e` as `e` advances; row `e-L` is the
/// window's candidate.
fn windowed(input: &Ohlc, length: usize) -> Vec<(usize, i8)> {
    let (h, l) = (&input.high, &input.low);
    let mut highs = Window::new(length, |a, b| a >= b);
    let mut lows = Window::new(length, |a, b| a <= b);
    let mut out = Vec::new();
    for e in 0..input.len() {
        highs.push(e, h[e]);
        lows.push(e, l[e]);
        let Some(i) = e.checked_sub(length).filter(|&i| i + 1 >= 2 * length) else {
            continue;
        };
        if highs.extreme(e) == Some(h[i]) {
            out.push((i, 1));
        } else if lows.extreme(e) == Some(l[i]) {
            out.push((i, -1));
        }
    }
    out
}

/// The extreme of the last `2L` values: a deque of (row, value) whose
/// values strictly decrease in `beats` order, and the last NaN's row.
struct Window<F> {
    width: usize,
    beats: F,
    deque: std::collections::VecDeque<(usize, f64)>,
    last_nan: Option<usize>,
}

impl<F: Fn(f64, f64) -> bool> Window<F> {
    fn new(length: usize, beats: F) -> Self {
        Window {
            width: 2 * length,
            beats,
            deque: std::collections::VecDeque::with_capacity(2 * length),
            last_nan: None,
        }
    }

    fn push(&mut self, row: usize, x: f64) {
        if x.is_nan() {
            self.last_nan = Some(row);
            return;
        }
        while self.deque.back().is_some_and(|&(_, y)| (self.beats)(x, y)) {
            self.deque.pop_back();
        }
        self.deque.push_back((row, x));
    }

    /// The extreme of rows `end+1-2L ..= end`, None if one of them is NaN.
    fn extreme(&mut self, end: usize) -> Option<f64> {
        let start = end + 1 - self.width;
        while self.deque.front().is_some_and(|&(row, _)| row < start) {
            self.deque.pop_front();
        }
        if self.last_nan.is_some_and(|row| row >= start) {
            return None;
        }
        self.deque.front().map(|&(_, x)| x)
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The deques agree with the direct checks, ties and NaN included.
        #[test]
        fn windowed_agrees_with_direct_checks(
            bars in prop::collection::vec((0u8..4, 0u8..4, prop::bool::weighted(0.02)), 0..400),
            length in 1usize..12,
        ) {
            let mut input = Ohlc::default();
            for &(h, l, nan) in &bars {
                input.high.push(if nan { f64::NAN } else { f64::from(h) + 4.0 });
                input.low.push(f64::from(l));
                input.close.push(0.0);
            }
            let n = input.len();
            let mut direct = Vec::new();
            if n >= 3 * length {
                let mut budget = usize::MAX;
                for i in 2 * length - 1..n - length {
                    if is_extreme(&input.high, i, length, &mut budget, |a, b| a >= b) {
                        direct.push((i, 1));
                    } else if is_extreme(&input.low, i, length, &mut budget, |a, b| a <= b) {
                        direct.push((i, -1));
                    }
                }
            }
            prop_assert_eq!(windowed(&input, length), direct);
        }
    }

    proptest! {
        /// The bit-mask split agrees with a plain filter, any marks at all.
        #[test]
        fn rows_by_kind_agrees_with_a_filter(
            marks in prop::collection::vec(
                prop_oneof![Just(f64::NAN), Just(1.0), Just(-1.0), Just(0.0), Just(2.0)],
                0..400,
            ),
        ) {
            let s = Swings { level: vec![0.0; marks.len()], high_low: marks };
            let pick = |kind: f64| -> Vec<usize> {
                (0..s.high_low.len()).filter(|&i| s.high_low[i] == kind).collect()
            };
            prop_assert_eq!(s.rows_by_kind(), [pick(1.0), pick(-1.0)]);
        }
    }

    #[test]
    fn flat_series_fall_back_to_the_deques() {
        let n = 1000;
        let input = Ohlc {
            time: vec![0; n],
            open: vec![1.0; n],
            high: vec![2.0; n],
            low: vec![0.5; n],
            close: vec![1.0; n],
            volume: vec![0.0; n],
        };
        // Every row ties: all candidates are highs, collapsed to the first.
        let s = swing_highs_lows(&input, 50);
        let rows: Vec<usize> = s.points().map(|p| p.0).collect();
        assert_eq!(rows, vec![0, 99, n - 1]);
    }
}
