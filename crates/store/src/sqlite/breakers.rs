//! Circuit-breaker persistence: one row per breaker in `breakers` (its
//! current state) and one per transition in `breaker_events` (append-only;
//! triggers refuse updates and deletes). A transition writes both in one
//! transaction.

use super::statement::Statement;
use super::{Store, get, opt_time, text, time};
use crate::error::StoreError;
use rusqlite::Row;
use smc_risk::breakers::{
    Action, BreakerRecord, BreakerState, BreakerStore, BreakerTransition,
    StoreError as BreakerStoreError,
};

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

fn record(row: &Row<'_>) -> Result<BreakerRecord, StoreError> {
    let what = "reading a breaker";
    Ok(BreakerRecord {
        name: text(row, "name", what)?,
        state: state("breakers.state", text(row, "state", what)?)?,
        reason: get(row, "reason", what)?,
        tripped_at: opt_time(row, "tripped_at", what)?,
        cooldown_until: opt_time(row, "cooldown_until", what)?,
        updated_at: time(row, "updated_at", what)?,
    })
}

fn transition(row: &Row<'_>) -> Result<StoredTransition, StoreError> {
    let what = "reading a breaker event";
    let action = text(row, "action", what)?;
    Ok(StoredTransition {
        id: get(row, "id", what)?,
        transition: BreakerTransition {
            breaker: text(row, "breaker", what)?,
            time: time(row, "time", what)?,
            action: Action::parse(&action).ok_or(StoreError::Corrupt {
                what: "breaker_events.action",
                value: action,
            })?,
            from: state("breaker_events.from_state", text(row, "from_state", what)?)?,
            to: state("breaker_events.to_state", text(row, "to_state", what)?)?,
            reason: text(row, "reason", what)?,
            operator: get(row, "operator", what)?,
            cooldown_until: opt_time(row, "cooldown_until", what)?,
        },
    })
}

const UPSERT: &str =
    "INSERT INTO breakers (name, state, reason, tripped_at, cooldown_until, updated_at)
     VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET state = excluded.state, reason = excluded.reason,
     tripped_at = excluded.tripped_at, cooldown_until = excluded.cooldown_until,
     updated_at = excluded.updated_at";

/// The statement that stores `r`'s state.
fn upsert(r: &BreakerRecord) -> Statement {
    Statement::new(UPSERT)
        .text(r.name.clone())
        .text(r.state.as_str())
        .opt_text(r.reason.as_deref())
        .opt_time(r.tripped_at)
        .opt_time(r.cooldown_until)
        .time(r.updated_at)
}

impl Store {
    /// Every breaker, by name.
    pub fn breakers(&self) -> Result<Vec<BreakerRecord>, StoreError> {
        self.rows(
            "SELECT name, state, reason, tripped_at, cooldown_until, updated_at
             FROM breakers ORDER BY name",
            [],
            "reading the breakers",
            record,
        )
    }

    /// The breaker `name`, if stored.
    pub fn breaker(&self, name: &str) -> Result<Option<BreakerRecord>, StoreError> {
        Ok(self.breakers()?.into_iter().find(|r| r.name == name))
    }

    /// Stores a breaker unless one of that name exists.
    pub fn insert_breaker(&self, r: &BreakerRecord) -> Result<(), StoreError> {
        let insert = Statement::new(
            "INSERT INTO breakers (name, state, reason, tripped_at, cooldown_until, updated_at)
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING",
        )
        .text(r.name.clone())
        .text(r.state.as_str())
        .opt_text(r.reason.as_deref())
        .opt_time(r.tripped_at)
        .opt_time(r.cooldown_until)
        .time(r.updated_at);
        self.run(insert, "storing a new breaker").map(drop)
    }

    /// Stores `r` and appends `t` to the audit trail and the audit log, in
    /// one transaction.
    pub fn write_transition(
        &self,
        r: &BreakerRecord,
        t: &BreakerTransition,
    ) -> Result<(), StoreError> {
        let event = Statement::new(
            "INSERT INTO breaker_events
             (breaker, time, action, from_state, to_state, reason, operator, cooldown_until)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .text(t.breaker.clone())
        .time(t.time)
        .text(t.action.as_str())
        .text(t.from.as_str())
        .text(t.to.as_str())
        .text(t.reason.clone())
        .opt_text(t.operator.as_deref())
        .opt_time(t.cooldown_until);
        // The audit chain records it in the same transaction: a breaker's
        // stored state then always matches the chain's last entry for it.
        let audit = super::audit::breaker_entry(t);
        self.run_batch_audited(
            &[upsert(r), event],
            &[audit],
            "recording a breaker transition",
        )
        .map(drop)
    }

    /// The audit trail, oldest first; only `breaker`'s when given, only the
    /// last `limit` when given.
    pub fn breaker_events(
        &self,
        breaker: Option<&str>,
        limit: Option<u32>,
    ) -> Result<Vec<StoredTransition>, StoreError> {
        self.rows(
            "SELECT * FROM (
               SELECT id, breaker, time, action, from_state, to_state, reason, operator,
                      cooldown_until
               FROM breaker_events WHERE (?1 IS NULL OR breaker = ?1)
               ORDER BY id DESC LIMIT ?2
             ) ORDER BY id",
            rusqlite::params![breaker, limit.map_or(-1, i64::from)],
            "reading the breaker events",
            transition,
        )
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
    use smc_model::Timestamp;

    #[test]
    fn the_audit_trail_refuses_updates_and_deletes() {
        let store = Store::open("sqlite::memory:").unwrap();
        let armed = BreakerRecord::armed("stale_data", Timestamp::from_ms(0));
        let (tripped, t) = armed
            .trip(Timestamp::from_ms(1), "no data".into(), None)
            .unwrap();
        store.write_transition(&tripped, &t).unwrap();
        for sql in [
            "UPDATE breaker_events SET reason = 'nothing happened'",
            "DELETE FROM breaker_events",
        ] {
            let err = store.conn().execute(sql, []).unwrap_err();
            assert!(err.to_string().contains("append-only"), "{err}");
        }
        assert_eq!(store.breaker_events(None, None).unwrap().len(), 1);
    }

    #[test]
    fn a_corrupt_state_is_an_error_naming_the_column() {
        let store = Store::open("sqlite::memory:").unwrap();
        store
            .insert_breaker(&BreakerRecord::armed("x", Timestamp::from_ms(0)))
            .unwrap();
        // The CHECK constraint keeps bad states out in the first place.
        let err = store
            .conn()
            .execute("UPDATE breakers SET state = 'open'", [])
            .unwrap_err();
        assert!(err.to_string().contains("CHECK"), "{err}");
        assert_eq!(store.breakers().unwrap()[0].state, BreakerState::Armed);
    }
}
