//! `smc optimize --distributed` with three `smc worker` processes on a
//! throwaway nats-server (loopback): one worker is killed (SIGKILL) in the
//! middle of a job, its job is redelivered to another after the ack
//! deadline, and the report equals the local run's, field by field. Each
//! job is held for longer than the ack deadline (the workers' hidden
//! `--job-delay-ms`), so the heartbeats are what keeps live workers' jobs
//! from being redelivered: the coordinator must see no duplicate result.
//! `SMC_DIST_KILL_REPEAT=N` repeats the scenario N times on one server.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use smc_testkit::nats::Server;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SMC: &str = env!("CARGO_BIN_EXE_smc");

fn eth() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/market/binance-spot/ETHUSDT-1h.csv")
        .display()
        .to_string()
}

/// The search: 4 trials × 2 windows = 14 backtests.
fn search_args(json: &Path) -> Vec<String> {
    [
        "optimize",
        "--input",
        &eth(),
        "--strategy",
        "sma-cross",
        "--param",
        "fast=5,10",
        "--param",
        "slow=30,60",
        "--folds",
        "2",
        "--json",
        json.to_str().unwrap(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn worker(url: &str, name: &str, dir: &Path) -> Child {
    let log = std::fs::File::create(dir.join(format!("{name}.log"))).unwrap();
    Command::new(SMC)
        .args(["worker", "--nats", url, "--name", name])
        .args(["--ack-wait", "2", "--job-delay-ms", "2500"])
        .arg("--cache-dir")
        .arg(dir.join(format!("cache-{name}")))
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap()
}

fn log_of(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(format!("{name}.log"))).unwrap_or_default()
}

/// `(run, id)` of the last job a worker's log says it started.
fn running_job(log: &str) -> Option<(String, String)> {
    let line = log.lines().rev().find(|l| l.contains(": running bars"))?;
    let tag = line.split("job ").nth(1)?.split(':').next()?;
    let (run, id) = tag.split_once('/')?;
    Some((run.to_string(), id.to_string()))
}

fn wait_for<T>(what: &str, timeout: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn scenario(server: &Server, dir: &Path) {
    let local_json = dir.join("local.json");
    let out = Command::new(SMC)
        .args(search_args(&local_json))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let url = server.url();
    let mut workers: Vec<Child> = ["w0", "w1", "w2"]
        .iter()
        .map(|n| worker(&url, n, dir))
        .collect();
    let dist_json = dir.join("dist.json");
    let coordinator_log = std::fs::File::create(dir.join("coordinator.log")).unwrap();
    let mut coordinator = Command::new(SMC)
        .args(search_args(&dist_json))
        .args(["--distributed", "--nats", &url, "--in-flight", "6"])
        .stdout(Stdio::null())
        .stderr(coordinator_log)
        .spawn()
        .unwrap();

    // w0 has started a job (held 2.5 s): kill it now, mid-job.
    let (run, id) = wait_for("w0 to start a job", Duration::from_secs(30), || {
        running_job(&log_of(dir, "w0"))
    });
    workers[0].kill().unwrap();
    workers[0].wait().unwrap();
    let done = format!("job {run}/{id}: done");
    assert!(
        !log_of(dir, "w0").contains(&done),
        "w0 finished {run}/{id} before the kill"
    );

    let deadline = Instant::now() + Duration::from_secs(90);
    let status = loop {
        if let Some(s) = coordinator.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = coordinator.kill();
            panic!(
                "the coordinator did not finish: {}",
                log_of(dir, "coordinator")
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    for w in &mut workers[1..] {
        w.kill().unwrap();
        w.wait().unwrap();
    }
    let coordinator_text = log_of(dir, "coordinator");
    assert!(status.success(), "{coordinator_text}");

    // The killed worker's job went to another worker, which finished it.
    let redelivered = format!("job {run}/{id}: redelivered");
    let took_over: Vec<&str> = ["w1", "w2"]
        .into_iter()
        .filter(|n| {
            let log = log_of(dir, n);
            log.contains(&redelivered) && log.contains(&done)
        })
        .collect();
    assert_eq!(
        took_over.len(),
        1,
        "{redelivered} in w1: {}\nw2: {}",
        log_of(dir, "w1"),
        log_of(dir, "w2")
    );
    // Heartbeats kept every live worker's job: one result per job.
    assert!(
        coordinator_text.contains("14 backtests")
            && coordinator_text.contains(" 0 duplicate results"),
        "{coordinator_text}"
    );

    let local: Value =
        serde_json::from_str(&std::fs::read_to_string(&local_json).unwrap()).unwrap();
    let dist: Value = serde_json::from_str(&std::fs::read_to_string(&dist_json).unwrap()).unwrap();
    let (l, d) = (local.as_object().unwrap(), dist.as_object().unwrap());
    assert_eq!(
        l.keys().collect::<Vec<_>>(),
        d.keys().collect::<Vec<_>>(),
        "the same fields"
    );
    for (key, value) in l {
        assert_eq!(&d[key], value, "field {key}");
    }
    assert_eq!(local, dist);
}

#[test]
fn distributed_optimize_survives_a_killed_worker_and_equals_the_local_run() {
    let Some(server) = Server::start() else {
        return;
    };
    let repeat: usize = std::env::var("SMC_DIST_KILL_REPEAT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    for i in 0..repeat {
        let dir = std::env::temp_dir().join(format!("smc-dist-kill-{}-{i}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        scenario(&server, &dir);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
