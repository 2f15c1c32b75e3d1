//! `liquidity` (reference spec §6): pools of swing highs (or lows) within a
//! band of each other, with the row where price swept the pool. The band is
//! a fraction of the whole series' range — global, hence lookahead — and all
//! four columns are float32, as in the reference.

use crate::first_cross::{Cross, FirstCross, MinTree, le};
use crate::frame::{Frame, Values};
use crate::input::Ohlc;
use crate::swings::Swings;

pub fn liquidity(input: &Ohlc, swings: &Swings, range_percent: f64) -> Frame {
    let input = &*crate::align::candles(input);
    let swings = &*crate::align::swings(swings, input.len());
    let n = input.len();
    // §6.2: a sweep is the first later high reaching `level + band` (lows:
    // low at or below `level - band`).
    let sweeps = [
        FirstCross::new(&input.high, Cross::AtOrAbove),
        FirstCross::new(&input.low, Cross::AtOrBelow),
    ];
    // §6.1: the band comes from the whole series' range (lookahead).
    let band = (sweeps[0].extreme() - sweeps[1].extreme()) * range_percent;
    let mut out = Columns {
        liquidity: vec![f32::NAN; n],
        level: vec![f32::NAN; n],
        end: vec![f32::NAN; n],
        swept: vec![f32::NAN; n],
    };
    let sides = swings.rows_by_kind();
    for (k, dir) in [(0, 1i8), (1, -1)] {
        let rows = &sides[k];
        let levels: Vec<f64> = rows.iter().map(|&r| swings.level[r]).collect();
        pools(rows, &levels, &sweeps[k], dir, band, &mut out);
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

/// Up to this many swings before the sweep are scanned directly; longer
/// spans go through the tree.
const LINEAR: usize = 32;

/// §6.2–6.3: in row order, each unconsumed swing gathers (and consumes) the
/// later unconsumed swings whose level lies in `[level - band, level +
/// band]`, up to its sweep row; a group of two or more is a pool on the
/// first swing's row.
///
/// Levels become keys (negated for highs) so that the band's near edge —
/// the one price crosses to sweep — is always the lower bound. Before the
/// sweep no swing can pass that edge (it would be the sweep), so the
/// members are exactly the swings at or below the far bound: a min tree
/// finds each in O(log distance) and consumes it, O(s log s) in all.
/// (Swings not made by `swing_highs_lows` may break that; the near bound is
/// still checked, so they stay correct.) Short spans are scanned directly;
/// the tree, built on first need, learns of swings consumed meanwhile when
/// it finds them.
fn pools(
    rows: &[usize],
    levels: &[f64],
    sweeps: &FirstCross,
    dir: i8,
    band: f64,
    out: &mut Columns,
) {
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
        // Only swings that start a group need their sweep (0 if none).
        let edge = if dir == 1 { range_high } else { range_low };
        let swept = sweeps.first(rows[a] + 1, edge).unwrap_or(0);
        let stop = match swept {
            0 => rows.len(),
            swept => first_at_or_after(rows, a + 1, swept),
        };
        let mut group = Group {
            sum: level,
            count: 1,
            end: rows[a],
        };
        let mut take = |b: usize, keys: &mut [f64]| {
            keys[b] = f64::NAN;
            group.add(levels[b], rows[b]);
        };
        if stop <= a + 1 + LINEAR {
            for b in a + 1..stop {
                if keys[b] >= near && keys[b] <= far {
                    take(b, &mut keys);
                }
            }
        } else {
            let tree = tree.get_or_insert_with(|| MinTree::new(&keys));
            let mut from = a + 1;
            while let Some(b) = tree.first(from, stop, far, le) {
                if keys[b].is_nan() {
                    tree.remove(b); // consumed by a direct scan
                    continue;
                }
                if keys[b] >= near {
                    take(b, &mut keys);
                    tree.remove(b);
                }
                from = b + 1;
            }
        }
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
