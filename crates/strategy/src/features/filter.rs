//! The ML filter inside the `smc` strategy: a trained ensemble, the
//! probability under which a setup is skipped, and the optional sizing by
//! probability. Built once at start; a model whose feature names differ
//! from the strategy's layout is refused there, not at the first setup.

use super::FeatureSet;
use smc_ml::{ArtifactError, ModelFile};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Why a filter cannot be built.
#[derive(Debug, Error)]
pub enum FilterError {
    #[error("ml.model {path}: {source}")]
    Model {
        path: PathBuf,
        source: ArtifactError,
    },
    #[error(
        "ml.model {path}: trained on other features than this strategy computes ({source}); retrain it with `smc ml train` for these timeframes"
    )]
    Features {
        path: PathBuf,
        source: ArtifactError,
    },
    #[error("ml.threshold {0} is not in (0, 1)")]
    Threshold(f64),
}

/// A model and how the strategy uses it.
#[derive(Debug, Clone)]
pub struct MlFilter {
    model: ModelFile,
    threshold: f64,
    size_by_probability: bool,
}

impl MlFilter {
    /// Checks that `model` reads exactly `features`' names.
    pub fn new(
        model: ModelFile,
        features: &FeatureSet,
        threshold: f64,
        size_by_probability: bool,
        path: &Path,
    ) -> Result<Self, FilterError> {
        if !(threshold > 0.0 && threshold < 1.0) {
            return Err(FilterError::Threshold(threshold));
        }
        model
            .check_features(&features.names())
            .map_err(|source| FilterError::Features {
                path: path.to_path_buf(),
                source,
            })?;
        Ok(MlFilter {
            model,
            threshold,
            size_by_probability,
        })
    }

    /// Loads `dir/model.json` and checks it as [`MlFilter::new`] does.
    pub fn load(
        dir: &Path,
        features: &FeatureSet,
        threshold: f64,
        size_by_probability: bool,
    ) -> Result<Self, FilterError> {
        let model = ModelFile::load(dir).map_err(|source| FilterError::Model {
            path: dir.to_path_buf(),
            source,
        })?;
        Self::new(model, features, threshold, size_by_probability, dir)
    }

    /// The calibrated probability that the setup reaches its target first.
    pub fn probability(&self, features: &[f64]) -> f64 {
        self.model.ensemble.predict_proba(features)
    }

    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    pub fn model(&self) -> &ModelFile {
        &self.model
    }

    /// Whether a setup of probability `p` is taken.
    pub fn passes(&self, p: f64) -> bool {
        p >= self.threshold
    }

    /// The share of the configured risk a taken setup of probability `p`
    /// uses: 1 without `size_by_probability`; with it, half the risk at
    /// the threshold rising linearly to the full risk at p = 1, so the
    /// model can only shrink a trade, never lever it beyond the config.
    pub fn risk_scale(&self, p: f64) -> f64 {
        if !self.size_by_probability {
            return 1.0;
        }
        let over = ((p - self.threshold) / (1.0 - self.threshold)).clamp(0.0, 1.0);
        0.5 + 0.5 * over
    }
}

#[cfg(test)]
mod tests {
    /// The sizing rule without a model: half the risk at the threshold,
    /// all of it at p = 1, never more; off, always all of it.
    #[test]
    fn sizing_by_probability_only_shrinks_the_risk() {
        let scale = |on: bool, p: f64| {
            let t: f64 = 0.6;
            if !on {
                return 1.0;
            }
            0.5 + 0.5 * ((p - t) / (1.0 - t)).clamp(0.0, 1.0)
        };
        // Mirrors MlFilter::risk_scale, checked against it below.
        let f = super::MlFilter {
            model: placeholder(),
            threshold: 0.6,
            size_by_probability: true,
        };
        for p in [0.6, 0.7, 0.8, 1.0] {
            assert!((f.risk_scale(p) - scale(true, p)).abs() < 1e-12);
        }
        assert_eq!(f.risk_scale(0.6), 0.5);
        assert_eq!(f.risk_scale(1.0), 1.0);
        let off = super::MlFilter {
            size_by_probability: false,
            ..f
        };
        assert_eq!(off.risk_scale(0.61), 1.0);
    }

    fn placeholder() -> smc_ml::ModelFile {
        use smc_ml::{Dataset, Ensemble, LabelSpan, TrainConfig};
        let rows: Vec<Vec<f64>> = (0..60).map(|i| vec![f64::from(i % 7)]).collect();
        let labels = (0..60).map(|i| i % 3 == 0).collect();
        let spans = (0..60).map(|i| LabelSpan::new(i, i)).collect();
        let ds = Dataset::from_rows(vec!["x".into()], rows, labels, spans, None).unwrap();
        let mut c = TrainConfig::default();
        c.split.folds = 2;
        c.split.min_train = 10;
        c.forest.trees = 2;
        c.boosting.rounds = 2;
        let (e, r) = Ensemble::fit(&ds, &c).unwrap();
        smc_ml::ModelFile::new(e, r, c, (0, 1), 0)
    }
}
