//! "The first row at or after `start` whose value crosses a threshold", the
//! query behind FVG mitigation, BOS/CHoCH breaks and liquidity sweeps. The
//! reference scans the whole future for every pattern (quadratic, spec §12).
//!
//! Here the values are cut into runs of 8 rows and blocks of 64, with the
//! minimum of each run and a min tree of the block minima. A query tests
//! the rest of its own run, then its block's later runs (most patterns
//! resolve within a few candles), then climbs the tree from the next block
//! — spans of 1, 2, 4… blocks until one crosses — goes down to the first
//! block that crosses, and finds its first run and row that cross; each of
//! those steps tests up to eight values at once, without a branch. O(log
//! distance) per query after an O(n) build, with about n/7 floats of
//! memory; no query scans the future row by row. The same tree, over swings
//! instead of blocks, serves `liquidity`'s long spans.

/// Which values cross a threshold `x`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cross {
    /// `value < x`
    Below,
    /// `value <= x`
    AtOrBelow,
    /// `value > x`
    Above,
    /// `value >= x`
    AtOrAbove,
}

/// For each query `(start, x)`, the first row `j >= start` with `values[j]`
/// crossing `x`, reported as `found(query index, j)`; queries that never
/// cross are not reported.
pub fn first_crossings(
    values: &[f64],
    queries: &[(usize, f64)],
    cross: Cross,
    mut found: impl FnMut(usize, usize),
) {
    if queries.is_empty() {
        return;
    }
    let finder = FirstCross::new(values, cross);
    for (q, &(start, x)) in queries.iter().enumerate() {
        if let Some(j) = finder.first(start, x) {
            found(q, j);
        }
    }
}

/// Answers "the first row `j >= start` with `values[j]` crossing `x`" in
/// O(log distance). NaN values and NaN thresholds never cross (the
/// reference's comparisons are false on NaN).
pub struct FirstCross<'a> {
    values: &'a [f64],
    cross: Cross,
    /// +1, or -1 to turn "above" into "below": `v > x` is `-v < -x`.
    sign: f64,
    /// The oriented minimum of each run of [`SUB`] rows (NaN if none), so
    /// that a block is searched by its eight runs, not its 64 rows.
    subs: Vec<f64>,
    blocks: MinTree,
}

impl<'a> FirstCross<'a> {
    pub fn new(values: &'a [f64], cross: Cross) -> Self {
        let sign = match cross {
            Cross::Below | Cross::AtOrBelow => 1.0,
            Cross::Above | Cross::AtOrAbove => -1.0,
        };
        let subs: Vec<f64> = values.chunks(SUB).map(|c| block_min(c, sign)).collect();
        // f64::min skips NaN: a block is NaN only if all its runs are.
        let minima: Vec<f64> = subs
            .chunks(BLOCK / SUB)
            .map(|c| c.iter().fold(f64::NAN, |m, &x| m.min(x)))
            .collect();
        FirstCross {
            values,
            cross,
            sign,
            subs,
            blocks: MinTree::new(&minima),
        }
    }

    pub fn first(&self, start: usize, x: f64) -> Option<usize> {
        match self.cross {
            Cross::Below | Cross::Above => self.search(start, self.sign * x, lt),
            Cross::AtOrBelow | Cross::AtOrAbove => self.search(start, self.sign * x, le),
        }
    }

    /// [`FirstCross::first`] with the oriented threshold and comparison:
    /// the rest of the start's run, then the rest of its block run by run,
    /// then the first block that crosses (by the tree), its first run that
    /// does, and the row.
    fn search(&self, start: usize, x: f64, hit: impl Fn(f64, f64) -> bool + Copy) -> Option<usize> {
        let n = self.values.len();
        if start >= n {
            return None;
        }
        let (sub, block) = (start / SUB, start / BLOCK);
        if hit(self.subs[sub], x) {
            let end = ((sub + 1) * SUB).min(n);
            if let Some(j) = first_of(&self.values[start..end], self.sign, x, hit) {
                return Some(start + j);
            }
        }
        if hit(self.blocks.leaf(block), x) {
            let subs_end = ((block + 1) * (BLOCK / SUB)).min(self.subs.len());
            if let Some(s) = first_of(&self.subs[sub + 1..subs_end], 1.0, x, hit) {
                return self.in_sub(sub + 1 + s, x, hit);
            }
        }
        // A block whose minimum crosses holds a run that does, which holds
        // a row that does.
        let block = self.blocks.first(block + 1, usize::MAX, x, hit)?;
        let first_sub = block * (BLOCK / SUB);
        let subs_end = (first_sub + BLOCK / SUB).min(self.subs.len());
        let s = first_of(&self.subs[first_sub..subs_end], 1.0, x, hit)?;
        self.in_sub(first_sub + s, x, hit)
    }

    /// The first row of run `sub` that crosses `x`.
    fn in_sub(&self, sub: usize, x: f64, hit: impl Fn(f64, f64) -> bool) -> Option<usize> {
        let from = sub * SUB;
        let to = (from + SUB).min(self.values.len());
        first_of(&self.values[from..to], self.sign, x, hit).map(|j| from + j)
    }
}

/// The position of the first of up to eight values whose oriented value
/// crosses `x`: all tested at once without a branch, then the lowest bit.
#[inline]
pub(crate) fn first_of(
    values: &[f64],
    sign: f64,
    x: f64,
    hit: impl Fn(f64, f64) -> bool,
) -> Option<usize> {
    let mask = values
        .iter()
        .take(SUB)
        .enumerate()
        .fold(0u32, |m, (k, &v)| m | (u32::from(hit(sign * v, x)) << k));
    (mask != 0).then(|| mask.trailing_zeros() as usize)
}

fn lt(v: f64, x: f64) -> bool {
    v < x
}

pub(crate) fn le(v: f64, x: f64) -> bool {
    v <= x
}

const BLOCK: usize = 64;

/// Rows per run under a block: eight, so that a run or a block's runs are
/// tested in one go.
const SUB: usize = 8;

/// A min tree over `values` whose leaves can be removed, answering "the
/// first leaf from `from` crossing `x`" for a comparison `hit` where a
/// smaller value crosses whenever a larger one does (`<`, `<=`). NaN
/// leaves (and removed ones) never cross: `f64::min` skips NaN, so a node
/// is NaN only when its whole span is, and `hit(NaN, x)` is false.
pub(crate) struct MinTree {
    /// Leaves, a power of two (at least 1).
    size: usize,
    /// Node k has children 2k and 2k+1; leaves at `size..`.
    node: Vec<f64>,
}

impl MinTree {
    pub(crate) fn new(values: &[f64]) -> Self {
        let size = values.len().next_power_of_two();
        let mut node = vec![f64::NAN; 2 * size];
        node[size..size + values.len()].copy_from_slice(values);
        // Level by level (nodes width..2 * width above their children at
        // 2 * width..4 * width), so that the minima run without index
        // checks, two at a time.
        let mut width = size / 2;
        while width > 0 {
            let (upper, lower) = node.split_at_mut(2 * width);
            for (parent, children) in upper[width..].iter_mut().zip(lower.chunks_exact(2)) {
                *parent = children[0].min(children[1]);
            }
            width /= 2;
        }
        MinTree { size, node }
    }

    /// The value of one leaf (NaN once removed).
    pub(crate) fn leaf(&self, leaf: usize) -> f64 {
        self.node[self.size + leaf]
    }

    /// The minimum of all leaves (NaN if none is a number).
    #[cfg(test)]
    pub(crate) fn min(&self) -> f64 {
        self.node[1]
    }

    pub(crate) fn remove(&mut self, leaf: usize) {
        let mut k = self.size + leaf;
        self.node[k] = f64::NAN;
        while k > 1 {
            k /= 2;
            let min = self.node[2 * k].min(self.node[2 * k + 1]);
            if min.to_bits() == self.node[k].to_bits() {
                break; // unchanged here, so above too
            }
            self.node[k] = min;
        }
    }

    /// The first leaf in `from..to` whose value crosses `x`. Searched
    /// bottom-up from `from`, so O(log distance).
    pub(crate) fn first(
        &self,
        from: usize,
        to: usize,
        x: f64,
        hit: impl Fn(f64, f64) -> bool,
    ) -> Option<usize> {
        let to = to.min(self.size);
        if from >= to {
            return None;
        }
        let (mut k, mut width) = (self.size + from, 1);
        loop {
            // The largest node whose span starts at the current leaf.
            while k % 2 == 0 {
                k /= 2;
                width *= 2;
            }
            if hit(self.node[k], x) {
                // Down to its first leaf that crosses.
                while k < self.size {
                    k *= 2;
                    if !hit(self.node[k], x) {
                        k += 1;
                    }
                }
                let leaf = k - self.size;
                return (leaf < to).then_some(leaf);
            }
            k += 1;
            // Past the right edge (k a power of two), or past `to`.
            if k.is_power_of_two() || k * width - self.size >= to {
                return None;
            }
        }
    }
}

/// The minimum of the oriented values, NaN skipped (NaN if none). Four
/// running minima, so that the compare-and-selects can run side by side.
pub(crate) fn block_min(values: &[f64], sign: f64) -> f64 {
    let mut m = [f64::INFINITY; 4];
    let mut chunks = values.chunks_exact(4);
    for chunk in chunks.by_ref() {
        for (m, &v) in m.iter_mut().zip(chunk) {
            let v = sign * v;
            *m = if v < *m { v } else { *m }; // NaN never wins
        }
    }
    for &v in chunks.remainder() {
        let v = sign * v;
        m[0] = if v < m[0] { v } else { m[0] };
    }
    let m = m[0].min(m[1]).min(m[2].min(m[3]));
    if m == f64::INFINITY && !values.iter().any(|&v| sign * v == m) {
        f64::NAN // no number at all: a leaf that never crosses
    } else {
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn brute(values: &[f64], s: usize, x: f64, cross: Cross) -> Option<usize> {
        (s..values.len()).find(|&j| match cross {
            Cross::Below => values[j] < x,
            Cross::AtOrBelow => values[j] <= x,
            Cross::Above => values[j] > x,
            Cross::AtOrAbove => values[j] >= x,
        })
    }

    fn value() -> impl Strategy<Value = f64> {
        prop_oneof![
            9 => (-100i32..100).prop_map(f64::from),
            1 => Just(f64::NAN),
            1 => Just(f64::INFINITY),
            1 => Just(-0.0),
        ]
    }

    /// Mostly values far from the thresholds, so that answers lie many
    /// blocks away (or nowhere) and the whole table is exercised.
    fn sparse_value() -> impl Strategy<Value = f64> {
        prop_oneof![
            200 => Just(1000.0),
            200 => Just(-1000.0),
            1 => (-100i32..100).prop_map(f64::from),
            1 => Just(f64::NAN),
        ]
    }

    fn cross() -> impl Strategy<Value = Cross> {
        prop_oneof![
            Just(Cross::Below),
            Just(Cross::AtOrBelow),
            Just(Cross::Above),
            Just(Cross::AtOrAbove)
        ]
    }

    proptest! {
        #[test]
        fn agrees_with_a_forward_scan(
            values in prop_oneof![
                prop::collection::vec(value(), 0..2_000),
                prop::collection::vec(sparse_value(), 0..20_000),
            ],
            queries in prop::collection::vec((0usize..20_100, value()), 0..200),
            cross in cross(),
        ) {
            let mut fast = vec![None; queries.len()];
            first_crossings(&values, &queries, cross, |q, j| {
                assert!(fast[q].is_none(), "query {q} reported twice");
                fast[q] = Some(j);
            });
            for (k, &(s, x)) in queries.iter().enumerate() {
                prop_assert_eq!(fast[k], brute(&values, s, x, cross), "query {:?}", (s, x));
            }
        }
    }

    fn le_or_lt(strict: bool) -> fn(f64, f64) -> bool {
        if strict { lt } else { le }
    }

    proptest! {
        #[test]
        fn tree_agrees_with_a_scan(
            mut values in prop::collection::vec(value(), 0..300),
            ops in prop::collection::vec((any::<bool>(), 0usize..310, 0usize..310, value(), any::<bool>()), 0..60),
        ) {
            let mut tree = MinTree::new(&values);
            for (remove, a, b, x, strict) in ops {
                if remove && a < values.len() {
                    tree.remove(a);
                    values[a] = f64::NAN;
                    continue;
                }
                let hit = le_or_lt(strict);
                let to = b.min(values.len());
                let expected = (a..to).find(|&k| hit(values[k], x));
                prop_assert_eq!(tree.first(a, b, x, hit), expected);
            }
            let min = values.iter().copied().filter(|v| !v.is_nan()).reduce(f64::min);
            let (got, want) = (tree.min(), min.unwrap_or(f64::NAN));
            prop_assert!(got == want || (got.is_nan() && want.is_nan()), "{} vs {}", got, want);
        }
    }
}
