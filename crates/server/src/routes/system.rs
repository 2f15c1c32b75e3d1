//! Health, readiness, metrics, the status summary and the process's
//! health (`GET /system`, also published on the hub's `system` topic).

use crate::error::{ApiError, ApiResult};
use crate::host::SessionState;
use crate::host::health::{LatencyQuantiles, StreamState};
use crate::host::request::ModeArg;
use crate::state::AppState;
use crate::vitals::{self, ApiLatency};
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

/// What the server was built from.
#[derive(Debug, Serialize, ToSchema)]
pub struct GitInfo {
    /// Abbreviated commit hash.
    pub commit: &'static str,
}

/// A hosted session's health.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionHealth {
    pub id: String,
    pub state: SessionState,
    pub mode: ModeArg,
    pub connected: bool,
    /// The market data stream's last reported state; null before one.
    pub market_stream: Option<StreamState>,
    /// The user data stream's (live sessions); null before one.
    pub user_stream: Option<StreamState>,
    /// Reconnections of either stream.
    pub reconnects: u64,
    /// Open time (epoch ms) of the last candle processed.
    pub last_candle_time: Option<i64>,
    /// Candle in to first order out over the last 1,024 candles that sent
    /// one; null before any did.
    pub candle_to_order_us: Option<LatencyQuantiles>,
}

impl SessionHealth {
    /// `hosted`'s health as its `view` (the session's, locked) holds it.
    pub fn of(hosted: &crate::host::Hosted, view: &crate::host::view::View) -> Self {
        SessionHealth {
            id: hosted.id.clone(),
            state: hosted.state,
            mode: hosted.request.mode,
            connected: view.connected,
            market_stream: view.health.market_stream,
            user_stream: view.health.user_stream,
            reconnects: view.health.reconnects,
            last_candle_time: view.health.last_candle_time,
            candle_to_order_us: view.health.candle_to_order(),
        }
    }
}

/// The process's health as it changes: what the `system` topic's
/// snapshots carry.
#[derive(Debug, Serialize, ToSchema)]
pub struct SystemStatus {
    /// Epoch milliseconds.
    pub time: i64,
    pub uptime_seconds: i64,
    /// Resident memory; null where it cannot be read (off Linux).
    pub memory_rss_bytes: Option<u64>,
    pub sessions: Vec<SessionHealth>,
    /// Over the server's most recent requests.
    pub api_latency_ms: ApiLatency,
    /// Connected WebSocket clients.
    pub ws_clients: u64,
}

/// The process's health and build.
#[derive(Debug, Serialize, ToSchema)]
pub struct SystemInfo {
    /// The server's crate version.
    pub version: &'static str,
    /// Absent when the build had no git to ask.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub git: Option<GitInfo>,
    /// `rustc --version` of the build; absent when unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rustc: Option<&'static str>,
    #[serde(flatten)]
    pub status: SystemStatus,
}

/// A `system` topic snapshot: `{"type": "snapshot", …SystemStatus}`.
#[derive(Debug, Serialize)]
pub struct Snapshot {
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(flatten)]
    pub status: SystemStatus,
}

/// The process's health now.
pub fn status_now(state: &AppState) -> SystemStatus {
    let sessions = state.host.with_sessions(|s| {
        s.values()
            .map(|h| {
                let v = h
                    .view
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                SessionHealth::of(h, &v)
            })
            .collect()
    });
    let now = state.clock.now().ms();
    SystemStatus {
        time: now,
        uptime_seconds: (now - state.started_at_ms) / 1000,
        memory_rss_bytes: vitals::memory_rss_bytes(),
        sessions,
        api_latency_ms: state.vitals.api_latency(),
        ws_clients: state.vitals.ws_clients(),
    }
}

/// The snapshot the hub's `system` topic carries.
pub fn snapshot(state: &AppState) -> Snapshot {
    Snapshot {
        kind: "snapshot",
        status: status_now(state),
    }
}

/// The process's health: build, uptime, memory, each session's streams
/// and candle-to-order times, API latency, WebSocket clients (also
/// published every 2 s on the WebSocket `system` topic).
#[utoipa::path(get, path = "/api/v1/system", tag = "system",
    responses((status = 200, body = SystemInfo)), security(("bearer" = []), ("api_key" = [])))]
pub async fn system(State(state): State<AppState>) -> Json<SystemInfo> {
    Json(SystemInfo {
        version: env!("CARGO_PKG_VERSION"),
        git: vitals::GIT_COMMIT.map(|commit| GitInfo { commit }),
        rustc: vitals::RUSTC_VERSION,
        status: status_now(&state),
    })
}
