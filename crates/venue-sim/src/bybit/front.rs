//! The REST front door of the Bybit protocol. Every request goes through
//! the same steps: route lookup (unknown paths: HTTP 404, retCode 10017),
//! injected faults, the IP limit, parameters (GET query string or POST JSON
//! body), the key, signature and timestamp of private routes, the per-UID
//! endpoint limit, then the handler; private answers carry the
//! `X-Bapi-Limit*` headers.
//!
//! Faults, mapped to Bybit's answers: `delay` waits; `429` answers retCode
//! 10006 (HTTP 200); `418` answers HTTP 403 retCode 10018 (IP limit);
//! `-1021` answers retCode 10002; `5xx` answers that HTTP status with
//! retCode 10016; `order-timeout` places the order, then answers retCode
//! 10000 "Server Timeout" (execution status unknown); `refuse(code=N)`
//! answers retCode N (a Binance code, negative, means "insufficient
//! balance": 110007 on linear, 170131 on spot).

use super::BybitState;
use super::envelope::{self, BybitError};
use super::params::Params;
use super::ratelimit::Status;
use super::{auth, market, trade, user};
use crate::faults::{FaultKind, Occasion};
use crate::state::{lock, now_ms};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, Method, Uri};
use axum::response::Response;
use serde_json::Value;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// The operations served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Time,
    Instruments,
    Kline,
    Orderbook,
    Tickers,
    RecentTrade,
    Create,
    Cancel,
    CancelAll,
    Amend,
    Realtime,
    History,
    Executions,
    Positions,
    Wallet,
    FeeRate,
    QueryApi,
}

/// The route table: method and path to operation.
pub fn resolve(method: &Method, path: &str) -> Option<Op> {
    use Op::*;
    Some(match (method.as_str(), path) {
        ("GET", "/v5/market/time") => Time,
        ("GET", "/v5/market/instruments-info") => Instruments,
        ("GET", "/v5/market/kline") => Kline,
        ("GET", "/v5/market/orderbook") => Orderbook,
        ("GET", "/v5/market/tickers") => Tickers,
        ("GET", "/v5/market/recent-trade") => RecentTrade,
        ("POST", "/v5/order/create") => Create,
        ("POST", "/v5/order/cancel") => Cancel,
        ("POST", "/v5/order/cancel-all") => CancelAll,
        ("POST", "/v5/order/amend") => Amend,
        ("GET", "/v5/order/realtime") => Realtime,
        ("GET", "/v5/order/history") => History,
        ("GET", "/v5/execution/list") => Executions,
        ("GET", "/v5/position/list") => Positions,
        ("GET", "/v5/account/wallet-balance") => Wallet,
        ("GET", "/v5/account/fee-rate") => FeeRate,
        ("GET", "/v5/user/query-api") => QueryApi,
        _ => return None,
    })
}

fn is_private(op: Op) -> bool {
    !matches!(
        op,
        Op::Time | Op::Instruments | Op::Kline | Op::Orderbook | Op::Tickers | Op::RecentTrade
    )
}

/// What a handler gets.
pub struct Req<'a> {
    pub st: &'a BybitState,
    pub params: Params,
    /// The caller's key on private routes.
    pub key: Option<String>,
}

impl Req<'_> {
    pub fn key(&self) -> Result<&str, BybitError> {
        self.key.as_deref().ok_or_else(BybitError::api_key)
    }
}

fn set_header(r: &mut Response, name: &'static str, value: String) {
    if let Ok(v) = HeaderValue::from_str(&value) {
        r.headers_mut().insert(name, v);
    }
}

fn with_limits(mut r: Response, status: Option<Status>) -> Response {
    if let Some(s) = status {
        set_header(&mut r, "x-bapi-limit", s.limit.to_string());
        set_header(&mut r, "x-bapi-limit-status", s.remaining.to_string());
        set_header(
            &mut r,
            "x-bapi-limit-reset-timestamp",
            s.reset_ms.to_string(),
        );
    }
    r
}

fn too_many() -> BybitError {
    BybitError::new(10006, "Too many visits. Exceeded the API Rate Limit.")
}

fn ip_limited() -> BybitError {
    BybitError {
        status: 403,
        code: 10018,
        msg: "access too frequent: exceeded the IP Rate Limit.".into(),
    }
}

/// A request-level fault that fires, as Bybit's answer.
async fn injected(
    st: &BybitState,
    path: &str,
    occasion: &Occasion<'_>,
    spot: bool,
) -> Option<BybitError> {
    let fault = crate::faults::request_fault(&st.shared.faults, path, occasion).await?;
    Some(match fault {
        FaultKind::TooManyRequests => too_many(),
        FaultKind::Banned { .. } => ip_limited(),
        FaultKind::BadTimestamp => BybitError::new(
            10002,
            "invalid request, please check your server timestamp or recv_window param",
        ),
        FaultKind::ServerError { status } => BybitError {
            status,
            code: 10016,
            msg: "Server error.".into(),
        },
        FaultKind::Refuse { code } if code < 0 && spot => {
            trade::insufficient(super::Category::Spot)
        }
        FaultKind::Refuse { code } if code < 0 => trade::insufficient(super::Category::Linear),
        FaultKind::Refuse { code } => {
            BybitError::new(code, format!("Refused by an injected fault ({code})."))
        }
        _ => return None,
    })
}

/// The fallback handler for every REST path.
pub async fn dispatch(
    State(st): State<Arc<BybitState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    let Some(op) = resolve(&method, &path) else {
        return BybitError {
            status: 404,
            code: 10017,
            msg: format!("Route not found: venue-sim has no endpoint {method} {path}"),
        }
        .into_response_value();
    };
    let query = uri.query().unwrap_or("").to_string();
    let (params, payload) = if method == Method::GET {
        (Ok(Params::from_query(&query)), query.clone())
    } else {
        (
            Params::from_json(&body),
            String::from_utf8_lossy(&body).into_owned(),
        )
    };
    let order_type = params
        .as_ref()
        .ok()
        .and_then(|p| p.get("orderType").map(str::to_string));
    let spot = params
        .as_ref()
        .ok()
        .is_some_and(|p| p.get("category") == Some("spot"));
    let occasion = Occasion {
        method: Some(method.as_str()),
        order_type: order_type.as_deref().filter(|_| op == Op::Create),
    };
    if let Some(e) = injected(&st, &path, &occasion, spot).await {
        return e.into_response_value();
    }
    let now = now_ms();
    if !lock(&st.limiter).ip(peer.ip(), now) {
        return ip_limited().into_response_value();
    }
    let params = match params {
        Ok(p) => p,
        Err(e) => return e.into_response_value(),
    };
    let mut status = None;
    let key = if is_private(op) {
        let key = match auth::authenticate(&st.shared, &headers, &payload, now) {
            Ok(k) => k,
            Err(e) => return e.into_response_value(),
        };
        let category = params.get("category").unwrap_or("").to_string();
        let (s, allowed) = lock(&st.limiter).uid(&key, &path, &category, now);
        status = Some(s);
        if !allowed {
            return with_limits(too_many().into_response_value(), status);
        }
        Some(key)
    } else {
        None
    };
    let req = Req {
        st: &st,
        params,
        key,
    };
    let timeout = if op == Op::Create {
        lock(&st.shared.faults).fire(&path, |k| matches!(k, FaultKind::OrderTimeout { .. }))
    } else {
        None
    };
    let result = handle(op, &req);
    if let (Some(FaultKind::OrderTimeout { ms }), Ok(_)) = (timeout, &result) {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        let e = BybitError::new(10000, "Server Timeout");
        return with_limits(e.into_response_value(), status);
    }
    let response = match result {
        Ok(v) => envelope::respond(200, &envelope::ok(v)),
        Err(e) => e.into_response_value(),
    };
    with_limits(response, status)
}

fn handle(op: Op, req: &Req) -> Result<Value, BybitError> {
    match op {
        Op::Time => Ok(market::time()),
        Op::Instruments => super::instruments::instruments(req),
        Op::Kline => market::kline(req),
        Op::Orderbook => market::orderbook(req),
        Op::Tickers => market::tickers(req),
        Op::RecentTrade => market::recent_trade(req),
        Op::Create => trade::create(req),
        Op::Cancel => trade::cancel(req),
        Op::CancelAll => trade::cancel_all(req),
        Op::Amend => Err(BybitError::params(
            "venue-sim does not support /v5/order/amend: cancel and place a new order",
        )),
        Op::Realtime => trade::realtime(req),
        Op::History => trade::history(req),
        Op::Executions => trade::executions(req),
        Op::Positions => user::positions(req),
        Op::Wallet => user::wallet(req),
        Op::FeeRate => user::fee_rate(req),
        Op::QueryApi => user::query_api(req),
    }
}

impl BybitError {
    /// The error as an HTTP response.
    pub fn into_response_value(self) -> Response {
        envelope::respond(self.status, &self.body())
    }
}
