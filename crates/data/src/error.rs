//! Errors of market data input. Each names the file and, for row errors,
//! the 1-based line and the field, so a user can fix the file.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: the file is empty (no header and no rows)")]
    Empty { path: PathBuf },
    #[error("{path}: the file has a header but no data rows")]
    NoRows { path: PathBuf },
    #[error(
        "{path}:1: unrecognised header `{header}`: expected `timestamp,open,high,low,close,volume` \
         or a MetaTrader export `Date,Open,High,Low,Close,Tickvol,Volume,Spread`"
    )]
    UnknownHeader { path: PathBuf, header: String },
    #[error("{path}:1: missing column `{column}` in the header")]
    MissingColumn { path: PathBuf, column: &'static str },
    #[error("{path}:{line}: malformed CSV row: {reason}")]
    Row {
        path: PathBuf,
        line: u64,
        reason: String,
    },
    #[error("{path}:{line}: field `{field}`: cannot parse `{value}` as {expected}")]
    Field {
        path: PathBuf,
        line: u64,
        field: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error("{path}:{line}: inconsistent candle: {reason}")]
    Inconsistent {
        path: PathBuf,
        line: u64,
        reason: &'static str,
    },
    #[error(
        "{path}:{line}: field `{field}`: timestamp {time} is not after the previous row's {previous}; \
         rows must be strictly increasing in time"
    )]
    NotIncreasing {
        path: PathBuf,
        line: u64,
        field: &'static str,
        time: i64,
        previous: i64,
    },
    #[error("{path}: {reason}")]
    Parquet { path: PathBuf, reason: String },
    #[error("{path}: row {row}: {reason}")]
    ParquetRow {
        path: PathBuf,
        row: u64,
        reason: String,
    },
    #[error("{path}: cannot write: {reason}")]
    Write { path: PathBuf, reason: String },
}

impl DataError {
    /// The 1-based line of the file the error is about, when it is about a
    /// row (for a Parquet file, the 1-based data row).
    pub fn line(&self) -> Option<u64> {
        match self {
            DataError::Row { line, .. }
            | DataError::Field { line, .. }
            | DataError::Inconsistent { line, .. }
            | DataError::NotIncreasing { line, .. } => Some(*line),
            DataError::ParquetRow { row, .. } => Some(*row),
            _ => None,
        }
    }
}
