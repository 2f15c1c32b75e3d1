//! `smc run --mode live --venue bybit` against the simulator speaking
//! Bybit v5, end to end through the binary: the refusals (a key that may
//! withdraw, no keys in BYBIT_API_KEY/SECRET, a non-Bybit https host), and
//! restarts of a real process killed with SIGKILL at random moments on
//! spot and on linear perpetuals (`SMC_BYBIT_KILLS`, default 8 each).
//! Afterwards every order the venue knows is journaled once with the
//! venue's status, every journaled order it does not know was refused, the
//! journal's fills are exactly the venue's executions, and the journal's
//! position is the venue's — read from the simulator's own state.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{kill_repeatedly, smc};
use smc_testkit::audit::{
    assert_journal_agrees, final_reconciliation, journal, sim_account, sim_account_as_of,
};
use smc_testkit::sim::{KEY, SECRET, TestSim, WITHDRAW_KEY, WITHDRAW_SECRET};
use std::path::{Path, PathBuf};
use std::process::Command;

const CONFIG: &str = "backtest:\n  strategy: sma_cross\n  timeframes: [\"1m\"]\n  instrument:\n    venue: bybit\n    symbol: BTCUSDT\n    tick_size: 0.1\n    lot_size: 0.001\n    min_qty: 0.001\n    min_notional: 5\nexchanges:\n  bybit:\n    enabled: true\n    symbols: [\"BTCUSDT\"]\nrisk_manager:\n  max_position_size: 1000.0\n  max_daily_loss: 5000.0\n  circuit_breakers:\n    consecutive_losses:\n      max_losses: 1000\n      cooldown_minutes: 1\n";

fn config(dir: &Path) -> PathBuf {
    let path = dir.join("bybit.yaml");
    std::fs::write(&path, CONFIG).unwrap();
    path
}

fn live(url: &str, config: &Path, db: &Path, key: (&str, &str)) -> Command {
    let mut c = smc();
    c.args([
        "run",
        "--mode",
        "live",
        "--confirm-live",
        "--allow-local-venue",
    ])
    .args(["--venue", "bybit", "--venue-url", url])
    .arg("--config")
    .arg(config)
    .arg("--db")
    .arg(db)
    .env_remove("BINANCE_API_KEY")
    .env_remove("BINANCE_API_SECRET")
    .env("BYBIT_API_KEY", key.0)
    .env("BYBIT_API_SECRET", key.1);
    c
}

fn kills() -> usize {
    std::env::var("SMC_BYBIT_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(8)
}

fn trade_and_check(market: &str, seed: u64) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path());
    let db = dir.path().join("live.db");
    let sim = TestSim::bybit_btcusdt(80.0, "");
    let url = format!("bybit={}", sim.addr);
    let session = || {
        let mut c = live(&url, &cfg, &db, (KEY, SECRET));
        c.args(["--market", market]);
        c
    };
    kill_repeatedly(session, kills(), 300, 600, seed);
    let out = session().args(["--max-bars", "150"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "[{market}] {stderr}");
    let last = final_reconciliation(&out.stdout);
    assert_eq!(last["why"], "stop", "[{market}] {last}");
    assert_eq!(
        last["result"]["differences"],
        serde_json::json!([]),
        "[{market}] {last}"
    );
    // The venue as the stopped session last saw it (a stop it left
    // resting may fill after it stopped, as it should).
    let as_of = last["time"].as_i64().unwrap();
    let venue = sim_account_as_of(&sim, market == "linear", "BTCUSDT", "BTC", as_of);
    assert!(venue.orders.len() >= 3, "[{market}] {:?}", venue.orders);
    assert!(venue.trades.len() >= 2, "[{market}] {:?}", venue.trades);
    let store = journal(&db);
    assert!(
        store.orders().unwrap().iter().all(|o| o
            .request
            .instrument
            .to_string()
            .starts_with("bybit")),
        "[{market}] an order not on Bybit"
    );
    assert_journal_agrees(&store, &venue, "BTCUSDT", market);
}

#[test]
fn live_on_bybit_spot_survives_kills_with_nothing_lost_or_duplicated() {
    trade_and_check("spot", 0xb7b1_0000_0000_0001);
}

#[test]
fn live_on_bybit_linear_survives_kills_with_nothing_lost_or_duplicated() {
    trade_and_check("linear", 0xb7b1_0000_0000_0002);
}

#[test]
fn live_on_bybit_refuses_a_withdrawing_key_missing_keys_and_foreign_hosts() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path());
    let db = dir.path().join("refused.db");
    let sim = TestSim::bybit_btcusdt(20.0, "");
    let url = format!("bybit={}", sim.addr);
    let refused = |mut c: Command| {
        let out = c.args(["--max-bars", "5"]).output().unwrap();
        assert!(!out.status.success());
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let err = refused(live(&url, &cfg, &db, (WITHDRAW_KEY, WITHDRAW_SECRET)));
    assert!(err.contains("may withdraw"), "{err}");
    let mut no_keys = live(&url, &cfg, &db, (KEY, SECRET));
    no_keys.env_remove("BYBIT_API_KEY");
    let err = refused(no_keys);
    assert!(err.contains("BYBIT_API_KEY"), "{err}");
    let err = refused(live(
        "bybit=https://api.binance.com",
        &cfg,
        &db,
        (KEY, SECRET),
    ));
    assert!(err.contains("Bybit's own host"), "{err}");
    // Nothing reached the venue.
    assert!(sim_account(&sim, false, "BTCUSDT", "BTC").orders.is_empty());
}
