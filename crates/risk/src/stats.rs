//! Descriptive statistics of return series, computed as numpy and scipy do
//! by default, so that our figures can be checked against theirs.

/// Simple close-to-close returns `p[t] / p[t-1] − 1`.
pub fn simple_returns(prices: &[f64]) -> Vec<f64> {
    prices.windows(2).map(|w| w[1] / w[0] - 1.0).collect()
}

/// Arithmetic mean; NaN for an empty slice.
pub fn mean(xs: &[f64]) -> f64 {
    if xs.is_empty() {
        return f64::NAN;
    }
    xs.iter().sum::<f64>() / xs.len() as f64
}

/// Central moment of order `k` about `mu`, divided by n (biased).
pub fn central_moment(xs: &[f64], mu: f64, k: i32) -> f64 {
    xs.iter().map(|x| (x - mu).powi(k)).sum::<f64>() / xs.len() as f64
}

/// Sample standard deviation (ddof 1, numpy's `std(ddof=1)`).
pub fn std_dev(xs: &[f64], mu: f64) -> f64 {
    if xs.len() < 2 {
        return f64::NAN;
    }
    (xs.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / (xs.len() - 1) as f64).sqrt()
}

/// Skewness with the biased moment estimator (`scipy.stats.skew` default).
pub fn skewness(xs: &[f64], mu: f64) -> f64 {
    let m2 = central_moment(xs, mu, 2);
    central_moment(xs, mu, 3) / m2.powf(1.5)
}

/// Excess kurtosis with the biased estimator (`scipy.stats.kurtosis` default).
pub fn excess_kurtosis(xs: &[f64], mu: f64) -> f64 {
    let m2 = central_moment(xs, mu, 2);
    central_moment(xs, mu, 4) / (m2 * m2) - 3.0
}

/// The `q`-quantile with linear interpolation between order statistics
/// (numpy's default `method="linear"`). Reorders `xs`; O(n) by selection.
pub fn quantile_linear(xs: &mut [f64], q: f64) -> f64 {
    let n = xs.len();
    if n == 0 || !(0.0..=1.0).contains(&q) {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * q;
    let lo = h.floor() as usize;
    let (_, &mut a, upper) = xs.select_nth_unstable_by(lo, f64::total_cmp);
    if lo + 1 >= n {
        return a;
    }
    // The next order statistic is the minimum of the part above `lo`.
    let b = upper.iter().copied().fold(f64::INFINITY, f64::min);
    a + (h - lo as f64) * (b - a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_matches_numpy_linear() {
        // numpy.quantile([1, 2, 3, 4], 0.1) == 1.3; 0.5 -> 2.5; 1.0 -> 4.0
        let mut xs = [4.0, 1.0, 3.0, 2.0];
        assert!((quantile_linear(&mut xs, 0.1) - 1.3).abs() < 1e-12);
        assert!((quantile_linear(&mut xs, 0.5) - 2.5).abs() < 1e-12);
        assert_eq!(quantile_linear(&mut xs, 1.0), 4.0);
        assert_eq!(quantile_linear(&mut xs, 0.0), 1.0);
        assert!(quantile_linear(&mut [], 0.5).is_nan());
    }

    #[test]
    fn moments_of_a_known_sample() {
        let xs = [1.0, 2.0, 3.0, 4.0, 10.0];
        let mu = mean(&xs);
        assert_eq!(mu, 4.0);
        assert!((std_dev(&xs, mu) - 3.535_533_905_932_737_5).abs() < 1e-12);
        // scipy.stats.skew([1,2,3,4,10]) = 1.1384199576606167
        assert!((skewness(&xs, mu) - 1.138_419_957_660_616_7).abs() < 1e-12);
        // scipy.stats.kurtosis([1,2,3,4,10]) = -0.21199999999999974
        assert!((excess_kurtosis(&xs, mu) + 0.212).abs() < 1e-12);
    }
}
