//! The agent's configuration: `config.yaml` in the product's schema (`app`,
//! `trading`, `risk_manager`, `exchanges`, …), overridden by environment
//! variables, with secrets read from the environment only. Every unknown key
//! or bad value is an error naming the key and the line.

/// Environment-variable overrides and secrets.
pub mod env;
/// Configuration errors.
pub mod error;
/// The schema: one struct per section.
pub mod schema;

pub use error::ConfigError;
pub use schema::{
    AppConfig, BacktestConfig, Config, ExchangeConfig, LogLevel, Mode, RiskManagerConfig,
    TradingConfig,
};

use std::path::Path;

/// Reads `path`, then applies the environment (`std::env::var`).
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let mut config = parse(&path.display().to_string(), &text)?;
    env::apply(&mut config, |name| std::env::var(name).ok())?;
    Ok(config)
}

/// Parses configuration text; `origin` names it in errors.
pub fn parse(origin: &str, text: &str) -> Result<Config, ConfigError> {
    let config: Config =
        serde_yaml_ng::from_str(text).map_err(|e| ConfigError::from_yaml(origin, &e))?;
    config
        .validate()
        .map_err(|(key, message)| ConfigError::Invalid {
            origin: origin.to_string(),
            line: line_of_key(text, key),
            key: key.to_string(),
            message,
        })?;
    Ok(config)
}

/// The 1-based line where the last segment of a dotted key is written, for
/// errors found after parsing (best effort: the first line with that key).
fn line_of_key(text: &str, dotted: &str) -> Option<usize> {
    let last = dotted.rsplit('.').next()?;
    text.lines()
        .position(|l| l.trim_start().starts_with(&format!("{last}:")))
        .map(|i| i + 1)
}
