//! Random forest of CART classification trees: each tree grows on a bootstrap
//! sample (drawn from a seed) with a random subset of features tried at each
//! node; the forest's probability is the mean of the trees' leaf shares.

use serde::{Deserialize, Serialize};

use crate::binning::Bins;
use crate::dataset::Dataset;
use crate::error::{MlError, Result};
use crate::rng::SplitMix64;
use crate::tree::{Targets, Tree, TreeParams};

/// Settings of the random forest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForestParams {
    /// Number of trees.
    pub trees: usize,
    /// Deepest level of a tree.
    pub max_depth: usize,
    /// Fewest samples per leaf.
    pub min_samples_leaf: usize,
    /// Features tried per node (0: the square root of the feature count).
    pub features_per_node: usize,
    /// Bootstrap sample size as a fraction of the training rows.
    pub sample_fraction: f64,
}

impl Default for ForestParams {
    fn default() -> Self {
        Self {
            trees: 100,
            max_depth: 8,
            min_samples_leaf: 20,
            features_per_node: 0,
            sample_fraction: 1.0,
        }
    }
}

/// A fitted random forest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forest {
    /// The trees.
    pub trees: Vec<Tree>,
}

impl Forest {
    /// Fits on the dataset rows `rows`, deterministically from `seed`.
    pub fn fit(ds: &Dataset, rows: &[usize], params: &ForestParams, seed: u64) -> Result<Self> {
        if params.trees == 0 || !(params.sample_fraction > 0.0 && params.sample_fraction <= 1.0) {
            return Err(MlError::InvalidConfig {
                field: "forest",
                reason: format!(
                    "trees must be > 0 ({}) and sample_fraction in (0, 1] ({})",
                    params.trees, params.sample_fraction
                ),
            });
        }
        ds.check_trainable(rows, "random forest")?;
        let bins = Bins::build(ds, rows);
        let n = rows.len();
        let features_per_node = if params.features_per_node == 0 {
            ((ds.n_features() as f64).sqrt().round() as usize).max(1)
        } else {
            params.features_per_node
        };
        let tree_params = TreeParams {
            max_depth: params.max_depth,
            min_samples_leaf: params.min_samples_leaf,
            lambda: 0.0,
            features_per_node,
            min_gain: 1e-12,
        };
        let draws = ((n as f64 * params.sample_fraction).round() as usize).max(1);
        let mut trees = Vec::with_capacity(params.trees);
        let mut count = vec![0u32; n];
        let mut g = vec![0.0; n];
        let mut h = vec![0.0; n];
        for t in 0..params.trees {
            let mut rng = SplitMix64::derive(seed, t as u64);
            count.iter_mut().for_each(|c| *c = 0);
            for _ in 0..draws {
                count[rng.below(n)] += 1;
            }
            for (p, &i) in rows.iter().enumerate() {
                let m = f64::from(count[p]) * ds.weight(i);
                h[p] = m;
                g[p] = m * ds.target(i);
            }
            let targets = Targets {
                g: &g,
                h: &h,
                count: &count,
            };
            trees.push(Tree::fit(&bins, &targets, tree_params, rng));
        }
        Ok(Self { trees })
    }

    /// Probability of the positive class: the mean of the trees.
    pub fn predict(&self, row: &[f64]) -> f64 {
        if self.trees.is_empty() {
            return 0.5;
        }
        let sum: f64 = self.trees.iter().map(|t| t.predict(row)).sum();
        (sum / self.trees.len() as f64).clamp(0.0, 1.0)
    }

    /// Checks a forest read from outside.
    pub fn validate(&self, n_features: usize) -> Result<()> {
        if self.trees.is_empty() {
            return Err(MlError::InvalidModel("the forest has no trees".into()));
        }
        self.trees.iter().try_for_each(|t| t.validate(n_features))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::dataset::LabelSpan;

    /// Label = x0 > 0 XOR x1 > 0, with 10% flipped: linear models cannot see it.
    pub(crate) fn xor(n: usize, seed: u64) -> Dataset {
        let mut rng = SplitMix64::new(seed);
        let mut rows = Vec::new();
        let mut labels = Vec::new();
        for _ in 0..n {
            let r: Vec<f64> = (0..4).map(|_| rng.next_f64() * 2.0 - 1.0).collect();
            let y = (r[0] > 0.0) != (r[1] > 0.0);
            labels.push(if rng.next_f64() < 0.1 { !y } else { y });
            rows.push(r);
        }
        Dataset::from_rows(
            (0..4).map(|i| format!("x{i}")).collect(),
            rows,
            labels,
            (0..n as i64).map(|i| LabelSpan::new(i, i)).collect(),
            None,
        )
        .unwrap()
    }

    #[test]
    fn learns_an_interaction_and_is_deterministic() {
        let ds = xor(1500, 5);
        let rows: Vec<usize> = (0..1000).collect();
        let params = ForestParams {
            trees: 30,
            min_samples_leaf: 5,
            ..ForestParams::default()
        };
        let f = Forest::fit(&ds, &rows, &params, 9).unwrap();
        let test: Vec<usize> = (1000..1500).collect();
        let p: Vec<f64> = test.iter().map(|&i| f.predict(ds.row(i))).collect();
        let y: Vec<bool> = test.iter().map(|&i| ds.labels()[i]).collect();
        let auc = crate::metrics::roc_auc(&p, &y).unwrap();
        assert!(auc > 0.8, "out-of-sample AUC {auc}");
        assert!(p.iter().all(|q| (0.0..=1.0).contains(q)));
        assert_eq!(f, Forest::fit(&ds, &rows, &params, 9).unwrap());
        assert_ne!(f, Forest::fit(&ds, &rows, &params, 10).unwrap());
        f.validate(4).unwrap();
    }

    #[test]
    fn bad_params_and_one_class_refused() {
        let ds = xor(50, 1);
        let rows: Vec<usize> = (0..50).collect();
        let zero = ForestParams {
            trees: 0,
            ..ForestParams::default()
        };
        assert!(Forest::fit(&ds, &rows, &zero, 1).is_err());
        let pos: Vec<usize> = rows.iter().copied().filter(|&i| ds.labels()[i]).collect();
        assert!(matches!(
            Forest::fit(&ds, &pos, &ForestParams::default(), 1),
            Err(MlError::NotEnoughData(_))
        ));
    }
}
