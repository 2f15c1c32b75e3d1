//! A session `smc serve` hosts publishes its events to NATS JetStream when
//! the config's `streaming.nats_url` is set, under the hosted session's id,
//! and drains its buffer by itself when the session ends (a throwaway
//! nats-server; skipped outside CI when it is missing).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{start_with, wait_for};
use serde_json::{Value, json};
use smc_stream::{Record, Start};
use smc_testkit::nats::Server as Nats;
use smc_testkit::sim::TestSim;
use std::time::Duration;

const SMA_CROSS: &str = "backtest:\n  strategy: sma_cross\n  timeframes: [\"1m\"]\n  instrument:\n    venue: binance\n    symbol: BTCUSDT\n    tick_size: 0.1\n    lot_size: 0.001\n    min_qty: 0.001\n    min_notional: 5\nrisk_manager:\n  max_position_size: 1000.0\n  max_daily_loss: 5000.0\n";

fn read(url: &str, filter: &str) -> Vec<Record> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let js = smc_stream::connect::jetstream(smc_stream::connect::connect(url).await.unwrap());
        if js.get_stream("SMC_EVENTS").await.is_err() {
            return Vec::new();
        }
        let mut reader = smc_stream::subscribe(&js, "SMC_EVENTS", filter, Start::All, false)
            .await
            .unwrap();
        let mut out = Vec::new();
        while let Some(r) = reader.next().await {
            out.push(r.unwrap());
        }
        out
    })
}

#[test]
fn a_hosted_session_publishes_under_its_id_and_drains_when_it_ends() {
    let Some(nats) = Nats::start() else {
        return;
    };
    let url = nats.url();
    let sim = TestSim::btcusdt(200.0, "");
    let s = start_with(&format!("{SMA_CROSS}streaming:\n  nats_url: {url}\n"), "");
    let token = s.admin_token();
    let body = json!({"mode": "paper", "strategy": "sma_cross", "symbols": ["BTCUSDT"],
                      "timeframes": ["1m"], "venue_urls": {"binance": sim.addr}, "max_bars": 120});
    let r = s.post("/api/v1/sessions", &token, body);
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    wait_for("the session to stop", Duration::from_secs(60), || {
        let list: Value = s.get("/api/v1/sessions", &token).json().unwrap();
        list.as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == id.as_str() && x["state"] == "stopped")
    });
    let prefix = smc_stream::subject::token(&id);
    let mut all = Vec::new();
    wait_for(
        "the stopped event on the stream",
        Duration::from_secs(15),
        || {
            all = read(&url, &format!("smc.{prefix}.>"));
            all.last()
                .is_some_and(|r| r.envelope["event"]["type"] == "stopped")
        },
    );
    let candles = all
        .iter()
        .filter(|r| r.subject == format!("smc.{prefix}.candle.binance.BTCUSDT"))
        .count();
    assert_eq!(candles, 120);
    assert!(
        all.iter().any(|r| r.envelope["kind"] == "fill"),
        "no fill streamed"
    );
    let ns: Vec<u64> = all
        .iter()
        .map(|r| r.envelope["n"].as_u64().unwrap())
        .collect();
    assert_eq!(
        ns,
        (1..=all.len() as u64).collect::<Vec<_>>(),
        "nothing dropped"
    );
    assert!(all.iter().all(|r| r.envelope["session"] == id.as_str()));
}
