//! The server's and the risk tools' store through `ServerStore` and
//! `RiskStore`, the same bodies on both backends: SQLite (a temporary
//! file) and PostgreSQL (a database of a throwaway cluster; skipped, with
//! the reason printed, only where PostgreSQL is not installed and this is
//! not CI). Also what only PostgreSQL needs checking: the triggers that
//! keep the trails append-only, and `smc store copy` carrying the breakers
//! and the audit chain across.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../testkit/src/postgres.rs"]
mod cluster;

use smc_model::Timestamp;
use smc_risk::breakers::{BreakerRecord, BreakerState, ResetVerifier};
use smc_store::{
    ApiKeyRecord, NewAuditEntry, PgStore, RefreshRecord, Store, UserRecord, open_risk_store,
    open_server_store,
};

/// A test's database URL and what keeps it alive.
struct Db {
    url: String,
    _keep: Option<tempfile::TempDir>,
}

fn sqlite() -> Db {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("s.db").display());
    Db {
        url,
        _keep: Some(dir),
    }
}

/// Runs `body` on SQLite, then on PostgreSQL when it is here.
fn on_both(mut body: impl FnMut(&Db)) {
    body(&sqlite());
    if let Some(pg) = cluster::Cluster::start() {
        body(&Db {
            url: pg.database(),
            _keep: None,
        });
    }
}

fn t(ms: i64) -> Timestamp {
    Timestamp::from_ms(ms)
}

fn user(name: &str, role: &str) -> UserRecord {
    UserRecord {
        username: name.into(),
        password_hash: "$argon2id$x".into(),
        role: role.into(),
        totp_secret: None,
        totp_pending: None,
        created_at: t(1),
    }
}

fn refresh(digest: &str, family: &str) -> RefreshRecord {
    RefreshRecord {
        digest: digest.into(),
        username: "alice".into(),
        family: family.into(),
        issued_at: t(10),
        expires_at: t(1_000),
        used_at: None,
        revoked_at: None,
    }
}

fn key(id: &str, digest: &str) -> ApiKeyRecord {
    ApiKeyRecord {
        id: id.into(),
        digest: digest.into(),
        role: "viewer".into(),
        owner: "alice".into(),
        created_at: t(20),
        expires_at: Some(t(5_000)),
        revoked_at: None,
    }
}

#[test]
fn users_totp_and_recovery_codes_behave_alike() {
    on_both(|db| {
        let s = open_server_store(&db.url).unwrap();
        assert!(s.user_create(&user("alice", "admin")).unwrap());
        assert!(
            !s.user_create(&user("alice", "viewer")).unwrap(),
            "name taken"
        );
        assert!(s.user_create(&user("bob", "trader")).unwrap());
        // The role is checked (SQLite's OR IGNORE answers false, PostgreSQL
        // an error): either way nobody is created.
        assert!(!matches!(
            s.user_create(&user("eve", "superuser")),
            Ok(true)
        ));
        assert_eq!(s.user_count().unwrap(), 2);
        let names: Vec<String> = s.users().unwrap().into_iter().map(|u| u.username).collect();
        assert_eq!(names, ["alice", "bob"]);
        assert_eq!(s.user("alice").unwrap().unwrap().role, "admin");
        assert!(s.user("nobody").unwrap().is_none());

        let codes = vec!["d1".to_string(), "d2".to_string()];
        s.user_totp_begin("alice", "PENDING", &codes).unwrap();
        assert_eq!(s.recovery_codes_left("alice").unwrap(), 2);
        assert!(s.user_totp_confirm("alice", 100).unwrap());
        assert!(
            !s.user_totp_confirm("alice", 101).unwrap(),
            "nothing pending"
        );
        assert_eq!(
            s.user("alice").unwrap().unwrap().totp_secret.as_deref(),
            Some("PENDING")
        );
        assert!(
            !s.user_totp_use_step("alice", 100).unwrap(),
            "a replayed step"
        );
        assert!(s.user_totp_use_step("alice", 101).unwrap());
        assert!(s.recovery_code_use("alice", "d1", t(50)).unwrap());
        assert!(
            !s.recovery_code_use("alice", "d1", t(51)).unwrap(),
            "spent once"
        );
        assert!(!s.recovery_code_use("alice", "zz", t(51)).unwrap());
        assert_eq!(s.recovery_codes_left("alice").unwrap(), 1);

        s.refresh_insert(&refresh("r1", "f1")).unwrap();
        assert!(s.user_delete("alice").unwrap());
        assert!(!s.user_delete("alice").unwrap());
        assert!(s.refresh_token("r1").unwrap().is_none(), "cascaded");
        assert_eq!(s.recovery_codes_left("alice").unwrap(), 0);
    });
}

#[test]
fn refresh_tokens_rotate_once_and_families_revoke_together() {
    on_both(|db| {
        let s = open_server_store(&db.url).unwrap();
        s.user_create(&user("alice", "admin")).unwrap();
        s.refresh_insert(&refresh("r1", "f1")).unwrap();
        assert!(
            s.refresh_insert(&refresh("r1", "f1")).is_err(),
            "digest unique"
        );
        assert!(s.refresh_rotate("r1", &refresh("r2", "f1"), t(20)).unwrap());
        assert!(
            !s.refresh_rotate("r1", &refresh("r3", "f1"), t(21)).unwrap(),
            "a spent token does not rotate again"
        );
        assert!(s.refresh_token("r3").unwrap().is_none(), "nothing stored");
        assert_eq!(s.refresh_token("r1").unwrap().unwrap().used_at, Some(t(20)));
        assert_eq!(s.refresh_revoke_family("f1", t(30)).unwrap(), 2);
        assert_eq!(s.refresh_revoke_family("f1", t(31)).unwrap(), 0);
        assert_eq!(
            s.refresh_token("r2").unwrap().unwrap().revoked_at,
            Some(t(30))
        );
        assert!(!s.refresh_rotate("r2", &refresh("r4", "f1"), t(40)).unwrap());
    });
}

#[test]
fn api_keys_settings_and_exchange_keys_behave_alike() {
    on_both(|db| {
        let s = open_server_store(&db.url).unwrap();
        s.api_key_insert(&key("k1", "dig1")).unwrap();
        assert!(
            s.api_key_insert(&key("k2", "dig1")).is_err(),
            "digest unique"
        );
        s.api_key_insert(&ApiKeyRecord {
            created_at: t(30),
            ..key("k2", "dig2")
        })
        .unwrap();
        let ids: Vec<String> = s.api_keys().unwrap().into_iter().map(|k| k.id).collect();
        assert_eq!(ids, ["k2", "k1"], "newest first");
        assert_eq!(s.api_key_by_digest("dig1").unwrap().unwrap().id, "k1");
        assert_eq!(s.api_key("k1").unwrap().unwrap().expires_at, Some(t(5_000)));
        assert!(s.api_key_rotate("k1", "dig1b").unwrap());
        assert!(s.api_key_by_digest("dig1").unwrap().is_none());
        assert!(s.api_key_revoke("k1", t(40)).unwrap());
        assert!(!s.api_key_revoke("k1", t(41)).unwrap());
        assert!(!s.api_key_rotate("k1", "dig1c").unwrap(), "revoked");

        assert_eq!(s.setting("jwt").unwrap(), None);
        assert_eq!(s.setting_or_insert("jwt", "a").unwrap(), "a");
        assert_eq!(s.setting_or_insert("jwt", "b").unwrap(), "a", "kept");

        s.exchange_key_put("binance", "main", "00ff", t(1)).unwrap();
        s.exchange_key_put("binance", "main", "11ee", t(2)).unwrap();
        assert_eq!(
            s.exchange_key("binance", "main").unwrap().as_deref(),
            Some("11ee")
        );
        let keys = s.exchange_keys().unwrap();
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].updated_at, t(2));
    });
}

fn entry(k: i64) -> NewAuditEntry {
    NewAuditEntry {
        time: t(1_000 + k),
        actor: "user:alice".into(),
        action: "POST /api/v1/users".into(),
        target: format!("user{k}"),
        detail: serde_json::json!({ "k": k, "note": "ü" }),
        outcome: "201".into(),
    }
}

/// Writes the same breakers, trail, secret and audit entries on a store;
/// the chain's last hash.
fn write_history(url: &str) -> String {
    let server = open_server_store(url).unwrap();
    server.audit_append(&entry(1)).unwrap();
    let risk = open_risk_store(url, false).unwrap();
    let armed = BreakerRecord::armed("daily_loss", t(0));
    let (tripped, tr) = armed.trip(t(2_000), "loss 5%".into(), None).unwrap();
    risk.write_transition(&tripped, &tr).unwrap();
    risk.enroll_secret("breaker_reset", "a-long-reset-token-123456", 5)
        .unwrap();
    server.audit_append(&entry(2)).unwrap();
    let report = risk.audit_verify().unwrap();
    assert!(report.ok(), "{report:?}");
    assert_eq!(report.entries, 3);
    report.last_hash
}

#[test]
fn the_audit_chain_and_the_breakers_are_the_same_on_both_backends() {
    let mut hashes = Vec::new();
    on_both(|db| {
        hashes.push(write_history(&db.url));
        let risk = open_risk_store(&db.url, true).unwrap();
        let b = risk.breaker("daily_loss").unwrap().unwrap();
        assert_eq!(b.state, BreakerState::Tripped);
        let events = risk.breaker_events(Some("daily_loss"), Some(10)).unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].transition.reason, "loss 5%");
        let v = risk.verifier("breaker_reset").unwrap().unwrap();
        assert!(v.verify("a-long-reset-token-123456"));
        assert!(!v.verify("another-token-1234567890"));
        let server = open_server_store(&db.url).unwrap();
        let latest = server.audit_latest(None, 2).unwrap();
        assert_eq!(latest.iter().map(|e| e.id).collect::<Vec<_>>(), [3, 2]);
        assert_eq!(latest[1].action, "breaker.trip");
        let page = server.audit_entries(Some(1), 10).unwrap();
        assert_eq!(page.len(), 2);
        assert_eq!(
            page[0].prev_hash,
            server.audit_entries(None, 1).unwrap()[0].hash
        );
    });
    // Same inputs, same chain: the hash inputs do not depend on the backend.
    assert!(hashes.windows(2).all(|w| w[0] == w[1]), "{hashes:?}");
}

#[test]
fn breaker_states_survive_a_reopen_through_the_breaker_store() {
    on_both(|db| {
        let mut first = smc_store::open_breaker_store(&db.url).unwrap();
        let armed = BreakerRecord::armed("stale_data", t(0));
        first.create_breaker(&armed).unwrap();
        let (tripped, tr) = armed.trip(t(5), "no data".into(), None).unwrap();
        first.record_transition(&tripped, &tr).unwrap();
        drop(first);
        let mut again = smc_store::open_breaker_store(&db.url).unwrap();
        let loaded = again.load_breakers().unwrap();
        assert_eq!(loaded, vec![tripped.clone()]);
        // Creating it again (a restart) keeps the stored state.
        again.create_breaker(&armed).unwrap();
        assert_eq!(
            again.load_breakers().unwrap()[0].state,
            BreakerState::Tripped
        );
    });
}

#[test]
fn postgres_refuses_edits_of_the_trails_and_verification_finds_tampering() {
    let Some(pg) = cluster::Cluster::start() else {
        return;
    };
    let url = pg.database();
    write_history(&url);
    let mut raw = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    for sql in [
        "UPDATE audit_log SET outcome = 'x'",
        "DELETE FROM audit_log",
        "TRUNCATE audit_log",
        "UPDATE breaker_events SET reason = 'nothing happened'",
        "DELETE FROM breaker_events",
    ] {
        let err = raw.batch_execute(sql).unwrap_err();
        let text = format!("{err:?}");
        assert!(text.contains("append-only"), "{sql}: {text}");
    }
    // Someone who drops the triggers can edit, and the walk says where.
    raw.batch_execute(
        "DROP TRIGGER audit_log_no_change ON audit_log;
         UPDATE audit_log SET outcome = '500' WHERE id = 2;",
    )
    .unwrap();
    let report = PgStore::open(&url).unwrap().audit_verify().unwrap();
    let broken = report.first_broken.unwrap();
    assert_eq!((broken.id, broken.reason.as_str()), (2, "hash mismatch"));
    // A deleted tail shows as missing entries.
    raw.batch_execute("DELETE FROM audit_log WHERE id >= 2")
        .unwrap();
    let report = PgStore::open(&url).unwrap().audit_verify().unwrap();
    let broken = report.first_broken.unwrap();
    assert_eq!(broken.id, 2);
    assert!(broken.reason.contains("missing"), "{}", broken.reason);
    // A breaker whose row disagrees with the chain is named.
    raw.batch_execute("UPDATE breakers SET state = 'armed'")
        .unwrap();
    let report = PgStore::open(&url).unwrap().audit_verify().unwrap();
    assert_eq!(report.breaker_mismatches.len(), 1);
    assert_eq!(report.breaker_mismatches[0].breaker, "daily_loss");
}

#[test]
fn store_copy_carries_the_breakers_and_a_chain_that_verifies() {
    let Some(pg) = cluster::Cluster::start() else {
        return;
    };
    let source = sqlite();
    let last_hash = write_history(&source.url);
    let target = pg.database();
    let report = smc_store::copy::copy(&source.url, &target).unwrap();
    assert_eq!(
        (report.breakers, report.breaker_events, report.audit_entries),
        (1, 1, 3)
    );
    let copied = PgStore::open(&target).unwrap();
    let verified = copied.audit_verify().unwrap();
    assert!(verified.ok(), "{verified:?}");
    assert_eq!(verified.last_hash, last_hash);
    assert_eq!(
        copied.breakers().unwrap(),
        Store::open(&source.url).unwrap().breakers().unwrap()
    );
    assert!(
        copied
            .verifier("breaker_reset")
            .unwrap()
            .unwrap()
            .verify("a-long-reset-token-123456")
    );
    // The chain goes on from the copied head, on both trails.
    let next = copied.audit_append(&entry(9)).unwrap();
    assert_eq!((next.id, next.prev_hash.as_str()), (4, last_hash.as_str()));
    let tripped = copied.breaker("daily_loss").unwrap().unwrap();
    let (cooling, tr) = tripped.reset(t(9_000), "ops", "checked", t(9_500)).unwrap();
    copied.write_transition(&cooling, &tr).unwrap();
    let events = copied.breaker_events(None, None).unwrap();
    assert_eq!(events.iter().map(|e| e.id).collect::<Vec<_>>(), [1, 2]);
    assert!(copied.audit_verify().unwrap().ok());
}

/// The API's requests share a pool of connections: a call waiting on a
/// lock holds one of them, and the others go on (one connection behind a
/// mutex, as before the pool, would hold every request up behind it).
#[test]
fn a_call_waiting_on_a_lock_does_not_hold_up_the_others() {
    use std::sync::{Arc, mpsc};
    use std::time::Duration;
    let Some(pg) = cluster::Cluster::start() else {
        return;
    };
    let url = pg.database();
    let store = Arc::new(PgStore::open(&url).unwrap());
    let mut other = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let mut lock = other.transaction().unwrap();
    lock.batch_execute("LOCK TABLE audit_log IN ACCESS EXCLUSIVE MODE")
        .unwrap();
    let (appended, append_done) = mpsc::channel();
    let appender = {
        let store = store.clone();
        std::thread::spawn(move || {
            // The receiver outlives the thread: a failed send cannot happen.
            let _ = appended.send(store.audit_append(&entry(1)));
        })
    };
    assert!(
        append_done
            .recv_timeout(Duration::from_millis(300))
            .is_err(),
        "the append waits for the lock"
    );
    let (counted, count_done) = mpsc::channel();
    {
        let store = store.clone();
        std::thread::spawn(move || counted.send(store.user_count().unwrap()));
    }
    assert_eq!(
        count_done.recv_timeout(Duration::from_secs(30)).unwrap(),
        0,
        "another call goes on while the append waits"
    );
    lock.commit().unwrap();
    let entry = append_done
        .recv_timeout(Duration::from_secs(30))
        .unwrap()
        .unwrap();
    assert_eq!(entry.target, "user1");
    appender.join().unwrap();
}
