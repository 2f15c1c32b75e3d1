//! Health, readiness, metrics and the status summary.

use crate::error::{ApiError, ApiResult};
use crate::host::SessionState;
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// Alive: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "system", responses((status = 200, body = String)))]
pub async fn healthz() -> &'static str {
    "ok"
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    pub ready: bool,
    pub store: bool,
    /// Running sessions not connected to their venue.
    pub disconnected_sessions: Vec<String>,
}

/// Ready: the store answers and every running session is connected.
#[utoipa::path(get, path = "/readyz", tag = "system",
    responses((status = 200, body = Readiness), (status = 503, body = Readiness)))]
pub async fn readyz(State(state): State<AppState>) -> Response {
    let store = state.store.user_count().is_ok();
    let disconnected = state.host.with_sessions(|s| {
        s.values()
            .filter(|h| h.state == SessionState::Running)
            .filter(|h| !h.view.lock().map(|v| v.connected).unwrap_or(false))
            .map(|h| h.id.clone())
            .collect::<Vec<_>>()
    });
    let ready = store && disconnected.is_empty();
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = Readiness {
        ready,
        store,
        disconnected_sessions: disconnected,
    };
    (status, Json(body)).into_response()
}

/// Prometheus metrics (a bearer token when `api.metrics_token` is set).
#[utoipa::path(get, path = "/metrics", tag = "system",
    responses((status = 200, body = String), (status = 401)))]
pub async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(expected) = &state.metrics_token {
        let presented = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        if !smc_auth::token::constant_time_eq(presented.as_bytes(), expected.as_bytes()) {
            return ApiError::unauthorized("invalid_token", "/metrics needs the metrics token")
                .into_response();
        }
    }
    let mut sessions: std::collections::BTreeMap<(String, String), i64> = Default::default();
    state.host.with_sessions(|s| {
        for h in s.values() {
            let mode = format!("{:?}", h.request.mode).to_lowercase();
            let status = format!("{:?}", h.state).to_lowercase();
            *sessions.entry((mode, status)).or_default() += 1;
        }
    });
    state.metrics.set_sessions(
        sessions
            .iter()
            .map(|((m, s), n)| (m.as_str(), s.as_str(), *n)),
    );
    let jobs = state.jobs.counts();
    state.metrics.set_backtest_jobs(
        jobs.iter()
            .map(|(s, n)| (*s, i64::try_from(*n).unwrap_or(i64::MAX))),
    );
    (
        [(header::CONTENT_TYPE, smc_metrics::CONTENT_TYPE)],
        state.metrics.render(),
    )
        .into_response()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Status {
    pub version: &'static str,
    /// Epoch milliseconds.
    pub time: i64,
    pub uptime_seconds: i64,
    pub sessions: SessionCounts,
    pub backtests_running: usize,
}

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct SessionCounts {
    pub running: usize,
    pub ready: usize,
    pub stopped: usize,
    pub failed: usize,
}

/// The agent at a glance.
#[utoipa::path(get, path = "/api/v1/status", tag = "system",
    responses((status = 200, body = Status)), security(("bearer" = []), ("api_key" = [])))]
pub async fn status(State(state): State<AppState>) -> ApiResult<Json<Status>> {
    let sessions = state.host.with_sessions(|s| {
        let mut c = SessionCounts::default();
        for h in s.values() {
            match h.state {
                SessionState::Running | SessionState::Stopping => c.running += 1,
                SessionState::Ready => c.ready += 1,
                SessionState::Stopped => c.stopped += 1,
                SessionState::Failed => c.failed += 1,
            }
        }
        c
    });
    let now = state.clock.now().ms();
    Ok(Json(Status {
        version: env!("CARGO_PKG_VERSION"),
        time: now,
        uptime_seconds: (now - state.started_at_ms) / 1000,
        sessions,
        backtests_running: state.jobs.counts().get("running").copied().unwrap_or(0),
    }))
}
