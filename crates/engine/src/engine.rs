//! The engine: one synchronous step, `process(event, sink)`, shared by
//! backtest, paper and live. For a bar of an instrument's execution
//! timeframe it (1) lets the execution fill resting orders (the simulated
//! venue matches them against the bar's intrabar path; an external venue
//! reports its fills separately), (2) marks the portfolio at the close,
//! (3) gives the bar to the strategy, and (4) passes the intents it returned
//! through the risk gate to the execution as orders. Bars of other
//! timeframes only reach the strategy. After any bar the strategy decided
//! on without a new entry, (5) it says why ([`EngineEvent::NoTrade`]
//! through [`EventSink::no_trade`]): the strategy's reason, or the gate's
//! refusal of the entry it placed. The clock is injected; the engine
//! reads no other time.

/// Orders an operator gives outside the strategy.
/// Perpetual funding, forex financing and the margin closeout.
pub mod financing;
/// Intents through the risk gate to orders, and why a candle placed none.
mod intents;
pub mod operator;

use crate::book::{Book, EngineInstrument};
use crate::config::{EngineConfig, ModelNames};
use crate::execution::{ExecReport, Execution};
use crate::external::{ExternalReport, VenueCommand};
use crate::simulated::SimulatedExecution;
use crate::trades::TradeLedger;
use rust_decimal::Decimal;
use smc_matching::{Executor, MatchingEngine, Oms, Portfolio};
use smc_model::InstrumentIndex;
use smc_model::Timestamp;
use smc_model::{
    Candle, Clock, EngineEvent, EventSink, Fill, Intent, MarketKind, PortfolioSnapshot, RiskGate,
    RiskObservation, RoundTrip, Timeframe,
};
use smc_strategy::{Strategy, StrategyContext};

/// A sink that also shows every event to the risk gate, whose circuit
/// breakers watch fills, order outcomes and equity marks (and write their
/// own events to the sink).
struct Tee<'a> {
    risk: &'a mut dyn RiskGate,
    sink: &'a mut dyn EventSink,
}

fn tee<'a>(risk: &'a mut Box<dyn RiskGate>, sink: &'a mut dyn EventSink) -> Tee<'a> {
    Tee {
        risk: &mut **risk,
        sink,
    }
}

impl EventSink for Tee<'_> {
    fn emit(&mut self, event: &EngineEvent) {
        self.sink.emit(event);
        self.risk.observe(RiskObservation::Event(event), self.sink);
    }
}

/// What the engine processes. Instruments are indices into its table.
#[derive(Debug, Clone, Copy)]
pub enum MarketEvent<'a> {
    /// A closed candle.
    Bar {
        instrument: InstrumentIndex,
        timeframe: Timeframe,
        candle: &'a Candle,
    },
    /// A perpetual funding settlement at `time`.
    Funding {
        instrument: InstrumentIndex,
        time: Timestamp,
        rate: Decimal,
    },
}

/// Input the engine cannot process.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    #[error("the engine needs at least one instrument")]
    NoInstruments,
    #[error("event for instrument index {index}, but the engine has {count} instruments")]
    UnknownInstrument { index: usize, count: usize },
    #[error("a venue report for {0}, which the engine does not trade")]
    UnknownInstrumentId(String),
    #[error("a venue report about {0}, but this engine fills its own orders (simulated execution)")]
    NotExternal(String),
    #[error(
        "the account's equity overflows the decimal range when marked at {price} \
         (candle opening {}): the prices or the starting cash are out of range",
        .time.format_utc()
    )]
    EquityOverflow { price: Decimal, time: Timestamp },
}

/// One engine: strategy, risk gate, execution, book, trade ledger.
pub struct Engine {
    config: EngineConfig,
    book: Book,
    execution: Box<dyn Execution>,
    ledger: TradeLedger,
    snapshot: PortfolioSnapshot,
    strategy: Box<dyn Strategy>,
    strategy_name: String,
    risk: Box<dyn RiskGate>,
    clock: Box<dyn Clock>,
    // Reused buffers: the steady state allocates nothing.
    intents: Vec<Intent>,
    reports: Vec<ExecReport>,
    fills: Vec<Fill>,
    decision_time: Timestamp,
    decision_seq: u32,
    /// The next sequence of earlier decision times: candles of several
    /// instruments may close out of time order, and an id must not repeat.
    /// Sorted by time.
    earlier_decisions: Vec<(Timestamp, u32)>,
    /// A paper or live session's id prefix (see
    /// `ClientOrderId::from_session_decision`); backtests name orders
    /// without one.
    id_prefix: Option<String>,
    /// A margin closeout's orders are out (forex).
    closing_out: bool,
    /// What became of the current candle's entries.
    entries: intents::Entries,
}

impl Engine {
    /// An engine whose orders the simulated venue fills; see
    /// [`Engine::set_execution`] for an external venue.
    pub fn new(
        config: EngineConfig,
        instruments: Vec<EngineInstrument>,
        strategy: Box<dyn Strategy>,
        risk: Box<dyn RiskGate>,
        clock: Box<dyn Clock>,
    ) -> Result<Self, EngineError> {
        if instruments.is_empty() {
            return Err(EngineError::NoInstruments);
        }
        let n = instruments.len();
        let portfolio = Portfolio::new(config.account, n);
        let mut snapshot = PortfolioSnapshot::default();
        portfolio.write_snapshot(&mut snapshot, clock.now(), portfolio.equity());
        let matching = MatchingEngine {
            rule: config.fill_rule,
            executor: Executor {
                fees: config.fees,
                slippage: config.slippage,
                participation: config.max_participation,
            },
            spreads: instruments
                .iter()
                .map(|e| match e.instrument.kind {
                    MarketKind::Forex => config.forex.spread(e.instrument.id.symbol()),
                    _ => Decimal::ZERO,
                })
                .collect(),
        };
        Ok(Engine {
            book: Book {
                instruments,
                oms: Oms::default(),
                portfolio,
                last_candle: vec![None; n],
                fees: config.fees,
            },
            execution: Box::new(SimulatedExecution::new(matching)),
            config,
            ledger: TradeLedger::new(n),
            snapshot,
            strategy_name: strategy.name().to_string(),
            strategy,
            risk,
            clock,
            intents: Vec::new(),
            reports: Vec::new(),
            fills: Vec::new(),
            decision_time: Timestamp::MIN,
            decision_seq: 0,
            earlier_decisions: Vec::new(),
            id_prefix: None,
            closing_out: false,
            entries: intents::Entries::default(),
        })
    }

    /// Chooses who fills orders (for example
    /// [`crate::ExternalExecution`]); call before the first event.
    /// Names this session's orders with `prefix` (paper and live sessions:
    /// ids unique across sessions and rebuilt journals; empty keeps the
    /// backtest's names).
    pub fn set_id_prefix(&mut self, prefix: &str) {
        self.id_prefix = (!prefix.is_empty()).then(|| prefix.to_string());
    }

    pub fn set_execution(&mut self, execution: Box<dyn Execution>) {
        self.execution = execution;
    }

    /// Puts `wrap` around the execution in use (a router in front of the
    /// simulated venue, say); call before the first event.
    pub fn wrap_execution(&mut self, wrap: impl FnOnce(Box<dyn Execution>) -> Box<dyn Execution>) {
        let placeholder: Box<dyn Execution> = Box::new(crate::external::ExternalExecution::new());
        let inner = std::mem::replace(&mut self.execution, placeholder);
        self.execution = wrap(inner);
    }

    /// The name of the execution in use (`simulated`, `external`).
    pub fn execution_name(&self) -> &'static str {
        self.execution.name()
    }

    /// Processes one event, writing what happened to `sink`.
    pub fn process(
        &mut self,
        event: MarketEvent<'_>,
        sink: &mut dyn EventSink,
    ) -> Result<(), EngineError> {
        match event {
            MarketEvent::Bar {
                instrument,
                timeframe,
                candle,
            } => self.on_bar(instrument.get(), timeframe, candle, sink),
            MarketEvent::Funding {
                instrument,
                time,
                rate,
            } => self.on_funding(instrument.get(), time, rate, sink),
        }
    }

    fn check(&self, index: usize) -> Result<(), EngineError> {
        let count = self.book.instruments.len();
        if index < count {
            Ok(())
        } else {
            Err(EngineError::UnknownInstrument { index, count })
        }
    }

    fn on_bar(
        &mut self,
        i: usize,
        tf: Timeframe,
        candle: &Candle,
        sink: &mut dyn EventSink,
    ) -> Result<(), EngineError> {
        self.check(i)?;
        let close_time = candle.open_time + tf.duration_ms();
        self.clock.observe(close_time);
        if tf == self.book.instruments[i].execution_timeframe {
            self.execution
                .on_bar(&mut self.book, i, candle, &mut self.reports);
            if !self.reports.is_empty() {
                self.publish(sink);
            }
            let portfolio = &mut self.book.portfolio;
            portfolio.mark(i, candle.close);
            let equity = portfolio
                .checked_equity()
                .ok_or(EngineError::EquityOverflow {
                    price: candle.close,
                    time: candle.open_time,
                })?;
            // Fills (above) rewrote the snapshot in full; a mark changes little.
            portfolio.write_mark(&mut self.snapshot, i, close_time, equity);
            let bar = RiskObservation::Bar {
                instrument: InstrumentIndex::new(i),
                timeframe: tf,
                candle,
                close_time,
            };
            self.risk.observe(bar, sink);
            let previous_close =
                self.book.last_candle[i].map(|(t, c)| c.open_time + t.duration_ms());
            self.forex_step(i, previous_close, close_time, sink);
            // Only forex financing or a closeout moves the account after
            // the mark: elsewhere its equity is the one just computed (a
            // decimal product per bar in a position, not worth doing twice).
            let equity = if self.book.instruments[i].instrument.kind == MarketKind::Forex {
                self.book.portfolio.equity()
            } else {
                equity
            };
            tee(&mut self.risk, sink).emit(&EngineEvent::EquityMark {
                time: close_time,
                cash: self.book.portfolio.cash(),
                equity,
            });
        }
        self.book.last_candle[i] = Some((tf, *candle));
        let ctx = StrategyContext {
            candle,
            instrument: &self.book.instruments[i].instrument,
            instrument_index: InstrumentIndex::new(i),
            timeframe: tf,
            now: close_time,
            portfolio: &self.snapshot,
            risk: self.risk.state(),
        };
        self.strategy.on_candle(&ctx, &mut self.intents);
        self.entries = intents::Entries::default();
        if !self.intents.is_empty() {
            self.accept_intents(close_time, sink);
        }
        if let Some(reason) = self.entries.no_trade(self.strategy.no_trade_reason()) {
            let id = &self.book.instruments[i].instrument.id;
            sink.no_trade(close_time, id, reason);
        }
        Ok(())
    }

    /// Publishes what the execution reported, in order: events (each also
    /// shown to the risk gate), the trade ledger, and after a fill the new
    /// snapshot and the strategy's fill callbacks.
    fn publish(&mut self, sink: &mut dyn EventSink) {
        let now = self.clock.now();
        let mut reports = std::mem::take(&mut self.reports);
        for report in reports.drain(..) {
            let event = match report {
                ExecReport::Fill(f) => {
                    self.ledger.on_fill(&f);
                    tee(&mut self.risk, sink).emit(&EngineEvent::Fill(f.fill.clone()));
                    tee(&mut self.risk, sink).emit(&EngineEvent::PositionChanged {
                        time: f.fill.time,
                        instrument: f.fill.instrument.clone(),
                        qty: f.position.qty,
                        avg_price: f.position.avg_price,
                        realized_pnl: f.position.realized,
                    });
                    self.fills.push(f.fill);
                    continue;
                }
                ExecReport::Submitted { order, setup } => EngineEvent::OrderSubmitted {
                    time: now,
                    order,
                    setup,
                },
                ExecReport::Accepted {
                    client_id,
                    eligible_at,
                } => EngineEvent::OrderAccepted {
                    time: now,
                    client_id,
                    eligible_at,
                },
                ExecReport::Rejected { client_id, reason } => {
                    let known_as = self.execution.strategy_id(&client_id);
                    self.strategy
                        .on_rejected(&known_as, &reason, &mut self.intents);
                    EngineEvent::OrderRejected {
                        time: now,
                        client_id,
                        reason,
                    }
                }
                ExecReport::CancelRequested { client_id } => EngineEvent::CancelRequested {
                    time: now,
                    client_id,
                },
                ExecReport::Cancelled { client_id, reason } => EngineEvent::OrderCancelled {
                    time: now,
                    client_id,
                    reason,
                },
                ExecReport::Expired { client_id, reason } => EngineEvent::OrderExpired {
                    time: now,
                    client_id,
                    reason,
                },
                ExecReport::Amended { client_id, trigger } => EngineEvent::OrderAmended {
                    time: now,
                    client_id,
                    trigger,
                },
                ExecReport::AmendRejected { client_id, reason } => EngineEvent::AmendRejected {
                    time: now,
                    client_id,
                    reason,
                },
                ExecReport::CancelFailed { client_id, reason } => EngineEvent::CancelFailed {
                    time: now,
                    client_id,
                    reason,
                },
                ExecReport::ProtectionFailed {
                    instrument,
                    client_id,
                    reason,
                    action,
                } => EngineEvent::ProtectionFailed {
                    time: now,
                    instrument: self.book.instruments[instrument.get()]
                        .instrument
                        .id
                        .clone(),
                    client_id,
                    reason,
                    action,
                },
            };
            tee(&mut self.risk, sink).emit(&event);
        }
        self.reports = reports;
        if self.fills.is_empty() {
            return;
        }
        let equity = self.book.portfolio.equity();
        self.book
            .portfolio
            .write_snapshot(&mut self.snapshot, now, equity);
        let mut fills = std::mem::take(&mut self.fills);
        for fill in fills.drain(..) {
            self.strategy
                .on_fill(&fill, &self.snapshot, &mut self.intents);
        }
        self.fills = fills;
    }

    /// Applies what an external venue reported (live mode). Returns whether
    /// it changed anything: a report about an order that already left the
    /// OMS changes nothing, except a fill, which always moves the account.
    pub fn apply_report(
        &mut self,
        report: &ExternalReport,
        sink: &mut dyn EventSink,
    ) -> Result<bool, EngineError> {
        let now = self.clock.now();
        let changed =
            self.execution
                .apply_report(&mut self.book, report, now, &mut self.reports)?;
        if !self.reports.is_empty() {
            self.publish(sink);
        }
        if !self.intents.is_empty() {
            self.accept_intents(now, sink);
        }
        Ok(changed)
    }

    /// The commands for the venue produced since the last call, in order
    /// (live mode; none with simulated execution).
    pub fn take_commands(&mut self) -> Vec<VenueCommand> {
        self.execution.take_commands()
    }

    /// Cancels requested for orders that are still open, to send again
    /// after a restart (cancelling twice is harmless).
    pub fn pending_cancels(&self) -> Vec<VenueCommand> {
        self.execution.pending_cancels(&self.book)
    }

    /// Shows the risk gate the clock's time when no market event came (a
    /// timer in paper and live modes), so that time-based breakers (stale
    /// data) and cooldowns advance; breaker events go to `sink`. The
    /// engine's own clock, which follows the bars, is left alone.
    pub fn observe_time(&mut self, now: Timestamp, sink: &mut dyn EventSink) {
        self.risk.observe(RiskObservation::Time(now), sink);
    }

    /// Reports what reconciliation found different on the venue (live
    /// mode): the event goes to `sink` and to the risk gate, whose
    /// `venue_mismatch` breaker trips on it.
    pub fn observe_venue_mismatch(
        &mut self,
        now: Timestamp,
        differences: Vec<String>,
        sink: &mut dyn EventSink,
    ) {
        let event = EngineEvent::VenueMismatch {
            time: now,
            differences,
        };
        sink.emit(&event);
        self.risk.observe(RiskObservation::Event(&event), sink);
    }

    pub fn portfolio(&self) -> &Portfolio {
        &self.book.portfolio
    }

    pub fn snapshot(&self) -> &PortfolioSnapshot {
        &self.snapshot
    }

    pub fn oms(&self) -> &Oms {
        &self.book.oms
    }

    pub fn instruments(&self) -> &[EngineInstrument] {
        &self.book.instruments
    }

    pub fn closed_trades(&self) -> &[RoundTrip] {
        self.ledger.closed()
    }

    /// Open trades marked at each instrument's last close.
    pub fn open_trades(&self) -> Vec<RoundTrip> {
        let pf = &self.book.portfolio;
        self.ledger.open_trades(|i| {
            let p = pf.position(i);
            p.qty * p.mark - p.cost
        })
    }

    pub fn model_names(&self) -> ModelNames {
        let mut names = self.config.model_names();
        names.risk_gate = self.risk.name().to_string();
        let forex = self
            .book
            .instruments
            .iter()
            .any(|e| e.instrument.kind == MarketKind::Forex);
        names.forex = forex.then(|| self.config.forex.describe());
        names
    }
}
