//! The ensemble: logistic regression, random forest and boosted trees
//! combined by calibrated averaging or stacking. Fitting runs the purged
//! walk-forward, collects out-of-fold predictions, scores each fold, fits the
//! combination on all out-of-fold predictions and refits the models on all
//! the data.
//!
//! The out-of-fold score of the ensemble itself stays out of sample too: the
//! combination that scores fold k is fitted on the out-of-fold predictions of
//! folds before k only (fold 0 uses the plain mean of the raw probabilities).

use serde::{Deserialize, Serialize};

use crate::boosting::Boosted;
use crate::combine::{Combiner, MODELS};
use crate::config::TrainConfig;
use crate::dataset::Dataset;
use crate::error::{MlError, Result};
use crate::forest::Forest;
use crate::logistic::Logistic;
use crate::metrics::Metrics;
use crate::rng::SplitMix64;
use crate::split::{Fold, walk_forward};

/// The fitted ensemble.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ensemble {
    /// Feature names in the order `predict_proba` expects them.
    pub feature_names: Vec<String>,
    /// L2 logistic regression.
    pub logistic: Logistic,
    /// Random forest.
    pub forest: Forest,
    /// Gradient-boosted trees.
    pub boosted: Boosted,
    /// The combination of the three.
    pub combiner: Combiner,
}

/// Scores of each model family and of the ensemble on one set of predictions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelMetrics {
    /// Logistic regression (raw).
    pub logistic: Metrics,
    /// Random forest (raw).
    pub forest: Metrics,
    /// Boosted trees (raw).
    pub boosting: Metrics,
    /// The ensemble, combined out of sample.
    pub ensemble: Metrics,
}

/// One walk-forward fold's report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoldReport {
    /// Position of the fold.
    pub index: usize,
    /// Training samples after purge and embargo.
    pub train_samples: usize,
    /// Test samples.
    pub test_samples: usize,
    /// First decision time of the test fold.
    pub test_from_ms: i64,
    /// Last label time of the test fold.
    pub test_to_ms: i64,
    /// Scores on the fold.
    pub metrics: ModelMetrics,
}

/// What fitting reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitReport {
    /// Per fold.
    pub folds: Vec<FoldReport>,
    /// All out-of-fold predictions together.
    pub out_of_fold: ModelMetrics,
}

/// Seed stream of the final refit; fold k uses stream k + 1.
const FINAL_STREAM: u64 = 0;

impl Ensemble {
    /// Runs the walk-forward, fits the combination and refits on all data.
    pub fn fit(ds: &Dataset, config: &TrainConfig) -> Result<(Self, FitReport)> {
        config.validate()?;
        let folds = walk_forward(ds.spans(), &config.split)?;
        let mut raw: Vec<Vec<[f64; MODELS]>> = Vec::with_capacity(folds.len());
        for fold in &folds {
            let models = Models::fit(ds, &fold.train, config, fold.index as u64 + 1)?;
            raw.push(fold.test.iter().map(|&i| models.raw(ds.row(i))).collect());
        }
        let labels_of =
            |fold: &Fold| -> Vec<bool> { fold.test.iter().map(|&i| ds.labels()[i]).collect() };
        let mut reports = Vec::with_capacity(folds.len());
        let (mut all_raw, mut all_labels, mut all_ensemble) = (Vec::new(), Vec::new(), Vec::new());
        for (fold, fold_raw) in folds.iter().zip(&raw) {
            let combiner = if all_raw.is_empty() {
                Combiner::plain_average()
            } else {
                Combiner::fit(config.combination, &all_raw, &all_labels)
                    .unwrap_or_else(|_| Combiner::plain_average())
            };
            let ensemble: Vec<f64> = fold_raw.iter().map(|r| combiner.combine(r)).collect();
            let labels = labels_of(fold);
            reports.push(FoldReport {
                index: fold.index,
                train_samples: fold.train.len(),
                test_samples: fold.test.len(),
                test_from_ms: fold.test_span.start_ms,
                test_to_ms: fold.test_span.end_ms,
                metrics: model_metrics(fold_raw, &ensemble, &labels, config.threshold),
            });
            all_raw.extend_from_slice(fold_raw);
            all_labels.extend(labels);
            all_ensemble.extend(ensemble);
        }
        let out_of_fold = model_metrics(&all_raw, &all_ensemble, &all_labels, config.threshold);
        let combiner = Combiner::fit(config.combination, &all_raw, &all_labels)?;
        let all_rows: Vec<usize> = (0..ds.len()).collect();
        let models = Models::fit(ds, &all_rows, config, FINAL_STREAM)?;
        let ensemble = Self {
            feature_names: ds.feature_names().to_vec(),
            logistic: models.logistic,
            forest: models.forest,
            boosted: models.boosted,
            combiner,
        };
        let report = FitReport {
            folds: reports,
            out_of_fold,
        };
        Ok((ensemble, report))
    }

    /// The raw probabilities of logistic regression, forest and boosted trees.
    pub fn raw(&self, row: &[f64]) -> [f64; MODELS] {
        [
            self.logistic.predict(row),
            self.forest.predict(row),
            self.boosted.predict(row),
        ]
    }

    /// The ensemble's probability for one row of features in the order of
    /// `feature_names`. A row of the wrong width or with a non-finite value
    /// gives NaN (which no threshold passes); [`Ensemble::try_predict_proba`]
    /// says why.
    pub fn predict_proba(&self, row: &[f64]) -> f64 {
        self.try_predict_proba(row).unwrap_or(f64::NAN)
    }

    /// The ensemble's probability, or why the row cannot be scored.
    pub fn try_predict_proba(&self, row: &[f64]) -> Result<f64> {
        if row.len() != self.feature_names.len() {
            return Err(MlError::BadRow(format!(
                "{} values for {} features",
                row.len(),
                self.feature_names.len()
            )));
        }
        if let Some(column) = row.iter().position(|v| !v.is_finite()) {
            return Err(MlError::BadRow(format!(
                "feature {column} ({}) is {}",
                self.feature_names[column], row[column]
            )));
        }
        Ok(self.combiner.combine(&self.raw(row)))
    }

    /// Checks an ensemble read from outside, so that predicting cannot
    /// misbehave (tree indices, widths, finite parameters).
    pub fn validate(&self) -> Result<()> {
        let n = self.feature_names.len();
        if n == 0 {
            return Err(MlError::InvalidModel("no feature names".into()));
        }
        self.logistic.validate(n)?;
        self.forest.validate(n)?;
        self.boosted.validate(n)?;
        if !self.combiner.is_finite() {
            return Err(MlError::InvalidModel(
                "combiner has non-finite parameters".into(),
            ));
        }
        Ok(())
    }
}

struct Models {
    logistic: Logistic,
    forest: Forest,
    boosted: Boosted,
}

impl Models {
    fn fit(ds: &Dataset, rows: &[usize], config: &TrainConfig, stream: u64) -> Result<Self> {
        let mut rng = SplitMix64::derive(config.seed, stream);
        Ok(Self {
            logistic: Logistic::fit(ds, rows, &config.logistic)?,
            forest: Forest::fit(ds, rows, &config.forest, rng.next_u64())?,
            boosted: Boosted::fit(ds, rows, &config.boosting, rng.next_u64())?,
        })
    }

    fn raw(&self, row: &[f64]) -> [f64; MODELS] {
        [
            self.logistic.predict(row),
            self.forest.predict(row),
            self.boosted.predict(row),
        ]
    }
}

fn model_metrics(
    raw: &[[f64; MODELS]],
    ensemble: &[f64],
    labels: &[bool],
    threshold: f64,
) -> ModelMetrics {
    let column = |m: usize| -> Vec<f64> { raw.iter().map(|r| r[m]).collect() };
    ModelMetrics {
        logistic: Metrics::compute(&column(0), labels, threshold),
        forest: Metrics::compute(&column(1), labels, threshold),
        boosting: Metrics::compute(&column(2), labels, threshold),
        ensemble: Metrics::compute(ensemble, labels, threshold),
    }
}
