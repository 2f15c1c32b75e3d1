//! Errors: what a client sees (Binance's `{"code":…,"msg":…}` body with the
//! HTTP status Binance uses) and what can stop the simulator from starting.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::path::PathBuf;

/// A Binance error answer: HTTP status, error code and message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("HTTP {status} {code}: {msg}")]
pub struct ApiError {
    pub status: u16,
    pub code: i64,
    pub msg: String,
    /// `Retry-After` in seconds (429 and 418 answers).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: u16, code: i64, msg: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            msg: msg.into(),
            retry_after: None,
        }
    }

    /// 400 with `code`: the usual shape of a rejected request.
    pub fn bad(code: i64, msg: impl Into<String>) -> Self {
        ApiError::new(400, code, msg)
    }

    pub fn with_retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// -1102: a mandatory parameter is missing or empty.
    pub fn mandatory(name: &str) -> Self {
        ApiError::bad(
            -1102,
            format!("Mandatory parameter '{name}' was not sent, was empty/null, or malformed."),
        )
    }

    /// -1100: a parameter has characters outside its legal range.
    pub fn illegal(name: &str, range: &str) -> Self {
        ApiError::bad(
            -1100,
            format!("Illegal characters found in parameter '{name}'; legal range is '{range}'."),
        )
    }

    /// -1121: unknown symbol.
    pub fn invalid_symbol() -> Self {
        ApiError::bad(-1121, "Invalid symbol.")
    }

    /// -1022: the signature does not match.
    pub fn bad_signature() -> Self {
        ApiError::bad(-1022, "Signature for this request is not valid.")
    }

    /// -2014: the API key header is missing or malformed.
    pub fn key_format() -> Self {
        ApiError::new(401, -2014, "API-key format invalid.")
    }

    /// -2015: the key is unknown.
    pub fn key_rejected() -> Self {
        ApiError::new(
            401,
            -2015,
            "Invalid API-key, IP, or permissions for action.",
        )
    }

    /// -1020: an operation the simulator (deliberately) does not support.
    pub fn unsupported(what: &str) -> Self {
        ApiError::bad(
            -1020,
            format!("This operation is not supported. (venue-sim: {what})"),
        )
    }

    /// The body Binance sends: `{"code":-1121,"msg":"Invalid symbol."}`.
    pub fn body(&self) -> String {
        serde_json::json!({ "code": self.code, "msg": self.msg }).to_string()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        let mut response = (
            status,
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            self.body(),
        )
            .into_response();
        if let Some(seconds) = self.retry_after
            && let Ok(value) = seconds.to_string().parse()
        {
            response.headers_mut().insert("retry-after", value);
        }
        response
    }
}

/// Why the simulator cannot start.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("no market: give at least one --market FILE --symbol SYMBOL pair")]
    NoMarket,
    #[error("reading {path}: {source}")]
    Data {
        path: PathBuf,
        #[source]
        source: smc_data::DataError,
    },
    #[error("{path}: needs at least two candles to tell its timeframe")]
    TooShort { path: PathBuf },
    #[error("{path}: the candle spacing is not a known timeframe")]
    Timeframe { path: PathBuf },
    #[error(
        "symbol `{symbol}`: expected an upper-case Binance symbol quoted in {quote} (e.g. BTC{quote})"
    )]
    Symbol { symbol: String, quote: String },
    #[error("instrument `{0}`: expected an OANDA instrument name BASE_QUOTE (e.g. EUR_USD)")]
    Instrument(String),
    #[error("symbol `{0}` is given twice")]
    DuplicateSymbol(String),
    #[error("API key `{0}` is given twice")]
    DuplicateKey(String),
    #[error("{flags} come in pairs: got {left} and {right}")]
    Unpaired {
        flags: &'static str,
        left: String,
        right: String,
    },
    #[error("{flag} {key} is not one of the --api-key values")]
    UnknownKey { flag: &'static str, key: String },
    #[error("--balance must be positive and --leverage at least 1")]
    Account,
    #[error("--speed must be a positive number of candles per second, got {0}")]
    Speed(f64),
    #[error("--book-level-share must be more than 0 and at most 1, got {0}")]
    BookLevelShare(rust_decimal::Decimal),
    #[error(
        "--spread-pips must not be negative (got {0}) and --margin-rate must be in (0, 1] (got {1})"
    )]
    OandaRates(rust_decimal::Decimal, rust_decimal::Decimal),
    #[error("bad --faults: {0}")]
    Faults(#[from] crate::faults::FaultSpecError),
    #[error("binding 127.0.0.1:{port}: {source}")]
    Bind {
        port: u16,
        #[source]
        source: std::io::Error,
    },
}
