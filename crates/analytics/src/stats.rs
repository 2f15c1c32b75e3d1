//! Numerically careful building blocks shared by the metrics.
//!
//! Sums are compensated (Neumaier), so a long series of small returns keeps
//! its low digits; the variance is the corrected two-pass formula, which has
//! no catastrophic cancellation when the mean is large against the spread;
//! the quantile is numpy's default (`method="linear"`), bit for bit.

/// Σ x with Neumaier's compensation: the error does not grow with the
/// number of terms (to first order), unlike naive left-to-right addition.
pub fn sum(xs: impl IntoIterator<Item = f64>) -> f64 {
    let (mut s, mut c) = (0.0_f64, 0.0_f64);
    for x in xs {
        let t = s + x;
        // Recover the low-order bits lost by whichever operand was smaller.
        c += if s.abs() >= x.abs() {
            (s - t) + x
        } else {
            (x - t) + s
        };
        s = t;
    }
    s + c
}

/// Arithmetic mean; `None` for an empty slice.
pub fn mean(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| sum(xs.iter().copied()) / xs.len() as f64)
}

/// Variance with `ddof` delta degrees of freedom (numpy's `var(ddof=…)`):
/// Σ(x − m)² / (n − ddof), by the corrected two-pass algorithm (the second
/// term removes the rounding left in the mean). `None` when n ≤ ddof.
pub fn variance(xs: &[f64], ddof: usize) -> Option<f64> {
    let n = xs.len();
    if n <= ddof {
        return None;
    }
    let m = mean(xs)?;
    let sq = sum(xs.iter().map(|x| (x - m) * (x - m)));
    let dev = sum(xs.iter().map(|x| x - m));
    Some(((sq - dev * dev / n as f64) / (n - ddof) as f64).max(0.0))
}

/// Standard deviation with `ddof` delta degrees of freedom.
pub fn std_dev(xs: &[f64], ddof: usize) -> Option<f64> {
    variance(xs, ddof).map(f64::sqrt)
}

/// The `p`-quantile (0 ≤ p ≤ 1) of an ascending slice, numpy's default
/// linear interpolation: h = (n − 1)·p, interpolating between the sorted
/// values at ⌊h⌋ and ⌊h⌋ + 1 exactly as numpy's `_lerp` does (from the
/// nearer end, so the result never leaves the bracket). `None` for an empty
/// slice or p outside [0, 1].
pub fn quantile_sorted(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() || !(0.0..=1.0).contains(&p) {
        return None;
    }
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor();
    let t = h - lo;
    // h ∈ [0, n − 1], so both indices are in range.
    let i = lo as usize;
    let a = sorted[i];
    let b = sorted[(i + 1).min(sorted.len() - 1)];
    let d = b - a;
    Some(if t >= 0.5 {
        b - d * (1.0 - t)
    } else {
        a + d * t
    })
}

/// The numbers of `xs` in ascending order (NaN-free input assumed; NaN
/// would sort last by `total_cmp` rather than panic).
pub fn sorted(xs: &[f64]) -> Vec<f64> {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compensated_sum_keeps_small_terms() {
        let xs = [1e16, 1.0, -1e16, 1.0];
        assert_eq!(sum(xs), 2.0);
        let tenth: Vec<f64> = vec![0.1; 10_000_000];
        assert!((sum(tenth) - 1e6).abs() < 1e-9);
    }

    #[test]
    fn variance_matches_textbook_and_large_offsets() {
        assert_eq!(variance(&[1.0, 2.0, 3.0, 4.0], 1), Some(5.0 / 3.0));
        assert_eq!(variance(&[1.0], 1), None);
        assert_eq!(variance(&[7.0], 0), Some(0.0));
        let shifted = [1e9 + 4.0, 1e9 + 7.0, 1e9 + 13.0, 1e9 + 16.0];
        assert_eq!(variance(&shifted, 1), Some(30.0));
    }

    #[test]
    fn quantile_like_numpy() {
        let s = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert_eq!(quantile_sorted(&s, 0.0), Some(1.0));
        assert_eq!(quantile_sorted(&s, 1.0), Some(10.0));
        assert_eq!(quantile_sorted(&s, 0.5), Some(3.0));
        // numpy.quantile([1,2,3,4,10], 0.9) == 7.6
        assert!((quantile_sorted(&s, 0.9).unwrap() - 7.6).abs() < 1e-12);
        assert_eq!(quantile_sorted(&[], 0.5), None);
        assert_eq!(quantile_sorted(&s, f64::NAN), None);
    }
}
