//! [`PgStore`]: what a SQLite file holds besides the journal, on
//! PostgreSQL — circuit breakers and their trail, secrets' verifiers, the
//! hash-chained audit log, and the API server's accounts. One connection
//! behind a mutex, as the SQLite store: every call is a short statement or
//! transaction, the callers (the API's handlers, the risk gate, the CLI)
//! are few, and a pool would hold mostly idle connections.

use super::connect::connect;
use super::migrate;
use crate::error::StoreError;
use postgres::Client;
use std::sync::{Mutex, MutexGuard, PoisonError};

/// A PostgreSQL database (or one schema of it) as the non-journal store.
pub struct PgStore {
    conn: Mutex<Client>,
    url: String,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").field("url", &self.url).finish()
    }
}

impl PgStore {
    /// Connects to `url` (`postgres://…`) and applies the migrations; no
    /// lock is taken (a session's journal holds that).
    pub fn open(url: &str) -> Result<PgStore, StoreError> {
        let (mut client, shown) = connect(url)?;
        super::off_runtime(|| migrate(&mut client, &shown))?;
        Ok(PgStore {
            conn: Mutex::new(client),
            url: shown,
        })
    }

    /// The URL it was opened with, without the password.
    pub fn url(&self) -> &str {
        &self.url
    }

    pub(crate) fn client(&self) -> MutexGuard<'_, Client> {
        // A transaction open at a panic rolls back when it drops.
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs one statement; the rows it changed.
    pub(crate) fn exec(
        &self,
        sql: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
        what: &'static str,
    ) -> Result<u64, StoreError> {
        super::off_runtime(|| self.client().execute(sql, params)).map_err(StoreError::pg(what))
    }

    /// The rows of a query, each read by `read`.
    pub(crate) fn rows<T>(
        &self,
        sql: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
        what: &'static str,
        read: impl Fn(&postgres::Row) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        super::off_runtime(|| self.client().query(sql, params))
            .map_err(StoreError::pg(what))?
            .iter()
            .map(read)
            .collect()
    }
}

/// A column, or the error naming the read.
pub(crate) fn col<'a, T: postgres::types::FromSql<'a>>(
    row: &'a postgres::Row,
    name: &str,
    what: &'static str,
) -> Result<T, StoreError> {
    row.try_get(name).map_err(StoreError::pg(what))
}

/// A time column (epoch ms).
pub(crate) fn time(
    row: &postgres::Row,
    name: &str,
    what: &'static str,
) -> Result<smc_model::Timestamp, StoreError> {
    col::<i64>(row, name, what).map(smc_model::Timestamp::from_ms)
}

/// A nullable time column.
pub(crate) fn opt_time(
    row: &postgres::Row,
    name: &str,
    what: &'static str,
) -> Result<Option<smc_model::Timestamp>, StoreError> {
    col::<Option<i64>>(row, name, what).map(|t| t.map(smc_model::Timestamp::from_ms))
}
