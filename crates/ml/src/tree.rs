//! One CART regression tree on histogram bins, shared by the random forest
//! and the gradient-boosted trees. Each row brings a gradient-like sum `g`, a
//! weight-like sum `h` and a row count; a leaf predicts `G / (H + lambda)` and a
//! split is chosen for the largest gain `G_L²/(H_L+λ) + G_R²/(H_R+λ) - G²/(H+λ)`.
//! With `g = w·y`, `h = w` and `lambda = 0` this is the variance (Gini)
//! reduction of a classification tree and the leaf is the share of positives;
//! with the logistic loss's gradient and Hessian it is a Newton boosting step.

use serde::{Deserialize, Serialize};

use crate::binning::Bins;
use crate::error::{MlError, Result};
use crate::rng::SplitMix64;

/// Growth limits of a tree.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TreeParams {
    /// Deepest level (root = 0).
    pub max_depth: usize,
    /// Fewest rows (bootstrap copies counted) in each leaf.
    pub min_samples_leaf: usize,
    /// L2 penalty on leaf values.
    pub lambda: f64,
    /// Features tried at each node (0 or >= all: every feature).
    pub features_per_node: usize,
    /// Smallest gain worth a split.
    pub min_gain: f64,
}

/// A node of a fitted tree; the root is node 0 and children come after parents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Node {
    /// A prediction.
    Leaf {
        /// The predicted value.
        value: f64,
    },
    /// `x[feature] <= threshold` goes to `left`, otherwise to `right`.
    Split {
        /// Feature column.
        feature: usize,
        /// Threshold.
        threshold: f64,
        /// Index of the left child.
        left: usize,
        /// Index of the right child.
        right: usize,
    },
}

/// A fitted regression tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    nodes: Vec<Node>,
}

/// The per-row inputs of a fit, indexed by position in the binned rows.
pub struct Targets<'a> {
    /// Gradient-like values.
    pub g: &'a [f64],
    /// Weight-like values.
    pub h: &'a [f64],
    /// Row counts (bootstrap multiplicity; 0 leaves the row out).
    pub count: &'a [u32],
}

struct Builder<'a> {
    bins: &'a Bins,
    targets: &'a Targets<'a>,
    params: TreeParams,
    rng: SplitMix64,
    nodes: Vec<Node>,
    hist: Vec<(f64, f64, u64)>,
}

impl Tree {
    /// Grows a tree on the rows of `bins` with a non-zero count.
    pub fn fit(bins: &Bins, targets: &Targets<'_>, params: TreeParams, rng: SplitMix64) -> Self {
        let mut positions: Vec<u32> = (0..targets.count.len() as u32)
            .filter(|&p| targets.count[p as usize] > 0)
            .collect();
        let mut builder = Builder {
            bins,
            targets,
            params,
            rng,
            nodes: Vec::new(),
            hist: Vec::new(),
        };
        builder.grow(&mut positions, 0);
        Tree {
            nodes: builder.nodes,
        }
    }

    /// The tree's value for a row of raw features.
    pub fn predict(&self, row: &[f64]) -> f64 {
        let mut i = 0;
        // Children come after parents (checked by `validate`), so this ends.
        for _ in 0..=self.nodes.len() {
            match self.nodes.get(i) {
                Some(Node::Leaf { value }) => return *value,
                Some(Node::Split {
                    feature,
                    threshold,
                    left,
                    right,
                }) => {
                    i = if row.get(*feature).is_some_and(|x| x <= threshold) {
                        *left
                    } else {
                        *right
                    };
                }
                None => return 0.0,
            }
        }
        0.0
    }

    /// Multiplies every leaf value by `factor` (a boosting learning rate).
    pub fn scale(&mut self, factor: f64) {
        for node in &mut self.nodes {
            if let Node::Leaf { value } = node {
                *value *= factor;
            }
        }
    }

    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the tree has no nodes (never after a fit).
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Checks a tree read from outside: finite numbers, features in range,
    /// children after their parent and inside the tree.
    pub fn validate(&self, n_features: usize) -> Result<()> {
        if self.nodes.is_empty() {
            return Err(MlError::InvalidModel("a tree has no nodes".into()));
        }
        for (i, node) in self.nodes.iter().enumerate() {
            let ok = match node {
                Node::Leaf { value } => value.is_finite(),
                Node::Split {
                    feature,
                    threshold,
                    left,
                    right,
                } => {
                    *feature < n_features
                        && threshold.is_finite()
                        && *left > i
                        && *right > i
                        && *left < self.nodes.len()
                        && *right < self.nodes.len()
                }
            };
            if !ok {
                return Err(MlError::InvalidModel(format!(
                    "tree node {i} is inconsistent: {node:?}"
                )));
            }
        }
        Ok(())
    }
}

impl Builder<'_> {
    fn leaf_value(&self, g: f64, h: f64) -> f64 {
        let d = h + self.params.lambda;
        if d > 1e-12 { g / d } else { 0.0 }
    }

    fn grow(&mut self, positions: &mut [u32], depth: usize) -> usize {
        let (mut g, mut h, mut n) = (0.0, 0.0, 0u64);
        for &p in positions.iter() {
            let p = p as usize;
            g += self.targets.g[p];
            h += self.targets.h[p];
            n += u64::from(self.targets.count[p]);
        }
        let me = self.nodes.len();
        self.nodes.push(Node::Leaf {
            value: self.leaf_value(g, h),
        });
        let min_leaf = self.params.min_samples_leaf.max(1) as u64;
        if depth >= self.params.max_depth || n < 2 * min_leaf {
            return me;
        }
        let Some((feature, bin)) = self.best_split(positions, g, h, min_leaf) else {
            return me;
        };
        let codes = &self.bins.codes[feature];
        let mut split = 0;
        for i in 0..positions.len() {
            if codes[positions[i] as usize] as usize <= bin {
                positions.swap(i, split);
                split += 1;
            }
        }
        let (left_rows, right_rows) = positions.split_at_mut(split);
        let left = self.grow(left_rows, depth + 1);
        let right = self.grow(right_rows, depth + 1);
        self.nodes[me] = Node::Split {
            feature,
            threshold: self.bins.thresholds[feature][bin],
            left,
            right,
        };
        me
    }

    fn best_split(
        &mut self,
        positions: &[u32],
        g: f64,
        h: f64,
        min_leaf: u64,
    ) -> Option<(usize, usize)> {
        let n_features = self.bins.thresholds.len();
        let k = self.params.features_per_node;
        let features = if k == 0 || k >= n_features {
            (0..n_features).collect()
        } else {
            self.rng.choose(n_features, k)
        };
        let lambda = self.params.lambda;
        let score = |g: f64, h: f64| {
            let d = h + lambda;
            if d > 1e-12 {
                g * g / d
            } else {
                f64::NEG_INFINITY
            }
        };
        let parent = score(g, h);
        let mut best: Option<(f64, usize, usize)> = None;
        for f in features {
            let n_bins = self.bins.n_bins(f);
            if n_bins < 2 {
                continue;
            }
            self.hist.clear();
            self.hist.resize(n_bins, (0.0, 0.0, 0));
            let codes = &self.bins.codes[f];
            for &p in positions {
                let p = p as usize;
                let slot = &mut self.hist[codes[p] as usize];
                slot.0 += self.targets.g[p];
                slot.1 += self.targets.h[p];
                slot.2 += u64::from(self.targets.count[p]);
            }
            let (mut gl, mut hl, mut nl) = (0.0, 0.0, 0u64);
            let total_n: u64 = self.hist.iter().map(|s| s.2).sum();
            for bin in 0..n_bins - 1 {
                let (bg, bh, bn) = self.hist[bin];
                gl += bg;
                hl += bh;
                nl += bn;
                let nr = total_n - nl;
                if nl < min_leaf {
                    continue;
                }
                if nr < min_leaf {
                    break;
                }
                let gain = score(gl, hl) + score(g - gl, h - hl) - parent;
                if gain.is_finite() && best.is_none_or(|(b, _, _)| gain > b + 1e-12) {
                    best = Some((gain, f, bin));
                }
            }
        }
        best.filter(|(gain, _, _)| *gain > self.params.min_gain)
            .map(|(_, f, bin)| (f, bin))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::dataset::{Dataset, LabelSpan};

    fn params(depth: usize) -> TreeParams {
        TreeParams {
            max_depth: depth,
            min_samples_leaf: 1,
            lambda: 0.0,
            features_per_node: 0,
            min_gain: 0.0,
        }
    }

    fn data() -> Dataset {
        // Label is 1 exactly when feature b > 2; feature a is noise.
        let rows: Vec<Vec<f64>> = (0..8)
            .map(|i| vec![f64::from((i * 5) % 3), f64::from(i % 5)])
            .collect();
        let labels = rows.iter().map(|r| r[1] > 2.0).collect();
        Dataset::from_rows(
            vec!["a".into(), "b".into()],
            rows,
            labels,
            (0..8).map(|i| LabelSpan::new(i, i)).collect(),
            None,
        )
        .unwrap()
    }

    #[test]
    fn classification_tree_finds_the_separating_split() {
        let ds = data();
        let rows: Vec<usize> = (0..ds.len()).collect();
        let bins = Bins::build(&ds, &rows);
        let g: Vec<f64> = rows.iter().map(|&i| ds.target(i)).collect();
        let h = vec![1.0; rows.len()];
        let count = vec![1; rows.len()];
        let t = Tree::fit(
            &bins,
            &Targets {
                g: &g,
                h: &h,
                count: &count,
            },
            params(3),
            SplitMix64::new(1),
        );
        assert!(
            matches!(t.nodes[0], Node::Split { feature: 1, threshold, .. } if threshold == 2.5)
        );
        for i in 0..ds.len() {
            assert_eq!(t.predict(ds.row(i)), ds.target(i));
        }
        t.validate(2).unwrap();
        assert!(t.validate(1).is_err());
    }

    #[test]
    fn depth_zero_and_min_leaf_give_the_mean() {
        let ds = data();
        let rows: Vec<usize> = (0..ds.len()).collect();
        let bins = Bins::build(&ds, &rows);
        let g: Vec<f64> = rows.iter().map(|&i| ds.target(i)).collect();
        let h = vec![1.0; rows.len()];
        let count = vec![1; rows.len()];
        let targets = Targets {
            g: &g,
            h: &h,
            count: &count,
        };
        let stump = Tree::fit(&bins, &targets, params(0), SplitMix64::new(1));
        assert_eq!(stump.len(), 1);
        let mean = g.iter().sum::<f64>() / 8.0;
        assert_eq!(stump.predict(&[0.0, 0.0]), mean);
        let big_leaf = TreeParams {
            min_samples_leaf: 5,
            ..params(3)
        };
        assert_eq!(
            Tree::fit(&bins, &targets, big_leaf, SplitMix64::new(1)).len(),
            1
        );
    }

    #[test]
    fn cyclic_or_out_of_range_trees_are_refused() {
        let cyclic = Tree {
            nodes: vec![Node::Split {
                feature: 0,
                threshold: 0.0,
                left: 0,
                right: 0,
            }],
        };
        assert!(cyclic.validate(1).is_err());
        let nan_leaf = Tree {
            nodes: vec![Node::Leaf { value: f64::NAN }],
        };
        assert!(nan_leaf.validate(1).is_err());
        assert!(Tree { nodes: vec![] }.validate(1).is_err());
    }
}
