//! External execution (live mode): the engine does not match; its orders
//! leave as commands with a resolved quantity, and the venue's reports
//! move the OMS, the portfolio and the ledger through the backtest's code.
//! The same candles and reports in the same order give the same state (the
//! restart rule of live mode).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::live::{cancels, external, fill, placed, step};
use common::{Script, engine};
use rust_decimal::{Decimal, dec};
use smc_engine::{Engine, EngineConfig, ExternalExecution, ExternalReport, VenueCommand};
use smc_model::InstrumentIndex;
use smc_model::Timestamp;
use smc_model::{
    ClientOrderId, EngineEvent, Intent, MarketKind, OrderIntent, OrderKind, Side, Size,
};

#[test]
fn orders_leave_as_commands_and_fills_come_back_as_reports() {
    let mut e = external();
    let mut events = Vec::new();
    step(&mut e, 0, dec!(100), &mut events);
    let sent = placed(&e.take_commands());
    assert_eq!(sent.len(), 1);
    let entry = sent[0].clone();
    // 10 % of 100,000 at 100 with the 0.1 % fee: the quantity is resolved
    // at once, since the venue needs one.
    assert!(entry.qty > dec!(99) && entry.qty < dec!(100), "{entry:?}");
    assert_eq!(entry.kind, OrderKind::Market);
    // Bars do not fill it: there is no simulated venue.
    step(&mut e, 1, dec!(100), &mut events);
    assert!(e.take_commands().is_empty());
    assert_eq!(e.portfolio().position(0).qty, Decimal::ZERO);
    assert_eq!(e.oms().open().len(), 1);

    let id = entry.client_id.clone();
    let accepted = ExternalReport::Accepted {
        client_id: id.clone(),
    };
    assert!(e.apply_report(&accepted, &mut events).unwrap());
    let f = fill(&id, "7", Side::Buy, entry.qty, dec!(101));
    assert!(
        e.apply_report(&ExternalReport::Fill { fill: f.clone() }, &mut events)
            .unwrap()
    );
    assert_eq!(e.portfolio().position(0).qty, entry.qty);
    assert_eq!(
        e.portfolio().cash(),
        dec!(100000) - entry.qty * dec!(101) - dec!(0.1)
    );
    assert!(events.contains(&EngineEvent::Fill(f)));
    // The complete fill sends both protective legs, reduce-only.
    let legs = placed(&e.take_commands());
    let names: Vec<String> = legs.iter().map(|o| o.client_id.to_string()).collect();
    assert_eq!(names, vec![format!("{id}-sl"), format!("{id}-tp")]);
    assert!(legs.iter().all(|o| o.reduce_only && o.qty == entry.qty));
    // A late acknowledgement of a filled order changes nothing.
    assert!(!e.apply_report(&accepted, &mut events).unwrap());

    // The take-profit fills: its sibling is cancelled on the venue, and
    // stays open until the venue confirms.
    let tp = legs[1].client_id.clone();
    let f = fill(&tp, "8", Side::Sell, entry.qty, dec!(120));
    e.apply_report(&ExternalReport::Fill { fill: f }, &mut events)
        .unwrap();
    assert_eq!(e.portfolio().position(0).qty, Decimal::ZERO);
    assert_eq!(
        e.take_commands(),
        vec![VenueCommand::Cancel {
            instrument: "sim:TEST".parse().unwrap(),
            client_id: legs[0].client_id.clone(),
        }]
    );
    assert_eq!(e.oms().open().len(), 1);
    let cancelled = ExternalReport::Cancelled {
        client_id: legs[0].client_id.clone(),
        reason: "one-cancels-other".into(),
    };
    assert!(e.apply_report(&cancelled, &mut events).unwrap());
    assert!(e.oms().open().is_empty());
    assert_eq!(e.closed_trades().len(), 1);
    assert!(!e.apply_report(&cancelled, &mut events).unwrap());
}

#[test]
fn a_fill_after_its_order_left_still_moves_the_account() {
    let mut e = external();
    let mut events = Vec::new();
    step(&mut e, 0, dec!(100), &mut events);
    let entry = placed(&e.take_commands())[0].clone();
    let id = entry.client_id.clone();
    // "Cancelled" overtook the last fill (reordered user events).
    let cancelled = ExternalReport::Cancelled {
        client_id: id.clone(),
        reason: "cancelled".into(),
    };
    assert!(e.apply_report(&cancelled, &mut events).unwrap());
    let f = fill(&id, "9", Side::Buy, dec!(1), dec!(100));
    e.apply_report(&ExternalReport::Fill { fill: f }, &mut events)
        .unwrap();
    assert_eq!(e.portfolio().position(0).qty, dec!(1));
}

#[test]
fn the_same_candles_and_reports_rebuild_the_same_engine() {
    let run = || {
        let mut e = external();
        let mut events = Vec::new();
        step(&mut e, 0, dec!(100), &mut events);
        let entry = placed(&e.take_commands())[0].clone();
        let f = fill(&entry.client_id, "1", Side::Buy, entry.qty, dec!(100.5));
        e.apply_report(&ExternalReport::Fill { fill: f }, &mut events)
            .unwrap();
        step(&mut e, 1, dec!(104), &mut events);
        let commands = e.take_commands();
        (events, commands, e.snapshot().clone())
    };
    let (a, ca, sa) = run();
    let (b, cb, sb) = run();
    assert_eq!(a, b);
    assert_eq!(ca, cb);
    assert_eq!(sa, sb);
    assert!(
        a.iter()
            .any(|e| matches!(e, EngineEvent::PositionChanged { .. }))
    );
}

#[test]
fn a_reduce_only_order_with_nothing_to_reduce_is_refused_before_the_venue() {
    let mut script = Script::default();
    script.on_close.insert(
        0,
        vec![Intent::Place(
            OrderIntent::market(InstrumentIndex::new(0), Side::Sell, Size::ClosePosition)
                .reduce_only(),
        )],
    );
    let mut e = engine(EngineConfig::default(), MarketKind::Spot, script);
    e.set_execution(Box::new(ExternalExecution::new()));
    let mut events = Vec::new();
    step(&mut e, 0, dec!(100), &mut events);
    assert!(e.take_commands().is_empty());
    assert!(
        events
            .iter()
            .any(|e| matches!(e, EngineEvent::OrderRejected { .. }))
    );
}

#[test]
fn a_moved_stop_is_cancelled_then_replaced_and_a_fill_first_stops_the_replacement() {
    // The entry is decided at bar 0's close; its stop leg is `<id>-sl`.
    let entry_id = ClientOrderId::from_decision("script", Timestamp::from_ms(60_000), 0);
    let sl = ClientOrderId::new(format!("{entry_id}-sl"));
    let amend = |trigger| {
        vec![Intent::AmendStop {
            client_id: sl.clone(),
            trigger,
        }]
    };
    let mut script = Script::default();
    script.on_close.insert(
        0,
        vec![Intent::Place(
            OrderIntent::market(InstrumentIndex::new(0), Side::Buy, Size::Qty(dec!(2)))
                .with_bracket(Some(dec!(90)), Some(dec!(120))),
        )],
    );
    // The strategy moves the stop three times, always naming its first id.
    script.on_close.insert(2, amend(dec!(95)));
    script.on_close.insert(3, amend(dec!(96)));
    script.on_close.insert(5, amend(dec!(97)));
    let mut e2 = engine(EngineConfig::default(), MarketKind::Spot, script);
    e2.set_execution(Box::new(ExternalExecution::new()));
    let mut events = Vec::new();
    step(&mut e2, 0, dec!(100), &mut events);
    let entry = placed(&e2.take_commands())[0].clone();
    assert_eq!(entry.client_id, entry_id);
    let report = |e: &mut Engine, r: ExternalReport, ev: &mut Vec<EngineEvent>| {
        e.apply_report(&r, ev).unwrap();
    };
    report(
        &mut e2,
        ExternalReport::Fill {
            fill: fill(&entry.client_id, "1", Side::Buy, dec!(2), dec!(100)),
        },
        &mut events,
    );
    let legs = placed(&e2.take_commands());
    assert_eq!(legs.len(), 2);
    // Bar 2: the stop's cancel goes out; nothing is placed before the
    // venue confirms it (never two stops at once).
    step(&mut e2, 1, dec!(104), &mut events);
    step(&mut e2, 2, dec!(105), &mut events);
    let c = e2.take_commands();
    assert_eq!(cancels(&c), vec![sl.to_string()]);
    assert!(placed(&c).is_empty());
    // Bar 3 moves it again while the cancel is in flight: the newest wins.
    step(&mut e2, 3, dec!(106), &mut events);
    assert!(e2.take_commands().is_empty());
    report(
        &mut e2,
        ExternalReport::Cancelled {
            client_id: sl.clone(),
            reason: "cancelled".into(),
        },
        &mut events,
    );
    let replacement = placed(&e2.take_commands());
    let r1 = format!("{}-r1-sl", entry.client_id);
    assert_eq!(replacement.len(), 1);
    assert_eq!(replacement[0].client_id.to_string(), r1);
    assert_eq!(
        replacement[0].kind,
        OrderKind::StopMarket { trigger: dec!(96) }
    );
    assert!(replacement[0].reduce_only && replacement[0].qty == dec!(2));
    let order_events: Vec<String> = events
        .iter()
        .filter_map(|ev| match ev {
            EngineEvent::OrderCancelled { client_id, .. } => Some(format!("cancelled {client_id}")),
            EngineEvent::OrderSubmitted { order, .. } => {
                Some(format!("submitted {}", order.client_id))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        order_events[order_events.len() - 2..],
        [format!("cancelled {sl}"), format!("submitted {r1}")]
    );
    // Bar 5 moves it again: the replacement (found through the first id)
    // is cancelled; but it fills first, so nothing replaces it and the
    // take-profit is cancelled as its one-cancels-other sibling.
    step(&mut e2, 5, dec!(107), &mut events);
    assert_eq!(cancels(&e2.take_commands()), vec![r1.clone()]);
    report(
        &mut e2,
        ExternalReport::Fill {
            fill: fill(&ClientOrderId::new(&r1), "2", Side::Sell, dec!(2), dec!(96)),
        },
        &mut events,
    );
    let after = e2.take_commands();
    assert!(placed(&after).is_empty(), "{after:?}");
    assert_eq!(cancels(&after), vec![format!("{}-tp", entry.client_id)]);
    report(
        &mut e2,
        ExternalReport::Cancelled {
            client_id: ClientOrderId::new(&r1),
            reason: "late".into(),
        },
        &mut events,
    );
    assert!(e2.take_commands().is_empty());
    assert_eq!(e2.portfolio().position(0).qty, Decimal::ZERO);
}
