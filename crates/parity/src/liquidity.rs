//! `liquidity` (reference spec §6): pools of swing highs (or lows) within a
//! band of each other, with the row where price swept the pool. The band is
//! a fraction of the whole series' range — global, hence lookahead — and all
//! four columns are float32, as in the reference.

use crate::first_cross::{Cross, first_crossings};
use crate::frame::{Frame, Values};
use crate::input::Ohlc;
use crate::swings::Swings;

pub fn liquidity(input: &Ohlc, swings: &Swings, range_percent: f64) -> Frame {
    let n = input.len();
    // §6.1: pandas' max/min skip NaN and give NaN when there is no number.
    let band = (nan_skipping(&input.high, |a, b| a > b) - nan_skipping(&input.low, |a, b| a < b))
        * range_percent;
    let mut out = Columns {
        liquidity: vec![f32::NAN; n],
        level: vec![f32::NAN; n],
        end: vec![f32::NAN; n],
        swept: vec![f32::NAN; n],
    };
    for dir in [1i8, -1] {
        let rows: Vec<usize> = swings
            .points()
            .filter(|&(row, kind)| kind == dir && row < n)
            .map(|(row, _)| row)
            .collect();
        let levels: Vec<f64> = rows.iter().map(|&r| swings.level[r]).collect();
        let sweeps = sweep_rows(input, &rows, &levels, dir, band);
        pools(&rows, &levels, &sweeps, dir, band, &mut out);
    }
    Frame::default()
        .with("Liquidity", Values::F32(out.liquidity))
        .with("Level", Values::F32(out.level))
        .with("End", Values::F32(out.end))
        .with("Swept", Values::F32(out.swept))
}

struct Columns {
    liquidity: Vec<f32>,
    level: Vec<f32>,
    end: Vec<f32>,
    swept: Vec<f32>,
}

/// The extreme of `values` by `better`, skipping NaN; NaN if none.
fn nan_skipping(values: &[f64], better: impl Fn(f64, f64) -> bool) -> f64 {
    values.iter().fold(
        f64::NAN,
        |m, &x| if m.is_nan() || better(x, m) { x } else { m },
    )
}

/// §6.2: for each swing i, the first j > i whose high reaches `level + band`
/// (lows: `low <= level - band`); 0 if none.
fn sweep_rows(input: &Ohlc, rows: &[usize], levels: &[f64], dir: i8, band: f64) -> Vec<usize> {
    let queries: Vec<(usize, f64)> = rows
        .iter()
        .zip(levels)
        .map(|(&i, &level)| {
            let edge = if dir == 1 { level + band } else { level - band };
            (i + 1, edge)
        })
        .collect();
    let (values, cross) = if dir == 1 {
        (&input.high, Cross::AtOrAbove)
    } else {
        (&input.low, Cross::AtOrBelow)
    };
    first_crossings(values, &queries, cross)
        .into_iter()
        .map(|hit| hit.unwrap_or(0))
        .collect()
}

/// §6.2–6.3: in row order, each unconsumed swing gathers (and consumes) the
/// later unconsumed swings whose level lies in `[level - band, level +
/// band]`, up to its sweep row; a group of two or more is a pool on the
/// first swing's row.
///
/// Levels are oriented (negated for lows) so that the band's near edge is
/// always the upper bound. Before the sweep no swing of the side can pass
/// that edge — it would be the sweep — so the members are exactly the
/// swings above the lower bound: a max tree finds each in O(log s) and
/// consumes it, O(s log s) in all. (Swings not made by `swing_highs_lows`
/// may break that; the upper bound is still checked, so they stay correct.)
fn pools(rows: &[usize], levels: &[f64], sweeps: &[usize], dir: i8, band: f64, out: &mut Columns) {
    let sign = f64::from(dir);
    let oriented: Vec<f64> = levels.iter().map(|&x| sign * x).collect();
    let mut tree = MaxTree::new(&oriented);
    let mut consumed = vec![false; rows.len()];
    for a in 0..rows.len() {
        if consumed[a] {
            continue;
        }
        let level = levels[a];
        let (range_low, range_high) = (level - band, level + band);
        // Oriented [lower, upper], negation being exact.
        let (lower, upper) = if dir == 1 {
            (range_low, range_high)
        } else {
            (-range_high, -range_low)
        };
        let stop = match sweeps[a] {
            0 => rows.len(),
            swept => rows.partition_point(|&r| r < swept),
        };
        let (mut sum, mut count, mut end) = (level, 1usize, rows[a]);
        let mut from = a + 1;
        while let Some(b) = tree.first_at_least(from, stop, lower) {
            if oriented[b] <= upper {
                consumed[b] = true;
                tree.remove(b);
                sum += levels[b];
                count += 1;
                end = rows[b];
            }
            from = b + 1;
        }
        if count >= 2 {
            let i = rows[a];
            out.liquidity[i] = f32::from(dir);
            out.level[i] = (sum / count as f64) as f32;
            out.end[i] = end as f32;
            out.swept[i] = sweeps[a] as f32;
        }
    }
}

/// A max segment tree over the swings' oriented levels. Removed swings hold
/// NaN like NaN levels: `f64::max` skips NaN, so a node is NaN only when its
/// whole span is, and `NaN >= bound` is false even for a -inf bound.
struct MaxTree {
    size: usize,
    node: Vec<f64>,
}

impl MaxTree {
    fn new(values: &[f64]) -> Self {
        let size = values.len().next_power_of_two();
        let mut node = vec![f64::NAN; 2 * size];
        node[size..size + values.len()].copy_from_slice(values);
        for k in (1..size).rev() {
            node[k] = node[2 * k].max(node[2 * k + 1]);
        }
        MaxTree { size, node }
    }

    fn remove(&mut self, leaf: usize) {
        let mut k = self.size + leaf;
        self.node[k] = f64::NAN;
        while k > 1 {
            k /= 2;
            self.node[k] = self.node[2 * k].max(self.node[2 * k + 1]);
        }
    }

    /// The first leaf in `from..to` holding a value `>= bound`.
    fn first_at_least(&self, from: usize, to: usize, bound: f64) -> Option<usize> {
        if from >= to || bound.is_nan() {
            return None;
        }
        self.descend(1, 0, self.size, from, to, bound)
    }

    fn descend(
        &self,
        k: usize,
        lo: usize,
        hi: usize,
        from: usize,
        to: usize,
        bound: f64,
    ) -> Option<usize> {
        let reaches = self.node[k] >= bound; // false for NaN
        if hi <= from || lo >= to || !reaches {
            return None;
        }
        if hi - lo == 1 {
            return Some(lo);
        }
        let mid = (lo + hi) / 2;
        self.descend(2 * k, lo, mid, from, to, bound)
            .or_else(|| self.descend(2 * k + 1, mid, hi, from, to, bound))
    }
}

#[cfg(test)]
mod tests {
    use super::MaxTree;

    #[test]
    fn tree_finds_the_first_value_at_least_the_bound() {
        let values = [1.0, 5.0, f64::NAN, 3.0, 7.0, 2.0];
        let mut tree = MaxTree::new(&values);
        assert_eq!(tree.first_at_least(0, 6, 4.0), Some(1));
        assert_eq!(tree.first_at_least(2, 6, 3.0), Some(3));
        assert_eq!(tree.first_at_least(2, 4, 4.0), None);
        tree.remove(1);
        assert_eq!(tree.first_at_least(0, 6, 4.0), Some(4));
        assert_eq!(tree.first_at_least(0, 6, f64::NAN), None);
        assert_eq!(tree.first_at_least(0, 6, f64::NEG_INFINITY), Some(0));
    }
}
