//! `smc run` stopped by SIGTERM (what systemd and docker send) ends as
//! cleanly as Ctrl-C: exit status 0, the stop line with the candle count,
//! and a journal the next run resumes from. A second process on a running
//! session's journal is refused.

#![allow(clippy::unwrap_used, clippy::expect_used)]
#![cfg(unix)]

mod common;

use common::{Sim, smc};
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn paper(sim: &Sim, db: &Path) -> Command {
    let mut c = smc();
    c.args([
        "run",
        "--mode",
        "paper",
        "--venue-url",
        &sim.addr,
        "--symbol",
        "BTCUSDT",
        "--strategy",
        "sma_cross",
    ])
    .arg("--db")
    .arg(db);
    c
}

#[test]
fn sigterm_stops_a_paper_session_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("term.db");
    let sim = Sim::start(50, &[]);
    let mut child = paper(&sim, &db)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(2_500));
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "no exit 20 s after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(status.success(), "{status:?}: {stderr}");
    let stop = stderr
        .lines()
        .find(|l| l.contains("paper: stopped after"))
        .unwrap_or_else(|| panic!("no stop line: {stderr}"));
    let candles: u64 = stop
        .split("stopped after ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(candles > 0, "{stop}");

    // The journal is whole: the next run resumes and adds candles.
    let store = smc_store::Store::open_existing(&format!("sqlite://{}", db.display())).unwrap();
    let logged = store.logged_candles().unwrap().len();
    assert!(logged as u64 >= candles, "{logged} logged, {candles} seen");
    drop(store);
    let out = paper(&sim, &db).args(["--max-bars", "3"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let store = smc_store::Store::open_existing(&format!("sqlite://{}", db.display())).unwrap();
    assert!(store.logged_candles().unwrap().len() > logged);
}

#[test]
fn a_second_process_on_a_running_sessions_journal_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("one.db");
    let sim = Sim::start(50, &[]);
    let mut first = paper(&sim, &db)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1_500));
    let second = paper(&sim, &db).args(["--max-bars", "3"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(!second.status.success(), "{stderr}");
    assert!(stderr.contains("another process is running"), "{stderr}");
    // kill -9 leaves no lock behind: the OS drops it with the process.
    first.kill().unwrap();
    first.wait().unwrap();
    let third = paper(&sim, &db).args(["--max-bars", "3"]).output().unwrap();
    assert!(
        third.status.success(),
        "{}",
        String::from_utf8_lossy(&third.stderr)
    );
}
