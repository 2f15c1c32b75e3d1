//! `GET /api/v1/candles` and `GET /api/v1/detections`: a hosted session's
//! logged candles (resampled to a coarser timeframe when asked) and the
//! causal SMC detections on them (the same events as `smc detect`), for
//! charts. Read from the session's journal through a reader connection;
//! the session itself is never touched.

use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::host::SessionState;
use crate::state::AppState;
use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use serde::Deserialize;
use smc_model::{Candle, Timeframe, Timestamp};
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MarketQuery {
    /// The symbol, e.g. BTCUSDT.
    pub symbol: String,
    /// The timeframe (default: the session's); at least the session's.
    pub timeframe: Option<String>,
    /// Only candles (or events known) from this time on, epoch ms.
    pub since: Option<i64>,
    /// At most this many candles, the latest (1 to 5000, default 500).
    #[param(minimum = 1, maximum = 5000)]
    pub limit: Option<usize>,
    /// The session to read (default: the latest started that trades the symbol).
    pub session: Option<String>,
}

/// The session's candles of `q.symbol` in the asked timeframe, and that timeframe.
/// On a replica the session is found in the Redis cache, and its journal
/// read the same way.
async fn candles(state: &AppState, q: &MarketQuery) -> ApiResult<(Vec<Candle>, Timeframe)> {
    let id = match &state.replica {
        Some(replica) => Some(replica.session_for(&q.symbol, q.session.as_deref()).await?),
        None => host_session(state, q),
    };
    let id = id.ok_or_else(|| ApiError::not_found(format!("no session trades `{}`", q.symbol)))?;
    journal_candles(state, &id, q)
}

fn host_session(state: &AppState, q: &MarketQuery) -> Option<String> {
    state.host.with_sessions(|s| {
        s.values()
            .filter(|h| h.state != SessionState::Ready)
            .filter(|h| q.session.as_ref().is_none_or(|want| *want == h.id))
            .filter(|h| h.request.traded(&state.config()).contains(&q.symbol))
            .max_by_key(|h| h.started_at)
            .map(|h| h.id.clone())
    })
}

fn journal_candles(
    state: &AppState,
    id: &str,
    q: &MarketQuery,
) -> ApiResult<(Vec<Candle>, Timeframe)> {
    let journal = smc_store::open_journal_reader(&crate::state::session_journal_url(state, id))?;
    let logged = journal.logged_candles()?;
    let base = logged.first().map(|c| c.timeframe);
    let mut series: Vec<Candle> = logged
        .iter()
        .filter(|c| c.instrument.symbol() == q.symbol)
        .map(|c| c.candle)
        .collect();
    let Some(base) = base else {
        return Ok((series, Timeframe::M1));
    };
    let timeframe = match &q.timeframe {
        None => base,
        Some(tf) => tf
            .parse::<Timeframe>()
            .map_err(|_| ApiError::invalid("timeframe", format!("unknown timeframe `{tf}`")))?,
    };
    if timeframe.duration_ms() < base.duration_ms() {
        return Err(ApiError::invalid(
            "timeframe",
            format!("the session's candles are {base}; ask {base} or coarser"),
        ));
    }
    if timeframe != base {
        series = smc_data::resample(&series, base, timeframe);
    }
    Ok((series, timeframe))
}

/// A query that does not parse is answered in the API's JSON error shape.
fn query(q: Result<Query<MarketQuery>, QueryRejection>) -> ApiResult<MarketQuery> {
    let Query(mut q) = q.map_err(|e| ApiError::bad_request(e.body_text()))?;
    // Symbols are traded upper-case, as the runtime writes them.
    q.symbol = q.symbol.trim().to_ascii_uppercase();
    Ok(q)
}

fn limit(q: &MarketQuery) -> ApiResult<usize> {
    let limit = q.limit.unwrap_or(500);
    if (1..=5000).contains(&limit) {
        Ok(limit)
    } else {
        Err(ApiError::invalid("limit", "must be 1 to 5000"))
    }
}

/// Candles for charts, oldest first.
#[utoipa::path(get, path = "/api/v1/candles", tag = "market", params(MarketQuery),
    responses((status = 200, body = Vec<Object>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn candles_route(
    State(state): State<AppState>,
    q: Result<Query<MarketQuery>, QueryRejection>,
) -> ApiResult<Json<Vec<Candle>>> {
    let q = query(q)?;
    let limit = limit(&q)?;
    let (series, _) = candles(&state, &q).await?;
    let since = Timestamp::from_ms(q.since.unwrap_or(i64::MIN));
    let kept: Vec<Candle> = series
        .into_iter()
        .filter(|c| c.open_time >= since)
        .collect();
    let skip = kept.len().saturating_sub(limit);
    Ok(Json(kept.into_iter().skip(skip).collect()))
}

/// Causal SMC detections on the session's candles (as `smc detect`), in the order they became known.
#[utoipa::path(get, path = "/api/v1/detections", tag = "market", params(MarketQuery),
    responses((status = 200, body = Vec<Object>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn detections_route(
    State(state): State<AppState>,
    q: Result<Query<MarketQuery>, QueryRejection>,
) -> ApiResult<Json<Vec<serde_json::Value>>> {
    let q = query(q)?;
    limit(&q)?;
    let (series, timeframe) = candles(&state, &q).await?;
    let detectors = state.config_read(|c| c.smc.clone());
    let events = tokio::task::spawn_blocking(move || {
        smc_analysis::detect(&series, timeframe, &[timeframe], &detectors).map(|d| d.events)
    })
    .await
    .map_err(|e| ApiError::internal("detecting", e))?
    .map_err(|e| ApiError::invalid("timeframe", e.to_string()))?;
    let since = q.since.unwrap_or(i64::MIN);
    Ok(Json(
        events
            .iter()
            .filter_map(|e| serde_json::to_value(e).ok())
            .filter(|v| v["known_at"].as_i64().is_none_or(|t| t >= since))
            .collect(),
    ))
}
