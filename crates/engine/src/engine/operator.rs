//! Orders an operator gives a session outside its strategy (the API's
//! `POST /orders`, `DELETE /orders/{id}`, `POST /positions/flatten`). They
//! pass the same risk gate and execution as the strategy's, are named
//! `manual-…`, and are decided at the time the operator gave them, so that
//! a replay of the journal (which logs each command between the candles it
//! came between) takes exactly the same decisions.

use super::Engine;
use smc_model::{
    ClientOrderId, EngineEvent, EventSink, InstrumentIndex, Intent, OrderIntent, RiskVerdict, Side,
    Size, Timestamp,
};

/// What the engine decided about one order an operator asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorDecision {
    pub client_id: ClientOrderId,
    pub verdict: RiskVerdict,
}

/// The name operator orders carry in their ids.
pub const OPERATOR_NAME: &str = "manual";

/// Collects the risk decisions of a step while passing every event on.
struct Decisions<'a> {
    inner: &'a mut dyn EventSink,
    seen: Vec<OperatorDecision>,
}

impl EventSink for Decisions<'_> {
    fn emit(&mut self, event: &EngineEvent) {
        if let EngineEvent::RiskDecision {
            client_id, verdict, ..
        } = event
        {
            self.seen.push(OperatorDecision {
                client_id: client_id.clone(),
                verdict: verdict.clone(),
            });
        }
        self.inner.emit(event);
    }
}

impl Engine {
    /// Runs an operator's `intents` at `now`; the risk decision on each
    /// order it asked to place, in order.
    pub fn operate(
        &mut self,
        intents: &[Intent],
        now: Timestamp,
        sink: &mut dyn EventSink,
    ) -> Vec<OperatorDecision> {
        self.clock.observe(now);
        let mut decisions = Decisions {
            inner: sink,
            seen: Vec::new(),
        };
        let strategy = std::mem::replace(&mut self.strategy_name, OPERATOR_NAME.to_string());
        self.intents.extend(intents.iter().cloned());
        self.accept_intents(now, &mut decisions);
        self.strategy_name = strategy;
        decisions.seen
    }

    /// Intents that close every open position (or `only` this
    /// instrument's): its orders cancelled, then a reduce-only market order
    /// for the whole position.
    pub fn flatten_intents(&self, only: Option<InstrumentIndex>) -> Vec<Intent> {
        let mut intents = Vec::new();
        for i in 0..self.book.instruments.len() {
            let index = InstrumentIndex::new(i);
            if only.is_some_and(|o| o != index) {
                continue;
            }
            let qty = self.book.portfolio.position(i).qty;
            if qty.is_zero() {
                continue;
            }
            let side = if qty.is_sign_positive() {
                Side::Sell
            } else {
                Side::Buy
            };
            let mut exit = OrderIntent::market(index, side, Size::ClosePosition);
            exit.reduce_only = true;
            intents.push(Intent::CancelAll { instrument: index });
            intents.push(Intent::Place(exit));
        }
        intents
    }
}

impl Engine {
    /// Releases the tripped breaker `name` for an operator whose authority
    /// was checked by the caller, at the engine's time.
    pub fn reset_breaker(
        &mut self,
        name: &str,
        operator: &str,
        reason: &str,
        sink: &mut dyn EventSink,
    ) -> Result<(), String> {
        let now = self.clock.now();
        self.risk.reset_breaker(name, operator, reason, now, sink)
    }

    /// The engine's time: the close of the last bar it processed.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }
}
