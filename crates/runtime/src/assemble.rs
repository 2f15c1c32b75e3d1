//! Builds a session's parts from its spec: the venue connections, the
//! instruments with the venue's rules, the journal, the strategy, the
//! engine's account and models, and the risk gate (with the handle through
//! which a changed config reaches it). Live mode's preconditions are
//! checked first, before anything is sent.

use crate::config_watch::ConfigWatcher;
use crate::connect::{Connections, connect};
use crate::error::{SessionError, SessionResult};
use crate::event::Mode;
use crate::identity::SessionIdentity;
use crate::live_start::{check_key, refuse_live};
use crate::spec::{Market, SessionSpec, VenueName};
use crate::strategies::{StrategyName, session_strategy, strategy_name};
use crate::venue_target::VenueTarget;
use rust_decimal::Decimal;
use smc_engine::{AccountKind, EngineConfig, EngineInstrument};
use smc_model::{ApproveAll, Clock, Instrument, InstrumentId, RiskGate, Timeframe, WallClock};
use smc_risk::LimitsHandle;
use smc_store::Journal;
use smc_strategy::Strategy;

/// Everything a session is built from.
pub struct Parts {
    pub mode: Mode,
    pub connections: Connections,
    /// In the engine's instrument order.
    pub symbols: Vec<String>,
    pub timeframe: Timeframe,
    pub instruments: Vec<Instrument>,
    pub database: String,
    pub store: Box<dyn Journal>,
    pub engine: EngineConfig,
    pub strategy: Box<dyn Strategy>,
    pub gate: Box<dyn RiskGate>,
    /// The config file and the gate's reload handle.
    pub watch: Option<(ConfigWatcher, LimitsHandle)>,
}

impl Parts {
    /// The engine's instrument table.
    pub fn engine_instruments(&self) -> Vec<EngineInstrument> {
        self.instruments
            .iter()
            .map(|instrument| EngineInstrument {
                instrument: instrument.clone(),
                execution_timeframe: self.timeframe,
            })
            .collect()
    }

    pub fn instrument_ids(&self) -> Vec<InstrumentId> {
        self.instruments.iter().map(|i| i.id.clone()).collect()
    }
}

/// Builds the parts of the session `spec` asks for.
pub fn assemble(spec: &SessionSpec, runtime: &tokio::runtime::Runtime) -> SessionResult<Parts> {
    let mode = spec.mode();
    let credentials = match mode {
        Mode::Live => Some(refuse_live(spec)?),
        Mode::Paper => None,
    };
    // OANDA serves even its prices only to a token: a paper session on it
    // reads with the token, and trades nothing.
    let market_token = match spec.venue.venue {
        VenueName::Oanda => spec.credentials.clone(),
        _ => None,
    };
    let trading = credentials.is_some();
    let connections = connect(
        &spec.venue_spec(),
        credentials.as_ref().or(market_token.as_ref()),
        trading,
    )?;
    let symbols = spec.symbols();
    let timeframe = spec
        .timeframe()
        .map_err(|e| SessionError::Setting(e.to_string()))?;
    let instruments = match &connections.execution {
        // The execution venue keeps the rules to round orders with.
        Some(execution) => {
            let venue = spec.venue_spec();
            let target = VenueTarget::parse(venue.url.as_deref(), venue.venue, venue.market)
                .map_err(SessionError::Setting)?;
            runtime.block_on(check_key(execution.as_ref(), &target))?;
            runtime.block_on(execution.instruments(&symbols))
        }
        None => runtime.block_on(connections.market_data.instruments(&symbols)),
    }
    .map_err(SessionError::venue("reading the symbols' trading rules"))?;
    let database = spec.database_url();
    let store = spec
        .open_journal()
        .map_err(SessionError::store("opening the journal"))?;
    SessionIdentity::of(spec, mode, &symbols).claim(store.as_ref())?;
    let settings = spec.config.as_ref();
    let name = strategy_name(spec.strategy, settings).unwrap_or(StrategyName::Smc);
    let ids: Vec<InstrumentId> = instruments.iter().map(|i| i.id.clone()).collect();
    let strategy = session_strategy(name, settings, &spec.strategy_timeframes(timeframe), &ids)?;
    let engine = engine_config(spec);
    let (gate, watch): (Box<dyn RiskGate>, _) = match settings {
        Some(c) => {
            // The breakers' states live beside the journal (the same file,
            // or the same PostgreSQL database and schema): a tripped
            // breaker stays tripped across a restart on either backend.
            let breakers: Option<Box<dyn smc_risk::breakers::BreakerStore>> = Some(
                smc_store::open_breaker_store(&database)
                    .map_err(SessionError::store("opening the breakers' store"))?,
            );
            let (gate, handle) = crate::risk_gate::gate_with_reload(
                c,
                &instruments,
                WallClock.now(),
                breakers,
                mode == Mode::Live,
            )?;
            // The config's risk limits apply again whenever the file changes.
            let watch = spec
                .config_path
                .as_deref()
                .map(|path| (ConfigWatcher::new(path), handle));
            (gate, watch)
        }
        None => (Box::new(ApproveAll::default()), None),
    };
    Ok(Parts {
        mode,
        connections,
        symbols,
        timeframe,
        instruments,
        database,
        store,
        engine,
        strategy,
        gate,
        watch,
    })
}

/// The engine's models from the config, the venue's fee tier from
/// `exchanges.<venue>.fees` when given, the starting cash from
/// `trading.initial_balance` (else 10,000), on USD-M a margin account, on
/// OANDA a forex margin account without a percentage fee.
fn engine_config(spec: &SessionSpec) -> EngineConfig {
    let settings = spec.config.as_ref();
    let mut config = settings.map(|c| c.backtest.engine).unwrap_or_default();
    let tier = settings
        .and_then(|c| c.exchanges.get(spec.venue.venue.as_str()))
        .and_then(|e| e.fees);
    if let Some(tier) = tier {
        config.fees.maker = tier.maker;
        config.fees.taker = tier.taker;
    }
    config.account.starting_cash =
        settings.map_or(Decimal::from(10_000), |c| c.trading.initial_balance);
    // USD-M is a margin account. Unless the config sets its leverage, the
    // engine holds the full notional as margin: never more leverage than
    // the venue allows, whatever the symbol's setting there.
    if spec.venue.market == Market::UsdM && config.account.kind == AccountKind::Spot {
        config.account.kind = AccountKind::Margin {
            leverage: Decimal::ONE,
        };
    }
    // OANDA: a margin account whose cost is the spread (its prices carry
    // it; the forex model's spread applies to paper fills on bid candles).
    if spec.venue.venue == VenueName::Oanda {
        if config.account.kind == AccountKind::Spot {
            config.account.kind = AccountKind::Margin {
                leverage: config.forex.leverage,
            };
        }
        if tier.is_none() {
            config.fees = smc_engine::FeeModel::ZERO;
        }
    }
    config
}
