//! The hash-chained audit log on PostgreSQL: the same entries, hashes and
//! verification as on SQLite (`crate::sqlite::audit`), so that a chain
//! copied from one to the other verifies unchanged.
//!
//! Appends are serialised by an EXCLUSIVE lock on `audit_log` taken in the
//! appending transaction (readers are not blocked): the head read after it
//! stays the head until the commit, whichever process appends. The highest
//! id issued is kept in `audit_issued` (SQLite's `sqlite_sequence`), so a
//! deleted tail shows as missing entries and its ids are not reused.

use super::store::{PgStore, col, time};
use crate::error::StoreError;
use crate::sqlite::audit::hash::{Columns, entry_hash};
use crate::sqlite::audit::verify::{PAGE, States, Stored, Walk};
use crate::sqlite::audit::{AuditEntry, AuditReport, GENESIS, NewAuditEntry};
use postgres::{GenericClient, Row};

const COLUMNS: &str = "id, time, actor, action, target, detail, outcome, prev_hash, hash";

fn overflow(id: i64) -> StoreError {
    StoreError::Corrupt {
        what: "audit_log.id",
        value: id.to_string(),
    }
}

/// Appends `entries`, in order, inside the caller's transaction `tx`.
pub(crate) fn append_in(
    tx: &mut impl GenericClient,
    entries: &[NewAuditEntry],
) -> Result<Vec<AuditEntry>, StoreError> {
    let what = "appending to the audit log";
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    tx.batch_execute("LOCK TABLE audit_log IN EXCLUSIVE MODE")
        .map_err(StoreError::pg(what))?;
    let head = tx
        .query_one(
            "SELECT (SELECT issued FROM audit_issued),
                    (SELECT id FROM audit_log ORDER BY id DESC LIMIT 1),
                    (SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1)",
            &[],
        )
        .map_err(StoreError::pg(what))?;
    let issued: Option<i64> = head.try_get(0).map_err(StoreError::pg(what))?;
    let last: Option<i64> = head.try_get(1).map_err(StoreError::pg(what))?;
    let mut prev_hash: String = head
        .try_get::<_, Option<String>>(2)
        .map_err(StoreError::pg(what))?
        .unwrap_or_else(|| GENESIS.to_string());
    let issued = issued.unwrap_or(0).max(last.unwrap_or(0));
    let mut id = issued.checked_add(1).ok_or_else(|| overflow(issued))?;
    let insert = tx
        .prepare(&format!(
            "INSERT INTO audit_log ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ))
        .map_err(StoreError::pg(what))?;
    let mut out = Vec::with_capacity(entries.len());
    for e in entries {
        let detail = e.detail.to_string();
        let hash = entry_hash(
            &prev_hash,
            &Columns {
                id,
                time: e.time.ms(),
                actor: &e.actor,
                action: &e.action,
                target: &e.target,
                detail: &detail,
                outcome: &e.outcome,
            },
        );
        tx.execute(
            &insert,
            &[
                &id,
                &e.time.ms(),
                &e.actor,
                &e.action,
                &e.target,
                &detail,
                &e.outcome,
                &prev_hash,
                &hash,
            ],
        )
        .map_err(StoreError::pg(what))?;
        out.push(AuditEntry {
            id,
            time: e.time,
            actor: e.actor.clone(),
            action: e.action.clone(),
            target: e.target.clone(),
            detail: e.detail.clone(),
            outcome: e.outcome.clone(),
            prev_hash: std::mem::replace(&mut prev_hash, hash.clone()),
            hash,
        });
        id = id.checked_add(1).ok_or_else(|| overflow(id))?;
    }
    let last = id - 1;
    tx.execute(
        "INSERT INTO audit_issued (only_row, issued) VALUES (TRUE, $1)
         ON CONFLICT (only_row) DO UPDATE SET issued = excluded.issued",
        &[&last],
    )
    .map_err(StoreError::pg(what))?;
    Ok(out)
}

/// Copies entries as they are (ids and hashes kept) into an empty log, in
/// the caller's transaction: `smc store copy`.
pub(crate) fn import_in(
    tx: &mut impl GenericClient,
    entries: &[AuditEntry],
    issued: i64,
) -> Result<(), StoreError> {
    let what = "copying the audit log";
    let insert = tx
        .prepare(&format!(
            "INSERT INTO audit_log ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ))
        .map_err(StoreError::pg(what))?;
    for e in entries {
        tx.execute(
            &insert,
            &[
                &e.id,
                &e.time.ms(),
                &e.actor,
                &e.action,
                &e.target,
                // The JSON as it was hashed: serde_json writes a value the
                // same way it was read from the same text.
                &e.detail.to_string(),
                &e.outcome,
                &e.prev_hash,
                &e.hash,
            ],
        )
        .map_err(StoreError::pg(what))?;
    }
    let issued = entries.iter().map(|e| e.id).fold(issued, i64::max);
    if issued > 0 {
        tx.execute(
            "INSERT INTO audit_issued (only_row, issued) VALUES (TRUE, $1)
             ON CONFLICT (only_row) DO UPDATE SET issued = excluded.issued",
            &[&issued],
        )
        .map_err(StoreError::pg(what))?;
    }
    Ok(())
}

fn entry(row: &Row) -> Result<AuditEntry, StoreError> {
    let what = "reading the audit log";
    let detail: String = col(row, "detail", what)?;
    Ok(AuditEntry {
        id: col(row, "id", what)?,
        time: time(row, "time", what)?,
        actor: col(row, "actor", what)?,
        action: col(row, "action", what)?,
        target: col(row, "target", what)?,
        detail: serde_json::from_str(&detail).map_err(|_| StoreError::Corrupt {
            what: "audit_log.detail",
            value: detail,
        })?,
        outcome: col(row, "outcome", what)?,
        prev_hash: col(row, "prev_hash", what)?,
        hash: col(row, "hash", what)?,
    })
}

fn page_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

fn stored(row: &Row) -> Result<Stored, postgres::Error> {
    Ok(Stored {
        time: row.try_get("time")?,
        actor: row.try_get("actor")?,
        action: row.try_get("action")?,
        target: row.try_get("target")?,
        detail: row.try_get("detail")?,
        outcome: row.try_get("outcome")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

fn states(
    tx: &mut impl GenericClient,
    sql: &str,
    what: &'static str,
) -> Result<States, StoreError> {
    tx.query(sql, &[])
        .map_err(StoreError::pg(what))?
        .iter()
        .map(|r| {
            Ok((
                col::<String>(r, "name", what)?,
                (col(r, "state", what)?, col(r, "cooldown_until", what)?),
            ))
        })
        .collect()
}

impl PgStore {
    /// Appends one entry in its own transaction; the entry as chained.
    pub fn audit_append(&self, entry: &NewAuditEntry) -> Result<AuditEntry, StoreError> {
        super::off_runtime(|| {
            let what = "appending to the audit log";
            let mut client = self.client()?;
            let mut tx = client.transaction().map_err(StoreError::pg(what))?;
            let mut appended = append_in(&mut tx, std::slice::from_ref(entry))?;
            tx.commit().map_err(StoreError::pg(what))?;
            appended.pop().ok_or(StoreError::Corrupt {
                what: "audit_log",
                value: "no entry appended".to_string(),
            })
        })
    }

    /// Entries oldest first after `after_id`, at most `limit`.
    pub fn audit_entries(
        &self,
        after_id: Option<i64>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        self.rows(
            &format!("SELECT {COLUMNS} FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2"),
            &[&after_id.unwrap_or(i64::MIN), &page_limit(limit)],
            "reading the audit log",
            entry,
        )
    }

    /// Entries newest first before `before_id`, at most `limit`.
    pub fn audit_latest(
        &self,
        before_id: Option<i64>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        self.rows(
            &format!("SELECT {COLUMNS} FROM audit_log WHERE id < $1 ORDER BY id DESC LIMIT $2"),
            &[&before_id.unwrap_or(i64::MAX), &page_limit(limit)],
            "reading the audit log",
            entry,
        )
    }

    /// Walks the whole chain and compares the breakers with it, page by
    /// page; the last page, the sequence and the breakers in one snapshot.
    pub fn audit_verify(&self) -> Result<AuditReport, StoreError> {
        super::off_runtime(|| {
            let what = "reading the audit log";
            let mut walk = Walk::new();
            loop {
                let mut client = self.client()?;
                let mut tx = client
                    .build_transaction()
                    .isolation_level(postgres::IsolationLevel::RepeatableRead)
                    .read_only(true)
                    .start()
                    .map_err(StoreError::pg(what))?;
                let rows = tx
                    .query(
                        &format!(
                            "SELECT {COLUMNS} FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2"
                        ),
                        &[&walk.last_id().unwrap_or(i64::MIN), &PAGE],
                    )
                    .map_err(StoreError::pg(what))?;
                for row in &rows {
                    let id: i64 = col(row, "id", what)?;
                    walk.step(id, stored(row));
                }
                if i64::try_from(rows.len()).unwrap_or(i64::MAX) == PAGE {
                    continue;
                }
                let issued: i64 = tx
                    .query_one("SELECT coalesce(max(issued), 0) FROM audit_issued", &[])
                    .and_then(|r| r.try_get(0))
                    .map_err(StoreError::pg("reading the audit log's sequence"))?;
                let stored = states(
                    &mut tx,
                    "SELECT name, state, cooldown_until FROM breakers",
                    "reading the breakers",
                )?;
                let events = states(
                    &mut tx,
                    "SELECT breaker AS name, to_state AS state, cooldown_until FROM breaker_events
                 WHERE id IN (SELECT max(id) FROM breaker_events GROUP BY breaker)",
                    "reading the breakers' last events",
                )?;
                return Ok(walk.finish(issued, &stored, &events));
            }
        })
    }
}
