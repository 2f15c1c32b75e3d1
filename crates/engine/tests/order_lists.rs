//! Brackets as one venue order list (Binance spot OCO): the legs leave as
//! one command, the venue (not the engine) ends the other leg when one
//! fills, and moving the stop replaces the whole list.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::live::{cancels, fill, step};
use common::{Script, engine};
use rust_decimal::dec;
use smc_engine::{Engine, EngineConfig, ExternalExecution, ExternalReport, VenueCommand};
use smc_model::{
    ClientOrderId, EngineEvent, InstrumentIndex, Intent, MarketKind, OrderIntent, OrderKind,
    OrderRequest, Side, Size, Timestamp,
};

fn lists(commands: &[VenueCommand]) -> Vec<(OrderRequest, OrderRequest)> {
    commands
        .iter()
        .filter_map(|c| match c {
            VenueCommand::PlaceOco { stop, take_profit } => {
                Some((stop.clone(), take_profit.clone()))
            }
            _ => None,
        })
        .collect()
}

fn apply(e: &mut Engine, r: ExternalReport, events: &mut Vec<EngineEvent>) {
    e.apply_report(&r, events).unwrap();
}

/// A bracketed buy of 2 at bar 0, the stop moved at bar 2.
fn bracketed() -> (Engine, ClientOrderId) {
    let entry = ClientOrderId::from_decision("script", Timestamp::from_ms(60_000), 0);
    let mut script = Script::default();
    script.on_close.insert(
        0,
        vec![Intent::Place(
            OrderIntent::market(InstrumentIndex::new(0), Side::Buy, Size::Qty(dec!(2)))
                .with_bracket(Some(dec!(90)), Some(dec!(120))),
        )],
    );
    script.on_close.insert(
        2,
        vec![Intent::AmendStop {
            client_id: ClientOrderId::new(format!("{entry}-sl")),
            trigger: dec!(95),
        }],
    );
    let mut e = engine(EngineConfig::default(), MarketKind::Spot, script);
    e.set_execution(Box::new(ExternalExecution::with_order_lists()));
    (e, entry)
}

fn filled(e: &mut Engine, entry: &ClientOrderId, events: &mut Vec<EngineEvent>) {
    step(e, 0, dec!(100), events);
    e.take_commands();
    let f = fill(entry, "1", Side::Buy, dec!(2), dec!(100));
    apply(e, ExternalReport::Fill { fill: f }, events);
}

#[test]
fn the_legs_leave_as_one_list_and_the_venue_ends_the_other() {
    let (mut e, entry) = bracketed();
    let mut events = Vec::new();
    filled(&mut e, &entry, &mut events);
    let sent = e.take_commands();
    let l = lists(&sent);
    assert_eq!(l.len(), 1, "{sent:?}");
    let (sl, tp) = &l[0];
    assert_eq!(sl.client_id.to_string(), format!("{entry}-sl"));
    assert_eq!(tp.client_id.to_string(), format!("{entry}-tp"));
    assert_eq!(sl.kind, OrderKind::StopMarket { trigger: dec!(90) });
    assert_eq!((sl.qty, tp.qty), (dec!(2), dec!(2)));
    // Both were journaled before the command existed.
    let submitted = events
        .iter()
        .filter(|e| matches!(e, EngineEvent::OrderSubmitted { .. }))
        .count();
    assert_eq!(submitted, 3);
    // The take-profit fills: the venue expires the stop; the engine asks nothing.
    let f = fill(&tp.client_id, "2", Side::Sell, dec!(2), dec!(120));
    apply(&mut e, ExternalReport::Fill { fill: f }, &mut events);
    assert!(e.take_commands().is_empty());
    let expired = ExternalReport::Expired {
        client_id: sl.client_id.clone(),
        reason: "the list's other leg filled".into(),
    };
    apply(&mut e, expired, &mut events);
    assert!(e.oms().open().is_empty());
    assert_eq!(e.portfolio().position(0).qty, dec!(0));
}

#[test]
fn moving_the_stop_replaces_the_whole_list() {
    let (mut e, entry) = bracketed();
    let mut events = Vec::new();
    filled(&mut e, &entry, &mut events);
    let (sl, tp) = lists(&e.take_commands()).remove(0);
    step(&mut e, 1, dec!(104), &mut events);
    step(&mut e, 2, dec!(105), &mut events);
    // Only the stop's cancel goes out: the venue cancels the list.
    assert_eq!(cancels(&e.take_commands()), vec![sl.client_id.to_string()]);
    let cancelled = |id: &ClientOrderId| ExternalReport::Cancelled {
        client_id: id.clone(),
        reason: "list cancelled".into(),
    };
    apply(&mut e, cancelled(&sl.client_id), &mut events);
    assert!(e.take_commands().is_empty(), "waits for the other leg");
    apply(&mut e, cancelled(&tp.client_id), &mut events);
    let again = lists(&e.take_commands());
    assert_eq!(again.len(), 1);
    let (sl2, tp2) = &again[0];
    assert_eq!(sl2.client_id.to_string(), format!("{entry}-r1-sl"));
    assert_eq!(tp2.client_id.to_string(), format!("{entry}-r1-tp"));
    assert_eq!(sl2.kind, OrderKind::StopMarket { trigger: dec!(95) });
    assert_eq!(tp2.kind, OrderKind::TakeProfit { trigger: dec!(120) });
    assert_eq!((sl2.qty, tp2.qty), (dec!(2), dec!(2)));
}

#[test]
fn a_leg_that_fills_during_the_replacement_replaces_nothing() {
    let (mut e, entry) = bracketed();
    let mut events = Vec::new();
    filled(&mut e, &entry, &mut events);
    let (sl, tp) = lists(&e.take_commands()).remove(0);
    step(&mut e, 1, dec!(104), &mut events);
    step(&mut e, 2, dec!(105), &mut events);
    e.take_commands();
    let f = fill(&sl.client_id, "2", Side::Sell, dec!(2), dec!(90));
    apply(&mut e, ExternalReport::Fill { fill: f }, &mut events);
    let expired = ExternalReport::Expired {
        client_id: tp.client_id.clone(),
        reason: "the list's other leg filled".into(),
    };
    apply(&mut e, expired, &mut events);
    let after = e.take_commands();
    assert!(lists(&after).is_empty(), "{after:?}");
    assert!(e.oms().open().is_empty());
}

#[test]
fn a_list_refused_whole_is_closed_without_cancelling_its_other_leg() {
    let (mut e, entry) = bracketed();
    let mut events = Vec::new();
    filled(&mut e, &entry, &mut events);
    let (sl, tp) = lists(&e.take_commands()).remove(0);
    let refused = |id: &ClientOrderId| ExternalReport::Rejected {
        client_id: id.clone(),
        reason: "venue error -2010: Stop price would trigger immediately.".into(),
    };
    apply(&mut e, refused(&sl.client_id), &mut events);
    // The take-profit shares the list's refusal: no cancel goes out for it.
    assert!(cancels(&e.take_commands()).is_empty());
    apply(&mut e, refused(&tp.client_id), &mut events);
    let sent = e.take_commands();
    let exits: Vec<String> = sent
        .iter()
        .filter_map(|c| match c {
            VenueCommand::Place(o) => Some(o.client_id.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(exits, [format!("{entry}-x1")], "{sent:?}");
}
