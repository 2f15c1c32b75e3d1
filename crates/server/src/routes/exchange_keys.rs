//! `PUT /api/v1/exchanges/{venue}/keys`: exchange keys entered through the
//! API, sealed with AES-256-GCM under the master key (`SMC_MASTER_KEY` or
//! `api.master_key_file`) before they reach the store, never returned.
//! A key in the environment for the same venue wins over a stored one.

use crate::body::Body;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use smc_config::env::Credentials;
use utoipa::ToSchema;
use zeroize::Zeroizing;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExchangeKeys {
    pub api_key: String,
    pub api_secret: String,
}

impl std::fmt::Debug for ExchangeKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ExchangeKeys(***)")
    }
}

const NAMES: [&str; 2] = ["api_key", "api_secret"];

/// Stores a venue's key pair, encrypted; write-only.
#[utoipa::path(put, path = "/api/v1/exchanges/{venue}/keys", tag = "config", request_body = ExchangeKeys,
    params(("venue" = String, Path)),
    responses((status = 204), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn put(
    State(state): State<AppState>,
    Path(venue): Path<String>,
    Body(keys): Body<ExchangeKeys>,
) -> ApiResult<StatusCode> {
    if !smc_config::validate::VENUES.contains(&venue.as_str()) {
        return Err(ApiError::not_found(format!("no venue `{venue}`")));
    }
    let master = state.master_key.as_ref().ok_or_else(|| {
        ApiError::conflict("no master key: set SMC_MASTER_KEY or api.master_key_file to store keys")
    })?;
    let values = [
        Zeroizing::new(keys.api_key),
        Zeroizing::new(keys.api_secret),
    ];
    for (name, value) in NAMES.iter().zip(&values) {
        if value.trim().is_empty() || value.len() > 512 {
            return Err(ApiError::invalid(name, "must be 1 to 512 characters"));
        }
    }
    let now = state.clock.now();
    for (name, value) in NAMES.iter().zip(&values) {
        let sealed = master
            .seal(value.as_bytes(), format!("{venue}:{name}").as_bytes())
            .map_err(|e| ApiError::internal("sealing a key", e))?;
        state
            .store
            .exchange_key_put(&venue, name, &hex::encode(sealed), now)?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// The venue's credentials: the environment's, else the stored ones.
pub fn credentials(state: &AppState, venue: &str) -> ApiResult<Option<Credentials>> {
    if let Some(c) = smc_config::env::credentials(venue, |k| std::env::var(k).ok()) {
        return Ok(Some(c));
    }
    let Some(master) = &state.master_key else {
        return Ok(None);
    };
    let mut opened = Vec::new();
    for name in NAMES {
        let Some(sealed) = state.store.exchange_key(venue, name)? else {
            return Ok(None);
        };
        let bytes =
            hex::decode(&sealed).map_err(|e| ApiError::internal("reading a stored key", e))?;
        let plain = master
            .open(&bytes, format!("{venue}:{name}").as_bytes())
            .map_err(|e| ApiError::internal("opening a stored key (wrong master key?)", e))?;
        let text = String::from_utf8(plain.to_vec())
            .map_err(|e| ApiError::internal("reading a stored key", e))?;
        opened.push(Zeroizing::new(text));
    }
    let prefix = venue.to_ascii_uppercase();
    Ok(smc_config::env::credentials(venue, |k| {
        if k == format!("{prefix}_API_KEY") {
            opened.first().map(|s| s.to_string())
        } else {
            opened.get(1).map(|s| s.to_string())
        }
    }))
}
