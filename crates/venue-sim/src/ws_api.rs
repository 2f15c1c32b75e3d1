//! The spot WebSocket API's user data stream (`/ws-api/v3`), as Binance
//! serves it since 2025: the client sends `userDataStream.subscribe.signature`
//! with its API key, a timestamp and an HMAC signature over
//! `apiKey=…&timestamp=…`; the answer carries a subscription id, and the
//! account's events then arrive as `{"subscriptionId":0,"event":{…}}`.

use crate::auth;
use crate::state::{Shared, lock, now_ms};
use serde_json::{Value, json};
use tokio::sync::broadcast;

/// Binance's default receive window for WS API requests (ms).
const RECV_WINDOW_MS: i64 = 5_000;

fn error(id: &Value, code: i64, msg: &str) -> Value {
    json!({"id": id, "status": 400, "error": {"code": code, "msg": msg}})
}

/// Answers a WS API request; on a valid subscription, the account's event
/// channel to forward.
pub fn request(shared: &Shared, text: &str) -> (Value, Option<broadcast::Receiver<String>>) {
    let Ok(msg) = serde_json::from_str::<Value>(text) else {
        return (error(&Value::Null, -1102, "Invalid JSON."), None);
    };
    let id = msg.get("id").cloned().unwrap_or(Value::Null);
    if msg.get("method").and_then(Value::as_str) != Some("userDataStream.subscribe.signature") {
        return (error(&id, -1100, "Unknown method."), None);
    }
    let params = msg.get("params").cloned().unwrap_or(Value::Null);
    let (Some(key), Some(timestamp), Some(signature)) = (
        params.get("apiKey").and_then(Value::as_str),
        params.get("timestamp").and_then(Value::as_i64),
        params.get("signature").and_then(Value::as_str),
    ) else {
        return (
            error(
                &id,
                -1102,
                "Mandatory parameter 'apiKey', 'timestamp' or 'signature' was not sent.",
            ),
            None,
        );
    };
    let mut inner = lock(&shared.inner);
    let Some(state) = inner.keys.get_mut(key) else {
        return (
            error(
                &id,
                -2015,
                "Invalid API-key, IP, or permissions for action.",
            ),
            None,
        );
    };
    let payload = format!("apiKey={key}&timestamp={timestamp}");
    if auth::sign(&state.secret, payload.as_bytes()) != signature {
        return (
            error(&id, -1022, "Signature for this request is not valid."),
            None,
        );
    }
    if now_ms().abs_diff(timestamp) > RECV_WINDOW_MS.unsigned_abs() {
        return (
            error(
                &id,
                -1021,
                "Timestamp for this request is outside of the recvWindow.",
            ),
            None,
        );
    }
    let events = state.spot.events.subscribe();
    inner.ws_api_subscriptions += 1;
    (
        json!({"id": id, "status": 200, "result": {"subscriptionId": 0}}),
        Some(events),
    )
}

/// A user event as the WS API delivers it.
pub fn wrap(event: Value) -> String {
    json!({"subscriptionId": 0, "event": event}).to_string()
}
