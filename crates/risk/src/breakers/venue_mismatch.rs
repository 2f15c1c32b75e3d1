//! Trips when reconciliation finds the venue's account or orders different
//! from the session's (live mode): trading on a book the agent does not
//! understand adds risk it cannot measure. Only an operator releases it.

use super::condition::Condition;
use smc_model::{EngineEvent, RiskObservation, Timestamp};

/// The `venue_mismatch` breaker.
#[derive(Debug, Default)]
pub struct VenueMismatch;

impl Condition for VenueMismatch {
    fn name(&self) -> &'static str {
        "venue_mismatch"
    }

    fn observe(&mut self, observation: &RiskObservation<'_>, _now: Timestamp) -> Option<String> {
        let RiskObservation::Event(EngineEvent::VenueMismatch { differences, .. }) = observation
        else {
            return None;
        };
        (!differences.is_empty())
            .then(|| format!("reconciliation with the venue: {}", differences.join("; ")))
    }

    /// Nothing accumulates: each reconciliation reports afresh.
    fn rebase(&mut self) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trips_on_a_reported_difference_only() {
        let mut c = VenueMismatch;
        let t = Timestamp::from_ms(1);
        let event = |differences: Vec<String>| EngineEvent::VenueMismatch {
            time: t,
            differences,
        };
        assert_eq!(c.observe(&RiskObservation::Event(&event(vec![])), t), None);
        let why = c
            .observe(
                &RiskObservation::Event(&event(vec!["BTC: the venue holds 1".into()])),
                t,
            )
            .unwrap();
        assert!(why.contains("BTC: the venue holds 1"), "{why}");
        assert_eq!(c.observe(&RiskObservation::Time(t), t), None);
    }
}
