//! Platt scaling: a two-parameter logistic map from a model's log-odds to a
//! calibrated probability, fitted on out-of-fold predictions with Platt's
//! smoothed targets (so that a perfectly separated fold cannot push the slope
//! to infinity).

use serde::{Deserialize, Serialize};

use crate::error::{MlError, Result};
use crate::logistic::{fit_design, logit, sigmoid};

/// `P = σ(a · logit(p) + b)`; `a = 1, b = 0` is the identity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Platt {
    /// Slope on the model's log-odds.
    pub a: f64,
    /// Intercept.
    pub b: f64,
}

impl Platt {
    /// The identity map.
    pub const IDENTITY: Platt = Platt { a: 1.0, b: 0.0 };

    /// Fits on raw probabilities and their outcomes; needs both classes.
    pub fn fit(probabilities: &[f64], labels: &[bool]) -> Result<Self> {
        let n = probabilities.len().min(labels.len());
        let n_pos = labels[..n].iter().filter(|&&l| l).count();
        let n_neg = n - n_pos;
        if n_pos == 0 || n_neg == 0 {
            return Err(MlError::NotEnoughData(format!(
                "Platt scaling on {n} predictions without both classes"
            )));
        }
        let hi = (n_pos as f64 + 1.0) / (n_pos as f64 + 2.0);
        let lo = 1.0 / (n_neg as f64 + 2.0);
        let mut design = Vec::with_capacity(2 * n);
        for &p in &probabilities[..n] {
            design.push(1.0);
            design.push(logit(p));
        }
        let y: Vec<f64> = labels[..n]
            .iter()
            .map(|&l| if l { hi } else { lo })
            .collect();
        let beta = fit_design(&design, 2, &y, &vec![1.0; n], 0.0, 100)?;
        Ok(Self {
            a: beta[1],
            b: beta[0],
        })
    }

    /// The calibrated probability of a raw one.
    pub fn apply(&self, p: f64) -> f64 {
        sigmoid(self.a * logit(p) + self.b)
    }

    /// Whether both parameters are finite.
    pub fn is_finite(&self) -> bool {
        self.a.is_finite() && self.b.is_finite()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::metrics::log_loss;
    use crate::rng::SplitMix64;

    #[test]
    fn corrects_overconfident_forecasts() {
        // True probability q, forecasts pushed towards 0/1: logit(p) = 3 logit(q).
        let mut rng = SplitMix64::new(4);
        let (mut p, mut y) = (Vec::new(), Vec::new());
        for _ in 0..5000 {
            let q = 0.2 + 0.6 * rng.next_f64();
            y.push(rng.next_f64() < q);
            p.push(sigmoid(3.0 * logit(q)));
        }
        let c = Platt::fit(&p, &y).unwrap();
        assert!((c.a - 1.0 / 3.0).abs() < 0.08, "slope {}", c.a);
        let calibrated: Vec<f64> = p.iter().map(|&x| c.apply(x)).collect();
        assert!(log_loss(&calibrated, &y) < log_loss(&p, &y));
    }

    #[test]
    fn identity_and_one_class() {
        assert!((Platt::IDENTITY.apply(0.3) - 0.3).abs() < 1e-12);
        assert!(Platt::fit(&[0.2, 0.4], &[true, true]).is_err());
        // Perfect separation still gives finite parameters.
        let c = Platt::fit(&[0.1, 0.2, 0.8, 0.9], &[false, false, true, true]).unwrap();
        assert!(c.is_finite() && c.a > 0.0);
    }
}
