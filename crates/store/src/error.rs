//! What can go wrong with the store, naming the database or the operation.

/// A store failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL `{url}`: {message}")]
    Url { url: String, message: String },
    #[error("cannot connect to {url}: {message}")]
    Connect { url: String, message: String },
    #[error("no database at {path}")]
    Missing { path: String },
    #[error("cannot open {url}: {source}")]
    Open {
        url: String,
        #[source]
        source: rusqlite::Error,
    },
    #[error("cannot migrate {url}: {message}")]
    Migrate { url: String, message: String },
    #[error("{what}: {source}")]
    Query {
        what: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    #[error("{what}: {source}")]
    Postgres {
        what: &'static str,
        #[source]
        source: postgres::Error,
    },
    #[error("journal log {path}: {message}")]
    Log { path: String, message: String },
    #[error("{what}: unexpected value `{value}` in the database")]
    Corrupt { what: &'static str, value: String },
}

impl StoreError {
    /// Wraps a SQLite error with the operation that failed.
    pub(crate) fn query(what: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
        move |source| StoreError::Query { what, source }
    }

    /// Wraps a PostgreSQL error with the operation that failed.
    pub(crate) fn pg(what: &'static str) -> impl FnOnce(postgres::Error) -> StoreError {
        move |source| StoreError::Postgres { what, source }
    }
}
