//! The session loop, the same for paper and live: wait for the next
//! closed candle, order report, clock tick or stop request, and hand it to
//! the session. Paper fills orders in the engine; live sends them through
//! the venue's execution interface ([`crate::router`]), follows the
//! account's order reports, and reconciles with the venue ([`live_link`]).

use crate::account_report::AccountReport;
use crate::assemble::{Parts, assemble};
use crate::bus::EventBus;
use crate::config_watch::ConfigWatcher;
use crate::error::{SessionError, SessionResult};
use crate::event::{Connection, Level, Mode, SessionEvent, Started, Stopped, Stream};
use crate::handle::{Controls, StopRequest};
use crate::history_gate::{HistoryGate, HistorySwitch};
use crate::identity::SessionLock;
use crate::live_start::{Start, quote_currency, starting_point, venue_holdings};
use crate::operator::OperatorRequest;
use crate::routed::route_paper_engine;
use crate::session::Session;
use crate::spec::SessionSpec;
use smc_engine::{Engine, ExternalExecution};
use smc_model::InstrumentIndex;
use smc_model::OrderStatus;
use smc_model::{Clock, SimClock, WallClock};
use smc_risk::LimitsHandle;
use smc_store::CandleReceipt;
use smc_venues::{
    ExecutionVenue, KlineRequest, MarketDataRequest, MarketEvent, MarketStreamEvent, Subscription,
    UserStreamEvent,
};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};

/// Live mode's side of the loop: order reports, sending, reconciliation.
mod live_link;

/// How long a routed paper session waits for every venue's first book.
const BOOK_WAIT: Duration = Duration::from_secs(10);
/// Reconciliation attempts at start, a second apart, before giving up.
const START_ATTEMPTS: u32 = 120;
/// Reconciliation attempts at stop, half a second apart.
const STOP_ATTEMPTS: u32 = 20;

/// Runs the session `spec` asks for until `max_bars` candles, the end of
/// its market data, or a stop request; everything it does is published on
/// `bus`. Call it from a plain thread: it runs its own async
/// runtime for the network.
pub fn run_session(
    spec: &SessionSpec,
    bus: &EventBus,
    controls: Controls,
) -> SessionResult<Stopped> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| SessionError::Setting(format!("starting the network runtime: {e}")))?;
    // Held until the session ends: one process per session.
    let _lock = SessionLock::take(&spec.database_url())?;
    let parts = assemble(spec, &runtime)?;
    match parts.mode {
        Mode::Paper => run_paper(&runtime, parts, spec, bus, controls),
        Mode::Live if !spec.route_to.is_empty() => Err(SessionError::Refused(
            "routing orders between venues runs in paper mode only: a live session sends to one venue (drop the other venues)".into(),
        )),
        Mode::Live => {
            let every = spec.reconcile_every.unwrap_or(DEFAULT_RECONCILE_EVERY);
            run_live(&runtime, parts, (spec.max_bars, every), bus, controls)
        }
    }
}

fn run_paper(
    runtime: &tokio::runtime::Runtime,
    parts: Parts,
    spec: &SessionSpec,
    bus: &EventBus,
    controls: Controls,
) -> SessionResult<Stopped> {
    let (table, ids) = (parts.engine_instruments(), parts.instrument_ids());
    let config = parts.engine;
    let mut engine = Engine::new(
        parts.engine,
        table,
        parts.strategy,
        parts.gate,
        Box::new(SimClock::default()),
    )?;
    let routing = route_paper_engine(spec, runtime, &mut engine, &config, bus)?;
    let session = Session::open(
        engine,
        parts.store,
        bus.clone(),
        ids,
        parts.timeframe,
        HistorySwitch::default(),
    )?;
    if let Some(routing) = &routing {
        let missing = routing.wait_for_books(BOOK_WAIT);
        if !missing.is_empty() {
            let message = format!(
                "no order book yet from {}: orders avoid it until one arrives",
                missing.join(", ")
            );
            bus.publish(SessionEvent::notice(Level::Warn, message));
        }
        let message = format!("routing orders between {}", routing.venues().join(", "));
        bus.publish(SessionEvent::notice(Level::Info, message));
        routing.go_live();
    }
    let endpoint = parts.connections.market_data.endpoint().to_string();
    let frame = Frame {
        symbols: parts.symbols,
        timeframe: parts.timeframe,
        market: parts.connections.market_data,
        database: parts.database,
        watch: parts.watch,
    };
    let max_bars = spec.max_bars;
    let mut run = Loop::open(runtime, session, frame, &endpoint, None, max_bars, controls)?;
    run.run(Duration::from_secs(1))?;
    let stopped = Stopped {
        mode: Mode::Paper,
        candles: run.bars,
        latency: run.session.latency(),
        differences: None,
        account: Some(AccountReport::of(run.session.engine())),
    };
    bus.publish(SessionEvent::Stopped(stopped.clone()));
    Ok(stopped)
}

/// How often live mode compares the whole account with the venue when
/// nothing else made it (a reconnect, an unknown outcome).
pub const DEFAULT_RECONCILE_EVERY: Duration = Duration::from_secs(60);

fn run_live(
    runtime: &tokio::runtime::Runtime,
    mut parts: Parts,
    (max_bars, reconcile_every): (Option<u64>, Duration),
    bus: &EventBus,
    controls: Controls,
) -> SessionResult<Stopped> {
    let Some(venue) = parts.connections.execution.clone() else {
        return Err(SessionError::Refused("live mode needs an API key".into()));
    };
    // The session's starting point is fixed at its first start: a restart
    // replays from the same balance.
    let quote = quote_currency(&parts.instruments)?;
    let holdings = runtime
        .block_on(venue_holdings(venue.as_ref(), &parts.instruments))
        .map_err(SessionError::venue("reading the balances"))?;
    let start = starting_point(
        parts.store.as_ref(),
        &parts.instruments,
        holdings,
        venue.venue_now_ms(),
    )?;
    parts.engine.account.starting_cash = start.cash;
    let (table, ids) = (parts.engine_instruments(), parts.instrument_ids());
    let history = HistorySwitch::default();
    let gate = HistoryGate::new(parts.gate, history.clone());
    let mut engine = Engine::new(
        parts.engine,
        table,
        parts.strategy,
        Box::new(gate),
        Box::new(SimClock::default()),
    )?;
    // Where the venue has order lists, a bracket leaves as one.
    let execution = if venue.has_oco() {
        ExternalExecution::with_order_lists()
    } else {
        ExternalExecution::new()
    };
    engine.set_execution(Box::new(execution));
    // Live orders carry the session's id prefix (paper keeps the backtest's
    // names: its orders never reach a venue).
    engine.set_id_prefix(&crate::identity::id_prefix(parts.store.as_ref())?);
    let session = Session::open(
        engine,
        parts.store,
        bus.clone(),
        ids,
        parts.timeframe,
        history,
    )?;
    let frame = Frame {
        symbols: parts.symbols,
        timeframe: parts.timeframe,
        market: parts.connections.market_data,
        database: parts.database,
        watch: parts.watch,
    };
    let balance = (start.cash.to_string(), quote);
    let link = Some((venue.as_ref(), start, balance));
    let mut run = Loop::open(
        runtime,
        session,
        frame,
        venue.endpoint(),
        link,
        max_bars,
        controls,
    )?;
    if let Some(live) = run.live.as_mut() {
        live.every = reconcile_every;
    }
    // No candle is traded before the session agrees with the venue.
    run.reconcile_at_start()?;
    let cancels = run.session.take_pending_cancels();
    run.execute(cancels)?;
    run.run(Duration::from_millis(500))?;
    let differences = match run.requested() {
        StopRequest::Abort => None,
        _ => Some(run.settle()?.differences.len()),
    };
    let stopped = Stopped {
        mode: Mode::Live,
        candles: run.bars,
        latency: run.session.latency(),
        differences,
        account: Some(AccountReport::of(run.session.engine())),
    };
    bus.publish(SessionEvent::Stopped(stopped.clone()));
    Ok(stopped)
}

/// What the loop needs besides the session.
struct Frame {
    /// In the engine's instrument order.
    symbols: Vec<String>,
    timeframe: smc_model::Timeframe,
    market: std::sync::Arc<dyn smc_venues::MarketDataVenue>,
    database: String,
    watch: Option<(ConfigWatcher, LimitsHandle)>,
}

fn started(
    session: &Session,
    frame: &Frame,
    venue: &str,
    starting_balance: Option<(String, String)>,
) -> SessionEvent {
    let (replayed_candles, replayed_reports) = session.replayed();
    let mode = match starting_balance {
        Some(_) => Mode::Live,
        None => Mode::Paper,
    };
    SessionEvent::Started(Started {
        mode,
        symbols: frame.symbols.clone(),
        timeframe: frame.timeframe,
        venue: venue.to_string(),
        database: frame.database.clone(),
        replayed_candles,
        replayed_reports,
        starting_balance,
    })
}

/// The klines of every symbol, continuing after the last one processed.
fn market_request(
    session: &Session,
    symbols: &[String],
    timeframe: smc_model::Timeframe,
) -> MarketDataRequest {
    MarketDataRequest {
        klines: symbols
            .iter()
            .enumerate()
            .map(|(i, symbol)| KlineRequest {
                symbol: symbol.clone(),
                timeframe,
                after: session.last_open_time(InstrumentIndex::new(i)),
            })
            .collect(),
        ..MarketDataRequest::default()
    }
}

/// Live mode's side of the loop.
struct LiveLink<'a> {
    venue: &'a dyn ExecutionVenue,
    reports: Subscription<UserStreamEvent>,
    start: Start,
    /// The quote currency, in which fees paid in other assets are valued.
    quote: String,
    /// A reconnect, an expired stream or an unreadable frame (why):
    /// reconcile the whole account at the next tick.
    unsettled: Option<&'static str>,
    /// The whole account is compared with the venue this often.
    every: Duration,
    /// When it last was.
    last_full: Instant,
}

/// What woke the loop.
enum Wake {
    Operator(OperatorRequest),
    Market(Option<MarketStreamEvent>),
    User(Option<UserStreamEvent>),
    Tick,
    Stop,
}

struct Loop<'a> {
    runtime: &'a tokio::runtime::Runtime,
    session: Session,
    /// In the engine's instrument order.
    symbols: Vec<String>,
    timeframe: smc_model::Timeframe,
    feed: Subscription<MarketStreamEvent>,
    live: Option<LiveLink<'a>>,
    watch: Option<(ConfigWatcher, LimitsHandle)>,
    stop: watch::Receiver<StopRequest>,
    operator: Option<mpsc::Receiver<OperatorRequest>>,
    max_bars: Option<u64>,
    /// Closed candles processed in this run.
    bars: u64,
}

impl<'a> Loop<'a> {
    /// Announces the session, opens the order report stream (live; first,
    /// so that nothing it reports while the session reconciles is lost),
    /// then the market data.
    fn open(
        runtime: &'a tokio::runtime::Runtime,
        session: Session,
        frame: Frame,
        venue: &str,
        live: Option<(&'a dyn ExecutionVenue, Start, (String, String))>,
        max_bars: Option<u64>,
        controls: Controls,
    ) -> SessionResult<Self> {
        let balance = live.as_ref().map(|(_, _, b)| b.clone());
        session
            .bus()
            .publish(started(&session, &frame, venue, balance));
        let live = match live {
            Some((venue, start, (_, quote))) => Some(LiveLink {
                venue,
                reports: runtime
                    .block_on(venue.order_reports())
                    .map_err(SessionError::venue("opening the user data stream"))?,
                start,
                quote,
                unsettled: None,
                every: DEFAULT_RECONCILE_EVERY,
                last_full: Instant::now(),
            }),
            None => None,
        };
        let request = market_request(&session, &frame.symbols, frame.timeframe);
        let feed = runtime
            .block_on(frame.market.subscribe(&request))
            .map_err(SessionError::venue("subscribing to market data"))?;
        Ok(Loop {
            runtime,
            session,
            symbols: frame.symbols,
            timeframe: frame.timeframe,
            feed,
            live,
            watch: frame.watch,
            stop: controls.stop,
            operator: controls.operator,
            max_bars,
            bars: 0,
        })
    }
}

impl Loop<'_> {
    fn publish(&self, event: SessionEvent) {
        self.session.bus().publish(event);
    }

    fn notice(&self, level: Level, message: impl Into<String>) {
        self.publish(SessionEvent::notice(level, message));
    }

    /// Until `max_bars`, the end of a stream, or a stop request.
    fn run(&mut self, tick_every: Duration) -> SessionResult<()> {
        let mut tick = {
            let _context = self.runtime.enter();
            tokio::time::interval(tick_every)
        };
        let runtime = self.runtime;
        while self.max_bars.is_none_or(|m| self.bars < m) {
            let (feed, live, stop) = (&mut self.feed, &mut self.live, &mut self.stop);
            let operator = &mut self.operator;
            let wake = runtime.block_on(async {
                let user = async {
                    match live.as_mut() {
                        Some(live) => live.reports.recv().await,
                        None => std::future::pending().await,
                    }
                };
                let command = async {
                    match operator.as_mut() {
                        Some(rx) => rx.recv().await,
                        None => std::future::pending().await,
                    }
                };
                tokio::select! {
                    ev = feed.recv() => Wake::Market(ev),
                    Some(request) = command => Wake::Operator(request),
                    ev = user => Wake::User(ev),
                    _ = tick.tick() => Wake::Tick,
                    _ = stop.wait_for(|r| *r != StopRequest::Run) => Wake::Stop,
                }
            });
            match wake {
                Wake::Stop | Wake::Market(None) | Wake::User(None) => break,
                Wake::Market(Some(ev)) => self.on_market(ev)?,
                Wake::User(Some(ev)) => self.on_user(ev)?,
                Wake::Tick => self.on_tick(),
                Wake::Operator(request) => self.on_operator(request)?,
            }
        }
        Ok(())
    }

    fn on_market(&mut self, ev: MarketStreamEvent) -> SessionResult<()> {
        let change = match ev {
            MarketStreamEvent::Market(MarketEvent::Kline(k))
                if k.closed && k.timeframe == self.timeframe =>
            {
                let Some(i) = self.symbols.iter().position(|s| s == k.instrument.symbol()) else {
                    return Ok(());
                };
                // A kline the stream published as it closed carries the
                // venue's event time; one fetched to fill a gap has none.
                // Paper mode trades those as a backtest would; live mode
                // opens no new risk on them.
                let history = self.live.is_some() && k.event_time.is_none();
                if history {
                    self.notice(
                        Level::Info,
                        format!(
                            "candle {} fetched to fill a gap: processed, no new risk on it",
                            smc_model::time::format_utc(k.candle.open_time.ms())
                        ),
                    );
                }
                return self.on_candle(i, &k.candle, history);
            }
            MarketStreamEvent::Market(_) => return Ok(()),
            MarketStreamEvent::Connected { reconnect } => Connection::Connected { reconnect },
            MarketStreamEvent::Disconnected { reason } => Connection::Disconnected { reason },
            MarketStreamEvent::Malformed(detail) => Connection::Malformed { detail },
        };
        self.publish(SessionEvent::Connection {
            stream: Stream::MarketData,
            change,
        });
        Ok(())
    }

    fn on_candle(
        &mut self,
        i: usize,
        candle: &smc_model::Candle,
        history: bool,
    ) -> SessionResult<()> {
        let receipt = CandleReceipt {
            received_at: Some(WallClock.now()),
            history,
        };
        if let Some(commands) = self
            .session
            .on_candle(InstrumentIndex::new(i), candle, receipt)?
        {
            self.bars += 1;
            self.execute(commands)?;
        }
        Ok(())
    }

    /// Pushes a changed config's limits to the running gate. Called on the
    /// wall clock's tick, not per candle: the file's stat (≈5 µs) stays off
    /// the path from a candle to its order, and a change applies within a
    /// tick instead of at the next candle.
    fn reload_limits(&mut self) {
        let Some((watcher, handle)) = self.watch.as_mut() else {
            return;
        };
        let notice = match watcher.poll() {
            Some(Ok(config)) => {
                handle.push(crate::risk_gate::limits_update(&config));
                (
                    Level::Info,
                    "config changed: the new risk limits apply from the next order".to_string(),
                )
            }
            Some(Err(e)) => (
                Level::Warn,
                format!("config changed but is refused, the limits stay: {e}"),
            ),
            None => return,
        };
        self.notice(notice.0, notice.1);
    }

    /// A tick of the wall clock: a changed config's limits, stale-data
    /// breakers, the WAL checkpoint, and in live mode a reconciliation when one is due.
    fn on_tick(&mut self) {
        self.reload_limits();
        self.session.on_time(WallClock.now());
        let Some(live) = self.live.as_ref() else {
            return;
        };
        let unknown = self
            .session
            .store()
            .open_orders()
            .map(|open| open.iter().any(|o| o.status == OrderStatus::Unknown))
            .unwrap_or(true);
        let due = live.last_full.elapsed() >= live.every;
        let (full, why) = match (live.unsettled, due, unknown) {
            (Some(why), _, _) => (true, why),
            (None, true, _) => (true, "periodic"),
            (None, false, true) => (false, "unknown outcome"),
            (None, false, false) => return,
        };
        match self.reconcile(full, why) {
            Ok(_) => self.live.iter_mut().for_each(|l| {
                l.unsettled = None;
                if full {
                    l.last_full = Instant::now();
                }
            }),
            Err(e) => self.notice(Level::Warn, format!("reconciliation failed, retrying: {e}")),
        }
    }

    /// An operator's command: journaled and run between candles; what it
    /// sends goes out as a candle's orders do. The journal failing stops
    /// the session (as for a candle); a refused command is only answered.
    fn on_operator(&mut self, request: OperatorRequest) -> SessionResult<()> {
        match self.session.operate(&request.command) {
            Ok((decisions, commands)) => {
                let _ = request.reply.send(Ok(decisions));
                self.execute(commands)
            }
            Err(SessionError::Refused(why)) => {
                let _ = request.reply.send(Err(why));
                Ok(())
            }
            Err(e) => {
                let _ = request.reply.send(Err(e.to_string()));
                Err(e)
            }
        }
    }

    /// The stop request in force.
    fn requested(&self) -> StopRequest {
        *self.stop.borrow()
    }
}
