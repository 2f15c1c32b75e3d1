//! Signed-request checks as Binance documents them: the HMAC-SHA256 of the
//! raw query string concatenated (without a separator) with the raw body,
//! each with its `signature=` pair removed, compared with the hex
//! `signature` (case-insensitive); then the timing rule
//! `timestamp < serverTime + 1000 && serverTime - timestamp <= recvWindow`
//! (recvWindow defaults to 5000 ms, at most 60000, up to three decimals).
//! The bytes are verified as they arrived: nothing is decoded or re-encoded
//! first, so a client that signs anything else than what it sends fails.

use crate::error::ApiError;
use crate::params::Params;
use hmac::{Hmac, KeyInit, Mac};
use rust_decimal::Decimal;
use sha2::Sha256;

/// `recvWindow` when the request gives none.
pub const DEFAULT_RECV_WINDOW_MS: i64 = 5_000;
/// The largest `recvWindow` Binance accepts.
pub const MAX_RECV_WINDOW_MS: i64 = 60_000;

/// Removes the `signature=…` pair from a raw `a=1&b=2` string, keeping the
/// other bytes exactly; returns the rest and the signature, if present.
fn strip_signature(raw: &str) -> (String, Option<&str>) {
    let mut signature = None;
    let mut kept: Vec<&str> = Vec::new();
    for part in raw.split('&') {
        match part.strip_prefix("signature=") {
            Some(sig) if signature.is_none() => signature = Some(sig),
            _ => kept.push(part),
        }
    }
    (kept.join("&"), signature)
}

/// The exact bytes Binance signs for this request, and the signature sent.
pub fn signed_payload<'a>(query: &'a str, body: &'a str) -> (String, Option<&'a str>) {
    let (q, sig_q) = strip_signature(query);
    let (b, sig_b) = if body.is_empty() {
        (String::new(), None)
    } else {
        strip_signature(body)
    };
    (q + &b, sig_q.or(sig_b))
}

/// The lower-case hex HMAC-SHA256 of `payload` under `secret`.
pub fn sign(secret: &str, payload: &[u8]) -> String {
    match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mut mac) => {
            mac.update(payload);
            hex::encode(mac.finalize().into_bytes())
        }
        // HMAC takes keys of any length; this arm cannot run.
        Err(_) => String::new(),
    }
}

/// Verifies the signature of a request whose raw query string is `query`
/// and raw body `body` (constant-time comparison).
pub fn verify(secret: &str, query: &str, body: &[u8]) -> Result<(), ApiError> {
    let body = std::str::from_utf8(body).map_err(|_| ApiError::bad_signature())?;
    let (payload, signature) = signed_payload(query, body);
    let signature = signature
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ApiError::mandatory("signature"))?;
    let expected = hex::decode(signature).map_err(|_| ApiError::bad_signature())?;
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(|_| ApiError::bad_signature())?;
    mac.update(payload.as_bytes());
    mac.verify_slice(&expected)
        .map_err(|_| ApiError::bad_signature())
}

/// Checks `timestamp` (ms, or µs when it has 16 digits) and `recvWindow`
/// against the server time `now_ms`.
pub fn check_timing(params: &Params, now_ms: i64) -> Result<(), ApiError> {
    let raw = params.required("timestamp")?;
    let mut timestamp: i64 = raw
        .parse()
        .map_err(|_| ApiError::illegal("timestamp", "^[0-9]{1,20}$"))?;
    if timestamp >= 1_000_000_000_000_000 {
        timestamp /= 1_000; // microseconds
    }
    let window = match params.decimal("recvWindow")? {
        None => Decimal::from(DEFAULT_RECV_WINDOW_MS),
        Some(w) if w > Decimal::from(MAX_RECV_WINDOW_MS) => {
            return Err(ApiError::bad(-1131, "recvWindow must be less than 60000"));
        }
        Some(w) => w,
    };
    if timestamp >= now_ms + 1_000 {
        return Err(ApiError::bad(
            -1021,
            "Timestamp for this request was 1000ms ahead of the server's time.",
        ));
    }
    if Decimal::from(now_ms - timestamp) > window {
        return Err(ApiError::bad(
            -1021,
            "Timestamp for this request is outside of the recvWindow.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPOT_SECRET: &str = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
    const S1: &str = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";

    #[test]
    fn the_documented_spot_vectors_verify() {
        let sig = "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71";
        assert_eq!(sign(SPOT_SECRET, S1.as_bytes()), sig);
        // In the query string, in the body, and in upper case.
        let with_sig = format!("{S1}&signature={sig}");
        assert!(verify(SPOT_SECRET, &with_sig, b"").is_ok());
        assert!(verify(SPOT_SECRET, "", with_sig.as_bytes()).is_ok());
        let upper = format!("{S1}&signature={}", sig.to_uppercase());
        assert!(verify(SPOT_SECRET, &upper, b"").is_ok());
        // Mixed: query + body concatenated without a separator (S3).
        let s3 = "0fd168b8ddb4876a0358a8d14d0c9f3da0e9b20c5d52b2a00fcf7d1c602f9a77";
        let body =
            format!("quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559&signature={s3}");
        assert!(
            verify(
                SPOT_SECRET,
                "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC",
                body.as_bytes()
            )
            .is_ok()
        );
    }

    #[test]
    fn the_documented_futures_vector_verifies() {
        let secret = "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9";
        let f1 = "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC&recvWindow=5000&timestamp=1591702613943";
        assert_eq!(
            sign(secret, f1.as_bytes()),
            "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9"
        );
    }

    #[test]
    fn a_changed_byte_or_a_missing_signature_fails() {
        let sig = sign(SPOT_SECRET, S1.as_bytes());
        let tampered = format!("{}&signature={sig}", S1.replace("price=0.1", "price=0.2"));
        assert_eq!(verify(SPOT_SECRET, &tampered, b"").unwrap_err().code, -1022);
        assert_eq!(verify(SPOT_SECRET, S1, b"").unwrap_err().code, -1102);
        let garbage = format!("{S1}&signature=zz");
        assert_eq!(verify(SPOT_SECRET, &garbage, b"").unwrap_err().code, -1022);
    }

    #[test]
    fn the_timing_rule_is_binances() {
        let now = 1_700_000_000_000;
        let at = |ts: i64, w: &str| {
            let q = format!("timestamp={ts}{w}");
            check_timing(&Params::parse(&q, b"").unwrap(), now)
        };
        assert!(at(now - 5_000, "").is_ok());
        assert_eq!(at(now - 5_001, "").unwrap_err().code, -1021);
        assert!(at(now - 9_000, "&recvWindow=10000").is_ok());
        assert!(at(now + 999, "").is_ok());
        assert_eq!(at(now + 1_000, "").unwrap_err().code, -1021);
        assert_eq!(at(now, "&recvWindow=60001").unwrap_err().code, -1131);
        assert!(at(now * 1_000, "").is_ok(), "microseconds");
    }
}
