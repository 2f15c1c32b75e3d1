//! The engine: one synchronous step, `process(event, sink)`, shared by
//! backtest, paper and live. For a bar of an instrument's execution
//! timeframe it (1) matches resting orders against the bar's intrabar path,
//! (2) marks the portfolio at the close, (3) gives the bar to the strategy,
//! and (4) passes the intents it returned through the risk gate and into the
//! OMS as orders for later bars. Bars of other timeframes only reach the
//! strategy. The clock is injected; the engine reads no other time.

use crate::config::{EngineConfig, ModelNames};
use crate::execution::{Executor, SimFill, VenueReport};
use crate::external::{Execution, VenueCommand};
use crate::intake::order_from_intent;
use crate::matching::MatchingEngine;
use crate::oms::Oms;
use crate::portfolio::Portfolio;
use crate::trades::{Trade, TradeLedger};
use rust_decimal::Decimal;
use smc_analysis::{Confluence, SmcEvent};
use smc_model::{
    Candle, ClientOrderId, Clock, EngineEvent, EventSink, Fill, Instrument, OrderKind, OrderStatus,
    PortfolioSnapshot, Side, Timeframe,
};
use smc_strategy::risk::RiskObservation;
use smc_strategy::{Intent, RiskGate, Strategy, StrategyContext};

/// A sink that also shows every event to the risk gate, whose circuit
/// breakers watch fills, order outcomes and equity marks (and write their
/// own events to the sink).
pub(crate) struct Tee<'a> {
    risk: &'a mut dyn RiskGate,
    sink: &'a mut dyn EventSink,
}

pub(crate) fn tee<'a>(risk: &'a mut Box<dyn RiskGate>, sink: &'a mut dyn EventSink) -> Tee<'a> {
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

/// An instrument the engine trades, and the timeframe whose bars fill its
/// orders (the finest one the run has for it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineInstrument {
    pub instrument: Instrument,
    pub execution_timeframe: Timeframe,
}

/// What the engine processes. Instruments are indices into its table.
#[derive(Debug, Clone, Copy)]
pub enum MarketEvent<'a> {
    /// A closed candle.
    Bar {
        instrument: usize,
        timeframe: Timeframe,
        candle: &'a Candle,
    },
    /// A perpetual funding settlement at `time`.
    Funding {
        instrument: usize,
        time: i64,
        rate: Decimal,
    },
    /// An SMC detection, delivered once knowable.
    Smc {
        instrument: usize,
        event: &'a SmcEvent,
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
}

/// One engine: strategy, risk gate, OMS, simulated venue, portfolio.
pub struct Engine {
    pub(crate) config: EngineConfig,
    pub(crate) instruments: Vec<EngineInstrument>,
    matching: MatchingEngine,
    pub(crate) oms: Oms,
    pub(crate) portfolio: Portfolio,
    pub(crate) ledger: TradeLedger,
    pub(crate) snapshot: PortfolioSnapshot,
    pub(crate) strategy: Box<dyn Strategy>,
    strategy_name: String,
    pub(crate) risk: Box<dyn RiskGate>,
    pub(crate) clock: Box<dyn Clock>,
    smc_view: Option<Confluence>,
    pub(crate) last_candle: Vec<Option<(Timeframe, Candle)>>,
    // Reused buffers: the steady state allocates nothing.
    pub(crate) intents: Vec<Intent>,
    reports: Vec<VenueReport>,
    pub(crate) fills: Vec<Fill>,
    decision_time: i64,
    decision_seq: u32,
    fill_seq: u64,
    /// Who fills orders: the simulated venue, or an external one.
    pub(crate) execution: Execution,
    /// External execution: what the venue must be told, in order.
    pub(crate) commands: Vec<VenueCommand>,
    /// External execution: orders whose cancel was requested.
    pub(crate) cancel_requested: std::collections::BTreeSet<ClientOrderId>,
    /// External execution: stops being replaced (by the id being
    /// cancelled), and the current id of each stop replaced so far (by the
    /// id the strategy knows, with its generation).
    pub(crate) replacing:
        std::collections::BTreeMap<ClientOrderId, crate::replace::PendingReplacement>,
    pub(crate) replaced: std::collections::BTreeMap<ClientOrderId, (ClientOrderId, u32)>,
}

impl Engine {
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
        portfolio.write_snapshot(&mut snapshot, clock.now_ms(), portfolio.equity());
        Ok(Engine {
            matching: MatchingEngine {
                rule: config.fill_rule,
                executor: Executor {
                    fees: config.fees,
                    slippage: config.slippage,
                    participation: config.max_participation,
                },
            },
            config,
            instruments,
            oms: Oms::default(),
            portfolio,
            ledger: TradeLedger::new(n),
            snapshot,
            strategy_name: strategy.name().to_string(),
            strategy,
            risk,
            clock,
            smc_view: None,
            last_candle: vec![None; n],
            intents: Vec::new(),
            reports: Vec::new(),
            fills: Vec::new(),
            decision_time: i64::MIN,
            decision_seq: 0,
            fill_seq: 0,
            execution: Execution::Simulated,
            commands: Vec::new(),
            cancel_requested: std::collections::BTreeSet::new(),
            replacing: std::collections::BTreeMap::new(),
            replaced: std::collections::BTreeMap::new(),
        })
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
            } => self.on_bar(instrument, timeframe, candle, sink),
            MarketEvent::Funding {
                instrument,
                time,
                rate,
            } => self.on_funding(instrument, time, rate, sink),
            MarketEvent::Smc { instrument, event } => self.on_smc(instrument, event, sink),
        }
    }

    fn check(&self, index: usize) -> Result<(), EngineError> {
        if index < self.instruments.len() {
            Ok(())
        } else {
            Err(EngineError::UnknownInstrument {
                index,
                count: self.instruments.len(),
            })
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
        if tf == self.instruments[i].execution_timeframe {
            if self.execution == Execution::Simulated {
                let spec = self.instruments[i].instrument.spec;
                self.matching.match_bar(
                    i,
                    &spec,
                    candle,
                    &mut self.oms,
                    &mut self.portfolio,
                    &mut self.reports,
                );
                if !self.reports.is_empty() {
                    self.flush_reports(sink);
                }
            }
            self.portfolio.mark(i, candle.close);
            let equity = self.portfolio.equity();
            // Fills (above) rewrote the snapshot in full; a mark changes little.
            self.portfolio
                .write_mark(&mut self.snapshot, i, close_time, equity);
            let bar = RiskObservation::Bar {
                instrument: i,
                timeframe: tf,
                candle,
                close_time,
            };
            self.risk.observe(bar, sink);
            tee(&mut self.risk, sink).emit(&EngineEvent::EquityMark {
                time: close_time,
                cash: self.portfolio.cash(),
                equity,
            });
        }
        self.last_candle[i] = Some((tf, *candle));
        let ctx = StrategyContext {
            candle,
            instrument: &self.instruments[i].instrument,
            instrument_index: i,
            timeframe: tf,
            now: close_time,
            portfolio: &self.snapshot,
            risk: self.risk.state(),
            smc: self.smc_view.as_ref(),
        };
        self.strategy.on_candle(&ctx, &mut self.intents);
        if !self.intents.is_empty() {
            self.accept_intents(close_time, sink);
        }
        Ok(())
    }

    fn on_funding(
        &mut self,
        i: usize,
        time: i64,
        rate: Decimal,
        sink: &mut dyn EventSink,
    ) -> Result<(), EngineError> {
        self.check(i)?;
        self.clock.observe(time);
        if let Some(amount) = self.portfolio.apply_funding(i, rate) {
            let equity = self.portfolio.equity();
            self.portfolio
                .write_snapshot(&mut self.snapshot, time, equity);
            tee(&mut self.risk, sink).emit(&EngineEvent::FundingPaid {
                time,
                instrument: self.instruments[i].instrument.id.clone(),
                rate,
                mark_price: self.portfolio.position(i).mark,
                amount,
            });
        }
        Ok(())
    }

    fn on_smc(
        &mut self,
        i: usize,
        event: &SmcEvent,
        sink: &mut dyn EventSink,
    ) -> Result<(), EngineError> {
        self.check(i)?;
        self.clock.observe(event.known_at);
        let Some((_, candle)) = self.last_candle[i] else {
            return Ok(()); // nothing to trade against before the first bar
        };
        let ctx = StrategyContext {
            candle: &candle,
            instrument: &self.instruments[i].instrument,
            instrument_index: i,
            timeframe: event.timeframe,
            now: event.known_at,
            portfolio: &self.snapshot,
            risk: self.risk.state(),
            smc: self.smc_view.as_ref(),
        };
        self.strategy.on_smc_event(&ctx, event, &mut self.intents);
        if !self.intents.is_empty() {
            self.accept_intents(event.known_at, sink);
        }
        Ok(())
    }

    /// Turns the venue's reports into events, the trade ledger and the
    /// strategy's fill callbacks.
    fn flush_reports(&mut self, sink: &mut dyn EventSink) {
        let now = self.clock.now_ms();
        let mut reports = std::mem::take(&mut self.reports);
        for report in reports.drain(..) {
            match report {
                VenueReport::Fill(f) => self.record_fill(f, sink),
                VenueReport::Placed { order, eligible_at } => {
                    let client_id = order.client_id.clone();
                    tee(&mut self.risk, sink)
                        .emit(&EngineEvent::OrderSubmitted { time: now, order });
                    tee(&mut self.risk, sink).emit(&EngineEvent::OrderAccepted {
                        time: now,
                        client_id,
                        eligible_at,
                    });
                }
                VenueReport::Rejected { client_id, reason } => {
                    tee(&mut self.risk, sink).emit(&EngineEvent::OrderRejected {
                        time: now,
                        client_id,
                        reason,
                    })
                }
                VenueReport::Cancelled { client_id, reason } => {
                    tee(&mut self.risk, sink).emit(&EngineEvent::OrderCancelled {
                        time: now,
                        client_id,
                        reason,
                    })
                }
                VenueReport::Expired { client_id, reason } => {
                    tee(&mut self.risk, sink).emit(&EngineEvent::OrderExpired {
                        time: now,
                        client_id,
                        reason,
                    })
                }
            }
        }
        self.reports = reports;
        if self.fills.is_empty() {
            return;
        }
        let equity = self.portfolio.equity();
        self.portfolio
            .write_snapshot(&mut self.snapshot, now, equity);
        let mut fills = std::mem::take(&mut self.fills);
        for fill in fills.drain(..) {
            self.strategy
                .on_fill(&fill, &self.snapshot, &mut self.intents);
        }
        self.fills = fills;
    }

    fn record_fill(&mut self, f: SimFill, sink: &mut dyn EventSink) {
        self.ledger.on_fill(&f);
        self.fill_seq += 1;
        let instrument = self.instruments[f.instrument].instrument.id.clone();
        let fill = Fill {
            client_id: f.client_id,
            instrument: instrument.clone(),
            trade_id: format!("sim-{}", self.fill_seq),
            side: f.side,
            price: f.price,
            qty: f.qty,
            fee: f.fee,
            liquidity: f.liquidity,
            time: f.time,
        };
        tee(&mut self.risk, sink).emit(&EngineEvent::Fill(fill.clone()));
        tee(&mut self.risk, sink).emit(&EngineEvent::PositionChanged {
            time: f.time,
            instrument,
            qty: f.position.qty,
            avg_price: f.position.avg_price,
            realized_pnl: f.position.realized,
        });
        self.fills.push(fill);
    }

    /// Risk-checks the strategy's intents and submits the approved ones.
    pub(crate) fn accept_intents(&mut self, decided_at: i64, sink: &mut dyn EventSink) {
        let now = self.clock.now_ms();
        if decided_at != self.decision_time {
            self.decision_time = decided_at;
            self.decision_seq = 0;
        }
        let mut intents = std::mem::take(&mut self.intents);
        for intent in intents.drain(..) {
            match intent {
                Intent::Place(intent) => {
                    let client_id = ClientOrderId::from_decision(
                        &self.strategy_name,
                        decided_at,
                        self.decision_seq,
                    );
                    self.decision_seq += 1;
                    let outcome = self.risk.check(intent, &self.snapshot);
                    tee(&mut self.risk, sink).emit(&EngineEvent::RiskDecision {
                        time: now,
                        client_id: client_id.clone(),
                        verdict: outcome.verdict(),
                    });
                    let Some(intent) = outcome.into_approved() else {
                        continue;
                    };
                    self.submit(intent, client_id, decided_at, now, sink);
                }
                Intent::Cancel(id) => self.cancel(now, |o| *o.client_id() == id, sink),
                Intent::CancelAll { instrument } => {
                    self.cancel(now, |o| o.instrument == instrument, sink)
                }
                Intent::AmendStop { client_id, trigger } => {
                    self.amend_stop(now, client_id, trigger, sink)
                }
            }
        }
        self.intents = intents;
    }

    fn submit(
        &mut self,
        intent: smc_strategy::OrderIntent,
        client_id: ClientOrderId,
        decided_at: i64,
        now: i64,
        sink: &mut dyn EventSink,
    ) {
        let i = intent.instrument;
        let Some(slot) = self.instruments.get(i) else {
            let reason = format!("no instrument with index {i}");
            return tee(&mut self.risk, sink).emit(&EngineEvent::OrderRejected {
                time: now,
                client_id,
                reason,
            });
        };
        let reference = self.last_candle[i].map_or(Decimal::ZERO, |(_, c)| c.close);
        let eligible_at = self.config.latency.eligible_at(decided_at);
        match order_from_intent(
            intent,
            client_id.clone(),
            &slot.instrument,
            reference,
            decided_at,
            eligible_at,
        ) {
            Err(e) => tee(&mut self.risk, sink).emit(&EngineEvent::OrderRejected {
                time: now,
                client_id,
                reason: e.to_string(),
            }),
            Ok(order) if self.execution == Execution::External => {
                self.submit_external(order, reference, now, sink)
            }
            Ok(order) => {
                tee(&mut self.risk, sink).emit(&EngineEvent::OrderSubmitted {
                    time: now,
                    order: order.request.clone(),
                });
                match self.oms.submit(order) {
                    Ok(()) => tee(&mut self.risk, sink).emit(&EngineEvent::OrderAccepted {
                        time: now,
                        client_id,
                        eligible_at,
                    }),
                    Err(e) => tee(&mut self.risk, sink).emit(&EngineEvent::OrderRejected {
                        time: now,
                        client_id,
                        reason: e.to_string(),
                    }),
                }
            }
        }
    }

    fn cancel(
        &mut self,
        now: i64,
        which: impl Fn(&crate::oms::Order) -> bool,
        sink: &mut dyn EventSink,
    ) {
        if self.execution == Execution::External {
            // The venue cancels; its answer moves the order.
            return self.request_cancels(which);
        }
        for o in self
            .oms
            .open_mut()
            .iter_mut()
            .filter(|o| o.status.is_open() && which(o))
        {
            if o.transition(OrderStatus::Cancelled).is_ok() {
                let client_id = o.client_id().clone();
                tee(&mut self.risk, sink).emit(&EngineEvent::OrderCancelled {
                    time: now,
                    client_id,
                    reason: "cancelled by the strategy".into(),
                });
            }
        }
        self.oms.sweep();
    }

    /// Moves the trigger of an open, untriggered stop order; anything else
    /// is refused with an event saying why (the order itself is unchanged).
    fn amend_stop(
        &mut self,
        now: i64,
        client_id: ClientOrderId,
        trigger: Decimal,
        sink: &mut dyn EventSink,
    ) {
        if self.execution == Execution::External {
            return self.replace_stop(now, client_id, trigger, sink);
        }
        let instruments = &self.instruments;
        let order = self
            .oms
            .open_mut()
            .iter_mut()
            .find(|o| *o.client_id() == client_id && o.status.is_open());
        // Rounded to the tick on the tighter side (up for a sell stop).
        let rounded = order.as_ref().and_then(|o| {
            let spec = &instruments.get(o.instrument)?.instrument.spec;
            spec.round_price(trigger, o.side() == Side::Buy).ok()
        });
        let trigger = rounded.unwrap_or(trigger);
        let outcome = match order {
            None => Err("no open order with this id".to_string()),
            Some(o) if o.triggered => Err("the stop has already triggered".to_string()),
            Some(_) if trigger <= Decimal::ZERO => Err(format!("bad trigger {trigger}")),
            Some(o) => match o.request.kind {
                OrderKind::StopMarket { .. } => {
                    o.request.kind = OrderKind::StopMarket { trigger };
                    Ok(())
                }
                OrderKind::StopLimit { price, .. } => {
                    o.request.kind = OrderKind::StopLimit { trigger, price };
                    Ok(())
                }
                other => Err(format!("a {other:?} order has no stop to move")),
            },
        };
        let event = match outcome {
            Ok(()) => EngineEvent::OrderAmended {
                time: now,
                client_id,
                trigger,
            },
            Err(reason) => EngineEvent::AmendRejected {
                time: now,
                client_id,
                reason,
            },
        };
        tee(&mut self.risk, sink).emit(&event);
    }

    /// Shows the risk gate the clock's time when no market event came (a
    /// timer in paper and live modes), so that time-based breakers (stale
    /// data) and cooldowns advance; breaker events go to `sink`. The
    /// engine's own clock, which follows the bars, is left alone.
    pub fn observe_time(&mut self, now: i64, sink: &mut dyn EventSink) {
        self.risk.observe(RiskObservation::Time(now), sink);
    }

    /// Replaces the multi-timeframe SMC view strategies see (the SMC driver
    /// updates it as higher-timeframe candles close).
    pub fn set_smc_view(&mut self, view: Option<Confluence>) {
        self.smc_view = view;
    }

    pub fn portfolio(&self) -> &Portfolio {
        &self.portfolio
    }

    pub fn snapshot(&self) -> &PortfolioSnapshot {
        &self.snapshot
    }

    pub fn oms(&self) -> &Oms {
        &self.oms
    }

    pub fn instruments(&self) -> &[EngineInstrument] {
        &self.instruments
    }

    pub fn closed_trades(&self) -> &[Trade] {
        self.ledger.closed()
    }

    /// Open trades marked at each instrument's last close.
    pub fn open_trades(&self) -> Vec<Trade> {
        let pf = &self.portfolio;
        self.ledger.open_trades(|i| {
            let p = pf.position(i);
            p.qty * p.mark - p.cost
        })
    }

    pub fn model_names(&self) -> ModelNames {
        let mut names = self.config.model_names();
        names.risk_gate = self.risk.name().to_string();
        names
    }
}
