//! `/api/v1/auth`: login (password, then TOTP when enrolled), refresh with
//! rotation and reuse detection, logout, TOTP enrolment and confirmation.

use crate::access::{AuditNote, CallerExt};
use crate::auth::step_up;
use crate::auth::tokens::{TokenPair, login_pair, refresh_pair, revoke_family};
use crate::body::Body;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::role::Role;
use crate::state::AppState;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use smc_auth::totp::TotpSecret;
use std::net::SocketAddr;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    /// A current TOTP code, or a recovery code, when TOTP is enrolled.
    pub totp: Option<String>,
}

/// Signs in; answers 401 `totp_required` when TOTP is enrolled and no code was sent.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = TokenPair), (status = 401, body = ErrorBody),
              (status = 429, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Body(req): Body<LoginRequest>,
) -> Response {
    let note = AuditNote {
        actor: Some(format!("user:{}", req.username)),
        detail: serde_json::Value::Null,
    };
    let mut response = match login_checked(&state, peer, req).await {
        Ok(pair) => Json(pair).into_response(),
        Err(e) => e.into_response(),
    };
    response.extensions_mut().insert(note);
    response
}

async fn login_checked(
    state: &AppState,
    peer: SocketAddr,
    req: LoginRequest,
) -> ApiResult<TokenPair> {
    let keys = [
        format!("user:{}", req.username),
        format!("ip:{}", peer.ip()),
    ];
    let now = state.clock.now();
    if let Some(wait) = state.throttle.blocked(&keys, now) {
        return Err(ApiError::too_many(
            "too many failed logins; try again later",
            wait,
        ));
    }
    let user = state.store.user(&req.username)?;
    let hash = user.as_ref().map(|u| u.password_hash.clone());
    let password = req.password.clone();
    // argon2id is slow on purpose: off the async workers. An unknown user
    // is checked against a dummy hash so that timing does not tell.
    let ok = tokio::task::spawn_blocking(move || match hash {
        Some(h) => smc_auth::password::verify(&password, &h),
        None => {
            let _ = smc_auth::password::verify(&password, dummy_hash());
            false
        }
    })
    .await
    .map_err(|e| ApiError::internal("checking a password", e))?;
    let (true, Some(user)) = (ok, user) else {
        state.throttle.failed(&keys, now);
        return Err(ApiError::unauthorized(
            "invalid_credentials",
            "wrong username or password",
        ));
    };
    if let Some(secret) = &user.totp_secret {
        let Some(code) = req.totp.as_deref().filter(|c| !c.trim().is_empty()) else {
            return Err(ApiError::unauthorized(
                "totp_required",
                "send the TOTP code in `totp`",
            ));
        };
        if let Err(e) = second_factor(state, &user.username, secret, code) {
            state.throttle.failed(&keys, now);
            return Err(e);
        }
    }
    state.throttle.succeeded(&keys[0]);
    let role = Role::parse(&user.role)
        .ok_or_else(|| ApiError::internal("reading a user", format!("bad role {}", user.role)))?;
    login_pair(state, &user.username, role)
}

/// A TOTP code, or else a one-time recovery code.
fn second_factor(state: &AppState, username: &str, secret: &str, code: &str) -> ApiResult<()> {
    let digits = code.trim().len() == 6 && code.trim().bytes().all(|b| b.is_ascii_digit());
    if digits {
        return step_up::verify_code(state, username, secret, code);
    }
    let digest = smc_auth::recovery::digest(code);
    if state
        .store
        .recovery_code_use(username, &digest, state.clock.now())?
    {
        tracing::warn!("{username} signed in with a recovery code");
        return Ok(());
    }
    Err(ApiError::unauthorized(
        "totp_invalid",
        "the TOTP or recovery code is wrong or was already used",
    ))
}

/// An argon2id hash of a random password, made once, checked against for
/// unknown usernames so that they cost as much as known ones.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        smc_auth::password::hash(&smc_auth::token::random_token("")).unwrap_or_default()
    })
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: String,
}

/// Spends a refresh token for a new pair; a reused one revokes its whole family.
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = TokenPair), (status = 401, body = ErrorBody)))]
pub async fn refresh(State(state): State<AppState>, Body(req): Body<RefreshRequest>) -> Response {
    match refresh_pair(&state, &req.refresh_token) {
        Ok((pair, username)) => {
            let mut response = Json(pair).into_response();
            response.extensions_mut().insert(AuditNote {
                actor: Some(format!("user:{username}")),
                detail: serde_json::Value::Null,
            });
            response
        }
        Err(e) => e.into_response(),
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LogoutRequest {
    /// The refresh token to revoke with its family (recommended).
    pub refresh_token: Option<String>,
}

/// Revokes the access token used and, if sent, the refresh token's family.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", request_body = Option<LogoutRequest>,
    responses((status = 204), (status = 401, body = ErrorBody)), security(("bearer" = [])))]
pub async fn logout(
    State(state): State<AppState>,
    Extension(caller): CallerExt,
    body: axum::body::Bytes,
) -> ApiResult<StatusCode> {
    // The body is optional: none, or `{"refresh_token": …}`.
    let request: LogoutRequest = if body.iter().all(u8::is_ascii_whitespace) {
        LogoutRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| match e.classify() {
            serde_json::error::Category::Data => ApiError::invalid("refresh_token", e.to_string()),
            _ => ApiError::bad_request(format!("the body is not valid JSON: {e}")),
        })?
    };
    if let Some((jti, exp)) = &caller.token {
        state.revocations.revoke_token(jti, *exp);
    }
    if let (Some(t), Some(user)) = (request.refresh_token, caller.username()) {
        revoke_family(&state, &t, user)?;
    }
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EnrollResponse {
    /// Base32 secret for the authenticator app.
    pub secret: String,
    pub otpauth_url: String,
    /// One-time codes for when the authenticator is lost; shown once.
    pub recovery_codes: Vec<String>,
}

/// Starts a TOTP enrolment (a user already enrolled must send a current code in `X-TOTP`).
#[utoipa::path(post, path = "/api/v1/auth/totp/enroll", tag = "auth",
    responses((status = 200, body = EnrollResponse), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn totp_enroll(
    State(state): State<AppState>,
    Extension(caller): CallerExt,
    headers: axum::http::HeaderMap,
) -> ApiResult<Json<EnrollResponse>> {
    let username = caller.username().unwrap_or_default().to_string();
    let user = state
        .store
        .user(&username)?
        .ok_or_else(|| ApiError::unauthorized("invalid_token", "the user no longer exists"))?;
    if user.totp_secret.is_some() {
        step_up::check(&state, &caller, &headers)?;
    }
    let secret = TotpSecret::generate();
    let codes = smc_auth::recovery::generate(10);
    let digests: Vec<String> = codes
        .iter()
        .map(|c| smc_auth::recovery::digest(c))
        .collect();
    state
        .store
        .user_totp_begin(&username, &secret.to_base32(), &digests)?;
    Ok(Json(EnrollResponse {
        secret: secret.to_base32(),
        otpauth_url: secret.otpauth_url("SMC Trading Agent", &username),
        recovery_codes: codes,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmRequest {
    pub code: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConfirmResponse {
    pub enrolled: bool,
}

/// Confirms the pending enrolment with a first code; TOTP is required from then on.
#[utoipa::path(post, path = "/api/v1/auth/totp/confirm", tag = "auth", request_body = ConfirmRequest,
    responses((status = 200, body = ConfirmResponse), (status = 401, body = ErrorBody),
              (status = 409, body = ErrorBody)), security(("bearer" = [])))]
pub async fn totp_confirm(
    State(state): State<AppState>,
    Extension(caller): CallerExt,
    Body(req): Body<ConfirmRequest>,
) -> ApiResult<Json<ConfirmResponse>> {
    let username = caller.username().unwrap_or_default();
    let user = state
        .store
        .user(username)?
        .ok_or_else(|| ApiError::unauthorized("invalid_token", "the user no longer exists"))?;
    let pending = user.totp_pending.ok_or_else(|| {
        ApiError::conflict("no TOTP enrolment is pending; call /auth/totp/enroll first")
    })?;
    let secret = TotpSecret::from_base32(&pending)
        .map_err(|e| ApiError::internal("reading a TOTP secret", e))?;
    let step = secret
        .verify(req.code.trim(), state.clock.unix())
        .ok_or_else(|| ApiError::invalid("code", "the code does not match the new secret"))?;
    if !state.store.user_totp_confirm(username, step)? {
        return Err(ApiError::conflict(
            "the enrolment was confirmed or replaced meanwhile",
        ));
    }
    Ok(Json(ConfirmResponse { enrolled: true }))
}
