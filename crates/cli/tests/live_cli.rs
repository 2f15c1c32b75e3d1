//! `smc run --mode live` against `smc venue-sim` on loopback, end to end
//! through the binary: the refusals (no --confirm-live, no risk limits or
//! breakers, a key with withdrawal permission), and restarts of a real
//! process killed with SIGKILL at random moments: on spot twenty times, on
//! USD-M eight times, and on two symbols from one account five times.
//! Afterwards every order the venue knows is journaled once with the
//! venue's status, every journaled order the venue does not know was
//! refused (never placed), the journal's fills are exactly the venue's
//! trades, and the journaled position and the account equal the venue's.
//! The same checks under each injected fault, and the protective orders,
//! run in-process in `crates/runtime/tests`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Sim, kill_repeatedly, smc};
use smc_testkit::audit::{
    assert_journal_agrees, assert_journal_has_the_venues_orders, final_reconciliation, journal,
    journal_fills, journal_position, journal_statuses, venue_account, venue_account_as_of,
};
use smc_testkit::sim::{KEY, SECRET, WITHDRAW_KEY, WITHDRAW_SECRET};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// The simulator with the test's two keys (one may withdraw).
fn start_sim(speed: u32) -> Sim {
    Sim::start(
        speed,
        &[
            "--api-key",
            KEY,
            "--api-secret",
            SECRET,
            "--api-key",
            WITHDRAW_KEY,
            "--api-secret",
            WITHDRAW_SECRET,
            "--withdrawal-key",
            WITHDRAW_KEY,
            "--api-key",
            TRANSFER_KEY,
            "--api-secret",
            SECRET,
            "--transfer-key",
            TRANSFER_KEY,
        ],
    )
}

/// A key that may move funds between accounts (but not withdraw).
const TRANSFER_KEY: &str = "TransferKeyForRefusalTests0000000000000000000000000000000000000T";

fn config(dir: &Path, breakers: bool) -> PathBuf {
    let path = dir.join(if breakers {
        "live.yaml"
    } else {
        "nobreakers.yaml"
    });
    let mut text = String::from(
        "backtest:\n  strategy: sma_cross\n  timeframes: [\"1m\"]\n  instrument:\n    venue: binance\n    symbol: BTCUSDT\n    tick_size: 0.1\n    lot_size: 0.001\n    min_qty: 0.001\n    min_notional: 5\nrisk_manager:\n  max_position_size: 1000.0\n  max_daily_loss: 5000.0\n",
    );
    if breakers {
        text.push_str(
            "  circuit_breakers:\n    consecutive_losses:\n      max_losses: 1000\n      cooldown_minutes: 1\n",
        );
    }
    std::fs::write(&path, text).unwrap();
    path
}

fn live(sim: &Sim, config: &Path, db: &Path, key: (&str, &str)) -> Command {
    let mut c = smc();
    c.args([
        "run",
        "--mode",
        "live",
        "--confirm-live",
        "--allow-local-venue",
    ])
    .args(["--venue-url", &sim.addr, "--symbol", "BTCUSDT"])
    .arg("--config")
    .arg(config)
    .arg("--db")
    .arg(db)
    .env("BINANCE_API_KEY", key.0)
    .env("BINANCE_API_SECRET", key.1);
    c
}

/// Kills the session `kills` times at random moments, then runs it for
/// `bars` more candles and checks the journal against the venue.
fn trade_and_check(market: &str, kills: usize, bars: u32, seed: u64) {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), true);
    let db = dir.path().join("live.db");
    let sim = start_sim(80);
    let session = || {
        let mut c = live(&sim, &cfg, &db, (KEY, SECRET));
        c.args(["--market", market]);
        c
    };
    kill_repeatedly(session, kills, 200, 500, seed);
    let out = live(&sim, &cfg, &db, (KEY, SECRET))
        .args(["--market", market, "--max-bars", &bars.to_string()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "[{market}] {stderr}");
    let last = final_reconciliation(&out.stdout);
    assert_eq!(last["why"], "stop", "[{market}] {last}");
    assert_eq!(
        last["result"]["differences"],
        serde_json::json!([]),
        "[{market}] the session's account differs from the venue's: {last}"
    );
    // The venue as the stopped session last saw it (a stop it left
    // resting may fill after it stopped, as it should).
    let as_of = last["time"].as_i64().unwrap();
    let venue = venue_account_as_of(&sim.addr, market, "BTCUSDT", "BTC", as_of);
    let store = journal(&db);
    // The session traded, and the venue filled some of it.
    assert!(venue.orders.len() >= 3, "[{market}] {:?}", venue.orders);
    assert!(venue.trades.len() >= 2, "[{market}] {:?}", venue.trades);
    assert_journal_agrees(&store, &venue, "BTCUSDT", market);
    // The candles fetched to fill the gaps the kills left opened nothing:
    // no buy (sma_cross is long-only on spot, so a buy adds risk) was
    // decided on one. Ids are `<prefix><strategy>-<decision time>-<seq>`
    // (time in base 36), and a candle's decisions are made at its close.
    let history_closes: BTreeSet<smc_model::Timestamp> = store
        .logged_candles()
        .unwrap()
        .iter()
        .filter(|c| c.receipt.history)
        .map(|c| c.candle.open_time + 60_000)
        .collect();
    assert!(
        !history_closes.is_empty(),
        "the restarts fetched no candle to fill a gap"
    );
    for o in &store.orders().unwrap() {
        let id = o.request.client_id.to_string();
        let time = id.split('-').nth(1).unwrap();
        let decided = smc_model::Timestamp::from_ms(i64::from_str_radix(time, 36).unwrap());
        assert!(
            market != "spot"
                || o.request.side == smc_model::Side::Sell
                || !history_closes.contains(&decided),
            "[{market}] {id} bought on a candle fetched to fill a gap"
        );
    }
}

#[test]
fn live_usdm_survives_kills_with_nothing_lost_or_duplicated() {
    // The same checks on USD-M perpetuals: the position is the venue's
    // positionRisk, the cash its wallet balance.
    trade_and_check("usdm", 8, 80, 0x51f1_5eed_d00d_f00d);
}

#[test]
fn live_survives_twenty_kills_with_nothing_lost_or_duplicated() {
    let started = Instant::now();
    trade_and_check("spot", 20, 60, 0x9e37_79b9_7f4a_7c15);
    eprintln!("twenty kills: {:?}", started.elapsed());
}

#[test]
fn live_mode_refuses_without_confirmation_limits_breakers_a_safe_key_or_a_binance_host() {
    let dir = tempfile::tempdir().unwrap();
    let sim = start_sim(1);
    let db = dir.path().join("refused.db");
    let run = |mut c: Command| {
        let out = c.output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    let with_breakers = config(dir.path(), true);
    let no_confirm = {
        let mut c = smc();
        c.args(["run", "--mode", "live", "--venue-url", &sim.addr])
            .arg("--config")
            .arg(&with_breakers)
            .env("BINANCE_API_KEY", KEY)
            .env("BINANCE_API_SECRET", SECRET);
        c
    };
    assert!(run(no_confirm).contains("--confirm-live"));
    let no_breakers = config(dir.path(), false);
    assert!(run(live(&sim, &no_breakers, &db, (KEY, SECRET))).contains("circuit breaker"));
    let mut no_config = smc();
    no_config
        .args([
            "run",
            "--mode",
            "live",
            "--confirm-live",
            "--venue-url",
            &sim.addr,
        ])
        .env("BINANCE_API_KEY", KEY)
        .env("BINANCE_API_SECRET", SECRET);
    assert!(run(no_config).contains("risk limits"));
    let withdrawal = run(live(
        &sim,
        &with_breakers,
        &db,
        (WITHDRAW_KEY, WITHDRAW_SECRET),
    ));
    assert!(withdrawal.contains("may withdraw"), "{withdrawal}");
    let transfer = run(live(&sim, &with_breakers, &db, (TRANSFER_KEY, SECRET)));
    assert!(transfer.contains("may transfer funds"), "{transfer}");
    let empty = run(live(&sim, &with_breakers, &db, ("", "")));
    assert!(empty.contains("is empty"), "{empty}");
    // A loopback server without --allow-local-venue: keys go only to Binance.
    let mut local = smc();
    local
        .args(["run", "--mode", "live", "--confirm-live"])
        .args(["--venue-url", &sim.addr, "--symbol", "BTCUSDT", "--config"])
        .arg(&with_breakers)
        .env("BINANCE_API_KEY", KEY)
        .env("BINANCE_API_SECRET", SECRET);
    let local = run(local);
    assert!(local.contains("--allow-local-venue"), "{local}");
    let mut remote = smc();
    remote
        .args([
            "run",
            "--mode",
            "live",
            "--confirm-live",
            "--allow-local-venue",
        ])
        .args([
            "--venue-url",
            "https://api.binance.com.example.org",
            "--config",
        ])
        .arg(&with_breakers)
        .env("BINANCE_API_KEY", KEY)
        .env("BINANCE_API_SECRET", SECRET);
    let remote = run(remote);
    assert!(remote.contains("Binance's own host"), "{remote}");
    // Nothing was sent by any refused start.
    assert!(
        venue_account(&sim.addr, "spot", "BTCUSDT", "BTC")
            .orders
            .is_empty()
    );
}

#[test]
fn live_trades_two_symbols_from_one_account_across_kills() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), true);
    let db = dir.path().join("two.db");
    // A second market: Bybit's BTCUSDT minutes, listed as ETHUSDT.
    let sim = Sim::start(
        80,
        &[
            "--api-key",
            KEY,
            "--api-secret",
            SECRET,
            "--market",
            "testdata/market/bybit-spot/BTCUSDT-1m.csv",
            "--symbol",
            "ETHUSDT",
        ],
    );
    let two = || {
        let mut c = live(&sim, &cfg, &db, (KEY, SECRET));
        c.args(["--symbol", "ETHUSDT"]); // with live()'s BTCUSDT
        c
    };
    kill_repeatedly(two, 5, 300, 500, 0x7777_1234_abcd_0001);
    let out = two().args(["--max-bars", "120"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("live: BTCUSDT, ETHUSDT 1m"), "{stderr}");
    let last = final_reconciliation(&out.stdout);
    // Both base balances and the shared USDT balance agree with the venue.
    assert_eq!(
        last["result"]["differences"],
        serde_json::json!([]),
        "{last}"
    );
    let store = journal(&db);
    let statuses = journal_statuses(&store);
    for (symbol, base) in [("BTCUSDT", "BTC"), ("ETHUSDT", "ETH")] {
        let venue = venue_account(&sim.addr, "spot", symbol, base);
        assert!(venue.orders.len() >= 2, "{symbol}: {:?}", venue.orders);
        assert_journal_has_the_venues_orders(&statuses, &venue, symbol);
        assert_eq!(
            journal_fills(&store, symbol),
            venue.trades,
            "{symbol}: journal fills vs venue trades"
        );
        let position = journal_position(&store, symbol);
        assert_eq!(position, venue.held, "{symbol}: position vs {base} balance");
    }
}
