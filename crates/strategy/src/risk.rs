//! The pre-trade hook. The engine passes every intent through a
//! [`RiskGate`] and emits its typed decision; the risk crate implements
//! sizing, limits and breakers behind this trait. The default approves
//! everything, which is what a backtest without a config runs.

use crate::intent::OrderIntent;
use serde::{Deserialize, Serialize};
use smc_model::{PortfolioSnapshot, RiskVerdict};

/// What strategies see of risk. The risk crate will add limits and breaker
/// states; strategies must not trade when `trading_allowed` is false (the
/// gate refuses them anyway).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskState {
    pub trading_allowed: bool,
}

impl Default for RiskState {
    fn default() -> Self {
        RiskState {
            trading_allowed: true,
        }
    }
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
