//! The audit log: an append-only, hash-chained record of every
//! state-changing request (the API appends one per request), every
//! circuit-breaker transition (written in the transaction that changes the
//! breaker) and every risk decision of the engine (written in the
//! transaction of the journal step that made it).
//!
//! Each entry's hash covers the previous entry's hash and all of its own
//! columns, id and time included ([`hash`]); the first entry's `prev_hash`
//! is 64 zeros and ids run 1, 2, 3… without gaps. [`Store::audit_verify`]
//! walks the chain and names the first entry where it breaks: an edited
//! column (`hash mismatch`), a deleted entry (`id gap after N`), an entry
//! inserted or moved (`prev_hash does not match entry N`, or a hash
//! mismatch, since the id is hashed). Triggers refuse UPDATE and DELETE, so
//! only someone who drops them — with write access to the file — can
//! tamper at all.
//!
//! What a chain alone cannot prove:
//! - Deleting the *last* entries leaves a valid, shorter chain. SQLite's
//!   `sqlite_sequence` remembers the highest id issued, so the verification
//!   reports entries missing from the end and the next append leaves a gap
//!   — unless the attacker edits `sqlite_sequence` as well.
//! - The hash has no secret: someone who rewrites an entry *and recomputes
//!   every hash after it* leaves a valid chain. Keep the `last_hash` of a
//!   verification somewhere else (a ticket, a log shipped off the host):
//!   a later chain that does not pass through that hash has been rewritten.
//!
//! Appends are serialised: the store's mutex in one process, SQLite's write
//! lock across connections (the runtime opens the breakers' store and the
//! journal as two connections to one file). The chain's head is therefore
//! read inside the appending transaction, which is begun IMMEDIATE so that
//! no other writer can append between that read and the insert; a cached
//! head would be wrong as soon as the other connection appended. The read
//! is one indexed lookup (see `benches/audit.rs` for the cost).

/// The hash of an entry.
pub(crate) mod hash;
/// Walking the chain.
pub(crate) mod verify;

pub use hash::GENESIS;
pub use verify::{AuditReport, BreakerMismatch, BrokenEntry};

use super::statement::Statement;
use super::{Store, get, text, time};
use crate::error::StoreError;
use hash::{Columns, entry_hash};
use rusqlite::{Row, Transaction, TransactionBehavior};
use serde::{Deserialize, Serialize};
use smc_model::{EngineEvent, RiskVerdict, Timestamp};
use smc_risk::breakers::BreakerTransition;

/// An entry to append.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewAuditEntry {
    pub time: Timestamp,
    /// Who: `user:alice`, `key:abc123`, `engine`, `cli`, an operator.
    pub actor: String,
    /// What: `POST /api/v1/users`, `breaker.trip`, `risk.rejected`, …
    pub action: String,
    /// On what ('' for nothing in particular).
    pub target: String,
    pub detail: serde_json::Value,
    /// How it ended: `ok`, `denied`, an HTTP status, a verdict.
    pub outcome: String,
}

/// An entry as stored, with its place in the chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    pub time: Timestamp,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: serde_json::Value,
    pub outcome: String,
    /// The previous entry's hash ([`GENESIS`] for the first).
    pub prev_hash: String,
    pub hash: String,
}

const INSERT: &str = "INSERT INTO audit_log
    (id, time, actor, action, target, detail, outcome, prev_hash, hash)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

const COLUMNS: &str = "id, time, actor, action, target, detail, outcome, prev_hash, hash";

/// The next id and the hash to chain after. The next id also follows ids
/// issued to entries since deleted (`sqlite_sequence`), so that a deleted
/// tail stays visible as a gap.
fn head(tx: &Transaction<'_>) -> Result<(i64, String), StoreError> {
    let what = "reading the audit log's head";
    let (seq, last, hash): (Option<i64>, Option<i64>, Option<String>) = tx
        .prepare_cached(
            "SELECT (SELECT seq FROM sqlite_sequence WHERE name = 'audit_log'),
                    (SELECT id FROM audit_log ORDER BY id DESC LIMIT 1),
                    (SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1)",
        )
        .and_then(|mut s| s.query_row([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))))
        .map_err(StoreError::query(what))?;
    let issued = seq.unwrap_or(0).max(last.unwrap_or(0));
    let next = issued.checked_add(1).ok_or(StoreError::Corrupt {
        what: "audit_log.id",
        value: issued.to_string(),
    })?;
    Ok((next, hash.unwrap_or_else(|| GENESIS.to_string())))
}

/// Appends `entries`, in order, inside `tx` (which the caller began
/// IMMEDIATE, or with a write, so that the head it reads stays the head).
pub(crate) fn append_in(
    tx: &Transaction<'_>,
    entries: &[NewAuditEntry],
) -> Result<Vec<AuditEntry>, StoreError> {
    let what = "appending to the audit log";
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    let (mut id, mut prev_hash) = head(tx)?;
    let mut insert = tx.prepare_cached(INSERT).map_err(StoreError::query(what))?;
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
        insert
            .execute(rusqlite::params![
                id,
                e.time.ms(),
                e.actor,
                e.action,
                e.target,
                detail,
                e.outcome,
                prev_hash,
                hash
            ])
            .map_err(StoreError::query(what))?;
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
        id = id.checked_add(1).ok_or(StoreError::Corrupt {
            what: "audit_log.id",
            value: id.to_string(),
        })?;
    }
    Ok(out)
}

/// The audit entry of a breaker transition: by its operator (a reset), else
/// by the engine.
pub(crate) fn breaker_entry(t: &BreakerTransition) -> NewAuditEntry {
    NewAuditEntry {
        time: t.time,
        actor: t.operator.clone().unwrap_or_else(|| "engine".to_string()),
        action: format!("breaker.{}", t.action.as_str()),
        target: t.breaker.clone(),
        detail: serde_json::json!({
            "from": t.from.as_str(),
            "to": t.to.as_str(),
            "reason": t.reason,
            "cooldown_until": t.cooldown_until.map(Timestamp::ms),
        }),
        outcome: "ok".to_string(),
    }
}

/// The audit entries of a step's risk decisions (one per intent the gate
/// judged; a candle without intents adds none). A replay after a restart
/// does not append them again: the step that made them committed them with
/// its candle, and only committed candles are replayed.
pub(crate) fn risk_entries(events: &[EngineEvent]) -> Vec<NewAuditEntry> {
    events
        .iter()
        .filter_map(|e| match e {
            EngineEvent::RiskDecision {
                time,
                client_id,
                verdict,
            } => {
                let outcome = match verdict {
                    RiskVerdict::Approved => "approved",
                    RiskVerdict::Resized { .. } => "resized",
                    RiskVerdict::Refused { .. } => "rejected",
                };
                Some(NewAuditEntry {
                    time: *time,
                    actor: "engine".to_string(),
                    action: format!("risk.{outcome}"),
                    target: client_id.to_string(),
                    detail: serde_json::to_value(verdict).unwrap_or_default(),
                    outcome: outcome.to_string(),
                })
            }
            _ => None,
        })
        .collect()
}

fn entry(row: &Row<'_>) -> Result<AuditEntry, StoreError> {
    let what = "reading the audit log";
    let detail = text(row, "detail", what)?;
    Ok(AuditEntry {
        id: get(row, "id", what)?,
        time: time(row, "time", what)?,
        actor: text(row, "actor", what)?,
        action: text(row, "action", what)?,
        target: text(row, "target", what)?,
        detail: serde_json::from_str(&detail).map_err(|_| StoreError::Corrupt {
            what: "audit_log.detail",
            value: detail,
        })?,
        outcome: text(row, "outcome", what)?,
        prev_hash: text(row, "prev_hash", what)?,
        hash: text(row, "hash", what)?,
    })
}

fn page_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

impl Store {
    /// Appends one entry in its own transaction; the entry as chained.
    pub fn audit_append(&self, entry: &NewAuditEntry) -> Result<AuditEntry, StoreError> {
        let mut appended = self.run_batch_audited(
            &[],
            std::slice::from_ref(entry),
            "appending to the audit log",
        )?;
        appended.pop().ok_or(StoreError::Corrupt {
            what: "audit_log",
            value: "no entry appended".to_string(),
        })
    }

    /// Entries oldest first: those after `after_id` (from the start when
    /// none), at most `limit`. The next page is after the last id returned.
    pub fn audit_entries(
        &self,
        after_id: Option<i64>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        self.rows(
            &format!("SELECT {COLUMNS} FROM audit_log WHERE id > ? ORDER BY id LIMIT ?"),
            rusqlite::params![after_id.unwrap_or(i64::MIN), page_limit(limit)],
            "reading the audit log",
            entry,
        )
    }

    /// Entries newest first: those before `before_id` (from the newest when
    /// none), at most `limit`. The next page is before the last id returned.
    pub fn audit_latest(
        &self,
        before_id: Option<i64>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        self.rows(
            &format!("SELECT {COLUMNS} FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT ?"),
            rusqlite::params![before_id.unwrap_or(i64::MAX), page_limit(limit)],
            "reading the audit log",
            entry,
        )
    }

    /// The highest id the log has issued (deleted entries' too).
    pub(crate) fn audit_issued(&self) -> Result<i64, StoreError> {
        let what = "reading the audit log's sequence";
        let n = self.rows(
            "SELECT coalesce(max(seq), 0) AS n FROM sqlite_sequence WHERE name = 'audit_log'",
            [],
            what,
            |r| get::<i64>(r, "n", what),
        )?;
        Ok(n.first().copied().unwrap_or(0))
    }

    /// Runs `statements` and appends `entries` in one transaction: all of
    /// it, or none. Without entries, a plain batch (no lock taken early).
    pub(crate) fn run_batch_audited(
        &self,
        statements: &[Statement],
        entries: &[NewAuditEntry],
        what: &'static str,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        if entries.is_empty() {
            return self.run_batch(statements, what).map(|()| Vec::new());
        }
        let mut conn = self.conn();
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::query(what))?;
        for s in statements {
            tx.prepare_cached(s.sql())
                .and_then(|mut p| p.execute(rusqlite::params_from_iter(s.values())))
                .map_err(StoreError::query(what))?;
        }
        let appended = append_in(&tx, entries)?;
        tx.commit().map_err(StoreError::query(what))?;
        Ok(appended)
    }
}

#[cfg(test)]
mod tests;
