//! The configuration schema, section by section, in the product's names
//! (`shared/PRODUCT.md`). Missing keys take the product's defaults; unknown
//! keys are errors.

use rust_decimal::{Decimal, dec};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The whole `config.yaml`.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub app: AppConfig,
    pub trading: TradingConfig,
    pub risk_manager: RiskManagerConfig,
    /// Venues by name: `binance`, `bybit`, `oanda`.
    pub exchanges: BTreeMap<String, ExchangeConfig>,
    pub storage: StorageConfig,
    /// The causal SMC detectors' parameters.
    pub smc: smc_analysis::DetectorConfig,
    /// What `smc backtest --config` runs, when no flag says otherwise.
    pub backtest: BacktestConfig,
}

/// `backtest`: the data, strategy and simulated venue of a backtest.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct BacktestConfig {
    /// OHLCV CSV file (uniform or MetaTrader layout).
    pub input: Option<std::path::PathBuf>,
    /// `smc` or `sma_cross`.
    pub strategy: Option<String>,
    /// For `smc`: the entry timeframe (the input's) and the bias timeframe.
    pub timeframes: Vec<String>,
    /// Fees, slippage, latency, intrabar fill rule, account.
    pub engine: smc_engine::EngineConfig,
    /// The `smc` strategy's parameters (its detectors come from `smc`).
    pub smc_strategy: smc_strategy::SmcConfig,
}

/// Paper (simulated fills on live data) or live (real orders).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    #[default]
    Paper,
    Live,
}

/// Log verbosity, in the product's upper-case spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "UPPERCASE")]
pub enum LogLevel {
    Trace,
    Debug,
    #[default]
    Info,
    Warn,
    Error,
}

/// `app`: how the agent runs.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct AppConfig {
    pub mode: Mode,
    pub log_level: LogLevel,
}

/// `trading`: account and position sizing defaults.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TradingConfig {
    /// Starting balance in the quote currency.
    #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
    pub initial_balance: Decimal,
    /// Most positions open at once.
    pub max_positions: u32,
    /// Equity risked or committed per position, in percent.
    #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
    pub position_size_percent: Decimal,
}

impl Default for TradingConfig {
    fn default() -> Self {
        TradingConfig {
            initial_balance: dec!(10000),
            max_positions: 3,
            position_size_percent: dec!(1),
        }
    }
}

/// `risk_manager`: limits checked before every order.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RiskManagerConfig {
    /// Largest notional of one position, in the quote currency.
    #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
    pub max_position_size: Decimal,
    /// Largest loss of one UTC day, in the quote currency, from the day's start equity.
    #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
    pub max_daily_loss: Decimal,
    /// Default stop distance from the entry, in percent.
    #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
    pub stop_loss_percent: Decimal,
    /// Stop new risk once equity is this many percent below its peak.
    #[serde(deserialize_with = "smc_model::serde_decimal::exact_opt")]
    pub max_drawdown_percent: Option<Decimal>,
    /// Largest gross notional of all positions as a multiple of equity.
    #[serde(deserialize_with = "smc_model::serde_decimal::exact_opt")]
    pub max_leverage: Option<Decimal>,
}

impl Default for RiskManagerConfig {
    fn default() -> Self {
        RiskManagerConfig {
            max_position_size: dec!(1000),
            max_daily_loss: dec!(500),
            stop_loss_percent: dec!(2),
            max_drawdown_percent: None,
            max_leverage: None,
        }
    }
}

/// `exchanges.<name>`: one venue. Keys and secrets never live here: they come
/// from `<NAME>_API_KEY` / `<NAME>_API_SECRET` in the environment.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct ExchangeConfig {
    pub enabled: bool,
    pub symbols: Vec<String>,
    /// Base URL override (a testnet, or the local simulator).
    pub base_url: Option<String>,
    /// Present only to give a clear error: secrets are refused in the file.
    pub api_key: Option<serde_yaml_ng::Value>,
    /// Present only to give a clear error: secrets are refused in the file.
    pub api_secret: Option<serde_yaml_ng::Value>,
}

/// `storage`: where orders, fills and state are kept.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorageConfig {
    /// `sqlite://FILE` (the embedded default) or `postgres://…`; `DATABASE_URL` overrides it.
    pub database_url: String,
    /// Optional Redis for caches and sessions; `REDIS_URL` overrides it.
    pub redis_url: Option<String>,
}

impl Default for StorageConfig {
    fn default() -> Self {
        StorageConfig {
            database_url: "sqlite://smc.db".to_string(),
            redis_url: None,
        }
    }
}

/// The venues the agent knows.
pub const VENUES: [&str; 3] = ["binance", "bybit", "oanda"];

impl Config {
    /// Checks values that types alone cannot; returns the dotted key and why.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        let t = &self.trading;
        if t.initial_balance <= Decimal::ZERO {
            return Err((
                "trading.initial_balance",
                format!("must be positive, got {}", t.initial_balance),
            ));
        }
        if t.max_positions == 0 {
            return Err(("trading.max_positions", "must be at least 1".to_string()));
        }
        percent("trading.position_size_percent", t.position_size_percent)?;
        let r = &self.risk_manager;
        positive("risk_manager.max_position_size", r.max_position_size)?;
        positive("risk_manager.max_daily_loss", r.max_daily_loss)?;
        percent("risk_manager.stop_loss_percent", r.stop_loss_percent)?;
        for (name, exchange) in &self.exchanges {
            if !VENUES.contains(&name.as_str()) {
                return Err((
                    "exchanges",
                    format!("unknown exchange `{name}`: use {}", VENUES.join(", ")),
                ));
            }
            if exchange.api_key.is_some() || exchange.api_secret.is_some() {
                let var = name.to_ascii_uppercase();
                return Err((
                    "api_key",
                    format!(
                        "secrets are read only from the environment: set {var}_API_KEY and {var}_API_SECRET"
                    ),
                ));
            }
            if let Some(bad) = exchange.symbols.iter().find(|s| {
                s.is_empty()
                    || !s
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            }) {
                return Err(("symbols", format!("bad symbol `{bad}` for {name}")));
            }
        }
        Ok(())
    }
}

fn positive(key: &'static str, v: Decimal) -> Result<(), (&'static str, String)> {
    if v > Decimal::ZERO {
        Ok(())
    } else {
        Err((key, format!("must be positive, got {v}")))
    }
}

fn percent(key: &'static str, v: Decimal) -> Result<(), (&'static str, String)> {
    if v > Decimal::ZERO && v <= dec!(100) {
        Ok(())
    } else {
        Err((key, format!("must be a percentage in (0, 100], got {v}")))
    }
}
