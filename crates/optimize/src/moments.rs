//! What the overfitting statistics need of a return series beyond its
//! moments (`smc_model::stats::Moments`): the per-period (not annualised)
//! Sharpe ratio, the returns of an equity curve that may be ruined, and a
//! variance that ignores undefined values.

use rust_decimal::Decimal;
use smc_model::Timestamp;
use smc_model::num::to_f64;
use smc_model::stats::{self, Moments};

/// Per-period Sharpe ratio mean / std of `m` (risk-free rate 0). A flat
/// series scores 0; a constant non-zero return is ±∞, which ranks
/// correctly.
pub fn sharpe(m: &Moments) -> f64 {
    sharpe_of(m.mean, m.std)
}

/// mean / std with the edge cases of [`sharpe`].
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
pub fn returns(equity: &[(Timestamp, Decimal)]) -> Vec<f64> {
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
    let finite: Vec<f64> = xs.iter().copied().filter(|x| x.is_finite()).collect();
    stats::variance(&finite, 1).unwrap_or(0.0)
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
        assert!(close(sharpe(&m), 4.0 / (50.0f64 / 3.0).sqrt()));
    }

    #[test]
    fn degenerate_series() {
        assert!(Moments::of(&[1.0]).is_none());
        assert!(Moments::of(&[1.0, f64::NAN]).is_none());
        let flat = Moments::of(&[0.0, 0.0, 0.0]).unwrap();
        assert_eq!((sharpe(&flat), flat.skew, flat.kurtosis), (0.0, 0.0, 3.0));
        assert_eq!(sharpe_of(0.01, 0.0), f64::INFINITY);
        assert_eq!(sharpe_of(-0.01, 0.0), f64::NEG_INFINITY);
    }

    #[test]
    fn returns_of_a_curve_and_after_ruin() {
        let t = Timestamp::from_ms;
        let curve = [
            (t(0), dec!(100)),
            (t(1), dec!(110)),
            (t(2), dec!(0)),
            (t(3), dec!(5)),
        ];
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
