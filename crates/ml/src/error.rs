//! The error type of dataset validation, splitting and model fitting.

use thiserror::Error;

/// What went wrong while building a dataset, splitting it or fitting a model.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum MlError {
    /// A feature row has a different number of values than there are feature names.
    #[error("row {row} has {found} features, expected {expected}")]
    RaggedRow {
        /// Index of the row.
        row: usize,
        /// Number of feature names.
        expected: usize,
        /// Number of values in the row.
        found: usize,
    },
    /// A feature value is NaN or infinite.
    #[error("feature {column} ({name}) of row {row} is not finite: {value}")]
    NonFiniteFeature {
        /// Index of the row.
        row: usize,
        /// Index of the column.
        column: usize,
        /// Name of the feature.
        name: String,
        /// The offending value.
        value: f64,
    },
    /// Two per-sample inputs have different lengths.
    #[error("{what} has {found} entries, expected {expected} (one per row)")]
    LengthMismatch {
        /// Which input (labels, spans, weights).
        what: &'static str,
        /// Number of rows.
        expected: usize,
        /// Number of entries given.
        found: usize,
    },
    /// A label span ends before it starts.
    #[error("label span of row {row} ends at {end_ms} before it starts at {start_ms}")]
    SpanReversed {
        /// Index of the row.
        row: usize,
        /// Decision time.
        start_ms: i64,
        /// Time the label became known.
        end_ms: i64,
    },
    /// Samples are not in time order of their decision time.
    #[error(
        "row {row} starts at {start_ms}, before row {previous} at {previous_start_ms}: samples must be in time order"
    )]
    NotTimeOrdered {
        /// Index of the row.
        row: usize,
        /// Its decision time.
        start_ms: i64,
        /// Index of the row before it.
        previous: usize,
        /// That row's decision time.
        previous_start_ms: i64,
    },
    /// A sample weight is negative or not finite, or all weights are zero.
    #[error("weight of row {row} is invalid: {value} (weights must be finite, >= 0, not all 0)")]
    BadWeight {
        /// Index of the row (the last row when all are zero).
        row: usize,
        /// The offending value.
        value: f64,
    },
    /// The dataset has no feature columns.
    #[error("the dataset has no feature columns")]
    NoFeatures,
    /// Two features share a name.
    #[error("feature name {name:?} appears at columns {first} and {second}")]
    DuplicateFeature {
        /// The repeated name.
        name: String,
        /// First column with it.
        first: usize,
        /// Second column with it.
        second: usize,
    },
    /// Too few samples, or only one class, to fit or split.
    #[error("not enough data: {0}")]
    NotEnoughData(String),
    /// A configuration value is out of its range.
    #[error("invalid config {field}: {reason}")]
    InvalidConfig {
        /// Which field.
        field: &'static str,
        /// Why it is refused.
        reason: String,
    },
    /// A numerical step failed (a matrix that is not positive definite).
    #[error("numerical failure in {0}")]
    Numerical(&'static str),
    /// A prediction row has the wrong width or a non-finite value.
    #[error("prediction row: {0}")]
    BadRow(String),
    /// A fitted model read from outside is inconsistent.
    #[error("invalid model: {0}")]
    InvalidModel(String),
}

/// Result with [`MlError`].
pub type Result<T> = std::result::Result<T, MlError>;
