//! The training configuration of the ensemble: the walk-forward split, each
//! model family's settings, the combination and the seed.

use serde::{Deserialize, Serialize};

use crate::boosting::BoostingParams;
use crate::combine::Combination;
use crate::error::{MlError, Result};
use crate::forest::ForestParams;
use crate::logistic::LogisticParams;
use crate::split::SplitConfig;

/// Everything `Ensemble::fit` needs besides the data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainConfig {
    /// Purged, embargoed walk-forward split.
    pub split: SplitConfig,
    /// Logistic regression.
    pub logistic: LogisticParams,
    /// Random forest.
    pub forest: ForestParams,
    /// Gradient-boosted trees.
    pub boosting: BoostingParams,
    /// How the models' probabilities are combined.
    pub combination: Combination,
    /// Threshold of the accuracy and precision in the reports.
    pub threshold: f64,
    /// Seed of every random draw.
    pub seed: u64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            split: SplitConfig::default(),
            logistic: LogisticParams::default(),
            forest: ForestParams::default(),
            boosting: BoostingParams::default(),
            combination: Combination::Average,
            threshold: 0.5,
            seed: 0,
        }
    }
}

impl TrainConfig {
    /// Checks the fields that the model fits do not check themselves.
    pub fn validate(&self) -> Result<()> {
        self.split.validate()?;
        if !(self.threshold > 0.0 && self.threshold < 1.0) {
            return Err(MlError::InvalidConfig {
                field: "threshold",
                reason: format!("{} is not in (0, 1)", self.threshold),
            });
        }
        Ok(())
    }
}
