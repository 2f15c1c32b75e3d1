//! The crate's one error type: what can go wrong between a coordinator, the
//! queue and a worker, each variant naming the job, blob or setting at fault.

/// What went wrong.
#[derive(Debug, thiserror::Error)]
pub enum DistError {
    #[error("NATS at {url}: {message}")]
    Connect { url: String, message: String },
    #[error("NATS {what}: {message}")]
    Nats { what: String, message: String },
    #[error("malformed {what}: {message}")]
    Malformed { what: &'static str, message: String },
    #[error("{what} has schema {found}; this build reads schema {expected}")]
    Schema {
        what: &'static str,
        found: u32,
        expected: u32,
    },
    #[error(
        "{what}: SHA-256 mismatch (expected {expected}, got {actual}): the blob is corrupted or is another file; refused"
    )]
    HashMismatch {
        what: String,
        expected: String,
        actual: String,
    },
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Setting(String),
    #[error("job {id}: {message}")]
    Job { id: u64, message: String },
    #[error(transparent)]
    Optimize(#[from] smc_optimize::OptimizeError),
    #[error("job {id}: no result after {seconds} s (is any `smc worker` running on this NATS?)")]
    Timeout { id: u64, seconds: u64 },
}

/// The crate's result type.
pub type DistResult<T> = Result<T, DistError>;

impl DistError {
    /// A NATS failure while doing `what`.
    pub fn nats(what: impl Into<String>, e: impl std::fmt::Display) -> Self {
        DistError::Nats {
            what: what.into(),
            message: e.to_string(),
        }
    }
}
