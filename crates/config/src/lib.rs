//! The agent's configuration: `config.yaml` in the product's schema (`app`,
//! `trading`, `risk_manager`, `exchanges`, …), overridden by environment
//! variables, with secrets read from the environment only. Every unknown key
//! or bad value is an error naming the key and the line.

/// The `alerts` section: rules, channels, discipline, reports.
pub mod alerts;
/// The `api` section: `smc serve`.
pub mod api;
/// `risk_manager.circuit_breakers`.
pub mod circuit_breakers;
/// The `.env` file.
pub mod dotenv;
/// Environment-variable overrides and secrets.
pub mod env;
/// Configuration errors.
pub mod error;
mod locate;
/// The ML filter's model and threshold.
pub mod ml;
/// A portfolio of sessions in one process.
pub mod portfolio;
/// The schema: one struct per section.
pub mod schema;
/// `risk_manager.position_sizing` and its settings.
pub mod sizing;
/// The event stream (NATS JetStream).
pub mod streaming;
/// Checks of values beyond their types.
pub mod validate;

pub use api::ApiConfig;
pub use error::ConfigError;
pub use portfolio::{PortfolioFile, PortfolioSession, load_portfolio, parse_portfolio};
pub use schema::{
    AppConfig, BacktestConfig, Config, ExchangeConfig, JournalSync, LogLevel, Mode,
    RiskManagerConfig, TradingConfig, VenueEnvironment,
};

use std::path::Path;

/// Reads `path`, then applies the environment (`std::env::var`).
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let mut config = parse(&path.display().to_string(), &text)?;
    if let Some(folder) = path.parent() {
        config.resolve_paths(folder);
    }
    env::apply(&mut config, |name| std::env::var(name).ok())?;
    Ok(config)
}

impl Config {
    /// Makes the file's relative paths (`backtest.input`, a `sqlite://`
    /// file) relative to `folder`, the config file's own, so that a config
    /// means the same wherever the agent is started from.
    pub fn resolve_paths(&mut self, folder: &Path) {
        if let Some(input) = &mut self.backtest.input
            && input.is_relative()
        {
            *input = folder.join(&*input);
        }
        if let Some(model) = &mut self.ml.model
            && model.is_relative()
        {
            *model = folder.join(&*model);
        }
        if let Some(log) = &mut self.storage.journal_log
            && log.is_relative()
        {
            *log = folder.join(&*log);
        }
        for dir in [&mut self.api.data_dir, &mut self.api.sessions_dir] {
            if dir.is_relative() {
                *dir = folder.join(&*dir);
            }
        }
        let url = &mut self.storage.database_url;
        let file = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"));
        if let Some(file) = file
            && !file.starts_with(":memory:")
            && Path::new(file).is_relative()
        {
            *url = format!("sqlite://{}", folder.join(file).display());
        }
    }
}

/// Parses configuration text; `origin` names it in errors.
pub fn parse(origin: &str, text: &str) -> Result<Config, ConfigError> {
    let config: Config =
        serde_yaml_ng::from_str(text).map_err(|e| ConfigError::from_yaml(origin, &e))?;
    config
        .validate()
        .map_err(|(key, message)| ConfigError::Invalid {
            origin: origin.to_string(),
            line: locate::line_of_key(text, &key),
            key,
            message,
        })?;
    Ok(config)
}
