//! One session's state, paper or live: the engine (simulated fills, or
//! orders to a venue), the journal, and the rule that makes restarts exact.
//! Every closed candle is logged in one transaction with everything it
//! caused, before any of it goes out; every venue report is logged before
//! the engine sees it; and on start both logs are replayed, interleaved as
//! they were applied, through a fresh engine (it is deterministic). Orders
//! the replay places again are not sent again: they are journaled, and
//! reconciliation with the venue settles what became of them.

use crate::bus::EventBus;
use crate::error::{SessionError, SessionResult};
use crate::event::{CandleClosed, Latency, Level, SessionEvent};
use crate::history_gate::HistorySwitch;
use crate::operator::{
    BreakerReset, LoggedOperator, OperatorCommand, OperatorEntry, OperatorIntent,
};
use rust_decimal::Decimal;
use smc_engine::{Engine, ExternalReport, MarketEvent, OperatorDecision, VenueCommand};
use smc_model::InstrumentIndex;
use smc_model::Timestamp;
use smc_model::{
    Candle, Clock, EngineEvent, EventSink, InstrumentId, Intent, NullSink, OrderIntent, Size,
    Timeframe, WallClock,
};
use smc_store::{CandleReceipt, Journal, JournalSink, LoggedCandle};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

mod financing;
pub use financing::LoggedFinancing;

/// Publishes engine events on the bus.
pub(crate) struct BusSink<'a>(pub &'a EventBus);

impl EventSink for BusSink<'_> {
    fn emit(&mut self, event: &EngineEvent) {
        self.0.publish(SessionEvent::Engine(event.clone()));
    }
}

/// Notes when the first order of a candle goes out, for the latency
/// figure: released to the venue after the journal, or, when a simulated
/// venue accepts it in the same step (paper), accepted.
struct Timed<'a> {
    inner: &'a mut dyn EventSink,
    start: Instant,
    first_order: Option<Duration>,
    accepted: bool,
}

impl EventSink for Timed<'_> {
    fn emit(&mut self, event: &EngineEvent) {
        self.inner.emit(event);
        match event {
            EngineEvent::OrderSubmitted { .. } if self.first_order.is_none() => {
                self.first_order = Some(self.start.elapsed());
            }
            EngineEvent::OrderAccepted { .. } if !self.accepted && self.first_order.is_some() => {
                self.accepted = true;
                self.first_order = Some(self.start.elapsed());
            }
            _ => {}
        }
    }
}

/// The session's candle log, each candle with the engine's index of its
/// instrument; a database that holds a session of another instrument or
/// timeframe is refused (one database, one session; a session may add
/// instruments, never drop one it has candles of).
pub fn session_candles(
    store: &dyn Journal,
    instruments: &[InstrumentId],
    timeframe: Timeframe,
) -> SessionResult<Vec<(usize, LoggedCandle)>> {
    let logged = store
        .logged_candles()
        .map_err(SessionError::store("reading the candle log"))?;
    logged
        .into_iter()
        .map(|c| {
            let index = instruments.iter().position(|i| *i == c.instrument);
            match index {
                Some(i) if c.timeframe == timeframe => Ok((i, c)),
                _ => {
                    let names: Vec<String> = instruments.iter().map(|i| i.to_string()).collect();
                    Err(SessionError::Refused(format!(
                        "{}: this database holds a session of {} {}, not of {} {timeframe}; use another --db",
                        store.url(),
                        c.instrument,
                        c.timeframe,
                        names.join(", ")
                    )))
                }
            }
        })
        .collect()
}

/// The venue reports of the journal, each with the number of candles the
/// engine had processed when it was applied.
/// One logged input between candles.
enum Input {
    Report(ExternalReport),
    Operator(OperatorEntry),
    Financing(LoggedFinancing),
}

/// The log of inputs between candles, each with the candles processed
/// before it: venue reports and operator commands, in the order applied.
fn logged_inputs(store: &dyn Journal) -> SessionResult<Vec<(i64, Input)>> {
    let logged = store
        .venue_reports()
        .map_err(SessionError::store("reading the venue report log"))?;
    logged
        .into_iter()
        .map(|r| {
            if let Some(op) = LoggedOperator::parse(&r.report) {
                return Ok((r.after_candles, Input::Operator(op.operator)));
            }
            if let Some(f) = LoggedFinancing::parse(&r.report) {
                return Ok((r.after_candles, Input::Financing(f)));
            }
            serde_json::from_str::<ExternalReport>(&r.report)
                .map(|report| (r.after_candles, Input::Report(report)))
                .map_err(|e| {
                    SessionError::Setting(format!(
                        "{}: venue report `{}`: {e}",
                        store.url(),
                        r.report
                    ))
                })
        })
        .collect()
}

pub struct Session {
    engine: Engine,
    store: Box<dyn Journal>,
    bus: EventBus,
    /// The engine's instrument table, in its order.
    instruments: Vec<InstrumentId>,
    timeframe: Timeframe,
    /// Open time of the last candle processed, per instrument.
    last: Vec<Option<Timestamp>>,
    /// Logged candles the engine has processed.
    candles: i64,
    replayed: (usize, usize),
    /// Cancels requested before the restart, for the orders still open.
    pending_cancels: Vec<VenueCommand>,
    /// The engine's history gate refuses new risk while it is on.
    history: HistorySwitch,
    /// Candle in to first order out (journaled and released), in
    /// nanoseconds, per candle that sent one: fixed memory however long
    /// the session runs.
    latencies: hdrhistogram::Histogram<u64>,
    /// Prices in the quote currency of the assets fees may be paid in
    /// (BNB), to value such fees before they are journaled.
    fee_prices: BTreeMap<String, Decimal>,
    /// When this process opened the session (wall clock): no request of
    /// an earlier process was sent after it.
    opened_at: Timestamp,
}

fn replay_input(
    engine: &mut Engine,
    instruments: &[InstrumentId],
    input: &Input,
    sink: &mut dyn EventSink,
) -> Result<(), smc_engine::EngineError> {
    match input {
        Input::Report(report) => engine.apply_report(report, sink).map(drop),
        Input::Financing(f) => f.replay(engine, instruments, sink),
        Input::Operator(op) => {
            engine.operate(&op.intents, op.time, sink);
            for r in &op.resets {
                // Refused now as it was then (or already released from the
                // breaker store this session loaded): nothing to redo.
                let _ = engine.reset_breaker(&r.name, &r.operator, &r.reason, sink);
            }
            Ok(())
        }
    }
}

impl Session {
    /// Opens the session, replaying the candle log and the venue reports
    /// (a paper session has none). `history` is the switch of the engine's
    /// [`crate::history_gate::HistoryGate`], if it has one.
    pub fn open(
        mut engine: Engine,
        store: Box<dyn Journal>,
        bus: EventBus,
        instruments: Vec<InstrumentId>,
        timeframe: Timeframe,
        history: HistorySwitch,
    ) -> SessionResult<Self> {
        let logged = session_candles(store.as_ref(), &instruments, timeframe)?;
        let reports = logged_inputs(store.as_ref())?;
        let mut last = vec![None; instruments.len()];
        let mut quiet = NullSink; // a replay re-derives what was already reported
        let mut sink = JournalSink::replaying(store.as_ref(), &mut quiet);
        let mut next = reports.iter().peekable();
        for (k, (instrument, c)) in logged.iter().enumerate() {
            while let Some((_, input)) = next.next_if(|(after, _)| *after <= k as i64) {
                replay_input(&mut engine, &instruments, input, &mut sink)?;
            }
            let instrument = *instrument;
            last[instrument] = Some(c.candle.open_time);
            let bar = MarketEvent::Bar {
                instrument: InstrumentIndex::new(instrument),
                timeframe,
                candle: &c.candle,
            };
            history.set(c.receipt.history);
            let processed = engine.process(bar, &mut sink);
            history.set(false);
            processed?;
        }
        for (_, input) in next {
            replay_input(&mut engine, &instruments, input, &mut sink)?;
        }
        sink.commit().map_err(SessionError::store(
            "replaying the session into the journal",
        ))?;
        // Everything placed before is journaled; it is never sent twice.
        engine.take_commands();
        let pending_cancels = engine.pending_cancels();
        // From here the WAL is checkpointed on the clock's tick.
        store
            .defer_housekeeping()
            .map_err(SessionError::store("configuring the journal"))?;
        Ok(Session {
            engine,
            store,
            bus,
            instruments,
            timeframe,
            last,
            candles: logged.len() as i64,
            replayed: (logged.len(), reports.len()),
            pending_cancels,
            history,
            // 1 ns to an hour, 3 significant digits (fixed bounds: a
            // saturating record never resizes).
            latencies: hdrhistogram::Histogram::new_with_bounds(1, 3_600_000_000_000, 3)
                .map_err(|e| SessionError::Setting(format!("latency histogram: {e}")))?,
            fee_prices: BTreeMap::new(),
            opened_at: WallClock.now(),
        })
    }

    /// Candles and venue reports replayed on open.
    pub fn replayed(&self) -> (usize, usize) {
        self.replayed
    }

    /// Cancels to send again after a restart (once).
    pub fn take_pending_cancels(&mut self) -> Vec<VenueCommand> {
        std::mem::take(&mut self.pending_cancels)
    }

    /// Open time of the last candle processed of the `instrument`th.
    pub fn last_open_time(&self, instrument: InstrumentIndex) -> Option<Timestamp> {
        self.last.get(instrument.get()).copied().flatten()
    }

    pub fn store(&self) -> &dyn Journal {
        self.store.as_ref()
    }

    pub fn bus(&self) -> &EventBus {
        &self.bus
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The engine's instrument table, in its order.
    pub fn instruments(&self) -> &[InstrumentId] {
        &self.instruments
    }

    /// Percentiles of candle-in to order-out.
    pub fn latency(&self) -> Option<Latency> {
        let h = &self.latencies;
        let us = |ns: u64| u128::from(ns) / 1_000;
        (!h.is_empty()).then(|| Latency {
            p50_us: us(h.value_at_quantile(0.5)),
            p99_us: us(h.value_at_quantile(0.99)),
            p999_us: us(h.value_at_quantile(0.999)),
            max_us: us(h.max()),
            orders: h.len() as usize,
        })
    }

    /// The wall clock's time, for breakers that watch it (stale data).
    /// Also the idle moment to checkpoint the WAL, off the candle path.
    pub fn on_time(&mut self, now: Timestamp) {
        self.engine.observe_time(now, &mut BusSink(&self.bus));
        if let Err(e) = self.store.housekeeping() {
            // Harmless: the WAL keeps every commit; it only grows.
            self.bus
                .publish(SessionEvent::notice(Level::Warn, e.to_string()));
        }
    }

    /// Reconciliation found the venue different: the engine reports it and
    /// its `venue_mismatch` breaker trips (live mode).
    pub fn on_venue_mismatch(&mut self, now: Timestamp, differences: Vec<String>) {
        self.engine
            .observe_venue_mismatch(now, differences, &mut BusSink(&self.bus));
    }

    /// Logs and processes a closed candle, journaling what happens before
    /// anyone sees it; returns what the venue must be told (`None`: the
    /// candle was seen before, e.g. delivered twice across a reconnect).
    /// A history candle opens no new risk where the gate watches for it.
    pub fn on_candle(
        &mut self,
        instrument: InstrumentIndex,
        candle: &Candle,
        receipt: CandleReceipt,
    ) -> SessionResult<Option<Vec<VenueCommand>>> {
        let start = Instant::now();
        let Some(id) = self.instruments.get(instrument.get()) else {
            return Ok(None);
        };
        if self.last[instrument.get()].is_some_and(|l| candle.open_time <= l) {
            return Ok(None);
        }
        let mut publish = BusSink(&self.bus);
        let mut timed = Timed {
            inner: &mut publish,
            start,
            first_order: None,
            accepted: false,
        };
        let mut sink = JournalSink::new(self.store.as_ref(), &mut timed);
        sink.log_candle(id, self.timeframe, candle, receipt);
        let bar = MarketEvent::Bar {
            instrument,
            timeframe: self.timeframe,
            candle,
        };
        self.history.set(receipt.history);
        let processed = self.engine.process(bar, &mut sink);
        self.history.set(false);
        processed?;
        // Nothing may trade on without its journal: on a failure the
        // session stops, and a restart replays the log without this candle,
        // then fetches it again.
        sink.commit()
            .map_err(SessionError::store("journaling; the session stops"))?;
        self.last[instrument.get()] = Some(candle.open_time);
        self.candles += 1;
        let first_order = timed.first_order;
        if let Some(d) = first_order {
            // Saturates rather than fails: a figure, not a decision.
            self.latencies
                .saturating_record(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX));
        }
        self.bus.publish(SessionEvent::Candle(CandleClosed {
            symbol: id.symbol().to_string(),
            timeframe: self.timeframe,
            candle: *candle,
            candle_to_order_us: first_order
                .map(|d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX)),
        }));
        Ok(Some(self.engine.take_commands()))
    }

    /// Logs and applies a venue report; `None` when it was applied before
    /// (the same fill or outcome from another channel, or twice from one)
    /// or concerns an order this session never journaled.
    /// Logs and runs an operator's command between candles, at the time of
    /// the last candle (the engine's clock: a replay decides at the same
    /// time), journaling what it caused before anyone sees it; the risk
    /// decisions on the orders it placed, and what the venue must be told.
    pub fn operate(
        &mut self,
        command: &OperatorCommand,
    ) -> SessionResult<(Vec<OperatorDecision>, Vec<VenueCommand>)> {
        let intents = self.resolve(command)?;
        let resets: Vec<BreakerReset> = command
            .intents
            .iter()
            .filter_map(|i| match i {
                OperatorIntent::ResetBreaker(r) => Some(r.clone()),
                _ => None,
            })
            .collect();
        let now = self.engine.now();
        let entry = LoggedOperator {
            operator: OperatorEntry {
                time: now,
                intents,
                resets,
            },
        };
        let text = serde_json::to_string(&entry)
            .map_err(|e| SessionError::Setting(format!("operator command: {e}")))?;
        let mut n = 0u32;
        while !self
            .store
            .log_venue_report(&format!("operator:{}:{n}", now.ms()), self.candles, &text)
            .map_err(SessionError::store("journaling an operator command"))?
        {
            n += 1;
        }
        let mut publish = BusSink(&self.bus);
        let mut sink = JournalSink::new(self.store.as_ref(), &mut publish);
        let decisions = self.engine.operate(&entry.operator.intents, now, &mut sink);
        let mut refused = None;
        for r in &entry.operator.resets {
            if let Err(e) = self
                .engine
                .reset_breaker(&r.name, &r.operator, &r.reason, &mut sink)
            {
                refused.get_or_insert(e);
            }
        }
        sink.commit().map_err(SessionError::store(
            "journaling an operator command; the session stops",
        ))?;
        let commands = self.engine.take_commands();
        if let Some(why) = refused {
            // Logged all the same: a replay refuses it the same way.
            return Err(SessionError::Refused(why));
        }
        Ok((decisions, commands))
    }

    /// The engine's intents of `command`; refuses unknown symbols and orders.
    fn resolve(&self, command: &OperatorCommand) -> SessionResult<Vec<Intent>> {
        let index = |symbol: &str| {
            self.instruments
                .iter()
                .position(|i| i.symbol() == symbol)
                .map(InstrumentIndex::new)
                .ok_or_else(|| {
                    SessionError::Refused(format!("this session does not trade {symbol}"))
                })
        };
        if self.candles == 0 {
            return Err(SessionError::Refused(
                "the session has not processed a candle yet: orders are taken after its first"
                    .into(),
            ));
        }
        let mut intents = Vec::new();
        for step in &command.intents {
            match step {
                OperatorIntent::Place {
                    symbol,
                    side,
                    qty,
                    kind,
                    reduce_only,
                } => {
                    let mut intent = OrderIntent::market(index(symbol)?, *side, Size::Qty(*qty));
                    intent.kind = *kind;
                    intent.reduce_only = *reduce_only;
                    intents.push(Intent::Place(intent));
                }
                OperatorIntent::Cancel { client_id } => {
                    if !self
                        .engine
                        .oms()
                        .open()
                        .iter()
                        .any(|o| o.client_id() == client_id)
                    {
                        return Err(SessionError::Refused(format!("no open order {client_id}")));
                    }
                    intents.push(Intent::Cancel(client_id.clone()));
                }
                OperatorIntent::Flatten { symbol } => {
                    let only = symbol.as_deref().map(index).transpose()?;
                    intents.extend(self.engine.flatten_intents(only));
                }
                OperatorIntent::ResetBreaker(_) => {}
            }
        }
        Ok(intents)
    }

    /// When this process opened the session (wall clock).
    pub fn opened_at(&self) -> Timestamp {
        self.opened_at
    }

    /// Sets the price of `asset` in the quote currency, for fees paid in it.
    pub fn set_fee_price(&mut self, asset: &str, price: Decimal) {
        self.fee_prices.insert(asset.to_string(), price);
    }

    /// Values a fill's fee paid in a third asset at the last known price
    /// (journaled so, a replay reads the same value); says when it cannot.
    fn valued(&self, report: &ExternalReport) -> Option<ExternalReport> {
        let (report, unvalued) = crate::fee_value::value_fee(report, &self.fee_prices)?;
        if let Some(why) = unvalued {
            self.bus.publish(SessionEvent::notice(Level::Warn, why));
        }
        Some(report)
    }

    pub fn apply(&mut self, report: &ExternalReport) -> SessionResult<Option<Vec<VenueCommand>>> {
        let valued = self.valued(report);
        let report = valued.as_ref().unwrap_or(report);
        let known = self
            .store
            .order(report.client_id())
            .map_err(SessionError::store("reading the journal"))?;
        if known.is_none() {
            self.bus.publish(SessionEvent::notice(
                Level::Warn,
                format!(
                    "ignored a venue report about {}, which this session never placed",
                    report.client_id()
                ),
            ));
            return Ok(None);
        }
        let text = serde_json::to_string(report)
            .map_err(|e| SessionError::Setting(format!("venue report: {e}")))?;
        let new = self
            .store
            .log_venue_report(&report.key(), self.candles, &text)
            .map_err(SessionError::store("journaling a venue report"))?;
        if !new {
            return Ok(None);
        }
        let mut publish = BusSink(&self.bus);
        let mut sink = JournalSink::new(self.store.as_ref(), &mut publish);
        self.engine.apply_report(report, &mut sink)?;
        sink.commit().map_err(SessionError::store(
            "journaling a venue report; the session stops",
        ))?;
        Ok(Some(self.engine.take_commands()))
    }
}
