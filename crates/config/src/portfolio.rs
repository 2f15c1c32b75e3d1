//! A portfolio file: several sessions run by one process, each with its own
//! config (account currency, starting balance, risk limits, strategy), venue
//! and journal, reported side by side (`smc run --portfolio FILE`).
//!
//! ```yaml
//! report_currency: USD
//! rates: { USDT: 1.0 }        # one unit's value in the report currency
//! sessions:
//!   - name: crypto
//!     venue: binance
//!     symbols: [BTCUSDT]
//!     config: crypto.yaml     # relative to this file
//!   - name: forex
//!     venue: oanda
//!     symbols: [EUR_USD]
//!     config: forex.yaml
//!     timeframe: 1h
//! ```

use crate::error::ConfigError;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortfolioFile {
    /// The currency totals are given in (default: the first session's).
    #[serde(default)]
    pub report_currency: Option<String>,
    /// One unit of a currency in the report currency; a session whose
    /// currency has no rate (and is not the report currency) is left out
    /// of the total, and the report says so.
    #[serde(default)]
    pub rates: BTreeMap<String, Decimal>,
    pub sessions: Vec<PortfolioSession>,
}

/// One session of the portfolio; what it does not say comes from its
/// config, as for `smc run`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortfolioSession {
    /// A name for reports and the default database (`<name>.db`).
    pub name: String,
    /// `binance`, `bybit` or `oanda`.
    pub venue: String,
    /// `spot` (default) or `usdm` (`linear`).
    #[serde(default)]
    pub market: Option<String>,
    #[serde(default)]
    pub symbols: Vec<String>,
    /// The session's own config file.
    #[serde(default)]
    pub config: Option<PathBuf>,
    #[serde(default)]
    pub timeframe: Option<String>,
    #[serde(default)]
    pub strategy: Option<String>,
    #[serde(default)]
    pub bias: Option<String>,
    /// SQLite file (default `<name>.db` beside the portfolio file).
    #[serde(default)]
    pub database: Option<PathBuf>,
    /// A server speaking the venue's protocol (`HOST:PORT`), e.g. a
    /// simulator, instead of the venue.
    #[serde(default)]
    pub venue_url: Option<String>,
}

/// Reads a portfolio file; relative paths become relative to its folder.
pub fn load_portfolio(path: &Path) -> Result<PortfolioFile, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let origin = path.display().to_string();
    let mut file = parse_portfolio(&origin, &text)?;
    let folder = path.parent().unwrap_or(Path::new("."));
    for s in &mut file.sessions {
        let db = s
            .database
            .take()
            .unwrap_or_else(|| PathBuf::from(format!("{}.db", s.name)));
        s.database = Some(folder.join(db));
        s.config = s.config.take().map(|c| folder.join(c));
    }
    Ok(file)
}

/// Parses and checks portfolio text; `origin` names it in errors.
pub fn parse_portfolio(origin: &str, text: &str) -> Result<PortfolioFile, ConfigError> {
    let file: PortfolioFile =
        serde_yaml_ng::from_str(text).map_err(|e| ConfigError::from_yaml(origin, &e))?;
    let invalid = |key: String, message: String| ConfigError::Invalid {
        origin: origin.to_string(),
        line: crate::locate::line_of_key(text, &key),
        key,
        message,
    };
    if file.sessions.is_empty() {
        return Err(invalid(
            "sessions".into(),
            "needs at least one session".into(),
        ));
    }
    let mut names = BTreeSet::new();
    let mut databases = BTreeSet::new();
    for (i, s) in file.sessions.iter().enumerate() {
        let key = |field: &str| format!("sessions[{i}].{field}");
        let plain = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        if s.name.is_empty() || !s.name.chars().all(plain) {
            return Err(invalid(
                key("name"),
                format!("`{}`: letters, digits, - and _ only", s.name),
            ));
        }
        if !names.insert(s.name.as_str()) {
            return Err(invalid(
                key("name"),
                format!("`{}` names two sessions", s.name),
            ));
        }
        if !["binance", "bybit", "oanda"].contains(&s.venue.as_str()) {
            return Err(invalid(
                key("venue"),
                format!("`{}`: binance, bybit or oanda", s.venue),
            ));
        }
        let db = s
            .database
            .clone()
            .unwrap_or_else(|| PathBuf::from(format!("{}.db", s.name)));
        if !databases.insert(db.clone()) {
            return Err(invalid(
                key("database"),
                format!(
                    "{} is another session's journal (one database, one session)",
                    db.display()
                ),
            ));
        }
    }
    for (currency, rate) in &file.rates {
        if *rate <= Decimal::ZERO {
            return Err(invalid(
                format!("rates.{currency}"),
                "must be above 0".into(),
            ));
        }
    }
    Ok(file)
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::*;

    const TWO: &str = "report_currency: USD\nrates: { USDT: 0.999 }\nsessions:\n  - name: crypto\n    venue: binance\n    symbols: [BTCUSDT]\n  - name: fx\n    venue: oanda\n    symbols: [EUR_USD]\n    config: fx.yaml\n";

    #[test]
    fn two_sessions_with_a_rate() {
        let f = parse_portfolio("p.yaml", TWO).expect("valid");
        assert_eq!(f.sessions.len(), 2);
        assert_eq!(f.rates["USDT"], Decimal::new(999, 3));
        assert_eq!(f.sessions[1].config.as_deref(), Some(Path::new("fx.yaml")));
    }

    #[test]
    fn mistakes_are_named() {
        let twice = TWO.replace("name: fx", "name: crypto");
        let e = parse_portfolio("p.yaml", &twice)
            .expect_err("two names")
            .to_string();
        assert!(
            e.contains("sessions[1].name") && e.contains("names two sessions"),
            "{e}"
        );
        let venue = TWO.replace("venue: oanda", "venue: kraken");
        let e = parse_portfolio("p.yaml", &venue)
            .expect_err("venue")
            .to_string();
        assert!(
            e.contains("sessions[1].venue") && e.contains("kraken"),
            "{e}"
        );
        let rate = TWO.replace("0.999", "0");
        let e = parse_portfolio("p.yaml", &rate)
            .expect_err("rate")
            .to_string();
        assert!(e.contains("rates.USDT"), "{e}");
        let shared = TWO.replace("    config: fx.yaml\n", "    database: crypto.db\n");
        let e = parse_portfolio("p.yaml", &shared)
            .expect_err("db")
            .to_string();
        assert!(e.contains("one database, one session"), "{e}");
        let unknown = TWO.replace("report_currency", "report_curency");
        assert!(parse_portfolio("p.yaml", &unknown).is_err());
        assert!(parse_portfolio("p.yaml", "sessions: []\n").is_err());
    }
}
