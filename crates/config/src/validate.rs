//! Checks of values that types alone cannot make: ranges, the venues and
//! storage that exist, secrets kept out of the file. Each failure names
//! the dotted key and why.

use crate::schema::*;
use rust_decimal::{Decimal, dec};

/// The venues the agent knows.
pub const VENUES: [&str; 3] = ["binance", "bybit", "oanda"];

/// The venues a session can trade today; the others are refused when
/// enabled rather than silently ignored.
pub const SUPPORTED_VENUES: [&str; 3] = ["binance", "bybit", "oanda"];

/// A failed check: the dotted key and why.
pub type Invalid = (String, String);

impl Config {
    /// Checks values that types alone cannot; returns the dotted key and why.
    pub fn validate(&self) -> Result<(), Invalid> {
        let owned = |(key, message): (&'static str, String)| (key.to_string(), message);
        self.validate_numbers().map_err(owned)?;
        validate_smc_rules(&self.backtest.smc_strategy).map_err(owned)?;
        for (name, exchange) in &self.exchanges {
            validate_exchange(name, exchange)?;
        }
        self.storage.validate().map_err(owned)?;
        self.ml.validate().map_err(owned)?;
        self.streaming.validate().map_err(owned)?;
        if let Some(alerts) = &self.alerts {
            alerts.validate().map_err(owned)?;
        }
        self.api.validate().map_err(owned)
    }

    fn validate_numbers(&self) -> Result<(), (&'static str, String)> {
        let t = &self.trading;
        positive("trading.initial_balance", t.initial_balance)?;
        if t.max_positions == 0 {
            return Err(("trading.max_positions", "must be at least 1".to_string()));
        }
        percent("trading.position_size_percent", t.position_size_percent)?;
        let r = &self.risk_manager;
        positive("risk_manager.max_position_size", r.max_position_size)?;
        positive("risk_manager.max_daily_loss", r.max_daily_loss)?;
        percent("risk_manager.stop_loss_percent", r.stop_loss_percent)?;
        r.circuit_breakers.validate()?;
        r.sizing_choice().validate()?;
        r.validate_exposure()?;
        if let Some(i) = &self.backtest.instrument {
            i.validate()?;
        }
        let f = &self.backtest.engine.forex;
        if f.spread_pips < Decimal::ZERO || f.spread_pips > Decimal::ONE_THOUSAND {
            let why = format!("{}: pips between 0 and 1000", f.spread_pips);
            return Err(("backtest.engine.forex.spread_pips", why));
        }
        if let Some(pip) = f.pip_size {
            positive("backtest.engine.forex.pip_size", pip)?;
        }
        if f.leverage < Decimal::ONE || f.leverage > Decimal::ONE_THOUSAND {
            let why = format!("{}: between 1 and 1000", f.leverage);
            return Err(("backtest.engine.forex.leverage", why));
        }
        percent("backtest.engine.forex.closeout_percent", f.closeout_percent)?;
        for (key, rate) in [
            (
                "backtest.engine.forex.long_rate_percent",
                f.long_rate_percent,
            ),
            (
                "backtest.engine.forex.short_rate_percent",
                f.short_rate_percent,
            ),
        ] {
            if rate.abs() > Decimal::ONE_HUNDRED {
                return Err((key, format!("{rate}: an annual percent within ±100")));
            }
        }
        Ok(())
    }
}

/// `exchanges.<name>`: a known venue, no secrets, plain symbols, and
/// enabled only where a session can trade it.
fn validate_exchange(name: &str, exchange: &ExchangeConfig) -> Result<(), Invalid> {
    let key = |field: &str| format!("exchanges.{name}.{field}");
    if !VENUES.contains(&name) {
        return Err((
            format!("exchanges.{name}"),
            format!("unknown exchange `{name}`: use {}", VENUES.join(", ")),
        ));
    }
    if exchange.api_key.is_some() || exchange.api_secret.is_some() {
        let var = name.to_ascii_uppercase();
        let field = if exchange.api_key.is_some() {
            "api_key"
        } else {
            "api_secret"
        };
        return Err((
            key(field),
            format!(
                "secrets are read only from the environment (or a .env file): set {var}_API_KEY and {var}_API_SECRET"
            ),
        ));
    }
    if exchange.enabled && !SUPPORTED_VENUES.contains(&name) {
        return Err((
            key("enabled"),
            format!(
                "{name} is not supported yet (sessions trade {} only): set enabled: false or remove the section",
                SUPPORTED_VENUES.join(", ")
            ),
        ));
    }
    if let Some(bad) = exchange.symbols.iter().find(|s| {
        s.is_empty()
            || !s
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    }) {
        return Err((key("symbols"), format!("bad symbol `{bad}`")));
    }
    if name != "oanda" && (exchange.account_id.is_some() || exchange.environment.is_some()) {
        let field = if exchange.account_id.is_some() {
            "account_id"
        } else {
            "environment"
        };
        return Err((
            key(field),
            format!("{field} is OANDA's setting, not {name}'s"),
        ));
    }
    if let Some(id) = &exchange.account_id
        && (id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
    {
        return Err((key("account_id"), format!("bad account id `{id}`")));
    }
    if let Some(fees) = &exchange.fees {
        // A maker rebate is a negative fee; no venue charges 1 % or more.
        let ok = |f: Decimal| f > dec!(-0.01) && f < dec!(0.01);
        if !ok(fees.maker) {
            return Err((
                key("fees.maker"),
                format!(
                    "{}: a fraction between -0.01 and 0.01 (0.001 is 0.1 %)",
                    fees.maker
                ),
            ));
        }
        if !ok(fees.taker) || fees.taker < Decimal::ZERO {
            return Err((
                key("fees.taker"),
                format!(
                    "{}: a fraction between 0 and 0.01 (0.001 is 0.1 %)",
                    fees.taker
                ),
            ));
        }
    }
    if let Some(url) = &exchange.base_url
        && !url.starts_with("http://")
    {
        return Err((
            key("base_url"),
            format!(
                "`{url}`: only a server speaking {name}'s protocol on one host (http://HOST:PORT, e.g. smc venue-sim) is supported"
            ),
        ));
    }
    Ok(())
}

impl StorageConfig {
    /// An embedded SQLite database or PostgreSQL, and optionally Redis;
    /// other servers are refused rather than ignored.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        if let Some(url) = &self.redis_url {
            check_redis_url(url).map_err(|m| ("storage.redis_url", m))?;
        }
        let url = &self.database_url;
        if !["sqlite:", "postgres://", "postgresql://"]
            .iter()
            .any(|scheme| url.starts_with(scheme))
        {
            return Err((
                "storage.database_url",
                format!(
                    "`{}`: expected sqlite://FILE or postgres://USER@HOST/DB",
                    redact(&self.database_url)
                ),
            ));
        }
        Ok(())
    }
}

/// A Redis URL: `redis://HOST[:PORT][/DB]` or, over TLS, `rediss://…`.
pub fn check_redis_url(url: &str) -> Result<(), String> {
    let rest = url
        .strip_prefix("redis://")
        .or_else(|| url.strip_prefix("rediss://"));
    match rest {
        Some(rest) if !rest.is_empty() && !rest.starts_with('/') => Ok(()),
        _ => Err(format!(
            "`{}`: expected redis://HOST:PORT or rediss://HOST:PORT (TLS)",
            redact(url)
        )),
    }
}

/// A URL with its password hidden, for error messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://***{}", &url[..scheme], &url[at..])
        }
        _ => url.to_string(),
    }
}

/// The smc strategy's stop, target and exit numbers: percentages in
/// (0, 100], multiples and R counts positive and at most 1,000 (so that
/// prices times them stay far inside exact decimal range).
fn validate_smc_rules(s: &smc_strategy::SmcConfig) -> Result<(), (&'static str, String)> {
    use smc_strategy::{StopRule, TargetRule, Trailing};
    let multiple = |key: &'static str, v: Decimal| {
        if v > Decimal::ZERO && v <= dec!(1000) {
            Ok(())
        } else {
            Err((key, format!("must be in (0, 1000], got {v}")))
        }
    };
    if let Some(p) = s.risk_percent {
        percent("backtest.smc_strategy.risk_percent", p)?;
    }
    multiple("backtest.smc_strategy.reward_risk", s.reward_risk)?;
    match s.stop {
        Some(StopRule::FixedPercent { percent: p }) => {
            percent("backtest.smc_strategy.stop.percent", p)?
        }
        Some(StopRule::Atr { multiple: m }) => multiple("backtest.smc_strategy.stop.multiple", m)?,
        Some(StopRule::Structure { buffer }) if buffer < Decimal::ZERO || buffer > dec!(1000) => {
            return Err((
                "backtest.smc_strategy.stop.buffer",
                format!("must be in [0, 1000], got {buffer}"),
            ));
        }
        _ => {}
    }
    match s.target {
        Some(TargetRule::RMultiple { multiple: m }) => {
            multiple("backtest.smc_strategy.target.multiple", m)?
        }
        Some(TargetRule::Liquidity { min_r, fallback }) => {
            multiple("backtest.smc_strategy.target.min_r", min_r)?;
            multiple("backtest.smc_strategy.target.fallback", fallback)?;
        }
        None => {}
    }
    match s.exits.trailing {
        Some(Trailing::Percent { percent: p }) => {
            percent("backtest.smc_strategy.exits.trailing.percent", p)?
        }
        Some(Trailing::Atr { multiple: m }) => {
            multiple("backtest.smc_strategy.exits.trailing.multiple", m)?
        }
        Some(Trailing::Structure { buffer }) if buffer < Decimal::ZERO || buffer > dec!(1000) => {
            return Err((
                "backtest.smc_strategy.exits.trailing.buffer",
                format!("must be in [0, 1000], got {buffer}"),
            ));
        }
        _ => {}
    }
    if let Some(r) = s.exits.break_even_after_r {
        multiple("backtest.smc_strategy.exits.break_even_after_r", r)?;
    }
    if s.exits.time_stop_bars == Some(0) {
        return Err((
            "backtest.smc_strategy.exits.time_stop_bars",
            "must be at least 1".to_string(),
        ));
    }
    Ok(())
}

pub(crate) fn positive(key: &'static str, v: Decimal) -> Result<(), (&'static str, String)> {
    if v > Decimal::ZERO {
        Ok(())
    } else {
        Err((key, format!("must be positive, got {v}")))
    }
}

pub(crate) fn percent(key: &'static str, v: Decimal) -> Result<(), (&'static str, String)> {
    if v > Decimal::ZERO && v <= dec!(100) {
        Ok(())
    } else {
        Err((key, format!("must be a percentage in (0, 100], got {v}")))
    }
}
