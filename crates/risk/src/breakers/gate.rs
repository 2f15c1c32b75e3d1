//! The breaker gate: wraps any risk gate (the limits gate, say) with the
//! circuit breakers. While a breaker is tripped it refuses every intent that
//! could add risk, naming the breaker; intents that only reduce a position
//! go on to the inner gate. It watches what the engine shows it, moves each
//! breaker through its state machine, writes every transition to the store
//! before acting on it, and emits the transition as an engine event.
//!
//! Store failures fail safe: a trip takes effect even when it could not be
//! written (and the error is kept for [`BreakerGate::store_error`]); a
//! release takes effect only once it is written.

use super::auth::{ResetError, ResetRequest, ResetVerifier, authorize};
use super::condition::{Condition, observation_time};
use super::config::{BreakerConfig, BreakerConfigError, Release};
use super::state::{BreakerRecord, BreakerState, BreakerTransition};
use super::store::{BreakerStore, StoreError};
use crate::reducing::reduces_risk;
use smc_model::Timestamp;
use smc_model::{
    EventSink, OrderIntent, PortfolioSnapshot, RiskGate, RiskObservation, RiskOutcome, RiskState,
};

/// Why a gate could not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BreakerError {
    #[error(transparent)]
    Config(#[from] BreakerConfigError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

struct Breaker {
    condition: Box<dyn Condition>,
    release: Release,
    record: BreakerRecord,
}

/// A risk gate with circuit breakers in front of `G`.
pub struct BreakerGate<G> {
    inner: G,
    name: String,
    breakers: Vec<Breaker>,
    store: Box<dyn BreakerStore>,
    verifier: Option<Box<dyn ResetVerifier>>,
    rearm_delay_ms: i64,
    now: Timestamp,
    state: RiskState,
    store_error: Option<String>,
}

impl<G: RiskGate> BreakerGate<G> {
    /// The breakers of `config` in front of `inner`, in the states `store`
    /// kept (a breaker it has not seen starts armed and is stored so).
    pub fn new(
        inner: G,
        config: &BreakerConfig,
        mut store: Box<dyn BreakerStore>,
        now: Timestamp,
    ) -> Result<Self, BreakerError> {
        config.validate()?;
        let stored = store.load_breakers()?;
        let mut breakers = Vec::new();
        for (condition, release) in config.build() {
            let name = condition.name();
            let record = match stored.iter().find(|r| r.name == name) {
                Some(r) => r.clone(),
                None => {
                    let r = BreakerRecord::armed(name, now);
                    store.create_breaker(&r)?;
                    r
                }
            };
            breakers.push(Breaker {
                condition,
                release,
                record,
            });
        }
        let name = format!("breakers+{}", inner.name());
        let mut gate = BreakerGate {
            inner,
            name,
            breakers,
            store,
            verifier: None,
            rearm_delay_ms: config.rearm_delay_ms,
            now,
            state: RiskState::default(),
            store_error: None,
        };
        gate.sync_state();
        Ok(gate)
    }

    /// The secret that authorizes resets (none: resets are refused).
    pub fn with_reset_verifier(mut self, verifier: Box<dyn ResetVerifier>) -> Self {
        self.verifier = Some(verifier);
        self
    }

    /// The breakers' current records, in config order.
    pub fn records(&self) -> impl Iterator<Item = &BreakerRecord> {
        self.breakers.iter().map(|b| &b.record)
    }

    /// The record of breaker `name`.
    pub fn record(&self, name: &str) -> Option<&BreakerRecord> {
        self.records().find(|r| r.name == name)
    }

    /// The last store failure, if a write has failed.
    pub fn store_error(&self) -> Option<&str> {
        self.store_error.as_deref()
    }

    pub fn inner(&self) -> &G {
        &self.inner
    }

    /// Releases the tripped breaker `name` on an authorized request; it
    /// cools down, then is armed again. The reset is written before it
    /// takes effect, and emitted to `sink`.
    pub fn reset(
        &mut self,
        name: &str,
        request: &ResetRequest,
        now: Timestamp,
        sink: &mut dyn EventSink,
    ) -> Result<(), ResetError> {
        authorize(self.verifier.as_deref(), request)?;
        self.release(name, request, now, sink)
    }

    /// [`BreakerGate::reset`] for a request whose authority was checked
    /// elsewhere (the API's step-up); the operator and reason are still
    /// required and recorded.
    pub fn release(
        &mut self,
        name: &str,
        request: &ResetRequest,
        now: Timestamp,
        sink: &mut dyn EventSink,
    ) -> Result<(), ResetError> {
        if request.operator.trim().is_empty() {
            return Err(ResetError::NoOperator);
        }
        if request.reason.trim().is_empty() {
            return Err(ResetError::NoReason);
        }
        self.now = self.now.max(now);
        let i = self
            .breakers
            .iter()
            .position(|b| b.record.name == name)
            .ok_or_else(|| ResetError::UnknownBreaker(name.to_string()))?;
        let rearm_at = self.now + self.rearm_delay_ms;
        let (next, transition) = self.breakers[i].record.reset(
            self.now,
            request.operator.trim(),
            request.reason.trim(),
            rearm_at,
        )?;
        self.store
            .record_transition(&next, &transition)
            .map_err(|e| ResetError::Store(e.to_string()))?;
        let b = &mut self.breakers[i];
        b.record = next;
        b.condition.rebase();
        sink.emit(&transition.event());
        self.sync_state();
        Ok(())
    }

    /// Writes a transition, then acts on it. A trip acts even when the
    /// write failed; a release does not.
    fn apply(
        &mut self,
        i: usize,
        next: BreakerRecord,
        transition: BreakerTransition,
        sink: &mut dyn EventSink,
    ) -> bool {
        if let Err(e) = self.store.record_transition(&next, &transition) {
            self.store_error = Some(e.to_string());
            if next.state != BreakerState::Tripped {
                return false;
            }
        }
        self.breakers[i].record = next;
        sink.emit(&transition.event());
        true
    }

    /// Moves breaker `i` as far as `now` and its measure allow.
    fn step(&mut self, i: usize, breach: Option<String>, sink: &mut dyn EventSink) {
        let now = self.now;
        let record = &self.breakers[i].record;
        if record.state == BreakerState::Tripped && record.cooldown_until.is_some_and(|t| now >= t)
        {
            let rearm_at = now + self.rearm_delay_ms;
            if let Ok((next, t)) = record.cool_down(now, rearm_at) {
                if !self.apply(i, next, t, sink) {
                    return;
                }
                self.breakers[i].condition.rebase();
            }
        }
        let record = &self.breakers[i].record;
        if record.state == BreakerState::CoolingDown {
            if record.cooldown_until.is_none_or(|t| now >= t)
                && let Ok((next, t)) = record.arm(now)
            {
                self.apply(i, next, t, sink);
            }
            return; // a breaker armed just now measures afresh from the next observation
        }
        if record.state == BreakerState::Armed
            && let Some(reason) = breach
        {
            let release_at = self.breakers[i].release.at(now);
            if let Ok((next, t)) = record.trip(now, reason, release_at) {
                self.apply(i, next, t, sink);
            }
        }
    }

    /// Brings the state strategies read up to date.
    fn sync_state(&mut self) {
        let tripped = self
            .breakers
            .iter()
            .filter(|b| b.record.state.halts())
            .map(|b| b.record.name.as_str());
        if !tripped
            .clone()
            .eq(self.state.tripped_breakers.iter().map(String::as_str))
        {
            self.state.tripped_breakers = tripped.map(str::to_string).collect();
        }
        self.state.trading_allowed =
            self.state.tripped_breakers.is_empty() && self.inner.state().trading_allowed;
    }
}

impl<G: RiskGate> RiskGate for BreakerGate<G> {
    fn name(&self) -> &str {
        &self.name
    }

    fn check(&mut self, intent: OrderIntent, portfolio: &PortfolioSnapshot) -> RiskOutcome {
        let tripped = self.breakers.iter().find(|b| b.record.state.halts());
        if let Some(b) = tripped
            && !reduces_risk(&intent, portfolio)
        {
            let reason = format!(
                "circuit breaker {} tripped: {}",
                b.record.name,
                b.record.reason.as_deref().unwrap_or("no reason recorded")
            );
            self.sync_state();
            return RiskOutcome::Refused { intent, reason };
        }
        let outcome = self.inner.check(intent, portfolio);
        self.sync_state();
        outcome
    }

    fn state(&self) -> &RiskState {
        &self.state
    }

    fn reset_breaker(
        &mut self,
        name: &str,
        operator: &str,
        reason: &str,
        now: Timestamp,
        sink: &mut dyn EventSink,
    ) -> Result<(), String> {
        let request = ResetRequest {
            operator: operator.to_string(),
            reason: reason.to_string(),
            token: zeroize::Zeroizing::new(String::new()),
        };
        match self.release(name, &request, now, sink) {
            Err(ResetError::UnknownBreaker(_)) => {
                self.inner.reset_breaker(name, operator, reason, now, sink)
            }
            other => other.map_err(|e| e.to_string()),
        }
    }

    fn observe(&mut self, observation: RiskObservation<'_>, sink: &mut dyn EventSink) {
        self.inner.observe(observation, sink);
        self.now = self.now.max(observation_time(&observation));
        for i in 0..self.breakers.len() {
            let breach = self.breakers[i].condition.observe(&observation, self.now);
            self.step(i, breach, sink);
        }
        self.sync_state();
    }
}
