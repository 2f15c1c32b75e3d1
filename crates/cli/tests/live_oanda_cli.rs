//! `smc run --mode live --venue oanda` against the simulator speaking
//! OANDA v20: a real process SIGKILLed at random moments and restarted
//! (`SMC_OANDA_KILLS`, default 6), then run to a clean stop; afterwards
//! its final reconciliation finds nothing different and, read from the
//! simulator over plain HTTP, every fill is journaled once with its
//! order's client id, units and price, every order the venue accepted is
//! journaled once, and the position is the venue's. Also: live mode on
//! OANDA refuses to start without the token or against a foreign host.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{kill_repeatedly, smc};
use smc_testkit::audit::{final_reconciliation, journal};
use smc_testkit::oanda_audit::{assert_oanda_journal_agrees, oanda_record};
use smc_testkit::sim::{KEY, TestSim};
use std::path::{Path, PathBuf};
use std::process::Command;

const CONFIG: &str = "backtest:\n  strategy: sma_cross\n  timeframes: [\"1d\"]\nexchanges:\n  oanda:\n    enabled: true\n    symbols: [\"EUR_USD\"]\ntrading:\n  position_size_percent: 0.5\nrisk_manager:\n  stop_loss_percent: 2.0\n  max_position_size: 100000.0\n  max_daily_loss: 5000.0\n  circuit_breakers:\n    consecutive_losses:\n      max_losses: 1000\n      cooldown_minutes: 1\n";

fn config(dir: &Path) -> PathBuf {
    let path = dir.join("oanda.yaml");
    std::fs::write(&path, CONFIG).unwrap();
    path
}

fn live(url: &str, config: &Path, db: &Path, token: Option<&str>) -> Command {
    let mut c = smc();
    c.args([
        "run",
        "--mode",
        "live",
        "--confirm-live",
        "--allow-local-venue",
    ])
    .args(["--venue", "oanda", "--venue-url", url, "--timeframe", "1d"])
    .args(["--reconcile-seconds", "2"])
    .arg("--config")
    .arg(config)
    .arg("--db")
    .arg(db)
    .env_remove("OANDA_API_KEY");
    if let Some(t) = token {
        c.env("OANDA_API_KEY", t);
    }
    c
}

fn kills() -> usize {
    std::env::var("SMC_OANDA_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(6)
}

#[test]
fn live_on_oanda_survives_kills_with_nothing_lost_or_duplicated() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path());
    let db = dir.path().join("live.db");
    let sim = TestSim::oanda_eurusd(20.0, "");
    let url = format!("oanda={}", sim.addr);
    let session = || live(&url, &cfg, &db, Some(KEY));
    kill_repeatedly(session, kills(), 500, 1_500, 0x0a4d_a000_0000_0002);
    let out = session().args(["--max-bars", "80"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let last = final_reconciliation(&out.stdout);
    assert_eq!(last["why"], "stop", "{last}");
    assert_eq!(
        last["result"]["differences"],
        serde_json::json!([]),
        "{last}"
    );
    let store = journal(&db);
    assert!(store.orders().unwrap().len() >= 2);
    let record = oanda_record(&sim.addr, "EUR_USD");
    assert_oanda_journal_agrees(&store, &record, "EUR_USD", "oanda cli");
}

#[test]
fn live_on_oanda_refuses_a_missing_token_and_foreign_hosts() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path());
    let db = dir.path().join("refused.db");
    let sim = TestSim::oanda_eurusd(20.0, "");
    let refused = |mut c: Command| {
        let out = c.args(["--max-bars", "3"]).output().unwrap();
        assert!(!out.status.success());
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let url = format!("oanda={}", sim.addr);
    let err = refused(live(&url, &cfg, &db, None));
    assert!(err.contains("OANDA_API_KEY"), "{err}");
    let err = refused(live("oanda=https://api.bybit.com", &cfg, &db, Some(KEY)));
    assert!(err.contains("OANDA's own host"), "{err}");
    // Nothing reached the venue.
    assert!(oanda_record(&sim.addr, "EUR_USD").placed.is_empty());
}
