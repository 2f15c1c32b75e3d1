//! Persistence for the SMC trading agent. The runtime writes through the
//! [`Journal`] interface (orders written before they are sent, fills once
//! per trade id, positions, the candle and venue-report logs a restart
//! replays, the facts a session fixes once); [`Store`] implements it on
//! SQLite, the embedded default (`sqlite://FILE`, created on first use),
//! and also keeps the circuit breakers' states with their append-only
//! audit trail and the verifier of the breaker reset secret. The schema
//! comes from numbered migrations in `migrations/`, embedded in the binary
//! and applied by refinery when a store opens.

/// `smc store backup` and `smc store restore`: a database to one file and back.
pub mod backup;
/// `smc store migrate` and `smc store copy`.
pub mod copy;
/// What can go wrong, naming the database or the operation.
pub mod error;
/// The journal interface and the records it reads back.
pub mod journal;
/// The engine's events journaled before they go on.
pub mod journal_sink;
/// The append-only log on the order path, applied to the database behind it.
pub mod log_journal;
/// The PostgreSQL journal and store.
pub mod postgres;
/// The server's and the risk tools' store, on either backend.
pub mod server_store;
/// The SQLite store.
pub mod sqlite;

pub use error::StoreError;
pub use journal::{
    CandleReceipt, Journal, LoggedCandle, LoggedReport, StoredOrder, StoredPosition,
};
pub use journal_sink::JournalSink;
pub use log_journal::{JournalSync, LogJournal, Recovery};
pub use postgres::{PgJournal, PgStore, is_postgres_url, redacted as redacted_url};
pub use server_store::{
    RiskStore, ServerStore, open_breaker_store, open_risk_store, open_server_store,
};
pub use sqlite::Store;
pub use sqlite::accounts::UserRecord;
pub use sqlite::alert_outbox::OutboxMessage;
pub use sqlite::audit::{
    AuditEntry, AuditReport, BreakerMismatch, BrokenEntry, GENESIS as AUDIT_GENESIS, NewAuditEntry,
};
pub use sqlite::breakers::StoredTransition;
pub use sqlite::secrets::{BREAKER_RESET, StoredVerifier};
pub use sqlite::server_settings::ExchangeKeyInfo;
pub use sqlite::tokens::{ApiKeyRecord, RefreshRecord};

/// Opens the journal at `url` to read it while its session may run: no
/// session lock is taken, and a SQLite file must exist.
pub fn open_journal_reader(url: &str) -> Result<Box<dyn Journal>, StoreError> {
    if postgres::is_postgres_url(url) {
        return postgres::open_reader(url);
    }
    Ok(Box::new(Store::open_existing(url)?))
}

/// Opens the journal a database URL names: `sqlite://FILE` or
/// `postgres://…` (`postgresql://…`; the session lock taken).
pub fn open_journal(url: &str) -> Result<Box<dyn Journal>, StoreError> {
    if postgres::is_postgres_url(url) {
        return Ok(Box::new(PgJournal::open(url)?));
    }
    Ok(Box::new(Store::open(url)?))
}

/// Opens a session's journal at `url` behind its append-only log: at
/// `log` when given, else beside a SQLite file (`FILE.steplog`) or, for
/// PostgreSQL, `smc-journal-<hash of the URL without its password>.steplog`
/// in the working directory (one per database). An in-memory SQLite
/// database has no log.
pub fn open_session_journal(
    url: &str,
    log: Option<&std::path::Path>,
    sync: JournalSync,
) -> Result<Box<dyn Journal>, StoreError> {
    let database = open_journal(url)?;
    let path = match log {
        Some(path) => path.to_path_buf(),
        None if postgres::is_postgres_url(url) => {
            use sha2::{Digest, Sha256};
            let hash = Sha256::digest(redacted_url(url).as_bytes());
            let name: String = hash.iter().take(8).map(|b| format!("{b:02x}")).collect();
            format!("smc-journal-{name}.steplog").into()
        }
        None => match sqlite::location(url)? {
            Some(file) => {
                let mut name = file.into_os_string();
                name.push(".steplog");
                name.into()
            }
            None => return Ok(database),
        },
    };
    Ok(Box::new(LogJournal::open(database, &path, sync)?))
}
