//! Hosting: a paper session started through the API against the venue
//! simulator streams its events to a WebSocket subscriber and shows its
//! orders, fills and equity through the REST reads; a second session on
//! the same symbols is a conflict; a backtest job reports progress and
//! the same result as `smc backtest --json`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{error_code, start_with, wait_for};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use smc_testkit::sim::TestSim;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

const SMA_CROSS: &str = "backtest:\n  strategy: sma_cross\n  timeframes: [\"1m\"]\n  instrument:\n    venue: binance\n    symbol: BTCUSDT\n    tick_size: 0.1\n    lot_size: 0.001\n    min_qty: 0.001\n    min_notional: 5\nrisk_manager:\n  max_position_size: 1000.0\n  max_daily_loss: 5000.0\n";

#[test]
fn a_paper_session_streams_its_events_and_shows_its_state() {
    let sim = TestSim::btcusdt(200.0, "");
    let s = start_with(SMA_CROSS, "");
    let token = s.admin_token();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let ws_url = format!("{}/api/v1/ws?token={token}", s.base.replace("http", "ws"));
    let (mut ws, _) = runtime
        .block_on(tokio_tungstenite::connect_async(ws_url))
        .unwrap();
    runtime
        .block_on(ws.send(Message::text(
            r#"{"op":"subscribe","topics":["orders","fills","system","candles","detections"]}"#,
        )))
        .unwrap();
    let ack = runtime.block_on(ws.next()).unwrap().unwrap();
    assert!(ack.to_text().unwrap().contains("\"fills\""), "{ack:?}");

    let body = json!({"mode": "paper", "strategy": "sma_cross", "symbols": ["BTCUSDT"],
                      "timeframes": ["1m"], "venue_urls": {"binance": sim.addr}, "max_bars": 400});
    let r = s.post("/api/v1/sessions", &token, body.clone());
    assert_eq!(r.status(), 201);
    let session: Value = r.json().unwrap();
    let id = session["id"].as_str().unwrap().to_string();
    assert_eq!(session["state"], "running");
    let r = s.post("/api/v1/sessions", &token, body);
    assert_eq!(r.status(), 409, "a second session on BTCUSDT");

    // The stream: the session's start, then orders and fills.
    let mut topics = std::collections::BTreeSet::new();
    let mut fills = 0;
    runtime.block_on(async {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        while fills < 2 || !topics.contains("candles") || !topics.contains("detections") {
            let msg = tokio::time::timeout_at(deadline, ws.next())
                .await
                .expect("no fills streamed")
                .unwrap()
                .unwrap();
            let v: Value = serde_json::from_str(msg.to_text().unwrap()).unwrap();
            if v["topic"] == "system" && v["data"]["type"] == "snapshot" {
                continue; // the server's own, every 2 s
            }
            assert_eq!(v["data"]["session"], id.as_str());
            let topic = v["topic"].as_str().unwrap().to_string();
            if topic == "fills" {
                fills += 1;
                // The order's setup rides on its fills (the chart's markers).
                assert!(
                    v["data"]["event"]["setup"]
                        .as_str()
                        .is_some_and(|s| s.starts_with("sma_cross")),
                    "{v}"
                );
            }
            topics.insert(topic);
        }
    });
    assert!(
        topics.contains("system") && topics.contains("orders") && topics.contains("candles"),
        "{topics:?}"
    );

    wait_for(
        "the session to stop after max_bars",
        Duration::from_secs(60),
        || {
            let list: Value = s.get("/api/v1/sessions", &token).json().unwrap();
            list.as_array()
                .unwrap()
                .iter()
                .any(|x| x["id"] == id.as_str() && x["state"] == "stopped")
        },
    );
    // Candle-to-order latency reached the metrics from the candle events.
    let metrics = s
        .http
        .get(s.url("/metrics"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let count = metrics
        .lines()
        .find(|l| l.starts_with("smc_candle_to_order_seconds_count") && l.contains(id.as_str()))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|n| n.parse::<f64>().ok());
    assert!(count.is_some_and(|n| n >= 1.0), "{count:?}");
    let trades: Value = s.get("/api/v1/trades", &token).json().unwrap();
    assert!(trades.as_array().unwrap().len() >= 2, "{trades}");
    assert!(
        trades
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["session"] == id.as_str())
    );
    let pnl: Value = s.get("/api/v1/pnl", &token).json().unwrap();
    let mine = pnl
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["session"] == id.as_str())
        .unwrap();
    assert!(mine["equity"].as_str().unwrap().parse::<f64>().unwrap() > 0.0);
    let number = |k: &str| mine[k].as_str().unwrap().parse::<f64>().unwrap();
    assert!(number("peak_equity") >= number("equity"), "{mine}");
    assert!(
        number("drawdown") >= 0.0 && number("drawdown") < 1.0,
        "{mine}"
    );
    let today = number("equity") - number("day_start_equity");
    assert!((number("today_pnl") - today).abs() < 1e-6, "{mine}");
    assert!(
        trades.as_array().unwrap().iter().all(|t| t["setup"]
            .as_str()
            .is_some_and(|s| s.starts_with("sma_cross"))),
        "{trades}"
    );
    let r = s
        .request("DELETE", &format!("/api/v1/sessions/{id}"))
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(r.status(), 409, "already stopped");
    assert_eq!(error_code(r), "conflict");
    assert!(
        s.dir
            .path()
            .join("sessions")
            .join(format!("{id}.sqlite"))
            .exists()
    );

    // Its candles for charts, in its timeframe or resampled, and the
    // SMC detections on them.
    let candles: Value = s
        .get("/api/v1/candles?symbol=BTCUSDT", &token)
        .json()
        .unwrap();
    let candles = candles.as_array().unwrap();
    assert!(
        candles.len() >= 390 && candles.len() <= 400,
        "{}",
        candles.len()
    );
    let five: Value = s
        .get(
            "/api/v1/candles?symbol=BTCUSDT&timeframe=5m&limit=10",
            &token,
        )
        .json()
        .unwrap();
    let five = five.as_array().unwrap();
    assert_eq!(five.len(), 10);
    assert!(
        five.iter()
            .all(|c| c["open_time"].as_i64().unwrap() % 300_000 == 0),
        "{five:?}"
    );
    let events: Value = s
        .get("/api/v1/detections?symbol=BTCUSDT", &token)
        .json()
        .unwrap();
    let events = events.as_array().unwrap();
    assert!(
        events.iter().any(|e| e["kind"] == "swing_high"),
        "{}",
        events.len()
    );
    assert!(events.iter().all(|e| e["known_at"].is_i64()));
    let r = s.get("/api/v1/candles?symbol=BTCUSDT&timeframe=1s", &token);
    assert_eq!(r.status(), 422);
    assert_eq!(
        s.get("/api/v1/candles?symbol=ETHUSDT", &token).status(),
        404
    );
    assert_eq!(
        s.get("/api/v1/candles", &token).status(),
        400,
        "symbol is required"
    );
}

#[test]
fn a_backtest_job_reports_progress_and_the_cli_result() {
    let s = start_with("", "");
    let token = s.admin_token();
    let r = s.post("/api/v1/backtests", &token, json!({
        "input": "binance-usdm/BTCUSDT-1m.csv", "strategy": "sma_cross", "cash": "10000", "fee": "0.001"
    }));
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut job = Value::Null;
    wait_for("the backtest", Duration::from_secs(120), || {
        job = s
            .get(&format!("/api/v1/backtests/{id}"), &token)
            .json()
            .unwrap();
        job["state"] == "done" || job["state"] == "failed"
    });
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(job["progress"], 1.0);
    let api_result = &job["result"];

    // The same backtest as `smc backtest --config … --json` runs it.
    let config = smc_config::load(&s.dir.path().join("config.yaml")).unwrap();
    let request = smc_runtime::backtest::BacktestRequest {
        settings: Some(config),
        input: Some(smc_testkit::root().join("testdata/market/binance-usdm/BTCUSDT-1m.csv")),
        strategy: Some(smc_runtime::StrategyName::SmaCross),
        venue: smc_runtime::backtest::VenueFlags {
            cash: Some(10_000.into()),
            fee: Some("0.001".parse().unwrap()),
            ..Default::default()
        },
        ..Default::default()
    };
    let direct = request.run(&mut |_| {}).unwrap().results_json();
    // Everything exact, but the f64 statistics to the last few bits
    // (VaR's sum may round differently in the last place).
    for (key, value) in direct.as_object().unwrap() {
        if key != "metrics" {
            assert_eq!(api_result.get(key.as_str()), Some(value), "{key}");
        }
    }
    for (key, value) in direct["metrics"].as_object().unwrap() {
        let (a, b) = (
            value.as_f64().unwrap_or(0.0),
            api_result["metrics"][key.as_str()].as_f64().unwrap_or(0.0),
        );
        assert!(
            (a - b).abs() <= 1e-12 * a.abs().max(1.0),
            "metrics.{key}: {a} vs {b}"
        );
    }
    assert_eq!(
        api_result.as_object().unwrap().len(),
        direct.as_object().unwrap().len()
    );
    assert!(api_result["trades"].as_array().unwrap().len() > 10);
    let r = s.get("/api/v1/backtests/nope", &token);
    assert_eq!(r.status(), 404);
}
