//! What can go wrong with the store, naming the database or the operation.

/// A store failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL `{url}`: {message}")]
    Url { url: String, message: String },
    #[error("no database at {path}")]
    Missing { path: String },
    #[error("cannot start the store's runtime: {0}")]
    Runtime(#[source] std::io::Error),
    #[error("cannot open {url}: {source}")]
    Open {
        url: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("cannot migrate {url}: {source}")]
    Migrate {
        url: String,
        #[source]
        source: sqlx::migrate::MigrateError,
    },
    #[error("{what}: {source}")]
    Query {
        what: &'static str,
        #[source]
        source: sqlx::Error,
    },
    /// A failure on the direct connection the journal's steps commit on.
    #[error("{what}: {source}")]
    Direct {
        what: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    #[error("{what}: unexpected value `{value}` in the database")]
    Corrupt { what: &'static str, value: String },
}

impl StoreError {
    /// Wraps a sqlx error with the operation that failed.
    pub(crate) fn query(what: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
        move |source| StoreError::Query { what, source }
    }

    /// Wraps a rusqlite error with the operation that failed.
    pub(crate) fn direct(what: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
        move |source| StoreError::Direct { what, source }
    }
}
