//! `/api/v1/sessions` and what the sessions hold: positions, open orders,
//! recent fills, P&L. Reads come from each session's event-fed view.

use crate::access::CallerExt;
use crate::body::Body;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::host::request::{ModeArg, SessionRequest};
use crate::host::view::{OpenOrder, Position};
use crate::host::{Hosted, SessionState};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::{Extension, Json};
use serde::Serialize;
use std::sync::PoisonError;
use utoipa::ToSchema;

/// A hosted session.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionInfo {
    pub id: String,
    pub state: SessionState,
    pub mode: ModeArg,
    pub request: SessionRequest,
    pub error: Option<String>,
    pub started_at: Option<i64>,
    pub connected: bool,
    pub equity: Option<String>,
    pub orders_sent: u64,
}

/// What `GET /sessions` says of `h` (also what the Redis cache keeps).
pub fn info(h: &Hosted) -> SessionInfo {
    let view = h.view.lock().unwrap_or_else(PoisonError::into_inner);
    SessionInfo {
        id: h.id.clone(),
        state: h.state,
        mode: h.request.mode,
        request: h.request.clone(),
        error: h.error.clone(),
        started_at: h.started_at,
        connected: view.connected,
        equity: view.equity.clone(),
        orders_sent: view.orders_sent,
    }
}

/// Every session: ready, running, stopped or failed.
#[utoipa::path(get, path = "/api/v1/sessions", tag = "sessions",
    responses((status = 200, body = Vec<SessionInfo>)), security(("bearer" = []), ("api_key" = [])))]
pub async fn list(State(state): State<AppState>) -> Json<Vec<SessionInfo>> {
    Json(state.host.with_sessions(|s| s.values().map(info).collect()))
}

/// Starts a session (paper by default; live needs `confirm_live` and a TOTP step-up in `X-TOTP`).
/// `{}` starts the config's default paper session.
#[utoipa::path(post, path = "/api/v1/sessions", tag = "sessions", request_body = SessionRequest,
    responses((status = 201, body = SessionInfo), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn start(
    State(state): State<AppState>,
    Extension(caller): CallerExt,
    headers: HeaderMap,
    Body(req): Body<SessionRequest>,
) -> ApiResult<(StatusCode, Json<SessionInfo>)> {
    if req.mode == ModeArg::Live {
        if !req.confirm_live {
            return Err(ApiError::invalid(
                "confirm_live",
                "live mode sends real orders: set confirm_live",
            ));
        }
        crate::auth::step_up::check(&state, &caller, &headers)?;
    }
    let config = state.config();
    let traded = req.traded(&config);
    let id = state.host.with_sessions(|s| {
        let busy = s.values().find(|h| {
            matches!(h.state, SessionState::Running | SessionState::Stopping)
                && h.request.mode == req.mode
                && h.request.traded(&config).iter().any(|x| traded.contains(x))
        });
        match busy {
            Some(h) => Err(ApiError::conflict(format!(
                "session `{}` already trades {} in this mode",
                h.id,
                traded.join(",")
            ))),
            // The ready default session is started in place.
            None => Ok(s
                .values()
                .find(|h| h.state == SessionState::Ready)
                .filter(|_| req.symbols.is_empty())
                .map_or_else(
                    || format!("s{}", smc_auth::token::random_id()),
                    |h| h.id.clone(),
                )),
        }
    })?;
    let dir = config.api.sessions_dir.clone();
    std::fs::create_dir_all(&dir).map_err(|e| {
        ApiError::internal(
            "creating api.sessions_dir",
            format!("{}: {e}", dir.display()),
        )
    })?;
    // The keys of the venue asked (an unknown venue is refused by `spec`).
    let venue = req
        .venue
        .as_deref()
        .unwrap_or("binance")
        .trim()
        .to_ascii_lowercase();
    let credentials = match smc_runtime::VenueName::parse(&venue) {
        Some(v) => crate::routes::exchange_keys::credentials(&state, v.as_str())?,
        None => None,
    };
    let spec = req.spec(
        &config,
        state.config_path.as_deref(),
        &std::path::PathBuf::from(crate::state::session_journal_url(&state, &id)),
        credentials,
    )?;
    let now = state.clock.now().ms();
    state
        .host
        .start(&id, req, spec, now, &state.metrics, &state.hub)
        .map_err(|e| ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "session_refused", e))?;
    let created = state
        .host
        .with_sessions(|s| s.get(&id).map(info))
        .ok_or_else(|| ApiError::internal("starting a session", "it vanished"))?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Asks a session to stop (live: after a final reconciliation).
#[utoipa::path(delete, path = "/api/v1/sessions/{id}", tag = "sessions", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn stop(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<StatusCode> {
    match state.host.stop(&id) {
        None => Err(ApiError::not_found(format!("no session `{id}`"))),
        Some(false) => Err(ApiError::conflict(format!("session `{id}` is not running"))),
        Some(true) => Ok(StatusCode::NO_CONTENT),
    }
}

/// Something every session holds, tagged with its session.
#[derive(Debug, Serialize, ToSchema)]
pub struct Of<T> {
    pub session: String,
    #[serde(flatten)]
    pub item: T,
}

fn collect<T>(state: &AppState, pick: impl Fn(&crate::host::view::View) -> Vec<T>) -> Vec<Of<T>> {
    state.host.with_sessions(|s| {
        s.values()
            .flat_map(|h| {
                let view = h.view.lock().unwrap_or_else(PoisonError::into_inner);
                pick(&view)
                    .into_iter()
                    .map(|item| Of {
                        session: h.id.clone(),
                        item,
                    })
                    .collect::<Vec<_>>()
            })
            .collect()
    })
}

/// Open positions of every session.
#[utoipa::path(get, path = "/api/v1/positions", tag = "trading",
    responses((status = 200, body = Vec<Object>)), security(("bearer" = []), ("api_key" = [])))]
pub async fn positions(State(state): State<AppState>) -> Json<Vec<Of<Position>>> {
    Json(collect(&state, |v| v.positions.values().cloned().collect()))
}

/// Open orders of every session.
#[utoipa::path(get, path = "/api/v1/orders", tag = "trading",
    responses((status = 200, body = Vec<Object>)), security(("bearer" = []), ("api_key" = [])))]
pub async fn orders(State(state): State<AppState>) -> Json<Vec<Of<OpenOrder>>> {
    Json(collect(&state, |v| v.orders.values().cloned().collect()))
}

/// The latest fills of every session (up to 1,000 each), oldest first.
#[utoipa::path(get, path = "/api/v1/trades", tag = "trading",
    responses((status = 200, body = Vec<Object>)), security(("bearer" = []), ("api_key" = [])))]
pub async fn trades(State(state): State<AppState>) -> Json<Vec<Of<serde_json::Value>>> {
    Json(collect(&state, |v| {
        v.fills
            .iter()
            .filter_map(|f| serde_json::to_value(f).ok())
            .collect()
    }))
}

/// Equity and P&L per session.
#[derive(Debug, Serialize, ToSchema)]
pub struct Pnl {
    pub cash: Option<String>,
    pub equity: Option<String>,
    pub starting_equity: Option<String>,
    /// Equity less starting equity.
    pub pnl: Option<String>,
    /// Realized P&L of the open positions' instruments.
    pub realized_pnl: String,
    /// Equity when the session's current UTC day began (by its candles'
    /// clock): the last equity of the day before, or the first of the day.
    pub day_start_equity: Option<String>,
    /// Equity less `day_start_equity`.
    pub today_pnl: Option<String>,
    /// The highest equity since the session started.
    pub peak_equity: Option<String>,
    /// How far equity is below its peak, as a fraction of the peak.
    pub drawdown: Option<String>,
}

/// P&L of every session.
#[utoipa::path(get, path = "/api/v1/pnl", tag = "trading",
    responses((status = 200, body = Vec<Object>)), security(("bearer" = []), ("api_key" = [])))]
pub async fn pnl(State(state): State<AppState>) -> Json<Vec<Of<Pnl>>> {
    Json(collect(&state, |v| vec![pnl_of(v)]))
}

/// A session's equity and P&L (also what the Redis cache keeps).
pub fn pnl_of(v: &crate::host::view::View) -> Pnl {
    let dec = |s: &Option<String>| {
        s.as_deref()
            .and_then(|x| x.parse::<rust_decimal::Decimal>().ok())
    };
    let pnl = dec(&v.equity)
        .zip(dec(&v.starting_equity))
        .map(|(e, s)| (e - s).to_string());
    let realized: rust_decimal::Decimal = v
        .positions
        .values()
        .filter_map(|p| p.realized_pnl.parse::<rust_decimal::Decimal>().ok())
        .sum();
    Pnl {
        cash: v.cash.clone(),
        equity: v.equity.clone(),
        starting_equity: v.starting_equity.clone(),
        pnl,
        realized_pnl: realized.to_string(),
        day_start_equity: v.marks.day_start.map(|d| d.to_string()),
        today_pnl: v.marks.today_pnl().map(|d| d.to_string()),
        peak_equity: v.marks.peak.map(|d| d.to_string()),
        drawdown: v
            .marks
            .drawdown()
            .map(|d| d.round_dp(8).normalize().to_string()),
    }
}
