//! Errors of the OANDA adapter and what OANDA's HTTP answers mean for the
//! caller.
//!
//! OANDA answers an error with an HTTP status and
//! `{"errorMessage": "...", "errorCode"?: "..."}` (v20.yaml, every
//! path's 400/401/403/404/405 responses); a refused order is HTTP 400 (or
//! 404 when the account or instrument is unknown) carrying an
//! `orderRejectTransaction` whose `rejectReason` names why. HTTP 429
//! (rate limited) and 5xx never reach this module: the HTTP client turns
//! them into [`NetError`]s (throttled; outcome unknown).

use crate::error::{VenueError, VenueErrorKind};
use crate::net::NetError;
use smc_model::InstrumentError;

pub use crate::binance::error::ParseError;

/// What an error answer means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiErrorKind {
    /// HTTP 401: a missing, wrong or revoked token.
    Auth,
    /// HTTP 403: the token may not do this (or the account is not its).
    Forbidden,
    /// HTTP 404: the order, trade, account or instrument does not exist.
    NotFound,
    /// An order refused by OANDA (`orderRejectTransaction`).
    Rejected,
    /// Any other 4xx (400 bad request, 405).
    BadRequest,
}

/// An OANDA error answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: HTTP {status}, OANDA {}: {message}", code.as_deref().unwrap_or("error"))]
pub struct ApiError {
    pub path: String,
    pub status: u16,
    /// `errorCode` (`INSUFFICIENT_MARGIN`, ...), or the reject
    /// transaction's `rejectReason`, when given.
    pub code: Option<String>,
    /// `errorMessage` (or the body's start when it is not OANDA's JSON).
    pub message: String,
    /// Whether the answer carried an `orderRejectTransaction`.
    pub rejected: bool,
}

impl ApiError {
    pub fn kind(&self) -> ApiErrorKind {
        match self.status {
            401 => ApiErrorKind::Auth,
            403 => ApiErrorKind::Forbidden,
            _ if self.rejected => ApiErrorKind::Rejected,
            404 => ApiErrorKind::NotFound,
            _ => ApiErrorKind::BadRequest,
        }
    }

    /// The numeric code of [`VenueErrorKind::Refused`]: OANDA's codes are
    /// words, so the HTTP status, negated (-401, -404).
    pub fn numeric_code(&self) -> i64 {
        -i64::from(self.status)
    }

    /// The reason a caller is shown: code and message.
    pub fn reason(&self) -> String {
        match &self.code {
            Some(c) => format!("{c}: {}", self.message),
            None => self.message.clone(),
        }
    }
}

/// Everything the OANDA adapter can fail with.
#[derive(Debug, Clone, thiserror::Error)]
pub enum OandaError {
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
    /// OANDA's `clientExtensions.id` holds at most 128 characters
    /// (v20.yaml `ClientID`); the engine's ids are short, a longer one is
    /// refused, never cut.
    #[error("order {client_id}: client id of {len} characters does not fit clientExtensions.id")]
    ClientIdTooLong { client_id: String, len: usize },
    #[error("instrument {0} is not in the account's instruments (call instruments first)")]
    UnknownSymbol(String),
    #[error("the token reaches no account (GET /v3/accounts listed none)")]
    NoAccount,
    #[error("{0}")]
    Config(String),
}

impl OandaError {
    /// The API error, if the venue answered with one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            OandaError::Api(a) => Some(a),
            _ => None,
        }
    }
}

impl From<OandaError> for VenueError {
    fn from(e: OandaError) -> Self {
        let kind = match &e {
            OandaError::Net(n) => VenueErrorKind::of_net(n),
            OandaError::Api(a) => VenueErrorKind::Refused {
                code: a.numeric_code(),
            },
            OandaError::Parse(_) => VenueErrorKind::Malformed,
            _ => VenueErrorKind::NotSent,
        };
        VenueError::new(kind, e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, rejected: bool) -> ApiError {
        ApiError {
            path: "/v3/accounts/1/orders".into(),
            status,
            code: Some("X".into()),
            message: "m".into(),
            rejected,
        }
    }

    #[test]
    fn statuses_map_to_kinds() {
        assert_eq!(api(401, false).kind(), ApiErrorKind::Auth);
        assert_eq!(api(403, false).kind(), ApiErrorKind::Forbidden);
        assert_eq!(api(404, false).kind(), ApiErrorKind::NotFound);
        assert_eq!(api(404, true).kind(), ApiErrorKind::Rejected);
        assert_eq!(api(400, true).kind(), ApiErrorKind::Rejected);
        assert_eq!(api(400, false).kind(), ApiErrorKind::BadRequest);
        let v = VenueError::from(OandaError::Api(api(401, false)));
        assert_eq!(v.kind, VenueErrorKind::Refused { code: -401 });
        assert!(v.message.contains("HTTP 401"), "{}", v.message);
        let n = VenueError::from(OandaError::NoAccount);
        assert_eq!(n.kind, VenueErrorKind::NotSent);
    }
}
