//! `smc audit verify`, run as a process against real SQLite files: an
//! intact log, one whose file was edited byte by byte (as with a hex
//! editor: no SQL, no trigger in the way), one with a breaker row written
//! behind the chain's back, and a database that does not exist.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use smc_model::Timestamp;
use smc_risk::breakers::{BreakerRecord, BreakerState};
use smc_store::{NewAuditEntry, Store};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn smc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_smc"))
        .args(args)
        .env_remove("DATABASE_URL")
        .output()
        .expect("smc runs")
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&o.stdout)
        )
    })
}

/// A database with three entries, the second carrying `marker`; the store
/// is closed (its WAL folded into the file) when this returns.
fn logged_db(dir: &Path, marker: &str) -> PathBuf {
    let path = dir.join("state.db");
    let store = Store::open_path(&path).unwrap();
    for (k, note) in [(1, "first"), (2, marker), (3, "third")] {
        store
            .audit_append(&NewAuditEntry {
                time: Timestamp::from_ms(1_700_000_000_000 + k),
                actor: "user:alice".into(),
                action: "PUT /api/v1/config".into(),
                target: "risk".into(),
                detail: serde_json::json!({ "note": note }),
                outcome: "200".into(),
            })
            .unwrap();
    }
    drop(store);
    path
}

#[test]
fn an_intact_log_exits_0_with_its_report() {
    let dir = tempfile::tempdir().unwrap();
    let db = logged_db(dir.path(), "second");
    let out = smc(&["audit", "verify", "--db", db.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let report = json(&out);
    assert_eq!(report["ok"], true);
    assert_eq!(report["entries"], 3);
    assert!(report["first_broken"].is_null());
    assert_eq!(report["breaker_mismatches"], serde_json::json!([]));
    let last = report["last_hash"].as_str().unwrap();
    assert_eq!(last.len(), 64);
    assert_ne!(last, "0".repeat(64));
    // The human report says the same, for a sqlite:// URL too.
    let url = format!("sqlite://{}", db.display());
    let out = smc(&["audit", "verify", "--db", &url]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("3 entries") && text.contains("chain: intact"),
        "{text}"
    );
}

#[test]
fn a_byte_edited_entry_exits_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = logged_db(dir.path(), "tamper-me-1");
    let mut bytes = std::fs::read(&db).unwrap();
    let at = bytes
        .windows(11)
        .position(|w| w == b"tamper-me-1")
        .expect("the entry is in the file");
    bytes[at + 10] = b'9';
    std::fs::write(&db, bytes).unwrap();
    let out = smc(&["audit", "verify", "--db", db.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let report = json(&out);
    assert_eq!(report["ok"], false);
    assert_eq!(
        report["first_broken"],
        serde_json::json!({ "id": 2, "reason": "hash mismatch" })
    );
    let out = smc(&["audit", "verify", "--db", db.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("BROKEN at entry 2: hash mismatch"), "{text}");
}

#[test]
fn a_breaker_row_written_behind_the_chain_exits_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = logged_db(dir.path(), "second");
    // Stored tripped, though no transition was ever recorded.
    let store = Store::open_path(&db).unwrap();
    let forged = BreakerRecord {
        state: BreakerState::Tripped,
        reason: Some("forged".into()),
        ..BreakerRecord::armed("daily_loss", Timestamp::from_ms(0))
    };
    store.insert_breaker(&forged).unwrap();
    drop(store);
    let out = smc(&["audit", "verify", "--db", db.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let report = json(&out);
    assert!(
        report["first_broken"].is_null(),
        "the chain itself is whole"
    );
    let m = &report["breaker_mismatches"];
    assert_eq!(m.as_array().unwrap().len(), 1, "{m}");
    assert_eq!(m[0]["breaker"], "daily_loss");
    assert_eq!(m[0]["stored_state"], "tripped");
    assert!(m[0]["chained_state"].is_null());
    let out = smc(&["audit", "verify", "--db", db.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("daily_loss") && text.contains("differ"),
        "{text}"
    );
}

#[test]
fn a_missing_database_is_an_error_and_is_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("nothing.db");
    let out = smc(&["audit", "verify", "--db", db.to_str().unwrap(), "--json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "no report when nothing was checked");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no database"), "{stderr}");
    assert!(!db.exists());
}
