//! The engine's output: every order, fill, position, funding, risk decision
//! and equity mark, in the order they happened. The store, the API, the
//! alerts and the backtest recorder consume this stream through
//! [`EventSink`]; nobody reaches into engine state.

use crate::fill::Fill;
use crate::instrument::InstrumentId;
use crate::order::{ClientOrderId, OrderRequest};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// What the pre-trade risk gate decided about an intent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum RiskVerdict {
    Approved,
    /// Approved with a smaller (or larger) quantity or notional.
    Resized {
        reason: String,
    },
    Refused {
        reason: String,
    },
}

/// One engine event. Times are epoch ms (simulated in a backtest).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EngineEvent {
    /// The risk gate's decision on an intent, before any order exists.
    RiskDecision {
        time: i64,
        client_id: ClientOrderId,
        verdict: RiskVerdict,
    },
    /// An order was created from an intent and sent to the venue.
    OrderSubmitted {
        time: i64,
        order: OrderRequest,
    },
    /// The venue accepted the order; it may now fill from `eligible_at`.
    OrderAccepted {
        time: i64,
        client_id: ClientOrderId,
        eligible_at: i64,
    },
    OrderRejected {
        time: i64,
        client_id: ClientOrderId,
        reason: String,
    },
    OrderCancelled {
        time: i64,
        client_id: ClientOrderId,
        reason: String,
    },
    /// An IOC/FOK remainder, or a reduce-only order with nothing to reduce.
    OrderExpired {
        time: i64,
        client_id: ClientOrderId,
        reason: String,
    },
    Fill(Fill),
    /// A position after a fill.
    PositionChanged {
        time: i64,
        instrument: InstrumentId,
        qty: Decimal,
        avg_price: Decimal,
        realized_pnl: Decimal,
    },
    /// A funding payment; `amount` is what the account paid (negative when
    /// it received).
    FundingPaid {
        time: i64,
        instrument: InstrumentId,
        rate: Decimal,
        mark_price: Decimal,
        amount: Decimal,
    },
    /// The account marked at the close of a bar.
    EquityMark {
        time: i64,
        cash: Decimal,
        equity: Decimal,
    },
}

/// Where the engine writes its events. The store and the API implement it;
/// a `Vec<EngineEvent>` collects them for tests.
pub trait EventSink {
    fn emit(&mut self, event: &EngineEvent);
}

impl EventSink for Vec<EngineEvent> {
    fn emit(&mut self, event: &EngineEvent) {
        self.push(event.clone());
    }
}

/// A sink that drops everything (benchmarks, dry runs).
#[derive(Debug, Clone, Copy, Default)]
pub struct NullSink;

impl EventSink for NullSink {
    fn emit(&mut self, _event: &EngineEvent) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn a_vec_collects_events() {
        let e = EngineEvent::EquityMark {
            time: 60_000,
            cash: dec!(1),
            equity: dec!(2.5),
        };
        let mut sink: Vec<EngineEvent> = Vec::new();
        sink.emit(&e);
        assert_eq!(sink, vec![e]);
    }
}
