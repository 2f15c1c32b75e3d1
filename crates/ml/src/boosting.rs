//! Gradient-boosted regression trees for the logistic loss: each round fits
//! a tree to the loss's gradient and Hessian at the current scores (a Newton
//! step with an L2 penalty on leaf values), shrunk by the learning rate, on a
//! row and feature subsample drawn from a seed.

use serde::{Deserialize, Serialize};

use crate::binning::Bins;
use crate::dataset::Dataset;
use crate::error::{MlError, Result};
use crate::logistic::{logit, sigmoid};
use crate::rng::SplitMix64;
use crate::tree::{Targets, Tree, TreeParams};

/// Settings of the boosted trees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoostingParams {
    /// Number of boosting rounds (trees).
    pub rounds: usize,
    /// Shrinkage of each tree.
    pub learning_rate: f64,
    /// Deepest level of a tree.
    pub max_depth: usize,
    /// Fewest samples per leaf.
    pub min_samples_leaf: usize,
    /// L2 penalty on leaf values.
    pub lambda: f64,
    /// Share of rows used per round (0, 1].
    pub subsample: f64,
    /// Share of features tried per node (0, 1].
    pub feature_fraction: f64,
}

impl Default for BoostingParams {
    fn default() -> Self {
        Self {
            rounds: 150,
            learning_rate: 0.05,
            max_depth: 3,
            min_samples_leaf: 20,
            lambda: 1.0,
            subsample: 0.8,
            feature_fraction: 0.8,
        }
    }
}

/// A fitted boosted model: `P(y) = σ(base + Σ tree(x))`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Boosted {
    /// Starting log-odds (of the weighted base rate).
    pub base: f64,
    /// The trees, learning rate already applied to their leaves.
    pub trees: Vec<Tree>,
}

impl Boosted {
    /// Fits on the dataset rows `rows`, deterministically from `seed`.
    pub fn fit(ds: &Dataset, rows: &[usize], params: &BoostingParams, seed: u64) -> Result<Self> {
        let unit = |v: f64| v > 0.0 && v <= 1.0;
        let valid = params.rounds > 0
            && unit(params.learning_rate)
            && unit(params.subsample)
            && unit(params.feature_fraction)
            && params.lambda >= 0.0
            && params.lambda.is_finite();
        if !valid {
            return Err(MlError::InvalidConfig {
                field: "boosting",
                reason: format!(
                    "{params:?}: rounds > 0, learning_rate, subsample and feature_fraction in (0, 1], lambda >= 0"
                ),
            });
        }
        ds.check_trainable(rows, "boosted trees")?;
        let bins = Bins::build(ds, rows);
        let n = rows.len();
        let w: Vec<f64> = rows.iter().map(|&i| ds.weight(i)).collect();
        let y: Vec<f64> = rows.iter().map(|&i| ds.target(i)).collect();
        let total_w: f64 = w.iter().sum();
        let rate = y.iter().zip(&w).map(|(y, w)| y * w).sum::<f64>() / total_w;
        let base = logit(rate);
        let tree_params = TreeParams {
            max_depth: params.max_depth,
            min_samples_leaf: params.min_samples_leaf,
            lambda: params.lambda,
            features_per_node: ((ds.n_features() as f64 * params.feature_fraction).ceil() as usize)
                .max(1),
            min_gain: 1e-12,
        };
        let mut score = vec![base; n];
        let (mut g, mut h, mut count) = (vec![0.0; n], vec![0.0; n], vec![0u32; n]);
        let mut trees = Vec::with_capacity(params.rounds);
        for round in 0..params.rounds {
            let mut rng = SplitMix64::derive(seed, round as u64);
            for p in 0..n {
                let prob = sigmoid(score[p]);
                g[p] = w[p] * (y[p] - prob);
                h[p] = w[p] * prob * (1.0 - prob);
                count[p] = u32::from(params.subsample >= 1.0 || rng.next_f64() < params.subsample);
            }
            let targets = Targets {
                g: &g,
                h: &h,
                count: &count,
            };
            let mut tree = Tree::fit(&bins, &targets, tree_params, rng);
            tree.scale(params.learning_rate);
            for (p, &i) in rows.iter().enumerate() {
                score[p] += tree.predict(ds.row(i));
            }
            trees.push(tree);
        }
        Ok(Self { base, trees })
    }

    /// Probability of the positive class.
    pub fn predict(&self, row: &[f64]) -> f64 {
        sigmoid(self.base + self.trees.iter().map(|t| t.predict(row)).sum::<f64>())
    }

    /// Checks a model read from outside.
    pub fn validate(&self, n_features: usize) -> Result<()> {
        if !self.base.is_finite() {
            return Err(MlError::InvalidModel(
                "boosted base score is not finite".into(),
            ));
        }
        self.trees.iter().try_for_each(|t| t.validate(n_features))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::forest::tests::xor;
    use crate::metrics::{log_loss, roc_auc};

    #[test]
    fn learns_an_interaction_and_more_rounds_fit_better_in_sample() {
        let ds = xor(1500, 3);
        let rows: Vec<usize> = (0..1000).collect();
        let params = BoostingParams {
            rounds: 100,
            learning_rate: 0.1,
            ..BoostingParams::default()
        };
        let m = Boosted::fit(&ds, &rows, &params, 1).unwrap();
        let test: Vec<usize> = (1000..1500).collect();
        let p: Vec<f64> = test.iter().map(|&i| m.predict(ds.row(i))).collect();
        let y: Vec<bool> = test.iter().map(|&i| ds.labels()[i]).collect();
        let auc = roc_auc(&p, &y).unwrap();
        assert!(auc > 0.8, "out-of-sample AUC {auc}");
        let few = Boosted::fit(
            &ds,
            &rows,
            &BoostingParams {
                rounds: 5,
                ..params.clone()
            },
            1,
        )
        .unwrap();
        let train_y: Vec<bool> = rows.iter().map(|&i| ds.labels()[i]).collect();
        let loss = |m: &Boosted| {
            let p: Vec<f64> = rows.iter().map(|&i| m.predict(ds.row(i))).collect();
            log_loss(&p, &train_y)
        };
        assert!(loss(&m) < loss(&few));
        assert_eq!(m, Boosted::fit(&ds, &rows, &params, 1).unwrap());
        assert_ne!(m, Boosted::fit(&ds, &rows, &params, 2).unwrap());
        m.validate(4).unwrap();
    }

    #[test]
    fn base_score_is_the_base_rate_and_bad_params_refused() {
        let ds = xor(200, 2);
        let rows: Vec<usize> = (0..200).collect();
        let m = Boosted::fit(
            &ds,
            &rows,
            &BoostingParams {
                rounds: 1,
                ..BoostingParams::default()
            },
            0,
        )
        .unwrap();
        let rate = crate::metrics::base_rate(ds.labels());
        assert!((sigmoid(m.base) - rate).abs() < 1e-9);
        let bad = BoostingParams {
            learning_rate: 0.0,
            ..BoostingParams::default()
        };
        assert!(matches!(
            Boosted::fit(&ds, &rows, &bad, 0),
            Err(MlError::InvalidConfig { .. })
        ));
    }
}
