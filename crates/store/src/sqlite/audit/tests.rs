//! The audit log's appends, pages and verification on an in-memory store.

use super::*;
use smc_model::ClientOrderId;
use smc_risk::breakers::BreakerRecord;

fn store() -> Store {
    Store::open("sqlite::memory:").unwrap()
}

fn new_entry(k: i64) -> NewAuditEntry {
    NewAuditEntry {
        time: Timestamp::from_ms(1_000 + k),
        actor: "user:alice".into(),
        action: "POST /api/v1/users".into(),
        target: format!("user{k}"),
        detail: serde_json::json!({ "k": k }),
        outcome: "201".into(),
    }
}

/// Runs raw SQL as an attacker would, triggers dropped first.
fn tamper(store: &Store, sql: &str) {
    store
        .conn()
        .execute_batch(&format!(
            "DROP TRIGGER IF EXISTS audit_log_no_update;
             DROP TRIGGER IF EXISTS audit_log_no_delete; {sql}"
        ))
        .unwrap();
}

#[test]
fn appends_chain_each_entry_to_the_one_before() {
    let store = store();
    let a = store.audit_append(&new_entry(1)).unwrap();
    let b = store.audit_append(&new_entry(2)).unwrap();
    let c = store.audit_append(&new_entry(3)).unwrap();
    assert_eq!((a.id, b.id, c.id), (1, 2, 3));
    assert_eq!(a.prev_hash, GENESIS);
    assert_eq!(b.prev_hash, a.hash);
    assert_eq!(c.prev_hash, b.hash);
    assert_eq!(
        store.audit_entries(None, 10).unwrap(),
        vec![a, b, c.clone()]
    );
    let report = store.audit_verify().unwrap();
    assert!(report.ok(), "{report:?}");
    assert_eq!(report.entries, 3);
    assert_eq!(report.last_hash, c.hash);
}

#[test]
fn pages_run_oldest_first_after_an_id_or_newest_first_before_one() {
    let store = store();
    for k in 1..=5 {
        store.audit_append(&new_entry(k)).unwrap();
    }
    let ids = |v: Vec<AuditEntry>| v.into_iter().map(|e| e.id).collect::<Vec<_>>();
    assert_eq!(ids(store.audit_entries(None, 2).unwrap()), [1, 2]);
    assert_eq!(ids(store.audit_entries(Some(2), 2).unwrap()), [3, 4]);
    assert_eq!(ids(store.audit_entries(Some(4), 2).unwrap()), [5]);
    assert_eq!(ids(store.audit_latest(None, 2).unwrap()), [5, 4]);
    assert_eq!(ids(store.audit_latest(Some(4), 10).unwrap()), [3, 2, 1]);
    let first = &store.audit_entries(None, 1).unwrap()[0];
    assert_eq!(first.detail, serde_json::json!({ "k": 1 }));
    assert_eq!(first.time, Timestamp::from_ms(1_001));
}

#[test]
fn the_log_refuses_updates_and_deletes() {
    let store = store();
    store.audit_append(&new_entry(1)).unwrap();
    for sql in [
        "UPDATE audit_log SET outcome = 'denied'",
        "DELETE FROM audit_log",
    ] {
        let err = store.conn().execute(sql, []).unwrap_err();
        assert!(err.to_string().contains("append-only"), "{err}");
    }
    assert!(store.audit_verify().unwrap().ok());
}

#[test]
fn an_empty_log_is_intact_and_ends_at_the_genesis() {
    let report = store().audit_verify().unwrap();
    assert!(report.ok());
    assert_eq!((report.entries, report.last_hash.as_str()), (0, GENESIS));
}

#[test]
fn a_failed_batch_leaves_no_entry() {
    let store = store();
    let bad = Statement::new("INSERT INTO no_such_table VALUES (1)");
    let err = store.run_batch_audited(&[bad], &[new_entry(1)], "test");
    assert!(err.is_err());
    assert!(store.audit_entries(None, 10).unwrap().is_empty());
    // The id was not consumed either: the next append is entry 1.
    assert_eq!(store.audit_append(&new_entry(2)).unwrap().id, 1);
}

#[test]
fn deleting_the_last_entries_is_reported_and_leaves_a_gap_for_the_next() {
    let store = store();
    for k in 1..=4 {
        store.audit_append(&new_entry(k)).unwrap();
    }
    tamper(&store, "DELETE FROM audit_log WHERE id >= 3");
    let broken = store.audit_verify().unwrap().first_broken.unwrap();
    assert_eq!(broken.id, 3);
    assert!(
        broken.reason.contains("3 to 4 are missing"),
        "{}",
        broken.reason
    );
    let next = store.audit_append(&new_entry(5)).unwrap();
    assert_eq!(next.id, 5, "ids of deleted entries are not reused");
    let broken = store.audit_verify().unwrap().first_broken.unwrap();
    assert_eq!((broken.id, broken.reason.as_str()), (5, "id gap after 2"));
}

#[test]
fn a_breaker_transition_is_chained_and_a_direct_update_is_a_mismatch() {
    let store = store();
    let armed = BreakerRecord::armed("daily_loss", Timestamp::from_ms(0));
    store.insert_breaker(&armed).unwrap();
    let (tripped, t) = armed
        .trip(Timestamp::from_ms(5), "lost 600".into(), None)
        .unwrap();
    store.write_transition(&tripped, &t).unwrap();
    let entries = store.audit_entries(None, 10).unwrap();
    assert_eq!(entries.len(), 1);
    let e = &entries[0];
    assert_eq!(
        (e.actor.as_str(), e.action.as_str(), e.target.as_str()),
        ("engine", "breaker.trip", "daily_loss")
    );
    assert_eq!(e.detail["from"], "armed");
    assert_eq!(e.detail["to"], "tripped");
    assert_eq!(e.detail["reason"], "lost 600");
    assert!(store.audit_verify().unwrap().ok());

    store
        .conn()
        .execute("UPDATE breakers SET state = 'armed'", [])
        .unwrap();
    let report = store.audit_verify().unwrap();
    assert!(report.first_broken.is_none(), "the chain itself is whole");
    let m = &report.breaker_mismatches;
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!(m[0].breaker, "daily_loss");
    assert_eq!(m[0].stored_state.as_deref(), Some("armed"));
    assert_eq!(m[0].chained_state.as_deref(), Some("tripped"));
    assert_eq!(m[0].entry, Some(1));
}

#[test]
fn a_shortened_cooldown_and_a_deleted_breaker_row_are_mismatches() {
    let store = store();
    let armed = BreakerRecord::armed("stale_data", Timestamp::from_ms(0));
    let until = Some(Timestamp::from_ms(60_000));
    let (tripped, t) = armed
        .trip(Timestamp::from_ms(1), "no data".into(), until)
        .unwrap();
    store.write_transition(&tripped, &t).unwrap();
    store
        .conn()
        .execute("UPDATE breakers SET cooldown_until = 2", [])
        .unwrap();
    let m = store.audit_verify().unwrap().breaker_mismatches;
    assert_eq!(m.len(), 1);
    assert!(m[0].reason.contains("cooldown_until"), "{}", m[0].reason);
    store.conn().execute("DELETE FROM breakers", []).unwrap();
    let m = store.audit_verify().unwrap().breaker_mismatches;
    assert_eq!((m.len(), m[0].stored_state.as_ref()), (1, None));
}

#[test]
fn a_breaker_without_chain_entries_is_judged_by_its_events_or_as_created() {
    let store = store();
    // Never transitioned: created armed, which it still is.
    store
        .insert_breaker(&BreakerRecord::armed("fresh", Timestamp::from_ms(0)))
        .unwrap();
    // Tripped before the audit log existed: only breaker_events knows.
    store
        .conn()
        .execute_batch(
            "INSERT INTO breakers (name, state, reason, updated_at)
             VALUES ('old', 'tripped', 'lost', 1);
             INSERT INTO breaker_events (breaker, time, action, from_state, to_state, reason)
             VALUES ('old', 1, 'trip', 'armed', 'tripped', 'lost');",
        )
        .unwrap();
    assert!(store.audit_verify().unwrap().ok());
    store
        .conn()
        .execute_batch(
            "UPDATE breakers SET state = 'armed' WHERE name = 'old';
             UPDATE breakers SET state = 'tripped' WHERE name = 'fresh';",
        )
        .unwrap();
    let m = store.audit_verify().unwrap().breaker_mismatches;
    let names: Vec<_> = m.iter().map(|m| m.breaker.as_str()).collect();
    assert_eq!(names, ["fresh", "old"]);
    assert!(
        m.iter()
            .all(|m| m.chained_state.is_none() && m.entry.is_none())
    );
    assert!(m[0].reason.contains("created armed"), "{}", m[0].reason);
    assert!(
        m[1].reason.contains("before the audit log"),
        "{}",
        m[1].reason
    );
}

#[test]
fn a_steps_risk_decisions_are_chained_with_it_and_a_plain_step_adds_nothing() {
    let store = store();
    store.commit_step(None, &[]).unwrap();
    assert!(store.audit_entries(None, 10).unwrap().is_empty());
    let decision = |k: i64, verdict| EngineEvent::RiskDecision {
        time: Timestamp::from_ms(k),
        client_id: ClientOrderId::new(format!("c{k}")),
        verdict,
    };
    let events = [
        decision(1, RiskVerdict::Approved),
        decision(
            2,
            RiskVerdict::Refused {
                reason: "breaker tripped".into(),
            },
        ),
    ];
    store.commit_step(None, &events).unwrap();
    let entries = store.audit_entries(None, 10).unwrap();
    let seen: Vec<_> = entries
        .iter()
        .map(|e| (e.action.as_str(), e.target.as_str(), e.outcome.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            ("risk.approved", "c1", "approved"),
            ("risk.rejected", "c2", "rejected")
        ]
    );
    assert_eq!(entries[1].detail["reason"], "breaker tripped");
    assert_eq!(entries[1].actor, "engine");
    // A replay does not chain them again: the run that decided them did.
    store.replay_event(&events[1]).unwrap();
    assert_eq!(store.audit_entries(None, 10).unwrap().len(), 2);
}

#[test]
fn a_long_chain_is_verified_across_pages() {
    let store = store();
    let n = super::verify::PAGE * 2 + 7;
    let entries: Vec<_> = (1..=n).map(new_entry).collect();
    store.run_batch_audited(&[], &entries, "test").unwrap();
    let report = store.audit_verify().unwrap();
    assert!(report.ok(), "{report:?}");
    assert_eq!(report.entries, u64::try_from(n).unwrap());
    let victim = super::verify::PAGE + 3;
    tamper(
        &store,
        &format!("UPDATE audit_log SET outcome = '200' WHERE id = {victim}"),
    );
    let report = store.audit_verify().unwrap();
    let broken = report.first_broken.unwrap();
    assert_eq!(
        (broken.id, broken.reason.as_str()),
        (victim, "hash mismatch")
    );
    assert_eq!(report.entries, u64::try_from(n).unwrap());
}
