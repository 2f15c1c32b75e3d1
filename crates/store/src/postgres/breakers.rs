//! Circuit breakers on PostgreSQL (the risk crate's `BreakerStore`): one
//! row per breaker, one per transition in the append-only
//! `breaker_events`, and the transition's audit entry, all in one
//! transaction, as on SQLite (`crate::sqlite::breakers`). Also the
//! verifiers of operator secrets (the breaker reset token).

use super::audit::append_in;
use super::store::{PgStore, col, opt_time, time};
use crate::error::StoreError;
use crate::sqlite::audit::breaker_entry;
use crate::sqlite::breakers::StoredTransition;
use crate::sqlite::secrets::{ALGORITHM, StoredVerifier, digest};
use postgres::Row;
use smc_risk::breakers::{
    Action, BreakerRecord, BreakerState, BreakerStore, BreakerTransition,
    StoreError as BreakerStoreError,
};

fn state(what: &'static str, s: String) -> Result<BreakerState, StoreError> {
    BreakerState::parse(&s).ok_or(StoreError::Corrupt { what, value: s })
}

fn record(row: &Row) -> Result<BreakerRecord, StoreError> {
    let what = "reading a breaker";
    Ok(BreakerRecord {
        name: col(row, "name", what)?,
        state: state("breakers.state", col(row, "state", what)?)?,
        reason: col(row, "reason", what)?,
        tripped_at: opt_time(row, "tripped_at", what)?,
        cooldown_until: opt_time(row, "cooldown_until", what)?,
        updated_at: time(row, "updated_at", what)?,
    })
}

fn transition(row: &Row) -> Result<StoredTransition, StoreError> {
    let what = "reading a breaker event";
    let action: String = col(row, "action", what)?;
    Ok(StoredTransition {
        id: col(row, "id", what)?,
        transition: BreakerTransition {
            breaker: col(row, "breaker", what)?,
            time: time(row, "time", what)?,
            action: Action::parse(&action).ok_or(StoreError::Corrupt {
                what: "breaker_events.action",
                value: action,
            })?,
            from: state("breaker_events.from_state", col(row, "from_state", what)?)?,
            to: state("breaker_events.to_state", col(row, "to_state", what)?)?,
            reason: col(row, "reason", what)?,
            operator: col(row, "operator", what)?,
            cooldown_until: opt_time(row, "cooldown_until", what)?,
        },
    })
}

const INSERT: &str =
    "INSERT INTO breakers (name, state, reason, tripped_at, cooldown_until, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6)";

fn ms(t: Option<smc_model::Timestamp>) -> Option<i64> {
    t.map(smc_model::Timestamp::ms)
}

/// Writes `r` with `sql` (an insert, with or without its conflict clause).
fn write_record(
    c: &mut impl postgres::GenericClient,
    sql: &str,
    r: &BreakerRecord,
    what: &'static str,
) -> Result<(), StoreError> {
    c.execute(
        sql,
        &[
            &r.name,
            &r.state.as_str(),
            &r.reason,
            &ms(r.tripped_at),
            &ms(r.cooldown_until),
            &r.updated_at.ms(),
        ],
    )
    .map(drop)
    .map_err(StoreError::pg(what))
}

/// Writes a transition's row, with its id when one is given (a copy).
pub(crate) fn write_event(
    c: &mut impl postgres::GenericClient,
    id: Option<i64>,
    t: &BreakerTransition,
) -> Result<(), StoreError> {
    c.execute(
        "INSERT INTO breaker_events
         (id, breaker, time, action, from_state, to_state, reason, operator, cooldown_until)
         OVERRIDING SYSTEM VALUE
         VALUES (COALESCE($1, nextval(pg_get_serial_sequence('breaker_events', 'id'))),
                 $2, $3, $4, $5, $6, $7, $8, $9)",
        &[
            &id,
            &t.breaker,
            &t.time.ms(),
            &t.action.as_str(),
            &t.from.as_str(),
            &t.to.as_str(),
            &t.reason,
            &t.operator,
            &ms(t.cooldown_until),
        ],
    )
    .map(drop)
    .map_err(StoreError::pg("recording a breaker transition"))
}

/// Writes a breaker's state (a copy: no transition, no audit entry).
pub(crate) fn put_record(
    c: &mut impl postgres::GenericClient,
    r: &BreakerRecord,
) -> Result<(), StoreError> {
    write_record(c, INSERT, r, "copying a breaker")
}

impl PgStore {
    /// Every breaker, by name.
    pub fn breakers(&self) -> Result<Vec<BreakerRecord>, StoreError> {
        self.rows(
            "SELECT name, state, reason, tripped_at, cooldown_until, updated_at
             FROM breakers ORDER BY name",
            &[],
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
        super::off_runtime(|| {
            let sql = format!("{INSERT} ON CONFLICT (name) DO NOTHING");
            write_record(&mut *self.client()?, &sql, r, "storing a new breaker")
        })
    }

    /// Stores `r` and appends `t` to the trail and the audit log, in one
    /// transaction.
    pub fn write_transition(
        &self,
        r: &BreakerRecord,
        t: &BreakerTransition,
    ) -> Result<(), StoreError> {
        super::off_runtime(|| {
            let what = "recording a breaker transition";
            let mut client = self.client()?;
            let mut tx = client.transaction().map_err(StoreError::pg(what))?;
            let upsert = format!(
                "{INSERT} ON CONFLICT (name) DO UPDATE SET state = excluded.state,
             reason = excluded.reason, tripped_at = excluded.tripped_at,
             cooldown_until = excluded.cooldown_until, updated_at = excluded.updated_at"
            );
            write_record(&mut tx, &upsert, r, what)?;
            write_event(&mut tx, None, t)?;
            append_in(&mut tx, &[breaker_entry(t)])?;
            tx.commit().map_err(StoreError::pg(what))
        })
    }

    /// The trail, oldest first; only `breaker`'s when given, only the last
    /// `limit` when given.
    pub fn breaker_events(
        &self,
        breaker: Option<&str>,
        limit: Option<u32>,
    ) -> Result<Vec<StoredTransition>, StoreError> {
        self.rows(
            "SELECT * FROM (
               SELECT id, breaker, time, action, from_state, to_state, reason, operator,
                      cooldown_until
               FROM breaker_events WHERE ($1::TEXT IS NULL OR breaker = $1)
               ORDER BY id DESC LIMIT $2
             ) AS last ORDER BY id",
            &[&breaker, &limit.map(i64::from)],
            "reading the breaker events",
            transition,
        )
    }

    /// The verifier enrolled under `name`, if any.
    pub fn verifier(&self, name: &str) -> Result<Option<StoredVerifier>, StoreError> {
        let what = "reading a secret's verifier";
        let mut found = self.rows(
            "SELECT algorithm, salt, hash FROM secrets WHERE name = $1",
            &[&name],
            what,
            |r| {
                let algorithm: String = col(r, "algorithm", what)?;
                if algorithm != ALGORITHM {
                    return Err(StoreError::Corrupt {
                        what: "secrets.algorithm",
                        value: algorithm,
                    });
                }
                Ok(StoredVerifier::new(
                    col(r, "salt", what)?,
                    col(r, "hash", what)?,
                ))
            },
        )?;
        Ok(found.pop())
    }

    /// Stores the verifier of `secret` under `name`, replacing any earlier
    /// one. The salt is 16 random bytes from the server
    /// (`gen_random_uuid`, drawn from its strong generator).
    pub fn enroll_secret(&self, name: &str, secret: &str, now: i64) -> Result<(), StoreError> {
        super::off_runtime(|| {
            let salt: Vec<u8> = self
                .client()?
                .query_one(
                    "SELECT decode(replace(gen_random_uuid()::text, '-', ''), 'hex')",
                    &[],
                )
                .and_then(|r| r.try_get(0))
                .map_err(StoreError::pg("drawing a salt"))?;
            let hash = digest(&salt, secret);
            self.exec(
                "INSERT INTO secrets (name, algorithm, salt, hash, updated_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (name) DO UPDATE SET algorithm = excluded.algorithm,
             salt = excluded.salt, hash = excluded.hash, updated_at = excluded.updated_at",
                &[&name, &ALGORITHM, &salt, &hash, &now],
                "storing a secret's verifier",
            )
            .map(drop)
        })
    }
}

/// Writes a verifier as stored elsewhere (`smc store copy`).
pub(crate) fn put_secret(
    c: &mut impl postgres::GenericClient,
    row: &crate::sqlite::secrets::SecretRow,
) -> Result<(), StoreError> {
    c.execute(
        "INSERT INTO secrets (name, algorithm, salt, hash, updated_at)
         VALUES ($1, $2, $3, $4, $5)",
        &[
            &row.name,
            &row.algorithm,
            &row.salt,
            &row.hash,
            &row.updated_at,
        ],
    )
    .map(drop)
    .map_err(StoreError::pg("copying a secret's verifier"))
}

fn to_breaker_error(e: StoreError) -> BreakerStoreError {
    BreakerStoreError(e.to_string())
}

impl BreakerStore for PgStore {
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
