//! "The first row at or after `s` whose value crosses a threshold", the
//! query behind FVG mitigation, BOS/CHoCH breaks and liquidity sweeps. The
//! reference scans the whole future for every pattern (quadratic); here a
//! query scans forward a few rows (most patterns resolve within them) and
//! then skips whole blocks by their precomputed extreme, two levels deep, so
//! even a pattern that never resolves costs O(n / 4096) block checks.

const SMALL: usize = 64;
const LARGE: usize = 4096;

/// Block extremes over `values`: minima to find values below a threshold,
/// maxima to find values above one. NaN values never qualify.
pub struct Crossings<'a> {
    values: &'a [f64],
    below: bool,
    small: Vec<f64>,
    large: Vec<f64>,
}

impl<'a> Crossings<'a> {
    /// For queries "first value `<=` (or `<`) x" (`below`), or `>=`/`>`.
    pub fn new(values: &'a [f64], below: bool) -> Self {
        // Monomorphic selects rather than f64::min/max, so that the folds
        // vectorise; NaN never wins.
        fn blocks(v: &[f64], size: usize, below: bool) -> Vec<f64> {
            if below {
                v.chunks(size)
                    .map(|c| {
                        c.iter()
                            .fold(f64::INFINITY, |m, &x| if x < m { x } else { m })
                    })
                    .collect()
            } else {
                v.chunks(size)
                    .map(|c| {
                        c.iter()
                            .fold(f64::NEG_INFINITY, |m, &x| if x > m { x } else { m })
                    })
                    .collect()
            }
        }
        let small = blocks(values, SMALL, below);
        let large = blocks(&small, LARGE / SMALL, below);
        Crossings {
            values,
            below,
            small,
            large,
        }
    }

    /// The extreme of all values (NaN skipped): the minimum for `below`,
    /// else the maximum; infinite when there is no number.
    pub fn extreme(&self) -> f64 {
        if self.below {
            self.large
                .iter()
                .fold(f64::INFINITY, |m, &x| if x < m { x } else { m })
        } else {
            self.large
                .iter()
                .fold(f64::NEG_INFINITY, |m, &x| if x > m { x } else { m })
        }
    }

    /// The first row `j >= start` whose value crosses `x`.
    pub fn first(&self, start: usize, x: f64, strict: bool) -> Option<usize> {
        // One monomorphised scan per comparison keeps the inner loops tight.
        match (self.below, strict) {
            (true, false) => self.scan(start, |v| v <= x),
            (true, true) => self.scan(start, |v| v < x),
            (false, false) => self.scan(start, |v| v >= x),
            (false, true) => self.scan(start, |v| v > x),
        }
    }

    fn scan(&self, start: usize, hit: impl Fn(f64) -> bool) -> Option<usize> {
        let n = self.values.len();
        let row_in = |from: usize, to: usize| (from..to.min(n)).find(|&k| hit(self.values[k]));
        // The rest of the first small block, row by row.
        let mut j = start.next_multiple_of(SMALL).min(n);
        if let Some(k) = row_in(start, j) {
            return Some(k);
        }
        while j < n {
            if j.is_multiple_of(LARGE) && !hit(self.large[j / LARGE]) {
                j += LARGE;
            } else if !hit(self.small[j / SMALL]) {
                j += SMALL;
            } else {
                // The block's extreme crosses, so one of its rows does.
                return row_in(j, j + SMALL);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn brute(values: &[f64], s: usize, x: f64, below: bool, strict: bool) -> Option<usize> {
        (s..values.len()).find(|&j| match (below, strict) {
            (true, false) => values[j] <= x,
            (true, true) => values[j] < x,
            (false, false) => values[j] >= x,
            (false, true) => values[j] > x,
        })
    }

    proptest! {
        #[test]
        fn agrees_with_a_forward_scan(
            values in prop::collection::vec(prop_oneof![9 => (0i32..200).prop_map(f64::from), 1 => Just(f64::NAN)], 1..10_000),
            queries in prop::collection::vec((0usize..10_000, 0i32..201), 1..20),
            below in any::<bool>(),
            strict in any::<bool>(),
        ) {
            let c = Crossings::new(&values, below);
            for (s, x) in queries {
                let s = s % values.len();
                prop_assert_eq!(c.first(s, f64::from(x), strict), brute(&values, s, f64::from(x), below, strict));
            }
        }
    }
}
