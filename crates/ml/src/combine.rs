//! How the ensemble turns its models' raw probabilities into one: the mean
//! of Platt-calibrated probabilities, or stacking (a logistic regression on
//! the models' log-odds). Both are fitted on out-of-fold predictions only.

use serde::{Deserialize, Serialize};

use crate::calibrate::Platt;
use crate::error::{MlError, Result};
use crate::logistic::{fit_design, logit, sigmoid};

/// Number of model families in the ensemble.
pub const MODELS: usize = 3;

/// Which combination to fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Combination {
    /// Mean of the calibrated probabilities.
    Average,
    /// Logistic regression on the models' log-odds.
    Stacking,
}

/// A fitted combination.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Combiner {
    /// Mean of the calibrated probabilities.
    Average {
        /// One calibrator per model.
        calibrators: [Platt; MODELS],
    },
    /// `σ(intercept + Σ weights · logit(p))`.
    Stacking {
        /// Intercept.
        intercept: f64,
        /// One weight per model.
        weights: [f64; MODELS],
    },
}

/// L2 penalty of the stacking regression (keeps collinear models' weights tame).
const STACKING_LAMBDA: f64 = 1e-3;

impl Combiner {
    /// The uncalibrated mean, used where no out-of-fold predictions exist yet.
    pub fn plain_average() -> Self {
        Combiner::Average {
            calibrators: [Platt::IDENTITY; MODELS],
        }
    }

    /// Fits on raw out-of-fold predictions and their outcomes.
    pub fn fit(kind: Combination, raw: &[[f64; MODELS]], labels: &[bool]) -> Result<Self> {
        match kind {
            Combination::Average => {
                let mut calibrators = [Platt::IDENTITY; MODELS];
                for (m, c) in calibrators.iter_mut().enumerate() {
                    let p: Vec<f64> = raw.iter().map(|r| r[m]).collect();
                    *c = Platt::fit(&p, labels)?;
                }
                Ok(Combiner::Average { calibrators })
            }
            Combination::Stacking => {
                let n = raw.len().min(labels.len());
                if !labels[..n].contains(&true) || !labels[..n].contains(&false) {
                    return Err(MlError::NotEnoughData(format!(
                        "stacking on {n} predictions without both classes"
                    )));
                }
                let mut design = Vec::with_capacity(n * (MODELS + 1));
                for r in &raw[..n] {
                    design.push(1.0);
                    design.extend(r.iter().map(|&p| logit(p)));
                }
                let y: Vec<f64> = labels[..n]
                    .iter()
                    .map(|&l| f64::from(u8::from(l)))
                    .collect();
                let beta =
                    fit_design(&design, MODELS + 1, &y, &vec![1.0; n], STACKING_LAMBDA, 100)?;
                let mut weights = [0.0; MODELS];
                weights.copy_from_slice(&beta[1..]);
                Ok(Combiner::Stacking {
                    intercept: beta[0],
                    weights,
                })
            }
        }
    }

    /// The combined probability of the models' raw probabilities.
    pub fn combine(&self, raw: &[f64; MODELS]) -> f64 {
        match self {
            Combiner::Average { calibrators } => {
                calibrators
                    .iter()
                    .zip(raw)
                    .map(|(c, &p)| c.apply(p))
                    .sum::<f64>()
                    / MODELS as f64
            }
            Combiner::Stacking { intercept, weights } => sigmoid(
                intercept
                    + weights
                        .iter()
                        .zip(raw)
                        .map(|(w, &p)| w * logit(p))
                        .sum::<f64>(),
            ),
        }
    }

    /// Whether all parameters are finite.
    pub fn is_finite(&self) -> bool {
        match self {
            Combiner::Average { calibrators } => calibrators.iter().all(Platt::is_finite),
            Combiner::Stacking { intercept, weights } => {
                intercept.is_finite() && weights.iter().all(|w| w.is_finite())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::rng::SplitMix64;

    fn sample() -> (Vec<[f64; MODELS]>, Vec<bool>) {
        // Model 0 informative, model 1 noise, model 2 informative but inverted.
        let mut rng = SplitMix64::new(8);
        let (mut raw, mut y) = (Vec::new(), Vec::new());
        for _ in 0..3000 {
            let q = rng.next_f64();
            let label = rng.next_f64() < q;
            raw.push([0.05 + 0.9 * q, rng.next_f64(), 0.95 - 0.9 * q]);
            y.push(label);
        }
        (raw, y)
    }

    #[test]
    fn stacking_weights_follow_information() {
        let (raw, y) = sample();
        let Combiner::Stacking { weights, .. } =
            Combiner::fit(Combination::Stacking, &raw, &y).unwrap()
        else {
            panic!("not stacking");
        };
        assert!(weights[0] - weights[2] > 0.5, "{weights:?}");
        assert!(weights[1].abs() < 0.2, "{weights:?}");
    }

    #[test]
    fn average_calibrates_each_model_and_stays_in_unit_interval() {
        let (raw, y) = sample();
        let c = Combiner::fit(Combination::Average, &raw, &y).unwrap();
        let Combiner::Average { calibrators } = &c else {
            panic!("not average");
        };
        assert!(calibrators[0].a > 0.0 && calibrators[2].a < 0.0);
        let p = c.combine(&[0.9, 0.5, 0.1]);
        assert!(p > 0.5 && p < 1.0);
        assert!((Combiner::plain_average().combine(&[0.2, 0.4, 0.6]) - 0.4).abs() < 1e-9);
        assert!(Combiner::fit(Combination::Average, &raw[..2], &[true, true]).is_err());
        assert!(c.is_finite());
    }
}
