//! The journal's step commits on the calling thread. sqlx runs every
//! SQLite call on the connection's worker thread, and the hop there and
//! back is most of a step's cost: `cargo bench -p smc-store --bench
//! journal` measures the same three writes at ≈155 µs through sqlx's
//! worker and ≈70 µs on the calling thread. Since a candle's order waits
//! for its step's commit, the step goes through a second, direct
//! connection to the same file (rusqlite, statements cached); migrations,
//! reads and the other writes stay on sqlx. Both connections are in WAL
//! mode with a busy timeout, and neither holds a transaction open between
//! calls, so they never wait on each other for long.

use crate::error::StoreError;
use crate::statement::{Statement, Value};
use rusqlite::types::{ToSql, ToSqlOutput};
use std::path::Path;
use std::time::Duration;

impl ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        match self {
            Value::Int(i) => i.to_sql(),
            Value::Text(t) => t.to_sql(),
            Value::Null => Ok(ToSqlOutput::from(rusqlite::types::Null)),
        }
    }
}

/// Opens the direct connection to the (already migrated) file at `path`.
pub(crate) fn open(path: &Path) -> Result<rusqlite::Connection, StoreError> {
    let what = "opening the journal's direct connection";
    let conn = rusqlite::Connection::open(path).map_err(StoreError::direct(what))?;
    conn.busy_timeout(Duration::from_secs(5))
        .map_err(StoreError::direct(what))?;
    // The file is in WAL mode already (sqlx set it); these are per connection.
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(StoreError::direct(what))?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(StoreError::direct(what))?;
    Ok(conn)
}

/// Runs `statements` in one transaction: all of them, or (on any error,
/// when the transaction is dropped) none.
pub(crate) fn run_batch(
    conn: &mut rusqlite::Connection,
    statements: &[Statement],
    what: &'static str,
) -> Result<(), StoreError> {
    let tx = conn.transaction().map_err(StoreError::direct(what))?;
    for s in statements {
        let mut prepared = tx
            .prepare_cached(s.sql())
            .map_err(StoreError::direct(what))?;
        prepared
            .execute(rusqlite::params_from_iter(s.values()))
            .map_err(StoreError::direct(what))?;
    }
    tx.commit().map_err(StoreError::direct(what))
}
