//! From the strategy's intents to orders: each passes the risk gate, gets
//! its deterministic client order id and goes to the execution; and what
//! became of a candle's entries, so that a candle that placed none says
//! why ([`NoTradeReason`]): the strategy's reason, or the gate's refusal.

use super::{Engine, tee};
use crate::execution::ExecReport;
use crate::intake::order_from_intent;
use smc_matching::Order;
use smc_model::{
    ClientOrderId, EngineEvent, EventSink, Intent, NoTradeReason, OrderIntent, Timestamp,
};

/// What became of the entries (orders that are not reduce-only) one
/// candle's strategy call placed. Reset before each call; `Copy`, so it
/// costs nothing per bar.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Entries {
    /// At least one entry became an order.
    pub placed: bool,
    /// Why the first entry that did not was stopped.
    pub stopped: Option<NoTradeReason>,
}

impl Entries {
    fn refusal(&mut self, reason: NoTradeReason) {
        self.stopped.get_or_insert(reason);
    }

    /// A refusal before the gate (no order id left), for entries only.
    fn refused(&mut self, intent: &OrderIntent, reason: NoTradeReason) {
        if !intent.reduce_only {
            self.refusal(reason);
        }
    }

    /// Why the candle placed no entry: the strategy's own reason first (it
    /// placed none), else the refusal of the entries it placed; `None` when
    /// one became an order, or when the strategy gave no reason and placed
    /// none (a candle it does not decide on).
    pub fn no_trade(self, strategy: Option<NoTradeReason>) -> Option<NoTradeReason> {
        match (strategy, self.placed) {
            (Some(reason), _) => Some(reason),
            (None, true) => None,
            (None, false) => self.stopped,
        }
    }
}

impl Engine {
    /// The id of the `seq`-th order decided at `decided_at`: a session's
    /// prefixed id, or a backtest's; `None` past a session's sequence room.
    fn order_id(&self, decided_at: Timestamp, seq: u32) -> Option<ClientOrderId> {
        let name = &self.strategy_name;
        match &self.id_prefix {
            None => Some(ClientOrderId::from_decision(name, decided_at, seq)),
            Some(prefix) => ClientOrderId::from_session_decision(prefix, name, decided_at, seq),
        }
    }

    /// Moves to decision time `decided_at`, keeping the next sequence of
    /// the one it leaves when it numbered an order (another instrument's
    /// candle of that time may still close: its ids must not repeat).
    fn remember_decision_time(&mut self, decided_at: Timestamp) {
        // Sorted by time; times mostly rise, so an insert is mostly a push.
        let earlier = &mut self.earlier_decisions;
        if self.decision_seq > 0 {
            let left = (self.decision_time, self.decision_seq);
            match earlier.binary_search_by_key(&left.0, |e| e.0) {
                Ok(k) => earlier[k] = left,
                Err(k) => earlier.insert(k, left),
            }
            if earlier.len() > 256 {
                // No candle closes a day late: older times are done with.
                let horizon = Timestamp::from_ms(decided_at.ms().saturating_sub(86_400_000));
                earlier.retain(|e| e.0 >= horizon);
            }
        }
        self.decision_time = decided_at;
        self.decision_seq = match earlier.binary_search_by_key(&decided_at, |e| e.0) {
            Ok(k) => earlier.remove(k).1,
            Err(_) => 0,
        };
    }

    /// Risk-checks the strategy's intents and submits the approved ones.
    pub(super) fn accept_intents(&mut self, decided_at: Timestamp, sink: &mut dyn EventSink) {
        let now = self.clock.now();
        if decided_at != self.decision_time {
            self.remember_decision_time(decided_at);
        }
        let mut intents = std::mem::take(&mut self.intents);
        // Orders the gate refused, told to the strategy after the loop (it
        // may answer with intents, which go to the next call).
        let mut refused: Vec<(ClientOrderId, String)> = Vec::new();
        for intent in intents.drain(..) {
            match intent {
                Intent::Place(intent) => {
                    let seq = self.decision_seq;
                    self.decision_seq = seq.saturating_add(1);
                    let Some(client_id) = self.order_id(decided_at, seq) else {
                        let id = ClientOrderId::from_decision(&self.strategy_name, decided_at, seq);
                        let reason = "too many orders decided at one time".to_string();
                        tee(&mut self.risk, sink).emit(&EngineEvent::RiskDecision {
                            time: now,
                            client_id: id,
                            verdict: smc_model::RiskVerdict::Refused { reason },
                        });
                        self.entries.refused(&intent, NoTradeReason::RiskRefused);
                        continue;
                    };
                    let entry = !intent.reduce_only;
                    let outcome = self.risk.check(intent, &self.snapshot);
                    let verdict = outcome.verdict();
                    if let smc_model::RiskVerdict::Refused { reason } = &verdict {
                        refused.push((client_id.clone(), reason.clone()));
                    }
                    tee(&mut self.risk, sink).emit(&EngineEvent::RiskDecision {
                        time: now,
                        client_id: client_id.clone(),
                        verdict,
                    });
                    // A gate with a tripped breaker refuses every entry;
                    // otherwise a limit did.
                    let refusal = if self.risk.state().tripped_breakers.is_empty() {
                        NoTradeReason::RiskRefused
                    } else {
                        NoTradeReason::BreakerTripped
                    };
                    match outcome.into_approved() {
                        Some(intent) => {
                            let sent = self.submit(intent, client_id, decided_at);
                            match (entry, sent) {
                                (true, true) => self.entries.placed = true,
                                (true, false) => self.entries.refusal(NoTradeReason::OrderRejected),
                                (false, _) => {}
                            }
                        }
                        None if entry => self.entries.refusal(refusal),
                        None => {}
                    }
                }
                Intent::Cancel(id) => {
                    let which = |o: &Order| *o.client_id() == id;
                    self.execution
                        .cancel(&mut self.book, &which, &mut self.reports);
                }
                Intent::CancelAll { instrument } => {
                    let which = |o: &Order| o.instrument == instrument;
                    self.execution
                        .cancel(&mut self.book, &which, &mut self.reports);
                }
                Intent::AmendStop { client_id, trigger } => {
                    self.execution.amend_stop(
                        &mut self.book,
                        client_id,
                        trigger,
                        &mut self.reports,
                    );
                }
            }
            if !self.reports.is_empty() {
                self.publish(sink);
            }
        }
        self.intents = intents;
        // A refused order does not exist: nothing should wait for it.
        for (client_id, reason) in refused {
            self.strategy
                .on_rejected(&client_id, &reason, &mut self.intents);
        }
    }

    /// An approved intent to an order for the execution; whether it became
    /// one (the rounding and the instrument's minimums let it through).
    fn submit(
        &mut self,
        intent: OrderIntent,
        client_id: ClientOrderId,
        decided_at: Timestamp,
    ) -> bool {
        let i = intent.instrument;
        let Some(slot) = self.book.instruments.get(i.get()) else {
            let reason = format!("no instrument with index {i}");
            self.reports
                .push(ExecReport::Rejected { client_id, reason });
            return false;
        };
        let reference = self.book.last_close(i);
        let eligible_at = self.config.latency.eligible_at(decided_at);
        match order_from_intent(
            intent,
            client_id.clone(),
            &slot.instrument,
            reference,
            decided_at,
            eligible_at,
        ) {
            Err(e) => {
                self.reports.push(ExecReport::Rejected {
                    client_id,
                    reason: e.to_string(),
                });
                false
            }
            Ok(order) => {
                self.execution
                    .submit(&mut self.book, order, reference, &mut self.reports);
                true
            }
        }
    }
}
