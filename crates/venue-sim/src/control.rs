//! The control endpoint (`/__sim/…`, outside Binance's paths): read and
//! replace the active faults with the `--faults` grammar, switch a key's
//! withdrawal permission, and read the replay state.

use crate::faults::parse_spec;
use crate::state::{Shared, lock};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use std::sync::Arc;

fn faults_json(shared: &Shared) -> serde_json::Value {
    let set = lock(&shared.faults);
    let fired: Vec<_> = set
        .faults
        .iter()
        .map(|f| json!({"fault": f.to_string(), "fired": f.fired()}))
        .collect();
    json!({"faults": set.describe(), "active": fired})
}

/// `GET /__sim/faults`.
pub async fn get_faults(State(shared): State<Arc<Shared>>) -> Response {
    Json(faults_json(&shared)).into_response()
}

/// `PUT|POST /__sim/faults` with a spec as the body (replaces the active set).
pub async fn set_faults(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let spec = String::from_utf8_lossy(&body);
    match parse_spec(&spec) {
        Ok(faults) => {
            lock(&shared.faults).faults = faults;
            Json(faults_json(&shared)).into_response()
        }
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": e.to_string()})),
        )
            .into_response(),
    }
}

/// `DELETE /__sim/faults`.
pub async fn clear_faults(State(shared): State<Arc<Shared>>) -> Response {
    lock(&shared.faults).faults.clear();
    Json(faults_json(&shared)).into_response()
}

/// `POST /__sim/keys/{key}/withdrawals?enabled=true|false`.
pub async fn set_withdrawals(
    State(shared): State<Arc<Shared>>,
    Path(key): Path<String>,
    RawQuery(q): RawQuery,
) -> Response {
    let enabled = !q.unwrap_or_default().contains("enabled=false");
    let mut inner = lock(&shared.inner);
    match inner.keys.get_mut(&key) {
        Some(k) => {
            k.withdrawals = enabled;
            Json(json!({"key": key, "enableWithdrawals": enabled})).into_response()
        }
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({"error": format!("no key {key}")})),
        )
            .into_response(),
    }
}

/// `GET /__sim/state`: replay clock and the last released candle of each series.
pub async fn state(State(shared): State<Arc<Shared>>) -> Response {
    let (step, listen_keys, ws_api) = {
        let inner = lock(&shared.inner);
        (
            inner.step,
            inner.listen_keys.len(),
            inner.ws_api_subscriptions,
        )
    };
    let m = &shared.market;
    let symbols: Vec<_> = m
        .series
        .iter()
        .map(|s| {
            let c = s.candle(step);
            json!({
                "symbol": s.symbol, "interval": s.timeframe.to_string(), "index": s.shown(step),
                "candles": s.candles.len(), "openTime": c.open_time, "close": c.close.to_string(),
                "tickSize": s.rules.tick.to_string(), "stepSize": s.rules.lot.to_string(),
            })
        })
        .collect();
    Json(json!({
        "startTime": m.start_ms, "msPerCandle": m.period_ms, "step": step,
        "finished": m.finished(step), "symbols": symbols,
        "listenKeys": listen_keys, "wsApiSubscriptions": ws_api,
    }))
    .into_response()
}
