//! `smc risk breakers` and `smc audit verify` with `--db postgres://…`, run
//! as processes against a throwaway cluster (skipped, with the reason
//! printed, only where PostgreSQL is not installed and this is not CI):
//! the token enrolled, the tripped breaker listed and reset, and the audit
//! chain that recorded both verified.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use smc_model::Timestamp;
use smc_risk::breakers::{BreakerRecord, BreakerState};
use smc_store::PgStore;
use smc_testkit::postgres::Cluster;
use std::process::{Command, Output};

const TOKEN: &str = "a-long-random-reset-token-0123";

fn smc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_smc"))
        .args(args)
        .env("SMC_BREAKER_RESET_TOKEN", TOKEN)
        .env_remove("SMC_BREAKER_NEW_RESET_TOKEN")
        .env_remove("DATABASE_URL")
        .output()
        .expect("smc runs")
}

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn breakers_are_listed_and_reset_and_the_audit_chain_verifies_on_postgres() {
    let Some(pg) = Cluster::start() else {
        return;
    };
    let url = pg.database();
    let store = PgStore::open(&url).unwrap();
    let armed = BreakerRecord::armed("daily_loss", Timestamp::from_ms(0));
    store.insert_breaker(&armed).unwrap();
    let (tripped, t) = armed
        .trip(Timestamp::from_ms(1_000), "lost 600 today".into(), None)
        .unwrap();
    store.write_transition(&tripped, &t).unwrap();

    let enrolled = ok(&smc(&["risk", "breakers", "set-token", "--db", &url]));
    assert!(enrolled.contains("reset token enrolled"), "{enrolled}");
    let list: serde_json::Value = serde_json::from_str(&ok(&smc(&[
        "risk", "breakers", "list", "--db", &url, "--format", "json",
    ])))
    .unwrap();
    assert_eq!(list["breakers"][0]["state"], "tripped");
    assert_eq!(list["events"][0]["reason"], "lost 600 today");

    let reset = ok(&smc(&[
        "risk",
        "breakers",
        "reset",
        "daily_loss",
        "--db",
        &url,
        "--operator",
        "alice",
        "--reason",
        "loss reviewed",
    ]));
    assert!(reset.contains("reset by alice"), "{reset}");
    assert_eq!(
        store.breaker("daily_loss").unwrap().unwrap().state,
        BreakerState::CoolingDown
    );

    let verify = smc(&["audit", "verify", "--db", &url, "--json"]);
    let report: serde_json::Value = serde_json::from_str(&ok(&verify)).unwrap();
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["entries"], 2, "the trip and the reset");

    // A breaker row written behind the chain's back: exit status 2.
    let psql = std::path::Path::new(smc_testkit::postgres::BIN).join("psql");
    let edited = Command::new(psql)
        .args([&url, "-qc", "UPDATE breakers SET state = 'armed'"])
        .status()
        .unwrap();
    assert!(edited.success());
    let verify = smc(&["audit", "verify", "--db", &url, "--json"]);
    assert_eq!(verify.status.code(), Some(2));
    let report: serde_json::Value = serde_json::from_slice(&verify.stdout).unwrap();
    assert_eq!(report["breaker_mismatches"][0]["breaker"], "daily_loss");
}
