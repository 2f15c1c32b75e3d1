//! The configuration schema, section by section, in the product's names
//! (`shared/PRODUCT.md`). Missing keys take the product's defaults; unknown
//! keys are errors.

pub use crate::circuit_breakers::{
    CircuitBreakersConfig, ConsecutiveLossesBreaker, DailyLossBreaker, DrawdownBreaker,
    ErrorRateBreaker, StaleDataBreaker, VolatilitySpikeBreaker,
};
use crate::validate::percent;
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
    /// How `smc serve` listens and guards its API.
    pub api: crate::api::ApiConfig,
    /// The `smc` strategy's ML filter (off unless `ml.model` is set).
    pub ml: crate::ml::MlConfig,
    /// The event stream on NATS JetStream (off unless `nats_url` is set).
    pub streaming: crate::streaming::StreamingConfig,
    /// Alerts and reports (off unless present).
    pub alerts: Option<crate::alerts::AlertsConfig>,
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
    /// The traded instrument's name and trading rules; without it a
    /// backtest trades fractional sizes with no minimums.
    pub instrument: Option<InstrumentConfig>,
}

/// `backtest.instrument`: what the input series is and the venue's rules
/// for it (Binance's PRICE_FILTER tick, LOT_SIZE step and minimum, and
/// NOTIONAL minimum). Orders are rounded to them in one place (the engine's
/// intake); a size that rounds to zero or below a minimum is rejected.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstrumentConfig {
    pub venue: String,
    pub symbol: String,
    #[serde(default = "spot")]
    pub kind: smc_model::MarketKind,
    #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
    pub tick_size: Decimal,
    #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
    pub lot_size: Decimal,
    #[serde(default, deserialize_with = "smc_model::serde_decimal::exact")]
    pub min_qty: Decimal,
    #[serde(default, deserialize_with = "smc_model::serde_decimal::exact")]
    pub min_notional: Decimal,
}

fn spot() -> smc_model::MarketKind {
    smc_model::MarketKind::Spot
}

impl InstrumentConfig {
    /// The rules as the model's spec.
    pub fn spec(&self) -> smc_model::InstrumentSpec {
        smc_model::InstrumentSpec {
            tick_size: self.tick_size,
            lot_size: self.lot_size,
            min_qty: self.min_qty,
            min_notional: self.min_notional,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), (&'static str, String)> {
        for (key, v) in [
            ("backtest.instrument.tick_size", self.tick_size),
            ("backtest.instrument.lot_size", self.lot_size),
            ("backtest.instrument.min_qty", self.min_qty),
            ("backtest.instrument.min_notional", self.min_notional),
        ] {
            if v < Decimal::ZERO {
                return Err((key, format!("must not be negative, got {v}")));
            }
        }
        let name_ok = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        };
        if !name_ok(&self.venue) {
            return Err((
                "backtest.instrument.venue",
                format!("bad venue `{}`", self.venue),
            ));
        }
        if !name_ok(&self.symbol) {
            return Err((
                "backtest.instrument.symbol",
                format!("bad symbol `{}`", self.symbol),
            ));
        }
        Ok(())
    }
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
    /// Largest exposure (gross notional at the mark) as a percentage of
    /// equity, per symbol, per venue and per correlated group.
    pub max_exposure_percent: ExposureLimits,
    /// Lists of symbols that move together; `max_exposure_percent.group`
    /// caps the exposure of each list as a whole.
    pub correlated_groups: Vec<Vec<String>>,
    /// Refuse an order that would push the portfolio's historical VaR (at
    /// `var_confidence`, over the last `var_window` bar returns) above this
    /// percentage of equity.
    #[serde(deserialize_with = "smc_model::serde_decimal::exact_opt")]
    pub max_portfolio_var_percent: Option<Decimal>,
    #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
    pub var_confidence: Decimal,
    pub var_window: usize,
    /// Circuit breakers that suspend new risk; each is off unless present.
    pub circuit_breakers: CircuitBreakersConfig,
    /// How the `smc` strategy sizes entries (see [`crate::sizing`]).
    pub position_sizing: crate::sizing::PositionSizing,
    /// `position_sizing: kelly`'s settings.
    pub kelly: crate::sizing::KellyConfig,
    /// `position_sizing: atr`: the stop distance in ATRs that is risked.
    #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
    pub atr_multiple: Decimal,
    /// `position_sizing: fixed_notional`: each entry's notional.
    #[serde(deserialize_with = "smc_model::serde_decimal::exact_opt")]
    pub fixed_notional: Option<Decimal>,
}

impl Default for RiskManagerConfig {
    fn default() -> Self {
        RiskManagerConfig {
            max_position_size: dec!(1000),
            max_daily_loss: dec!(500),
            stop_loss_percent: dec!(2),
            max_drawdown_percent: None,
            max_leverage: None,
            max_exposure_percent: ExposureLimits::default(),
            correlated_groups: Vec::new(),
            max_portfolio_var_percent: None,
            var_confidence: dec!(0.99),
            var_window: 500,
            circuit_breakers: CircuitBreakersConfig::default(),
            position_sizing: crate::sizing::PositionSizing::default(),
            kelly: crate::sizing::KellyConfig::default(),
            atr_multiple: dec!(2),
            fixed_notional: None,
        }
    }
}

impl RiskManagerConfig {
    /// The sizing keys as one value.
    pub fn sizing_choice(&self) -> crate::sizing::SizingChoice<'_> {
        crate::sizing::SizingChoice {
            method: self.position_sizing,
            kelly: &self.kelly,
            atr_multiple: self.atr_multiple,
            fixed_notional: self.fixed_notional,
        }
    }
}

impl RiskManagerConfig {
    /// The exposure and portfolio-VaR keys: percentages in (0, 100] (a cap
    /// may exceed 100 % of equity only through `max_leverage`), a
    /// confidence in (0.5, 1), groups of at least two symbols.
    pub(crate) fn validate_exposure(&self) -> Result<(), (&'static str, String)> {
        let e = &self.max_exposure_percent;
        for (key, v) in [
            ("risk_manager.max_exposure_percent.symbol", e.symbol),
            ("risk_manager.max_exposure_percent.venue", e.venue),
            ("risk_manager.max_exposure_percent.group", e.group),
            (
                "risk_manager.max_portfolio_var_percent",
                self.max_portfolio_var_percent,
            ),
        ] {
            if let Some(v) = v {
                percent(key, v)?;
            }
        }
        if !(self.var_confidence > dec!(0.5) && self.var_confidence < Decimal::ONE) {
            return Err((
                "risk_manager.var_confidence",
                format!(
                    "must be between 0.5 and 1 (exclusive), got {}",
                    self.var_confidence
                ),
            ));
        }
        if self.var_window < 20 {
            return Err((
                "risk_manager.var_window",
                format!("needs at least 20 returns, got {}", self.var_window),
            ));
        }
        if let Some(g) = self.correlated_groups.iter().find(|g| g.len() < 2) {
            return Err((
                "risk_manager.correlated_groups",
                format!("a group lists at least two symbols, got {g:?}"),
            ));
        }
        Ok(())
    }
}

/// `risk_manager.max_exposure_percent`: percent of equity; absent = no cap.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExposureLimits {
    #[serde(deserialize_with = "smc_model::serde_decimal::exact_opt")]
    pub symbol: Option<Decimal>,
    #[serde(deserialize_with = "smc_model::serde_decimal::exact_opt")]
    pub venue: Option<Decimal>,
    #[serde(deserialize_with = "smc_model::serde_decimal::exact_opt")]
    pub group: Option<Decimal>,
}

/// `exchanges.<name>`: one venue. Keys and secrets never live here: they come
/// from `<NAME>_API_KEY` / `<NAME>_API_SECRET` in the environment.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct ExchangeConfig {
    pub enabled: bool,
    pub symbols: Vec<String>,
    /// A Binance-protocol server on one host (`http://HOST:PORT`, e.g. the
    /// local simulator) instead of the venue; `--venue-url` overrides it.
    pub base_url: Option<String>,
    /// The account tier's fee rates on this venue (fractions: 0.001 is
    /// 0.1 %), used by the router and the paper venue; default: the
    /// venue's base tier.
    pub fees: Option<VenueFees>,
    /// OANDA: the account traded (default: the token's first account).
    pub account_id: Option<String>,
    /// OANDA: `practice` (fxpractice hosts, the default) or `live`.
    pub environment: Option<VenueEnvironment>,
    /// Present only to give a clear error: secrets are refused in the file.
    pub api_key: Option<serde_yaml_ng::Value>,
    /// Present only to give a clear error: secrets are refused in the file.
    pub api_secret: Option<serde_yaml_ng::Value>,
}

/// `exchanges.oanda.environment`: which of OANDA's hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VenueEnvironment {
    Practice,
    Live,
}

/// `exchanges.<name>.fees`: maker and taker rates of the account's tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VenueFees {
    pub maker: Decimal,
    pub taker: Decimal,
}

/// `storage`: where orders, fills and state are kept.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StorageConfig {
    /// `sqlite://FILE` (the embedded default) or `postgres://…`;
    /// `DATABASE_URL` overrides it.
    pub database_url: String,
    /// `redis://HOST:PORT` (or `rediss://` for TLS): the shared cache of
    /// `smc serve` (sessions' latest state, rate-limit counters), needed
    /// by `smc serve --replica`; `REDIS_URL` overrides it.
    pub redis_url: Option<String>,
    /// When a session's append-only journal log is flushed to the disk.
    pub journal_sync: JournalSync,
    /// The journal log's file (default: beside a SQLite file as
    /// `FILE.steplog`; `smc-journal-<hash of the URL>.steplog` for
    /// PostgreSQL).
    pub journal_log: Option<std::path::PathBuf>,
}

/// `storage.journal_sync`: `none` (a kill loses nothing; a power loss the
/// last steps, which a live session recovers from the venue), `data`
/// (`fdatasync` after each step that sends something to the venue) or
/// `full` (after every step).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JournalSync {
    #[default]
    None,
    Data,
    Full,
}

impl Default for StorageConfig {
    fn default() -> Self {
        StorageConfig {
            database_url: "sqlite://smc.db".to_string(),
            redis_url: None,
            journal_sync: JournalSync::None,
            journal_log: None,
        }
    }
}
