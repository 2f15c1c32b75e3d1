//! Bybit v5 request signing (v5 docs, "Integration Guidance" /
//! "Authentication"; vectors in shared/research/exchange_vectors.md §3).
//!
//! - REST: HMAC-SHA256, lowercase hex, of `timestamp + apiKey +
//!   recvWindow + payload`, where the payload is the query string of a GET
//!   exactly as sent and the JSON body of a POST exactly as sent. The
//!   signature and its inputs travel in the headers `X-BAPI-API-KEY`,
//!   `X-BAPI-TIMESTAMP`, `X-BAPI-SIGN`, `X-BAPI-RECV-WINDOW` and
//!   `X-BAPI-SIGN-TYPE: 2` (HMAC), as pybit sends them.
//! - Private WebSocket: `{"op":"auth","args":[apiKey, expires, sig]}` with
//!   `sig` the HMAC hex of `"GET/realtime" + expires` (ms, in the future).

use crate::net::RequestSigner;

/// The bytes Bybit signs for a REST request.
pub fn rest_payload(
    timestamp_ms: i64,
    api_key: &str,
    recv_window_ms: u32,
    payload: &str,
) -> String {
    let mut s = String::with_capacity(40 + api_key.len() + payload.len());
    s.push_str(&timestamp_ms.to_string());
    s.push_str(api_key);
    s.push_str(&recv_window_ms.to_string());
    s.push_str(payload);
    s
}

/// The signature of a REST request.
pub fn rest_signature(
    signer: &dyn RequestSigner,
    timestamp_ms: i64,
    api_key: &str,
    recv_window_ms: u32,
    payload: &str,
) -> String {
    signer.sign(rest_payload(timestamp_ms, api_key, recv_window_ms, payload).as_bytes())
}

/// The authentication headers of a signed REST request.
pub fn auth_headers(
    signer: &dyn RequestSigner,
    timestamp_ms: i64,
    api_key: &str,
    recv_window_ms: u32,
    payload: &str,
) -> Vec<(&'static str, String)> {
    let sign = rest_signature(signer, timestamp_ms, api_key, recv_window_ms, payload);
    vec![
        ("X-BAPI-API-KEY", api_key.to_string()),
        ("X-BAPI-TIMESTAMP", timestamp_ms.to_string()),
        ("X-BAPI-SIGN", sign),
        ("X-BAPI-RECV-WINDOW", recv_window_ms.to_string()),
        ("X-BAPI-SIGN-TYPE", "2".to_string()),
    ]
}

/// The signature of the private stream's auth request.
pub fn ws_auth_signature(signer: &dyn RequestSigner, expires_ms: i64) -> String {
    signer.sign(format!("GET/realtime{expires_ms}").as_bytes())
}

/// The private stream's auth frame.
pub fn ws_auth_frame(signer: &dyn RequestSigner, api_key: &str, expires_ms: i64) -> String {
    let sig = ws_auth_signature(signer, expires_ms);
    serde_json::json!({ "op": "auth", "args": [api_key, expires_ms, sig] }).to_string()
}
