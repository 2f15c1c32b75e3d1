//! Bybit's answer envelope `{"retCode","retMsg","result","retExtInfo","time"}`
//! and its errors. Request errors are HTTP 200 with a non-zero `retCode`
//! (a wrong signature too); only the IP limit (403) and unknown paths (404)
//! change the HTTP status, as Bybit documents (docs/v5/error).

use crate::state::now_ms;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// A Bybit error answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("HTTP {status} retCode {code}: {msg}")]
pub struct BybitError {
    pub status: u16,
    pub code: i64,
    pub msg: String,
}

impl BybitError {
    /// HTTP 200 with `code`.
    pub fn new(code: i64, msg: impl Into<String>) -> Self {
        BybitError {
            status: 200,
            code,
            msg: msg.into(),
        }
    }

    /// 10001: a missing or invalid parameter.
    pub fn params(msg: impl Into<String>) -> Self {
        BybitError::new(10001, msg)
    }

    /// 10001 naming a missing parameter.
    pub fn missing(name: &str) -> Self {
        BybitError::params(format!(
            "Missing some parameters that must be filled in: {name}"
        ))
    }

    /// 10001 naming an invalid parameter.
    pub fn invalid(name: &str, value: &str) -> Self {
        BybitError::params(format!("params error: {name} invalid: {value}"))
    }

    /// 10003: unknown key.
    pub fn api_key() -> Self {
        BybitError::new(
            10003,
            "API key is invalid. Check whether the key and domain are matched.",
        )
    }

    /// 10004: the signature does not match.
    pub fn sign() -> Self {
        BybitError::new(
            10004,
            "Error sign, please check your signature generation algorithm.",
        )
    }

    /// 10016: the simulator failed (should not happen).
    pub fn server(msg: impl Into<String>) -> Self {
        BybitError::new(10016, msg)
    }

    /// The envelope of this error.
    pub fn body(&self) -> Value {
        json!({
            "retCode": self.code, "retMsg": self.msg, "result": {},
            "retExtInfo": {}, "time": now_ms(),
        })
    }
}

/// The envelope of a success.
pub fn ok(result: Value) -> Value {
    json!({
        "retCode": 0, "retMsg": "OK", "result": result,
        "retExtInfo": {}, "time": now_ms(),
    })
}

/// A JSON response with a status.
pub fn respond(status: u16, body: &Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

impl IntoResponse for BybitError {
    fn into_response(self) -> Response {
        respond(self.status, &self.body())
    }
}
