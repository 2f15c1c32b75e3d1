//! `/api/v1/backtests`: a backtest as a job, on a file under `api.data_dir`.

use crate::body::Body;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::jobs::Job;
use crate::state::AppState;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use smc_runtime::backtest::{BacktestRequest, VenueFlags};
use std::path::PathBuf;
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewBacktest {
    /// An OHLCV CSV file, relative to `api.data_dir` (never outside it).
    pub input: String,
    /// `smc` or `sma_cross`.
    pub strategy: String,
    /// smc: entry, [confirming…,] bias.
    #[serde(default)]
    pub timeframes: Vec<String>,
    /// Strategy parameters over the config's (`backtest.smc_strategy`).
    #[schema(value_type = Option<Object>)]
    pub params: Option<serde_json::Value>,
    /// Starting cash (a decimal string or number).
    #[schema(value_type = Option<String>)]
    pub cash: Option<Decimal>,
    /// Fee per side as a fraction of notional.
    #[schema(value_type = Option<String>)]
    pub fee: Option<Decimal>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    pub id: String,
}

/// Resolves `input` inside `data_dir`, refusing any way out of it.
pub fn inside(data_dir: &std::path::Path, input: &str) -> ApiResult<PathBuf> {
    let outside = || ApiError::invalid("input", "must name a file under api.data_dir");
    let relative = std::path::Path::new(input);
    if input.is_empty() || relative.is_absolute() {
        return Err(outside());
    }
    let root = data_dir.canonicalize().map_err(|e| {
        ApiError::internal(
            "reading api.data_dir",
            format!("{}: {e}", data_dir.display()),
        )
    })?;
    let path = root
        .join(relative)
        .canonicalize()
        .map_err(|_| ApiError::invalid("input", format!("no file `{input}` under api.data_dir")))?;
    if !path.starts_with(&root) || !path.is_file() {
        return Err(outside());
    }
    Ok(path)
}

/// Queues a backtest; poll `GET /backtests/{id}` or subscribe to `backtests`.
#[utoipa::path(post, path = "/api/v1/backtests", tag = "backtests", request_body = NewBacktest,
    responses((status = 201, body = Created), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn create(
    State(state): State<AppState>,
    Body(req): Body<NewBacktest>,
) -> ApiResult<(StatusCode, Json<Created>)> {
    let mut config = state.config();
    let input = inside(&config.api.data_dir, &req.input)?;
    let strategy = req
        .strategy
        .parse()
        .map_err(|e: smc_runtime::SessionError| ApiError::invalid("strategy", e.to_string()))?;
    check_timeframes(&req.timeframes)?;
    if let Some(params) = req.params.filter(|p| !p.is_null()) {
        config.backtest.smc_strategy = merged(&state, params)?;
    }
    let request = BacktestRequest {
        settings: Some(config),
        input: Some(input),
        strategy: Some(strategy),
        timeframes: req.timeframes,
        venue: venue(req.cash, req.fee)?,
        ..BacktestRequest::default()
    };
    let id = state
        .jobs
        .submit(request, state.clock.now().ms(), state.hub.clone())
        .map_err(|e| ApiError::internal("queueing a backtest", e))?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Refuses a timeframe that is not one (`timeframes`).
pub fn check_timeframes(timeframes: &[String]) -> ApiResult<()> {
    for tf in timeframes {
        tf.parse::<smc_model::Timeframe>()
            .map_err(|_| ApiError::invalid("timeframes", format!("unknown timeframe `{tf}`")))?;
    }
    Ok(())
}

/// The simulated venue's starting cash and fee, checked.
pub fn venue(cash: Option<Decimal>, fee: Option<Decimal>) -> ApiResult<VenueFlags> {
    if cash.is_some_and(|c| c <= Decimal::ZERO) {
        return Err(ApiError::invalid("cash", "must be positive"));
    }
    if fee.is_some_and(|f| f < Decimal::ZERO || f >= Decimal::ONE) {
        return Err(ApiError::invalid("fee", "must be at least 0 and below 1"));
    }
    Ok(VenueFlags {
        cash,
        fee,
        ..VenueFlags::default()
    })
}

/// The strategy parameters of the config file's `backtest.smc_strategy`
/// with `params` laid over them, validated as the file would be.
fn merged(state: &AppState, params: serde_json::Value) -> ApiResult<smc_strategy::SmcConfig> {
    let file = crate::routes::config::file_json(state)?;
    let mut section = file
        .pointer("/backtest/smc_strategy")
        .cloned()
        .unwrap_or_else(|| serde_json::json!({}));
    let (Some(map), Some(over)) = (section.as_object_mut(), params.as_object()) else {
        return Err(ApiError::invalid(
            "params",
            "must be an object of strategy parameters",
        ));
    };
    for (k, v) in over {
        map.insert(k.clone(), v.clone());
    }
    crate::routes::strategy_config::smc_params(&section)
}

/// A job's state, progress (0–1) and, once done, its result (as `smc backtest --json`)
/// and its equity curve sampled to at most 2,000 points (`equity`).
#[utoipa::path(get, path = "/api/v1/backtests/{id}", tag = "backtests", params(("id" = String, Path)),
    responses((status = 200, body = Job), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn get(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult<Json<Job>> {
    state
        .jobs
        .get(&id)
        .map(Json)
        .ok_or_else(|| ApiError::not_found(format!("no backtest `{id}`")))
}
