//! `smc serve --db postgres://…`: the server's users, tokens, API keys and
//! audit log on a throwaway PostgreSQL cluster (skipped, with the reason
//! printed, only where PostgreSQL is not installed and this is not CI): an
//! admin logs in and rotates a refresh token, creates an API key that then
//! authenticates, the requests land in an audit chain that verifies (and
//! stops verifying once a row is edited behind the API's back), and a
//! hosted paper session journals into its own schema of the same database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{ADMIN_PASSWORD, start_on, wait_for};
use serde_json::{Value, json};
use smc_testkit::postgres::Cluster;
use smc_testkit::sim::TestSim;
use std::process::Command;
use std::time::Duration;

fn psql(url: &str, sql: &str) -> String {
    let out = Command::new(std::path::Path::new(smc_testkit::postgres::BIN).join("psql"))
        .args([url, "-Atqc", sql])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn serve_on_postgres_logs_in_keeps_api_keys_and_an_audit_chain_that_verifies() {
    let Some(pg) = Cluster::start() else {
        return;
    };
    let url = pg.database();
    let s = start_on(tempfile::tempdir().unwrap(), "", "", Some(&url));
    assert_eq!(
        psql(&url, "SELECT count(*) FROM users"),
        "1",
        "the first admin"
    );

    let pair = s.login("admin", ADMIN_PASSWORD);
    let admin = pair["access_token"].as_str().unwrap().to_string();
    let refresh = |token: &str| {
        s.http
            .post(s.url("/api/v1/auth/refresh"))
            .json(&json!({"refresh_token": token}))
            .send()
            .unwrap()
    };
    let old = pair["refresh_token"].as_str().unwrap();
    assert_eq!(refresh(old).status(), 200);
    assert_eq!(
        refresh(old).status(),
        401,
        "a spent refresh token is refused"
    );

    let r = s.post(
        "/api/v1/api-keys",
        &admin,
        json!({"role": "viewer", "expires_in_days": 1}),
    );
    assert_eq!(r.status(), 201);
    let key = r.json::<Value>().unwrap()["key"]
        .as_str()
        .unwrap()
        .to_string();
    let with_key = |path: &str| {
        s.http
            .get(s.url(path))
            .header("X-API-Key", &key)
            .send()
            .unwrap()
    };
    let admin = s.admin_token();
    assert_eq!(with_key("/api/v1/status").status(), 200);
    assert_eq!(with_key("/api/v1/users").status(), 403, "a viewer key");
    assert_eq!(psql(&url, "SELECT count(*) FROM api_keys"), "1");

    let auditor = s.user_token(&admin, "audrey", "auditor");
    let entries: Value = s.get("/api/v1/audit?limit=100", &auditor).json().unwrap();
    let actions: Vec<String> = entries
        .as_array()
        .unwrap()
        .iter()
        .map(|e| format!("{} {}", e["action"].as_str().unwrap(), e["outcome"]))
        .collect();
    assert!(
        actions
            .iter()
            .any(|a| a.starts_with("POST /api/v1/api-keys")),
        "{actions:?}"
    );
    let report: Value = s.get("/api/v1/audit/verify", &auditor).json().unwrap();
    assert_eq!(report["ok"], true, "{report}");
    assert!(report["entries"].as_u64().unwrap() >= 4, "{report}");

    // Edited behind the API's back (triggers dropped first): found.
    psql(
        &url,
        "DROP TRIGGER audit_log_no_change ON audit_log; \
         UPDATE audit_log SET outcome = '500' WHERE id = 2",
    );
    let report: Value = s.get("/api/v1/audit/verify", &auditor).json().unwrap();
    assert_eq!(report["ok"], false, "{report}");
    assert_eq!(report["first_broken"]["id"], 2, "{report}");
}

#[test]
fn a_hosted_session_journals_into_its_own_schema_of_the_servers_database() {
    let Some(pg) = Cluster::start() else {
        return;
    };
    let url = pg.database();
    let sim = TestSim::btcusdt(200.0, "");
    let s = start_on(tempfile::tempdir().unwrap(), "", "", Some(&url));
    let admin = s.admin_token();
    let id = s.start_paper(&admin, &sim.addr);
    let schema = format!(
        "smc_session_{}",
        id.to_ascii_lowercase()
            .replace(|c: char| !c.is_ascii_alphanumeric(), "_")
    );
    let count = |table: &str| {
        psql(
            &url,
            &format!(
                "SELECT count(*) FROM information_schema.tables \
                 WHERE table_schema = '{schema}' AND table_name = '{table}'"
            ),
        )
    };
    wait_for("the session's journal", Duration::from_secs(30), || {
        count("candles") == "1"
            && psql(&url, &format!("SELECT count(*) FROM {schema}.candles")) != "0"
    });
    assert_eq!(count("breakers"), "1", "its breakers beside its journal");
    assert_eq!(
        psql(&url, "SELECT count(*) FROM public.candles"),
        "0",
        "nothing in the server's own schema"
    );
    let r = s
        .request("DELETE", &format!("/api/v1/sessions/{id}"))
        .bearer_auth(&admin)
        .send()
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
}
