//! `smc events tail` shows a live paper session's events from NATS: `smc
//! venue-sim` and `smc run --mode paper` with `NATS_URL` set publish to a
//! throwaway nats-server (skipped outside CI when it is missing); after the
//! session, the tail of `smc.*.candle.>` holds the candles it journaled and
//! the tail of `smc.*.fill.>` the fills it printed, and every JSON line it
//! printed is on the stream, in order.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Sim, smc};
use serde_json::Value;
use smc_testkit::nats::Server;
use std::path::Path;

fn config(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("paper.yaml");
    std::fs::write(
        &path,
        "backtest:\n  strategy: sma_cross\n  timeframes: [\"1m\"]\n  instrument:\n    venue: binance\n    symbol: BTCUSDT\n    tick_size: 0.1\n    lot_size: 0.001\n    min_qty: 0.001\n    min_notional: 5\n",
    )
    .unwrap();
    path
}

fn lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// `smc events tail --nats URL ARGS…`: its lines.
fn tail(url: &str, args: &[&str]) -> Vec<Value> {
    let out = smc()
        .args(["events", "tail", "--nats", url])
        .args(args)
        .env_remove("NATS_URL")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    lines(&out.stdout)
}

#[test]
fn a_live_paper_sessions_events_are_seen_by_events_tail() {
    let Some(server) = Server::start() else {
        return;
    };
    let url = server.url();
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path());
    let db = dir.path().join("paper.db");
    let sim = Sim::start(200, &[]);
    let out = smc()
        .args(["run", "--mode", "paper", "--venue-url", &sim.addr])
        .args(["--symbol", "BTCUSDT", "--max-bars", "150"])
        .arg("--config")
        .arg(&cfg)
        .arg("--db")
        .arg(&db)
        .env("NATS_URL", &url)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("event stream: publishing smc.paper-binance-"),
        "{stderr}"
    );
    assert!(
        stderr.contains("0 dropped (buffer full), 0 not published"),
        "{stderr}"
    );
    let printed = lines(&out.stdout);

    // Every candle the session journaled, in order, on candle subjects.
    let candles = tail(&url, &["--subject", "smc.*.candle.>"]);
    let store = smc_store::Store::open_existing(&format!("sqlite://{}", db.display())).unwrap();
    let journaled: Vec<Value> = store
        .logged_candles()
        .unwrap()
        .into_iter()
        .map(|c| serde_json::to_value(c.candle).unwrap())
        .collect();
    assert_eq!(journaled.len(), 150);
    let streamed: Vec<Value> = candles
        .iter()
        .map(|l| l["event"]["event"]["candle"].clone())
        .collect();
    assert_eq!(streamed, journaled);
    let session = candles[0]["event"]["session"].as_str().unwrap().to_string();
    assert!(session.starts_with("paper-binance-"), "{session}");
    for l in &candles {
        assert_eq!(
            l["subject"],
            format!("smc.{session}.candle.binance.BTCUSDT")
        );
        assert_eq!(l["event"]["schema"], 1);
        assert!(l["time"].as_str().unwrap().ends_with('Z'));
    }
    assert!(
        candles
            .windows(2)
            .all(|w| w[0]["seq"].as_u64() < w[1]["seq"].as_u64())
    );

    // The fills it printed, the same.
    let fills = tail(&url, &["--subject", "smc.*.fill.>"]);
    let printed_fills: Vec<&Value> = printed.iter().filter(|e| e["type"] == "fill").collect();
    assert!(!printed_fills.is_empty(), "the session filled nothing");
    let streamed_fills: Vec<&Value> = fills.iter().map(|l| &l["event"]["event"]).collect();
    assert_eq!(streamed_fills, printed_fills);

    // Everything it printed is on the stream, in the printed order.
    let all = tail(&url, &["--subject", &format!("smc.{session}.>")]);
    let kinds_printed = ["order", "fill", "position", "risk", "breaker", "detection"];
    let on_stream: Vec<&Value> = all
        .iter()
        .filter(|l| kinds_printed.contains(&l["event"]["kind"].as_str().unwrap()))
        .map(|l| &l["event"]["event"])
        .collect();
    let printed_engine: Vec<&Value> = printed
        .iter()
        .filter(|e| e["type"] != "reconciled")
        .collect();
    assert_eq!(on_stream, printed_engine);
    let ns: Vec<u64> = all
        .iter()
        .map(|l| l["event"]["n"].as_u64().unwrap())
        .collect();
    assert_eq!(
        ns,
        (1..=all.len() as u64).collect::<Vec<_>>(),
        "nothing lost"
    );
    assert_eq!(all.last().unwrap()["event"]["event"]["type"], "stopped");

    // Where reading starts, and how much.
    let some = tail(
        &url,
        &["--subject", "smc.>", "--from-seq", "3", "--limit", "2"],
    );
    let seqs: Vec<u64> = some.iter().map(|l| l["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, [3, 4]);
    let since = all[10]["time"].as_str().unwrap();
    let later = tail(&url, &["--subject", "smc.>", "--since", since]);
    assert!(later.len() >= all.len() - 10);
    assert!(later.len() < all.len());
    assert!(later[0]["seq"].as_u64() <= all[10]["seq"].as_u64());
}

#[test]
fn tail_names_what_is_missing() {
    let out = smc()
        .args(["events", "tail", "--subject", "smc.>"])
        .env_remove("NATS_URL")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no NATS server"), "{stderr}");
    let out = smc()
        .args([
            "events",
            "tail",
            "--subject",
            "smc.>",
            "--nats",
            "http://x:1",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--nats"));
    let out = smc()
        .args(["events", "tail", "--subject", "smc.>", "--from-seq", "1"])
        .args(["--since", "1h"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "clap refuses both");
}

#[test]
fn each_session_of_a_portfolio_publishes_under_its_own_id() {
    use smc_testkit::sim::{KEY, TestSim};
    let Some(server) = Server::start() else {
        return;
    };
    let url = server.url();
    let dir = tempfile::tempdir().unwrap();
    let binance = TestSim::btcusdt(100.0, "");
    let oanda = TestSim::oanda_eurusd(100.0, "");
    let config = "backtest:\n  strategy: sma_cross\n  timeframes: [\"1m\"]\n";
    std::fs::write(dir.path().join("crypto.yaml"), config).unwrap();
    std::fs::write(dir.path().join("forex.yaml"), config.replace("1m", "1d")).unwrap();
    let file = dir.path().join("portfolio.yaml");
    std::fs::write(
        &file,
        format!(
            "report_currency: USD\nrates: {{ USDT: 1.0 }}\nsessions:\n  - name: crypto\n    venue: binance\n    symbols: [BTCUSDT]\n    config: crypto.yaml\n    timeframe: 1m\n  - name: forex\n    venue: oanda\n    symbols: [EUR_USD]\n    config: forex.yaml\n    timeframe: 1d\n    venue_url: {}\n",
            oanda.addr
        ),
    )
    .unwrap();
    let out = smc()
        .args(["run", "--mode", "paper", "--portfolio"])
        .arg(&file)
        .args(["--venue-url", &format!("binance={}", binance.addr)])
        .args(["--max-bars", "20"])
        .env("OANDA_API_KEY", KEY)
        .env("NATS_URL", &url)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(stderr.matches(", 0 not published").count(), 2, "{stderr}");
    let candles = tail(&url, &["--subject", "smc.*.candle.>"]);
    let mut places: Vec<(String, String)> = candles
        .iter()
        .map(|l| {
            let subject = l["subject"].as_str().unwrap();
            let tokens: Vec<&str> = subject.split('.').collect();
            (
                tokens[1].to_string(),
                format!("{}.{}", tokens[3], tokens[4]),
            )
        })
        .collect();
    places.sort();
    places.dedup();
    assert_eq!(places.len(), 2, "{places:?}");
    assert!(places[0].0.starts_with("paper-binance-"), "{places:?}");
    assert_eq!(places[0].1, "binance.BTCUSDT");
    assert!(places[1].0.starts_with("paper-oanda-"), "{places:?}");
    assert_eq!(places[1].1, "oanda.EUR_USD");
    assert_eq!(candles.len(), 40);
}
