//! Circuit-breaker persistence: one row per breaker in `breakers` (its
//! current state) and one per transition in `breaker_events` (append-only;
//! triggers refuse updates and deletes). A transition writes both in one
//! transaction.

use crate::db::Store;
use crate::error::StoreError;
use smc_risk::breakers::{
    Action, BreakerRecord, BreakerState, BreakerStore, BreakerTransition,
    StoreError as BreakerStoreError,
};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

/// A transition as read back from the audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTransition {
    /// Order of writing.
    pub id: i64,
    pub transition: BreakerTransition,
}

fn state(what: &'static str, s: String) -> Result<BreakerState, StoreError> {
    BreakerState::parse(&s).ok_or(StoreError::Corrupt { what, value: s })
}

fn record(row: &SqliteRow) -> Result<BreakerRecord, StoreError> {
    let what = "reading a breaker";
    let q = StoreError::query(what);
    let state_text: String = row.try_get("state").map_err(StoreError::query(what))?;
    Ok(BreakerRecord {
        name: row.try_get("name").map_err(StoreError::query(what))?,
        state: state("breakers.state", state_text)?,
        reason: row.try_get("reason").map_err(StoreError::query(what))?,
        tripped_at: row.try_get("tripped_at").map_err(StoreError::query(what))?,
        cooldown_until: row
            .try_get("cooldown_until")
            .map_err(StoreError::query(what))?,
        updated_at: row.try_get("updated_at").map_err(q)?,
    })
}

fn transition(row: &SqliteRow) -> Result<StoredTransition, StoreError> {
    let what = "reading a breaker event";
    let get_text =
        |c| -> Result<String, StoreError> { row.try_get(c).map_err(StoreError::query(what)) };
    let action = get_text("action")?;
    Ok(StoredTransition {
        id: row.try_get("id").map_err(StoreError::query(what))?,
        transition: BreakerTransition {
            breaker: get_text("breaker")?,
            time: row.try_get("time").map_err(StoreError::query(what))?,
            action: Action::parse(&action).ok_or(StoreError::Corrupt {
                what: "breaker_events.action",
                value: action,
            })?,
            from: state("breaker_events.from_state", get_text("from_state")?)?,
            to: state("breaker_events.to_state", get_text("to_state")?)?,
            reason: get_text("reason")?,
            operator: row.try_get("operator").map_err(StoreError::query(what))?,
            cooldown_until: row
                .try_get("cooldown_until")
                .map_err(StoreError::query(what))?,
        },
    })
}

const UPSERT: &str =
    "INSERT INTO breakers (name, state, reason, tripped_at, cooldown_until, updated_at)
     VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET state = excluded.state, reason = excluded.reason,
     tripped_at = excluded.tripped_at, cooldown_until = excluded.cooldown_until,
     updated_at = excluded.updated_at";

impl Store {
    /// Every breaker, by name.
    pub fn breakers(&self) -> Result<Vec<BreakerRecord>, StoreError> {
        let rows = self
            .block_on(
                sqlx::query(
                    "SELECT name, state, reason, tripped_at, cooldown_until, updated_at
                     FROM breakers ORDER BY name",
                )
                .fetch_all(&mut *self.conn()),
            )
            .map_err(StoreError::query("reading the breakers"))?;
        rows.iter().map(record).collect()
    }

    /// The breaker `name`, if stored.
    pub fn breaker(&self, name: &str) -> Result<Option<BreakerRecord>, StoreError> {
        Ok(self.breakers()?.into_iter().find(|r| r.name == name))
    }

    /// Stores a breaker unless one of that name exists.
    pub fn insert_breaker(&self, r: &BreakerRecord) -> Result<(), StoreError> {
        self.block_on(
            sqlx::query(
                "INSERT INTO breakers (name, state, reason, tripped_at, cooldown_until, updated_at)
                 VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
            )
            .bind(&r.name)
            .bind(r.state.as_str())
            .bind(&r.reason)
            .bind(r.tripped_at)
            .bind(r.cooldown_until)
            .bind(r.updated_at)
            .execute(&mut *self.conn()),
        )
        .map_err(StoreError::query("storing a new breaker"))?;
        Ok(())
    }

    /// Stores `r` and appends `t` to the audit trail, in one transaction.
    pub fn write_transition(
        &self,
        r: &BreakerRecord,
        t: &BreakerTransition,
    ) -> Result<(), StoreError> {
        let what = "recording a breaker transition";
        let mut conn = self.conn();
        self.block_on(async {
            let mut tx = sqlx::Connection::begin(&mut *conn).await?;
            sqlx::query(UPSERT)
                .bind(&r.name)
                .bind(r.state.as_str())
                .bind(&r.reason)
                .bind(r.tripped_at)
                .bind(r.cooldown_until)
                .bind(r.updated_at)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO breaker_events
                 (breaker, time, action, from_state, to_state, reason, operator, cooldown_until)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&t.breaker)
            .bind(t.time)
            .bind(t.action.as_str())
            .bind(t.from.as_str())
            .bind(t.to.as_str())
            .bind(&t.reason)
            .bind(&t.operator)
            .bind(t.cooldown_until)
            .execute(&mut *tx)
            .await?;
            tx.commit().await
        })
        .map_err(StoreError::query(what))
    }

    /// The audit trail, oldest first; only `breaker`'s when given, only the
    /// last `limit` when given.
    pub fn breaker_events(
        &self,
        breaker: Option<&str>,
        limit: Option<u32>,
    ) -> Result<Vec<StoredTransition>, StoreError> {
        let rows = self
            .block_on(
                sqlx::query(
                    "SELECT * FROM (
                       SELECT id, breaker, time, action, from_state, to_state, reason, operator,
                              cooldown_until
                       FROM breaker_events WHERE (?1 IS NULL OR breaker = ?1)
                       ORDER BY id DESC LIMIT ?2
                     ) ORDER BY id",
                )
                .bind(breaker)
                .bind(limit.map_or(-1, i64::from))
                .fetch_all(&mut *self.conn()),
            )
            .map_err(StoreError::query("reading the breaker events"))?;
        rows.iter().map(transition).collect()
    }
}

fn to_breaker_error(e: StoreError) -> BreakerStoreError {
    BreakerStoreError(e.to_string())
}

impl BreakerStore for Store {
    fn load_breakers(&mut self) -> Result<Vec<BreakerRecord>, BreakerStoreError> {
        self.breakers().map_err(to_breaker_error)
    }

    fn create_breaker(&mut self, record: &BreakerRecord) -> Result<(), BreakerStoreError> {
        self.insert_breaker(record).map_err(to_breaker_error)
    }

    fn record_transition(
        &mut self,
        record: &BreakerRecord,
        transition: &BreakerTransition,
    ) -> Result<(), BreakerStoreError> {
        self.write_transition(record, transition)
            .map_err(to_breaker_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_audit_trail_refuses_updates_and_deletes() {
        let store = Store::open("sqlite::memory:").unwrap();
        let armed = BreakerRecord::armed("stale_data", 0);
        let (tripped, t) = armed.trip(1, "no data".into(), None).unwrap();
        store.write_transition(&tripped, &t).unwrap();
        for sql in [
            "UPDATE breaker_events SET reason = 'nothing happened'",
            "DELETE FROM breaker_events",
        ] {
            let err = store
                .block_on(sqlx::query(sql).execute(&mut *store.conn()))
                .unwrap_err();
            assert!(err.to_string().contains("append-only"), "{err}");
        }
        assert_eq!(store.breaker_events(None, None).unwrap().len(), 1);
    }

    #[test]
    fn a_corrupt_state_is_an_error_naming_the_column() {
        let store = Store::open("sqlite::memory:").unwrap();
        store.insert_breaker(&BreakerRecord::armed("x", 0)).unwrap();
        // The CHECK constraint keeps bad states out in the first place.
        let err = store
            .block_on(sqlx::query("UPDATE breakers SET state = 'open'").execute(&mut *store.conn()))
            .unwrap_err();
        assert!(err.to_string().contains("CHECK"), "{err}");
        assert_eq!(store.breakers().unwrap()[0].state, BreakerState::Armed);
    }
}
