//! Reloading the limits while the engine runs: the runner keeps a
//! [`LimitsHandle`] and pushes the limits of a changed config file; the
//! limits gate, which the engine owns, takes the newest update at its next
//! check. The day's start equity, the equity peak and the VaR's return
//! history carry over: a reload changes the rules, not what was seen.

use crate::exposure::ExposureCaps;
use crate::limits::Limits;
use rust_decimal::Decimal;
use std::sync::{Arc, Mutex};

/// A complete set of limits, as a config defines them.
#[derive(Debug, Clone, PartialEq)]
pub struct LimitsUpdate {
    pub limits: Limits,
    pub caps: ExposureCaps,
    /// `max_portfolio_var_percent` and its confidence, if set.
    pub var: Option<(Decimal, f64)>,
}

/// Where new limits wait for the gate. Cloned by the runner.
#[derive(Debug, Clone, Default)]
pub struct LimitsHandle {
    pending: Arc<Mutex<Option<LimitsUpdate>>>,
}

impl LimitsHandle {
    /// Queues `update`; a newer one replaces one not yet taken.
    pub fn push(&self, update: LimitsUpdate) {
        // A poisoned lock only means a panic elsewhere; the value is still whole.
        let mut slot = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        *slot = Some(update);
    }

    /// The newest update not yet taken, if any.
    pub(crate) fn take(&self) -> Option<LimitsUpdate> {
        match self.pending.try_lock() {
            Ok(mut slot) => slot.take(),
            // Being written right now: take it at the next check.
            Err(_) => None,
        }
    }
}
