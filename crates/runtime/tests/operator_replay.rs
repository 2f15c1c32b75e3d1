//! Operator commands (the API's orders and flatten) in a paper session:
//! answered with the risk decision, journaled between candles, filled by
//! the simulated venue, and replayed exactly after a restart (no order
//! placed or filled twice, the same positions).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{SMA_CROSS_CONFIG, spec, write_config};
use smc_model::{EngineEvent, OrderKind, RiskVerdict, Side};
use smc_runtime::{
    EventBus, Mode, OperatorCommand, OperatorIntent, RunningSession, SessionEvent, SessionSpec,
};
use smc_testkit::audit::journal;
use smc_testkit::sim::TestSim;
use std::time::{Duration, Instant};

fn buy(qty: &str) -> OperatorCommand {
    OperatorCommand {
        intents: vec![OperatorIntent::Place {
            symbol: "BTCUSDT".into(),
            side: Side::Buy,
            qty: qty.parse().unwrap(),
            kind: OrderKind::Market,
            reduce_only: false,
        }],
    }
}

#[test]
fn operator_orders_are_journaled_filled_and_replayed_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(dir.path(), "paper.yaml", SMA_CROSS_CONFIG);
    let db = dir.path().join("paper.db");
    let sim = TestSim::btcusdt(100.0, "");
    let paper = spec(Mode::Paper, &sim, &cfg, &db);
    let bus = EventBus::new();
    let mut events = bus.subscribe_lossless(1 << 16);
    let session = RunningSession::start(paper.clone(), bus).unwrap();

    // Refused until the first candle, then taken.
    let deadline = Instant::now() + Duration::from_secs(30);
    let decisions = loop {
        match session
            .operate(buy("0.002"))
            .unwrap()
            .blocking_recv()
            .unwrap()
        {
            Ok(d) => break d,
            Err(why) => assert!(why.contains("candle"), "{why}"),
        }
        assert!(Instant::now() < deadline, "no candle in 30 s");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(decisions.len(), 1);
    assert_eq!(decisions[0].verdict, RiskVerdict::Approved);
    let manual = decisions[0].client_id.clone();
    assert!(manual.as_str().contains("manual"), "{manual}");
    let unknown = OperatorCommand {
        intents: vec![OperatorIntent::Flatten {
            symbol: Some("ETHUSDT".into()),
        }],
    };
    assert!(
        session
            .operate(unknown)
            .unwrap()
            .blocking_recv()
            .unwrap()
            .is_err()
    );

    // Its fill, then a flatten of everything held.
    let mut filled = false;
    while !filled {
        let e = events.recv_blocking().unwrap();
        filled = matches!(&*e, SessionEvent::Engine(EngineEvent::Fill(f)) if f.client_id == manual);
    }
    let flatten = OperatorCommand {
        intents: vec![OperatorIntent::Flatten { symbol: None }],
    };
    let closing = session
        .operate(flatten)
        .unwrap()
        .blocking_recv()
        .unwrap()
        .unwrap();
    assert!(!closing.is_empty());
    let closer = closing.last().unwrap().client_id.clone();
    let mut closed = false;
    while !closed {
        let e = events.recv_blocking().unwrap();
        closed = matches!(&*e, SessionEvent::Engine(EngineEvent::Fill(f)) if f.client_id == closer);
    }
    session.stop();
    session.wait().unwrap();
    drop(events);

    let before = journal(&db);
    let orders_before = before.orders().unwrap();
    let fills_before = before.fills().unwrap();
    let positions_before = before.positions().unwrap();
    drop(before);
    assert!(
        fills_before
            .iter()
            .filter(|f| f.client_id == manual)
            .count()
            == 1
    );

    // A restart replays the commands where they happened: nothing new.
    let bus = EventBus::new();
    let mut events = bus.subscribe_lossless(1 << 16);
    let again = RunningSession::start(
        SessionSpec {
            max_bars: Some(1),
            ..paper
        },
        bus,
    )
    .unwrap();
    let started = match &*events.recv_blocking().unwrap() {
        SessionEvent::Started(s) => s.clone(),
        other => panic!("{other:?}"),
    };
    assert!(started.replayed_reports >= 2, "{started:?}");
    again.wait().unwrap();
    let after = journal(&db);
    let fills_after = after.fills().unwrap();
    for id in [&manual, &closer] {
        assert_eq!(
            fills_after.iter().filter(|f| &f.client_id == id).count(),
            1,
            "{id}"
        );
        let a = after.order(id).unwrap().unwrap();
        let b = orders_before
            .iter()
            .find(|o| &o.request.client_id == id)
            .unwrap();
        assert_eq!(a.status, b.status, "{id}");
    }
    // Positions moved only by the one new candle's decisions, if any.
    if fills_after.len() == fills_before.len() {
        assert_eq!(after.positions().unwrap(), positions_before);
    }
}
