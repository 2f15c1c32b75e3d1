//! Live mode compares the whole account with the venue periodically: an
//! order placed on the same account behind the agent's back is found at
//! the next reconciliation, reported as a `venue_mismatch` event, and trips
//! the `venue_mismatch` breaker, which only an operator releases. An open
//! order the journal does not know is reported and recorded.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{SMA_CROSS_CONFIG, spec, write_config};
use rust_decimal::dec;
use smc_model::TimeInForce;
use smc_model::{ClientOrderId, EngineEvent, InstrumentId, OrderKind, OrderRequest, Side};
use smc_runtime::{Delivery, EventBus, Mode, RunningSession, SessionEvent, SessionSpec};
use smc_testkit::audit::client;
use smc_testkit::sim::TestSim;
use std::time::{Duration, Instant};

#[test]
fn a_trade_behind_the_agents_back_trips_the_venue_mismatch_breaker() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "live.yaml", SMA_CROSS_CONFIG);
    let db = dir.path().join("mismatch.db");
    let sim = TestSim::btcusdt(20.0, "");
    let live = SessionSpec {
        reconcile_every: Some(Duration::from_secs(1)),
        ..spec(Mode::Live, &sim, &cfg, &db)
    };
    let bus = EventBus::new();
    let mut events = bus.subscribe_lossy();
    let session = RunningSession::start(live, bus).unwrap();
    let mut seen = Vec::new();
    let mut drain = |seen: &mut Vec<EngineEvent>| {
        while let Some(d) = events.try_recv() {
            if let Delivery::Event(e) = d
                && let SessionEvent::Engine(e) = &*e
            {
                seen.push(e.clone());
            }
        }
    };
    // Let the session start and settle, then buy on its account from outside.
    std::thread::sleep(Duration::from_millis(2_500));
    drain(&mut seen);
    assert!(
        !seen
            .iter()
            .any(|e| matches!(e, EngineEvent::VenueMismatch { .. })),
        "a mismatch before anything happened: {seen:?}"
    );
    let (rt, rest) = client(&sim.addr, "spot");
    let foreign = OrderRequest {
        client_id: ClientOrderId::new("someone-else-1"),
        instrument: InstrumentId::new("binance", "BTCUSDT").unwrap(),
        side: Side::Buy,
        qty: dec!(0.01),
        kind: OrderKind::Market,
        time_in_force: TimeInForce::Gtc,
        reduce_only: false,
    };
    rt.block_on(rest.load_rules()).unwrap();
    rt.block_on(rest.sync_clock()).unwrap();
    rt.block_on(rest.place_order(&foreign)).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let tripped = loop {
        drain(&mut seen);
        let trip = seen.iter().find_map(|e| match e {
            EngineEvent::BreakerTripped {
                breaker,
                reason,
                cooldown_until,
                ..
            } if breaker == "venue_mismatch" => Some((reason.clone(), *cooldown_until)),
            _ => None,
        });
        if let Some(t) = trip {
            break t;
        }
        assert!(Instant::now() < deadline, "no trip within 10 s: {seen:?}");
        std::thread::sleep(Duration::from_millis(100));
    };
    session.abort();
    let _ = session.wait();
    let mismatch = seen
        .iter()
        .find_map(|e| match e {
            EngineEvent::VenueMismatch { differences, .. } => Some(differences.clone()),
            _ => None,
        })
        .unwrap();
    assert!(
        mismatch.iter().any(|d| d.contains("BTC: the venue holds")),
        "{mismatch:?}"
    );
    assert!(
        tripped.0.contains("reconciliation with the venue"),
        "{}",
        tripped.0
    );
    assert_eq!(tripped.1, None, "released only by an operator");
}

#[test]
fn an_unreadable_user_stream_frame_makes_the_session_ask_the_venue() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "live.yaml", SMA_CROSS_CONFIG);
    let db = dir.path().join("garbled.db");
    // The first three order events reach the agent cut in half.
    let sim = TestSim::btcusdt(80.0, "garble-events(count=3)");
    let live = SessionSpec {
        max_bars: Some(400),
        reconcile_every: Some(Duration::from_secs(3_600)),
        ..spec(Mode::Live, &sim, &cfg, &db)
    };
    let (result, events) = common::run_to_end(live);
    result.unwrap();
    let malformed = events
        .iter()
        .filter(|e| {
            matches!(
                &***e,
                SessionEvent::Connection {
                    change: smc_runtime::Connection::Malformed { .. },
                    ..
                }
            )
        })
        .count();
    assert_eq!(malformed, 3, "three garbled frames seen");
    let asked = events
        .iter()
        .filter(|e| {
            matches!(&***e, SessionEvent::Reconciled { why, .. } if why == "unreadable user-stream frame")
        })
        .count();
    assert!(asked >= 1, "no reconciliation after an unreadable frame");
    // What the lost frames said was learned from the venue: the journal
    // agrees with it, and nothing tripped.
    let (_, found) = common::last_reconciliation(&events);
    assert!(found.differences.is_empty(), "{found:?}");
    assert!(!events.iter().any(|e| matches!(
        &**e,
        SessionEvent::Engine(EngineEvent::VenueMismatch { .. })
    )));
    let venue = smc_testkit::audit::venue_account(&sim.addr, "spot", "BTCUSDT", "BTC");
    let store = smc_testkit::audit::journal(&db);
    assert_eq!(
        smc_testkit::audit::journal_position(&store, "BTCUSDT"),
        venue.held
    );
}

#[test]
fn an_open_order_the_journal_does_not_know_is_reported_and_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "live.yaml", SMA_CROSS_CONFIG);
    let db = dir.path().join("unknown.db");
    let sim = TestSim::btcusdt(20.0, "");
    let live = SessionSpec {
        reconcile_every: Some(Duration::from_secs(1)),
        ..spec(Mode::Live, &sim, &cfg, &db)
    };
    let bus = EventBus::new();
    let mut events = bus.subscribe_lossy();
    let session = RunningSession::start(live, bus).unwrap();
    std::thread::sleep(Duration::from_millis(2_500));
    // A resting buy far under the market, placed on the account from outside.
    let (rt, rest) = client(&sim.addr, "spot");
    let outsider = OrderRequest {
        client_id: ClientOrderId::new("outsider-open-1"),
        instrument: InstrumentId::new("binance", "BTCUSDT").unwrap(),
        side: Side::Buy,
        qty: dec!(0.001),
        kind: OrderKind::Limit { price: dec!(30000) },
        time_in_force: TimeInForce::Gtc,
        reduce_only: false,
    };
    rt.block_on(rest.load_rules()).unwrap();
    rt.block_on(rest.sync_clock()).unwrap();
    rt.block_on(rest.place_order(&outsider)).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let found = loop {
        let mut hit = None;
        while let Some(d) = events.try_recv() {
            if let Delivery::Event(e) = d
                && let SessionEvent::Reconciled { result, .. } = &*e
                && !result.unknown_open_orders.is_empty()
            {
                hit = Some(result.clone());
            }
        }
        if let Some(r) = hit {
            break r;
        }
        assert!(Instant::now() < deadline, "not reported within 10 s");
        std::thread::sleep(Duration::from_millis(100));
    };
    session.abort();
    let _ = session.wait();
    assert_eq!(found.unknown_open_orders, ["outsider-open-1"]);
    assert!(
        found
            .differences
            .iter()
            .any(|d| d.contains("outsider-open-1")),
        "{found:?}"
    );
    let store = smc_testkit::audit::journal(&db);
    let adopted = store.session_value("adopted:outsider-open-1").unwrap();
    assert!(
        adopted.as_deref().is_some_and(|a| a.contains("qty=0.001")),
        "{adopted:?}"
    );
}
