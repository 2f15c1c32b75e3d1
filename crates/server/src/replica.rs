//! `smc serve --replica`: the API without hosted sessions, for several
//! servers behind a load balancer. Every session read (the session list,
//! positions, open orders, fills, P&L, risk, health, status) comes from
//! the Redis cache the primary writes ([`crate::cache_publish`]); candles
//! and detections come from the session's journal, read-only; the user
//! store is the primary's (`--db`). What needs the process that hosts the
//! sessions (starting and stopping them, orders, breaker resets, config
//! changes, backtest jobs) is answered 409 `replica_read_only`.
//! Every answer of a server carries `X-SMC-Role: primary` or `replica`.
//!
//! Done as a layer inside the access guard, so that credentials, roles,
//! limits and audit apply to a replica's answers as to the primary's.

use crate::error::ApiError;
use crate::routes::{config, system};
use crate::state::AppState;
use axum::Json;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use smc_cache::{CacheError, CacheReader, CachedSession};

/// The header naming a server's role.
pub const ROLE_HEADER: &str = "x-smc-role";

/// A replica's link to the cache.
#[derive(Debug)]
pub struct Replica {
    reader: CacheReader,
}

fn unavailable(e: &CacheError) -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "cache_unavailable",
        format!(
            "this replica reads the sessions from Redis (storage.redis_url), which cannot be read now: {e}"
        ),
    )
}

impl Replica {
    pub fn new(url: &str) -> Result<Replica, CacheError> {
        Ok(Replica {
            reader: CacheReader::new(url)?,
        })
    }

    /// The live sessions the primary wrote.
    pub async fn sessions(&self) -> Result<Vec<CachedSession>, ApiError> {
        self.reader.sessions().await.map_err(|e| unavailable(&e))
    }

    /// Part `part` of every live session, with its id.
    async fn parts(&self, part: &str) -> Result<Vec<(String, Value)>, ApiError> {
        let mut out = Vec::new();
        for s in self.sessions().await? {
            let found = self
                .reader
                .part(&s.id, part)
                .await
                .map_err(|e| unavailable(&e))?;
            if let Some(v) = found {
                out.push((s.id, v));
            }
        }
        Ok(out)
    }

    /// The session whose journal to read for `symbol`: `want` if given,
    /// else the latest started that trades it.
    pub async fn session_for(&self, symbol: &str, want: Option<&str>) -> Result<String, ApiError> {
        self.sessions()
            .await?
            .into_iter()
            .filter(|s| s.summary["info"]["state"] != "ready")
            .filter(|s| want.is_none_or(|w| w == s.id))
            .filter(|s| {
                s.summary["symbols"]
                    .as_array()
                    .is_some_and(|a| a.iter().any(|x| x == symbol))
            })
            .max_by_key(|s| s.summary["info"]["started_at"].as_i64())
            .map(|s| s.id)
            .ok_or_else(|| ApiError::not_found(format!("no session trades `{symbol}`")))
    }
}

/// Answers the session routes from the cache on a replica, refuses what
/// needs the primary, and names the role on every answer.
pub async fn intercept(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(replica) = state.replica.clone() else {
        return with_role(next.run(request).await, "primary");
    };
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_default();
    let answer = match (request.method().clone(), route.as_str()) {
        (Method::GET, "/api/v1/sessions") => list(&replica).await,
        (Method::GET, "/api/v1/positions") => tagged(&replica, "positions", true).await,
        (Method::GET, "/api/v1/orders") => tagged(&replica, "orders", true).await,
        (Method::GET, "/api/v1/trades") => tagged(&replica, "fills", true).await,
        (Method::GET, "/api/v1/pnl") => tagged(&replica, "equity", false).await,
        (Method::GET, "/api/v1/risk") => risk(&state, &replica).await,
        (Method::GET, "/api/v1/status") => status(&state, &replica).await,
        (Method::GET, "/api/v1/system") => system_info(&state, &replica).await,
        (Method::GET, "/healthz") => health(&replica).await,
        (Method::GET, "/readyz") => ready(&state, &replica).await,
        (method, route) if needs_primary(&method, route) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "replica_read_only",
            format!(
                "this server is a read replica (`smc serve --replica`; response header X-SMC-Role: replica): {method} {route} needs the primary, which hosts the sessions"
            ),
        )),
        _ => return with_role(next.run(request).await, "replica"),
    };
    let response = match answer {
        Ok(v) => Json(v).into_response(),
        Err(e) => e.into_response(),
    };
    with_role(response, "replica")
}

/// Routes that act on hosted sessions or the hosting process.
fn needs_primary(method: &Method, route: &str) -> bool {
    matches!(
        (method.as_str(), route),
        ("POST", "/api/v1/sessions")
            | ("DELETE", "/api/v1/sessions/{id}")
            | ("POST", "/api/v1/orders")
            | ("DELETE", "/api/v1/orders/{id}")
            | ("POST", "/api/v1/positions/flatten")
            | ("POST", "/api/v1/risk/breakers/{name}/reset")
            | ("PUT", "/api/v1/config/risk")
            | ("PUT", "/api/v1/config/strategy")
            | ("POST", "/api/v1/backtests")
            | ("POST", "/api/v1/optimizations")
    )
}

fn with_role(mut response: Response, role: &'static str) -> Response {
    response.headers_mut().insert(
        HeaderName::from_static(ROLE_HEADER),
        HeaderValue::from_static(role),
    );
    response
}

async fn list(replica: &Replica) -> Result<Value, ApiError> {
    let infos: Vec<Value> = replica
        .sessions()
        .await?
        .into_iter()
        .map(|s| s.summary["info"].clone())
        .collect();
    Ok(Value::Array(infos))
}

/// Each session's `part`, tagged with its session as the primary's
/// routes answer: every item of a list (`many`), or the one value.
async fn tagged(replica: &Replica, part: &str, many: bool) -> Result<Value, ApiError> {
    let mut out = Vec::new();
    for (id, value) in replica.parts(part).await? {
        let items = match value {
            Value::Array(items) if many => items,
            one => vec![one],
        };
        for mut item in items {
            if let Some(object) = item.as_object_mut() {
                object.insert("session".into(), Value::String(id.clone()));
            }
            out.push(item);
        }
    }
    Ok(Value::Array(out))
}

async fn risk(state: &AppState, replica: &Replica) -> Result<Value, ApiError> {
    let sessions: Vec<Value> = replica
        .parts("risk")
        .await?
        .into_iter()
        .map(|(_, v)| v)
        .collect();
    Ok(json!({"limits": config::risk_limits(state), "sessions": sessions}))
}

async fn status(state: &AppState, replica: &Replica) -> Result<Value, ApiError> {
    let mut counts = system::SessionCounts::default();
    for s in replica.sessions().await? {
        match s.summary["info"]["state"].as_str() {
            Some("running" | "stopping") => counts.running += 1,
            Some("ready") => counts.ready += 1,
            Some("stopped") => counts.stopped += 1,
            _ => counts.failed += 1,
        }
    }
    let now = state.clock.now().ms();
    Ok(json!({
        "version": env!("CARGO_PKG_VERSION"),
        "time": now,
        "uptime_seconds": (now - state.started_at_ms) / 1000,
        "sessions": counts,
        "backtests_running": 0,
        "role": "replica",
    }))
}

async fn system_info(state: &AppState, replica: &Replica) -> Result<Value, ApiError> {
    let health: Vec<Value> = replica
        .parts("health")
        .await?
        .into_iter()
        .map(|(_, v)| v)
        .collect();
    let mut v = serde_json::to_value(system::status_now(state))
        .map_err(|e| ApiError::internal("the system status", e))?;
    v["sessions"] = Value::Array(health);
    v["version"] = json!(env!("CARGO_PKG_VERSION"));
    v["role"] = json!("replica");
    Ok(v)
}

async fn health(replica: &Replica) -> Result<Value, ApiError> {
    // The process is alive whatever Redis does; say whether it is read.
    let cache = replica.reader.ping().await.is_ok();
    Ok(json!({"status": "ok", "role": "replica", "cache": if cache { "up" } else { "down" }}))
}

async fn ready(state: &AppState, replica: &Replica) -> Result<Value, ApiError> {
    let store = state.store.user_count().is_ok();
    let cache = replica.reader.ping().await.is_ok();
    if store && cache {
        Ok(json!({"ready": true, "store": store, "cache": cache, "role": "replica"}))
    } else {
        Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            format!("replica not ready: store {store}, cache (Redis) {cache}"),
        ))
    }
}
