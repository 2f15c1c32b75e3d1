//! `/api/v1/config/strategy`: the strategy, its timeframes and the `smc`
//! strategy's parameters (`backtest.smc_strategy`), read and replaced
//! through the API, validated as the config file is. New sessions and
//! backtests use them; a running session keeps the parameters it started
//! with (only risk limits reload live).

use crate::body::Body;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::routes::config::{file_json, write_section};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use std::sync::PoisonError;
use utoipa::ToSchema;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StrategySettings {
    /// `smc` or `sma_cross` (default: smc).
    pub strategy: Option<String>,
    /// Entry, [confirming…,] bias.
    #[serde(default)]
    pub timeframes: Vec<String>,
    /// The smc strategy's parameters as in `backtest.smc_strategy`
    /// (omitted keys take their defaults).
    #[schema(value_type = Option<Object>)]
    #[serde(default)]
    pub params: serde_json::Value,
}

/// The smc strategy's parameters read as the config file's section is
/// (through YAML text, so that numbers become decimals the same way).
pub(crate) fn smc_params(params: &serde_json::Value) -> ApiResult<smc_strategy::SmcConfig> {
    let section = serde_json::json!({"backtest": {"smc_strategy": params}});
    let yaml = serde_yaml_ng::to_string(&section)
        .map_err(|e| ApiError::invalid("params", e.to_string()))?;
    smc_config::parse("params", &yaml)
        .map(|c| c.backtest.smc_strategy)
        .map_err(|e| {
            let message = e.to_string();
            let field = message
                .split("unknown field `")
                .nth(1)
                .and_then(|rest| rest.split('`').next())
                .map_or("params".to_string(), |f| format!("params.{f}"));
            ApiError::invalid(&field, message)
        })
}

/// The strategy settings in force.
#[utoipa::path(get, path = "/api/v1/config/strategy", tag = "config",
    responses((status = 200, body = StrategySettings)), security(("bearer" = []), ("api_key" = [])))]
pub async fn get_strategy(State(state): State<AppState>) -> ApiResult<Json<StrategySettings>> {
    let file = file_json(&state)?;
    let (strategy, timeframes) =
        state.config_read(|c| (c.backtest.strategy.clone(), c.backtest.timeframes.clone()));
    Ok(Json(StrategySettings {
        strategy,
        timeframes,
        params: file
            .pointer("/backtest/smc_strategy")
            .cloned()
            .unwrap_or_else(|| serde_json::json!({})),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StrategyUpdated {
    /// Whether the config file was rewritten (false without one: in
    /// memory until the server stops).
    pub written: bool,
}

/// Replaces the strategy settings (validated); used by sessions and backtests started from now on.
#[utoipa::path(put, path = "/api/v1/config/strategy", tag = "config", request_body = StrategySettings,
    responses((status = 200, body = StrategyUpdated), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn put_strategy(
    State(state): State<AppState>,
    Body(settings): Body<StrategySettings>,
) -> ApiResult<Json<StrategyUpdated>> {
    if let Some(name) = &settings.strategy {
        name.parse::<smc_runtime::StrategyName>()
            .map_err(|e| ApiError::invalid("strategy", e.to_string()))?;
    }
    for tf in &settings.timeframes {
        tf.parse::<smc_model::Timeframe>()
            .map_err(|_| ApiError::invalid("timeframes", format!("unknown timeframe `{tf}`")))?;
    }
    let params = if settings.params.is_null() {
        serde_json::json!({})
    } else {
        settings.params.clone()
    };
    let parsed = smc_params(&params)?;
    let mut candidate = state.config();
    candidate.backtest.smc_strategy = parsed;
    candidate.backtest.strategy = settings.strategy.clone();
    candidate.backtest.timeframes = settings.timeframes.clone();
    candidate
        .validate()
        .map_err(|(key, message)| ApiError::invalid(&key, message))?;
    let mut section = file_json(&state)?
        .get("backtest")
        .cloned()
        .unwrap_or_else(|| serde_json::json!({}));
    section["smc_strategy"] = params;
    section["timeframes"] = serde_json::json!(settings.timeframes);
    match &settings.strategy {
        Some(s) => section["strategy"] = serde_json::json!(s),
        None => {
            if let Some(map) = section.as_object_mut() {
                map.remove("strategy");
            }
        }
    }
    let written = write_section(&state, &["backtest"], section)?;
    *state.config.write().unwrap_or_else(PoisonError::into_inner) = candidate;
    Ok(Json(StrategyUpdated { written }))
}
