//! The audit chain on a real file, tampered with as someone with write
//! access to it would: triggers dropped, then a column edited, a middle
//! entry deleted, a row forged, two rows swapped, a breaker's state changed
//! behind the store's back. Each is found, and the entry named is where the
//! chain breaks. A property test edits any one column of any entry of a
//! random chain.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use rusqlite::Connection;
use smc_model::Timestamp;
use smc_risk::breakers::BreakerRecord;
use smc_store::{AUDIT_GENESIS, AuditReport, NewAuditEntry, Store};
use tempfile::TempDir;

fn entry(k: i64) -> NewAuditEntry {
    NewAuditEntry {
        time: Timestamp::from_ms(1_700_000_000_000 + k),
        actor: format!("user:u{k}"),
        action: "POST /api/v1/orders".into(),
        target: format!("order-{k}"),
        detail: serde_json::json!({ "qty": k.to_string() }),
        outcome: "201".into(),
    }
}

/// A store on a file with `n` entries, and a raw connection to the file
/// whose append-only triggers are gone.
fn chain(n: i64) -> (TempDir, Store, Connection) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.db");
    let store = Store::open_path(&path).unwrap();
    for k in 1..=n {
        store.audit_append(&entry(k)).unwrap();
    }
    let raw = Connection::open(&path).unwrap();
    raw.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
        .unwrap();
    (dir, store, raw)
}

fn broken(report: &AuditReport) -> (i64, String) {
    let b = report.first_broken.as_ref().expect("the chain is broken");
    (b.id, b.reason.clone())
}

fn hash_of(raw: &Connection, id: i64) -> String {
    raw.query_row("SELECT hash FROM audit_log WHERE id = ?", [id], |r| {
        r.get(0)
    })
    .unwrap()
}

#[test]
fn an_intact_chain_survives_a_reopen() {
    let (dir, store, _raw) = chain(5);
    let before = store.audit_verify().unwrap();
    drop(store);
    let reopened = Store::open_existing(&format!(
        "sqlite://{}",
        dir.path().join("audit.db").display()
    ))
    .unwrap();
    let after = reopened.audit_verify().unwrap();
    assert!(after.ok(), "{after:?}");
    assert_eq!(after.entries, 5);
    assert_eq!(after.last_hash, before.last_hash);
    assert_ne!(after.last_hash, AUDIT_GENESIS);
}

#[test]
fn an_edited_column_breaks_its_own_entry() {
    let (_dir, store, raw) = chain(5);
    raw.execute("UPDATE audit_log SET outcome = '403' WHERE id = 3", [])
        .unwrap();
    let report = store.audit_verify().unwrap();
    assert_eq!(broken(&report), (3, "hash mismatch".to_string()));
    assert_eq!(report.entries, 5);
}

#[test]
fn a_rewritten_entry_with_its_hash_recomputed_breaks_the_next_one() {
    let (_dir, store, raw) = chain(5);
    // A plausible new hash for entry 3; entry 4 still names the old one.
    raw.execute(
        "UPDATE audit_log SET hash = ?1 WHERE id = 3",
        ["ab".repeat(32)],
    )
    .unwrap();
    assert_eq!(broken(&store.audit_verify().unwrap()).0, 3);
    let real = hash_of(&raw, 2);
    raw.execute("UPDATE audit_log SET prev_hash = ?1 WHERE id = 4", [real])
        .unwrap();
    assert_eq!(
        broken(&store.audit_verify().unwrap()),
        (3, "hash mismatch".to_string())
    );
}

#[test]
fn a_deleted_middle_entry_is_an_id_gap() {
    let (_dir, store, raw) = chain(5);
    raw.execute("DELETE FROM audit_log WHERE id = 3", [])
        .unwrap();
    assert_eq!(
        broken(&store.audit_verify().unwrap()),
        (4, "id gap after 2".to_string())
    );
}

#[test]
fn a_forged_row_in_the_gap_or_at_the_end_is_found() {
    let (_dir, store, raw) = chain(5);
    raw.execute("DELETE FROM audit_log WHERE id = 3", [])
        .unwrap();
    let insert = "INSERT INTO audit_log
        (id, time, actor, action, target, detail, outcome, prev_hash, hash)
        VALUES (?, 1, 'user:mallory', 'DELETE /api/v1/users', 'alice', '{}', '200', ?, ?)";
    raw.execute(
        insert,
        rusqlite::params![3, hash_of(&raw, 2), "cd".repeat(32)],
    )
    .unwrap();
    assert_eq!(
        broken(&store.audit_verify().unwrap()),
        (3, "hash mismatch".to_string())
    );
    // Restore a whole chain, then forge at its end.
    let (_dir, store, raw) = chain(5);
    raw.execute(
        insert,
        rusqlite::params![6, hash_of(&raw, 5), "ef".repeat(32)],
    )
    .unwrap();
    assert_eq!(
        broken(&store.audit_verify().unwrap()),
        (6, "hash mismatch".to_string())
    );
}

#[test]
fn swapped_entries_break_at_the_first_of_them() {
    let (_dir, store, raw) = chain(5);
    raw.execute_batch(
        "UPDATE audit_log SET id = -2 WHERE id = 2;
         UPDATE audit_log SET id = 2 WHERE id = 3;
         UPDATE audit_log SET id = 3 WHERE id = -2;",
    )
    .unwrap();
    assert_eq!(
        broken(&store.audit_verify().unwrap()),
        (2, "prev_hash does not match entry 1".to_string())
    );
}

#[test]
fn deleting_the_last_entry_is_caught_by_the_sequence_unless_it_is_edited_too() {
    let (_dir, store, raw) = chain(5);
    raw.execute("DELETE FROM audit_log WHERE id = 5", [])
        .unwrap();
    let (id, reason) = broken(&store.audit_verify().unwrap());
    assert_eq!(id, 5);
    assert!(reason.contains("missing"), "{reason}");
    // The documented limit: an attacker who also rewinds the sequence
    // leaves a valid, shorter chain.
    raw.execute(
        "UPDATE sqlite_sequence SET seq = 4 WHERE name = 'audit_log'",
        [],
    )
    .unwrap();
    assert!(store.audit_verify().unwrap().ok());
}

#[test]
fn a_breaker_updated_behind_the_stores_back_is_named() {
    let (_dir, store, raw) = chain(2);
    let armed = BreakerRecord::armed("drawdown", Timestamp::from_ms(0));
    store.insert_breaker(&armed).unwrap();
    let (tripped, t) = armed
        .trip(Timestamp::from_ms(10), "drawdown 12%".into(), None)
        .unwrap();
    store.write_transition(&tripped, &t).unwrap();
    assert!(store.audit_verify().unwrap().ok());
    raw.execute(
        "UPDATE breakers SET state = 'armed' WHERE name = 'drawdown'",
        [],
    )
    .unwrap();
    let report = store.audit_verify().unwrap();
    assert!(report.first_broken.is_none());
    let m = &report.breaker_mismatches;
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(m[0].breaker, "drawdown");
    assert_eq!(
        (m[0].stored_state.as_deref(), m[0].chained_state.as_deref()),
        (Some("armed"), Some("tripped"))
    );
    assert_eq!(m[0].entry, Some(3));
}

/// A column of `audit_log` and a new value for it.
#[derive(Debug, Clone)]
enum Edit {
    Int(&'static str, i64),
    Text(&'static str, String),
}

fn edit() -> impl Strategy<Value = Edit> {
    let int = prop_oneof![Just("time"), Just("id")];
    let text = prop_oneof![
        Just("actor"),
        Just("action"),
        Just("target"),
        Just("detail"),
        Just("outcome"),
        Just("prev_hash"),
        Just("hash"),
    ];
    prop_oneof![
        (int, any::<i64>()).prop_map(|(c, v)| Edit::Int(c, v)),
        (text, ".{0,12}").prop_map(|(c, v)| Edit::Text(c, v)),
    ]
}

fn random_entry() -> impl Strategy<Value = NewAuditEntry> {
    (
        any::<i64>(),
        ".{0,8}",
        ".{0,8}",
        ".{0,8}",
        ".{0,8}",
        ".{0,8}",
    )
        .prop_map(
            |(time, actor, action, target, detail, outcome)| NewAuditEntry {
                time: Timestamp::from_ms(time),
                actor,
                action,
                target,
                detail: serde_json::json!({ "s": detail }),
                outcome,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_single_column_edit_of_any_entry_is_detected(
        entries in prop::collection::vec(random_entry(), 1..8),
        victim in any::<prop::sample::Index>(),
        edit in edit(),
    ) {
        let (_dir, store, raw) = chain(0);
        for e in &entries {
            store.audit_append(e).unwrap();
        }
        let n = i64::try_from(entries.len()).unwrap();
        let k = i64::try_from(victim.index(entries.len())).unwrap() + 1;
        let changed = match &edit {
            // A new id must be free (it is the primary key).
            Edit::Int("id", v) => {
                prop_assume!(!(1..=n).contains(v));
                raw.execute("UPDATE audit_log SET id = ? WHERE id = ?", [*v, k])
            }
            Edit::Int(column, v) => raw.execute(
                &format!("UPDATE audit_log SET {column} = ?1 WHERE id = ?2 AND {column} <> ?1"),
                rusqlite::params![v, k],
            ),
            Edit::Text(column, v) => raw.execute(
                &format!("UPDATE audit_log SET {column} = ?1 WHERE id = ?2 AND {column} <> ?1"),
                rusqlite::params![v, k],
            ),
        }
        .unwrap();
        prop_assume!(changed == 1, "the new value equals the old one");
        let report = store.audit_verify().unwrap();
        let first = report.first_broken.as_ref().map(|b| b.id);
        // An entry moved to a new id breaks the chain at the entry after
        // its old place, unless it now comes first or last: there.
        let expected = match edit {
            Edit::Int("id", v) if v < 1 || k == n => v,
            Edit::Int("id", _) => k + 1,
            _ => k,
        };
        prop_assert_eq!(first, Some(expected), "{:?}", report);
    }
}
