//! The one statistics kit of the workspace (analytics, risk, the
//! optimiser), numerically careful and computed as numpy and scipy do by
//! default, so that every figure can be checked against theirs.
//!
//! Sums are compensated (Neumaier), so a long series of small returns keeps
//! its low digits; the variance is the corrected two-pass formula, which has
//! no catastrophic cancellation when the mean is large against the spread;
//! the quantile is numpy's default (`method="linear"`), bit for bit;
//! skewness and kurtosis use the biased moment estimators (scipy's
//! defaults).

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
    // h ∈ [0, n − 1], so both indices are in range.
    let i = lo as usize;
    let next = sorted[(i + 1).min(sorted.len() - 1)];
    Some(lerp(sorted[i], next, h - lo))
}

/// numpy's `_lerp`: from `a` towards `b` by `t`, computed from the nearer
/// end, so the result never leaves the bracket.
fn lerp(a: f64, b: f64, t: f64) -> f64 {
    let d = b - a;
    if t >= 0.5 {
        b - d * (1.0 - t)
    } else {
        a + d * t
    }
}

/// The numbers of `xs` in ascending order (NaN-free input assumed; NaN
/// would sort last by `total_cmp` rather than panic).
pub fn sorted(xs: &[f64]) -> Vec<f64> {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    v
}

/// The `p`-quantile of `xs` in any order, as [`quantile_sorted`] computes
/// it, in O(n) by selection (reorders `xs`).
pub fn quantile(xs: &mut [f64], p: f64) -> Option<f64> {
    if xs.is_empty() || !(0.0..=1.0).contains(&p) {
        return None;
    }
    let h = (xs.len() - 1) as f64 * p;
    let lo = h.floor();
    let (_, &mut a, upper) = xs.select_nth_unstable_by(lo as usize, f64::total_cmp);
    // The next order statistic is the smallest value above position `lo`
    // (none at the top, where `h − lo` is 0).
    let b = upper.iter().copied().reduce(f64::min).unwrap_or(a);
    Some(lerp(a, b, h - lo))
}

/// Simple returns `v[t] / v[t−1] − 1` of a price or equity series.
pub fn simple_returns(values: &[f64]) -> Vec<f64> {
    values.windows(2).map(|w| w[1] / w[0] - 1.0).collect()
}

/// Central moment of order `k` about `mu`, divided by n (biased).
pub fn central_moment(xs: &[f64], mu: f64, k: i32) -> f64 {
    sum(xs.iter().map(|x| (x - mu).powi(k))) / xs.len() as f64
}

/// Mean, standard deviation (ddof 1), skewness and kurtosis of a series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moments {
    pub n: usize,
    pub mean: f64,
    /// Sample standard deviation (divisor n − 1).
    pub std: f64,
    /// γ3 = m3 / m2^1.5, central moments m_k = Σ(x − x̄)^k / n (scipy's
    /// `skew`).
    pub skew: f64,
    /// γ4 = m4 / m2², 3 for a normal distribution (not excess kurtosis;
    /// scipy's `kurtosis(fisher=False)`).
    pub kurtosis: f64,
}

impl Moments {
    /// `None` with fewer than two values or any non-finite value. A
    /// constant series has no shape: it counts as normal (skew 0,
    /// kurtosis 3).
    pub fn of(xs: &[f64]) -> Option<Moments> {
        let n = xs.len();
        if n < 2 || xs.iter().any(|x| !x.is_finite()) {
            return None;
        }
        let mean = mean(xs)?;
        let std = std_dev(xs, 1)?;
        let m2 = central_moment(xs, mean, 2);
        let (skew, kurtosis) = if m2 > 0.0 {
            let (m3, m4) = (central_moment(xs, mean, 3), central_moment(xs, mean, 4));
            (m3 / m2.powf(1.5), m4 / (m2 * m2))
        } else {
            (0.0, 3.0)
        };
        Some(Moments {
            n,
            mean,
            std,
            skew,
            kurtosis,
        })
    }

    /// Excess kurtosis (0 for a normal distribution).
    pub fn excess_kurtosis(&self) -> f64 {
        self.kurtosis - 3.0
    }
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

    #[test]
    fn quantile_by_selection_equals_the_sorted_one() {
        let xs = [4.0, 1.0, 10.0, 3.0, 2.0, 7.5, -1.25];
        let sorted = sorted(&xs);
        for k in 0..=20 {
            let p = k as f64 / 20.0;
            let mut v = xs.to_vec();
            assert_eq!(quantile(&mut v, p), quantile_sorted(&sorted, p), "p = {p}");
        }
        assert_eq!(quantile(&mut [], 0.5), None);
    }

    #[test]
    fn moments_of_a_known_sample() {
        let xs = [1.0, 2.0, 3.0, 4.0, 10.0];
        let m = Moments::of(&xs).unwrap();
        assert_eq!(m.mean, 4.0);
        assert!((m.std - 3.535_533_905_932_737_5).abs() < 1e-12);
        // scipy.stats.skew([1,2,3,4,10]) = 1.1384199576606167
        assert!((m.skew - 1.138_419_957_660_616_7).abs() < 1e-12);
        // scipy.stats.kurtosis([1,2,3,4,10]) = -0.21199999999999974
        assert!((m.excess_kurtosis() + 0.212).abs() < 1e-12);
        assert_eq!(Moments::of(&[1.0]), None);
        let flat = Moments::of(&[2.0, 2.0, 2.0]).unwrap();
        assert_eq!((flat.skew, flat.kurtosis), (0.0, 3.0));
        assert_eq!(simple_returns(&[100.0, 110.0, 99.0]).len(), 2);
    }
}
