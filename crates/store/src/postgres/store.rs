//! [`PgStore`]: what a SQLite file holds besides the journal, on
//! PostgreSQL — circuit breakers and their trail, secrets' verifiers, the
//! hash-chained audit log, and the API server's accounts, on a pool of
//! connections ([`super::pool`]) shared by the API's concurrent requests.

use super::connect::connect;
use super::migrate;
use super::pool::{Pool, Pooled, checkout, pool};
use crate::error::StoreError;

/// A PostgreSQL database (or one schema of it) as the non-journal store.
pub struct PgStore {
    pool: Pool,
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
        drop(client);
        Ok(PgStore {
            pool: pool(url, &shown)?,
            url: shown,
        })
    }

    /// The URL it was opened with, without the password.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A connection of the pool (a transaction left open at a panic rolls
    /// back when it drops, before the connection is reused).
    pub(crate) fn client(&self) -> Result<Pooled, StoreError> {
        checkout(&self.pool, &self.url)
    }

    /// Runs one statement; the rows it changed.
    pub(crate) fn exec(
        &self,
        sql: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
        what: &'static str,
    ) -> Result<u64, StoreError> {
        let mut client = self.client()?;
        super::off_runtime(|| client.execute(sql, params)).map_err(StoreError::pg(what))
    }

    /// The rows of a query, each read by `read`.
    pub(crate) fn rows<T>(
        &self,
        sql: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
        what: &'static str,
        read: impl Fn(&postgres::Row) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let mut client = self.client()?;
        super::off_runtime(|| client.query(sql, params))
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
