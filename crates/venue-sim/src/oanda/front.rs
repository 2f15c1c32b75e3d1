//! The REST front door of the OANDA protocol: injected faults, the bearer
//! token (HTTP 401 `Insufficient authorization to perform request.`), the
//! account of the path (another token's: 403), then the route.
//!
//! Faults, mapped to OANDA's answers: `delay` waits; `429` (and `418`,
//! OANDA has no bans) answers HTTP 429 with an errorMessage; `5xx` that
//! status with an errorMessage; `refuse(code=N)` on POST orders rejects the
//! order (HTTP 400, orderRejectTransaction, errorCode = the reject reason:
//! -2010/-2019 INSUFFICIENT_MARGIN, -1013 UNITS_INVALID, -2021
//! PRICE_INVALID, others MARKET_HALTED), on other paths answers 400;
//! `order-timeout` places the order, then answers 503; `-1021` does not
//! apply (OANDA signs nothing) and is ignored; `drop-ws`, `dup-events`,
//! `reorder-events`, `garble-events` act on the streams.

use super::OandaState;
use super::fill::Cx;
use super::instruments::{self, CandleQuery};
use super::wire::{self, OandaError};
use super::{close, orders, rest, streams, txlog};
use crate::faults::{FaultKind, Occasion};
use crate::state::lock;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// Query parameters (the last value of a name wins).
pub type Query = BTreeMap<String, String>;

fn query(uri: &Uri) -> Query {
    form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

/// The token of `Authorization: Bearer <token>`.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let v = headers.get("authorization")?.to_str().ok()?;
    v.strip_prefix("Bearer ").map(str::trim)
}

fn injected_error(kind: FaultKind) -> Option<OandaError> {
    Some(match kind {
        FaultKind::TooManyRequests | FaultKind::Banned { .. } => OandaError::new(
            429,
            "Requests per second exceeds maximum allowed value of 100",
        ),
        FaultKind::ServerError { status } => OandaError::new(status, "Internal Server Error"),
        _ => return None,
    })
}

/// The fallback handler for every path.
pub async fn dispatch(
    State(st): State<Arc<OandaState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let unix = headers
        .get("accept-datetime-format")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("UNIX"));
    let path = uri.path().to_string();
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    let q = query(&uri);
    let json_body: Option<Value> = serde_json::from_slice(&body).ok();
    let order_type = json_body
        .as_ref()
        .and_then(|b| b.get("order")?.get("type")?.as_str().map(str::to_string));
    // Placing: POST …/orders, or PUT …/orders/{spec} (a replacement).
    let placing = (method == Method::POST && segs.last() == Some(&"orders"))
        || (method == Method::PUT && segs.len() == 5 && segs.get(3) == Some(&"orders"));
    let occasion = Occasion {
        method: Some(method.as_str()),
        order_type: order_type.as_deref().filter(|_| placing),
    };
    let mut refuse = None;
    match crate::faults::request_fault(&st.shared.faults, &path, &occasion).await {
        Some(FaultKind::Refuse { code }) if placing => refuse = Some(code),
        Some(FaultKind::Refuse { code }) => {
            let e = OandaError::new(400, format!("Refused by an injected fault ({code})."));
            return wire::respond(e.status, &e.body(), unix);
        }
        Some(k) => {
            if let Some(e) = injected_error(k) {
                return wire::respond(e.status, &e.body(), unix);
            }
        }
        None => {}
    }
    let Some(token) = bearer(&headers).map(str::to_string) else {
        let e = OandaError::unauthorized();
        return wire::respond(401, &e.body(), unix);
    };
    if !lock(&st.accounts).contains_key(&token) {
        let e = OandaError::unauthorized();
        return wire::respond(401, &e.body(), unix);
    }
    // Streams answer with a body of their own.
    match (method.as_str(), segs.as_slice()) {
        ("GET", ["v3", "accounts", a, "pricing", "stream"]) => {
            return match owned(&st, &token, a) {
                Ok(()) => streams::pricing(st.clone(), &q, &path, unix),
                Err(e) => wire::respond(e.status, &e.body(), unix),
            };
        }
        ("GET", ["v3", "accounts", a, "transactions", "stream"]) => {
            return match owned(&st, &token, a) {
                Ok(()) => streams::transactions(st.clone(), &token, &path, unix),
                Err(e) => wire::respond(e.status, &e.body(), unix),
            };
        }
        _ => {}
    }
    let timeout = if placing {
        lock(&st.shared.faults).fire(&path, |k| matches!(k, FaultKind::OrderTimeout { .. }))
    } else {
        None
    };
    let result = route(
        &st,
        &token,
        &method,
        &segs,
        &q,
        json_body.as_ref(),
        &body,
        refuse,
    );
    if let (Some(FaultKind::OrderTimeout { ms }), Ok(_)) = (timeout, &result) {
        tokio::time::sleep(Duration::from_millis(ms)).await;
        let e = OandaError::new(503, "Service Unavailable: the order's outcome is unknown");
        return wire::respond(e.status, &e.body(), unix);
    }
    match result {
        Ok((status, v)) => wire::respond(status, &v, unix),
        Err(e) => wire::respond(e.status, &e.body(), unix),
    }
}

/// Whether account `id` is the token's (403 otherwise, 400 if unknown).
fn owned(st: &OandaState, token: &str, id: &str) -> Result<(), OandaError> {
    let accounts = lock(&st.accounts);
    match accounts.get(token) {
        Some(a) if a.id == id => Ok(()),
        _ if accounts.values().any(|a| a.id == id) => {
            Err(OandaError::new(403, "The provided request was forbidden."))
        }
        _ => Err(OandaError::invalid("accountID")),
    }
}

#[allow(clippy::too_many_arguments)]
fn route(
    st: &OandaState,
    token: &str,
    method: &Method,
    segs: &[&str],
    q: &Query,
    body: Option<&Value>,
    raw: &[u8],
    refuse: Option<i64>,
) -> Result<(u16, Value), OandaError> {
    let m = method.as_str();
    let ok = |v: Value| Ok((200, v));
    let step = st.step();
    let now = instruments::market_time(&st.shared, step);
    let cx = Cx {
        shared: &st.shared,
        step,
        now,
    };
    let candle_q = || CandleQuery {
        price: q.get("price").map(String::as_str),
        granularity: q.get("granularity").map(String::as_str),
        count: q.get("count").map(String::as_str),
        from: q.get("from").map(String::as_str),
        to: q.get("to").map(String::as_str),
    };
    if let ("GET", ["v3", "instruments", inst, "candles"]) = (m, segs) {
        let i = st
            .shared
            .market
            .find(inst)
            .ok_or_else(|| OandaError::invalid("instrument"))?;
        return ok(instruments::candles(&st.shared, i, step, &candle_q())?);
    }
    if let ("GET", ["v3", "accounts"]) = (m, segs) {
        let accounts = lock(&st.accounts);
        let a = accounts.get(token).ok_or_else(OandaError::unauthorized)?;
        return ok(json!({"accounts": [{"id": a.id, "tags": []}]}));
    }
    let ["v3", "accounts", a, rest @ ..] = segs else {
        return Err(not_found(m, segs));
    };
    owned(st, token, a)?;
    let mut accounts = lock(&st.accounts);
    let acct = accounts
        .get_mut(token)
        .ok_or_else(OandaError::unauthorized)?;
    let body_or_empty = || {
        if raw.is_empty() {
            Ok(json!({}))
        } else {
            body.cloned()
                .ok_or_else(|| OandaError::new(400, "Invalid JSON in the request body"))
        }
    };
    match (m, rest) {
        ("GET", []) => ok(rest::account(st, acct, step, true)),
        ("GET", ["summary"]) => ok(rest::account(st, acct, step, false)),
        ("GET", ["instruments"]) => ok(rest::instruments(st, acct, q)),
        ("GET", ["changes"]) => rest::changes(st, acct, step, q).map(|v| (200, v)),
        ("GET", ["pricing"]) => rest::pricing(st, acct, step, now, q).map(|v| (200, v)),
        ("GET", ["instruments", inst, "candles"]) => {
            let i = st
                .shared
                .market
                .find(inst)
                .ok_or_else(|| OandaError::invalid("instrument"))?;
            ok(instruments::candles(&st.shared, i, step, &candle_q())?)
        }
        ("POST", ["orders"]) => {
            let b = body.ok_or_else(|| OandaError::new(400, "Invalid JSON in the request body"))?;
            orders::create(acct, &cx, b, refuse).map(|v| (201, v))
        }
        ("GET", ["orders"]) => ok(rest::orders(st, acct, q, false)),
        ("GET", ["pendingOrders"]) => ok(rest::orders(st, acct, q, true)),
        ("GET", ["orders", spec]) => rest::order(st, acct, spec).map(|v| (200, v)),
        ("PUT", ["orders", spec, "cancel"]) => rest::cancel(acct, now, spec).map(|v| (200, v)),
        ("GET", ["trades"]) => ok(rest::trades(st, acct, step, q, false)),
        ("GET", ["openTrades"]) => ok(rest::trades(st, acct, step, q, true)),
        ("GET", ["trades", spec]) => rest::trade(st, acct, step, spec).map(|v| (200, v)),
        ("PUT", ["trades", spec, "close"]) => {
            close::close_trade(acct, &cx, spec, &body_or_empty()?).map(|v| (200, v))
        }
        ("GET", ["positions"]) => ok(rest::positions(st, acct, step, false)),
        ("GET", ["openPositions"]) => ok(rest::positions(st, acct, step, true)),
        ("GET", ["positions", inst]) => rest::position(st, acct, step, inst).map(|v| (200, v)),
        ("PUT", ["positions", inst, "close"]) => {
            close::close_position(acct, &cx, inst, &body_or_empty()?).map(|v| (200, v))
        }
        ("GET", ["transactions"]) => txlog::transactions(acct, q, a, now).map(|v| (200, v)),
        ("GET", ["transactions", "idrange"]) => txlog::idrange(acct, q).map(|v| (200, v)),
        ("GET", ["transactions", "sinceid"]) => txlog::sinceid(acct, q).map(|v| (200, v)),
        ("GET", ["transactions", id]) => txlog::transaction(acct, id).map(|v| (200, v)),
        ("PUT", ["orders", spec]) => {
            let b = body.ok_or_else(|| OandaError::new(400, "Invalid JSON in the request body"))?;
            orders::replace(acct, &cx, spec, b, refuse).map(|v| (201, v))
        }
        _ => Err(not_found(m, segs)),
    }
}

fn not_found(m: &str, segs: &[&str]) -> OandaError {
    OandaError::new(
        404,
        format!("venue-sim has no endpoint {m} /{}", segs.join("/")),
    )
}
