//! What an operator does to the circuit breakers kept in a store while no
//! session holds them: release a tripped breaker, authorized by the
//! enrolled reset token, and enroll or rotate that token (its salted hash
//! is stored, never the token). The command line and any other front end
//! share these rules.

use smc_model::Timestamp;
use smc_risk::breakers::auth::{ResetError, authorize};
use smc_risk::breakers::{
    BreakerRecord, BreakerTransition, NEW_RESET_TOKEN_ENV, RESET_TOKEN_ENV, ResetRequest,
    ResetSecret, ResetVerifier, TransitionError,
};
use smc_store::{BREAKER_RESET, RiskStore, StoreError};
use zeroize::Zeroizing;

/// Why an operator's action on the breakers was refused.
#[derive(Debug, thiserror::Error)]
pub enum BreakerAdminError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Reset(#[from] ResetError),
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error("no reset token is enrolled in {0}: run `smc risk breakers set-token` first")]
    NotEnrolled(String),
    #[error("no breaker named `{name}` in {store} (known: {known})")]
    UnknownBreaker {
        name: String,
        store: String,
        known: String,
    },
    #[error("a different reset token is enrolled in {0}: use --rotate with the current one")]
    DifferentToken(String),
    #[error("{RESET_TOKEN_ENV} does not match the enrolled token: rotation refused")]
    RotationRefused,
    #[error("set {NEW_RESET_TOKEN_ENV} to the new breaker reset token")]
    NoNewToken,
}

/// Releases the tripped breaker `name` if `request` carries the enrolled
/// token: it cools down until `now + rearm_delay_ms`, and the transition
/// is recorded with the operator and the reason. `shown` names the store
/// in messages (without its password).
pub fn reset_breaker(
    store: &dyn RiskStore,
    shown: &str,
    name: &str,
    request: &ResetRequest,
    now: Timestamp,
    rearm_delay_ms: i64,
) -> Result<(BreakerRecord, BreakerTransition), BreakerAdminError> {
    let verifier = store
        .verifier(BREAKER_RESET)?
        .ok_or_else(|| BreakerAdminError::NotEnrolled(shown.to_string()))?;
    authorize(Some(&verifier as &dyn ResetVerifier), request)?;
    let Some(record) = store.breaker(name)? else {
        let names: Vec<String> = store.breakers()?.into_iter().map(|r| r.name).collect();
        return Err(BreakerAdminError::UnknownBreaker {
            name: name.to_string(),
            store: shown.to_string(),
            known: if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            },
        });
    };
    let (next, transition) = record.reset(
        now,
        request.operator.trim(),
        request.reason.trim(),
        now + rearm_delay_ms,
    )?;
    store.write_transition(&next, &transition)?;
    Ok((next, transition))
}

/// What [`enroll_reset_token`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enrollment {
    /// The token (or the rotation's new one) is now the enrolled one.
    Enrolled,
    /// This token was enrolled already; nothing changed.
    AlreadyEnrolled,
}

/// Enrolls `current` when no token is enrolled. With one enrolled, only
/// that same token is accepted: without `rotate_to` nothing changes, with
/// it the token it gives replaces the old one. `rotate_to` is asked only
/// once `current` is verified (a rotation names its new token last).
pub fn enroll_reset_token(
    store: &dyn RiskStore,
    shown: &str,
    current: &str,
    rotate_to: Option<&dyn Fn() -> Option<Zeroizing<String>>>,
    now: Timestamp,
) -> Result<Enrollment, BreakerAdminError> {
    let new = match (store.verifier(BREAKER_RESET)?, rotate_to) {
        (None, _) => Zeroizing::new(current.to_string()),
        (Some(v), None) if v.verify(current) => return Ok(Enrollment::AlreadyEnrolled),
        (Some(_), None) => return Err(BreakerAdminError::DifferentToken(shown.to_string())),
        (Some(v), Some(_)) if !v.verify(current) => return Err(BreakerAdminError::RotationRefused),
        (Some(_), Some(next)) => next().ok_or(BreakerAdminError::NoNewToken)?,
    };
    // Checks the length; the secret itself is not kept.
    ResetSecret::new(new.to_string())?;
    store.enroll_secret(BREAKER_RESET, &new, now.ms())?;
    Ok(Enrollment::Enrolled)
}
