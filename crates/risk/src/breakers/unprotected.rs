//! Trips when a position could not be protected by a stop and had to be
//! closed at market, or could not even be closed (live mode): the venue
//! refuses what the strategy relies on, so trading stops until a person
//! has looked. Only an operator releases it.

use super::condition::Condition;
use smc_model::{EngineEvent, ProtectionAction, RiskObservation, Timestamp};

/// The `unprotected_position` breaker.
#[derive(Debug, Default)]
pub struct UnprotectedPosition;

impl Condition for UnprotectedPosition {
    fn name(&self) -> &'static str {
        "unprotected_position"
    }

    fn observe(&mut self, observation: &RiskObservation<'_>, _now: Timestamp) -> Option<String> {
        let RiskObservation::Event(EngineEvent::ProtectionFailed {
            instrument,
            client_id,
            reason,
            action,
            ..
        }) = observation
        else {
            return None;
        };
        let done = match action {
            ProtectionAction::Exit => "closed at market",
            ProtectionAction::ExitRefused => "the exit failed too: the position needs a person",
            _ => return None,
        };
        Some(format!(
            "{instrument}: protective order {client_id} failed ({reason}); {done}"
        ))
    }

    /// Nothing accumulates: each failure reports afresh.
    fn rebase(&mut self) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use smc_model::{ClientOrderId, InstrumentId};

    #[test]
    fn trips_when_the_position_was_left_unprotected_only() {
        let mut c = UnprotectedPosition;
        let t = Timestamp::from_ms(1);
        let event = |action| EngineEvent::ProtectionFailed {
            time: t,
            instrument: InstrumentId::new("binance", "BTCUSDT").unwrap(),
            client_id: ClientOrderId::new("a-sl"),
            reason: "venue error -2010: Stop price would trigger immediately.".into(),
            action,
        };
        for quiet in [ProtectionAction::Covered, ProtectionAction::Retry] {
            assert_eq!(c.observe(&RiskObservation::Event(&event(quiet)), t), None);
        }
        let why = c
            .observe(&RiskObservation::Event(&event(ProtectionAction::Exit)), t)
            .unwrap();
        assert!(why.contains("a-sl") && why.contains("-2010"), "{why}");
        assert!(
            c.observe(
                &RiskObservation::Event(&event(ProtectionAction::ExitRefused)),
                t
            )
            .is_some()
        );
    }
}
