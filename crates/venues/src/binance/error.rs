//! Errors of the Binance adapter. Each names what failed and where: the
//! request path and the venue's code for API errors, the message kind and
//! field for parse errors.

use crate::net::NetError;
use smc_model::InstrumentError;

/// The venue's error body `{"code":-1121,"msg":"Invalid symbol."}`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: HTTP {status}, Binance error {code}: {msg}")]
pub struct ApiError {
    pub path: String,
    pub status: u16,
    pub code: i64,
    pub msg: String,
}

impl ApiError {
    /// -1021: the request's timestamp is outside the receive window.
    pub fn is_timestamp(&self) -> bool {
        self.code == -1021
    }
    /// -1007 / -1006: the backend did not answer; execution status unknown.
    pub fn is_status_unknown(&self) -> bool {
        matches!(self.code, -1006 | -1007)
    }
}

/// A venue message that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("{what}: field `{field}`: {detail}")]
    Field {
        what: &'static str,
        field: String,
        detail: String,
    },
    #[error("{what}: {detail} in `{payload}`")]
    Json {
        what: &'static str,
        detail: String,
        payload: String,
    },
}

/// Everything the Binance adapter can fail with.
#[derive(Debug, Clone, thiserror::Error)]
pub enum BinanceError {
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
    #[error("order {client_id}: {filter}: {reason}")]
    Filter {
        client_id: String,
        filter: &'static str,
        reason: String,
    },
    #[error("symbol {0} is not in exchangeInfo (call load_rules first)")]
    UnknownSymbol(String),
    #[error("{0}")]
    Config(String),
}
