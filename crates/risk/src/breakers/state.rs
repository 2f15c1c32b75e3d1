//! The breaker state machine, shared by the gate, the store and the CLI:
//! `Armed` → `Tripped` (a condition held; risk-increasing orders are refused)
//! → `CoolingDown` (released by its automatic cooldown or by an authorized
//! reset; orders are accepted again while its measure starts afresh) →
//! `Armed`. Every transition returns the new record and a
//! [`BreakerTransition`], which the store appends to its audit trail and the
//! engine emits as an event; an illegal one is an error naming both states.

use serde::{Deserialize, Serialize};
use smc_model::EngineEvent;
use smc_model::Timestamp;
use std::fmt;

/// Where a breaker is in its cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakerState {
    /// Watching its condition; trading allowed.
    Armed,
    /// Its condition held: orders that add risk are refused.
    Tripped,
    /// Released; trading allowed; armed again at `cooldown_until`.
    CoolingDown,
}

impl BreakerState {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            BreakerState::Armed => "armed",
            BreakerState::Tripped => "tripped",
            BreakerState::CoolingDown => "cooling_down",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "armed" => Some(BreakerState::Armed),
            "tripped" => Some(BreakerState::Tripped),
            "cooling_down" => Some(BreakerState::CoolingDown),
            _ => None,
        }
    }

    /// Whether the state refuses orders that add risk.
    pub fn halts(self) -> bool {
        self == BreakerState::Tripped
    }
}

impl fmt::Display for BreakerState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What moved a breaker from one state to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Its condition held.
    Trip,
    /// An authorized operator released it.
    Reset,
    /// Its automatic cooldown ended.
    CoolDown,
    /// Its cooling-down period ended.
    Arm,
}

impl Action {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Trip => "trip",
            Action::Reset => "reset",
            Action::CoolDown => "cool_down",
            Action::Arm => "arm",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "trip" => Some(Action::Trip),
            "reset" => Some(Action::Reset),
            "cool_down" => Some(Action::CoolDown),
            "arm" => Some(Action::Arm),
            _ => None,
        }
    }
}

/// One breaker's persisted state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreakerRecord {
    /// The breaker's name (`daily_loss`, `drawdown`, ...).
    pub name: String,
    pub state: BreakerState,
    /// Tripped: why. Cooling down: what released it.
    pub reason: Option<String>,
    /// When it last tripped (epoch ms).
    pub tripped_at: Option<Timestamp>,
    /// Tripped: when it releases by itself (none: only by a reset).
    /// Cooling down: when it is armed again.
    pub cooldown_until: Option<Timestamp>,
    /// When the record last changed (epoch ms).
    pub updated_at: Timestamp,
}

/// One transition, as appended to the audit trail and emitted as an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreakerTransition {
    pub breaker: String,
    pub time: Timestamp,
    pub action: Action,
    pub from: BreakerState,
    pub to: BreakerState,
    pub reason: String,
    /// Who reset it (resets only).
    pub operator: Option<String>,
    /// The record's `cooldown_until` after the transition.
    pub cooldown_until: Option<Timestamp>,
}

impl BreakerTransition {
    /// The engine event of this transition.
    pub fn event(&self) -> EngineEvent {
        let time = self.time;
        let breaker = self.breaker.clone();
        match self.action {
            Action::Trip => EngineEvent::BreakerTripped {
                time,
                breaker,
                reason: self.reason.clone(),
                cooldown_until: self.cooldown_until,
            },
            Action::Reset => EngineEvent::BreakerReset {
                time,
                breaker,
                operator: self.operator.clone().unwrap_or_default(),
                reason: self.reason.clone(),
            },
            Action::CoolDown => EngineEvent::BreakerCoolingDown {
                time,
                breaker,
                reason: self.reason.clone(),
            },
            Action::Arm => EngineEvent::BreakerArmed { time, breaker },
        }
    }
}

/// A transition the state machine does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("breaker {breaker}: cannot {} while {state}", action.as_str())]
pub struct TransitionError {
    pub breaker: String,
    pub state: BreakerState,
    pub action: Action,
}

impl BreakerRecord {
    /// A new, armed breaker.
    pub fn armed(name: &str, now: Timestamp) -> Self {
        BreakerRecord {
            name: name.to_string(),
            state: BreakerState::Armed,
            reason: None,
            tripped_at: None,
            cooldown_until: None,
            updated_at: now,
        }
    }

    /// Armed → Tripped; `release_at` is when it releases by itself.
    pub fn trip(
        &self,
        now: Timestamp,
        reason: String,
        release_at: Option<Timestamp>,
    ) -> Result<(BreakerRecord, BreakerTransition), TransitionError> {
        self.expect(BreakerState::Armed, Action::Trip)?;
        let next = BreakerRecord {
            state: BreakerState::Tripped,
            reason: Some(reason.clone()),
            tripped_at: Some(now),
            cooldown_until: release_at,
            updated_at: now,
            ..self.clone()
        };
        Ok(self.step(next, Action::Trip, reason, None))
    }

    /// Tripped → CoolingDown at the end of the automatic cooldown; armed
    /// again at `rearm_at`.
    pub fn cool_down(
        &self,
        now: Timestamp,
        rearm_at: Timestamp,
    ) -> Result<(BreakerRecord, BreakerTransition), TransitionError> {
        self.expect(BreakerState::Tripped, Action::CoolDown)?;
        let reason = "automatic cooldown ended".to_string();
        let next = self.cooling(now, rearm_at, reason.clone());
        Ok(self.step(next, Action::CoolDown, reason, None))
    }

    /// Tripped → CoolingDown by an operator (authorization is the caller's
    /// job: see [`super::auth`]); armed again at `rearm_at`.
    pub fn reset(
        &self,
        now: Timestamp,
        operator: &str,
        reason: &str,
        rearm_at: Timestamp,
    ) -> Result<(BreakerRecord, BreakerTransition), TransitionError> {
        self.expect(BreakerState::Tripped, Action::Reset)?;
        let why = format!("reset by {operator}: {reason}");
        let next = self.cooling(now, rearm_at, why);
        Ok(self.step(next, Action::Reset, reason.to_string(), Some(operator)))
    }

    /// CoolingDown → Armed.
    pub fn arm(
        &self,
        now: Timestamp,
    ) -> Result<(BreakerRecord, BreakerTransition), TransitionError> {
        self.expect(BreakerState::CoolingDown, Action::Arm)?;
        let next = BreakerRecord {
            state: BreakerState::Armed,
            reason: None,
            cooldown_until: None,
            updated_at: now,
            ..self.clone()
        };
        Ok(self.step(next, Action::Arm, "cooling down ended".to_string(), None))
    }

    fn cooling(&self, now: Timestamp, rearm_at: Timestamp, reason: String) -> BreakerRecord {
        BreakerRecord {
            state: BreakerState::CoolingDown,
            reason: Some(reason),
            cooldown_until: Some(rearm_at.max(now)),
            updated_at: now,
            ..self.clone()
        }
    }

    fn expect(&self, state: BreakerState, action: Action) -> Result<(), TransitionError> {
        if self.state == state {
            Ok(())
        } else {
            Err(TransitionError {
                breaker: self.name.clone(),
                state: self.state,
                action,
            })
        }
    }

    fn step(
        &self,
        next: BreakerRecord,
        action: Action,
        reason: String,
        operator: Option<&str>,
    ) -> (BreakerRecord, BreakerTransition) {
        let transition = BreakerTransition {
            breaker: self.name.clone(),
            time: next.updated_at,
            action,
            from: self.state,
            to: next.state,
            reason,
            operator: operator.map(str::to_string),
            cooldown_until: next.cooldown_until,
        };
        (next, transition)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_cycle_visits_every_state_and_names_each_step() {
        let armed = BreakerRecord::armed("daily_loss", Timestamp::from_ms(0));
        let (tripped, t) = armed
            .trip(Timestamp::from_ms(10), "lost 600".into(), None)
            .unwrap();
        assert_eq!(tripped.state, BreakerState::Tripped);
        assert_eq!(tripped.tripped_at, Some(Timestamp::from_ms(10)));
        assert_eq!(
            (t.from, t.to, t.action),
            (BreakerState::Armed, BreakerState::Tripped, Action::Trip)
        );
        let (cooling, t) = tripped
            .reset(
                Timestamp::from_ms(20),
                "alice",
                "checked the feed",
                Timestamp::from_ms(25),
            )
            .unwrap();
        assert_eq!(cooling.state, BreakerState::CoolingDown);
        assert_eq!(cooling.cooldown_until, Some(Timestamp::from_ms(25)));
        assert_eq!(t.operator.as_deref(), Some("alice"));
        assert!(
            matches!(t.event(), EngineEvent::BreakerReset { ref operator, .. } if operator == "alice")
        );
        let (armed, t) = cooling.arm(Timestamp::from_ms(25)).unwrap();
        assert_eq!(armed.state, BreakerState::Armed);
        assert_eq!(armed.reason, None);
        assert!(matches!(
            t.event(),
            EngineEvent::BreakerArmed { time, .. } if time.ms() == 25));
    }

    #[test]
    fn illegal_transitions_name_the_state_and_the_action() {
        let armed = BreakerRecord::armed("drawdown", Timestamp::from_ms(0));
        let e = armed
            .reset(Timestamp::from_ms(1), "bob", "why", Timestamp::from_ms(1))
            .unwrap_err();
        assert_eq!(e.state, BreakerState::Armed);
        assert_eq!(e.to_string(), "breaker drawdown: cannot reset while armed");
        assert!(armed.arm(Timestamp::from_ms(1)).is_err());
        assert!(
            armed
                .cool_down(Timestamp::from_ms(1), Timestamp::from_ms(1))
                .is_err()
        );
        let (tripped, _) = armed
            .trip(
                Timestamp::from_ms(1),
                "x".into(),
                Some(Timestamp::from_ms(5)),
            )
            .unwrap();
        assert!(
            tripped
                .trip(Timestamp::from_ms(2), "again".into(), None)
                .is_err()
        );
        assert!(tripped.arm(Timestamp::from_ms(2)).is_err());
    }

    #[test]
    fn spellings_round_trip() {
        for s in [
            BreakerState::Armed,
            BreakerState::Tripped,
            BreakerState::CoolingDown,
        ] {
            assert_eq!(BreakerState::parse(s.as_str()), Some(s));
        }
        for a in [Action::Trip, Action::Reset, Action::CoolDown, Action::Arm] {
            assert_eq!(Action::parse(a.as_str()), Some(a));
        }
        assert_eq!(BreakerState::parse("open"), None);
        assert!(BreakerState::Tripped.halts());
        assert!(!BreakerState::CoolingDown.halts());
    }
}
