//! Walking the audit chain: pages of entries in id order (never the whole
//! log in memory, and the store's lock released between pages so appends
//! go on), each checked against the one before it; then the breakers'
//! stored states against the chain's last entry for each. The last page,
//! the id sequence and the breakers are read in one snapshot, so a
//! transition committed meanwhile cannot show as a mismatch.
//!
//! A breaker without any chain entry is judged by what else is known: its
//! last `breaker_events` row when it has one (written before the audit log
//! existed, so not tamper-evident), else `armed`, the state a breaker is
//! created in.

use super::hash::{Columns, GENESIS, entry_hash};
use crate::error::StoreError;
use crate::sqlite::Store;
use rusqlite::{Row, Transaction};
use serde::Serialize;
use std::collections::HashMap;

/// Entries read per page.
pub(crate) const PAGE: i64 = 1024;

/// What a verification found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    /// Entries read.
    pub entries: u64,
    /// The stored hash of the last entry (64 zeros when there is none):
    /// keep it elsewhere to detect a later rewrite of the whole chain.
    pub last_hash: String,
    /// The first entry where the chain breaks.
    pub first_broken: Option<BrokenEntry>,
    /// Breakers whose stored state is not what the chain last recorded.
    pub breaker_mismatches: Vec<BreakerMismatch>,
}

impl AuditReport {
    /// Whether the chain is whole and every breaker agrees with it.
    pub fn ok(&self) -> bool {
        self.first_broken.is_none() && self.breaker_mismatches.is_empty()
    }
}

/// Where the chain breaks, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenEntry {
    /// The entry (for entries missing from the end: the first missing id).
    pub id: i64,
    pub reason: String,
}

/// A breaker whose stored state differs from the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BreakerMismatch {
    pub breaker: String,
    /// In `breakers` (none: its row is gone).
    pub stored_state: Option<String>,
    /// The chain's last entry for it says (none: the chain has no entry).
    pub chained_state: Option<String>,
    /// That entry's id.
    pub entry: Option<i64>,
    pub reason: String,
}

/// What the chain last said about a breaker.
pub(crate) struct Chained {
    entry: i64,
    state: Option<String>,
    cooldown_until: Option<i64>,
}

/// The walk so far (shared with the PostgreSQL store, which walks the
/// same chain).
pub(crate) struct Walk {
    entries: u64,
    last_id: Option<i64>,
    last_hash: String,
    first_broken: Option<BrokenEntry>,
    breakers: HashMap<String, Chained>,
}

/// An entry's columns as stored.
pub(crate) struct Stored {
    pub time: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub detail: String,
    pub outcome: String,
    pub prev_hash: String,
    pub hash: String,
}

impl Stored {
    fn read(row: &Row<'_>) -> rusqlite::Result<Stored> {
        Ok(Stored {
            time: row.get("time")?,
            actor: row.get("actor")?,
            action: row.get("action")?,
            target: row.get("target")?,
            detail: row.get("detail")?,
            outcome: row.get("outcome")?,
            prev_hash: row.get("prev_hash")?,
            hash: row.get("hash")?,
        })
    }

    fn hash_ok(&self, id: i64) -> bool {
        let columns = Columns {
            id,
            time: self.time,
            actor: &self.actor,
            action: &self.action,
            target: &self.target,
            detail: &self.detail,
            outcome: &self.outcome,
        };
        entry_hash(&self.prev_hash, &columns) == self.hash
    }
}

/// Why entry `id` breaks the chain after `walk`, if it does.
fn broken<E: std::fmt::Display>(
    walk: &Walk,
    id: i64,
    stored: &Result<Stored, E>,
) -> Option<String> {
    let expected = walk.last_id.map_or(Some(1), |l| l.checked_add(1));
    let s = match stored {
        // A value of the wrong type (or not UTF-8) where STRICT was bypassed.
        Err(e) => return Some(format!("unreadable: {e}")),
        Ok(s) => s,
    };
    if expected != Some(id) {
        return Some(match walk.last_id {
            None => format!("id gap before {id}: the log starts at {id}, not 1"),
            Some(l) => format!("id gap after {l}"),
        });
    }
    if s.prev_hash != walk.last_hash {
        return Some(match walk.last_id {
            None => "prev_hash is not the chain start (64 zeros)".to_string(),
            Some(l) => format!("prev_hash does not match entry {l}"),
        });
    }
    (!s.hash_ok(id)).then(|| "hash mismatch".to_string())
}

/// Checks one entry and moves the walk past it.
fn check(walk: &mut Walk, row: &Row<'_>) -> Result<(), StoreError> {
    // The id is the rowid: always an integer.
    let id: i64 = row
        .get("id")
        .map_err(StoreError::query("reading the audit log"))?;
    walk.step(id, Stored::read(row));
    Ok(())
}

impl Walk {
    /// A walk from the chain's start.
    pub(crate) fn new() -> Walk {
        Walk {
            entries: 0,
            last_id: None,
            last_hash: GENESIS.to_string(),
            first_broken: None,
            breakers: HashMap::new(),
        }
    }

    /// The last id checked.
    pub(crate) fn last_id(&self) -> Option<i64> {
        self.last_id
    }

    /// Checks entry `id` (its columns, or why they could not be read) and
    /// moves past it.
    pub(crate) fn step<E: std::fmt::Display>(&mut self, id: i64, stored: Result<Stored, E>) {
        let walk = self;
        if walk.first_broken.is_none() {
            walk.first_broken = broken(walk, id, &stored).map(|reason| BrokenEntry { id, reason });
        }
        walk.entries += 1;
        walk.last_id = Some(id);
        let Ok(s) = stored else {
            walk.last_hash = String::new();
            return;
        };
        if s.action.starts_with("breaker.") {
            let detail: serde_json::Value = serde_json::from_str(&s.detail).unwrap_or_default();
            walk.breakers.insert(
                s.target,
                Chained {
                    entry: id,
                    state: detail["to"].as_str().map(str::to_string),
                    cooldown_until: detail["cooldown_until"].as_i64(),
                },
            );
        }
        walk.last_hash = s.hash;
    }

    /// The report, given the highest id the log has issued, the breakers'
    /// stored states and their last `breaker_events` rows (name → state,
    /// cooldown_until), all read in the snapshot of the last page.
    pub(crate) fn finish(mut self, issued: i64, stored: &States, events: &States) -> AuditReport {
        let last = self.last_id.unwrap_or(0);
        if self.first_broken.is_none() && issued > last {
            let first_missing = last.saturating_add(1);
            self.first_broken = Some(BrokenEntry {
                id: first_missing,
                reason: format!(
                    "entries {first_missing} to {issued} are missing: the last ones were deleted"
                ),
            });
        }
        let breaker_mismatches = mismatches(&self, stored, events);
        AuditReport {
            entries: self.entries,
            last_hash: self.last_hash,
            first_broken: self.first_broken,
            breaker_mismatches,
        }
    }
}

/// Breakers' states by name: (state, cooldown_until).
pub(crate) type States = HashMap<String, (String, Option<i64>)>;

/// Checks the next page of entries; how many there were.
fn page(tx: &Transaction<'_>, walk: &mut Walk) -> Result<i64, StoreError> {
    let what = "reading the audit log";
    let mut prepared = tx
        .prepare_cached(
            "SELECT id, time, actor, action, target, detail, outcome, prev_hash, hash
             FROM audit_log WHERE id > ? ORDER BY id LIMIT ?",
        )
        .map_err(StoreError::query(what))?;
    let mut rows = prepared
        .query(rusqlite::params![walk.last_id.unwrap_or(i64::MIN), PAGE])
        .map_err(StoreError::query(what))?;
    let mut n = 0;
    while let Some(row) = rows.next().map_err(StoreError::query(what))? {
        check(walk, row)?;
        n += 1;
    }
    Ok(n)
}

/// Rows of `sql` as (name, state, cooldown_until), by name.
fn states(tx: &Transaction<'_>, sql: &str, what: &'static str) -> Result<States, StoreError> {
    let mut prepared = tx.prepare_cached(sql).map_err(StoreError::query(what))?;
    let rows = prepared
        .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))
        .map_err(StoreError::query(what))?;
    rows.collect::<Result<_, _>>()
        .map_err(StoreError::query(what))
}

/// The ids the log has issued (deleted entries' too).
fn issued(tx: &Transaction<'_>) -> Result<i64, StoreError> {
    tx.query_row(
        "SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'audit_log'",
        [],
        |r| r.get(0),
    )
    .map_err(StoreError::query("reading the audit log's sequence"))
}

fn mismatches(walk: &Walk, stored: &States, events: &States) -> Vec<BreakerMismatch> {
    let mut out = Vec::new();
    let mismatch =
        |breaker: &str, stored: Option<&str>, chained: Option<&Chained>, reason| BreakerMismatch {
            breaker: breaker.to_string(),
            stored_state: stored.map(str::to_string),
            chained_state: chained.and_then(|c| c.state.clone()),
            entry: chained.map(|c| c.entry),
            reason,
        };
    for (name, (state, cooldown)) in stored {
        let Some(c) = walk.breakers.get(name) else {
            let (expected, why) = match events.get(name) {
                Some((to, _)) => (to.as_str(), "its last breaker event (before the audit log)"),
                None => (
                    "armed",
                    "no transition is recorded, and a breaker is created armed",
                ),
            };
            if state != expected {
                let reason =
                    format!("no audit entry; stored `{state}`, but {why} says `{expected}`");
                out.push(mismatch(name, Some(state), None, reason));
            }
            continue;
        };
        let reason = if c.state.as_deref() != Some(state.as_str()) {
            format!("stored state differs from the chain's entry {}", c.entry)
        } else if c.cooldown_until != *cooldown {
            format!(
                "cooldown_until {cooldown:?} differs from {:?} in the chain's entry {}",
                c.cooldown_until, c.entry
            )
        } else {
            continue;
        };
        out.push(mismatch(name, Some(state), Some(c), reason));
    }
    for (name, c) in &walk.breakers {
        if !stored.contains_key(name) {
            let reason = format!("the row is gone; the chain's entry {} has it", c.entry);
            out.push(mismatch(name, None, Some(c), reason));
        }
    }
    out.sort_by(|a, b| a.breaker.cmp(&b.breaker));
    out
}

impl Store {
    /// Walks the whole audit chain and compares the breakers with it.
    pub fn audit_verify(&self) -> Result<AuditReport, StoreError> {
        let mut walk = Walk::new();
        loop {
            let mut conn = self.conn();
            // Read-only: dropping it rolls back, which changes nothing.
            let tx = conn
                .transaction()
                .map_err(StoreError::query("reading the audit log"))?;
            if page(&tx, &mut walk)? == PAGE {
                continue;
            }
            let issued = issued(&tx)?;
            let stored = states(
                &tx,
                "SELECT name, state, cooldown_until FROM breakers",
                "reading the breakers",
            )?;
            let events = states(
                &tx,
                "SELECT breaker, to_state, cooldown_until FROM breaker_events
                 WHERE id IN (SELECT max(id) FROM breaker_events GROUP BY breaker)",
                "reading the breakers' last events",
            )?;
            return Ok(walk.finish(issued, &stored, &events));
        }
    }
}
