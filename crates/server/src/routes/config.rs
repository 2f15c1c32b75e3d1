//! `/api/v1/config`: the config in force (no secret ever; secrets are
//! never in the file anyway, and `api.metrics_token` is redacted), and
//! `PUT /config/risk`, validated, written back to the config file (the
//! previous one kept as `.bak`) so that running sessions reload it; and
//! `GET /risk`, each session's limits, breakers, exposure and VaR.

use crate::body::Body;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use smc_config::RiskManagerConfig;
use std::sync::PoisonError;
use utoipa::ToSchema;

/// The config file as JSON (`{}` when the server runs on defaults).
#[utoipa::path(get, path = "/api/v1/config", tag = "config",
    responses((status = 200, body = Object)), security(("bearer" = []), ("api_key" = [])))]
pub async fn get(State(state): State<AppState>) -> ApiResult<Json<serde_json::Value>> {
    let mut value = file_json(&state)?;
    if let Some(api) = value.get_mut("api").and_then(|a| a.as_object_mut())
        && api.contains_key("metrics_token")
    {
        api.insert("metrics_token".into(), "***".into());
    }
    Ok(Json(value))
}

pub(crate) fn file_json(state: &AppState) -> ApiResult<serde_json::Value> {
    let Some(path) = &state.config_path else {
        return Ok(serde_json::json!({}));
    };
    let text = std::fs::read_to_string(path).map_err(|e| {
        ApiError::internal(
            "reading the config file",
            format!("{}: {e}", path.display()),
        )
    })?;
    let yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text)
        .map_err(|e| ApiError::internal("parsing the config file", e))?;
    serde_json::to_value(yaml).map_err(|e| ApiError::internal("converting the config", e))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RiskUpdated {
    /// Whether running sessions reload it (they watch the config file;
    /// without one, only sessions started from now on use it).
    pub applied_to_running_sessions: bool,
}

/// Replaces the `risk_manager` section (the whole section, as JSON).
#[utoipa::path(put, path = "/api/v1/config/risk", tag = "config", request_body = Object,
    responses((status = 200, body = RiskUpdated), (status = 422, body = ErrorBody)),
    security(("bearer" = []), ("api_key" = [])))]
pub async fn put_risk(
    State(state): State<AppState>,
    Body(section): Body<serde_json::Value>,
) -> ApiResult<Json<RiskUpdated>> {
    let risk: RiskManagerConfig = serde_json::from_value(section.clone()).map_err(|e| {
        let message = e.to_string();
        let field = message
            .split('`')
            .nth(1)
            .unwrap_or("risk_manager")
            .to_string();
        ApiError::invalid(&field, message)
    })?;
    let mut candidate = state.config();
    candidate.risk_manager = risk;
    candidate
        .validate()
        .map_err(|(key, message)| ApiError::invalid(&key, message))?;
    let written = write_section(&state, &["risk_manager"], section)?;
    *state.config.write().unwrap_or_else(PoisonError::into_inner) = candidate;
    Ok(Json(RiskUpdated {
        applied_to_running_sessions: written,
    }))
}

/// Puts `section` at `path` in the config file and writes it back (the
/// old file kept as `.bak`), after checking that the result parses and
/// validates as the file will be read; false when the server runs
/// without a config file.
pub(crate) fn write_section(
    state: &AppState,
    path: &[&str],
    section: serde_json::Value,
) -> ApiResult<bool> {
    let Some(file_path) = &state.config_path else {
        return Ok(false);
    };
    let mut file = file_json(state)?;
    let mut at = &mut file;
    for key in &path[..path.len().saturating_sub(1)] {
        if !at.get(*key).is_some_and(serde_json::Value::is_object) {
            at[*key] = serde_json::json!({});
        }
        at = &mut at[*key];
    }
    if let (Some(map), Some(last)) = (at.as_object_mut(), path.last()) {
        map.insert((*last).to_string(), section);
    }
    let yaml =
        serde_yaml_ng::to_string(&file).map_err(|e| ApiError::internal("writing the config", e))?;
    smc_config::parse(&file_path.display().to_string(), &yaml)
        .map_err(|e| ApiError::invalid(&path.join("."), e.to_string()))?;
    let backup = file_path.with_extension("yaml.bak");
    std::fs::copy(file_path, &backup)
        .and_then(|_| std::fs::write(file_path, yaml))
        .map_err(|e| {
            ApiError::internal(
                "writing the config file",
                format!("{}: {e}", file_path.display()),
            )
        })?;
    Ok(true)
}

/// Limits, breakers and refusals of every session, with its exposure
/// (`exposure`: per position at entry; `exposure_by_venue` and
/// `exposure_by_group`: gross notional at the last close, per venue and
/// per `risk_manager.correlated_groups` entry, else per base asset) and,
/// when `risk_manager.max_portfolio_var_percent` makes the risk gate
/// measure it, the portfolio's historical `var` (null otherwise, and until
/// each symbol held has 20 returns).
#[utoipa::path(get, path = "/api/v1/risk", tag = "risk",
    responses((status = 200, body = Object)), security(("bearer" = []), ("api_key" = [])))]
pub async fn risk(State(state): State<AppState>) -> Json<serde_json::Value> {
    let state = &state;
    let (groups, var_confidence) = state.config_read(|c| {
        let r = &c.risk_manager;
        (
            r.correlated_groups.clone(),
            r.max_portfolio_var_percent.map(|_| r.var_confidence),
        )
    });
    let limits = risk_limits(state);
    let sessions = state.host.with_sessions(|s| {
        s.values()
            .map(|h| {
                let mut v = h.view.lock().unwrap_or_else(PoisonError::into_inner);
                session_risk(&h.id, &mut v, &groups, var_confidence)
            })
            .collect::<Vec<_>>()
    });
    Json(serde_json::json!({ "limits": limits, "sessions": sessions }))
}

/// The risk limits in force, as `GET /risk` shows them.
pub fn risk_limits(state: &AppState) -> serde_json::Value {
    state.config_read(|c| {
        let r = &c.risk_manager;
        serde_json::json!({
            "max_position_size": r.max_position_size.to_string(),
            "max_daily_loss": r.max_daily_loss.to_string(),
            "stop_loss_percent": r.stop_loss_percent.to_string(),
            "max_drawdown_percent": r.max_drawdown_percent.map(|d| d.to_string()),
            "max_leverage": r.max_leverage.map(|d| d.to_string()),
            "max_portfolio_var_percent": r.max_portfolio_var_percent.map(|d| d.to_string()),
            "var_confidence": r.var_confidence.to_string(),
        })
    })
}

/// A session's entry of `GET /risk` (also what the Redis cache keeps).
pub fn session_risk(
    id: &str,
    v: &mut crate::host::view::View,
    groups: &[Vec<String>],
    var_confidence: Option<rust_decimal::Decimal>,
) -> serde_json::Value {
    let equity = v
        .equity
        .as_deref()
        .and_then(|e| e.parse::<rust_decimal::Decimal>().ok());
    let (by_venue, by_group) = v.risk.exposure(&v.positions, groups, equity);
    let var = match (var_confidence, equity) {
        (Some(confidence), Some(equity)) => {
            let v = &mut *v;
            v.risk.var(&v.positions, equity, confidence)
        }
        _ => None,
    };
    let exposure: Vec<_> = v
        .positions
        .values()
        .map(|p| {
            let notional = p.qty.parse::<rust_decimal::Decimal>().unwrap_or_default()
                * p.avg_price
                    .parse::<rust_decimal::Decimal>()
                    .unwrap_or_default();
            serde_json::json!({"instrument": p.instrument, "notional": notional.abs().to_string()})
        })
        .collect();
    serde_json::json!({
        "session": id,
        "breakers": v.breakers,
        "risk_refusals": v.risk_refusals,
        "exposure": exposure,
        "exposure_by_venue": by_venue,
        "exposure_by_group": by_group,
        "var": var,
        "equity": v.equity,
    })
}
