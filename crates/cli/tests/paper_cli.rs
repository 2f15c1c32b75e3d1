//! `smc run --mode paper` against `smc venue-sim` on loopback: the paper
//! session trades the replayed BTCUSDT minutes, is killed with SIGKILL at
//! random moments twenty times and restarted on the same database, and
//! afterwards (1) the candle log has every minute exactly once, (2) no
//! order is lost or duplicated, and (3) its orders and fills are exactly
//! those of `smc backtest` on the same candles. A session on two symbols
//! trades both from one account across a kill. Also: live mode refuses to
//! start without its confirmation and its preconditions.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Sim, kill_repeatedly, smc};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn config(dir: &Path) -> PathBuf {
    let path = dir.join("paper.yaml");
    std::fs::write(
        &path,
        "backtest:\n  strategy: sma_cross\n  timeframes: [\"1m\"]\n  instrument:\n    venue: binance\n    symbol: BTCUSDT\n    tick_size: 0.1\n    lot_size: 0.001\n    min_qty: 0.001\n    min_notional: 5\n",
    )
    .unwrap();
    path
}

fn paper(sim: &Sim, config: &Path, db: &Path) -> Command {
    let mut c = smc();
    c.args([
        "run",
        "--mode",
        "paper",
        "--venue-url",
        &sim.addr,
        "--symbol",
        "BTCUSDT",
    ])
    .arg("--config")
    .arg(config)
    .arg("--db")
    .arg(db);
    c
}

fn rows(db: &Path, sql: &str) -> Vec<Vec<String>> {
    // The store's own reader would do; sqlite3's CLI may be missing, so use the store.
    let store = smc_store::Store::open_existing(&format!("sqlite://{}", db.display())).unwrap();
    match sql {
        "candles" => store
            .logged_candles()
            .unwrap()
            .into_iter()
            .map(|c| {
                vec![
                    c.candle.open_time.to_string(),
                    serde_json::to_string(&c.candle).unwrap(),
                ]
            })
            .collect(),
        "orders" => store
            .orders()
            .unwrap()
            .into_iter()
            .map(|o| {
                let r = &o.request;
                vec![
                    r.client_id.to_string(),
                    format!("{:?}", r.side),
                    r.qty.to_string(),
                    // As a JSON value, keys sorted like the results' own.
                    serde_json::to_value(r.kind).unwrap().to_string(),
                ]
            })
            .collect(),
        _ => store
            .fills()
            .unwrap()
            .into_iter()
            .map(|f| {
                vec![
                    f.client_id.to_string(),
                    f.time.to_string(),
                    f.price.to_string(),
                    f.qty.to_string(),
                ]
            })
            .collect(),
    }
}

#[test]
fn paper_survives_twenty_kills_and_trades_exactly_like_the_backtest() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path());
    let db = dir.path().join("paper.db");
    let sim = Sim::start(40, &[]);
    kill_repeatedly(
        || paper(&sim, &cfg, &db),
        20,
        150,
        450,
        0x9e37_79b9_7f4a_7c15,
    );
    let out = paper(&sim, &cfg, &db)
        .args(["--max-bars", "40"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // (1) Every minute from the first to the last, exactly once.
    let candles = rows(&db, "candles");
    assert!(candles.len() > 200, "{} candles", candles.len());
    let times: Vec<i64> = candles.iter().map(|r| r[0].parse().unwrap()).collect();
    assert!(
        times.windows(2).all(|w| w[1] - w[0] == 60_000),
        "gap or duplicate in {times:?}"
    );

    // (3) The backtest of the same candles.
    let csv = dir.path().join("logged.csv");
    let mut text = String::from("timestamp,open,high,low,close,volume\n");
    for r in &candles {
        let c: serde_json::Value = serde_json::from_str(&r[1]).unwrap();
        text.push_str(&format!(
            "{},{},{},{},{},{}\n",
            c["open_time"],
            c["open"].as_str().unwrap(),
            c["high"].as_str().unwrap(),
            c["low"].as_str().unwrap(),
            c["close"].as_str().unwrap(),
            c["volume"].as_str().unwrap()
        ));
    }
    std::fs::write(&csv, text).unwrap();
    let json = dir.path().join("backtest.json");
    let bt = smc()
        .args(["backtest", "--config"])
        .arg(&cfg)
        .arg("--input")
        .arg(&csv)
        .arg("--json")
        .arg(&json)
        .output()
        .unwrap();
    assert!(
        bt.status.success(),
        "{}",
        String::from_utf8_lossy(&bt.stderr)
    );
    let results: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let expected: Vec<Vec<String>> = results["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let side = if o["side"] == "buy" { "Buy" } else { "Sell" };
            vec![
                o["client_id"].as_str().unwrap().to_string(),
                side.to_string(),
                o["qty"].as_str().unwrap().to_string(),
                o["kind"].to_string(),
            ]
        })
        .collect();
    // (2) No order lost or duplicated: the journal holds each order once,
    // and exactly the backtest's.
    let orders = rows(&db, "orders");
    assert!(orders.len() >= 2, "the session traded: {orders:?}");
    assert_eq!(orders, expected);
    let fills = rows(&db, "fills");
    let trades = results["trades"].as_array().unwrap();
    let mut expected_fills: Vec<(String, String)> = Vec::new();
    for t in trades {
        expected_fills.push((
            t["entry_time"].to_string(),
            t["entry_price"].as_str().unwrap().to_string(),
        ));
        if !t["exit_time"].is_null() {
            expected_fills.push((
                t["exit_time"].to_string(),
                t["exit_price"].as_str().unwrap().to_string(),
            ));
        }
    }
    let got: Vec<(String, String)> = fills.iter().map(|f| (f[1].clone(), f[2].clone())).collect();
    assert_eq!(got, expected_fills);
}

#[test]
fn paper_trades_several_symbols_in_one_account_across_a_kill() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path());
    let db = dir.path().join("two.db");
    // A second market: Bybit's BTCUSDT minutes, listed as ETHUSDT.
    // 100 minutes a second: the smc strategy's first entries come after
    // about 400 and 480 minutes of these series.
    let sim = Sim::start(
        100,
        &[
            "--market",
            "testdata/market/bybit-spot/BTCUSDT-1m.csv",
            "--symbol",
            "ETHUSDT",
        ],
    );
    let two = |c: &mut Command| {
        c.args([
            "--symbol",
            "btcusdt,ETHUSDT",
            "--strategy",
            "smc",
            "--bias",
            "5m",
        ]);
    };
    let mut first = paper(&sim, &cfg, &db);
    two(&mut first);
    let mut child = first
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(2_500));
    child.kill().unwrap();
    child.wait().unwrap();
    let mut second = paper(&sim, &cfg, &db);
    two(&mut second);
    let out = second.args(["--max-bars", "800"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("paper: BTCUSDT, ETHUSDT 1m"), "{stderr}");

    // Each symbol's minutes, every one exactly once, across the kill.
    let store = smc_store::Store::open_existing(&format!("sqlite://{}", db.display())).unwrap();
    let logged = store.logged_candles().unwrap();
    for symbol in ["binance:BTCUSDT", "binance:ETHUSDT"] {
        let times: Vec<smc_model::Timestamp> = logged
            .iter()
            .filter(|c| c.instrument.to_string() == symbol)
            .map(|c| c.candle.open_time)
            .collect();
        assert!(times.len() > 500, "{symbol}: {} candles", times.len());
        assert!(
            times.windows(2).all(|w| w[1] - w[0] == 60_000),
            "{symbol}: gap or duplicate"
        );
    }
    // One account trades both, each order journaled once.
    let orders = store.orders().unwrap();
    for symbol in ["binance:BTCUSDT", "binance:ETHUSDT"] {
        assert!(
            orders
                .iter()
                .any(|o| o.request.instrument.to_string() == symbol),
            "no order on {symbol}: {orders:?}"
        );
    }
    let mut ids: Vec<String> = orders
        .iter()
        .map(|o| o.request.client_id.to_string())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), orders.len());
    // A database of another session is refused.
    let refused = smc()
        .args(["run", "--mode", "paper", "--venue-url", &sim.addr])
        .args(["--symbol", "ETHUSDT", "--max-bars", "1", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("belongs to another session"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}

#[test]
fn live_mode_refuses_without_its_confirmation_and_preconditions() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = smc()
            .args(["run", "--mode", "live"])
            .args(args)
            .env_remove("BINANCE_API_KEY")
            .env_remove("BINANCE_API_SECRET")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    assert!(run(&[]).contains("--confirm-live"));
    assert!(run(&["--confirm-live"]).contains("needs a config with risk limits"));
    let cfg = config(dir.path());
    assert!(
        run(&["--confirm-live", "--config", cfg.to_str().unwrap()]).contains("circuit breaker")
    );
    let _ = Instant::now();
}
