//! Sample moments of a return series, as the overfitting statistics need
//! them: the per-period (not annualised) Sharpe ratio, skewness and the
//! (non-excess) kurtosis.

use rust_decimal::Decimal;
use smc_model::num::to_f64;

/// Mean, standard deviation (n − 1), skewness and kurtosis of a series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Moments {
    pub n: usize,
    pub mean: f64,
    /// Sample standard deviation (divisor n − 1).
    pub std: f64,
    /// γ3 = m3 / m2^1.5 with central moments m_k = Σ(x − x̄)^k / n.
    pub skew: f64,
    /// γ4 = m4 / m2², 3 for a normal distribution (not excess kurtosis).
    pub kurtosis: f64,
}

impl Moments {
    /// `None` with fewer than two values or any non-finite value.
    pub fn of(xs: &[f64]) -> Option<Moments> {
        let n = xs.len();
        if n < 2 || xs.iter().any(|x| !x.is_finite()) {
            return None;
        }
        let nf = n as f64;
        let mean = xs.iter().sum::<f64>() / nf;
        let (mut m2, mut m3, mut m4) = (0.0, 0.0, 0.0);
        for x in xs {
            let d = x - mean;
            let d2 = d * d;
            m2 += d2;
            m3 += d2 * d;
            m4 += d2 * d2;
        }
        let std = (m2 / (nf - 1.0)).sqrt();
        let (m2, m3, m4) = (m2 / nf, m3 / nf, m4 / nf);
        // A constant series has no shape: call it normal.
        let (skew, kurtosis) = if m2 > 0.0 {
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

    /// Per-period Sharpe ratio mean / std (risk-free rate 0). A flat series
    /// scores 0; a constant non-zero return is ±∞, which ranks correctly.
    pub fn sharpe(&self) -> f64 {
        sharpe_of(self.mean, self.std)
    }
}

/// mean / std with the edge cases of [`Moments::sharpe`].
pub fn sharpe_of(mean: f64, std: f64) -> f64 {
    if std > 0.0 {
        mean / std
    } else if mean == 0.0 {
        0.0
    } else {
        f64::INFINITY.copysign(mean)
    }
}

/// Simple per-bar returns E_t / E_{t−1} − 1 of an equity curve. After
/// ruin (equity ≤ 0) a return has no meaning; the curve counts as flat
/// from there, which keeps the series aligned with the other trials'.
pub fn returns(equity: &[(i64, Decimal)]) -> Vec<f64> {
    let eq: Vec<f64> = equity.iter().map(|(_, e)| to_f64(*e)).collect();
    eq.windows(2)
        .map(|w| {
            if w[0] > 0.0 && w[1].is_finite() {
                w[1] / w[0] - 1.0
            } else {
                0.0
            }
        })
        .collect()
}

/// Sample variance (n − 1) of finite values; 0 for fewer than two.
pub fn variance(xs: &[f64]) -> f64 {
    let v: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
    if v.len() < 2 {
        return 0.0;
    }
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (v.len() - 1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn moments_match_hand_computation() {
        // x = 1, 2, 3, 10: mean 4; deviations −3, −2, −1, 6;
        // Σd² = 50, Σd³ = −27 − 8 − 1 + 216 = 180, Σd⁴ = 81 + 16 + 1 + 1296 = 1394.
        let m = Moments::of(&[1.0, 2.0, 3.0, 10.0]).unwrap();
        assert!(close(m.mean, 4.0));
        assert!(close(m.std, (50.0f64 / 3.0).sqrt()));
        let m2: f64 = 50.0 / 4.0;
        assert!(close(m.skew, (180.0 / 4.0) / m2.powf(1.5)));
        assert!(close(m.kurtosis, (1394.0 / 4.0) / (m2 * m2)));
        assert!(close(m.sharpe(), 4.0 / (50.0f64 / 3.0).sqrt()));
    }

    #[test]
    fn degenerate_series() {
        assert!(Moments::of(&[1.0]).is_none());
        assert!(Moments::of(&[1.0, f64::NAN]).is_none());
        let flat = Moments::of(&[0.0, 0.0, 0.0]).unwrap();
        assert_eq!((flat.sharpe(), flat.skew, flat.kurtosis), (0.0, 0.0, 3.0));
        assert_eq!(sharpe_of(0.01, 0.0), f64::INFINITY);
        assert_eq!(sharpe_of(-0.01, 0.0), f64::NEG_INFINITY);
    }

    #[test]
    fn returns_of_a_curve_and_after_ruin() {
        let curve = [(0, dec!(100)), (1, dec!(110)), (2, dec!(0)), (3, dec!(5))];
        let r = returns(&curve);
        assert_eq!(r.len(), 3);
        assert!(close(r[0], 0.1));
        assert!(close(r[1], -1.0));
        assert_eq!(r[2], 0.0);
    }

    #[test]
    fn variance_ignores_non_finite() {
        assert!(close(variance(&[1.0, 3.0, f64::INFINITY]), 2.0));
        assert_eq!(variance(&[1.0]), 0.0);
    }
}
