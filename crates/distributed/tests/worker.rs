//! Workers and a coordinator in this process against a real `nats-server
//! -js` on loopback: a malformed job is term-acked and reported without
//! stopping the worker, a corrupted data blob is refused with a clear
//! error, and a distributed optimisation equals the local one.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use futures_util::StreamExt;
use smc_distributed::blob::{sha256_hex, store_as};
use smc_distributed::queue::JOBS_SUBJECT;
use smc_distributed::spec::Prepared;
use smc_distributed::wire::Outcome;
use smc_distributed::{
    Coordinator, DataRef, Delivery, FlagsSpec, Job, JobResult, Queue, RunSpec, SCHEMA,
    WorkerOptions, WorkerStats,
};
use smc_optimize::{OptimizeConfig, ParamSet, Value, WindowLength, WindowSpec};
use smc_testkit::nats::Server;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

fn eth() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/market/binance-spot/ETHUSDT-1h.csv")
}

fn spec(sha256: &str) -> RunSpec {
    RunSpec {
        schema: SCHEMA,
        data: DataRef {
            sha256: sha256.into(),
            name: "ETHUSDT-1h.csv".into(),
            bytes: 0,
            path: None,
        },
        lenient: false,
        config: None,
        strategy: "sma_cross".into(),
        timeframes: vec![],
        flags: FlagsSpec::default(),
        warmup: 50,
    }
}

fn options(name: &str, max_jobs: Option<u64>) -> WorkerOptions {
    WorkerOptions {
        name: name.into(),
        delivery: Delivery {
            ack_wait: Duration::from_secs(5),
            max_deliver: 3,
        },
        cache_dir: std::env::temp_dir()
            .join(format!("smc-dist-test-{}-{name}", std::process::id())),
        max_jobs,
        job_delay: Duration::ZERO,
    }
}

fn params(fast: i64, slow: i64) -> ParamSet {
    ParamSet {
        values: vec![
            ("fast".into(), Value::Int(fast)),
            ("slow".into(), Value::Int(slow)),
        ],
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn malformed_jobs_are_refused_and_the_worker_goes_on() {
    let Some(server) = Server::start() else {
        return;
    };
    let url = server.url();
    runtime().block_on(async {
        let q = Queue::connect(&url, "test").await.unwrap();
        let data = std::fs::read(eth()).unwrap();
        let data_hash = smc_distributed::blob::store(&q.blobs, &data).await.unwrap();
        let spec_hash = smc_distributed::blob::store(&q.blobs, &spec(&data_hash).encode().unwrap())
            .await
            .unwrap();
        let reply = q.client.new_inbox();
        let mut results = q.client.subscribe(reply.clone()).await.unwrap();
        // Not JSON; then a job of a future schema that names its reply
        // subject; then a good job.
        q.js.publish(JOBS_SUBJECT, "garbage".into())
            .await
            .unwrap()
            .await
            .unwrap();
        let mut future = serde_json::to_value(Job::new(
            "r",
            1,
            &reply,
            &spec_hash,
            &params(5, 30),
            100..300,
        ))
        .unwrap();
        future["schema"] = 99.into();
        q.js.publish(JOBS_SUBJECT, serde_json::to_vec(&future).unwrap().into())
            .await
            .unwrap()
            .await
            .unwrap();
        let good = Job::new("r", 2, &reply, &spec_hash, &params(5, 30), 100..300);
        q.js.publish(JOBS_SUBJECT, good.encode().unwrap().into())
            .await
            .unwrap()
            .await
            .unwrap();

        let stats =
            smc_distributed::worker::run(&url, options("w", Some(3)), std::future::pending())
                .await
                .unwrap();
        assert_eq!(
            stats,
            WorkerStats {
                done: 1,
                failed: 0,
                malformed: 2,
                redelivered: 0
            }
        );
        let first = JobResult::decode(&results.next().await.unwrap().payload).unwrap();
        assert_eq!(first.id, 1);
        let e = first.into_run_result().unwrap_err();
        assert!(e.contains("refused") && e.contains("schema 99"), "{e}");
        let second = JobResult::decode(&results.next().await.unwrap().payload).unwrap();
        assert_eq!(second.id, 2);
        let run = second.into_run_result().unwrap();
        assert_eq!(run.equity.len(), 201, "one base point and 200 bars");
        // Term-acked and acked: the work queue is empty.
        let info = q.stream.get_info().await.unwrap();
        assert_eq!(info.state.messages, 0);
    });
}

#[test]
fn a_corrupted_data_blob_is_refused() {
    let Some(server) = Server::start() else {
        return;
    };
    let url = server.url();
    runtime().block_on(async {
        let q = Queue::connect(&url, "test").await.unwrap();
        let data = std::fs::read(eth()).unwrap();
        let hash = sha256_hex(&data);
        // The object named by the file's hash holds other bytes.
        let mut corrupted = data.clone();
        corrupted[100] ^= 1;
        store_as(&q.blobs, &hash, &corrupted).await.unwrap();
        let spec_hash = smc_distributed::blob::store(&q.blobs, &spec(&hash).encode().unwrap())
            .await
            .unwrap();
        let reply = q.client.new_inbox();
        let mut results = q.client.subscribe(reply.clone()).await.unwrap();
        let job = Job::new("r", 7, &reply, &spec_hash, &params(5, 30), 100..300);
        q.js.publish(JOBS_SUBJECT, job.encode().unwrap().into())
            .await
            .unwrap()
            .await
            .unwrap();
        let stats =
            smc_distributed::worker::run(&url, options("c", Some(1)), std::future::pending())
                .await
                .unwrap();
        assert_eq!((stats.done, stats.failed), (1, 1));
        let r = JobResult::decode(&results.next().await.unwrap().payload).unwrap();
        let Outcome::Failed { error } = &r.outcome else {
            panic!("{r:?}")
        };
        assert!(
            error.contains("SHA-256 mismatch") && error.contains(&hash),
            "{error}"
        );
    });
}

#[test]
fn a_distributed_search_equals_the_local_one() {
    let Some(server) = Server::start() else {
        return;
    };
    let url = server.url();
    let data = std::fs::read(eth()).unwrap();
    let spec = spec(&sha256_hex(&data));
    let trials: Vec<ParamSet> = [(5, 30), (10, 30), (5, 60), (20, 60)]
        .iter()
        .map(|&(f, s)| params(f, s))
        .collect();
    let config = OptimizeConfig::new(WindowSpec {
        length: WindowLength::Folds(3),
        anchored: false,
    });

    // Two workers on their own runtime, stopped when the test is done.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let workers = std::thread::spawn({
        let url = url.clone();
        move || {
            runtime().block_on(async {
                let mut handles = Vec::new();
                for name in ["a", "b"] {
                    let mut rx = stop_rx.clone();
                    let url = url.clone();
                    handles.push(tokio::spawn(async move {
                        let stop = async move {
                            let _ = rx.wait_for(|s| *s).await;
                        };
                        smc_distributed::worker::run(&url, options(name, None), stop)
                            .await
                            .unwrap()
                    }));
                }
                let mut total = 0;
                for h in handles {
                    total += h.await.unwrap().done;
                }
                total
            })
        }
    });
    let coordinator = Coordinator::start(&url, &spec, &data, Duration::from_secs(60)).unwrap();
    let candles = Arc::new(
        smc_runtime::backtest::load_candles(eth(), false)
            .unwrap()
            .candles,
    );
    let prepared = Prepared::new(&spec, candles.clone()).unwrap();
    let local = prepared
        .runner()
        .optimize(&trials, &config, &|| {})
        .unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(8)
        .build()
        .unwrap();
    let remote = pool
        .install(|| smc_optimize::optimize(&coordinator, &trials, candles.len(), &config, &|| {}))
        .unwrap();
    stop_tx.send(true).unwrap();
    let done = workers.join().unwrap();
    let planned = smc_optimize::planned_runs(trials.len(), 3) as u64;
    assert_eq!(done, planned);
    assert_eq!(
        serde_json::to_value(&remote.summary).unwrap(),
        serde_json::to_value(&local.summary).unwrap()
    );
    assert_eq!(
        serde_json::to_value(&remote.windows).unwrap(),
        serde_json::to_value(&local.windows).unwrap()
    );
}
