//! A journal belongs to one session: resuming a paper session's journal as
//! live, or on another market, account or symbols, is refused before
//! anything is sent; and while a session runs, a second one on the same
//! journal is refused.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{SMA_CROSS_CONFIG, run_to_end, spec, write_config};
use smc_runtime::{EventBus, Market, Mode, RunningSession, SessionSpec};
use smc_testkit::sim::TestSim;

#[test]
fn a_paper_journal_is_not_resumed_as_live_nor_on_another_market() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "s.yaml", SMA_CROSS_CONFIG);
    let db = dir.path().join("paper.db");
    let sim = TestSim::btcusdt(100.0, "");
    let paper = SessionSpec {
        max_bars: Some(5),
        ..spec(Mode::Paper, &sim, &cfg, &db)
    };
    run_to_end(paper.clone()).0.unwrap();
    let live = SessionSpec {
        max_bars: Some(5),
        ..spec(Mode::Live, &sim, &cfg, &db)
    };
    let e = run_to_end(live).0.unwrap_err().to_string();
    assert!(
        e.contains("belongs to another session") && e.contains("mode=paper"),
        "{e}"
    );
    let mut futures = paper.clone();
    futures.venue.market = Market::UsdM;
    let e = run_to_end(futures).0.unwrap_err().to_string();
    assert!(
        e.contains("belongs to another session") && e.contains("market=usdm"),
        "{e}"
    );
    // The paper session itself resumes.
    run_to_end(paper).0.unwrap();
}

#[test]
fn a_second_session_on_a_running_sessions_journal_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "s.yaml", SMA_CROSS_CONFIG);
    let db = dir.path().join("live.db");
    let sim = TestSim::btcusdt(100.0, "");
    let live = spec(Mode::Live, &sim, &cfg, &db);
    let first = RunningSession::start(live.clone(), EventBus::new()).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(500));
    let second = run_to_end(SessionSpec {
        max_bars: Some(5),
        ..live.clone()
    });
    let e = second.0.unwrap_err().to_string();
    assert!(e.contains("another process is running"), "{e}");
    first.abort();
    let _ = first.wait();
    // Once the first has stopped, the session resumes.
    run_to_end(SessionSpec {
        max_bars: Some(5),
        ..live
    })
    .0
    .unwrap();
}
