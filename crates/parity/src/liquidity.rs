//! `liquidity` (reference spec §6): pools of swing highs (or lows) within a
//! band of each other, with the row where price swept the pool. The band is
//! a fraction of the whole series' range — global, hence lookahead — and all
//! four columns are float32, as in the reference.
//!
//! The reference scans every later candle for each swing's sweep and every
//! later swing for its pool (§12). Here one walk over the later swings does
//! both: each swing is preceded by the gap of candles since the previous
//! one, whose extreme is known, so a gap that does not reach the band's
//! edge proves the next swing comes before the sweep (a member candidate),
//! and the first gap that does holds the sweep. A pool costs one step per
//! swing it spans; the rare long spans switch to O(log) searches.

use crate::first_cross::{Cross, FirstCross, MinTree, block_min, le};
use crate::frame::{Frame, Values};
use crate::input::Ohlc;
use crate::swings::Swings;

pub fn liquidity(input: &Ohlc, swings: &Swings, range_percent: f64) -> Frame {
    let input = &*crate::align::candles(input);
    let swings = &*crate::align::swings(swings, input.len());
    let n = input.len();
    let [highs, lows] = swings.rows_by_kind();
    // §6.2: a sweep is the first later high reaching `level + band` (lows:
    // low at or below `level - band`). Highs are negated so that both sides
    // look for a value at or below a threshold.
    let gaps = [
        Gaps::new(&input.high, &highs, -1.0, Cross::AtOrAbove),
        Gaps::new(&input.low, &lows, 1.0, Cross::AtOrBelow),
    ];
    // §6.1: the band comes from the whole series' range (lookahead).
    let band = (-gaps[0].extreme - gaps[1].extreme) * range_percent;
    let mut out = Columns {
        liquidity: vec![f32::NAN; n],
        level: vec![f32::NAN; n],
        end: vec![f32::NAN; n],
        swept: vec![f32::NAN; n],
    };
    for (rows, gaps, dir) in [(&highs, &gaps[0], 1i8), (&lows, &gaps[1], -1)] {
        let levels: Vec<f64> = rows.iter().map(|&r| swings.level[r]).collect();
        pools(rows, &levels, gaps, dir, band, &mut out);
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

/// One side's candles seen from its swings, oriented by `sign` so that a
/// sweep is a value at or below a threshold: `after[k]` is the least
/// oriented value of the rows after swing k up to and including the next
/// swing's row (the last swing: to the end), NaN skipped (NaN if none).
struct Gaps<'a> {
    values: &'a [f64],
    rows: &'a [usize],
    sign: f64,
    cross: Cross,
    after: Vec<f64>,
    /// The oriented extreme of the whole series (pandas' `max()`/`min()`).
    extreme: f64,
    /// For long spans, built on first need.
    search: std::cell::OnceCell<FirstCross<'a>>,
}

impl<'a> Gaps<'a> {
    fn new(values: &'a [f64], rows: &'a [usize], sign: f64, cross: Cross) -> Self {
        let n = values.len();
        let after: Vec<f64> = (0..rows.len())
            .map(|k| {
                let end = rows.get(k + 1).map_or(n, |&next| next + 1);
                block_min(values.get(rows[k] + 1..end).unwrap_or(&[]), sign)
            })
            .collect();
        let head = rows.first().map_or(n, |&first| first + 1);
        // f64::min skips NaN, as pandas does.
        let extreme = after
            .iter()
            .fold(block_min(&values[..head], sign), |m, &x| m.min(x));
        Gaps {
            values,
            rows,
            sign,
            cross,
            after,
            extreme,
            search: std::cell::OnceCell::new(),
        }
    }

    /// The first row after swing k's row, up to the next swing's, whose
    /// oriented value is at or below `x`.
    fn first_in_gap(&self, k: usize, x: f64) -> Option<usize> {
        let from = self.rows[k] + 1;
        let end = self
            .rows
            .get(k + 1)
            .map_or(self.values.len(), |&next| next + 1);
        let gap = self.values.get(from..end)?;
        gap.iter()
            .position(|&v| self.sign * v <= x)
            .map(|j| from + j)
    }

    /// The first row at or after `from` whose oriented value is at or below
    /// `x`, with the unoriented `edge`: O(log distance).
    fn first_from(&self, from: usize, edge: f64) -> Option<usize> {
        self.search
            .get_or_init(|| FirstCross::new(self.values, self.cross))
            .first(from, edge)
    }
}

/// Swings walked one by one before switching to O(log) searches; a pool
/// rarely spans more.
const LINEAR: usize = 256;

/// §6.2–6.3: in row order, each unconsumed swing gathers (and consumes) the
/// later unconsumed swings whose level lies in `[level - band, level +
/// band]`, up to its sweep row; a group of two or more is a pool on the
/// first swing's row.
///
/// Levels become keys (negated for highs) so that the band's near edge —
/// the one price crosses to sweep — is always the lower bound. The walk
/// tests each later swing's gap for the sweep, then the swing itself for
/// membership. Past [`LINEAR`] swings the sweep comes from a first-crossing
/// search and the members from a min tree: before the sweep no swing can
/// pass the near edge (it would be the sweep), so the members are exactly
/// the swings at or below the far bound, each found in O(log distance) and
/// consumed. (Swings not made by `swing_highs_lows` may break that; the
/// near bound is still checked, so they stay correct.) The tree, built on
/// first need, learns of swings consumed meanwhile when it finds them.
fn pools(rows: &[usize], levels: &[f64], gaps: &Gaps, dir: i8, band: f64, out: &mut Columns) {
    let sign = -f64::from(dir);
    // NaN marks a consumed swing; a NaN level can neither join nor gather.
    let mut keys: Vec<f64> = levels.iter().map(|&x| sign * x).collect();
    let mut tree: Option<MinTree> = None;
    for a in 0..rows.len() {
        if keys[a].is_nan() {
            continue;
        }
        let level = levels[a];
        let (range_low, range_high) = (level - band, level + band);
        // Keys in [near, far], negation being exact.
        let (near, far) = if dir == 1 {
            (-range_high, -range_low)
        } else {
            (range_low, range_high)
        };
        let edge = if dir == 1 { range_high } else { range_low };
        let x = sign * edge;
        let mut group = Group {
            sum: level,
            count: 1,
            end: rows[a],
        };
        let mut take = |b: usize, keys: &mut [f64]| {
            keys[b] = f64::NAN;
            group.add(levels[b], rows[b]);
        };
        // Swing k's gap holds no sweep, so swing k + 1 precedes it.
        let mut k = a;
        let swept = loop {
            if gaps.after[k] <= x {
                break gaps.first_in_gap(k, x).unwrap_or(0);
            }
            let b = k + 1;
            if b == rows.len() {
                break 0;
            }
            if keys[b] >= near && keys[b] <= far {
                take(b, &mut keys);
            }
            k = b;
            if k - a < LINEAR {
                continue;
            }
            // A long span: the rest by search, from the row after swing k.
            let swept = gaps.first_from(rows[k] + 1, edge).unwrap_or(0);
            let stop = match swept {
                0 => rows.len(),
                swept => first_at_or_after(rows, k + 1, swept),
            };
            let tree = tree.get_or_insert_with(|| MinTree::new(&keys));
            let mut from = k + 1;
            while let Some(b) = tree.first(from, stop, far, le) {
                if keys[b].is_nan() {
                    tree.remove(b); // consumed by a walk
                    continue;
                }
                if keys[b] >= near {
                    take(b, &mut keys);
                    tree.remove(b);
                }
                from = b + 1;
            }
            break swept;
        };
        if group.count >= 2 {
            let i = rows[a];
            out.liquidity[i] = f32::from(dir);
            out.level[i] = (group.sum / group.count as f64) as f32;
            out.end[i] = group.end as f32;
            out.swept[i] = swept as f32;
        }
    }
}

/// The first position `p >= from` with `rows[p] >= row` (`rows` sorted),
/// galloping from `from`: O(log distance), and sweeps are usually near.
fn first_at_or_after(rows: &[usize], from: usize, row: usize) -> usize {
    let mut width = 1;
    while from + width <= rows.len() && rows[from + width - 1] < row {
        width *= 2;
    }
    // rows[..from + width / 2] are all < row.
    let lo = (from + width / 2).min(rows.len());
    let hi = (from + width).min(rows.len());
    lo + rows[lo..hi].partition_point(|&r| r < row)
}

/// A pool being gathered: Python's `sum(levels)` in order, the count and
/// the last member's row.
struct Group {
    sum: f64,
    count: usize,
    end: usize,
}

impl Group {
    fn add(&mut self, level: f64, row: usize) {
        self.sum += level;
        self.count += 1;
        self.end = row;
    }
}

#[cfg(test)]
mod tests {
    use super::first_at_or_after;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn galloping_agrees_with_a_scan(
            mut rows in prop::collection::vec(0usize..1000, 0..200),
            from in 0usize..201,
            row in 0usize..1001,
        ) {
            rows.sort_unstable();
            let from = from.min(rows.len());
            let expected = (from..rows.len()).find(|&p| rows[p] >= row).unwrap_or(rows.len());
            prop_assert_eq!(first_at_or_after(&rows, from, row), expected);
        }
    }
}
