//! Errors of the Bybit adapter and what Bybit's `retCode`s mean for the
//! caller.
//!
//! Codes from Bybit's v5 error code page
//! (<https://bybit-exchange.github.io/docs/v5/error>, "UTA" and "Spot
//! Trade" tables), confirmed against the recorded answers of
//! nautilus_trader's test data (`ws_auth_failure.json`: 10003).

use crate::error::{VenueError, VenueErrorKind};
use crate::net::NetError;
use smc_model::InstrumentError;

pub use crate::binance::error::ParseError;

/// Bybit's `retCode`s the adapter acts on.
pub mod codes {
    /// Request parameter error.
    pub const PARAMS: i64 = 10001;
    /// The request's timestamp or recv_window is invalid: resync the clock.
    pub const TIMESTAMP: i64 = 10002;
    /// Invalid API key.
    pub const API_KEY: i64 = 10003;
    /// Error sign (wrong signature); answered with HTTP 200.
    pub const SIGN: i64 = 10004;
    /// Permission denied for the key.
    pub const PERMISSION: i64 = 10005;
    /// Too many visits (the account's rate limit).
    pub const RATE_LIMIT: i64 = 10006;
    /// Server timeout: delivery and request status unknown.
    pub const SERVER_TIMEOUT: i64 = 10000;
    /// Response timeout from the backend: status unknown.
    pub const BACKEND_TIMEOUT: i64 = 10007;
    /// Service unavailable / restarting.
    pub const SERVICE_UNAVAILABLE: i64 = 10016;
    /// Exceeded the IP rate limit.
    pub const IP_RATE_LIMIT: i64 = 10018;
    /// Derivatives: order does not exist.
    pub const ORDER_NOT_EXISTS: i64 = 110001;
    /// Derivatives: insufficient available balance.
    pub const INSUFFICIENT_BALANCE: i64 = 110007;
    /// Duplicate `orderLinkId`.
    pub const DUPLICATE_LINK_ID: i64 = 110072;
    /// Spot: insufficient balance.
    pub const SPOT_INSUFFICIENT_BALANCE: i64 = 170131;
    /// Spot: order does not exist.
    pub const SPOT_ORDER_NOT_EXISTS: i64 = 170213;
}

/// An answer with `retCode != 0` (or an HTTP error without one).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: HTTP {status}, Bybit retCode {code}: {msg}")]
pub struct ApiError {
    pub path: String,
    pub status: u16,
    /// Bybit's `retCode`; for an HTTP error without a JSON body, the HTTP
    /// status negated (-403).
    pub code: i64,
    pub msg: String,
    /// When the venue's limit resets (epoch ms), from
    /// `X-Bapi-Limit-Reset-Timestamp` or Bybit's stated ban length.
    pub retry_at_ms: Option<i64>,
}

impl ApiError {
    pub fn is_timestamp(&self) -> bool {
        self.code == codes::TIMESTAMP
    }

    /// The venue did not say whether it acted.
    pub fn is_status_unknown(&self) -> bool {
        matches!(
            self.code,
            codes::SERVER_TIMEOUT | codes::BACKEND_TIMEOUT | codes::SERVICE_UNAVAILABLE
        )
    }

    /// The venue rate-limited the request (it was not acted on).
    pub fn is_rate_limit(&self) -> bool {
        matches!(self.code, codes::RATE_LIMIT | codes::IP_RATE_LIMIT) || self.code == -403
    }

    /// The order id is unknown to the venue.
    pub fn is_unknown_order(&self) -> bool {
        matches!(
            self.code,
            codes::ORDER_NOT_EXISTS | codes::SPOT_ORDER_NOT_EXISTS
        )
    }
}

/// Everything the Bybit adapter can fail with.
#[derive(Debug, Clone, thiserror::Error)]
pub enum BybitError {
    #[error(transparent)]
    Net(#[from] NetError),
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    Parse(#[from] ParseError),
    #[error("order {client_id}: {source}")]
    Rounding {
        client_id: String,
        source: InstrumentError,
    },
    #[error("order {client_id}: {reason}")]
    Unsupported { client_id: String, reason: String },
    #[error("order {client_id}: {reason}")]
    Filter { client_id: String, reason: String },
    /// Bybit's `orderLinkId` holds at most 36 characters; a longer id is
    /// refused here, never cut (a cut id would not match the journal).
    #[error(
        "order {client_id}: client id of {len} characters is longer than Bybit's 36 for orderLinkId"
    )]
    ClientIdTooLong { client_id: String, len: usize },
    #[error("symbol {0} is not in instruments-info (call instruments first)")]
    UnknownSymbol(String),
    #[error("{0}")]
    Config(String),
}

impl From<BybitError> for VenueError {
    fn from(e: BybitError) -> Self {
        let kind = match &e {
            BybitError::Net(n) => VenueErrorKind::of_net(n),
            BybitError::Api(a) if a.is_status_unknown() || a.status >= 500 => {
                VenueErrorKind::Unknown
            }
            BybitError::Api(a) if a.is_rate_limit() => VenueErrorKind::Throttled {
                until_ms: a.retry_at_ms.unwrap_or(0),
            },
            BybitError::Api(a) => VenueErrorKind::Refused { code: a.code },
            BybitError::Parse(_) => VenueErrorKind::Malformed,
            _ => VenueErrorKind::NotSent,
        };
        VenueError::new(kind, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(code: i64, status: u16) -> VenueError {
        BybitError::Api(ApiError {
            path: "/v5/order/create".into(),
            status,
            code,
            msg: "m".into(),
            retry_at_ms: Some(42),
        })
        .into()
    }

    #[test]
    fn ret_codes_map_to_what_they_mean_for_the_caller() {
        assert_eq!(
            api(codes::RATE_LIMIT, 200).kind,
            VenueErrorKind::Throttled { until_ms: 42 }
        );
        assert_eq!(
            api(10018, 403).kind,
            VenueErrorKind::Throttled { until_ms: 42 }
        );
        assert_eq!(
            api(codes::BACKEND_TIMEOUT, 200).kind,
            VenueErrorKind::Unknown
        );
        assert_eq!(
            api(codes::SERVICE_UNAVAILABLE, 503).kind,
            VenueErrorKind::Unknown
        );
        for code in [
            codes::SIGN,
            codes::API_KEY,
            codes::PARAMS,
            codes::ORDER_NOT_EXISTS,
            codes::SPOT_ORDER_NOT_EXISTS,
            codes::INSUFFICIENT_BALANCE,
            codes::SPOT_INSUFFICIENT_BALANCE,
            codes::DUPLICATE_LINK_ID,
        ] {
            assert_eq!(api(code, 200).kind, VenueErrorKind::Refused { code });
        }
        let long = BybitError::ClientIdTooLong {
            client_id: "x".repeat(40),
            len: 40,
        };
        assert_eq!(VenueError::from(long).kind, VenueErrorKind::NotSent);
        let e = ApiError {
            path: String::new(),
            status: 200,
            code: codes::SPOT_ORDER_NOT_EXISTS,
            msg: String::new(),
            retry_at_ms: None,
        };
        assert!(e.is_unknown_order() && !e.is_timestamp());
    }
}
