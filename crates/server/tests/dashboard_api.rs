//! What the dashboard reads: `GET /system` (build, memory, each session's
//! streams and candle-to-order times, API latency, WebSocket clients) and
//! its snapshots on the `system` topic; a backtest job's sampled equity
//! curve; `GET /risk`'s exposure per venue and group and its VaR.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Server, start_with, wait_for};
use futures_util::{SinkExt, StreamExt};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use smc_testkit::sim::TestSim;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

const SMA_CROSS: &str = "backtest:\n  strategy: sma_cross\n  timeframes: [\"1m\"]\n  instrument:\n    venue: binance\n    symbol: BTCUSDT\n    tick_size: 0.1\n    lot_size: 0.001\n    min_qty: 0.001\n    min_notional: 5\n";

fn session<'a>(list: &'a Value, id: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id || s["session"] == id)
        .unwrap_or_else(|| panic!("no session {id} in {list}"))
}

fn dec(v: &Value) -> Decimal {
    v.as_str()
        .unwrap_or_else(|| panic!("{v} is not a decimal string"))
        .parse()
        .unwrap()
}

#[test]
fn system_shows_the_process_its_sessions_and_streams_snapshots() {
    let sim = TestSim::btcusdt(100.0, "");
    let s = start_with(
        &format!(
            "{SMA_CROSS}risk_manager:\n  max_position_size: 1000.0\n  max_daily_loss: 5000.0\n"
        ),
        "",
    );
    let admin = s.admin_token();
    let viewer = s.user_token(&admin, "watcher", "viewer");

    // Before any session ran: the default one is ready, with no streams.
    let r = s.get("/api/v1/system", &viewer);
    assert_eq!(r.status(), 200);
    let sys: Value = r.json().unwrap();
    assert_eq!(sys["version"], env!("CARGO_PKG_VERSION"));
    assert!(sys["uptime_seconds"].as_i64().unwrap() >= 0);
    if cfg!(target_os = "linux") {
        assert!(
            sys["memory_rss_bytes"].as_u64().unwrap() > 1_000_000,
            "{sys}"
        );
    }
    if let Some(git) = sys.get("git") {
        assert!(git["commit"].as_str().unwrap().len() >= 7, "{git}");
    }
    let default = session(&sys["sessions"], "default");
    assert_eq!(default["state"], "ready");
    assert_eq!(default["mode"], "paper");
    assert!(default["market_stream"].is_null() && default["candle_to_order_us"].is_null());
    assert_eq!(sys["ws_clients"], 0);
    // Every request so far (logins, user creation) was timed.
    let latency = &sys["api_latency_ms"];
    assert!(latency["count"].as_u64().unwrap() >= 3, "{latency}");
    let (p50, p95, p99) = (
        latency["p50"].as_f64().unwrap(),
        latency["p95"].as_f64().unwrap(),
        latency["p99"].as_f64().unwrap(),
    );
    assert!(0.0 < p50 && p50 <= p95 && p95 <= p99, "{latency}");
    let before = latency["count"].as_u64().unwrap();
    for _ in 0..5 {
        assert_eq!(s.get("/api/v1/status", &viewer).status(), 200);
    }
    let sys: Value = s.get("/api/v1/system", &viewer).json().unwrap();
    assert!(sys["api_latency_ms"]["count"].as_u64().unwrap() >= before + 6);

    // A WebSocket client on the system topic gets snapshots unasked.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let ws_url = format!("{}/api/v1/ws?token={viewer}", s.base.replace("http", "ws"));
    let (mut ws, _) = runtime
        .block_on(tokio_tungstenite::connect_async(ws_url))
        .unwrap();
    runtime
        .block_on(ws.send(Message::text(r#"{"op":"subscribe","topics":["system"]}"#)))
        .unwrap();
    runtime.block_on(ws.next()).unwrap().unwrap();
    let id = s.start_paper(&admin, &sim.addr);
    let mut snapshots = Vec::new();
    let mut session_events = 0;
    runtime.block_on(async {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while snapshots.len() < 2 {
            let msg = tokio::time::timeout_at(deadline, ws.next())
                .await
                .expect("no system snapshot within 20 s")
                .unwrap()
                .unwrap();
            let v: Value = serde_json::from_str(msg.to_text().unwrap()).unwrap();
            assert_eq!(v["topic"], "system");
            if v["data"]["type"] == "snapshot" {
                snapshots.push((Instant::now(), v["data"].clone()));
            } else {
                // The session's own events still travel on the topic.
                assert_eq!(v["data"]["session"], id.as_str(), "{v}");
                session_events += 1;
            }
        }
    });
    assert!(
        session_events >= 1,
        "the session's start on the system topic"
    );
    let gap = snapshots[1].0 - snapshots[0].0;
    assert!(
        gap > Duration::from_millis(1_500) && gap < Duration::from_millis(3_500),
        "{gap:?}"
    );
    let snap = &snapshots[1].1;
    assert_eq!(snap["ws_clients"], 1, "{snap}");
    assert!(snap.get("version").is_none() && snap["time"].is_i64());
    assert!(snap["api_latency_ms"]["count"].as_u64().unwrap() > 0);
    session(&snap["sessions"], &id);

    // The running session: its market stream, candles and latency.
    let mut running = Value::Null;
    wait_for(
        "a candle that sent an order",
        Duration::from_secs(60),
        || {
            let sys: Value = s.get("/api/v1/system", &viewer).json().unwrap();
            running = session(&sys["sessions"], &id).clone();
            running["candle_to_order_us"].is_object()
        },
    );
    assert_eq!(running["mode"], "paper");
    assert!(running["last_candle_time"].as_i64().unwrap() > 1_500_000_000_000);
    assert_eq!(running["reconnects"], 0);
    assert!(running["user_stream"].is_null(), "paper has no user stream");
    assert!(running["market_stream"] == "connected" || running["state"] != "running");
    let q = &running["candle_to_order_us"];
    assert!(q["count"].as_u64().unwrap() >= 1);
    assert!(
        q["p50"].as_u64().unwrap() <= q["p99"].as_u64().unwrap(),
        "{q}"
    );
    let stopped = s
        .request("DELETE", &format!("/api/v1/sessions/{id}"))
        .bearer_auth(&admin)
        .send()
        .unwrap();
    assert!(stopped.status() == 204 || stopped.status() == 409);
    drop(ws);
    wait_for("the client to leave", Duration::from_secs(10), || {
        let sys: Value = s.get("/api/v1/system", &viewer).json().unwrap();
        sys["ws_clients"] == 0
    });
}

fn run_backtest(s: &Server, token: &str) -> Value {
    let r = s.post(
        "/api/v1/backtests",
        token,
        json!({"input": "binance-usdm/BTCUSDT-1m.csv", "strategy": "sma_cross", "cash": "10000"}),
    );
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut job = Value::Null;
    wait_for("the backtest", Duration::from_secs(120), || {
        job = s
            .get(&format!("/api/v1/backtests/{id}"), token)
            .json()
            .unwrap();
        if job["state"] == "queued" || job["state"] == "running" {
            assert!(job.get("equity").is_none(), "no curve before the end");
        }
        job["state"] == "done" || job["state"] == "failed"
    });
    assert_eq!(job["state"], "done", "{job}");
    job
}

#[test]
fn a_backtest_job_carries_its_equity_curve_sampled_from_the_real_series() {
    let s = start_with("", "");
    let token = s.admin_token();
    let job = run_backtest(&s, &token);
    let equity = job["equity"].as_array().unwrap();

    // The same run, directly: its per-bar equity curve.
    let config = smc_config::load(&s.dir.path().join("config.yaml")).unwrap();
    let request = smc_runtime::backtest::BacktestRequest {
        settings: Some(config),
        input: Some(smc_testkit::root().join("testdata/market/binance-usdm/BTCUSDT-1m.csv")),
        strategy: Some(smc_runtime::StrategyName::SmaCross),
        venue: smc_runtime::backtest::VenueFlags {
            cash: Some(10_000.into()),
            ..Default::default()
        },
        ..Default::default()
    };
    let direct = request.run(&mut |_| {}).unwrap();
    let curve: std::collections::BTreeMap<i64, Decimal> = direct
        .report
        .equity_curve
        .iter()
        .map(|p| (p.time.ms(), p.equity))
        .collect();
    assert!(curve.len() > 5_000, "the curve needs sampling");
    // Each stretch of ~6 bars gives its low and high (one point when flat).
    assert!(
        equity.len() <= 2_000 && equity.len() >= 960,
        "{}",
        equity.len()
    );
    let mut last_time = i64::MIN;
    for point in equity {
        let time = point["time"].as_i64().unwrap();
        assert!(time > last_time, "in time order");
        last_time = time;
        assert_eq!(curve.get(&time), Some(&dec(&point["equity"])), "{point}");
    }
    let (first, last) = (
        curve.first_key_value().unwrap(),
        curve.last_key_value().unwrap(),
    );
    assert_eq!(equity[0]["time"], *first.0);
    assert_eq!(equity.last().unwrap()["time"], *last.0);
    assert_eq!(dec(&equity.last().unwrap()["equity"]), *last.1);
    assert_eq!(dec(&job["result"]["final_equity"]), *last.1);
    // The curve's lowest and highest points survive the sampling.
    let values: Vec<Decimal> = equity.iter().map(|p| dec(&p["equity"])).collect();
    let (lo, hi) = (curve.values().min().unwrap(), curve.values().max().unwrap());
    assert!(values.contains(lo) && values.contains(hi), "{lo} {hi}");
    // The result itself is the CLI's, untouched.
    assert_eq!(
        job["result"]["trades"],
        direct.results_json()["trades"],
        "the result is unchanged"
    );
}

#[test]
fn risk_shows_exposure_by_venue_and_group_and_the_var() {
    let sim = TestSim::btcusdt(40.0, "");
    let s = start_with(
        &format!(
            "{SMA_CROSS}risk_manager:\n  max_position_size: 1000.0\n  max_daily_loss: 5000.0\n  \
             correlated_groups: [[BTCUSDT, ETHUSDT]]\n  max_portfolio_var_percent: 90\n  \
             var_confidence: 0.95\n  var_window: 50\n"
        ),
        "",
    );
    let admin = s.admin_token();
    let viewer = s.user_token(&admin, "watcher", "viewer");
    let id = s.start_paper(&admin, &sim.addr);
    let mut entry = Value::Null;
    wait_for(
        "an open position with a VaR",
        Duration::from_secs(90),
        || {
            let risk: Value = s.get("/api/v1/risk", &viewer).json().unwrap();
            entry = session(&risk["sessions"], &id).clone();
            !entry["var"].is_null() && !entry["exposure"].as_array().unwrap().is_empty()
        },
    );
    // The fields that were there before are still there.
    for key in ["session", "breakers", "risk_refusals", "exposure", "equity"] {
        assert!(entry.get(key).is_some(), "{key} in {entry}");
    }
    let venues = entry["exposure_by_venue"].as_array().unwrap();
    assert_eq!(venues.len(), 1, "{entry}");
    assert_eq!(venues[0]["venue"], "binance");
    let notional = dec(&venues[0]["notional"]);
    assert!(notional > Decimal::ZERO);
    let equity = dec(&entry["equity"]);
    let percent = dec(&venues[0]["percent_of_equity"]);
    assert!(
        (percent - notional * Decimal::ONE_HUNDRED / equity).abs() < Decimal::new(1, 4),
        "{entry}"
    );
    let groups = entry["exposure_by_group"].as_array().unwrap();
    assert_eq!(groups.len(), 1, "{entry}");
    assert_eq!(groups[0]["group"], "BTCUSDT,ETHUSDT");
    assert_eq!(groups[0]["kind"], "correlated");
    assert_eq!(groups[0]["symbols"], json!(["BTCUSDT"]));
    assert_eq!(dec(&groups[0]["notional"]), notional);
    let var = &entry["var"];
    assert_eq!(var["confidence"], "0.95");
    let (value, var_percent) = (dec(&var["value"]), dec(&var["percent"]));
    assert!(
        value > Decimal::ZERO && var_percent > Decimal::ZERO,
        "{var}"
    );
    assert!(
        (value - equity * var_percent / Decimal::ONE_HUNDRED).abs() < Decimal::new(1, 2),
        "{var}"
    );
    // One bar's VaR is a small part of the position it is measured on.
    assert!(value < notional, "{var} vs {notional}");

    // Without a VaR limit the gate measures none: null. Groups fall back
    // to the base asset.
    let r = s
        .request("PUT", "/api/v1/config/risk")
        .bearer_auth(&admin)
        .json(&json!({"max_position_size": 1000, "max_daily_loss": 5000}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let risk: Value = s.get("/api/v1/risk", &viewer).json().unwrap();
    let entry = session(&risk["sessions"], &id);
    assert!(entry["var"].is_null(), "{entry}");
    for g in entry["exposure_by_group"].as_array().unwrap() {
        assert_eq!(g["kind"], "base_asset");
        assert_eq!(g["group"], "BTC");
    }
}
