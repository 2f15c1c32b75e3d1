//! Bybit's request signing (shared/research/exchange_vectors.md section 3,
//! docs/v5/guide "Create A Request"): the lower-case hex HMAC-SHA256 of
//! `timestamp + apiKey + recvWindow + payload`, where the payload is the raw
//! query string of a GET or the raw JSON body of a POST, exactly as sent
//! (never re-encoded: pybit sends `", "` separators, others compact JSON).
//! Headers `X-BAPI-API-KEY`, `X-BAPI-TIMESTAMP`, `X-BAPI-SIGN`,
//! `X-BAPI-RECV-WINDOW` (default 5000). Timing rule:
//! `server_time - recv_window <= timestamp < server_time + 1000`.
//! WebSocket auth: `{"op":"auth","args":[key, expires, sign]}` with the HMAC
//! of `"GET/realtime" + expires`, `expires` in the future.

use super::envelope::BybitError;
use crate::state::{Shared, lock};
use axum::http::HeaderMap;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// `X-BAPI-RECV-WINDOW` when absent.
pub const DEFAULT_RECV_WINDOW_MS: i64 = 5_000;

/// The lower-case hex HMAC-SHA256 of `payload` under `secret`.
pub fn sign(secret: &str, payload: &str) -> String {
    crate::auth::sign(secret, payload.as_bytes())
}

/// Whether `signature` (hex, any case) is the HMAC of `payload`
/// (constant-time comparison).
pub fn matches(secret: &str, payload: &str, signature: &str) -> bool {
    let Ok(expected) = hex::decode(signature) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(payload.as_bytes());
    mac.verify_slice(&expected).is_ok()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
}

/// The secret of `key`, or 10003.
pub fn secret_of(shared: &Shared, key: &str) -> Result<String, BybitError> {
    lock(&shared.inner)
        .keys
        .get(key)
        .map(|k| k.secret.clone())
        .ok_or_else(BybitError::api_key)
}

/// Checks a private request; the caller's key.
pub fn authenticate(
    shared: &Shared,
    headers: &HeaderMap,
    payload: &str,
    now: i64,
) -> Result<String, BybitError> {
    let key = header(headers, "x-bapi-api-key").ok_or_else(BybitError::api_key)?;
    let secret = secret_of(shared, key)?;
    let raw_ts = header(headers, "x-bapi-timestamp")
        .ok_or_else(|| BybitError::new(10002, "missing X-BAPI-TIMESTAMP"))?;
    let ts: i64 = raw_ts
        .parse()
        .map_err(|_| BybitError::new(10002, format!("invalid timestamp {raw_ts}")))?;
    let raw_window = header(headers, "x-bapi-recv-window").unwrap_or("5000");
    let window: i64 = raw_window.parse().ok().filter(|w| *w > 0).ok_or_else(|| {
        BybitError::params(format!("params error: recv_window invalid: {raw_window}"))
    })?;
    let signature = header(headers, "x-bapi-sign").ok_or_else(BybitError::sign)?;
    let plain = format!("{raw_ts}{key}{raw_window}{payload}");
    if !matches(&secret, &plain, signature) {
        return Err(BybitError::sign());
    }
    if !(now - window <= ts && ts < now + 1_000) {
        return Err(BybitError::new(
            10002,
            format!(
                "invalid request, please check your server timestamp or recv_window param. req_timestamp[{ts}],server_timestamp[{now}],recv_window[{window}]"
            ),
        ));
    }
    Ok(key.to_string())
}

/// Checks a WebSocket `auth` op's args; the key, or (retCode, retMsg).
pub fn ws_auth(shared: &Shared, args: &[String], now: i64) -> Result<String, (i64, String)> {
    let [key, expires, signature] = args else {
        return Err((10001, "Params Error".into()));
    };
    let secret = secret_of(shared, key).map_err(|_| (10003, "Invalid apikey".to_string()))?;
    let exp: i64 = expires
        .parse()
        .map_err(|_| (10001, "Params Error".to_string()))?;
    if !matches(&secret, &format!("GET/realtime{expires}"), signature) {
        return Err((10004, "Request not authorized".into()));
    }
    if exp <= now {
        return Err((10002, "Request expired".into()));
    }
    Ok(key.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "TESTBYBITSECRET0000000000000000000001";

    #[test]
    fn the_replacement_vectors_verify() {
        // shared/research/exchange_vectors.md section 3.
        let get = "1658384314791XXXXXXXXXX5000category=option&symbol=BTC-29JUL22-25000-C";
        let post = "1658385579423XXXXXXXXXX5000{\"category\": \"option\"}";
        let g = "9b88cc5d8ec108dcced35a5f1f70754d3a34911a33476953327bd33893e14b3e";
        let p = "94fff302fb977e1da1b9563e6910a727e692a3d4df18621d732bdca66908bd15";
        let ws = "70c0f00f4de29bbd2f0a8dac28844e7aa456d718c96ca508205d7ef09e4153d9";
        assert_eq!(sign(SECRET, get), g);
        assert_eq!(sign(SECRET, post), p);
        assert_eq!(sign(SECRET, "GET/realtime1662350400000"), ws);
        assert!(matches(SECRET, get, &g.to_uppercase()));
        assert!(!matches(SECRET, &get.replace("option", "linear"), g));
        assert!(!matches(SECRET, get, "nothex"));
    }
}
