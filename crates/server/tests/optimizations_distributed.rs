//! Optimisation jobs on workers: with `"distributed": true` (or the
//! config's `streaming.distributed_optimizations`) the job's backtests go
//! through NATS JetStream to workers (two, run in-process through
//! smc-distributed's worker loop, against a real nats-server; skipped
//! outside CI when it is missing) and the job's result is the in-process
//! job's, byte for byte; without a NATS URL the request is refused with
//! 400 naming `streaming.nats_url`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Server, start, start_with};
use serde_json::{Value, json};
use smc_distributed::{Delivery, WorkerOptions};
use smc_testkit::nats::Server as Nats;
use std::time::{Duration, Instant};

fn body(distributed: Option<bool>) -> Value {
    let mut b = json!({"input": "binance-spot/ETHUSDT-1h.csv", "strategy": "sma_cross",
        "space": ["fast=5,10", "slow=30,60"], "folds": 2,
        "objective": "total_return", "cash": "10000", "fee": "0.001"});
    if let Some(d) = distributed {
        b["distributed"] = json!(d);
    }
    b
}

/// Posts `body` and polls the job until it is done or failed.
fn run_job(s: &Server, token: &str, body: Value) -> Value {
    let r = s.post("/api/v1/optimizations", token, body);
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let start = Instant::now();
    loop {
        let job: Value = s
            .get(&format!("/api/v1/optimizations/{id}"), token)
            .json()
            .unwrap();
        if job["state"] == "done" || job["state"] == "failed" {
            return job;
        }
        assert!(start.elapsed() < Duration::from_secs(180), "{job}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn worker_options(name: &str) -> WorkerOptions {
    WorkerOptions {
        name: name.into(),
        delivery: Delivery::default(),
        cache_dir: std::env::temp_dir().join(format!(
            "smc-server-dist-test-{}-{name}",
            std::process::id()
        )),
        max_jobs: None,
        job_delay: Duration::ZERO,
    }
}

#[test]
fn a_distributed_job_gives_the_local_result_from_two_workers() {
    let Some(nats) = Nats::start() else {
        return;
    };
    let url = nats.url();
    // Workers on their own runtime until told to stop; the jobs each did.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let workers = std::thread::spawn({
        let url = url.clone();
        move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let mut handles = Vec::new();
                for name in ["a", "b"] {
                    let mut rx = stop_rx.clone();
                    let url = url.clone();
                    handles.push(tokio::spawn(async move {
                        let stop = async move {
                            let _ = rx.wait_for(|s| *s).await;
                        };
                        smc_distributed::worker::run(&url, worker_options(name), stop)
                            .await
                            .unwrap()
                    }));
                }
                let mut done = Vec::new();
                for h in handles {
                    done.push(h.await.unwrap().done);
                }
                done
            })
        }
    });

    // The config turns distribution on by default; the request can say no.
    let s = start_with(
        &format!("streaming:\n  nats_url: {url}\n  distributed_optimizations: true\n"),
        "",
    );
    let token = s.admin_token();
    let local = run_job(&s, &token, body(Some(false)));
    assert_eq!(local["state"], "done", "{local}");
    let by_default = run_job(&s, &token, body(None));
    assert_eq!(by_default["state"], "done", "{by_default}");
    let asked = run_job(&s, &token, body(Some(true)));
    assert_eq!(asked["state"], "done", "{asked}");
    stop_tx.send(true).unwrap();
    let done = workers.join().unwrap();

    assert!(
        local["result"]["summary"]["stitched_oos"]["trades"].as_u64() > Some(0),
        "{local}"
    );
    assert_eq!(by_default["result"], local["result"]);
    assert_eq!(asked["result"], local["result"]);
    assert_eq!(asked["progress"], 1.0);
    assert_eq!(by_default["progress"], 1.0);
    // Both distributed jobs' backtests ran on the workers, none in-process.
    let runs = smc_optimize::planned_runs(4, 2) as u64;
    assert!(runs > 0);
    assert_eq!(
        done.iter().sum::<u64>(),
        2 * runs,
        "jobs per worker: {done:?}"
    );
}

#[test]
fn distributed_without_a_nats_url_is_refused_naming_the_key() {
    if std::env::var_os("NATS_URL").is_some() {
        eprintln!("skipped: NATS_URL is set in this environment");
        return;
    }
    for (s, request) in [
        (start(), body(Some(true))),
        (
            start_with("streaming:\n  distributed_optimizations: true\n", ""),
            body(None),
        ),
    ] {
        let token = s.admin_token();
        let r = s.post("/api/v1/optimizations", &token, request);
        assert_eq!(r.status(), 400);
        let error: Value = r.json().unwrap();
        assert!(error.to_string().contains("streaming.nats_url"), "{error}");
        // Asked not to, it runs in the server.
        let r = s.post("/api/v1/optimizations", &token, body(Some(false)));
        assert_eq!(r.status(), 201);
    }
}
