//! "The first row at or after `s` whose value crosses a threshold", answered
//! for many rows in one right-to-left pass. The reference library scans the
//! whole future for every pattern (quadratic); this answers each query in
//! O(log n) with O(n) memory.
//!
//! Scanning from the right, the stack holds the chain of prefix-minimum
//! records starting at the current row: each entry is the first row, going
//! right, whose value is lower than every value before it. The first row
//! whose value is `<= x` (or `< x`) is always one of those records, and
//! their values fall strictly from the top of the stack to the bottom, so a
//! binary search finds it. NaN values never qualify and are never pushed.

/// Prefix-minimum records of the rows pushed so far (pushed right to left).
#[derive(Debug, Default)]
pub struct FirstAtOrBelow {
    rows: Vec<usize>,
    values: Vec<f64>,
}

impl FirstAtOrBelow {
    pub fn with_capacity(n: usize) -> Self {
        FirstAtOrBelow {
            rows: Vec::with_capacity(n.min(1 << 16)),
            values: Vec::with_capacity(n.min(1 << 16)),
        }
    }

    /// Adds `row`, which must be left of every row pushed before.
    pub fn push(&mut self, row: usize, value: f64) {
        if value.is_nan() {
            return;
        }
        while self.values.last().is_some_and(|&v| v >= value) {
            self.values.pop();
            self.rows.pop();
        }
        self.rows.push(row);
        self.values.push(value);
    }

    /// The first pushed row (from the last pushed one rightwards) whose value
    /// is `<= x`, or `< x` when `strict`.
    pub fn first(&self, x: f64, strict: bool) -> Option<usize> {
        // Values increase from the bottom (index 0) to the top; the nearest
        // qualifying record is the highest index whose value qualifies.
        let qualifying = if strict {
            self.values.partition_point(|&v| v < x)
        } else {
            self.values.partition_point(|&v| v <= x)
        };
        qualifying.checked_sub(1).map(|i| self.rows[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn brute(values: &[f64], s: usize, x: f64, strict: bool) -> Option<usize> {
        (s..values.len()).find(|&j| {
            if strict {
                values[j] < x
            } else {
                values[j] <= x
            }
        })
    }

    proptest! {
        #[test]
        fn agrees_with_a_forward_scan(
            values in prop::collection::vec(prop_oneof![9 => (0i32..20).prop_map(f64::from), 1 => Just(f64::NAN)], 1..80),
            x in 0i32..21,
            strict in any::<bool>(),
        ) {
            let mut stack = FirstAtOrBelow::default();
            for s in (0..values.len()).rev() {
                stack.push(s, values[s]);
                prop_assert_eq!(stack.first(f64::from(x), strict), brute(&values, s, f64::from(x), strict));
            }
        }
    }
}
