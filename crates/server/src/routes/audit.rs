//! `/api/v1/audit`: the hash-chained audit log (admins and auditors), and
//! the chain's verification.

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Page {
    /// Entries older than this id (newest first); from the newest when absent.
    pub before: Option<i64>,
    /// At most this many (1 to 1000, default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<usize>,
}

/// Audit entries, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(Page),
    responses((status = 200, body = Vec<Object>)), security(("bearer" = []), ("api_key" = [])))]
pub async fn list(
    State(state): State<AppState>,
    page: Result<Query<Page>, QueryRejection>,
) -> ApiResult<Json<Vec<smc_store::AuditEntry>>> {
    // A query that does not parse is answered in the API's JSON error shape.
    let Query(page) = page.map_err(|e| ApiError::bad_request(e.body_text()))?;
    let limit = page.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::invalid("limit", "must be 1 to 1000"));
    }
    Ok(Json(state.store.audit_latest(page.before, limit)?))
}

/// Walks the whole chain: the first broken entry, and breakers whose
/// stored state differs from the chain.
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit",
    responses((status = 200, body = Object)), security(("bearer" = []), ("api_key" = [])))]
pub async fn verify(State(state): State<AppState>) -> ApiResult<Json<serde_json::Value>> {
    let store = state.store.clone();
    let report = tokio::task::spawn_blocking(move || store.audit_verify())
        .await
        .map_err(|e| ApiError::internal("verifying the audit log", e))??;
    let mut value = serde_json::to_value(&report)
        .map_err(|e| ApiError::internal("verifying the audit log", e))?;
    if let Some(map) = value.as_object_mut() {
        map.insert("ok".into(), report.ok().into());
    }
    Ok(Json(value))
}
