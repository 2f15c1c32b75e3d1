//! `/api/v1/users`: the admin manages users and their roles.

use crate::body::Body;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::role::Role;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use smc_store::UserRecord;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// Letters, digits, `.`, `_`, `-`; 1 to 64 characters.
    #[schema(pattern = "^[A-Za-z0-9._-]{1,64}$")]
    pub username: String,
    /// At least 12 characters, not all the same one; at most 1024 bytes.
    #[schema(min_length = 12)]
    pub password: String,
    pub role: Role,
}

/// A user as the API shows it (never a hash or a secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct User {
    pub username: String,
    pub role: String,
    pub totp_enrolled: bool,
    /// Epoch milliseconds.
    pub created_at: i64,
}

impl From<UserRecord> for User {
    fn from(u: UserRecord) -> Self {
        User {
            username: u.username,
            role: u.role,
            totp_enrolled: u.totp_secret.is_some(),
            created_at: u.created_at.ms(),
        }
    }
}

/// Letters, digits, `.`, `_`, `-`; 1 to 64 characters.
pub fn check_username(name: &str) -> ApiResult<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(ApiError::invalid(
            "username",
            "1 to 64 letters, digits, `.`, `_` or `-`",
        ))
    }
}

/// Adds a user with the given role.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUser,
    responses((status = 201, body = User), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn create(
    State(state): State<AppState>,
    Body(req): Body<NewUser>,
) -> ApiResult<(StatusCode, Json<User>)> {
    check_username(&req.username)?;
    smc_auth::password::check_policy(&req.password)
        .map_err(|e| ApiError::invalid("password", e.to_string()))?;
    let password = req.password;
    let hash = tokio::task::spawn_blocking(move || smc_auth::password::hash(&password))
        .await
        .map_err(|e| ApiError::internal("hashing a password", e))?
        .map_err(|e| ApiError::internal("hashing a password", e))?;
    let record = UserRecord {
        username: req.username.clone(),
        password_hash: hash,
        role: req.role.as_str().to_string(),
        totp_secret: None,
        totp_pending: None,
        created_at: state.clock.now(),
    };
    if !state.store.user_create(&record)? {
        return Err(ApiError::conflict(format!(
            "the username `{}` is taken",
            req.username
        )));
    }
    Ok((StatusCode::CREATED, Json(record.into())))
}

/// Every user.
#[utoipa::path(get, path = "/api/v1/users", tag = "users",
    responses((status = 200, body = Vec<User>)), security(("bearer" = []), ("api_key" = [])))]
pub async fn list(State(state): State<AppState>) -> ApiResult<Json<Vec<User>>> {
    Ok(Json(
        state.store.users()?.into_iter().map(User::from).collect(),
    ))
}

/// Deletes a user; their tokens stop working at once.
#[utoipa::path(delete, path = "/api/v1/users/{username}", tag = "users",
    params(("username" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn delete(
    State(state): State<AppState>,
    Path(username): Path<String>,
) -> ApiResult<StatusCode> {
    let users = state.store.users()?;
    let target = users
        .iter()
        .find(|u| u.username == username)
        .ok_or_else(|| ApiError::not_found(format!("no user `{username}`")))?;
    let admins = users.iter().filter(|u| u.role == "admin").count();
    if target.role == "admin" && admins == 1 {
        return Err(ApiError::conflict("the last admin cannot be deleted"));
    }
    state.store.user_delete(&username)?;
    state.revocations.revoke_user(&username, state.clock.unix());
    Ok(StatusCode::NO_CONTENT)
}
