//! The SQLite store: one file (or memory) in WAL mode, one connection on
//! the caller's thread (rusqlite; statements cached), the schema from the
//! embedded migrations. The agent is the only writer and every call is
//! synchronous, so there is no pool and no async runtime: a journal step
//! (a candle, its order and the acknowledgement) commits in ≈70–80 µs
//! (`cargo bench -p smc-store --bench journal`).

/// The API server's users, TOTP and recovery codes.
pub mod accounts;
/// The alerts' outbox.
pub mod alert_outbox;
/// The hash-chained audit log.
pub mod audit;
/// Circuit-breaker states and their audit trail (the risk crate's `BreakerStore`).
pub mod breakers;
/// The candle log.
mod candles;
/// The journal interface, implemented.
mod journal_impl;
/// Venue reports, session facts, venue order ids.
mod live;
/// Refinery migrations, and databases migrated before it.
mod migrate;
/// The batched journal's memory of orders.
mod order_cache;
/// Orders, fills and positions.
mod orders;
/// Verifiers of operator secrets.
pub mod secrets;
/// The API server's settings and sealed exchange keys.
pub mod server_settings;
/// Writes as data.
mod statement;
/// An engine step's events as the journal's writes.
mod step;
/// Refresh tokens and API keys, as digests.
pub mod tokens;

use crate::error::StoreError;
use rusqlite::{Connection, OpenFlags, Row};
use smc_model::Timestamp;
use statement::Statement;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// A SQLite database.
pub struct Store {
    conn: Mutex<Connection>,
    order_cache: order_cache::OrderCache,
    url: String,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("url", &self.url).finish()
    }
}

/// Where a `sqlite:` URL points: a file, or memory.
pub(crate) fn location(url: &str) -> Result<Option<PathBuf>, StoreError> {
    let bad = |message: &str| StoreError::Url {
        url: url.to_string(),
        message: message.to_string(),
    };
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .ok_or_else(|| bad("only sqlite://FILE is supported so far"))?;
    // Options after `?` (`mode=rwc`, …) are sqlx's; the defaults here hold.
    let path = rest.split('?').next().unwrap_or_default();
    match path {
        "" => Err(bad("no file named")),
        ":memory:" => Ok(None),
        file => Ok(Some(PathBuf::from(file))),
    }
}

impl Store {
    /// Opens (and creates, if missing) the database at `url`
    /// (`sqlite://FILE`, `sqlite:FILE`, or `sqlite::memory:`), then applies
    /// the migrations.
    pub fn open(url: &str) -> Result<Store, StoreError> {
        Store::connect(url, true)
    }

    /// Opens the SQLite file at `path`, creating it if missing.
    pub fn open_path(path: &Path) -> Result<Store, StoreError> {
        Store::open(&format!("sqlite://{}", path.display()))
    }

    /// Opens an existing database; a missing file is an error, not a new
    /// database (for tools that only read or fix state).
    pub fn open_existing(url: &str) -> Result<Store, StoreError> {
        Store::connect(url, false)
    }

    /// The URL it was opened with.
    pub fn url(&self) -> &str {
        &self.url
    }

    fn connect(url: &str, create: bool) -> Result<Store, StoreError> {
        let file = location(url)?;
        let open_error = |source| StoreError::Open {
            url: url.to_string(),
            source,
        };
        let mut conn = match &file {
            None => Connection::open_in_memory().map_err(open_error)?,
            Some(path) => {
                if !create && !path.exists() {
                    return Err(StoreError::Missing {
                        path: path.display().to_string(),
                    });
                }
                let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
                if create {
                    flags |= OpenFlags::SQLITE_OPEN_CREATE;
                }
                let conn = Connection::open_with_flags(path, flags).map_err(open_error)?;
                conn.pragma_update(None, "journal_mode", "WAL")
                    .map_err(open_error)?;
                conn
            }
        };
        // In WAL mode, NORMAL commits without an fsync per transaction: a
        // committed write survives the process being killed (it is in the
        // WAL file), and an OS crash or power loss can lose only the last
        // transactions, which reconciliation with the venue recovers. FULL
        // would add milliseconds to every order.
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_error)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_error)?;
        conn.busy_timeout(Duration::from_secs(5))
            .map_err(open_error)?;
        migrate::run(&mut conn, url)?;
        Ok(Store {
            conn: Mutex::new(conn),
            order_cache: Default::default(),
            url: url.to_string(),
        })
    }

    /// The connection. A panic while it was held cannot leave it in a bad
    /// state (SQLite rolls back an unfinished transaction), so a poisoned
    /// lock is taken over.
    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs one statement in its own transaction; the rows it changed.
    fn run(&self, statement: Statement, what: &'static str) -> Result<usize, StoreError> {
        let conn = self.conn();
        let mut prepared = conn
            .prepare_cached(statement.sql())
            .map_err(StoreError::query(what))?;
        prepared
            .execute(rusqlite::params_from_iter(statement.values()))
            .map_err(StoreError::query(what))
    }

    /// Runs `statements` in one transaction: all of them, or (on any
    /// error, when the transaction is dropped) none.
    fn run_batch(&self, statements: &[Statement], what: &'static str) -> Result<(), StoreError> {
        if statements.is_empty() {
            return Ok(());
        }
        let mut conn = self.conn();
        let tx = conn.transaction().map_err(StoreError::query(what))?;
        for s in statements {
            let mut prepared = tx
                .prepare_cached(s.sql())
                .map_err(StoreError::query(what))?;
            prepared
                .execute(rusqlite::params_from_iter(s.values()))
                .map_err(StoreError::query(what))?;
        }
        tx.commit().map_err(StoreError::query(what))
    }

    /// The rows of a query, each read by `read`.
    fn rows<T>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        what: &'static str,
        mut read: impl FnMut(&Row<'_>) -> Result<T, StoreError>,
    ) -> Result<Vec<T>, StoreError> {
        let conn = self.conn();
        let mut prepared = conn.prepare_cached(sql).map_err(StoreError::query(what))?;
        let mut rows = prepared.query(params).map_err(StoreError::query(what))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(StoreError::query(what))? {
            out.push(read(row)?);
        }
        Ok(out)
    }

    /// Stops SQLite from checkpointing the WAL inside a commit: a
    /// checkpoint copies the WAL into the database and syncs it (about one
    /// commit in a hundred of a trading session would pay milliseconds).
    /// The caller then calls [`Store::checkpoint`] when it is idle.
    pub fn defer_checkpoints(&self) -> Result<(), StoreError> {
        self.conn()
            .pragma_update(None, "wal_autocheckpoint", 0)
            .map_err(StoreError::query("turning off automatic checkpoints"))
    }

    /// Copies what the WAL holds into the database, as far as no reader
    /// prevents it (passive: it never waits).
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        let conn = self.conn();
        conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
            .map_err(StoreError::query("checkpointing the WAL"))
    }

    /// The versions of the migrations applied, in order.
    pub fn applied_migrations(&self) -> Result<Vec<i64>, StoreError> {
        migrate::applied(&self.conn())
    }
}

/// A column of `row`.
fn get<T: rusqlite::types::FromSql>(
    row: &Row<'_>,
    column: &str,
    what: &'static str,
) -> Result<T, StoreError> {
    row.get(column).map_err(StoreError::query(what))
}

/// An epoch-milliseconds column of `row` as a time.
fn time(row: &Row<'_>, column: &str, what: &'static str) -> Result<Timestamp, StoreError> {
    get(row, column, what).map(Timestamp::from_ms)
}

/// A nullable epoch-milliseconds column of `row` as a time.
fn opt_time(
    row: &Row<'_>,
    column: &str,
    what: &'static str,
) -> Result<Option<Timestamp>, StoreError> {
    get::<Option<i64>>(row, column, what).map(|t| t.map(Timestamp::from_ms))
}

/// A text column of `row`.
fn text(row: &Row<'_>, column: &str, what: &'static str) -> Result<String, StoreError> {
    get(row, column, what)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> Store {
        let store = Store::open("sqlite::memory:").unwrap();
        store
            .run(
                Statement::new("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)"),
                "test",
            )
            .unwrap();
        store
    }

    fn count(store: &Store) -> i64 {
        store
            .conn()
            .query_row("SELECT COUNT(*) FROM t", [], |r| r.get(0))
            .unwrap()
    }

    fn insert(k: i64, v: Option<&str>) -> Statement {
        Statement::new("INSERT INTO t (k, v) VALUES (?, ?)")
            .int(k)
            .opt_text(v)
    }

    #[test]
    fn a_batch_writes_every_statement_with_its_own_values() {
        let store = store();
        store
            .run_batch(
                &[insert(1, Some("a")), insert(2, None), insert(3, Some("c"))],
                "test",
            )
            .unwrap();
        let rows = store
            .rows("SELECT k, v FROM t ORDER BY k", [], "test", |r| {
                Ok((
                    r.get::<_, i64>(0).unwrap(),
                    r.get::<_, Option<String>>(1).unwrap(),
                ))
            })
            .unwrap();
        assert_eq!(
            rows,
            vec![(1, Some("a".into())), (2, None), (3, Some("c".into()))]
        );
    }

    #[test]
    fn a_failing_statement_leaves_nothing_of_its_batch_and_the_next_one_works() {
        let store = store();
        store.run(insert(2, Some("first")), "test").unwrap();
        let failed = store.run_batch(
            &[insert(1, Some("a")), insert(2, Some("duplicate"))],
            "writing the test batch",
        );
        let message = failed.unwrap_err().to_string();
        assert!(message.contains("writing the test batch"), "{message}");
        assert_eq!(count(&store), 1, "the batch's first insert was rolled back");
        store.run_batch(&[insert(3, None)], "test").unwrap();
        assert_eq!(count(&store), 2);
    }

    #[test]
    fn urls_name_a_file_or_memory() {
        assert_eq!(location("sqlite::memory:").unwrap(), None);
        assert_eq!(
            location("sqlite://data/smc.db?mode=rwc").unwrap(),
            Some(PathBuf::from("data/smc.db"))
        );
        assert_eq!(
            location("sqlite:smc.db").unwrap(),
            Some(PathBuf::from("smc.db"))
        );
        assert!(location("postgres://x").is_err());
        assert!(location("sqlite://").is_err());
    }
}
