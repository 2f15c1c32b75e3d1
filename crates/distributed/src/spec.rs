//! What every job of a run shares, sent once as a blob keyed by its hash:
//! the data's hash, the config's text, the strategy, the venue flags and
//! the warm-up. A worker turns it into the very [`Runner`] that `smc
//! optimize` builds locally (same config parser, same engine settings,
//! same strategy base), so a job's backtest is the local one.

use crate::error::{DistError, DistResult};
use crate::wire::{check_schema, decode, encode};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use smc_engine::EngineConfig;
use smc_model::{Candle, MarketKind, Timeframe};
use smc_runtime::StrategyName;
use smc_runtime::backtest::{AccountChoice, VenueFlags, candles_timeframe, engine_config};
use smc_runtime::optimize::{BaseStrategy, Runner};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// The environment variables that change a backtest's config (`smc_config`
/// applies them over the file), forwarded from the coordinator so that a
/// worker's own environment cannot change the result. Deployment settings
/// (database, cache and NATS URLs, which may hold passwords) are not sent.
pub const FORWARDED_ENV: [&str; 2] = ["INITIAL_BALANCE", "TRADING_MODE"];

/// A run's shared inputs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSpec {
    pub schema: u32,
    pub data: DataRef,
    /// Skip malformed rows (the `--lenient` of the coordinator).
    pub lenient: bool,
    pub config: Option<ConfigText>,
    /// `smc` or `sma_cross`.
    pub strategy: String,
    pub timeframes: Vec<String>,
    pub flags: FlagsSpec,
    pub warmup: usize,
}

/// The candle file by content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataRef {
    /// SHA-256 (hex) of the file's bytes: the object's name in the store,
    /// and what a worker checks whatever the source.
    pub sha256: String,
    /// The file's name (its extension tells the reader the format).
    pub name: String,
    pub bytes: u64,
    /// A path every worker can read (a shared file system); the object
    /// store is used when absent.
    pub path: Option<String>,
}

/// A config file's text, parsed by each worker as `smc_config::load` does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigText {
    /// The file's name, for errors.
    pub origin: String,
    pub text: String,
    /// The coordinator's values of [`FORWARDED_ENV`].
    pub env: BTreeMap<String, String>,
}

/// `VenueFlags` with decimals as text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlagsSpec {
    pub cash: Option<Decimal>,
    pub fee: Option<Decimal>,
    pub slippage_bps: Option<Decimal>,
    pub latency_ms: Option<i64>,
    /// `spot` or `margin`.
    pub account: Option<String>,
    /// `spot`, `perpetual` or `forex`.
    pub kind: Option<String>,
}

impl ConfigText {
    /// Reads the config file and the forwarded variables of this process.
    pub fn capture(path: &Path) -> DistResult<ConfigText> {
        let text = std::fs::read_to_string(path).map_err(|source| DistError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Ok(ConfigText::from_text(path.display().to_string(), text))
    }

    /// A config's text (already read, or empty for the defaults) with the
    /// forwarded variables of this process.
    pub fn from_text(origin: String, text: String) -> ConfigText {
        let env = FORWARDED_ENV
            .iter()
            .filter_map(|n| std::env::var(n).ok().map(|v| (n.to_string(), v)))
            .collect();
        ConfigText { origin, text, env }
    }

    /// The config as the coordinator's `smc_config::load` made it (paths
    /// are not resolved: a worker reads no file the config names).
    pub fn parse(&self) -> DistResult<smc_config::Config> {
        let setting = |e: smc_config::ConfigError| DistError::Setting(e.to_string());
        let mut config = smc_config::parse(&self.origin, &self.text).map_err(setting)?;
        smc_config::env::apply(&mut config, |name| self.env.get(name).cloned()).map_err(setting)?;
        Ok(config)
    }
}

impl FlagsSpec {
    pub fn from_flags(f: &VenueFlags) -> DistResult<FlagsSpec> {
        if f.fill_rule.is_some() {
            return Err(DistError::Setting(
                "a fill-rule flag is not carried to workers; set it in the config".into(),
            ));
        }
        Ok(FlagsSpec {
            cash: f.cash,
            fee: f.fee,
            slippage_bps: f.slippage_bps,
            latency_ms: f.latency_ms,
            account: f.account.map(|a| match a {
                AccountChoice::Spot => "spot".into(),
                AccountChoice::Margin => "margin".into(),
            }),
            kind: f.kind.map(|k| match k {
                MarketKind::Spot => "spot".into(),
                MarketKind::Perpetual => "perpetual".into(),
                MarketKind::Forex => "forex".into(),
            }),
        })
    }

    pub fn to_flags(&self) -> DistResult<VenueFlags> {
        let bad = |what: &str, v: &str| DistError::Setting(format!("unknown {what} `{v}`"));
        Ok(VenueFlags {
            cash: self.cash,
            fee: self.fee,
            slippage_bps: self.slippage_bps,
            latency_ms: self.latency_ms,
            fill_rule: None,
            account: match self.account.as_deref() {
                None => None,
                Some("spot") => Some(AccountChoice::Spot),
                Some("margin") => Some(AccountChoice::Margin),
                Some(other) => return Err(bad("account", other)),
            },
            kind: match self.kind.as_deref() {
                None => None,
                Some("spot") => Some(MarketKind::Spot),
                Some("perpetual") => Some(MarketKind::Perpetual),
                Some("forex") => Some(MarketKind::Forex),
                Some(other) => return Err(bad("instrument kind", other)),
            },
        })
    }
}

impl RunSpec {
    /// A run of `strategy` over the candle file `data` (its bytes, its
    /// file name, and a path every worker can read or none to send it
    /// through the object store), with what `smc optimize` does without
    /// flags: strict rows, no config, no venue flags, no bias timeframes,
    /// no warm-up; the `with_` methods set the rest.
    pub fn for_input(data: &[u8], name: &str, shared_path: Option<String>, strategy: &str) -> Self {
        RunSpec {
            schema: crate::wire::SCHEMA,
            data: DataRef {
                sha256: crate::blob::sha256_hex(data),
                name: name.to_string(),
                bytes: data.len() as u64,
                path: shared_path,
            },
            lenient: false,
            config: None,
            strategy: strategy.to_string(),
            timeframes: Vec::new(),
            flags: FlagsSpec::default(),
            warmup: 0,
        }
    }

    /// The config the workers parse (the coordinator's `--config`).
    pub fn with_config(mut self, config: Option<ConfigText>) -> Self {
        self.config = config;
        self
    }

    pub fn with_timeframes(mut self, timeframes: Vec<String>) -> Self {
        self.timeframes = timeframes;
        self
    }

    /// Fails on a flag that is not carried to workers (the fill rule).
    pub fn with_flags(mut self, flags: &VenueFlags) -> DistResult<Self> {
        self.flags = FlagsSpec::from_flags(flags)?;
        Ok(self)
    }

    pub fn with_warmup(mut self, bars: usize) -> Self {
        self.warmup = bars;
        self
    }

    /// Skip malformed rows, as the coordinator's `--lenient` did.
    pub fn with_lenient(mut self, lenient: bool) -> Self {
        self.lenient = lenient;
        self
    }

    pub fn encode(&self) -> DistResult<Vec<u8>> {
        encode("run spec", self)
    }

    pub fn decode(bytes: &[u8]) -> DistResult<RunSpec> {
        let spec: RunSpec = decode("run spec", bytes)?;
        check_schema("run spec", spec.schema)?;
        Ok(spec)
    }
}

/// A run's spec made ready on a worker: everything a [`Runner`] borrows.
pub struct Prepared {
    pub candles: Arc<Vec<Candle>>,
    pub timeframe: Timeframe,
    pub engine: EngineConfig,
    pub settings: Option<smc_config::Config>,
    pub base: BaseStrategy,
    pub warmup: usize,
}

impl Prepared {
    /// Builds what `smc optimize` builds from its flags, in the same order.
    pub fn new(spec: &RunSpec, candles: Arc<Vec<Candle>>) -> DistResult<Prepared> {
        let setting = |e: smc_runtime::SessionError| DistError::Setting(e.to_string());
        let settings = spec.config.as_ref().map(ConfigText::parse).transpose()?;
        let timeframe = candles_timeframe(&candles).map_err(setting)?;
        let name: StrategyName = spec.strategy.parse().map_err(setting)?;
        let base = BaseStrategy::new(name, settings.as_ref(), &spec.timeframes).map_err(setting)?;
        let engine = engine_config(&spec.flags.to_flags()?, settings.as_ref());
        Ok(Prepared {
            candles,
            timeframe,
            engine,
            settings,
            base,
            warmup: spec.warmup,
        })
    }

    /// The runner of one job (borrows; cheap).
    pub fn runner(&self) -> Runner<'_> {
        Runner {
            candles: &self.candles,
            timeframe: self.timeframe,
            engine: self.engine,
            settings: self.settings.as_ref(),
            base: self.base.clone(),
            warmup: self.warmup,
        }
    }
}
