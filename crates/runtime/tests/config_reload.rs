//! A running paper session reads its config file again when it changes:
//! the new risk limits apply to the orders after the change, without a
//! restart, and a change that does not parse is reported and ignored.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{SMA_CROSS_CONFIG, run_to_end, spec, write_config};
use smc_model::{EngineEvent, RiskVerdict};
use smc_runtime::{Mode, SessionEvent, SessionSpec};
use smc_testkit::sim::TestSim;
use std::time::Duration;

/// The index of the first notice whose message contains `text`.
fn notice_at(events: &[std::sync::Arc<SessionEvent>], text: &str) -> Option<usize> {
    events.iter().position(
        |e| matches!(&**e, SessionEvent::Notice { message, .. } if message.contains(text)),
    )
}

fn entries(events: &[std::sync::Arc<SessionEvent>]) -> usize {
    events
        .iter()
        .filter(|e| {
            matches!(&***e, SessionEvent::Engine(EngineEvent::OrderSubmitted { order, .. })
                if !order.reduce_only)
        })
        .count()
}

#[test]
fn a_changed_config_tightens_the_limits_of_the_running_session() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "paper.yaml", SMA_CROSS_CONFIG);
    let db = dir.path().join("reload.db");
    // 1,200 candles at 200 a second: about six seconds of session.
    let sim = TestSim::btcusdt(200.0, "");
    let path = cfg.clone();
    let editor = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1500));
        std::fs::write(&path, "backtest: [not, a, mapping\n").unwrap();
        std::thread::sleep(Duration::from_millis(1500));
        // One position may be worth at most 1 USDT: no entry fits.
        let tight = SMA_CROSS_CONFIG.replace("max_position_size: 1000.0", "max_position_size: 1.0");
        std::fs::write(&path, tight).unwrap();
    });
    let (result, events) = run_to_end(SessionSpec {
        max_bars: Some(1200),
        ..spec(Mode::Paper, &sim, &cfg, &db)
    });
    editor.join().unwrap();
    result.unwrap();
    let refused =
        notice_at(&events, "config changed but is refused").expect("the broken file was reported");
    let applied = notice_at(&events, "config changed: the new risk limits apply")
        .expect("the tightened limits were applied");
    assert!(refused < applied);
    let (before, after) = events.split_at(applied);
    assert!(
        entries(before) > 0,
        "the session entered under the old limits"
    );
    assert_eq!(entries(after), 0, "an entry went out past the new limit");
    let limited = after.iter().any(|e| {
        matches!(&**e, SessionEvent::Engine(EngineEvent::RiskDecision {
            verdict: RiskVerdict::Refused { reason } | RiskVerdict::Resized { reason }, ..
        }) if reason.contains("max_position_size 1"))
    });
    assert!(limited, "no intent met the new limit");
}
