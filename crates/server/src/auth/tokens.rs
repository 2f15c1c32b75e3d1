//! Access and refresh tokens: a short-lived signed access token (JWT) and
//! a rotating refresh token stored as a digest. Each refresh spends the
//! token and issues a new one in the same family; presenting a spent
//! token again means it was stolen or replayed, so the whole family is
//! revoked and everyone holding one must sign in again.

use crate::error::ApiError;
use crate::role::Role;
use crate::state::AppState;
use serde::Serialize;
use smc_auth::jwt::Claims;
use smc_model::Timestamp;
use smc_store::RefreshRecord;

/// What a login or refresh answers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds the access token lives.
    pub expires_in: i64,
}

/// Signs an access token for `username`.
pub fn access_token(state: &AppState, username: &str, role: Role) -> Result<String, ApiError> {
    let now = state.clock.unix();
    let claims = Claims {
        sub: username.to_string(),
        role: role.as_str().to_string(),
        iat: now,
        exp: now + state.access_ttl(),
        jti: smc_auth::token::random_id(),
    };
    state
        .jwt
        .issue(&claims)
        .map_err(|e| ApiError::internal("signing a token", e))
}

fn refresh_record(state: &AppState, username: &str, family: &str) -> (String, RefreshRecord) {
    let token = smc_auth::token::random_token("smcr_");
    let now = state.clock.now();
    let record = RefreshRecord {
        digest: smc_auth::token::digest(&token),
        username: username.to_string(),
        family: family.to_string(),
        issued_at: now,
        expires_at: Timestamp::from_ms(now.ms() + state.refresh_ttl() * 1000),
        used_at: None,
        revoked_at: None,
    };
    (token, record)
}

/// A new pair starting a new family (a login).
pub fn login_pair(state: &AppState, username: &str, role: Role) -> Result<TokenPair, ApiError> {
    let (refresh_token, record) = refresh_record(state, username, &smc_auth::token::random_id());
    state.store.refresh_insert(&record)?;
    Ok(TokenPair {
        access_token: access_token(state, username, role)?,
        refresh_token,
        token_type: "Bearer",
        expires_in: state.access_ttl(),
    })
}

/// Spends `presented` for a new pair of the same family.
pub fn refresh_pair(state: &AppState, presented: &str) -> Result<(TokenPair, String), ApiError> {
    let invalid = || ApiError::unauthorized("invalid_token", "the refresh token is not valid");
    let now = state.clock.now();
    let old = state
        .store
        .refresh_token(&smc_auth::token::digest(presented.trim()))?
        .ok_or_else(invalid)?;
    if old.used_at.is_some() || old.revoked_at.is_some() {
        state.store.refresh_revoke_family(&old.family, now)?;
        tracing::warn!(
            "a spent refresh token of {} was presented again: its family is revoked",
            old.username
        );
        return Err(ApiError::unauthorized(
            "refresh_token_reused",
            "this refresh token was already used; every token of its login is revoked",
        ));
    }
    if old.expires_at <= now {
        return Err(ApiError::unauthorized(
            "token_expired",
            "the refresh token has expired",
        ));
    }
    let user = state.store.user(&old.username)?.ok_or_else(invalid)?;
    let role = Role::parse(&user.role).ok_or_else(invalid)?;
    let (refresh_token, record) = refresh_record(state, &old.username, &old.family);
    if !state.store.refresh_rotate(&old.digest, &record, now)? {
        // Spent by a concurrent request between the read and the write.
        state.store.refresh_revoke_family(&old.family, now)?;
        return Err(ApiError::unauthorized(
            "refresh_token_reused",
            "this refresh token was already used; every token of its login is revoked",
        ));
    }
    let pair = TokenPair {
        access_token: access_token(state, &old.username, role)?,
        refresh_token,
        token_type: "Bearer",
        expires_in: state.access_ttl(),
    };
    Ok((pair, old.username))
}

/// Revokes the family of `presented` (a logout), if it is one of `username`'s.
pub fn revoke_family(state: &AppState, presented: &str, username: &str) -> Result<(), ApiError> {
    let digest = smc_auth::token::digest(presented.trim());
    if let Some(record) = state.store.refresh_token(&digest)?
        && record.username == username
    {
        state
            .store
            .refresh_revoke_family(&record.family, state.clock.now())?;
    }
    Ok(())
}
