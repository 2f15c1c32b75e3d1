//! "The first row at or after `start` whose value crosses a threshold", the
//! query behind FVG mitigation, BOS/CHoCH breaks and liquidity sweeps. The
//! reference scans the whole future for every pattern (quadratic, spec §12).
//!
//! Here all queries of an indicator are answered together in one forward
//! sweep (they are known in advance and come in row order): a query joins a
//! heap of pending queries when the sweep reaches its start row, and each
//! row resolves the pending queries it crosses. The heap is ordered so that
//! its top is the query easiest to cross, so a row that does not cross the
//! top crosses none: one comparison per row, O(log q) per query, and rows
//! with nothing pending are skipped. O(n + q log q) in all cases.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

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

/// For each query `(start, x)` — given in non-decreasing `start` order —
/// the first row `j >= start` with `values[j]` crossing `x`, if any. NaN
/// values and NaN thresholds never cross (the reference's comparisons are
/// false on NaN). Out-of-order starts give wrong answers but never panic.
pub fn first_crossings(
    values: &[f64],
    queries: &[(usize, f64)],
    cross: Cross,
) -> Vec<Option<usize>> {
    // Orient everything as "below": `v > x` is `-v < -x`, exactly.
    let (sign, strict) = match cross {
        Cross::Below => (1.0, true),
        Cross::AtOrBelow => (1.0, false),
        Cross::Above => (-1.0, true),
        Cross::AtOrAbove => (-1.0, false),
    };
    if strict {
        sweep(values, queries, sign, |v, x| v < x)
    } else {
        sweep(values, queries, sign, |v, x| v <= x)
    }
}

fn sweep(
    values: &[f64],
    queries: &[(usize, f64)],
    sign: f64,
    hit: impl Fn(f64, f64) -> bool,
) -> Vec<Option<usize>> {
    let n = values.len();
    let mut out = vec![None; queries.len()];
    // Max-heap on the oriented threshold: the top is crossed first.
    let mut pending: BinaryHeap<(OrderedKey, Reverse<usize>)> = BinaryHeap::new();
    let mut next = 0; // queries[..next] have joined
    let mut j = 0;
    while j < n {
        if pending.is_empty() {
            // Nothing pending: jump to the next query's start.
            let Some(&(start, _)) = queries.get(next) else {
                break;
            };
            j = j.max(start);
            if j >= n {
                break;
            }
        }
        while let Some(&(start, x)) = queries.get(next) {
            if start > j {
                break;
            }
            if !x.is_nan() {
                pending.push((OrderedKey::of(sign * x), Reverse(next)));
            }
            next += 1;
        }
        let v = sign * values[j];
        while let Some(&(key, Reverse(id))) = pending.peek() {
            if !hit(v, key.value()) {
                break;
            }
            out[id] = Some(j);
            pending.pop();
        }
        j += 1;
    }
    out
}

/// A non-NaN f64 as an integer key with the same order (`-0.0 < 0.0`, which
/// no comparison with a value can tell apart), for heaps of thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct OrderedKey(u64);

impl OrderedKey {
    pub fn of(x: f64) -> Self {
        let bits = x.to_bits();
        OrderedKey(if bits >> 63 == 1 {
            !bits
        } else {
            bits | 1 << 63
        })
    }

    pub fn value(self) -> f64 {
        let bits = self.0;
        f64::from_bits(if bits >> 63 == 1 {
            bits & !(1 << 63)
        } else {
            !bits
        })
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

    proptest! {
        #[test]
        fn agrees_with_a_forward_scan(
            values in prop::collection::vec(value(), 0..2_000),
            mut queries in prop::collection::vec((0usize..2_100, value()), 0..200),
            cross in prop_oneof![Just(Cross::Below), Just(Cross::AtOrBelow), Just(Cross::Above), Just(Cross::AtOrAbove)],
        ) {
            queries.sort_by_key(|q| q.0);
            let fast = first_crossings(&values, &queries, cross);
            for (k, &(s, x)) in queries.iter().enumerate() {
                prop_assert_eq!(fast[k], brute(&values, s, x, cross), "query {:?}", (s, x));
            }
        }
    }

    #[test]
    fn keys_keep_the_order_of_floats() {
        let xs = [
            f64::NEG_INFINITY,
            -3.5,
            -0.0,
            0.0,
            1e-300,
            2.0,
            f64::INFINITY,
        ];
        for w in xs.windows(2) {
            assert!(OrderedKey::of(w[0]) < OrderedKey::of(w[1]));
        }
        for x in xs {
            assert_eq!(OrderedKey::of(x).value().to_bits(), x.to_bits());
        }
    }
}
