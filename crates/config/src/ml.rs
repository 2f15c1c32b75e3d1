//! The `ml` section: the model the `smc` strategy filters its setups with.
//! Off unless `model` is set; `threshold` is the probability under which a
//! setup is skipped; `size_by_probability` scales the trade's risk from half
//! at the threshold to the full configured risk at probability 1.

use serde::Deserialize;
use std::path::PathBuf;

/// `ml`: `{model: DIR, threshold: 0.55, size_by_probability: false}`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MlConfig {
    /// A model directory written by `smc ml train` (relative: to the
    /// config file's folder). None: no filter.
    pub model: Option<PathBuf>,
    /// Setups whose probability is under this are skipped.
    pub threshold: f64,
    /// Scale the risk of a taken setup by its probability.
    pub size_by_probability: bool,
}

impl Default for MlConfig {
    fn default() -> Self {
        MlConfig {
            model: None,
            threshold: 0.55,
            size_by_probability: false,
        }
    }
}

impl MlConfig {
    /// The threshold is a probability strictly between 0 and 1.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        if !(self.threshold > 0.0 && self.threshold < 1.0) {
            return Err((
                "ml.threshold",
                format!(
                    "{}: a probability between 0 and 1 (exclusive)",
                    self.threshold
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::parse;

    #[test]
    fn the_section_parses_refuses_unknown_keys_and_bad_thresholds() {
        let c = parse("t", "ml:\n  model: models/eth\n  threshold: 0.6\n").unwrap();
        assert_eq!(c.ml.threshold, 0.6);
        assert_eq!(
            c.ml.model.as_deref(),
            Some(std::path::Path::new("models/eth"))
        );
        assert!(!c.ml.size_by_probability);
        assert!(parse("t", "").unwrap().ml.model.is_none(), "off by default");
        let err = parse("t", "ml:\n  modle: x\n").unwrap_err().to_string();
        assert!(err.contains("modle"), "{err}");
        let err = parse("t", "ml:\n  threshold: 1.5\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("ml.threshold"), "{err}");
    }

    #[test]
    fn a_relative_model_path_is_relative_to_the_config_file() {
        let mut c = parse("t", "ml:\n  model: models/eth\n").unwrap();
        c.resolve_paths(std::path::Path::new("/etc/smc"));
        assert_eq!(
            c.ml.model.as_deref(),
            Some(std::path::Path::new("/etc/smc/models/eth"))
        );
    }
}
