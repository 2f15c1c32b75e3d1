//! `liquidity`'s one pass over the candles: each side's swing rows and
//! levels, the extreme of the candles between consecutive swings (what
//! tells the walk whether a sweep has happened), and the whole series'
//! extremes (the band) — reading the swing marks, highs and lows once.
//!
//! The swing marks go by in blocks of 64 rows, turned into one bit mask per
//! side without a branch per row; each swing's gap is then reduced with
//! four running minima (its last four rows read again rather than a tail
//! loop), so a gap costs a few vector steps and one loop exit.

use crate::first_cross::block_min;

/// One side's swings, oriented by `sign` (-1 for highs, whose prices are
/// negated, so that both sides look for a value at or below a threshold).
pub(super) struct Side {
    /// The swing rows, ascending.
    pub rows: Vec<usize>,
    /// Each swing's level.
    pub levels: Vec<f64>,
    /// The gaps' extremes: the head (the rows up to and including the first
    /// swing's; all rows if none), then one per swing (see [`Side::after`]).
    gaps: Vec<f64>,
    /// The oriented extreme of the whole series (pandas' `max()`/`min()`).
    pub extreme: f64,
    sign: f64,
    /// The row after the last swing taken (where the open gap starts).
    from: usize,
}

/// Entries after the last real one in `after` (and the walk's keys).
pub(super) const PAD: usize = 8;

const BLOCK: usize = 64;

/// Both sides from the swing marks and the candles, all `n` long.
pub(super) fn scan(high_low: &[f64], level: &[f64], high: &[f64], low: &[f64]) -> [Side; 2] {
    let n = high_low.len();
    let guess = n / 16 + PAD;
    let mut sides = [Side::new(-1.0, guess), Side::new(1.0, guess)];
    let (marks, tail) = high_low.as_chunks::<BLOCK>();
    for (b, block) in marks.iter().enumerate() {
        scan_block(&mut sides, b * BLOCK, block, level, high, low);
    }
    if !tail.is_empty() {
        // The tail, padded with NaN: never a swing.
        let mut padded = [f64::NAN; BLOCK];
        padded[..tail.len()].copy_from_slice(tail);
        scan_block(&mut sides, marks.len() * BLOCK, &padded, level, high, low);
    }
    let [highs, lows] = &mut sides;
    highs.finish(high);
    lows.finish(low);
    sides
}

fn scan_block(
    sides: &mut [Side; 2],
    base: usize,
    high_low: &[f64; BLOCK],
    level: &[f64],
    high: &[f64],
    low: &[f64],
) {
    // One flag byte per row (a loop the compiler vectorises), then each
    // eight bytes' low bits gathered into one mask byte by a multiply.
    let mut flags = [0u8; BLOCK];
    for (f, &v) in flags.iter_mut().zip(high_low) {
        *f = u8::from(v == 1.0) | (u8::from(v == -1.0) << 1);
    }
    let (mut highs, mut lows) = (0u64, 0u64);
    for (w, word) in flags.as_chunks::<8>().0.iter().enumerate() {
        let x = u64::from_le_bytes(*word);
        highs |= gather(x & LOW_BITS) << (8 * w);
        lows |= gather((x >> 1) & LOW_BITS) << (8 * w);
    }
    let [h, l] = sides;
    h.block(base, highs, high, level);
    l.block(base, lows, low, level);
}

const LOW_BITS: u64 = 0x0101_0101_0101_0101;

/// The low bit of each byte of `x` (other bits clear), as one byte: the
/// multiply moves byte i's bit to bit 56 + i, with no carries.
#[inline]
fn gather(x: u64) -> u64 {
    x.wrapping_mul(0x0102_0408_1020_4080) >> 56
}

impl Side {
    fn new(sign: f64, capacity: usize) -> Self {
        Side {
            rows: Vec::with_capacity(capacity),
            levels: Vec::with_capacity(capacity),
            gaps: Vec::with_capacity(capacity + 1),
            extreme: f64::NAN,
            sign,
            from: 0,
        }
    }

    /// Takes the swings of one block, the bits of `marks`.
    fn block(&mut self, base: usize, mut marks: u64, values: &[f64], level: &[f64]) {
        while marks != 0 {
            let row = base + marks.trailing_zeros() as usize;
            // Closes the previous swing's gap (or the head).
            self.gaps.push(gap_min(&values[self.from..=row], self.sign));
            self.rows.push(row);
            self.levels.push(level[row]);
            self.from = row + 1;
            marks &= marks - 1;
        }
    }

    /// Closes the last gap, turns "+inf for none" into NaN (checking the
    /// rare minima that are +inf for the true +inf), the extreme, the pad.
    fn finish(&mut self, values: &[f64]) {
        let n = values.len();
        self.gaps.push(gap_min(&values[self.from..], self.sign));
        for (g, gap) in self.gaps.iter_mut().enumerate() {
            if *gap == f64::INFINITY {
                // Gap g runs from after swing g - 1 (or the start) to and
                // including swing g's row (or the end).
                let from = g.checked_sub(1).map_or(0, |k| self.rows[k] + 1);
                let to = self.rows.get(g).map_or(n, |&r| r + 1);
                *gap = block_min(&values[from..to], self.sign);
            }
        }
        // f64::min skips NaN, as pandas does.
        self.extreme = self.gaps.iter().fold(f64::NAN, |m, &x| m.min(x));
        self.gaps.resize(self.gaps.len() + PAD, f64::NAN);
    }

    /// `after()[k]`: the least oriented price after swing k's row up to and
    /// including the next swing's row (the last swing: to the end), NaN
    /// skipped (NaN if none), then [`PAD`] NaN entries, so that the walk
    /// reads eight at a time without a bound check.
    pub fn after(&self) -> &[f64] {
        &self.gaps[1..]
    }

    /// -1 for highs, 1 for lows.
    pub fn sign(&self) -> f64 {
        self.sign
    }
}

/// The least of a running minimum (never NaN) and `x`; a NaN `x` is
/// skipped.
#[inline]
fn least(m: f64, x: f64) -> f64 {
    if x < m { x } else { m }
}

/// The least oriented value of `values`, NaN and +inf read as +inf: four
/// running minima, the last four values read again instead of a tail loop
/// (a minimum does not mind duplicates).
#[inline]
fn gap_min(values: &[f64], sign: f64) -> f64 {
    let n = values.len();
    if n < 4 {
        return match n {
            0 => f64::INFINITY,
            // Rows 0, n / 2 and n - 1 cover one to three rows.
            _ => least(
                least(f64::INFINITY, sign * values[0]),
                least(
                    least(f64::INFINITY, sign * values[n / 2]),
                    sign * values[n - 1],
                ),
            ),
        };
    }
    let mut m = [f64::INFINITY; 4];
    let mut fold = |chunk: &[f64; 4]| {
        for (m, &x) in m.iter_mut().zip(chunk) {
            *m = least(*m, sign * x);
        }
    };
    let (chunks, _) = values.as_chunks::<4>();
    for chunk in chunks {
        fold(chunk);
    }
    if let Some(last) = values.last_chunk::<4>() {
        fold(last);
    }
    least(least(m[0], m[2]), least(m[1], m[3]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn same(a: f64, b: f64) -> bool {
        a == b || (a.is_nan() && b.is_nan())
    }

    fn price() -> impl Strategy<Value = f64> {
        prop_oneof![
            8 => (-50i32..50).prop_map(f64::from),
            2 => Just(f64::NAN),
            1 => Just(f64::INFINITY),
            1 => Just(f64::NEG_INFINITY),
        ]
    }

    proptest! {
        /// Rows, levels, every gap's extreme (NaN when it holds no number,
        /// +inf when +inf is its least) and the extremes, against a filter
        /// and a plain minimum per gap, on both sides of blocks and tails.
        #[test]
        fn scan_agrees_with_a_minimum_per_gap(
            rows in prop::collection::vec(
                (prop_oneof![Just(f64::NAN), Just(1.0), Just(-1.0), Just(0.0), Just(2.0)], price(), price()),
                0..300,
            ),
        ) {
            let high_low: Vec<f64> = rows.iter().map(|r| r.0).collect();
            let high: Vec<f64> = rows.iter().map(|r| r.1).collect();
            let low: Vec<f64> = rows.iter().map(|r| r.2).collect();
            let level: Vec<f64> = (0..rows.len()).map(|i| i as f64).collect();
            let n = rows.len();
            let [highs, lows] = scan(&high_low, &level, &high, &low);
            for (side, kind, values, sign) in [(&highs, 1.0, &high, -1.0), (&lows, -1.0, &low, 1.0)] {
                let want: Vec<usize> = (0..n).filter(|&i| high_low[i] == kind).collect();
                prop_assert_eq!(&side.rows, &want);
                prop_assert_eq!(&side.levels, &want.iter().map(|&i| i as f64).collect::<Vec<_>>());
                let oriented = |from: usize, to: usize| -> f64 {
                    let numbers = values[from..to].iter().map(|&v| sign * v).filter(|v| !v.is_nan());
                    numbers.reduce(f64::min).unwrap_or(f64::NAN)
                };
                let after = side.after();
                prop_assert_eq!(after.len(), want.len() + PAD);
                for (k, &r) in want.iter().enumerate() {
                    let end = want.get(k + 1).map_or(n, |&next| next + 1);
                    prop_assert!(same(after[k], oriented(r + 1, end)), "gap {}: {} vs {}", k, after[k], oriented(r + 1, end));
                }
                prop_assert!(after[want.len()..].iter().all(|x| x.is_nan()));
                prop_assert!(same(side.extreme, oriented(0, n)));
            }
        }
    }
}
