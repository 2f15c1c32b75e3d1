//! Who is calling: a signed-in user (a bearer access token, or `?token=`
//! for WebSocket clients that cannot set headers) or an API key
//! (`X-API-Key`, looked up by its SHA-256 digest).

use crate::error::ApiError;
use crate::role::Role;
use crate::state::AppState;
use axum::http::HeaderMap;
use smc_auth::JwtError;

/// A user or an API key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    User { username: String },
    Key { id: String, owner: String },
}

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub principal: Principal,
    pub role: Role,
    /// The access token's id and expiry (users only), for logout.
    pub token: Option<(String, i64)>,
}

impl Caller {
    /// How the audit log and the rate limiter name the caller.
    pub fn actor(&self) -> String {
        match &self.principal {
            Principal::User { username } => format!("user:{username}"),
            Principal::Key { id, .. } => format!("key:{id}"),
        }
    }

    pub fn username(&self) -> Option<&str> {
        match &self.principal {
            Principal::User { username } => Some(username),
            Principal::Key { .. } => None,
        }
    }
}

/// Reads the caller's credentials: `Authorization: Bearer`, `X-API-Key`,
/// or the `token` query parameter.
pub fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    query_token: Option<&str>,
) -> Result<Caller, ApiError> {
    if let Some(key) = header(headers, "x-api-key")? {
        return api_key(state, key);
    }
    let bearer = match header(headers, "authorization")? {
        Some(value) => Some(
            value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
                .ok_or_else(|| {
                    ApiError::unauthorized("invalid_token", "Authorization must be `Bearer TOKEN`")
                })?,
        ),
        None => query_token,
    };
    let token = bearer.ok_or_else(|| {
        ApiError::unauthorized(
            "missing_credentials",
            "send an access token (Authorization: Bearer) or an API key (X-API-Key)",
        )
    })?;
    access_token(state, token.trim())
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Result<Option<&'a str>, ApiError> {
    headers
        .get(name)
        .map(|v| {
            v.to_str()
                .map_err(|_| ApiError::unauthorized("invalid_token", format!("{name} is not text")))
        })
        .transpose()
}

fn access_token(state: &AppState, token: &str) -> Result<Caller, ApiError> {
    let now = state.clock.unix();
    let claims = state.jwt.verify(token, now).map_err(|e| match e {
        JwtError::Expired => {
            ApiError::unauthorized("token_expired", "the access token has expired")
        }
        _ => ApiError::unauthorized("invalid_token", "the access token is not valid"),
    })?;
    if state
        .revocations
        .is_revoked(&claims.jti, &claims.sub, claims.iat)
    {
        return Err(ApiError::unauthorized(
            "token_revoked",
            "the access token was revoked",
        ));
    }
    let role = Role::parse(&claims.role)
        .ok_or_else(|| ApiError::unauthorized("invalid_token", "the token names no known role"))?;
    Ok(Caller {
        principal: Principal::User {
            username: claims.sub,
        },
        role,
        token: Some((claims.jti, claims.exp)),
    })
}

fn api_key(state: &AppState, key: &str) -> Result<Caller, ApiError> {
    let invalid = || ApiError::unauthorized("invalid_api_key", "the API key is not valid");
    let record = state
        .store
        .api_key_by_digest(&smc_auth::token::digest(key.trim()))?
        .ok_or_else(invalid)?;
    if record.revoked_at.is_some() {
        return Err(ApiError::unauthorized(
            "invalid_api_key",
            "the API key was revoked",
        ));
    }
    if record.expires_at.is_some_and(|t| t <= state.clock.now()) {
        return Err(ApiError::unauthorized(
            "token_expired",
            "the API key has expired",
        ));
    }
    let role = Role::parse(&record.role).ok_or_else(invalid)?;
    Ok(Caller {
        principal: Principal::Key {
            id: record.id,
            owner: record.owner,
        },
        role,
        token: None,
    })
}
