//! PostgreSQL calls kept off the caller's async runtime. The sync client
//! drives a runtime of its own and refuses to block inside another one, and
//! the API server calls the store from its request handlers: each call
//! runs on a short-lived scoped thread instead, wherever it is called
//! from. Measured on this 2-core machine while others were building: a bare
//! hop 28-195 µs; a user read through `PgStore` ≈0.19 ms and an audit
//! append (lock, head, insert, commit) ≈2.6 ms on a local cluster, against
//! 2.4 µs and 53 µs on SQLite. A worker thread owning the connection would
//! save the spawn; the API's store calls are few per request.

use crate::error::StoreError;
use crate::journal::{Journal, LoggedCandle, LoggedReport, StoredOrder, StoredPosition};
use smc_model::{ClientOrderId, EngineEvent, Fill, InstrumentId, OrderStatus, Timestamp};

/// Runs `f` on a thread of its own and returns what it returned (a panic
/// in `f` goes on in the caller).
pub(crate) fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| match s.spawn(f).join() {
        Ok(v) => v,
        Err(panic) => std::panic::resume_unwind(panic),
    })
}

/// A journal whose every call runs off the caller's runtime (the API's
/// readers of a hosted session's journal), and whose drop does too:
/// closing a PostgreSQL connection blocks on the client's own runtime,
/// which panics on a thread that drives the API's tasks.
#[derive(Debug)]
pub(crate) struct OffThread<J: Send>(Option<J>);

impl<J: Send> OffThread<J> {
    pub(crate) fn new(journal: J) -> Self {
        OffThread(Some(journal))
    }

    fn j(&self) -> &J {
        // Taken only by `drop`.
        self.0
            .as_ref()
            .unwrap_or_else(|| unreachable!("the journal is there until dropped"))
    }
}

impl<J: Send> Drop for OffThread<J> {
    fn drop(&mut self) {
        if let Some(journal) = self.0.take() {
            off_runtime(move || drop(journal));
        }
    }
}

impl<J: Journal + Sync> Journal for OffThread<J> {
    fn url(&self) -> &str {
        self.j().url()
    }

    fn commit_step(
        &self,
        candle: Option<&LoggedCandle>,
        events: &[EngineEvent],
    ) -> Result<(), StoreError> {
        off_runtime(|| self.j().commit_step(candle, events))
    }

    fn apply_logged_step(
        &self,
        seq: u64,
        candle: Option<&LoggedCandle>,
        events: &[EngineEvent],
    ) -> Result<(), StoreError> {
        off_runtime(|| self.j().apply_logged_step(seq, candle, events))
    }

    fn applied_log_seq(&self) -> Result<u64, StoreError> {
        off_runtime(|| self.j().applied_log_seq())
    }

    fn replay(&self, event: &EngineEvent) -> Result<(), StoreError> {
        off_runtime(|| self.j().replay(event))
    }

    fn logged_candles(&self) -> Result<Vec<LoggedCandle>, StoreError> {
        off_runtime(|| self.j().logged_candles())
    }

    fn log_venue_report(
        &self,
        key: &str,
        after_candles: i64,
        report: &str,
    ) -> Result<bool, StoreError> {
        off_runtime(|| self.j().log_venue_report(key, after_candles, report))
    }

    fn venue_reports(&self) -> Result<Vec<LoggedReport>, StoreError> {
        off_runtime(|| self.j().venue_reports())
    }

    fn order(&self, client_id: &ClientOrderId) -> Result<Option<StoredOrder>, StoreError> {
        off_runtime(|| self.j().order(client_id))
    }

    fn orders(&self) -> Result<Vec<StoredOrder>, StoreError> {
        off_runtime(|| self.j().orders())
    }

    fn order_by_venue_id(
        &self,
        instrument: &InstrumentId,
        venue_order_id: &str,
    ) -> Result<Option<StoredOrder>, StoreError> {
        off_runtime(|| self.j().order_by_venue_id(instrument, venue_order_id))
    }

    fn fills(&self) -> Result<Vec<Fill>, StoreError> {
        off_runtime(|| self.j().fills())
    }

    fn positions(&self) -> Result<Vec<StoredPosition>, StoreError> {
        off_runtime(|| self.j().positions())
    }

    fn set_order_status(
        &self,
        client_id: &ClientOrderId,
        status: OrderStatus,
        reason: Option<&str>,
        venue_order_id: Option<&str>,
        time: Timestamp,
    ) -> Result<bool, StoreError> {
        off_runtime(|| {
            self.j()
                .set_order_status(client_id, status, reason, venue_order_id, time)
        })
    }

    fn set_venue_order_id(
        &self,
        client_id: &ClientOrderId,
        venue_order_id: &str,
    ) -> Result<(), StoreError> {
        off_runtime(|| self.j().set_venue_order_id(client_id, venue_order_id))
    }

    fn session_value(&self, name: &str) -> Result<Option<String>, StoreError> {
        off_runtime(|| self.j().session_value(name))
    }

    fn session_value_or_insert(&self, name: &str, value: &str) -> Result<String, StoreError> {
        off_runtime(|| self.j().session_value_or_insert(name, value))
    }

    fn defer_housekeeping(&self) -> Result<(), StoreError> {
        off_runtime(|| self.j().defer_housekeeping())
    }

    fn housekeeping(&self) -> Result<(), StoreError> {
        off_runtime(|| self.j().housekeeping())
    }
}
