//! `liquidity` (reference spec §6): pools of swing highs (or lows) within a
//! band of each other, with the row where price swept the pool. The band is
//! a fraction of the whole series' range — global, hence lookahead — and all
//! four columns are float32, as in the reference.
//!
//! The reference scans every later candle for each swing's sweep and every
//! later swing for its pool (§12). Here one walk over the later swings does
//! both: each swing is preceded by the gap of candles since the previous
//! one, whose extreme is known (one pass over the candles, `gaps.rs`), so
//! a gap that does not reach the band's edge proves the next swing comes
//! before the sweep (a member candidate), and the first gap that does
//! holds the sweep. A pool costs one step per eight swings it spans; the
//! rare long spans switch to O(log) searches.

mod gaps;

use crate::first_cross::{Cross, FirstCross, MinTree, first_of, le};
use crate::frame::{Frame, Values};
use crate::input::Ohlc;
use crate::swings::Swings;
use gaps::{PAD, Side};

pub fn liquidity(input: &Ohlc, swings: &Swings, range_percent: f64) -> Frame {
    let input = &*crate::align::candles(input);
    let swings = &*crate::align::swings(swings, input.len());
    let n = input.len();
    // §6.2: a sweep is the first later high reaching `level + band` (lows:
    // low at or below `level - band`). Highs are negated so that both sides
    // look for a value at or below a threshold.
    let sides = gaps::scan(&swings.high_low, &swings.level, &input.high, &input.low);
    // §6.1: the band comes from the whole series' range (lookahead).
    let band = (-sides[0].extreme - sides[1].extreme) * range_percent;
    // The pools first, their sweeps' rows after: the walk needs only the
    // gap holding a sweep, and the candle reads that find its row overlap
    // when they are not on the walk's path.
    let mut found = [pools(&sides[0], 1.0, band), pools(&sides[1], -1.0, band)];
    // Before the output columns are filled, while the candles may still be
    // in cache.
    let [high_pools, low_pools] = &mut found;
    for (side, values, found) in [
        (&sides[0], &input.high, high_pools),
        (&sides[1], &input.low, low_pools),
    ] {
        for pool in found.iter_mut() {
            pool.swept = pool
                .sweep
                .and_then(|(g, x)| first_in_gap(values, &side.rows, g, side.sign(), x))
                .unwrap_or(0);
        }
    }
    let mut liquidity = vec![f32::NAN; n];
    let mut level = vec![f32::NAN; n];
    let mut end = vec![f32::NAN; n];
    let mut swept = vec![f32::NAN; n];
    for (found, dir) in [(&found[0], 1.0), (&found[1], -1.0)] {
        for pool in found {
            let i = pool.row;
            liquidity[i] = dir;
            level[i] = pool.level;
            end[i] = pool.end as f32;
            swept[i] = pool.swept as f32;
        }
    }
    Frame::default()
        .with("Liquidity", Values::F32(liquidity))
        .with("Level", Values::F32(level))
        .with("End", Values::F32(end))
        .with("Swept", Values::F32(swept))
}

/// A pool found by the walk, its sweep still to be placed.
struct Pool {
    /// The first swing's row.
    row: usize,
    /// The mean of the members' levels, as float32.
    level: f32,
    /// The last member's row.
    end: usize,
    /// The gap holding the sweep and the oriented threshold, if swept.
    sweep: Option<(usize, f64)>,
    /// The sweep's row (0 if none).
    swept: usize,
}

/// Swings walked eight at a time before switching to O(log) searches; a
/// pool rarely spans more.
const LINEAR: usize = 32;

/// Members of a long span up to this many swings away are taken by a scan
/// of their keys, eight at a time; a min tree finds them further out.
const SCAN: usize = 64;

/// Eight swings per step of the walk.
const STEP: usize = 8;

/// §6.2–6.3: in row order, each unconsumed swing gathers (and consumes) the
/// later unconsumed swings whose level lies in `[level - band, level +
/// band]`, up to its sweep row; a group of two or more is a pool on the
/// first swing's row.
///
/// Levels become keys (negated for highs) so that the band's near edge —
/// the one price crosses to sweep — is always the lower bound. Swing k's
/// gap (the candles after it up to the next swing's row) holding no sweep
/// means swing k + 1 precedes the sweep, so the walk tests eight gaps and
/// the eight swings after them at once: the first gap that reaches the
/// edge holds the sweep, and the member swings before it are taken in
/// order. Past [`LINEAR`] swings the sweep's gap comes from a
/// first-crossing search over the gaps' extremes, and the members from a
/// scan of the keys up to it or, past [`SCAN`] swings, from a min tree:
/// before the sweep no swing can pass the near edge (it would be
/// the sweep), so the members are exactly the swings at or below the far
/// bound, each found in O(log distance) and consumed. (Swings not made by
/// `swing_highs_lows` may break that; the near bound is still checked, so
/// they stay correct.) The tree, built on first need, learns of swings
/// consumed meanwhile when it finds them.
fn pools(side: &Side, dir: f32, band: f64) -> Vec<Pool> {
    let (rows, levels, after) = (&side.rows[..], &side.levels[..], side.after());
    let m = rows.len();
    let sign = -f64::from(dir);
    let mut found = Vec::with_capacity(m / 2);
    // NaN marks a consumed swing; a NaN level can neither join nor gather.
    // Padded like `after`, so that eight keys can always be read.
    let mut keys: Vec<f64> = Vec::with_capacity(m + PAD + 1);
    keys.extend(levels.iter().map(|&x| sign * x));
    keys.resize(m + PAD + 1, f64::NAN);
    let mut tree: Option<MinTree> = None;
    let mut search: Option<FirstCross> = None;
    for a in 0..m {
        if keys[a].is_nan() {
            continue;
        }
        let level = levels[a];
        let (range_low, range_high) = (level - band, level + band);
        // Keys in [near, far], negation being exact.
        let (near, far) = if dir == 1.0 {
            (-range_high, -range_low)
        } else {
            (range_low, range_high)
        };
        let edge = if dir == 1.0 { range_high } else { range_low };
        let x = sign * edge;
        let mut group = Group {
            sum: level,
            count: 1,
            end: rows[a],
        };
        // Gaps k.. are untested; swings up to k are settled.
        let mut k = a;
        let swept = loop {
            let sweeps = mask(&after[k..k + STEP], |v| v <= x);
            let joins = mask(&keys[k + 1..k + 1 + STEP], |y| y >= near && y <= far);
            // Swing k + 1 + j precedes the sweep if gaps k..=k + j hold none.
            let before = sweeps.wrapping_sub(1) & !sweeps;
            let mut taken = joins & before;
            while taken != 0 {
                let b = k + 1 + taken.trailing_zeros() as usize;
                keys[b] = f64::NAN;
                group.add(levels[b], rows[b]);
                taken &= taken - 1;
            }
            if sweeps != 0 {
                break Some(k + sweeps.trailing_zeros() as usize);
            }
            k += STEP;
            if k >= m {
                break None;
            }
            if k - a < LINEAR {
                continue;
            }
            // A long span: the rest by search.
            let search =
                search.get_or_insert_with(|| FirstCross::new(&after[..m], Cross::AtOrBelow));
            let g = search.first(k, x);
            let stop = g.map_or(m, |g| g + 1);
            if stop - k <= SCAN {
                // The members among the next swings, eight at a time.
                for from in (k + 1..stop).step_by(STEP) {
                    let inside = u32::MAX >> (32 - (stop - from).min(STEP));
                    let mut taken =
                        inside & mask(&keys[from..from + STEP], |y| y >= near && y <= far);
                    while taken != 0 {
                        let b = from + taken.trailing_zeros() as usize;
                        keys[b] = f64::NAN;
                        group.add(levels[b], rows[b]);
                        taken &= taken - 1;
                    }
                }
                break g;
            }
            let tree = tree.get_or_insert_with(|| MinTree::new(&keys[..m]));
            let mut from = k + 1;
            while let Some(b) = tree.first(from, stop, far, le) {
                if keys[b].is_nan() {
                    tree.remove(b); // consumed by a walk
                    continue;
                }
                if keys[b] >= near {
                    keys[b] = f64::NAN;
                    group.add(levels[b], rows[b]);
                    tree.remove(b);
                }
                from = b + 1;
            }
            break g;
        };
        if group.count >= 2 {
            found.push(Pool {
                row: rows[a],
                level: (group.sum / group.count as f64) as f32,
                end: group.end,
                sweep: swept.map(|g| (g, x)),
                swept: 0,
            });
        }
    }
    found
}

/// Bit j set when `hit(values[j])`, for the (up to eight) values.
#[inline]
fn mask(values: &[f64], hit: impl Fn(f64) -> bool) -> u32 {
    values
        .iter()
        .take(STEP)
        .enumerate()
        .fold(0, |m, (j, &v)| m | (u32::from(hit(v)) << j))
}

/// The first row of swing g's gap (after its row, up to and including the
/// next swing's; the last swing's: to the end) whose oriented value is at
/// or below `x`, eight rows at a time.
fn first_in_gap(values: &[f64], rows: &[usize], g: usize, sign: f64, x: f64) -> Option<usize> {
    let from = rows[g] + 1;
    let end = rows.get(g + 1).map_or(values.len(), |&next| next + 1);
    let gap = values.get(from..end)?;
    gap.chunks(STEP)
        .enumerate()
        .find_map(|(c, chunk)| first_of(chunk, sign, x, le).map(|j| from + c * STEP + j))
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
