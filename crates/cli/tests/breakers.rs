//! `smc risk breakers`, run as a process against a real SQLite file: list,
//! token enrollment, refused and authorized resets.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use smc_model::Timestamp;
use smc_risk::breakers::{BreakerRecord, BreakerState};
use smc_store::Store;
use std::path::PathBuf;
use std::process::{Command, Output};

const TOKEN: &str = "a-long-random-reset-token-0123";

fn smc(args: &[&str], token: Option<&str>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_smc"));
    c.args(args)
        .env_remove("SMC_BREAKER_RESET_TOKEN")
        .env_remove("SMC_BREAKER_NEW_RESET_TOKEN")
        .env_remove("DATABASE_URL");
    if let Some(t) = token {
        c.env("SMC_BREAKER_RESET_TOKEN", t);
    }
    c.output().expect("smc runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A database with a tripped daily-loss breaker.
fn tripped_db(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("smc-breakers-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("state.db");
    let store = Store::open_path(&path).unwrap();
    let armed = BreakerRecord::armed("daily_loss", Timestamp::from_ms(0));
    store.insert_breaker(&armed).unwrap();
    let (tripped, t) = armed
        .trip(
            Timestamp::from_ms(1_000),
            "lost 600 today from 10000, limit 500".into(),
            None,
        )
        .unwrap();
    store.write_transition(&tripped, &t).unwrap();
    path
}

fn state(path: &std::path::Path) -> BreakerState {
    Store::open_path(path)
        .unwrap()
        .breaker("daily_loss")
        .unwrap()
        .unwrap()
        .state
}

fn list_json(db: &str) -> serde_json::Value {
    let out = smc(
        &["risk", "breakers", "list", "--db", db, "--format", "json"],
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn list_shows_the_stored_state_as_json_and_as_a_table() {
    let path = tripped_db("list");
    let db = path.display().to_string();
    let json = list_json(&db);
    assert_eq!(json["breakers"][0]["name"], "daily_loss");
    assert_eq!(json["breakers"][0]["state"], "tripped");
    assert_eq!(json["breakers"][0]["tripped_at"], 1000);
    assert_eq!(json["events"][0]["action"], "trip");
    let out = smc(&["risk", "breakers", "list", "--db", &db], None);
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.contains("daily_loss") && table.contains("tripped"),
        "{table}"
    );
    assert!(table.contains("lost 600 today"), "{table}");
}

#[test]
fn list_refuses_a_missing_database_instead_of_creating_one() {
    let missing = std::env::temp_dir().join(format!("smc-no-such-{}.db", std::process::id()));
    let out = smc(
        &[
            "risk",
            "breakers",
            "list",
            "--db",
            &missing.display().to_string(),
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no database"), "{}", stderr(&out));
    assert!(!missing.exists());
}

#[test]
fn a_reset_needs_the_enrolled_token_and_is_recorded_with_who_and_why() {
    let path = tripped_db("reset");
    let db = path.display().to_string();
    let reset = |token| {
        smc(
            &[
                "risk",
                "breakers",
                "reset",
                "daily_loss",
                "--db",
                &db,
                "--operator",
                "alice",
                "--reason",
                "loss reviewed",
            ],
            token,
        )
    };
    // No token in the environment.
    let out = reset(None);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("SMC_BREAKER_RESET_TOKEN"),
        "{}",
        stderr(&out)
    );
    // A token, but none enrolled yet.
    let out = reset(Some(TOKEN));
    assert!(!out.status.success());
    assert!(stderr(&out).contains("set-token"), "{}", stderr(&out));
    assert_eq!(state(&path), BreakerState::Tripped);

    // Enroll; a short token is refused.
    let weak = smc(
        &["risk", "breakers", "set-token", "--db", &db],
        Some("short"),
    );
    assert!(!weak.status.success());
    let out = smc(&["risk", "breakers", "set-token", "--db", &db], Some(TOKEN));
    assert!(out.status.success(), "{}", stderr(&out));
    // Enrolling a different token without --rotate is refused.
    let other = smc(
        &["risk", "breakers", "set-token", "--db", &db],
        Some("another-long-token-0123456789"),
    );
    assert!(stderr(&other).contains("--rotate"), "{}", stderr(&other));

    // The wrong token is refused and changes nothing.
    let out = reset(Some("wrong-token-wrong-token-0123"));
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("does not match"), "{}", stderr(&out));
    assert_eq!(state(&path), BreakerState::Tripped);
    assert_eq!(list_json(&db)["events"].as_array().unwrap().len(), 1);

    // The right one releases it.
    let out = reset(Some(TOKEN));
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("tripped -> cooling_down"));
    let json = list_json(&db);
    assert_eq!(json["breakers"][0]["state"], "cooling_down");
    let last = &json["events"][1];
    assert_eq!(last["action"], "reset");
    assert_eq!(last["operator"], "alice");
    assert_eq!(last["reason"], "loss reviewed");
    // Not tripped any more: a second reset is refused.
    let again = reset(Some(TOKEN));
    assert!(
        stderr(&again).contains("cannot reset while cooling_down"),
        "{}",
        stderr(&again)
    );
}
