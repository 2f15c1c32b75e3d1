//! Opening the database: parses `sqlite://FILE`, creates the file when
//! asked, turns on WAL and foreign keys, and applies the embedded
//! migrations. One connection: the agent is the only writer and every call
//! is synchronous anyway.

use crate::error::StoreError;
use sqlx::SqlitePool;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::future::Future;
use std::path::Path;
use std::str::FromStr;
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
];

/// A database, with the runtime its calls block on.
pub struct Store {
    runtime: tokio::runtime::Runtime,
    pool: SqlitePool,
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
        let pool = runtime
            .block_on(
                SqlitePoolOptions::new()
                    .max_connections(1)
                    // The one connection is ours and local: pinging it before
                    // every query would double the cost of each journal write.
                    .test_before_acquire(false)
                    .connect_with(options),
            )
            .map_err(|source| StoreError::Open {
                url: url.to_string(),
                source,
            })?;
        let store = Store {
            runtime,
            pool,
            url: url.to_string(),
        };
        store
            .block_on(migrator().run(&store.pool))
            .map_err(|source| StoreError::Migrate {
                url: url.to_string(),
                source,
            })?;
        Ok(store)
    }

    /// Runs `f` to completion on the store's runtime.
    pub(crate) fn block_on<F: Future>(&self, f: F) -> F::Output {
        self.runtime.block_on(f)
    }

    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// The versions of the migrations applied, in order.
    pub fn applied_migrations(&self) -> Result<Vec<i64>, StoreError> {
        self.block_on(
            sqlx::query_scalar::<_, i64>(
                "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version",
            )
            .fetch_all(&self.pool),
        )
        .map_err(StoreError::query("reading the applied migrations"))
    }
}

impl Drop for Store {
    /// Closes the connection (checkpointing the WAL) before the runtime goes.
    fn drop(&mut self) {
        self.runtime.block_on(self.pool.close());
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
