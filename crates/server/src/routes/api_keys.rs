//! `/api/v1/api-keys`: keys for programs, scoped by role, expiring,
//! revocable and rotatable; the key is shown once and stored as a digest.

use crate::access::CallerExt;
use crate::body::Body;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::role::Role;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};
use smc_model::Timestamp;
use smc_store::ApiKeyRecord;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewKey {
    pub role: Role,
    /// Days until the key expires (1 to 3650); none: it does not expire.
    #[schema(minimum = 1, maximum = 3650)]
    #[serde(default, deserialize_with = "crate::body::whole_number")]
    pub expires_in_days: Option<u32>,
}

/// A new (or rotated) key: the only time `key` is shown.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedKey {
    pub id: String,
    pub key: String,
    pub role: String,
    /// Epoch milliseconds, or null.
    pub expires_at: Option<i64>,
}

/// A stored key, without its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct KeyInfo {
    pub id: String,
    pub role: String,
    pub owner: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub revoked: bool,
}

impl From<ApiKeyRecord> for KeyInfo {
    fn from(k: ApiKeyRecord) -> Self {
        KeyInfo {
            id: k.id,
            role: k.role,
            owner: k.owner,
            created_at: k.created_at.ms(),
            expires_at: k.expires_at.map(Timestamp::ms),
            revoked: k.revoked_at.is_some(),
        }
    }
}

/// Creates a key; clients send it as `X-API-Key`.
#[utoipa::path(post, path = "/api/v1/api-keys", tag = "api-keys", request_body = NewKey,
    responses((status = 201, body = CreatedKey), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): CallerExt,
    Body(req): Body<NewKey>,
) -> ApiResult<(StatusCode, Json<CreatedKey>)> {
    let now = state.clock.now();
    let expires_at = match req.expires_in_days {
        None => None,
        Some(d @ 1..=3650) => Some(Timestamp::from_ms(now.ms() + i64::from(d) * 86_400_000)),
        Some(_) => return Err(ApiError::invalid("expires_in_days", "must be 1 to 3650")),
    };
    let key = smc_auth::token::random_token("smc_");
    let record = ApiKeyRecord {
        id: smc_auth::token::random_id(),
        digest: smc_auth::token::digest(&key),
        role: req.role.as_str().to_string(),
        owner: caller.actor(),
        created_at: now,
        expires_at,
        revoked_at: None,
    };
    state.store.api_key_insert(&record)?;
    let created = CreatedKey {
        id: record.id,
        key,
        role: record.role,
        expires_at: expires_at.map(Timestamp::ms),
    };
    Ok((StatusCode::CREATED, Json(created)))
}

/// Every key, newest first (never the secrets).
#[utoipa::path(get, path = "/api/v1/api-keys", tag = "api-keys",
    responses((status = 200, body = Vec<KeyInfo>)), security(("bearer" = []), ("api_key" = [])))]
pub async fn list(State(state): State<AppState>) -> ApiResult<Json<Vec<KeyInfo>>> {
    Ok(Json(
        state
            .store
            .api_keys()?
            .into_iter()
            .map(KeyInfo::from)
            .collect(),
    ))
}

/// Revokes a key at once.
#[utoipa::path(delete, path = "/api/v1/api-keys/{id}", tag = "api-keys", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)), security(("bearer" = []), ("api_key" = [])))]
pub async fn revoke(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    if state.store.api_key_revoke(&id, state.clock.now())? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(format!("no live API key `{id}`")))
    }
}

/// Gives a key a new secret; the old one stops working at once.
#[utoipa::path(post, path = "/api/v1/api-keys/{id}/rotate", tag = "api-keys", params(("id" = String, Path)),
    responses((status = 200, body = CreatedKey), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn rotate(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<CreatedKey>> {
    let record = state
        .store
        .api_key(&id)?
        .filter(|k| k.revoked_at.is_none())
        .ok_or_else(|| ApiError::not_found(format!("no live API key `{id}`")))?;
    let key = smc_auth::token::random_token("smc_");
    if !state
        .store
        .api_key_rotate(&id, &smc_auth::token::digest(&key))?
    {
        return Err(ApiError::not_found(format!("no live API key `{id}`")));
    }
    Ok(Json(CreatedKey {
        id,
        key,
        role: record.role,
        expires_at: record.expires_at.map(Timestamp::ms),
    }))
}
