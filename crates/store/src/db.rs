//! Opening the database: parses `sqlite://FILE`, creates the file when
//! asked, turns on WAL and foreign keys, and applies the embedded
//! migrations. One connection, held directly rather than through a pool:
//! the agent is the only writer, every call is synchronous anyway, and a
//! pool's acquire and release cost more than the write itself (a journal
//! write took ≈137 µs through a one-connection pool, ≈62 µs without).

use crate::error::StoreError;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{Connection, SqliteConnection};
use std::future::Future;
use std::path::Path;
use std::str::FromStr;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// The migrations, in order. Add a file to `migrations/` and a line here.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "breakers",
        include_str!("../migrations/0001_breakers.sql"),
    ),
    (2, "trading", include_str!("../migrations/0002_trading.sql")),
    (3, "candles", include_str!("../migrations/0003_candles.sql")),
    (4, "live", include_str!("../migrations/0004_live.sql")),
    (
        5,
        "candle receipt",
        include_str!("../migrations/0005_candle_receipt.sql"),
    ),
];

/// A database, with the runtime its calls block on.
pub struct Store {
    runtime: tokio::runtime::Runtime,
    conn: Mutex<SqliteConnection>,
    /// The journal steps' connection (`crate::direct`); none in memory.
    direct: Option<Mutex<rusqlite::Connection>>,
    orders: crate::order_cache::OrderCache,
    url: String,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("url", &self.url).finish()
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
        if !url.starts_with("sqlite:") {
            return Err(StoreError::Url {
                url: url.to_string(),
                message: "only sqlite://FILE is supported so far".to_string(),
            });
        }
        let options = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Url {
                url: url.to_string(),
                message: e.to_string(),
            })?
            .create_if_missing(create)
            .journal_mode(SqliteJournalMode::Wal)
            // In WAL mode, NORMAL commits without an fsync per transaction:
            // a committed write survives the process being killed (it is in
            // the WAL file), and an OS crash or power loss can lose only the
            // last transactions, which reconciliation with the venue
            // recovers. FULL would add milliseconds to every order.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5));
        let file = options.get_filename();
        if !create && file != Path::new(":memory:") && !file.exists() {
            return Err(StoreError::Missing {
                path: file.display().to_string(),
            });
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .map_err(StoreError::Runtime)?;
        let conn = runtime
            .block_on(SqliteConnection::connect_with(&options))
            .map_err(|source| StoreError::Open {
                url: url.to_string(),
                source,
            })?;
        let mut store = Store {
            runtime,
            conn: Mutex::new(conn),
            direct: None,
            orders: Default::default(),
            url: url.to_string(),
        };
        store
            .block_on(migrator().run(&mut *store.conn()))
            .map_err(|source| StoreError::Migrate {
                url: url.to_string(),
                source,
            })?;
        let in_memory = url.contains(":memory:") || url.contains("mode=memory");
        if !in_memory {
            store.direct = Some(Mutex::new(crate::direct::open(file)?));
        }
        Ok(store)
    }

    /// Runs `f` to completion on the store's runtime.
    pub(crate) fn block_on<F: Future>(&self, f: F) -> F::Output {
        self.runtime.block_on(f)
    }

    pub(crate) fn order_cache(&self) -> &crate::order_cache::OrderCache {
        &self.orders
    }

    /// The direct connection, if the database is a file.
    pub(crate) fn direct(&self) -> Option<MutexGuard<'_, rusqlite::Connection>> {
        // A panic mid-transaction drops (rolls back) the transaction, so a
        // poisoned lock's connection is fine to take over.
        self.direct
            .as_ref()
            .map(|m| m.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// The connection. A panic while it was held cannot leave it in a
    /// bad state (SQLite rolls back an unfinished transaction), so a
    /// poisoned lock is taken over.
    pub(crate) fn conn(&self) -> MutexGuard<'_, SqliteConnection> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stops SQLite from checkpointing the WAL inside a commit: a
    /// checkpoint copies the WAL into the database and syncs it (about one
    /// commit in a hundred of a trading session would pay milliseconds).
    /// The caller then calls [`Store::checkpoint`] when it is idle.
    pub fn defer_checkpoints(&self) -> Result<(), StoreError> {
        let what = "turning off automatic checkpoints";
        if let Some(direct) = self.direct() {
            direct
                .pragma_update(None, "wal_autocheckpoint", 0)
                .map_err(StoreError::direct(what))?;
        }
        self.block_on(sqlx::query("PRAGMA wal_autocheckpoint = 0").execute(&mut *self.conn()))
            .map(drop)
            .map_err(StoreError::query(what))
    }

    /// Copies what the WAL holds into the database, as far as no reader
    /// prevents it (passive: it never waits).
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        self.block_on(sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&mut *self.conn()))
            .map(drop)
            .map_err(StoreError::query("checkpointing the WAL"))
    }

    /// The versions of the migrations applied, in order.
    pub fn applied_migrations(&self) -> Result<Vec<i64>, StoreError> {
        self.block_on(
            sqlx::query_scalar::<_, i64>(
                "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version",
            )
            .fetch_all(&mut *self.conn()),
        )
        .map_err(StoreError::query("reading the applied migrations"))
    }
}

fn migrator() -> Migrator {
    Migrator::with_migrations(
        MIGRATIONS
            .iter()
            .map(|&(version, description, sql)| {
                Migration::new(
                    version,
                    description.into(),
                    MigrationType::Simple,
                    sqlx::SqlSafeStr::into_sql_str(sql),
                    false,
                )
            })
            .collect(),
    )
}
