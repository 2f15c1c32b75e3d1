//! What every breaker kind implements: it watches the observations the
//! engine passes to the gate and says when its condition holds. The state
//! machine, persistence and events live in the gate; a condition only
//! measures.

use smc_model::RiskObservation;
use smc_model::Timestamp;

/// One breaker's measure.
pub trait Condition: Send {
    /// The breaker's name, as in the config and the store.
    fn name(&self) -> &'static str;

    /// Updates the measure with `observation` (seen at `now`, the latest
    /// time the gate knows) and returns why the breaker should trip, when
    /// the condition holds.
    fn observe(&mut self, observation: &RiskObservation<'_>, now: Timestamp) -> Option<String>;

    /// Starts measuring afresh after a release, so that a condition that
    /// still holds from before does not trip again at once (the day's loss
    /// counts from now, the peak is the current equity, the streak is zero).
    fn rebase(&mut self);
}

/// The time an observation happened.
pub fn observation_time(observation: &RiskObservation<'_>) -> Timestamp {
    match observation {
        RiskObservation::Bar { close_time, .. } => *close_time,
        RiskObservation::Event(e) => e.time(),
        RiskObservation::Time(t) => *t,
    }
}
