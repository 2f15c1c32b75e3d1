//! Every state-changing request lands in the hash-chained audit log,
//! allowed or refused; auditors read it; an edited row is named by
//! `GET /audit/verify`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{PASSWORD, start};
use serde_json::{Value, json};

#[test]
fn state_changes_are_chained_and_an_edited_row_is_found() {
    let s = start();
    let admin = s.admin_token();
    let auditor = s.user_token(&admin, "audrey", "auditor");
    let viewer = s.user_token(&admin, "vic", "viewer");
    // A refused change is recorded too.
    let r = s.post(
        "/api/v1/users",
        &viewer,
        json!({"username": "x", "password": PASSWORD, "role": "admin"}),
    );
    assert_eq!(r.status(), 403);
    assert_eq!(s.get("/api/v1/audit", &viewer).status(), 403);

    let entries: Value = s.get("/api/v1/audit?limit=100", &auditor).json().unwrap();
    let entries = entries.as_array().unwrap();
    let actions: Vec<String> = entries
        .iter()
        .map(|e| {
            format!(
                "{} {} {}",
                e["actor"].as_str().unwrap(),
                e["action"].as_str().unwrap(),
                e["outcome"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        actions.contains(&"user:vic POST /api/v1/users 403".to_string()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"user:admin POST /api/v1/users 201".to_string()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"user:audrey POST /api/v1/auth/login 200".to_string()),
        "{actions:?}"
    );
    assert!(
        !entries.iter().any(|e| e.to_string().contains(PASSWORD)),
        "no secret in the log"
    );

    let report: Value = s.get("/api/v1/audit/verify", &auditor).json().unwrap();
    assert_eq!(report["ok"], true, "{report}");

    // Someone with the database file edits an entry behind the API's back.
    let victim = entries.iter().find(|e| e["outcome"] == "403").unwrap()["id"]
        .as_i64()
        .unwrap();
    let db = rusqlite::Connection::open(s.db_path()).unwrap();
    db.execute_batch("DROP TRIGGER IF EXISTS audit_log_no_update")
        .unwrap();
    db.execute(
        "UPDATE audit_log SET outcome = '201' WHERE id = ?",
        [victim],
    )
    .unwrap();
    drop(db);
    let report: Value = s.get("/api/v1/audit/verify", &auditor).json().unwrap();
    assert_eq!(report["ok"], false, "{report}");
    assert_eq!(report["first_broken"]["id"], victim, "{report}");
}
