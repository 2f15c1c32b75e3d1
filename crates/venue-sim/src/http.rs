//! The REST front door. Every `/api`, `/sapi` and `/fapi` request goes
//! through the same steps: route lookup, injected faults, request weight
//! (per IP and family), the caller's key and signature over the raw bytes,
//! the receive window, the order-count limit for new orders, then the
//! handler; the answer carries `X-MBX-USED-WEIGHT-1M` (and the order
//! counts on new orders) like Binance's.

use crate::auth;
use crate::error::ApiError;
use crate::faults::{FaultKind, Occasion};
use crate::params::Params;
use crate::routes::{self, Family, Op, Route, Security};
use crate::state::{Shared, lock, now_ms};
use crate::{rest_account, rest_algo, rest_list, rest_market, rest_trade};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, Method, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// What a handler gets.
pub struct Request<'a> {
    pub shared: &'a Shared,
    pub route: Route,
    pub params: Params,
    /// The caller's API key (after the security checks of the route).
    pub key: Option<String>,
}

/// A handler's answer: JSON, and whether it was an accepted new order.
pub type Answer = Result<Value, ApiError>;

fn json_response(value: &Value) -> Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}

fn set_header(r: &mut Response, name: &'static str, value: u64) {
    if let Ok(v) = HeaderValue::from_str(&value.to_string()) {
        r.headers_mut().insert(name, v);
    }
}

/// Binance's message for an error code a `refuse` fault answers with.
fn refusal(code: i64) -> ApiError {
    let msg = match code {
        -2010 => "Stop price would trigger immediately.",
        -2021 => "Order would immediately trigger.",
        -2019 => "Margin is insufficient.",
        -1013 => "Filter failure: PRICE_FILTER",
        _ => "Refused by an injected fault.",
    };
    ApiError::bad(code, msg)
}

/// Applies the request-level faults; an answer if one fires.
async fn injected(shared: &Shared, path: &str, occasion: &Occasion<'_>) -> Option<ApiError> {
    let fault = crate::faults::request_fault(&shared.faults, path, occasion).await?;
    Some(match fault {
        FaultKind::TooManyRequests => ApiError::new(
            429,
            -1003,
            "Too much request weight used; current limit is 6000 request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.",
        )
        .with_retry_after(1),
        FaultKind::Banned { secs } => ApiError::new(
            418,
            -1003,
            format!(
                "Way too much request weight used; IP banned until {}. Please use WebSocket Streams for live updates to avoid bans.",
                now_ms() + secs as i64 * 1_000
            ),
        )
        .with_retry_after(secs),
        FaultKind::BadTimestamp => {
            ApiError::bad(-1021, "Timestamp for this request is outside of the recvWindow.")
        }
        FaultKind::ServerError { status } => ApiError::new(
            status,
            -1001,
            "Internal error; unable to process your request. Please try again.",
        ),
        FaultKind::Refuse { code } => refusal(code),
        _ => return None,
    })
}

/// Checks the caller's key (and signature and timing for signed routes).
fn authenticate(
    shared: &Shared,
    route: Route,
    headers: &HeaderMap,
    query: &str,
    body: &[u8],
    params: &Params,
) -> Result<Option<String>, ApiError> {
    if route.security == Security::Public {
        return Ok(None);
    }
    let key = headers
        .get("x-mbx-apikey")
        .and_then(|v| v.to_str().ok())
        .filter(|k| !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric()))
        .ok_or_else(ApiError::key_format)?
        .to_string();
    let secret = lock(&shared.inner)
        .keys
        .get(&key)
        .map(|k| k.secret.clone())
        .ok_or_else(ApiError::key_rejected)?;
    if route.security == Security::Signed {
        auth::verify(&secret, query, body)?;
        auth::check_timing(params, now_ms())?;
    }
    Ok(Some(key))
}

/// The fallback handler for every REST path.
pub async fn dispatch(
    State(shared): State<Arc<Shared>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    let Some(route) = routes::resolve(&method, &path) else {
        return ApiError::new(
            404,
            -1000,
            format!("venue-sim: no endpoint {method} {path}"),
        )
        .into_response();
    };
    let query = uri.query().unwrap_or("");
    let params = match Params::parse(query, &body) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let placing = matches!(route.op, Op::NewOrder | Op::NewAlgoOrder);
    let occasion = Occasion {
        method: Some(method.as_str()),
        // An order list is aimed at by its stop leg's type.
        order_type: match route.op {
            Op::NewOco => params.get("belowType"),
            _ => params.get("type").filter(|_| placing),
        },
    };
    if let Some(e) = injected(&shared, &path, &occasion).await {
        return e.into_response();
    }
    let weight = routes::weight(route, &params);
    let charged =
        lock(&shared.limiter).charge(peer.ip(), route.family, weight, now_ms(), &shared.limits);
    let used = match charged {
        Ok(used) => used,
        Err((e, used)) => {
            let mut r = e.into_response();
            set_header(&mut r, "x-mbx-used-weight", used);
            set_header(&mut r, "x-mbx-used-weight-1m", used);
            return r;
        }
    };
    let result = handle(&shared, route, &headers, query, &body, params).await;
    let mut response = match result {
        Ok((value, counts)) => {
            let mut r = json_response(&value);
            for (label, count) in counts.into_iter().flatten() {
                let name = match label {
                    "10S" => "x-mbx-order-count-10s",
                    "1M" => "x-mbx-order-count-1m",
                    _ => "x-mbx-order-count-1d",
                };
                set_header(&mut r, name, count);
            }
            r
        }
        Err(e) => e.into_response(),
    };
    set_header(&mut response, "x-mbx-used-weight", used);
    set_header(&mut response, "x-mbx-used-weight-1m", used);
    response
}

type OrderCounts = Option<[(&'static str, u64); 2]>;

async fn handle(
    shared: &Shared,
    route: Route,
    headers: &HeaderMap,
    query: &str,
    body: &[u8],
    params: Params,
) -> Result<(Value, OrderCounts), ApiError> {
    let key = authenticate(shared, route, headers, query, body, &params)?;
    let mut counts = None;
    if matches!(route.op, Op::NewOrder | Op::NewAlgoOrder | Op::NewOco)
        && let Some(k) = &key
    {
        counts =
            Some(lock(&shared.limiter).count_order(k, route.family, now_ms(), &shared.limits)?);
    }
    let req = Request {
        shared,
        route,
        params,
        key,
    };
    let value = match route.op {
        Op::NewOrder => {
            let timeout = lock(&shared.faults).fire(
                if route.family == Family::Spot {
                    "/api/v3/order"
                } else {
                    "/fapi/v1/order"
                },
                |k| matches!(k, FaultKind::OrderTimeout { .. }),
            );
            let value = rest_trade::new_order(&req)?;
            if let Some(FaultKind::OrderTimeout { ms }) = timeout {
                tokio::time::sleep(Duration::from_millis(ms)).await;
                return Err(ApiError::new(
                    503,
                    -1007,
                    "Timeout waiting for response from backend server. Send status unknown; execution status unknown.",
                ));
            }
            value
        }
        Op::NewAlgoOrder => rest_algo::new_algo_order(&req)?,
        Op::NewOco => rest_list::new_oco(&req)?,
        Op::QueryAlgoOrder => rest_algo::query_algo_order(&req)?,
        Op::CancelAlgoOrder => rest_algo::cancel_algo_order(&req)?,
        Op::OpenAlgoOrders => rest_algo::open_algo_orders(&req)?,
        Op::AllAlgoOrders => rest_algo::all_algo_orders(&req)?,
        Op::TestOrder => rest_trade::test_order(&req)?,
        Op::QueryOrder => rest_trade::query_order(&req)?,
        Op::CancelOrder => rest_trade::cancel_order(&req)?,
        Op::OpenOrders => rest_trade::open_orders(&req)?,
        Op::CancelAllOpen => rest_trade::cancel_all(&req)?,
        Op::AllOrders => rest_trade::all_orders(&req)?,
        Op::MyTrades => rest_trade::my_trades(&req)?,
        Op::Account => rest_account::account(&req)?,
        Op::Balance => rest_account::balance(&req)?,
        Op::PositionRisk => rest_account::position_risk(&req)?,
        Op::ApiRestrictions => rest_account::api_restrictions(&req)?,
        Op::ListenKeyNew | Op::ListenKeyKeep | Op::ListenKeyClose => {
            rest_account::listen_key(&req)?
        }
        _ => rest_market::public(&req)?,
    };
    Ok((value, counts))
}
