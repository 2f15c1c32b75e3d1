//! Optimisation jobs: a small walk-forward search through the API reports
//! progress on the `optimizations` topic and gives the same result as the
//! library run the way `smc optimize --json` runs it; an invalid request
//! is refused with 422 naming the field, before anything is queued; an
//! unknown id is 404.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Server, start};
use serde_json::{Value, json};
use smc_optimize::{Objective, OptimizeConfig, Search, Thresholds, WindowLength, WindowSpec};
use smc_runtime::backtest::{VenueFlags, candles_timeframe, engine_config, load_candles};
use smc_runtime::optimize::{BaseStrategy, Runner, search_trials};
use std::time::{Duration, Instant};

const INPUT: &str = "binance-spot/ETHUSDT-1h.csv";
const SPACE: [&str; 2] = ["fast=5,10", "slow=30,60"];

fn body() -> Value {
    json!({"input": INPUT, "strategy": "sma_cross", "space": SPACE, "folds": 2,
           "objective": "total_return", "cash": "10000", "fee": "0.001"})
}

/// Polls the job until it is done or failed.
fn finished(s: &Server, token: &str, id: &str) -> Value {
    let start = Instant::now();
    loop {
        let job: Value = s
            .get(&format!("/api/v1/optimizations/{id}"), token)
            .json()
            .unwrap();
        if job["state"] == "done" || job["state"] == "failed" {
            return job;
        }
        assert!(start.elapsed() < Duration::from_secs(120), "{job}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The same optimisation straight through the library, as `smc optimize
/// --config … --json` runs it.
fn direct(s: &Server) -> Value {
    let settings = smc_config::load(&s.dir.path().join("config.yaml")).unwrap();
    let input = load_candles(
        smc_testkit::root().join("testdata/market").join(INPUT),
        false,
    )
    .unwrap();
    let base =
        BaseStrategy::new(smc_runtime::StrategyName::SmaCross, Some(&settings), &[]).unwrap();
    let space: Vec<String> = SPACE.iter().map(|p| p.to_string()).collect();
    let trials = search_trials(&base, &space, Search::Grid).unwrap().trials;
    let flags = VenueFlags {
        cash: Some(10_000.into()),
        fee: Some("0.001".parse().unwrap()),
        ..Default::default()
    };
    let runner = Runner {
        candles: &input.candles,
        timeframe: candles_timeframe(&input.candles).unwrap(),
        engine: engine_config(&flags, Some(&settings)),
        settings: Some(&settings),
        base,
        warmup: 200,
    };
    let config = OptimizeConfig {
        objective: Objective::TotalReturn,
        windows: WindowSpec {
            length: WindowLength::Folds(2),
            anchored: false,
        },
        thresholds: Thresholds::default(),
        pbo_blocks: 16,
    };
    let report = runner.optimize(&trials, &config, &|| {}).unwrap();
    runner.report_json(&report, &trials, Search::Grid).unwrap()
}

/// `a` equals `b`, numbers to a relative 1e-12.
fn assert_close(a: &Value, b: &Value, at: &str) {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let (x, y) = (x.as_f64().unwrap(), y.as_f64().unwrap());
            assert!(
                (x - y).abs() <= 1e-12 * x.abs().max(y.abs()).max(1.0),
                "{at}: {x} vs {y}"
            );
        }
        (Value::Array(x), Value::Array(y)) => {
            assert_eq!(x.len(), y.len(), "{at}: length");
            for (i, (x, y)) in x.iter().zip(y).enumerate() {
                assert_close(x, y, &format!("{at}[{i}]"));
            }
        }
        (Value::Object(x), Value::Object(y)) => {
            assert_eq!(
                x.keys().collect::<Vec<_>>(),
                y.keys().collect::<Vec<_>>(),
                "{at}: keys"
            );
            for (k, v) in x {
                assert_close(v, &y[k], &format!("{at}.{k}"));
            }
        }
        _ => assert_eq!(a, b, "{at}"),
    }
}

#[test]
fn an_optimization_job_reports_progress_and_the_cli_result() {
    let s = start();
    let token = s.admin_token();
    let mut frames = s.state.hub.subscribe();
    let r = s.post("/api/v1/optimizations", &token, body());
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let job = finished(&s, &token, &id);
    assert_eq!(job["state"], "done", "{job}");
    assert_eq!(job["progress"], 1.0);
    let result = &job["result"];
    assert_eq!(result["strategy"], "sma_cross");
    assert_eq!(result["objective"], "total_return");
    assert_eq!(result["trials"].as_array().unwrap().len(), 4);
    assert_eq!(result["windows"].as_array().unwrap().len(), 2);
    assert!(
        result["summary"]["stitched_oos"]["trades"].as_u64() > Some(0),
        "{result}"
    );
    assert_close(result, &direct(&s), "result");

    // Progress on the `optimizations` topic, rising to the end.
    let mut seen = Vec::new();
    while let Ok(frame) = frames.try_recv() {
        if frame.topic == "optimizations" {
            let v: Value = serde_json::from_str(&frame.json).unwrap();
            assert_eq!(v["data"]["id"], id.as_str());
            seen.push(v["data"].clone());
        }
    }
    assert!(seen.len() >= 3, "{seen:?}");
    assert!(
        seen.windows(2)
            .all(|w| w[0]["progress"].as_f64() <= w[1]["progress"].as_f64()),
        "{seen:?}"
    );
    assert_eq!(seen.last().unwrap()["state"], "done");

    // An optimisation is not a backtest, nor the other way round.
    assert_eq!(
        s.get(&format!("/api/v1/backtests/{id}"), &token).status(),
        404
    );
    assert_eq!(s.get("/api/v1/optimizations/nope", &token).status(), 404);
}

#[test]
fn an_invalid_request_is_refused_naming_the_field_before_it_is_queued() {
    let s = start();
    let token = s.admin_token();
    let cases = [
        ("not_a_field", json!({"not_a_field": true})),
        ("input", json!({"input": "../../Cargo.toml"})),
        ("input", json!({"input": "nope.csv"})),
        ("strategy", json!({"strategy": "martingale"})),
        ("timeframes", json!({"timeframes": ["7x"]})),
        ("space", json!({"space": ["nope=1,2"]})),
        ("space", json!({"space": ["fast=5,10", "fast=20"]})),
        ("space", json!({"space": ["fast=60", "slow=30"]})),
        ("space", json!({"space": ["fast=a,b"]})),
        ("search", json!({"search": "annealing"})),
        ("samples", json!({"search": "random", "samples": 0})),
        ("objective", json!({"objective": "luck"})),
        ("folds", json!({"folds": 0})),
        ("folds", json!({"folds": 5000})),
        (
            "folds",
            json!({"folds": 2, "train_bars": 100, "test_bars": 50}),
        ),
        ("test_bars", json!({"folds": null, "train_bars": 100})),
        ("train_bars", json!({"folds": null, "test_bars": 100})),
        (
            "train_bars",
            json!({"folds": null, "train_bars": 4000, "test_bars": 1000}),
        ),
        ("cash", json!({"cash": "-1"})),
        ("fee", json!({"fee": "1"})),
    ];
    for (field, over) in cases {
        let mut request = body();
        if field == "not_a_field" {
            request = over;
        } else {
            for (k, v) in over.as_object().unwrap() {
                request[k] = v.clone();
            }
        }
        let r = s.post("/api/v1/optimizations", &token, request);
        assert_eq!(r.status(), 422, "{field}");
        let error: Value = r.json().unwrap();
        assert_eq!(error["field"], field, "{error}");
    }
    assert!(s.state.jobs.counts().is_empty(), "nothing was queued");
}
