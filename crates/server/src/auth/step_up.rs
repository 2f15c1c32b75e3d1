//! The TOTP step-up of sensitive routes (breaker resets, exchange keys,
//! live sessions): the signed-in user presents a current code in
//! `X-TOTP`; a code is good once. A user without TOTP enrolled is told to
//! enrol first.

use crate::auth::caller::Caller;
use crate::error::ApiError;
use crate::state::AppState;
use axum::http::HeaderMap;
use smc_auth::totp::TotpSecret;

/// Checks the step-up code of `caller`.
pub fn check(state: &AppState, caller: &Caller, headers: &HeaderMap) -> Result<(), ApiError> {
    let username = caller.username().ok_or_else(|| {
        ApiError::forbidden(
            "user_required",
            "a step-up needs a signed-in user, not an API key",
        )
    })?;
    let user = state
        .store
        .user(username)?
        .ok_or_else(|| ApiError::unauthorized("invalid_token", "the user no longer exists"))?;
    let Some(secret) = user.totp_secret else {
        return Err(ApiError::forbidden(
            "totp_enrollment_required",
            "enrol TOTP (POST /api/v1/auth/totp/enroll) before calling this route",
        ));
    };
    let code = headers
        .get("x-totp")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ApiError::unauthorized("totp_required", "send a current TOTP code in X-TOTP")
        })?;
    verify_code(state, username, &secret, code)
}

/// Verifies `code` against `secret` and spends its time step.
pub fn verify_code(
    state: &AppState,
    username: &str,
    secret: &str,
    code: &str,
) -> Result<(), ApiError> {
    let secret = TotpSecret::from_base32(secret)
        .map_err(|e| ApiError::internal("reading a TOTP secret", e))?;
    let invalid =
        || ApiError::unauthorized("totp_invalid", "the TOTP code is wrong or was already used");
    let step = secret
        .verify(code.trim(), state.clock.unix())
        .ok_or_else(invalid)?;
    if !state.store.user_totp_use_step(username, step)? {
        return Err(invalid());
    }
    Ok(())
}
