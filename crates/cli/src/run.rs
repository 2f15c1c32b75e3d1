//! `smc run --mode paper|live`: the strategy, risk and order code of the
//! backtest, driven by closed candles from a venue's real-time market data
//! (Binance's public streams by default, or `--venue-url` for a local
//! `smc venue-sim`). Paper mode fills orders with the engine's simulated
//! venue, live mode sends them to the venue (`crate::live`). Everything
//! is journaled in SQLite (orders before they go on, fills, positions,
//! breaker states, the candle log), and a restart replays the candle log
//! to resume exactly where the last process stopped. Machine-readable events go to stdout as JSON lines; status
//! lines go to stderr.

use crate::backtest::StrategyName;
use crate::config_watch::ConfigWatcher;
use crate::paper_session::PaperSession;
use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use smc_engine::{AccountKind, Engine, EngineInstrument};
use smc_model::{EngineEvent, EventSink, InstrumentId, SimClock, Timeframe};
use smc_risk::LimitsHandle;
use smc_store::Store;
use smc_strategy::{ApproveAll, FirstDecision, PerInstrument, SmcStrategy};
use smc_venues::binance::market_stream::MarketStreamEvent;
use smc_venues::binance::{
    BinanceMarket, BinanceRest, BinanceUrls, Credentials, MarketDataClient, MarketDataConfig,
    StreamKind,
};
use smc_venues::net::Secret;
use std::io::Write;
use std::path::PathBuf;

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RunMode {
    Paper,
    Live,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Market {
    Spot,
    Usdm,
}

#[derive(Args)]
pub struct RunArgs {
    /// paper: simulated fills on live market data; live: real orders.
    #[arg(long, value_enum)]
    mode: Option<RunMode>,
    /// config.yaml: strategy, detectors, risk limits and breakers, fees
    /// and slippage of the simulated venue, starting balance, database.
    #[arg(long)]
    config: Option<PathBuf>,
    /// A Binance-protocol server instead of Binance (`127.0.0.1:PORT` or
    /// `http://127.0.0.1:PORT`, e.g. `smc venue-sim`).
    #[arg(long)]
    venue_url: Option<String>,
    /// Binance market: spot or USD-M futures.
    #[arg(long, value_enum, default_value = "spot")]
    market: Market,
    /// Symbols, comma-separated or repeated (default: the config's
    /// exchanges.binance.symbols, else backtest.instrument, else BTCUSDT),
    /// traded from one account.
    #[arg(long, value_delimiter = ',')]
    symbol: Vec<String>,
    /// The candles' timeframe (default: the config's entry timeframe, else 1m).
    #[arg(long)]
    timeframe: Option<String>,
    /// Strategy (default: the config's backtest.strategy, else smc).
    #[arg(long, value_enum)]
    strategy: Option<StrategyName>,
    /// smc: the bias timeframe (default: the config's last timeframe, else 1h).
    #[arg(long)]
    bias: Option<String>,
    /// SQLite file of the session (default: the config's storage.database_url).
    #[arg(long)]
    db: Option<PathBuf>,
    /// Stop after this many closed candles, of all symbols together
    /// (default: run until Ctrl-C).
    #[arg(long)]
    max_bars: Option<u64>,
    /// Live mode only: you understand that real orders will be sent.
    #[arg(long)]
    confirm_live: bool,
}

pub fn run(args: &RunArgs) -> anyhow::Result<()> {
    let settings = args.config.as_deref().map(smc_config::load).transpose()?;
    let mode = match (args.mode, settings.as_ref().map(|c| c.app.mode)) {
        (Some(m), _) => m,
        (None, Some(smc_config::Mode::Live)) => RunMode::Live,
        _ => RunMode::Paper,
    };
    let credentials = match mode {
        RunMode::Live => Some(refuse_live(args, settings.as_ref())?),
        RunMode::Paper => None,
    };
    let market = match args.market {
        Market::Spot => BinanceMarket::Spot,
        Market::Usdm => BinanceMarket::UsdM,
    };
    let urls = match &args.venue_url {
        Some(u) => BinanceUrls::local(u.trim_start_matches("http://").trim_end_matches('/')),
        None => BinanceUrls::production(market),
    };
    let symbols = session_symbols(&args.symbol, settings.as_ref());
    let timeframes = settings
        .as_ref()
        .map(|c| c.backtest.timeframes.clone())
        .unwrap_or_default();
    let timeframe: Timeframe = match (&args.timeframe, timeframes.first()) {
        (Some(t), _) | (None, Some(t)) => t.parse()?,
        (None, None) => Timeframe::M1,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let rest = BinanceRest::new(market, &urls.rest, credentials)?;
    if mode == RunMode::Live {
        crate::live::check_key(&runtime, &rest)?;
    }
    let info = runtime
        .block_on(rest.load_rules())
        .with_context(|| format!("exchangeInfo from {}", urls.rest))?;
    let instruments = symbols
        .iter()
        .map(|symbol| {
            let rules = info
                .symbols
                .get(symbol)
                .with_context(|| format!("{symbol} is not listed on {}", urls.rest))?;
            Ok(rules.instrument(market)?)
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let db = match (&args.db, settings.as_ref()) {
        (Some(p), _) => format!("sqlite://{}", p.display()),
        (None, Some(c)) => c.storage.database_url.clone(),
        (None, None) => "sqlite://smc.db".into(),
    };
    let store = Store::open(&db)?;
    let name = crate::backtest::strategy_name(args.strategy, settings.as_ref())
        .unwrap_or(StrategyName::Smc);
    // Entry and bias timeframes, as `smc backtest --timeframes` takes them.
    let timeframes = match &args.bias {
        Some(bias) => vec![timeframe.to_string(), bias.clone()],
        None => timeframes,
    };
    let ids: Vec<InstrumentId> = instruments.iter().map(|i| i.id.clone()).collect();
    let strategy = session_strategy(name, settings.as_ref(), &timeframes, &ids)?;
    let mut config = settings
        .as_ref()
        .map(|c| c.backtest.engine)
        .unwrap_or_default();
    config.account.starting_cash = settings
        .as_ref()
        .map_or(rust_decimal::Decimal::from(10_000), |c| {
            c.trading.initial_balance
        });
    // USD-M is a margin account. Unless the config sets its leverage, the
    // engine holds the full notional as margin: never more leverage than
    // the venue allows, whatever the symbol's setting there.
    if args.market == Market::Usdm && config.account.kind == AccountKind::Spot {
        config.account.kind = AccountKind::Margin {
            leverage: rust_decimal::Decimal::ONE,
        };
    }
    let (gate, reload): (Box<dyn smc_strategy::RiskGate>, _) = match settings.as_ref() {
        Some(c) => {
            let (gate, handle) = crate::risk_gate::gate_with_reload(
                c,
                &instruments,
                smc_model::Clock::now_ms(&smc_model::clock::WallClock),
                Some(Box::new(Store::open(&db)?)),
            )?;
            (gate, Some(handle))
        }
        None => (Box::new(ApproveAll::default()), None),
    };
    // The config's risk limits apply again whenever the file changes.
    let watch = args
        .config
        .as_deref()
        .zip(reload)
        .map(|(path, handle)| (ConfigWatcher::new(path), handle));
    if mode == RunMode::Live {
        return crate::live::run(crate::live::LiveSetup {
            runtime,
            rest,
            urls,
            symbols,
            timeframe,
            instruments,
            store,
            config,
            strategy,
            gate,
            max_bars: args.max_bars,
            db,
        });
    }
    let engine = Engine::new(
        config,
        instruments
            .into_iter()
            .map(|instrument| EngineInstrument {
                instrument,
                execution_timeframe: timeframe,
            })
            .collect(),
        strategy,
        gate,
        Box::new(SimClock::default()),
    )?;
    let mut session = PaperSession::open(engine, store, ids, timeframe)?;
    eprintln!(
        "paper: {} {timeframe} from {} (database {db}; {} candles replayed)",
        symbols.join(", "),
        urls.stream,
        session.replayed()
    );
    let feed_args = Feed {
        symbols: &symbols,
        timeframe,
        max_bars: args.max_bars,
        watch,
    };
    feed(&runtime, &rest, urls, &mut session, feed_args)
}

/// What the feed loop needs besides the session.
struct Feed<'a> {
    /// In the engine's instrument order.
    symbols: &'a [String],
    timeframe: Timeframe,
    max_bars: Option<u64>,
    /// The config file and the gate's reload handle.
    watch: Option<(ConfigWatcher, LimitsHandle)>,
}

/// Pushes a changed config's limits to the running gate.
fn reload_limits(watch: &mut Option<(ConfigWatcher, LimitsHandle)>) {
    let Some((watcher, handle)) = watch.as_mut() else {
        return;
    };
    match watcher.poll() {
        Some(Ok(config)) => {
            handle.push(crate::risk_gate::limits_update(&config));
            eprintln!("config changed: the new risk limits apply from the next order");
        }
        Some(Err(e)) => eprintln!("config changed but is refused, the limits stay: {e}"),
        None => {}
    }
}

/// What woke the feed loop.
enum Wake {
    Market(MarketStreamEvent),
    Tick,
    Stop,
}

/// Runs the market data client and hands each closed candle to the session.
fn feed(
    runtime: &tokio::runtime::Runtime,
    rest: &BinanceRest,
    urls: BinanceUrls,
    session: &mut PaperSession,
    f: Feed<'_>,
) -> anyhow::Result<()> {
    let Feed {
        symbols,
        timeframe,
        max_bars,
        mut watch,
    } = f;
    let mut config = MarketDataConfig::new(urls);
    for (i, symbol) in symbols.iter().enumerate() {
        config
            .streams
            .push((symbol.clone(), StreamKind::Kline(timeframe)));
        if let Some(last) = session.last_open_time(i) {
            config.history.push((symbol.clone(), timeframe, last));
        }
    }
    let _enter = runtime.enter();
    let (_client, mut events) = MarketDataClient::start(rest.clone(), config);
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    let mut out = JsonLines(std::io::stdout().lock());
    let mut bars = 0u64;
    while max_bars.is_none_or(|m| bars < m) {
        let next = runtime.block_on(async {
            tokio::select! {
                ev = events.recv() => ev.map(Wake::Market).unwrap_or(Wake::Stop),
                _ = tick.tick() => Wake::Tick,
                _ = tokio::signal::ctrl_c() => Wake::Stop,
            }
        });
        let ev = match next {
            Wake::Market(ev) => ev,
            Wake::Stop => break,
            Wake::Tick => {
                // A second of wall-clock time: stale-data breakers watch it.
                let now = smc_model::Clock::now_ms(&smc_model::clock::WallClock);
                session.on_time(now, &mut out);
                continue;
            }
        };
        match ev {
            MarketStreamEvent::Market(smc_venues::MarketEvent::Kline(k))
                if k.closed && k.timeframe == timeframe =>
            {
                reload_limits(&mut watch);
                let symbol = k.instrument.symbol();
                let Some(i) = symbols.iter().position(|s| s == symbol) else {
                    continue;
                };
                if session.on_candle(i, &k.candle, &mut out)? {
                    bars += 1;
                }
            }
            MarketStreamEvent::Connected { reconnect } => {
                eprintln!(
                    "market data: connected{}",
                    if reconnect { " again" } else { "" }
                )
            }
            MarketStreamEvent::Disconnected { reason } => {
                eprintln!("market data: disconnected ({reason}); reconnecting")
            }
            MarketStreamEvent::Malformed(e) => eprintln!("market data: skipped a frame: {e}"),
            MarketStreamEvent::Market(_) => {}
        }
        out.flush_errors()?;
    }
    eprintln!("paper: stopped after {bars} candles");
    if let Some((p50, p99, n)) = session.latency() {
        eprintln!(
            "paper: candle in to order out (journaled, written): p50 {} µs, p99 {} µs over {n} orders",
            p50.as_micros(),
            p99.as_micros()
        );
    }
    Ok(())
}

/// The symbols to trade: the flags', else the config's Binance symbols,
/// else its backtest instrument's, else BTCUSDT; upper-cased, each once.
fn session_symbols(flags: &[String], settings: Option<&smc_config::Config>) -> Vec<String> {
    let from_config = || {
        let listed = settings
            .and_then(|c| c.exchanges.get("binance"))
            .filter(|b| b.enabled)
            .map(|b| b.symbols.clone())
            .unwrap_or_default();
        if !listed.is_empty() {
            return listed;
        }
        let instrument = settings.and_then(|c| c.backtest.instrument.as_ref());
        vec![instrument.map_or_else(|| "BTCUSDT".into(), |i| i.symbol.clone())]
    };
    let chosen = if flags.is_empty() {
        from_config()
    } else {
        flags.to_vec()
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

/// The session's strategy. Both built-ins keep one market's state, so
/// each instrument gets its own instance (with one instrument the wrapper
/// changes nothing).
fn session_strategy(
    name: StrategyName,
    settings: Option<&smc_config::Config>,
    timeframes: &[String],
    instruments: &[InstrumentId],
) -> anyhow::Result<Box<dyn smc_strategy::Strategy>> {
    Ok(match name {
        StrategyName::Smc => {
            let config = crate::backtest::smc_config(settings, timeframes)?;
            Box::new(PerInstrument::new(
                instruments.to_vec(),
                Box::new(move || Box::new(SmcStrategy::new(config.clone()))),
            ))
        }
        StrategyName::SmaCross => {
            let proto = crate::backtest::sma_cross(FirstDecision::OneBarAfter)?;
            Box::new(PerInstrument::new(
                instruments.to_vec(),
                Box::new(move || Box::new(proto.clone())),
            ))
        }
    })
}

/// Live mode's preconditions, checked before anything is sent: the explicit
/// confirmation, a config with risk limits and circuit breakers, and
/// an API key in the environment (returned). The key's permissions are
/// checked next, on the venue ([`crate::live::check_key`]).
fn refuse_live(
    args: &RunArgs,
    settings: Option<&smc_config::Config>,
) -> anyhow::Result<Credentials> {
    if !args.confirm_live {
        bail!("live mode sends real orders: add --confirm-live if that is what you want");
    }
    let Some(config) = settings else {
        bail!(
            "live mode needs a config with risk limits (--config FILE with a risk_manager section)"
        );
    };
    if !crate::risk::breakers::breaker_config(&config.risk_manager.circuit_breakers).any() {
        bail!("live mode needs at least one circuit breaker (risk_manager.circuit_breakers)");
    }
    let Some(c) = smc_config::env::credentials("binance", |k| std::env::var(k).ok()) else {
        bail!("live mode needs BINANCE_API_KEY and BINANCE_API_SECRET in the environment");
    };
    Ok(Credentials {
        api_key: c.api_key,
        secret: Secret::new(c.api_secret.expose()),
    })
}

/// Writes events as JSON lines; keeps the first write error.
struct JsonLines<W: Write>(W);

impl<W: Write> JsonLines<W> {
    fn flush_errors(&mut self) -> anyhow::Result<()> {
        self.0.flush().context("writing the events to stdout")
    }
}

impl<W: Write> EventSink for JsonLines<W> {
    fn emit(&mut self, event: &EngineEvent) {
        if let Ok(line) = serde_json::to_string(event) {
            // A closed stdout is noticed at the next flush.
            let _ = writeln!(self.0, "{line}");
        }
    }
}
