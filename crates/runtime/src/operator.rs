//! Commands an operator gives a running session (through the API): the
//! request that reaches the session's thread with a reply channel, and
//! how such a command is written in the journal's log of inputs between
//! candles (the venue-report log, ordered with the reports), so that a
//! restart replays it where it happened.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use smc_engine::OperatorDecision;
use smc_model::{ClientOrderId, Intent, OrderKind, Side, Timestamp};
use tokio::sync::oneshot;

/// What an operator asks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperatorCommand {
    pub intents: Vec<OperatorIntent>,
}

/// One step of a command, in the API's terms (symbols, not engine indices).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum OperatorIntent {
    Place {
        symbol: String,
        side: Side,
        qty: Decimal,
        kind: OrderKind,
        reduce_only: bool,
    },
    /// Cancel an open order.
    Cancel { client_id: ClientOrderId },
    /// Cancel the orders of every open position (or of `symbol`'s) and
    /// close it with a reduce-only market order.
    Flatten { symbol: Option<String> },
    /// Release a tripped circuit breaker (the caller checked the
    /// operator's authority).
    ResetBreaker(BreakerReset),
}

/// A breaker release: which, by whom, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreakerReset {
    pub name: String,
    pub operator: String,
    pub reason: String,
}

/// A command on its way to the session, and where its answer goes.
#[derive(Debug)]
pub struct OperatorRequest {
    pub command: OperatorCommand,
    pub reply: oneshot::Sender<Result<Vec<OperatorDecision>, String>>,
}

/// The logged form: `{"operator": {"time": …, "intents": […]}}` (engine
/// intents, flatten already resolved), told apart from a venue report by
/// its one key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoggedOperator {
    pub operator: OperatorEntry,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperatorEntry {
    pub time: Timestamp,
    pub intents: Vec<Intent>,
    /// Breakers released, after the intents.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resets: Vec<BreakerReset>,
}

impl LoggedOperator {
    /// The logged command in `text`, if it is one.
    pub fn parse(text: &str) -> Option<LoggedOperator> {
        if !text.starts_with("{\"operator\"") {
            return None;
        }
        serde_json::from_str(text).ok()
    }
}
