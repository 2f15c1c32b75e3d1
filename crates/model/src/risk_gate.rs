//! The pre-trade hook. The engine passes every intent through a
//! [`RiskGate`] and emits its typed decision; the risk crate implements
//! sizing, limits and breakers behind this trait. The default approves
//! everything, which is what a backtest without a config runs.

use crate::candle::Candle;
use crate::event::{EngineEvent, EventSink, RiskVerdict};
use crate::instrument_index::InstrumentIndex;
use crate::intent::OrderIntent;
use crate::portfolio::PortfolioSnapshot;
use crate::timeframe::Timeframe;
use crate::timestamp::Timestamp;
use serde::{Deserialize, Serialize};

/// What strategies see of risk. Strategies must not add risk when
/// `trading_allowed` is false (the gate refuses them anyway); orders that
/// reduce a position are still accepted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskState {
    pub trading_allowed: bool,
    /// The circuit breakers that are tripped now, by name (empty when none
    /// is, or when the gate has no breakers).
    #[serde(default)]
    pub tripped_breakers: Vec<String>,
}

impl Default for RiskState {
    fn default() -> Self {
        RiskState {
            trading_allowed: true,
            tripped_breakers: Vec::new(),
        }
    }
}

/// What the engine shows the risk gate besides the intents it checks, so
/// that circuit breakers can watch the market and the account.
#[derive(Debug, Clone, Copy)]
pub enum RiskObservation<'a> {
    /// A closed candle of an instrument's execution timeframe, before the
    /// strategy sees it.
    Bar {
        instrument: InstrumentIndex,
        timeframe: Timeframe,
        candle: &'a Candle,
        close_time: Timestamp,
    },
    /// An event the engine emitted (fills, positions, order outcomes,
    /// equity marks, ...).
    Event(&'a EngineEvent),
    /// The clock's time when nothing else happened (a timer in paper and
    /// live modes), so that time-based breakers and cooldowns advance.
    Time(Timestamp),
}

/// The gate's decision on one intent. Typed, so the caller cannot forget to
/// look at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RiskOutcome {
    Approved(OrderIntent),
    /// Approved with changes (size, stop) and why.
    Resized {
        intent: OrderIntent,
        reason: String,
    },
    Refused {
        intent: OrderIntent,
        reason: String,
    },
}

impl RiskOutcome {
    /// The event form of the decision.
    pub fn verdict(&self) -> RiskVerdict {
        match self {
            RiskOutcome::Approved(_) => RiskVerdict::Approved,
            RiskOutcome::Resized { reason, .. } => RiskVerdict::Resized {
                reason: reason.clone(),
            },
            RiskOutcome::Refused { reason, .. } => RiskVerdict::Refused {
                reason: reason.clone(),
            },
        }
    }

    /// The intent to place, unless refused.
    pub fn into_approved(self) -> Option<OrderIntent> {
        match self {
            RiskOutcome::Approved(i) | RiskOutcome::Resized { intent: i, .. } => Some(i),
            RiskOutcome::Refused { .. } => None,
        }
    }
}

/// Pre-trade risk check.
pub trait RiskGate {
    /// A short name for reports.
    fn name(&self) -> &str;

    /// Decides on `intent` given the account as of the decision.
    fn check(&mut self, intent: OrderIntent, portfolio: &PortfolioSnapshot) -> RiskOutcome;

    /// The state strategies read; updated by the gate as it sees the account.
    fn state(&self) -> &RiskState;

    /// Shows the gate the market and the engine's events. A gate with
    /// circuit breakers updates them here and writes its own events (trips,
    /// resets) to `sink`. The default ignores everything.
    fn observe(&mut self, _observation: RiskObservation<'_>, _sink: &mut dyn EventSink) {}

    /// Releases the tripped circuit breaker `name` for `operator`, whose
    /// authority the caller checked (the API's TOTP step-up); the gate
    /// writes and emits the reset. A gate without breakers has none.
    fn reset_breaker(
        &mut self,
        name: &str,
        _operator: &str,
        _reason: &str,
        _now: Timestamp,
        _sink: &mut dyn EventSink,
    ) -> Result<(), String> {
        Err(format!("no circuit breaker named `{name}`"))
    }
}

/// A boxed gate is a gate, so that gates can wrap `Box<dyn RiskGate>`.
impl<G: RiskGate + ?Sized> RiskGate for Box<G> {
    fn name(&self) -> &str {
        (**self).name()
    }

    fn check(&mut self, intent: OrderIntent, portfolio: &PortfolioSnapshot) -> RiskOutcome {
        (**self).check(intent, portfolio)
    }

    fn state(&self) -> &RiskState {
        (**self).state()
    }

    fn observe(&mut self, observation: RiskObservation<'_>, sink: &mut dyn EventSink) {
        (**self).observe(observation, sink)
    }

    fn reset_breaker(
        &mut self,
        name: &str,
        operator: &str,
        reason: &str,
        now: Timestamp,
        sink: &mut dyn EventSink,
    ) -> Result<(), String> {
        (**self).reset_breaker(name, operator, reason, now, sink)
    }
}

/// Approves every intent.
#[derive(Debug, Clone, Default)]
pub struct ApproveAll {
    state: RiskState,
}

impl RiskGate for ApproveAll {
    fn name(&self) -> &str {
        "approve-all"
    }

    fn check(&mut self, intent: OrderIntent, _portfolio: &PortfolioSnapshot) -> RiskOutcome {
        RiskOutcome::Approved(intent)
    }

    fn state(&self) -> &RiskState {
        &self.state
    }
}
