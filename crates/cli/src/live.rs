//! `smc run --mode live`: the backtest's strategy, risk gate, OMS and
//! portfolio on real-time candles, with orders sent to a Binance-protocol
//! venue (spot) instead of the simulated one.
//!
//! The order of things, so that a kill at any moment loses nothing:
//! 1. a candle is logged, then the engine sees it; an order it places is
//!    journaled `pending`, then sent — once: placement is never retried;
//! 2. the answer: accepted (with any fills in it) or rejected moves the
//!    order on; a timeout, 5xx or dropped connection leaves it `unknown`
//!    until the user data stream, a query or reconciliation resolves it;
//! 3. every venue report (acknowledgement, fill, cancel, expiry, rejection)
//!    is logged under a channel-independent key before the engine applies
//!    it, so a fill reported by the answer, the user stream and the trade
//!    list is applied once;
//! 4. on start the candle log and the report log are replayed through a
//!    fresh engine; then the user stream is opened and the session
//!    reconciles with the venue (orders, then fills, then balances), and
//!    again after every reconnect of the user stream.

use crate::history_gate::{HistoryGate, HistorySwitch};
use crate::live_reconcile::{Reconciled, Start, reconcile};
use crate::live_session::LiveSession;
use anyhow::{Context, bail};
use rust_decimal::Decimal;
use smc_engine::{
    Engine, EngineConfig, EngineInstrument, ExternalExecution, ExternalReport, VenueCommand,
};
use smc_model::{
    Clock, EngineEvent, EventSink, Instrument, OrderStatus, SimClock, Timeframe, WallClock,
};
use smc_store::{CandleReceipt, JournalStatus, Store};
use smc_strategy::{RiskGate, Strategy};
use smc_venues::binance::market_stream::MarketStreamEvent;
use smc_venues::binance::user_stream::UserStreamEvent;
use smc_venues::binance::{
    BinanceMarket, BinanceRest, BinanceUrls, MarketDataClient, MarketDataConfig, StreamKind,
    UserStream,
};
use smc_venues::{OrderOutcome, OrderUpdate, UserEvent};
use std::collections::VecDeque;
use std::io::Write;
use std::time::Duration;

/// Everything `smc run` prepared for a live session.
pub struct LiveSetup {
    pub runtime: tokio::runtime::Runtime,
    pub rest: BinanceRest,
    pub urls: BinanceUrls,
    /// The symbols, and their instruments in the same order (one quote
    /// currency).
    pub symbols: Vec<String>,
    pub timeframe: Timeframe,
    pub instruments: Vec<Instrument>,
    pub store: Store,
    pub config: EngineConfig,
    pub strategy: Box<dyn Strategy>,
    pub gate: Box<dyn RiskGate>,
    pub max_bars: Option<u64>,
    pub db: String,
}

/// Refuses a key that may withdraw (checked on the venue, after syncing
/// the clock the signature needs).
pub fn check_key(runtime: &tokio::runtime::Runtime, rest: &BinanceRest) -> anyhow::Result<()> {
    runtime
        .block_on(rest.sync_clock())
        .context("reading the venue's clock")?;
    let r = runtime
        .block_on(rest.api_restrictions())
        .context("reading the API key's permissions (/sapi/v1/account/apiRestrictions)")?;
    if r.enable_withdrawals {
        bail!(
            "this API key may withdraw funds: live mode refuses it; create a key without withdrawal permission; no order was sent"
        );
    }
    Ok(())
}

/// Writes events as JSON lines on stdout.
struct JsonLines<W: Write>(W);

impl<W: Write> EventSink for JsonLines<W> {
    fn emit(&mut self, event: &EngineEvent) {
        if let Ok(line) = serde_json::to_string(event) {
            let _ = writeln!(self.0, "{line}");
        }
    }
}

impl<W: Write> JsonLines<W> {
    fn line(&mut self, value: &serde_json::Value) -> anyhow::Result<()> {
        writeln!(self.0, "{value}").context("writing to stdout")?;
        self.0.flush().context("writing to stdout")
    }
}

/// Sends commands and turns the answers into reports.
struct Router<'a> {
    runtime: &'a tokio::runtime::Runtime,
    rest: &'a BinanceRest,
    start: Start,
}

impl Router<'_> {
    /// Runs `commands` and everything their answers lead to.
    fn execute(
        &self,
        session: &mut LiveSession,
        out: &mut dyn EventSink,
        commands: Vec<VenueCommand>,
    ) -> anyhow::Result<()> {
        let mut queue: VecDeque<VenueCommand> = commands.into();
        while let Some(command) = queue.pop_front() {
            let reports = match command {
                VenueCommand::Place(order) => self.place(session, &order)?,
                VenueCommand::Cancel {
                    instrument,
                    client_id,
                } => match self
                    .runtime
                    .block_on(self.rest.cancel_order(&instrument, &client_id))
                {
                    Ok(q) => match q.status.known() {
                        Some(OrderStatus::Cancelled) => vec![ExternalReport::Cancelled {
                            client_id,
                            reason: "cancelled on request".into(),
                        }],
                        _ => Vec::new(),
                    },
                    Err(e) => {
                        // It may have filled meanwhile; the stream will say.
                        eprintln!("live: cancel of {client_id} failed: {e}");
                        Vec::new()
                    }
                },
            };
            for r in reports {
                if let Some(more) = session.apply(&r, out)? {
                    queue.extend(more);
                }
            }
        }
        Ok(())
    }

    /// Sends one order (journaled as pending already), exactly once.
    fn place(
        &self,
        session: &mut LiveSession,
        order: &smc_model::OrderRequest,
    ) -> anyhow::Result<Vec<ExternalReport>> {
        let client_id = order.client_id.clone();
        // Spot has no reduce-only flag; the engine already clipped such an
        // order to the position it reduces.
        let mut wire = order.clone();
        if self.rest.market() == BinanceMarket::Spot {
            wire.reduce_only = false;
        }
        let outcome = self.runtime.block_on(self.rest.place_order(&wire));
        Ok(match outcome {
            Err(e) => vec![ExternalReport::Rejected {
                client_id,
                reason: format!("not sent: {e}"),
            }],
            Ok(OrderOutcome::Rejected { code, reason, .. }) => vec![ExternalReport::Rejected {
                client_id,
                reason: format!("venue error {code}: {reason}"),
            }],
            Ok(OrderOutcome::Unknown { reason, .. }) => {
                eprintln!("live: order {client_id} outcome unknown ({reason}); resolving");
                session.store().set_order_status(
                    &client_id,
                    JournalStatus::Unknown,
                    Some(&reason),
                    None,
                    WallClock.now_ms(),
                )?;
                Vec::new()
            }
            Ok(OrderOutcome::Accepted(ack)) => {
                session
                    .store()
                    .set_venue_order_id(&client_id, &ack.venue_order_id)?;
                let mut reports = vec![ExternalReport::Accepted {
                    client_id: client_id.clone(),
                }];
                reports.extend(
                    ack.fills
                        .into_iter()
                        .map(|fill| ExternalReport::Fill { fill }),
                );
                reports.extend(end_report(&client_id, ack.status.known(), None));
                reports
            }
        })
    }

    fn reconcile(
        &self,
        session: &mut LiveSession,
        out: &mut JsonLines<impl Write>,
        balances: bool,
        why: &str,
    ) -> anyhow::Result<Reconciled> {
        let (found, commands) =
            reconcile(self.runtime, self.rest, session, out, &self.start, balances)?;
        self.execute(session, out, commands)?;
        let acted = found.reports_applied > 0 || found.resent > 0;
        if acted || !found.differences.is_empty() || balances {
            out.line(&serde_json::json!({
                "type": "reconciled",
                "why": why,
                "time": WallClock.now_ms(),
                "result": &found,
            }))?;
        }
        Ok(found)
    }
}

/// The report of an order's end state, if it ended without filling.
fn end_report(
    client_id: &smc_model::ClientOrderId,
    status: Option<OrderStatus>,
    reason: Option<&str>,
) -> Option<ExternalReport> {
    let client_id = client_id.clone();
    let reason = |what: &str| reason.unwrap_or(what).to_string();
    Some(match status? {
        OrderStatus::Cancelled => ExternalReport::Cancelled {
            client_id,
            reason: reason("cancelled on the venue"),
        },
        OrderStatus::Expired => ExternalReport::Expired {
            client_id,
            reason: reason("expired on the venue"),
        },
        OrderStatus::Rejected => ExternalReport::Rejected {
            client_id,
            reason: reason("rejected by the venue"),
        },
        _ => return None,
    })
}

/// The reports one user-stream update carries: acknowledged, then the
/// fill, then an end state.
fn reports_of(update: &OrderUpdate) -> Vec<ExternalReport> {
    let mut reports = Vec::new();
    let status = update.status.known();
    if matches!(
        status,
        Some(OrderStatus::Submitted | OrderStatus::PartiallyFilled | OrderStatus::Filled)
    ) {
        reports.push(ExternalReport::Accepted {
            client_id: update.client_id.clone(),
        });
    }
    if let Some(fill) = &update.fill {
        reports.push(ExternalReport::Fill { fill: fill.clone() });
    }
    reports.extend(end_report(
        &update.client_id,
        status,
        update.reject_reason.as_deref(),
    ));
    reports
}

enum Next {
    Market(Option<MarketStreamEvent>),
    User(Option<UserStreamEvent>),
    Tick,
    Stop,
}

/// Runs a live session until `max_bars` candles or Ctrl-C.
pub fn run(setup: LiveSetup) -> anyhow::Result<()> {
    let LiveSetup {
        runtime,
        rest,
        urls,
        symbols,
        timeframe,
        instruments,
        store,
        mut config,
        strategy,
        gate,
        max_bars,
        db,
    } = setup;
    // The session's starting point is fixed at its first start: a restart
    // replays from the same balance.
    let Some(quote_asset) = instruments.first().map(|i| i.quote.clone()) else {
        bail!("live mode needs a symbol");
    };
    if let Some(other) = instruments.iter().find(|i| i.quote != quote_asset) {
        bail!(
            "one live session trades one quote currency: {} is quoted in {}, not {quote_asset}",
            other.id,
            other.quote
        );
    }
    let (quote, bases) = crate::live_reconcile::venue_holdings(&runtime, &rest, &instruments)?;
    let fixed = |name: &str, value: String| -> anyhow::Result<String> {
        Ok(store.session_value_or_insert(name, &value)?)
    };
    let cash: Decimal = fixed("starting_cash", quote.to_string())?.parse()?;
    let base = symbols
        .iter()
        .zip(bases)
        .enumerate()
        .map(|(i, (symbol, held))| {
            // The first symbol keeps the key of single-symbol sessions.
            let name = match i {
                0 => "starting_base".to_string(),
                _ => format!("starting_base:{symbol}"),
            };
            Ok(fixed(&name, held.to_string())?.parse()?)
        })
        .collect::<anyhow::Result<Vec<Decimal>>>()?;
    let since: i64 = fixed(
        "started_at",
        (rest.time_offset().venue_now_ms() - 1_000).to_string(),
    )?
    .parse()?;
    let start = Start { base, time: since };
    config.account.starting_cash = cash;
    let history = HistorySwitch::default();
    let ids: Vec<_> = instruments.iter().map(|i| i.id.clone()).collect();
    let mut engine = Engine::new(
        config,
        instruments
            .into_iter()
            .map(|instrument| EngineInstrument {
                instrument,
                execution_timeframe: timeframe,
            })
            .collect(),
        strategy,
        Box::new(HistoryGate::new(gate, history.clone())),
        Box::new(SimClock::default()),
    )?;
    engine.set_execution(Box::new(ExternalExecution::new()));
    let mut session = LiveSession::open(engine, store, ids, timeframe, history)?;
    let (candles, reports) = session.replayed();
    eprintln!(
        "live: {} {timeframe} on {} (database {db}; {candles} candles and {reports} venue reports replayed; starting balance {cash} {quote_asset})",
        symbols.join(", "),
        urls.rest
    );
    let _enter = runtime.enter();
    // The user stream first: nothing it reports while we reconcile is lost.
    let (_user, mut user_events) = runtime
        .block_on(UserStream::listen_key(
            rest.clone(),
            &urls,
            Duration::from_secs(30 * 60),
        ))
        .context("opening the user data stream")?;
    let mut md = MarketDataConfig::new(urls.clone());
    for (i, symbol) in symbols.iter().enumerate() {
        md.streams
            .push((symbol.clone(), StreamKind::Kline(timeframe)));
        if let Some(last) = session.last_open_time(i) {
            md.history.push((symbol.clone(), timeframe, last));
        }
    }
    let (_market, mut market_events) = MarketDataClient::start(rest.clone(), md);
    let router = Router {
        runtime: &runtime,
        rest: &rest,
        start,
    };
    let mut out = JsonLines(std::io::stdout().lock());
    // No candle is traded before the session agrees with the venue.
    let mut attempt = 0;
    while let Err(e) = router.reconcile(&mut session, &mut out, true, "start") {
        attempt += 1;
        if attempt >= 120 {
            return Err(e.context("reconciling with the venue at start"));
        }
        eprintln!("live: reconciliation at start failed, retrying: {e:#}");
        std::thread::sleep(Duration::from_secs(1));
    }
    let cancels = session.take_pending_cancels();
    router.execute(&mut session, &mut out, cancels)?;
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    let mut bars = 0u64;
    let mut unsettled = false;
    while max_bars.is_none_or(|m| bars < m) {
        let next = runtime.block_on(async {
            tokio::select! {
                ev = market_events.recv() => Next::Market(ev),
                ev = user_events.recv() => Next::User(ev),
                _ = tick.tick() => Next::Tick,
                _ = tokio::signal::ctrl_c() => Next::Stop,
            }
        });
        match next {
            Next::Stop | Next::Market(None) | Next::User(None) => break,
            Next::Market(Some(MarketStreamEvent::Market(smc_venues::MarketEvent::Kline(k))))
                if k.closed && k.timeframe == timeframe =>
            {
                // A kline the stream published as it closed carries the
                // venue's event time; one fetched to fill a gap has none.
                let receipt = CandleReceipt {
                    received_at: Some(smc_model::Clock::now_ms(&smc_model::clock::WallClock)),
                    history: k.event_time == 0,
                };
                if receipt.history {
                    eprintln!(
                        "live: candle {} fetched to fill a gap: processed, no new risk on it",
                        smc_model::time::format_utc(k.candle.open_time)
                    );
                }
                let Some(i) = symbols.iter().position(|s| s == k.instrument.symbol()) else {
                    continue;
                };
                if let Some(commands) = session.on_candle(i, &k.candle, receipt, &mut out)? {
                    bars += 1;
                    router.execute(&mut session, &mut out, commands)?;
                }
            }
            Next::Market(Some(MarketStreamEvent::Disconnected { reason })) => {
                eprintln!("live: market data disconnected ({reason}); reconnecting")
            }
            Next::Market(Some(_)) => {}
            Next::User(Some(UserStreamEvent::Connected { reconnect: true })) => {
                eprintln!("live: user data stream connected again; reconciling");
                unsettled = true;
            }
            Next::User(Some(UserStreamEvent::Event(UserEvent::StreamExpired))) => {
                unsettled = true;
            }
            Next::User(Some(UserStreamEvent::Event(UserEvent::Order(update)))) => {
                if session.store().order(&update.client_id)?.is_some() {
                    session
                        .store()
                        .set_venue_order_id(&update.client_id, &update.venue_order_id)?;
                }
                for r in reports_of(&update) {
                    if let Some(commands) = session.apply(&r, &mut out)? {
                        router.execute(&mut session, &mut out, commands)?;
                    }
                }
            }
            Next::User(Some(UserStreamEvent::Disconnected { reason })) => {
                eprintln!("live: user data stream disconnected ({reason}); reconnecting")
            }
            Next::User(Some(_)) => {}
            Next::Tick => {
                session.on_time(
                    smc_model::Clock::now_ms(&smc_model::clock::WallClock),
                    &mut out,
                );
                let unknown = session
                    .store()
                    .open_orders()?
                    .iter()
                    .any(|o| o.status == JournalStatus::Unknown);
                if unsettled || unknown {
                    match router.reconcile(&mut session, &mut out, false, "reconnect or unknown") {
                        Ok(_) => unsettled = false,
                        Err(e) => eprintln!("live: reconciliation failed, retrying: {e:#}"),
                    }
                }
            }
        }
    }
    // Settle before leaving: resolve unknown outcomes, then a full check.
    for _ in 0..20 {
        match router.reconcile(&mut session, &mut out, true, "stop") {
            Ok(found) => {
                let unresolved = session
                    .store()
                    .open_orders()?
                    .iter()
                    .any(|o| o.status == JournalStatus::Unknown);
                if !unresolved {
                    eprintln!(
                        "live: stopped after {bars} candles; {} differences with the venue",
                        found.differences.len()
                    );
                    return Ok(());
                }
            }
            Err(e) => eprintln!("live: reconciliation failed, retrying: {e:#}"),
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    bail!("live: stopped with orders whose outcome is still unknown; restart to reconcile")
}
