//! The journal on PostgreSQL ([`PgJournal`]): the same tables and meanings
//! as the SQLite store, for a team that keeps its trading state on a server.
//!
//! Crate: the synchronous `postgres` client (rust-postgres). The
//! [`crate::Journal`] trait is synchronous and a session writes from one
//! thread, so the sync client fits it without a runtime of our own (it
//! drives a private current-thread tokio runtime inside); sqlx would need us
//! to block on every call. One journal holds one connection behind a mutex:
//! a session is a single writer whose steps are serial, so a pool would
//! only hold idle connections (readers such as the API open their own).
//!
//! Every step is one transaction committed before its orders leave (as on
//! SQLite); each SQL text is prepared once per connection. A step (candle,
//! order, acknowledgement) commits in ≈0.9 ms on a local cluster against
//! ≈0.11 ms on SQLite (`cargo bench -p smc-store --bench journal_pg`): the
//! round trips to the server. The candle log and the engine events are partitioned by month;
//! [`partitions`] creates a month's partition (and the next) before the
//! first write into it. TLS: `sslmode=require|verify-ca|verify-full` (with
//! `sslrootcert=FILE` for a private CA) connects through rustls (ring), see
//! [`connect`]. A second process on the same journal is refused by a
//! session-level advisory lock held on the journal's connection, keyed by
//! the schema the journal lives in: the server's hosted sessions share one
//! database, each in its own schema (`search_path` in the URL's `options`).
//!
//! [`PgStore`] holds the rest of what the SQLite file holds besides the
//! journal: circuit breakers, secrets' verifiers, the hash-chained audit
//! log and the API server's accounts, in the same database (and schema).

/// The API server's accounts, tokens, settings and exchange keys.
mod accounts;
/// The hash-chained audit log.
pub(crate) mod audit;
/// Circuit breakers and secrets' verifiers.
mod breakers;
/// URLs to connections: TLS modes, root certificates, schemas.
mod connect;
/// A whole journal written at once (`smc store copy`).
pub mod import;
/// The journal interface, implemented.
mod journal_impl;
/// Calls kept off the caller's async runtime.
mod off_thread;
/// Monthly partitions, created ahead of the writes.
mod partitions;
mod pool;
/// Statements prepared once per connection.
mod statements;
/// The non-journal store.
mod store;

use crate::error::StoreError;
pub use import::Import;
pub(crate) use off_thread::off_runtime;
use postgres::Client;
use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard, PoisonError};
pub use store::PgStore;

/// The schema, in order: (version, SQL).
const MIGRATIONS: &[(i32, &str)] = &[
    (1, include_str!("migrations/V1__journal.sql")),
    (2, include_str!("migrations/V2__risk_audit.sql")),
    (3, include_str!("migrations/V3__api.sql")),
    (4, include_str!("migrations/V4__journal_log.sql")),
];

/// The seed of the advisory-lock key of a session's journal, hashed with
/// the schema's name: one session per schema, as one per SQLite file (an
/// arbitrary constant: "smc-jrnl").
const SESSION_LOCK: i64 = 0x736d_632d_6a72_6e6c;

/// A journal in a PostgreSQL database.
pub struct PgJournal {
    conn: Mutex<Client>,
    /// Partitions known to exist: (table, first month as year*12+month0).
    months: Mutex<HashSet<(&'static str, i64)>>,
    /// Statements prepared on the connection, by SQL text.
    statements: Mutex<HashMap<String, postgres::Statement>>,
    url: String,
}

impl std::fmt::Debug for PgJournal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgJournal").field("url", &self.url).finish()
    }
}

/// Whether `url` names a PostgreSQL database.
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// `url` without its password, for messages.
pub fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    match rest.split_once('@') {
        Some((user, host)) if user.contains(':') => {
            let name = user.split(':').next().unwrap_or_default();
            format!("{scheme}://{name}:***@{host}")
        }
        _ => url.to_string(),
    }
}

impl PgJournal {
    /// Connects to `url` (`postgres://…`), applies the migrations, and
    /// takes the session lock: a second session on the same journal is
    /// refused while this one lives.
    pub fn open(url: &str) -> Result<PgJournal, StoreError> {
        let journal = PgJournal::open_unlocked(url)?;
        // A killed holder's backend lets go once the server notices its
        // socket closed: a restart right after a kill waits up to 3 s.
        let mut taken = false;
        for attempt in 0..30 {
            if attempt > 0 {
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            taken = journal
                .client()
                .query_one(
                    "SELECT pg_try_advisory_lock(hashtextextended(current_schema(), $1))",
                    &[&SESSION_LOCK],
                )
                .map_err(StoreError::pg("taking the session lock"))?
                .get(0);
            if taken {
                break;
            }
        }
        if !taken {
            return Err(StoreError::Url {
                url: journal.url.clone(),
                message: "another process is running this journal's session (it holds the \
                          advisory lock); one process per session"
                    .into(),
            });
        }
        Ok(journal)
    }

    /// Connects and migrates without the session lock (tools that copy or
    /// read a journal).
    pub fn open_unlocked(url: &str) -> Result<PgJournal, StoreError> {
        let (mut client, shown) = connect::connect(url)?;
        migrate(&mut client, &shown)?;
        Ok(PgJournal {
            conn: Mutex::new(client),
            months: Mutex::default(),
            statements: Mutex::default(),
            url: shown,
        })
    }

    /// The URL it was opened with, without the password.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The prepared statements (taken after [`PgJournal::client`]).
    fn statements(&self) -> MutexGuard<'_, HashMap<String, postgres::Statement>> {
        self.statements
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn client(&self) -> MutexGuard<'_, Client> {
        // A panic while holding the connection leaves no half-open
        // transaction behind (the transaction rolls back on drop).
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Applies the migrations not yet applied, each in its own transaction,
/// recorded in `schema_version`. The table lock serializes two processes
/// migrating one database at once.
pub(crate) fn migrate(client: &mut Client, url: &str) -> Result<(), StoreError> {
    let failed = |e: postgres::Error| StoreError::Migrate {
        url: url.to_string(),
        message: e.to_string(),
    };
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_version \
             (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
        )
        .map_err(failed)?;
    for (version, sql) in MIGRATIONS {
        let mut tx = client.transaction().map_err(failed)?;
        tx.batch_execute("LOCK TABLE schema_version IN EXCLUSIVE MODE")
            .map_err(failed)?;
        let done = tx
            .query_opt(
                "SELECT 1 FROM schema_version WHERE version = $1",
                &[version],
            )
            .map_err(failed)?
            .is_some();
        if !done {
            tx.batch_execute(sql).map_err(failed)?;
            tx.execute(
                "INSERT INTO schema_version (version) VALUES ($1)",
                &[version],
            )
            .map_err(failed)?;
        }
        tx.commit().map_err(failed)?;
    }
    Ok(())
}

/// A journal to read from an async handler: opened without the session
/// lock, every call run off the caller's runtime.
pub(crate) fn open_reader(url: &str) -> Result<Box<dyn crate::Journal>, StoreError> {
    let journal = off_thread::off_runtime(|| PgJournal::open_unlocked(url))?;
    Ok(Box::new(off_thread::OffThread::new(journal)))
}
