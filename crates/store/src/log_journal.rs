//! The journal on the order path: each engine step is appended to a
//! checksummed, length-prefixed log file with one `write` before any order
//! it decided leaves, and applied to the database (SQLite or PostgreSQL) by
//! a background writer. A step in the page cache survives a kill of the
//! process as a commit in SQLite's WAL with `synchronous=NORMAL` does; the
//! [`JournalSync`] policy adds `fdatasync` for power loss.
//!
//! Opening applies the log's records after the database's log position
//! (kept in the same transaction as each applied step), drops a torn last
//! record, and empties the log. Reads and the other writes wait until
//! every logged step is applied, so the journal reads as if each step had
//! been committed in place.

mod applier;
mod file;
pub mod record;

use crate::error::StoreError;
use crate::journal::{Journal, LoggedCandle, LoggedReport, StoredOrder, StoredPosition};
use applier::{Applier, Database, lock};
use file::LogFile;
use record::LogStep;
use smc_model::{ClientOrderId, EngineEvent, Fill, InstrumentId, OrderStatus, Timestamp};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// The log is emptied (once everything in it is applied) past this size.
const COMPACT_AT: u64 = 16 << 20;

/// When the log is flushed to the disk (`storage.journal_sync`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum JournalSync {
    /// Never: a kill loses nothing, a power loss the last steps (the
    /// venue's open orders and trades tell a live session what they did).
    #[default]
    None,
    /// `fdatasync` after each step that sends something to the venue.
    Data,
    /// `fdatasync` after every step.
    Full,
}

/// What opening the log found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Recovery {
    /// Logged steps the database did not have yet, applied.
    pub applied: usize,
    /// Bytes of a torn last record, dropped.
    pub dropped: u64,
}

struct Appender {
    file: LogFile,
    next_seq: u64,
    buffer: Vec<u8>,
}

/// A journal whose steps go through the append-only log.
pub struct LogJournal {
    db: Database,
    applier: Applier,
    appender: Mutex<Appender>,
    sync: JournalSync,
    url: String,
    recovery: Recovery,
}

impl LogJournal {
    /// Puts the log at `path` in front of `database`, applying what the
    /// log holds past the database's position first.
    pub fn open(
        database: Box<dyn Journal>,
        path: &Path,
        sync: JournalSync,
    ) -> Result<LogJournal, StoreError> {
        let (mut file, contents) = LogFile::open(path)?;
        let (recovery, last) = recover(database.as_ref(), path, contents)?;
        file.clear()?;
        let url = database.url().to_string();
        let db: Database = Arc::new(Mutex::new(database));
        Ok(LogJournal {
            applier: Applier::start(db.clone())?,
            db,
            appender: Mutex::new(Appender {
                file,
                next_seq: last + 1,
                buffer: Vec::with_capacity(4096),
            }),
            sync,
            url,
            recovery,
        })
    }

    /// What opening found in the log.
    pub fn recovery(&self) -> Recovery {
        self.recovery
    }

    /// Where the log is.
    pub fn log_path(&self) -> std::path::PathBuf {
        self.appender().file.path().to_path_buf()
    }

    fn appender(&self) -> MutexGuard<'_, Appender> {
        self.appender.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `f` on the database once every logged step is applied.
    fn settled<T>(
        &self,
        f: impl FnOnce(&dyn Journal) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.applier.drain()?;
        f(lock(&self.db).as_ref())
    }

    /// Whether this step must reach the disk before it returns.
    fn must_sync(&self, events: &[EngineEvent]) -> bool {
        match self.sync {
            JournalSync::None => false,
            JournalSync::Full => true,
            JournalSync::Data => events.iter().any(sends_to_venue),
        }
    }
}

/// Applies the log's records past the database's position, in order;
/// what it did and the last sequence number used.
fn recover(
    database: &dyn Journal,
    path: &Path,
    contents: file::Contents,
) -> Result<(Recovery, u64), StoreError> {
    let applied = database.applied_log_seq()?;
    let mut recovery = Recovery {
        applied: 0,
        dropped: contents.dropped,
    };
    let mut last = applied;
    for (seq, step) in contents.records {
        if seq > applied && seq > last + 1 {
            // The database is behind the log by records the log no longer
            // holds (restored from an older backup?): applying the rest on
            // top would journal a different past.
            return Err(StoreError::Log {
                path: path.display().to_string(),
                message: format!(
                    "record {seq} is its next, but the database has applied only up to {applied}: the database is older than the log; restore a matching pair or move the log aside"
                ),
            });
        }
        if seq > applied {
            database.apply_logged_step(seq, step.candle.as_ref(), &step.events)?;
            recovery.applied += 1;
        }
        last = last.max(seq);
    }
    Ok((recovery, last))
}

/// Events after which the session tells the venue something.
fn sends_to_venue(event: &EngineEvent) -> bool {
    matches!(
        event,
        EngineEvent::OrderSubmitted { .. }
            | EngineEvent::CancelRequested { .. }
            | EngineEvent::OrderAmended { .. }
    )
}

impl Drop for LogJournal {
    fn drop(&mut self) {
        self.applier.finish();
        if self.applier.drain().is_ok() {
            // Everything is in the database: nothing to apply at the next
            // open, so no file is left behind. A failure leaves the log for
            // that open to retry.
            let mut appender = self.appender();
            if appender.file.clear().is_ok() {
                let _ = std::fs::remove_file(appender.file.path());
            }
        }
    }
}

impl Journal for LogJournal {
    fn url(&self) -> &str {
        &self.url
    }

    fn commit_step(
        &self,
        candle: Option<&LoggedCandle>,
        events: &[EngineEvent],
    ) -> Result<(), StoreError> {
        let mut appender = self.appender();
        if appender.file.len() > COMPACT_AT {
            self.applier.drain()?;
            appender.file.clear()?;
        }
        let seq = appender.next_seq;
        let Appender { file, buffer, .. } = &mut *appender;
        buffer.clear();
        record::encode(seq, candle, events, buffer).map_err(|e| StoreError::Log {
            path: file.path().display().to_string(),
            message: format!("cannot encode a step: {e}"),
        })?;
        file.append(buffer)?;
        if self.must_sync(events) {
            file.sync()?;
        }
        appender.next_seq += 1;
        drop(appender);
        let step = LogStep {
            candle: candle.cloned(),
            events: events.to_vec(),
        };
        self.applier.push(seq, step)
    }

    fn apply_logged_step(
        &self,
        seq: u64,
        candle: Option<&LoggedCandle>,
        events: &[EngineEvent],
    ) -> Result<(), StoreError> {
        self.settled(|db| db.apply_logged_step(seq, candle, events))
    }

    fn applied_log_seq(&self) -> Result<u64, StoreError> {
        self.settled(|db| db.applied_log_seq())
    }

    fn replay(&self, event: &EngineEvent) -> Result<(), StoreError> {
        self.settled(|db| db.replay(event))
    }

    fn logged_candles(&self) -> Result<Vec<LoggedCandle>, StoreError> {
        self.settled(|db| db.logged_candles())
    }

    fn log_venue_report(
        &self,
        key: &str,
        after_candles: i64,
        report: &str,
    ) -> Result<bool, StoreError> {
        self.settled(|db| db.log_venue_report(key, after_candles, report))
    }

    fn venue_reports(&self) -> Result<Vec<LoggedReport>, StoreError> {
        self.settled(|db| db.venue_reports())
    }

    fn order(&self, client_id: &ClientOrderId) -> Result<Option<StoredOrder>, StoreError> {
        self.settled(|db| db.order(client_id))
    }

    fn orders(&self) -> Result<Vec<StoredOrder>, StoreError> {
        self.settled(|db| db.orders())
    }

    fn open_orders(&self) -> Result<Vec<StoredOrder>, StoreError> {
        self.settled(|db| db.open_orders())
    }

    fn order_by_venue_id(
        &self,
        instrument: &InstrumentId,
        venue_order_id: &str,
    ) -> Result<Option<StoredOrder>, StoreError> {
        self.settled(|db| db.order_by_venue_id(instrument, venue_order_id))
    }

    fn fills(&self) -> Result<Vec<Fill>, StoreError> {
        self.settled(|db| db.fills())
    }

    fn positions(&self) -> Result<Vec<StoredPosition>, StoreError> {
        self.settled(|db| db.positions())
    }

    fn set_order_status(
        &self,
        client_id: &ClientOrderId,
        status: OrderStatus,
        reason: Option<&str>,
        venue_order_id: Option<&str>,
        time: Timestamp,
    ) -> Result<bool, StoreError> {
        self.settled(|db| db.set_order_status(client_id, status, reason, venue_order_id, time))
    }

    fn set_venue_order_id(
        &self,
        client_id: &ClientOrderId,
        venue_order_id: &str,
    ) -> Result<(), StoreError> {
        self.settled(|db| db.set_venue_order_id(client_id, venue_order_id))
    }

    fn session_value(&self, name: &str) -> Result<Option<String>, StoreError> {
        self.settled(|db| db.session_value(name))
    }

    fn session_value_or_insert(&self, name: &str, value: &str) -> Result<String, StoreError> {
        self.settled(|db| db.session_value_or_insert(name, value))
    }

    fn defer_housekeeping(&self) -> Result<(), StoreError> {
        self.settled(|db| db.defer_housekeeping())
    }

    fn housekeeping(&self) -> Result<(), StoreError> {
        self.settled(|db| db.housekeeping())
    }
}
