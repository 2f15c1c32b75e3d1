//! Environment overrides (`TRADING_MODE`, `INITIAL_BALANCE`, `LOG_LEVEL`,
//! `DATABASE_URL`, `REDIS_URL`) and exchange secrets (`BINANCE_API_KEY`,
//! `BINANCE_API_SECRET`, the same for Bybit and OANDA), which are read from
//! the environment only and never written to the configuration file.

use crate::error::ConfigError;
use crate::schema::{Config, LogLevel, Mode};
use rust_decimal::Decimal;
use std::fmt;
use std::str::FromStr;
use zeroize::Zeroizing;

/// Applies the overrides found by `get` (a lookup of environment variables).
pub fn apply(config: &mut Config, get: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
    let bad = |var: &str, message: String| ConfigError::Env {
        var: var.to_string(),
        message,
    };
    if let Some(v) = get("TRADING_MODE") {
        config.app.mode = match v.trim().to_ascii_lowercase().as_str() {
            "paper" => Mode::Paper,
            "live" => Mode::Live,
            other => {
                return Err(bad(
                    "TRADING_MODE",
                    format!("`{other}` is not paper or live"),
                ));
            }
        };
    }
    if let Some(v) = get("INITIAL_BALANCE") {
        let balance = Decimal::from_str(v.trim())
            .map_err(|_| bad("INITIAL_BALANCE", format!("`{v}` is not a number")))?;
        if balance <= Decimal::ZERO {
            return Err(bad(
                "INITIAL_BALANCE",
                format!("must be positive, got {balance}"),
            ));
        }
        config.trading.initial_balance = balance;
    }
    if let Some(v) = get("LOG_LEVEL") {
        config.app.log_level = parse_log_level(&v).map_err(|m| bad("LOG_LEVEL", m))?;
    }
    if let Some(v) = get("DATABASE_URL") {
        config.storage.database_url = v;
        config
            .storage
            .validate()
            .map_err(|(_, message)| bad("DATABASE_URL", message))?;
    }
    if let Some(v) = get("NATS_URL") {
        crate::streaming::check_url(&v).map_err(|m| bad("NATS_URL", m))?;
        config.streaming.nats_url = Some(v);
    }
    if let Some(v) = get("REDIS_URL") {
        crate::validate::check_redis_url(&v).map_err(|m| bad("REDIS_URL", m))?;
        config.storage.redis_url = Some(v);
    }
    Ok(())
}

/// A log level named in any case (`debug`, `WARN`, `warning`).
pub fn parse_log_level(v: &str) -> Result<LogLevel, String> {
    Ok(match v.trim().to_ascii_uppercase().as_str() {
        "TRACE" => LogLevel::Trace,
        "DEBUG" => LogLevel::Debug,
        "INFO" => LogLevel::Info,
        "WARN" | "WARNING" => LogLevel::Warn,
        "ERROR" => LogLevel::Error,
        _ => {
            return Err(format!(
                "`{}` is not TRACE, DEBUG, INFO, WARN or ERROR",
                v.trim()
            ));
        }
    })
}

/// An exchange API secret: never printed, wiped from memory when dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// The secret's value, for signing only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// An exchange's API key pair, from `<VENUE>_API_KEY` and `<VENUE>_API_SECRET`.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub api_key: String,
    pub api_secret: Secret,
}

/// The credentials of `venue` (`binance`, …) if both variables are set.
pub fn credentials(venue: &str, get: impl Fn(&str) -> Option<String>) -> Option<Credentials> {
    let prefix = venue.to_ascii_uppercase();
    let api_key = get(&format!("{prefix}_API_KEY"))?;
    // OANDA's key is a bearer token with no secret: it is kept as the
    // secret (never logged), with no key id.
    if venue.eq_ignore_ascii_case("oanda") {
        return Some(Credentials {
            api_key: String::new(),
            api_secret: Secret(Zeroizing::new(api_key)),
        });
    }
    let api_secret = Secret(Zeroizing::new(get(&format!("{prefix}_API_SECRET"))?));
    Some(Credentials {
        api_key,
        api_secret,
    })
}
