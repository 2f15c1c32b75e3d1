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
