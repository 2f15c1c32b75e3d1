//! `retracements` (reference spec §9): how far price has retraced the last
//! swing leg, current and deepest, in percent with one decimal. Reproduces
//! the reference's up/down asymmetry, its one-row rotation (row 0 receives
//! the last candle's values) and its warm-up clearing.

use crate::frame::{Frame, Values};
use crate::input::Ohlc;
use crate::swings::Swings;

pub fn retracements(input: &Ohlc, swings: &Swings) -> Frame {
    let n = input.len();
    let mut dir = vec![0i64; n];
    let mut cur = vec![0.0f64; n];
    let mut deep = vec![0.0f64; n];
    let (mut top, mut bottom) = (0.0f64, 0.0f64);
    for i in 0..n {
        match swings.high_low[i] {
            1.0 => (dir[i], top) = (1, swings.level[i]),
            -1.0 => (dir[i], bottom) = (-1, swings.level[i]),
            _ => dir[i] = if i > 0 { dir[i - 1] } else { 0 },
        }
        // Row i-1, wrapping to the last row for i = 0 as the reference's
        // negative index does (still 0 there unless n = 1).
        let prev = (i + n - 1) % n;
        if dir[prev] == 1 {
            cur[i] = percent(input.low[i], bottom, top);
            let carried = if i > 0 && dir[i - 1] == 1 {
                deep[i - 1]
            } else {
                0.0
            };
            deep[i] = carried.max(cur[i]);
        }
        if dir[i] == -1 {
            cur[i] = percent(input.high[i], top, bottom);
            let carried = if dir[prev] == -1 { deep[prev] } else { 0.0 };
            deep[i] = carried.max(cur[i]);
        }
    }
    rotate_right(&mut dir);
    rotate_right(&mut cur);
    rotate_right(&mut deep);
    clear_warm_up(&mut dir, &mut cur, &mut deep);
    Frame::default()
        .with("Direction", Values::Int(dir))
        .with("CurrentRetracement%", Values::F64(cur))
        .with("DeepestRetracement%", Values::F64(deep))
}

/// `round(100 − (x − a)/(b − a)·100, 1)` in exactly the reference's order of
/// operations; 0 when the leg has no height.
fn percent(x: f64, a: f64, b: f64) -> f64 {
    if a == b {
        return 0.0;
    }
    round1(100.0 - ((x - a) / (b - a)) * 100.0)
}

/// Python's `round(x, 1)`: the decimal correctly rounded from the exact
/// binary value, ties to even. Away from a tie, rounding `10x` to the
/// nearest integer decides the same digit; near one (where `10x` itself may
/// be inexact) the exact decimal expansion decides.
pub fn round1(x: f64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    let y = x * 10.0;
    let distance_to_tie = (y.abs().fract() - 0.5).abs();
    if distance_to_tie > 1e-6 && y.abs() < 1e15 {
        return y.round() / 10.0;
    }
    // Rust formats the exact binary value with round-half-to-even.
    format!("{x:.1}").parse().unwrap_or(x)
}

fn rotate_right<T: Copy>(v: &mut [T]) {
    if !v.is_empty() {
        v.rotate_right(1);
    }
}

/// §9.6: clear rows from the top until the rotated direction has changed
/// three times; the row after the third change is cleared too.
fn clear_warm_up(dir: &mut [i64], cur: &mut [f64], deep: &mut [f64]) {
    let mut changes = 0;
    for i in 0..dir.len().saturating_sub(1) {
        if dir[i] != dir[i + 1] {
            changes += 1;
        }
        (dir[i], cur[i], deep[i]) = (0, 0.0, 0.0);
        if changes == 3 {
            (dir[i + 1], cur[i + 1], deep[i + 1]) = (0, 0.0, 0.0);
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::round1;

    #[test]
    fn rounds_like_python() {
        // Python: round(0.25, 1) == 0.2, round(0.35, 1) == 0.3 (0.35 is below
        // the tie in binary), round(0.45, 1) == 0.5, round(1.25, 1) == 1.2,
        // round(12.75, 1) == 12.8, round(0.05, 1) == 0.1, round(-0.25, 1) == -0.2.
        let cases = [
            (0.25, 0.2),
            (0.35, 0.3),
            (0.45, 0.5),
            (1.25, 1.2),
            (12.75, 12.8),
            (0.05, 0.1),
            (-0.25, -0.2),
        ];
        for (x, expected) in cases {
            assert_eq!(round1(x), expected, "round({x}, 1)");
        }
        assert_eq!(round1(33.333333), 33.3);
        assert_eq!(round1(-7.96), -8.0);
        assert_eq!(round1(99.94999), 99.9);
    }
}
