//! The configuration schema, section by section, in the product's names
//! (`shared/PRODUCT.md`). Missing keys take the product's defaults; unknown
//! keys are errors.

use crate::validate::{percent, positive};
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

/// `risk_manager.circuit_breakers`: each breaker is off unless its section
/// is present. A tripped breaker refuses orders that add risk (exits pass)
/// until its cooldown ends or an operator resets it with the token in
/// `SMC_BREAKER_RESET_TOKEN` (never in this file). States are kept in
/// `storage.database_url`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct CircuitBreakersConfig {
    /// Minutes a released breaker cools down (trading allowed, condition
    /// not checked) before it is armed again.
    pub rearm_delay_minutes: u32,
    pub daily_loss: Option<DailyLossBreaker>,
    pub drawdown: Option<DrawdownBreaker>,
    pub consecutive_losses: Option<ConsecutiveLossesBreaker>,
    pub volatility_spike: Option<VolatilitySpikeBreaker>,
    pub error_rate: Option<ErrorRateBreaker>,
    pub stale_data: Option<StaleDataBreaker>,
}

/// Trips on a loss from the UTC day's start equity (amount and/or percent).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct DailyLossBreaker {
    /// In the quote currency.
    #[serde(default, deserialize_with = "smc_model::serde_decimal::exact_opt")]
    pub max_loss: Option<Decimal>,
    /// In percent of the day's start equity.
    #[serde(default, deserialize_with = "smc_model::serde_decimal::exact_opt")]
    pub max_loss_percent: Option<Decimal>,
    /// Released by itself at the next UTC midnight.
    #[serde(default)]
    pub release_next_utc_day: bool,
    /// Released by itself this many minutes after the trip.
    #[serde(default)]
    pub cooldown_minutes: Option<u32>,
}

/// Trips when equity is a percentage below its peak.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DrawdownBreaker {
    #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
    pub max_percent: Decimal,
    #[serde(default)]
    pub cooldown_minutes: Option<u32>,
}

/// Trips after this many losing round trips in a row.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsecutiveLossesBreaker {
    pub max_losses: u32,
    #[serde(default)]
    pub cooldown_minutes: Option<u32>,
}

/// Trips when a bar's true range exceeds `multiple` times its average over
/// `atr_period` bars.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VolatilitySpikeBreaker {
    pub atr_period: u32,
    #[serde(deserialize_with = "smc_model::serde_decimal::exact")]
    pub multiple: Decimal,
    #[serde(default)]
    pub cooldown_minutes: Option<u32>,
}

/// Trips when `max_errors` of the last `window` order requests were rejected.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorRateBreaker {
    pub window: u32,
    pub max_errors: u32,
    #[serde(default)]
    pub cooldown_minutes: Option<u32>,
}

/// Trips when no candle has arrived for more than `max_age_seconds`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaleDataBreaker {
    pub max_age_seconds: u32,
    #[serde(default)]
    pub cooldown_minutes: Option<u32>,
}

impl CircuitBreakersConfig {
    /// Checks the values types alone cannot; returns the dotted key and why.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        let zero_cooldown = |c: Option<u32>| c == Some(0);
        if let Some(d) = &self.daily_loss {
            if d.max_loss.is_none() && d.max_loss_percent.is_none() {
                return Err((
                    "risk_manager.circuit_breakers.daily_loss",
                    "set max_loss or max_loss_percent".to_string(),
                ));
            }
            if let Some(v) = d.max_loss {
                positive("risk_manager.circuit_breakers.daily_loss.max_loss", v)?;
            }
            if let Some(v) = d.max_loss_percent {
                percent(
                    "risk_manager.circuit_breakers.daily_loss.max_loss_percent",
                    v,
                )?;
            }
            if d.release_next_utc_day && d.cooldown_minutes.is_some() {
                return Err((
                    "risk_manager.circuit_breakers.daily_loss.cooldown_minutes",
                    "release_next_utc_day and cooldown_minutes exclude each other".to_string(),
                ));
            }
        }
        if let Some(d) = &self.drawdown {
            percent(
                "risk_manager.circuit_breakers.drawdown.max_percent",
                d.max_percent,
            )?;
        }
        if self
            .consecutive_losses
            .as_ref()
            .is_some_and(|c| c.max_losses == 0)
        {
            return Err((
                "risk_manager.circuit_breakers.consecutive_losses.max_losses",
                "must be at least 1".to_string(),
            ));
        }
        if let Some(v) = &self.volatility_spike {
            if v.atr_period == 0 {
                return Err((
                    "risk_manager.circuit_breakers.volatility_spike.atr_period",
                    "must be at least 1".to_string(),
                ));
            }
            if v.multiple <= Decimal::ONE {
                return Err((
                    "risk_manager.circuit_breakers.volatility_spike.multiple",
                    format!("must be above 1, got {}", v.multiple),
                ));
            }
        }
        if let Some(e) = &self.error_rate
            && (e.max_errors == 0 || e.max_errors > e.window)
        {
            return Err((
                "risk_manager.circuit_breakers.error_rate.max_errors",
                format!(
                    "must be between 1 and window ({}), got {}",
                    e.window, e.max_errors
                ),
            ));
        }
        if self
            .stale_data
            .as_ref()
            .is_some_and(|s| s.max_age_seconds == 0)
        {
            return Err((
                "risk_manager.circuit_breakers.stale_data.max_age_seconds",
                "must be at least 1".to_string(),
            ));
        }
        let cooldowns = [
            self.daily_loss.as_ref().and_then(|c| c.cooldown_minutes),
            self.drawdown.as_ref().and_then(|c| c.cooldown_minutes),
            self.consecutive_losses
                .as_ref()
                .and_then(|c| c.cooldown_minutes),
            self.volatility_spike
                .as_ref()
                .and_then(|c| c.cooldown_minutes),
            self.error_rate.as_ref().and_then(|c| c.cooldown_minutes),
            self.stale_data.as_ref().and_then(|c| c.cooldown_minutes),
        ];
        if cooldowns.into_iter().any(zero_cooldown) {
            return Err((
                "cooldown_minutes",
                "must be at least 1 (leave it out to release only by a reset)".to_string(),
            ));
        }
        Ok(())
    }
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
}

impl Default for StorageConfig {
    fn default() -> Self {
        StorageConfig {
            database_url: "sqlite://smc.db".to_string(),
            redis_url: None,
        }
    }
}

#[cfg(test)]
mod circuit_breaker_tests {
    use super::*;

    /// The `circuit_breakers` block of `config.example.yaml` with its
    /// commented-out breakers uncommented (the example enables only some).
    fn example_block() -> String {
        let text = include_str!("../../../config.example.yaml");
        let mut out = String::from("risk_manager:\n");
        let mut inside = false;
        for line in text.lines() {
            if line == "  circuit_breakers:" || line == "  # circuit_breakers:" {
                inside = true;
                out.push_str("  circuit_breakers:\n");
                continue;
            }
            if !inside {
                continue;
            }
            if !line.starts_with("  ") {
                break;
            }
            if line.trim_start().starts_with('#') {
                // A key commented out at the block's level: `  #   drawdown:`.
                let code = line.replacen("# ", "", 1);
                if line.starts_with("  # ") && !code.trim_start().starts_with('#') {
                    out.push_str(&code);
                    out.push('\n');
                }
            } else {
                out.push_str(line);
                out.push('\n');
            }
        }
        out
    }

    #[test]
    fn breakers_are_off_by_default() {
        let c: Config = serde_yaml_ng::from_str("risk_manager: {max_daily_loss: 400.0}").unwrap();
        assert_eq!(
            c.risk_manager.circuit_breakers,
            CircuitBreakersConfig::default()
        );
        assert!(c.risk_manager.circuit_breakers.daily_loss.is_none());
    }

    #[test]
    fn the_documented_example_parses_and_validates() {
        let yaml = example_block();
        let c: Config = serde_yaml_ng::from_str(&yaml).unwrap_or_else(|e| panic!("{e}\n{yaml}"));
        let b = &c.risk_manager.circuit_breakers;
        let daily = b.daily_loss.as_ref().unwrap();
        assert_eq!(daily.max_loss_percent, Some(dec!(0.2)));
        assert!(daily.release_next_utc_day);
        assert_eq!(b.drawdown.as_ref().unwrap().max_percent, dec!(10));
        assert_eq!(b.consecutive_losses.as_ref().unwrap().max_losses, 5);
        assert_eq!(b.volatility_spike.as_ref().unwrap().multiple, dec!(4));
        assert_eq!(b.error_rate.as_ref().unwrap().window, 20);
        assert_eq!(b.stale_data.as_ref().unwrap().max_age_seconds, 180);
        assert_eq!(c.validate(), Ok(()));
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused() {
        let unknown = "risk_manager:\n  circuit_breakers:\n    daily_loss:\n      max_los: 1.0\n";
        assert!(serde_yaml_ng::from_str::<Config>(unknown).is_err());
        let none =
            "risk_manager:\n  circuit_breakers:\n    daily_loss: {release_next_utc_day: true}\n";
        let c: Config = serde_yaml_ng::from_str(none).unwrap();
        assert_eq!(
            c.validate().unwrap_err().0,
            "risk_manager.circuit_breakers.daily_loss"
        );
        let rate =
            "risk_manager:\n  circuit_breakers:\n    error_rate: {window: 3, max_errors: 4}\n";
        let c: Config = serde_yaml_ng::from_str(rate).unwrap();
        assert_eq!(
            c.validate().unwrap_err().0,
            "risk_manager.circuit_breakers.error_rate.max_errors"
        );
    }
}
