//! What a session is asked to run: the mode, the venue, the symbols and
//! timeframes, the strategy, the database, and the config with its risk
//! limits. Everything left unset falls back to the config, then to the
//! product's defaults, by the rules below, in one place for the command
//! line and the API.

use crate::event::Mode;
use crate::strategies::StrategyName;
use smc_config::env::Credentials;
use smc_model::Timeframe;
use std::path::PathBuf;

/// The venue a session trades on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, PartialOrd, Ord)]
pub enum VenueName {
    #[default]
    Binance,
    Bybit,
    /// OANDA v20 (forex): a bearer token in `OANDA_API_KEY`, no secret.
    Oanda,
}

impl VenueName {
    /// Every venue a session can trade on.
    pub const ALL: [VenueName; 3] = [VenueName::Binance, VenueName::Bybit, VenueName::Oanda];

    /// The name used by the config (`exchanges.<name>`), the command line
    /// (`--venue-url NAME=HOST:PORT`) and the keys' variables
    /// (`<NAME>_API_KEY`).
    pub fn as_str(self) -> &'static str {
        match self {
            VenueName::Binance => "binance",
            VenueName::Bybit => "bybit",
            VenueName::Oanda => "oanda",
        }
    }

    /// `binance`, `bybit` or `oanda`, any case.
    pub fn parse(name: &str) -> Option<VenueName> {
        Self::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(name.trim()))
    }

    /// The venue's name for people (`Binance`, `Bybit`).
    pub fn title(self) -> &'static str {
        match self {
            VenueName::Binance => "Binance",
            VenueName::Bybit => "Bybit",
            VenueName::Oanda => "OANDA",
        }
    }

    /// The variable holding the API key (the secret's is `_API_SECRET`;
    /// OANDA's key is its token and has no secret).
    pub fn key_variable(self) -> String {
        format!("{}_API_KEY", self.as_str().to_ascii_uppercase())
    }
}

impl std::fmt::Display for VenueName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The URL given for `venue` among `--venue-url` values (`VENUE=HOST:PORT`,
/// or a bare `HOST:PORT` meaning Binance); a venue named twice or unknown
/// is an error naming the value.
pub fn venue_url_of(values: &[String], venue: VenueName) -> Result<Option<String>, String> {
    let mut found: std::collections::BTreeMap<VenueName, String> = Default::default();
    for value in values {
        let (name, url) = match value.split_once('=') {
            Some((name, url)) => {
                let known = VenueName::parse(name).ok_or_else(|| {
                    format!("--venue-url {value}: unknown venue `{name}` (binance, bybit or oanda)")
                })?;
                (known, url.trim())
            }
            None => (VenueName::Binance, value.trim()),
        };
        if found.insert(name, url.to_string()).is_some() {
            return Err(format!("--venue-url: {name} is given more than once"));
        }
    }
    Ok(found.remove(&venue))
}

/// The venues `route_to` names, each at its server among `--venue-url`
/// values (see [`venue_url_of`]), on `market`.
pub fn route_specs(
    values: &[String],
    route_to: &[VenueName],
    market: Market,
) -> Result<Vec<VenueSpec>, String> {
    route_to
        .iter()
        .map(|&venue| {
            Ok(VenueSpec {
                venue,
                market,
                url: venue_url_of(values, venue)?,
                account_id: None,
            })
        })
        .collect()
}

/// The market a session trades: spot, or USDT-margined perpetual futures
/// (Binance USDⓈ-M, Bybit linear).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Market {
    #[default]
    Spot,
    /// USDⓈ-margined perpetual futures.
    UsdM,
}

/// Where a session connects.
#[derive(Debug, Clone, Default)]
pub struct VenueSpec {
    pub venue: VenueName,
    pub market: Market,
    /// A server speaking the venue's protocol instead of the venue
    /// (`127.0.0.1:PORT` or `http://127.0.0.1:PORT`, e.g. `smc venue-sim`).
    pub url: Option<String>,
    /// OANDA: the account (default: the token's first).
    pub account_id: Option<String>,
}

/// Everything a paper or live session is asked to do.
#[derive(Debug, Clone, Default)]
pub struct SessionSpec {
    /// Paper or live (default: the config's `app.mode`, else paper).
    pub mode: Option<Mode>,
    /// The loaded config: strategy, detectors, risk limits and breakers,
    /// the simulated venue's models, starting balance, database.
    pub config: Option<smc_config::Config>,
    /// The config's file, watched so that changed risk limits apply.
    pub config_path: Option<PathBuf>,
    pub venue: VenueSpec,
    /// Paper mode: more venues quoting the same symbols; each order is
    /// routed between `venue` and these (see `crate::routed`). Their
    /// market is `venue`'s.
    pub route_to: Vec<VenueSpec>,
    /// The symbols (default: the config's `exchanges.binance.symbols`, else
    /// `backtest.instrument`, else BTCUSDT), traded from one account.
    pub symbols: Vec<String>,
    /// The candles' timeframe (default: the config's entry timeframe, else 1m).
    pub timeframe: Option<String>,
    /// Default: the config's `backtest.strategy`, else smc.
    pub strategy: Option<StrategyName>,
    /// smc: the bias timeframe (default: the config's last timeframe).
    pub bias: Option<String>,
    /// The SQLite file or a database URL (default: the config's
    /// `storage.database_url`, else `smc.db`).
    pub database: Option<PathBuf>,
    /// Stop after this many closed candles of all symbols together.
    pub max_bars: Option<u64>,
    /// Live mode only: the user's confirmation that real orders go out.
    pub confirm_live: bool,
    /// Live mode only: how often the whole account is reconciled with the
    /// venue (default one minute); also after every reconnect.
    pub reconcile_every: Option<std::time::Duration>,
    /// Live mode only: trading against a loopback server speaking the
    /// venue's protocol (a simulator) is allowed; without it live mode
    /// talks only to the venue's own hosts over TLS.
    pub allow_local_venue: bool,
    /// Live mode only: the venue's API key (the command line reads it from
    /// the environment).
    pub credentials: Option<Credentials>,
}

impl SessionSpec {
    /// The mode: asked, else the config's, else paper.
    pub fn mode(&self) -> Mode {
        match (self.mode, self.config.as_ref().map(|c| c.app.mode)) {
            (Some(m), _) => m,
            (None, Some(smc_config::Mode::Live)) => Mode::Live,
            _ => Mode::Paper,
        }
    }

    /// The symbols to trade: asked, else the config's symbols of the
    /// venue, else its backtest instrument's, else BTCUSDT (on OANDA
    /// EUR_USD); upper-cased, each once.
    pub fn symbols(&self) -> Vec<String> {
        let settings = self.config.as_ref();
        let from_config = || {
            let listed = settings
                .and_then(|c| c.exchanges.get(self.venue.venue.as_str()))
                .filter(|b| b.enabled)
                .map(|b| b.symbols.clone())
                .unwrap_or_default();
            if !listed.is_empty() {
                return listed;
            }
            let instrument = settings.and_then(|c| c.backtest.instrument.as_ref());
            let fallback = match self.venue.venue {
                VenueName::Oanda => "EUR_USD",
                _ => "BTCUSDT",
            };
            vec![instrument.map_or_else(|| fallback.into(), |i| i.symbol.clone())]
        };
        let chosen = if self.symbols.is_empty() {
            from_config()
        } else {
            self.symbols.clone()
        };
        let mut symbols: Vec<String> = Vec::new();
        for s in chosen {
            let s = s.trim().to_ascii_uppercase();
            if !s.is_empty() && !symbols.contains(&s) {
                symbols.push(s);
            }
        }
        symbols
    }

    /// The config's `backtest.timeframes` (entry, confirming…, bias).
    fn config_timeframes(&self) -> Vec<String> {
        self.config
            .as_ref()
            .map(|c| c.backtest.timeframes.clone())
            .unwrap_or_default()
    }

    /// The candles' timeframe: asked, else the config's entry timeframe,
    /// else 1m.
    pub fn timeframe(&self) -> Result<Timeframe, smc_model::TimeframeError> {
        match (&self.timeframe, self.config_timeframes().first()) {
            (Some(t), _) | (None, Some(t)) => t.parse(),
            (None, None) => Ok(Timeframe::M1),
        }
    }

    /// The strategy's timeframes (entry, confirming…, bias): the entry and
    /// `bias` when a bias is asked, else the config's.
    pub fn strategy_timeframes(&self, entry: Timeframe) -> Vec<String> {
        match &self.bias {
            Some(bias) => vec![entry.to_string(), bias.clone()],
            None => self.config_timeframes(),
        }
    }

    /// The venue: the asked server, else the config's
    /// `exchanges.<venue>.base_url`, else the venue itself.
    pub fn venue_spec(&self) -> VenueSpec {
        let section = self
            .config
            .as_ref()
            .and_then(|c| c.exchanges.get(self.venue.venue.as_str()));
        let configured = section.and_then(|b| b.base_url.clone());
        // OANDA's default is its practice hosts (its "testnet"), unless
        // the config says `environment: live`.
        let practice = self.venue.venue == VenueName::Oanda
            && section.and_then(|b| b.environment) != Some(smc_config::VenueEnvironment::Live);
        let fallback = practice.then(|| "testnet".to_string());
        VenueSpec {
            venue: self.venue.venue,
            market: self.venue.market,
            url: self.venue.url.clone().or(configured).or(fallback),
            account_id: self
                .venue
                .account_id
                .clone()
                .or_else(|| section.and_then(|b| b.account_id.clone())),
        }
    }

    /// The venues orders are routed between, the session's own first;
    /// empty for a session on one venue. Each takes its server as
    /// [`SessionSpec::venue_spec`] does.
    pub fn routing_venues(&self) -> Vec<VenueSpec> {
        if self.route_to.is_empty() {
            return Vec::new();
        }
        let configured = |v: VenueName| {
            self.config
                .as_ref()
                .and_then(|c| c.exchanges.get(v.as_str()))
                .and_then(|b| b.base_url.clone())
        };
        let mut out = vec![self.venue_spec()];
        for r in &self.route_to {
            if out.iter().any(|o| o.venue == r.venue) {
                continue;
            }
            out.push(VenueSpec {
                venue: r.venue,
                market: self.venue.market,
                url: r.url.clone().or_else(|| configured(r.venue)),
                account_id: None,
            });
        }
        out
    }

    /// The database URL: asked, else the config's, else `sqlite://smc.db`.
    /// Opens the session's journal: the database behind its append-only
    /// log (`storage.journal_sync`, `storage.journal_log`).
    pub fn open_journal(&self) -> Result<Box<dyn smc_store::Journal>, smc_store::StoreError> {
        let storage = self.config.as_ref().map(|c| &c.storage);
        let sync = match storage.map(|s| s.journal_sync).unwrap_or_default() {
            smc_config::JournalSync::None => smc_store::JournalSync::None,
            smc_config::JournalSync::Data => smc_store::JournalSync::Data,
            smc_config::JournalSync::Full => smc_store::JournalSync::Full,
        };
        let log = storage.and_then(|s| s.journal_log.as_deref());
        smc_store::open_session_journal(&self.database_url(), log, sync)
    }

    pub fn database_url(&self) -> String {
        match (&self.database, self.config.as_ref()) {
            // `--db` takes a file or a URL (`sqlite://…`, `postgres://…`).
            (Some(p), _) if p.to_string_lossy().contains("://") => p.display().to_string(),
            (Some(p), _) => format!("sqlite://{}", p.display()),
            (None, Some(c)) => c.storage.database_url.clone(),
            (None, None) => "sqlite://smc.db".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_come_from_the_flags_else_the_config_upper_cased_once_each() {
        let spec = SessionSpec {
            symbols: vec!["btcusdt".into(), " ETHUSDT".into(), "BTCUSDT".into()],
            ..SessionSpec::default()
        };
        assert_eq!(spec.symbols(), ["BTCUSDT", "ETHUSDT"]);
        assert_eq!(SessionSpec::default().symbols(), ["BTCUSDT"]);
        let config = smc_config::parse(
            "t.yaml",
            "exchanges:\n  binance:\n    enabled: true\n    symbols: [\"SOLUSDT\"]\n",
        )
        .unwrap();
        let spec = SessionSpec {
            config: Some(config),
            ..SessionSpec::default()
        };
        assert_eq!(spec.symbols(), ["SOLUSDT"]);
        assert_eq!(spec.venue_spec().url, None);
        assert_eq!(spec.mode(), Mode::Paper);
        assert_eq!(spec.database_url(), "sqlite://smc.db");
    }

    #[test]
    fn the_venue_url_comes_from_the_flag_else_the_configs_base_url() {
        let config = smc_config::parse(
            "t.yaml",
            "exchanges:\n  binance:\n    base_url: \"http://127.0.0.1:9\"\n",
        )
        .unwrap();
        let mut spec = SessionSpec {
            config: Some(config),
            ..SessionSpec::default()
        };
        assert_eq!(spec.venue_spec().url.as_deref(), Some("http://127.0.0.1:9"));
        spec.venue.url = Some("127.0.0.1:10".into());
        assert_eq!(spec.venue_spec().url.as_deref(), Some("127.0.0.1:10"));
        assert_eq!(spec.venue_spec().venue, VenueName::Binance);
    }

    #[test]
    fn a_bias_makes_the_timeframes_entry_then_bias() {
        let spec = SessionSpec {
            timeframe: Some("5m".into()),
            bias: Some("1h".into()),
            ..SessionSpec::default()
        };
        let entry = spec.timeframe().unwrap();
        assert_eq!(entry, Timeframe::M5);
        assert_eq!(spec.strategy_timeframes(entry), ["5m", "1h"]);
    }

    #[test]
    fn a_bybit_session_reads_the_bybit_section_of_the_config() {
        let config = smc_config::parse(
            "t.yaml",
            "exchanges:\n  binance:\n    symbols: [\"SOLUSDT\"]\n    base_url: \"http://127.0.0.1:9\"\n  bybit:\n    enabled: true\n    symbols: [\"ETHUSDT\"]\n    base_url: \"http://127.0.0.1:11\"\n",
        )
        .unwrap();
        let spec = SessionSpec {
            config: Some(config),
            venue: VenueSpec {
                venue: VenueName::Bybit,
                ..VenueSpec::default()
            },
            ..SessionSpec::default()
        };
        assert_eq!(spec.symbols(), ["ETHUSDT"]);
        assert_eq!(
            spec.venue_spec().url.as_deref(),
            Some("http://127.0.0.1:11")
        );
        assert_eq!(spec.venue_spec().venue, VenueName::Bybit);
        assert_eq!(VenueName::parse(" ByBit"), Some(VenueName::Bybit));
        assert_eq!(VenueName::parse("okx"), None);
        assert_eq!(VenueName::Bybit.key_variable(), "BYBIT_API_KEY");
    }

    #[test]
    fn venue_urls_are_named_per_venue_and_a_bare_one_is_binance() {
        let v = |list: &[&str], venue| {
            venue_url_of(
                &list.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                venue,
            )
        };
        let both = ["127.0.0.1:1", "bybit=127.0.0.1:2"];
        assert_eq!(
            v(&both, VenueName::Binance).unwrap().as_deref(),
            Some("127.0.0.1:1")
        );
        assert_eq!(
            v(&both, VenueName::Bybit).unwrap().as_deref(),
            Some("127.0.0.1:2")
        );
        assert_eq!(v(&["binance=127.0.0.1:3"], VenueName::Bybit).unwrap(), None);
        assert!(v(&["okx=127.0.0.1:3"], VenueName::Bybit).is_err());
        assert!(v(&["127.0.0.1:1", "binance=127.0.0.1:2"], VenueName::Binance).is_err());
    }
}
