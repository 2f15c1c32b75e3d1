//! Circuit breakers of a session on a PostgreSQL journal: their states live
//! in the same database, so a breaker tripped before a restart is still
//! tripped after it (entries refused), and the chain of the audit log — the
//! trip, and the risk decisions each step committed — verifies. Starts its
//! own throwaway cluster (skipped, with the reason printed, only where
//! PostgreSQL is not installed and this is not CI).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{SMA_CROSS_CONFIG, run_to_end, spec, write_config};
use smc_model::{Clock, EngineEvent, NoTradeReason, RiskVerdict};
use smc_risk::breakers::BreakerState;
use smc_runtime::event::SessionEvent;
use smc_runtime::{Mode, SessionSpec};
use smc_store::PgStore;
use smc_testkit::postgres::Cluster;
use smc_testkit::sim::TestSim;
use std::path::PathBuf;

/// Candles on which a tripped breaker stopped an entry: the gate refused
/// one, or the strategy saw the breaker tripped and asked for none.
fn refused_by_breaker(events: &[std::sync::Arc<SessionEvent>]) -> usize {
    events
        .iter()
        .filter(|e| match e.as_ref() {
            SessionEvent::Engine(EngineEvent::RiskDecision {
                verdict: RiskVerdict::Refused { reason },
                ..
            }) => reason.contains("consecutive_losses"),
            SessionEvent::Engine(EngineEvent::NoTrade { reason, .. }) => {
                *reason == NoTradeReason::BreakerTripped
            }
            _ => false,
        })
        .count()
}

#[test]
fn a_breaker_tripped_before_a_restart_on_postgres_stays_tripped_after_it() {
    let Some(pg) = Cluster::start() else {
        return;
    };
    let url = pg.database();
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "paper.yaml", SMA_CROSS_CONFIG);
    let sim = TestSim::btcusdt(200.0, "");
    let paper = spec(Mode::Paper, &sim, &cfg, &PathBuf::from(&url));
    let (first, events) = run_to_end(SessionSpec {
        max_bars: Some(300),
        ..paper.clone()
    });
    first.unwrap();
    assert_eq!(refused_by_breaker(&events), 0);
    let store = PgStore::open(&url).unwrap();
    let armed = store.breaker("consecutive_losses").unwrap().unwrap();
    assert_eq!(armed.state, BreakerState::Armed, "the session stored it");
    let orders_before = smc_store::open_journal(&url)
        .unwrap()
        .orders()
        .unwrap()
        .len();
    assert!(orders_before >= 2, "the session traded");

    // Tripped while the session is down, with no release but a reset.
    let now = smc_model::WallClock.now();
    let (tripped, t) = armed
        .trip(now, "tripped before the restart".into(), None)
        .unwrap();
    store.write_transition(&tripped, &t).unwrap();

    let (second, events) = run_to_end(SessionSpec {
        max_bars: Some(200),
        ..paper.clone()
    });
    second.unwrap();
    assert!(
        refused_by_breaker(&events) > 0,
        "the restarted session refused entries: the breaker it loaded is tripped"
    );
    let after = store.breaker("consecutive_losses").unwrap().unwrap();
    assert_eq!(after.state, BreakerState::Tripped);
    assert_eq!(after.reason.as_deref(), Some("tripped before the restart"));

    let report = store.audit_verify().unwrap();
    assert!(report.ok(), "{report:?}");
    let entries = store.audit_entries(None, usize::MAX).unwrap();
    assert!(entries.iter().any(|e| e.action == "breaker.trip"));
    assert!(
        entries.iter().any(|e| e.action.starts_with("risk.")),
        "the steps' risk decisions joined the chain"
    );
}
