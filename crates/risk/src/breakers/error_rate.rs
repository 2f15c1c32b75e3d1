//! Exchange error rate: trips when too many of the last N order requests
//! were rejected. An accepted order counts as a success, a rejected one as
//! an error.

use super::condition::Condition;
use smc_model::Timestamp;
use smc_model::{EngineEvent, RiskObservation};
use std::collections::VecDeque;

/// The error-rate measure.
#[derive(Debug, Clone)]
pub struct ErrorRate {
    window: usize,
    max_errors: usize,
    outcomes: VecDeque<bool>,
    errors: usize,
}

impl ErrorRate {
    /// Trips when `max_errors` of the last `window` requests failed.
    pub fn new(window: usize, max_errors: usize) -> Self {
        ErrorRate {
            window: window.max(1),
            max_errors: max_errors.max(1),
            outcomes: VecDeque::new(),
            errors: 0,
        }
    }
}

impl Condition for ErrorRate {
    fn name(&self) -> &'static str {
        "error_rate"
    }

    fn observe(&mut self, observation: &RiskObservation<'_>, _now: Timestamp) -> Option<String> {
        let failed = match *observation {
            RiskObservation::Event(EngineEvent::OrderAccepted { .. }) => false,
            RiskObservation::Event(EngineEvent::OrderRejected { .. }) => true,
            _ => return None,
        };
        if self.outcomes.len() == self.window && self.outcomes.pop_front() == Some(true) {
            self.errors -= 1;
        }
        self.outcomes.push_back(failed);
        if failed {
            self.errors += 1;
        }
        (self.errors >= self.max_errors).then(|| {
            format!(
                "{} of the last {} order requests failed, limit {}",
                self.errors,
                self.outcomes.len(),
                self.max_errors
            )
        })
    }

    fn rebase(&mut self) {
        self.outcomes.clear();
        self.errors = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use smc_model::ClientOrderId;

    fn outcome(c: &mut ErrorRate, ok: bool) -> Option<String> {
        let client_id = ClientOrderId::from_decision("t", Timestamp::from_ms(0), 0);
        let e = if ok {
            EngineEvent::OrderAccepted {
                time: Timestamp::from_ms(0),
                client_id,
                eligible_at: Timestamp::from_ms(0),
            }
        } else {
            EngineEvent::OrderRejected {
                time: Timestamp::from_ms(0),
                client_id,
                reason: "insufficient balance".into(),
            }
        };
        c.observe(&RiskObservation::Event(&e), Timestamp::from_ms(0))
    }

    #[test]
    fn old_errors_leave_the_window() {
        let mut c = ErrorRate::new(4, 2);
        assert_eq!(outcome(&mut c, false), None);
        for _ in 0..4 {
            assert_eq!(outcome(&mut c, true), None);
        }
        // The first error has left the window: one error is not enough.
        assert_eq!(outcome(&mut c, false), None);
        let why = outcome(&mut c, false).unwrap();
        assert!(why.starts_with("2 of the last 4"), "{why}");
        c.rebase();
        assert_eq!(outcome(&mut c, false), None);
    }
}
