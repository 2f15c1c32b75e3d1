//! The model directory: `model.json` holds the format version, the crate
//! version, the creation time (given by the caller), the training window,
//! the feature names in order, the training config and seed, the per-fold
//! and out-of-fold metrics, and the fitted ensemble. Loading refuses a
//! format version it does not know and a model that is inconsistent;
//! [`ModelFile::check_features`] refuses a caller whose features differ.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::config::TrainConfig;
use crate::ensemble::{Ensemble, FitReport};

/// The format version this crate writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// File name of the model inside its directory.
pub const MODEL_FILE: &str = "model.json";

/// Why a model directory cannot be written, read or used.
#[derive(Debug, Error)]
pub enum ArtifactError {
    /// Reading or writing failed.
    #[error("{op} {path}: {source}")]
    Io {
        /// What was being done.
        op: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is not valid JSON or not a model file.
    #[error("{path}: not a model file: {error}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What serde_json said (with line and column).
        error: String,
    },
    /// The file was written by a newer version of the format.
    #[error("{path}: format version {found} is newer than the supported {supported}; upgrade smc")]
    NewerFormat {
        /// The file.
        path: PathBuf,
        /// Its version.
        found: u64,
        /// The version this build reads.
        supported: u32,
    },
    /// The file has no usable format version.
    #[error("{path}: unknown format version {found}")]
    UnknownFormat {
        /// The file.
        path: PathBuf,
        /// What stood in `format_version`.
        found: String,
    },
    /// The model is internally inconsistent.
    #[error("{path}: invalid model: {reason}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The caller's features differ from the model's.
    #[error("feature {position}: the model expects {expected:?}, the caller has {found:?}")]
    FeatureMismatch {
        /// First differing position.
        position: usize,
        /// The model's feature there (None past its end).
        expected: Option<String>,
        /// The caller's feature there (None past its end).
        found: Option<String>,
    },
    /// Serialising the model failed.
    #[error("serialising the model: {0}")]
    Serialise(String),
}

/// Everything saved about a trained model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelFile {
    /// Format version ([`FORMAT_VERSION`] when written by this build).
    pub format_version: u32,
    /// Version of smc-ml that wrote it.
    pub crate_version: String,
    /// Creation time, ms since the epoch (passed in by the caller).
    pub created_ms: i64,
    /// First decision time of the training data.
    pub train_from_ms: i64,
    /// Last label time of the training data.
    pub train_to_ms: i64,
    /// Feature names, in the order the model reads them.
    pub feature_names: Vec<String>,
    /// Training configuration.
    pub config: TrainConfig,
    /// Seed of the fit.
    pub seed: u64,
    /// Per-fold and out-of-fold metrics.
    pub report: FitReport,
    /// The fitted models and their combination.
    pub ensemble: Ensemble,
}

impl ModelFile {
    /// Bundles a fit with its provenance.
    pub fn new(
        ensemble: Ensemble,
        report: FitReport,
        config: TrainConfig,
        train_window_ms: (i64, i64),
        created_ms: i64,
    ) -> Self {
        Self {
            format_version: FORMAT_VERSION,
            crate_version: env!("CARGO_PKG_VERSION").to_string(),
            created_ms,
            train_from_ms: train_window_ms.0,
            train_to_ms: train_window_ms.1,
            feature_names: ensemble.feature_names.clone(),
            seed: config.seed,
            config,
            report,
            ensemble,
        }
    }

    /// The JSON text of the model.
    pub fn to_json(&self) -> Result<String, ArtifactError> {
        serde_json::to_string_pretty(self).map_err(|e| ArtifactError::Serialise(e.to_string()))
    }

    /// Writes `dir/model.json` (creating `dir`), through a temporary file
    /// renamed into place so that a reader never sees half a model.
    pub fn save(&self, dir: &Path) -> Result<PathBuf, ArtifactError> {
        let json = self.to_json()?;
        std::fs::create_dir_all(dir).map_err(|source| ArtifactError::Io {
            op: "creating",
            path: dir.to_path_buf(),
            source,
        })?;
        let path = dir.join(MODEL_FILE);
        let tmp = dir.join(format!("{MODEL_FILE}.tmp"));
        std::fs::write(&tmp, json).map_err(|source| ArtifactError::Io {
            op: "writing",
            path: tmp.clone(),
            source,
        })?;
        std::fs::rename(&tmp, &path).map_err(|source| ArtifactError::Io {
            op: "renaming into",
            path: path.clone(),
            source,
        })?;
        Ok(path)
    }

    /// Reads and checks `dir/model.json`.
    pub fn load(dir: &Path) -> Result<Self, ArtifactError> {
        let path = dir.join(MODEL_FILE);
        let text = std::fs::read_to_string(&path).map_err(|source| ArtifactError::Io {
            op: "reading",
            path: path.clone(),
            source,
        })?;
        Self::from_json(&text, &path)
    }

    /// Parses and checks model JSON; `path` names it in errors.
    pub fn from_json(text: &str, path: &Path) -> Result<Self, ArtifactError> {
        let parse_error = |e: serde_json::Error| ArtifactError::Parse {
            path: path.to_path_buf(),
            error: e.to_string(),
        };
        // The version first: a newer file may not parse as this format at all.
        #[derive(Deserialize)]
        struct Version {
            format_version: Option<serde_json::Value>,
        }
        let version: Version = serde_json::from_str(text).map_err(parse_error)?;
        match version
            .format_version
            .as_ref()
            .and_then(serde_json::Value::as_u64)
        {
            Some(v) if v == u64::from(FORMAT_VERSION) => {}
            Some(v) if v > u64::from(FORMAT_VERSION) => {
                return Err(ArtifactError::NewerFormat {
                    path: path.to_path_buf(),
                    found: v,
                    supported: FORMAT_VERSION,
                });
            }
            _ => {
                return Err(ArtifactError::UnknownFormat {
                    path: path.to_path_buf(),
                    found: version
                        .format_version
                        .map_or_else(|| "(missing)".to_string(), |v| v.to_string()),
                });
            }
        }
        let file: ModelFile = serde_json::from_str(text).map_err(parse_error)?;
        let invalid = |reason: String| ArtifactError::Invalid {
            path: path.to_path_buf(),
            reason,
        };
        if file.feature_names != file.ensemble.feature_names {
            return Err(invalid("feature_names differ from the ensemble's".into()));
        }
        file.ensemble
            .validate()
            .map_err(|e| invalid(e.to_string()))?;
        Ok(file)
    }

    /// Checks that the caller computes exactly the model's features, in order.
    pub fn check_features(&self, caller: &[String]) -> Result<(), ArtifactError> {
        let n = self.feature_names.len().max(caller.len());
        for position in 0..n {
            let expected = self.feature_names.get(position);
            let found = caller.get(position);
            if expected != found {
                return Err(ArtifactError::FeatureMismatch {
                    position,
                    expected: expected.cloned(),
                    found: found.cloned(),
                });
            }
        }
        Ok(())
    }
}
