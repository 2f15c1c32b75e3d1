//! The alerts' outbox on SQLite: a message is written here for each channel
//! before it is sent, and marked delivered, retried later or given up, so
//! that nothing an alert said is lost to a restart or a channel's outage.

use super::statement::Statement;
use super::{Store, get, text, time};
use crate::error::StoreError;
use rusqlite::Row;
use smc_model::Timestamp;

/// A message waiting for (or past) delivery on one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    pub id: i64,
    pub channel: String,
    pub key: String,
    /// The message as JSON.
    pub payload: String,
    pub created: Timestamp,
    pub due: Timestamp,
    pub attempts: u32,
    pub last_error: Option<String>,
}

fn message(row: &Row<'_>) -> Result<OutboxMessage, StoreError> {
    let what = "reading the alert outbox";
    Ok(OutboxMessage {
        id: get(row, "id", what)?,
        channel: text(row, "channel", what)?,
        key: text(row, "alert_key", what)?,
        payload: text(row, "payload", what)?,
        created: time(row, "created_ms", what)?,
        due: time(row, "due_ms", what)?,
        attempts: get::<u32>(row, "attempts", what)?,
        last_error: get(row, "last_error", what)?,
    })
}

const COLUMNS: &str = "id, channel, alert_key, payload, created_ms, due_ms, attempts, last_error";

impl Store {
    /// Writes a message for `channel`, due now; its id.
    pub fn outbox_add(
        &self,
        channel: &str,
        key: &str,
        payload: &str,
        now: Timestamp,
    ) -> Result<i64, StoreError> {
        let what = "adding to the alert outbox";
        self.run(
            Statement::new(
                "INSERT INTO alert_outbox (channel, alert_key, payload, created_ms, due_ms) \
                 VALUES (?, ?, ?, ?, ?)",
            )
            .text(channel)
            .text(key)
            .text(payload)
            .time(now)
            .time(now),
            what,
        )?;
        Ok(self.conn().last_insert_rowid())
    }

    /// Pending messages of `channel` due at `now`, oldest first.
    pub fn outbox_due(
        &self,
        channel: &str,
        now: Timestamp,
        limit: usize,
    ) -> Result<Vec<OutboxMessage>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM alert_outbox WHERE state = 'pending' AND channel = ? \
             AND due_ms <= ? ORDER BY id LIMIT ?"
        );
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.rows(
            &sql,
            rusqlite::params![channel, now.ms(), limit],
            "reading due alerts",
            message,
        )
    }

    /// Every pending message, oldest first.
    pub fn outbox_pending(&self) -> Result<Vec<OutboxMessage>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM alert_outbox WHERE state = 'pending' ORDER BY id");
        self.rows(&sql, [], "reading pending alerts", message)
    }

    /// The earliest time a pending message of `channel` is due.
    pub fn outbox_next_due(&self, channel: &str) -> Result<Option<Timestamp>, StoreError> {
        let what = "reading the next due alert";
        let conn = self.conn();
        let next: Option<i64> = conn
            .query_row(
                "SELECT MIN(due_ms) FROM alert_outbox WHERE state = 'pending' AND channel = ?",
                [channel],
                |r| r.get(0),
            )
            .map_err(StoreError::query(what))?;
        Ok(next.map(Timestamp::from_ms))
    }

    /// `id` was delivered at `now`.
    pub fn outbox_delivered(&self, id: i64, now: Timestamp) -> Result<(), StoreError> {
        self.run(
            Statement::new(
                "UPDATE alert_outbox SET state = 'delivered', attempts = attempts + 1, \
                 done_ms = ? WHERE id = ?",
            )
            .time(now)
            .int(id),
            "marking an alert delivered",
        )
        .map(drop)
    }

    /// An attempt at `id` failed with `error`; it is tried again at `due`.
    pub fn outbox_retry(&self, id: i64, error: &str, due: Timestamp) -> Result<(), StoreError> {
        self.run(
            Statement::new(
                "UPDATE alert_outbox SET attempts = attempts + 1, last_error = ?, due_ms = ? \
                 WHERE id = ?",
            )
            .text(error)
            .time(due)
            .int(id),
            "rescheduling an alert",
        )
        .map(drop)
    }

    /// `id` is given up (too old, or refused for good).
    pub fn outbox_abandon(&self, id: i64, error: &str, now: Timestamp) -> Result<(), StoreError> {
        self.run(
            Statement::new(
                "UPDATE alert_outbox SET state = 'abandoned', attempts = attempts + 1, \
                 last_error = ?, done_ms = ? WHERE id = ?",
            )
            .text(error)
            .time(now)
            .int(id),
            "giving up an alert",
        )
        .map(drop)
    }

    /// Whether a message with `key` was delivered (a report sent).
    pub fn outbox_sent(&self, key: &str) -> Result<bool, StoreError> {
        let what = "looking up a sent message";
        let found: i64 = self
            .conn()
            .query_row(
                "SELECT COUNT(*) FROM alert_outbox WHERE state = 'delivered' AND alert_key = ?",
                [key],
                |r| r.get(0),
            )
            .map_err(StoreError::query(what))?;
        Ok(found > 0)
    }

    /// Messages delivered on `channel` (tests, `smc alerts` status).
    pub fn outbox_delivered_count(&self, channel: &str) -> Result<u64, StoreError> {
        let what = "counting delivered alerts";
        let count: i64 = self
            .conn()
            .query_row(
                "SELECT COUNT(*) FROM alert_outbox WHERE state = 'delivered' AND channel = ?",
                [channel],
                |r| r.get(0),
            )
            .map_err(StoreError::query(what))?;
        Ok(u64::try_from(count).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_waits_until_due_and_is_delivered_once() {
        let store = Store::open("sqlite::memory:").unwrap();
        let t0 = Timestamp::from_ms(1_000);
        let id = store
            .outbox_add("slack", "breaker:daily_loss", "{}", t0)
            .unwrap();
        store
            .outbox_add("email", "breaker:daily_loss", "{}", t0)
            .unwrap();
        assert_eq!(store.outbox_due("slack", t0, 10).unwrap().len(), 1);
        store
            .outbox_retry(id, "503", Timestamp::from_ms(3_000))
            .unwrap();
        assert!(
            store
                .outbox_due("slack", Timestamp::from_ms(2_999), 10)
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            store.outbox_next_due("slack").unwrap(),
            Some(Timestamp::from_ms(3_000))
        );
        let due = store
            .outbox_due("slack", Timestamp::from_ms(3_000), 10)
            .unwrap();
        assert_eq!(due[0].attempts, 1);
        assert_eq!(due[0].last_error.as_deref(), Some("503"));
        store
            .outbox_delivered(id, Timestamp::from_ms(3_001))
            .unwrap();
        assert!(
            store
                .outbox_due("slack", Timestamp::from_ms(9_999), 10)
                .unwrap()
                .is_empty()
        );
        assert_eq!(store.outbox_delivered_count("slack").unwrap(), 1);
        assert_eq!(
            store.outbox_pending().unwrap().len(),
            1,
            "email's is still pending"
        );
    }
}
