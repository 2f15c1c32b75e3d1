//! The engine's output: every order, fill, position, funding, risk decision
//! and equity mark, in the order they happened. The store, the API, the
//! alerts and the backtest recorder consume this stream through
//! [`EventSink`]; nobody reaches into engine state.

use crate::fill::Fill;
use crate::instrument::InstrumentId;
use crate::no_trade::NoTradeReason;
use crate::order::{ClientOrderId, OrderRequest};
use crate::setup::Setup;
use crate::timestamp::Timestamp;
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

/// What the engine did when a protective order failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProtectionAction {
    /// Nothing: a resting stop still covers the whole position.
    Covered,
    /// It failed before reaching the venue; it is sent again at the next bar.
    Retry,
    /// The position could not be protected and is closed at market.
    Exit,
    /// The strategy's market exit was refused (on spot, typically because
    /// a stop still held the balance): the position's other reducing orders
    /// are cancelled and it is closed at market. It was covered meanwhile.
    ExitAgain,
    /// The safety exit failed too: the position needs a person.
    ExitRefused,
}

impl ProtectionAction {
    /// Whether the position was left without protection.
    pub fn unprotected(self) -> bool {
        matches!(self, ProtectionAction::Exit | ProtectionAction::ExitRefused)
    }
}

/// One engine event. Times are epoch ms (simulated in a backtest).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EngineEvent {
    /// The risk gate's decision on an intent, before any order exists.
    RiskDecision {
        time: Timestamp,
        client_id: ClientOrderId,
        verdict: RiskVerdict,
    },
    /// An order was created from an intent and sent to the venue.
    OrderSubmitted {
        time: Timestamp,
        order: OrderRequest,
        /// The strategy's setup behind the order, when it named one (the
        /// journal keeps no setup: a replayed order has none).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        setup: Option<Setup>,
    },
    /// The venue accepted the order; it may now fill from `eligible_at`.
    OrderAccepted {
        time: Timestamp,
        client_id: ClientOrderId,
        eligible_at: Timestamp,
    },
    OrderRejected {
        time: Timestamp,
        client_id: ClientOrderId,
        reason: String,
    },
    /// A cancel was sent to an external venue; the order stays open (and
    /// may still fill) until the venue confirms it (live).
    CancelRequested {
        time: Timestamp,
        client_id: ClientOrderId,
    },
    OrderCancelled {
        time: Timestamp,
        client_id: ClientOrderId,
        reason: String,
    },
    /// An IOC/FOK remainder, or a reduce-only order with nothing to reduce.
    OrderExpired {
        time: Timestamp,
        client_id: ClientOrderId,
        reason: String,
    },
    /// A stop order's trigger was moved (a trailing or break-even stop).
    OrderAmended {
        time: Timestamp,
        client_id: ClientOrderId,
        trigger: Decimal,
    },
    /// An amendment was refused; the order is unchanged.
    AmendRejected {
        time: Timestamp,
        client_id: ClientOrderId,
        reason: String,
    },
    /// A cancel could not be sent or the venue refused it (live mode); the
    /// order stays as it was and the next change asks again.
    CancelFailed {
        time: Timestamp,
        client_id: ClientOrderId,
        reason: String,
    },
    /// A protective order (stop, take-profit, safety exit) of an open
    /// position was refused or could not be sent (live mode), and what the
    /// engine did about it. The `unprotected_position` breaker trips when
    /// the position had to be closed or could not be.
    ProtectionFailed {
        time: Timestamp,
        instrument: InstrumentId,
        client_id: ClientOrderId,
        reason: String,
        action: ProtectionAction,
    },
    Fill(Fill),
    /// A position after a fill.
    PositionChanged {
        time: Timestamp,
        instrument: InstrumentId,
        qty: Decimal,
        avg_price: Decimal,
        realized_pnl: Decimal,
    },
    /// A funding payment; `amount` is what the account paid (negative when
    /// it received).
    FundingPaid {
        time: Timestamp,
        instrument: InstrumentId,
        rate: Decimal,
        mark_price: Decimal,
        amount: Decimal,
    },
    /// The account marked at the close of a bar.
    EquityMark {
        time: Timestamp,
        cash: Decimal,
        equity: Decimal,
    },
    /// A circuit breaker tripped: orders that add risk are refused until it
    /// is released. `cooldown_until` is when it releases by itself (none:
    /// only an authorized reset releases it).
    BreakerTripped {
        time: Timestamp,
        breaker: String,
        reason: String,
        cooldown_until: Option<Timestamp>,
    },
    /// A tripped breaker was released by an authorized operator; it cools
    /// down before it is armed again.
    BreakerReset {
        time: Timestamp,
        breaker: String,
        operator: String,
        reason: String,
    },
    /// A tripped breaker's automatic cooldown ended; it cools down before it
    /// is armed again.
    BreakerCoolingDown {
        time: Timestamp,
        breaker: String,
        reason: String,
    },
    /// A breaker is watching again (after its cooldown).
    BreakerArmed {
        time: Timestamp,
        breaker: String,
    },
    /// A candle of an instrument's entry timeframe closed and no new entry
    /// was placed, for `reason`. One per such candle: sessions publish it on
    /// the bus; the journal does not store it (the candle log replays it).
    NoTrade {
        time: Timestamp,
        instrument: InstrumentId,
        reason: NoTradeReason,
    },
    /// Reconciliation found the venue's account or orders different from
    /// the session's beyond rounding (live mode); the `venue_mismatch`
    /// breaker trips on it.
    VenueMismatch {
        time: Timestamp,
        differences: Vec<String>,
    },
}

impl EngineEvent {
    /// When the event happened (epoch ms).
    pub fn time(&self) -> Timestamp {
        match self {
            EngineEvent::Fill(f) => f.time,
            EngineEvent::RiskDecision { time, .. }
            | EngineEvent::OrderSubmitted { time, .. }
            | EngineEvent::VenueMismatch { time, .. }
            | EngineEvent::OrderAccepted { time, .. }
            | EngineEvent::OrderRejected { time, .. }
            | EngineEvent::CancelRequested { time, .. }
            | EngineEvent::OrderCancelled { time, .. }
            | EngineEvent::OrderExpired { time, .. }
            | EngineEvent::OrderAmended { time, .. }
            | EngineEvent::AmendRejected { time, .. }
            | EngineEvent::CancelFailed { time, .. }
            | EngineEvent::ProtectionFailed { time, .. }
            | EngineEvent::PositionChanged { time, .. }
            | EngineEvent::FundingPaid { time, .. }
            | EngineEvent::EquityMark { time, .. }
            | EngineEvent::BreakerTripped { time, .. }
            | EngineEvent::BreakerReset { time, .. }
            | EngineEvent::BreakerCoolingDown { time, .. }
            | EngineEvent::BreakerArmed { time, .. }
            | EngineEvent::NoTrade { time, .. } => *time,
        }
    }
}

/// Where the engine writes its events. The store and the API implement it;
/// a `Vec<EngineEvent>` collects them for tests.
pub trait EventSink {
    fn emit(&mut self, event: &EngineEvent);

    /// A candle that placed no entry (see [`EngineEvent::NoTrade`]). The
    /// default builds the event and emits it; a sink that only counts
    /// reasons (a backtest's) overrides this to skip building an event,
    /// and a sink that wraps another forwards it, so that the per-candle
    /// path allocates nothing.
    fn no_trade(&mut self, time: Timestamp, instrument: &InstrumentId, reason: NoTradeReason) {
        self.emit(&EngineEvent::NoTrade {
            time,
            instrument: instrument.clone(),
            reason,
        });
    }
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

    fn no_trade(&mut self, _: Timestamp, _: &InstrumentId, _: NoTradeReason) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn a_vec_collects_events() {
        let e = EngineEvent::EquityMark {
            time: Timestamp::from_ms(60_000),
            cash: dec!(1),
            equity: dec!(2.5),
        };
        let mut sink: Vec<EngineEvent> = Vec::new();
        sink.emit(&e);
        assert_eq!(sink, vec![e]);
    }

    #[test]
    fn every_event_knows_its_time() {
        let tripped = EngineEvent::BreakerTripped {
            time: Timestamp::from_ms(120_000),
            breaker: "daily_loss".into(),
            reason: "lost 600".into(),
            cooldown_until: None,
        };
        assert_eq!(tripped.time(), Timestamp::from_ms(120_000));
        let armed = EngineEvent::BreakerArmed {
            time: Timestamp::from_ms(7),
            breaker: "drawdown".into(),
        };
        assert_eq!(armed.time(), Timestamp::from_ms(7));
    }
}
