//! The live invariant, on the engine alone: after every venue answer, an
//! open position is covered by a resting stop for what it holds, or a
//! reduce-only exit closing it is on its way; each failure is reported
//! with what was done.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::live::{cancels, external, fill, placed, step};
use common::{Script, engine};
use rust_decimal::{Decimal, dec};
use smc_engine::{Engine, EngineConfig, ExternalExecution, ExternalReport, VenueCommand};
use smc_model::{
    ClientOrderId, EngineEvent, FeeSource, InstrumentIndex, Intent, MarketKind, OrderIntent,
    OrderKind, OrderRequest, ProtectionAction, Side, Size, Timestamp,
};

fn apply(e: &mut Engine, r: ExternalReport, events: &mut Vec<EngineEvent>) {
    e.apply_report(&r, events).unwrap();
}

fn rejected(id: &ClientOrderId, reason: &str) -> ExternalReport {
    ExternalReport::Rejected {
        client_id: id.clone(),
        reason: reason.into(),
    }
}

fn cancelled(id: &ClientOrderId) -> ExternalReport {
    ExternalReport::Cancelled {
        client_id: id.clone(),
        reason: "cancelled on request".into(),
    }
}

/// The (client id, action, reason) of each protection failure reported.
fn protection(events: &[EngineEvent]) -> Vec<(String, ProtectionAction, String)> {
    events
        .iter()
        .filter_map(|e| match e {
            EngineEvent::ProtectionFailed {
                client_id,
                action,
                reason,
                ..
            } => Some((client_id.to_string(), *action, reason.clone())),
            _ => None,
        })
        .collect()
}

/// The bracketed entry filled: (entry, stop leg, take-profit leg).
fn filled_entry(
    e: &mut Engine,
    events: &mut Vec<EngineEvent>,
) -> (OrderRequest, OrderRequest, OrderRequest) {
    step(e, 0, dec!(100), events);
    let entry = placed(&e.take_commands()).remove(0);
    let f = fill(&entry.client_id, "1", Side::Buy, entry.qty, dec!(100));
    apply(e, ExternalReport::Fill { fill: f }, events);
    let mut legs = placed(&e.take_commands());
    let tp = legs.remove(1);
    let sl = legs.remove(0);
    (entry, sl, tp)
}

#[test]
fn a_refused_stop_closes_the_position_once_its_siblings_are_cancelled() {
    let mut e = external();
    let mut events = Vec::new();
    let (entry, sl, tp) = filled_entry(&mut e, &mut events);
    let held = e.portfolio().position(0).qty;
    apply(
        &mut e,
        rejected(
            &sl.client_id,
            "venue error -2010: Stop price would trigger immediately.",
        ),
        &mut events,
    );
    let found = protection(&events);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, sl.client_id.to_string());
    assert_eq!(found[0].1, ProtectionAction::Exit);
    assert!(found[0].2.contains("-2010"), "{found:?}");
    // First the take-profit goes (on spot it holds the balance the exit sells).
    let c = e.take_commands();
    assert_eq!(cancels(&c), vec![tp.client_id.to_string()]);
    assert!(placed(&c).is_empty());
    apply(&mut e, cancelled(&tp.client_id), &mut events);
    let exit = placed(&e.take_commands());
    assert_eq!(exit.len(), 1, "{exit:?}");
    let exit = exit[0].clone();
    assert_eq!(
        exit.client_id.to_string(),
        format!("{}-x1", entry.client_id)
    );
    assert_eq!(
        (exit.side, exit.kind, exit.reduce_only, exit.qty),
        (Side::Sell, OrderKind::Market, true, held)
    );
    let f = fill(&exit.client_id, "2", Side::Sell, held, dec!(99));
    apply(&mut e, ExternalReport::Fill { fill: f }, &mut events);
    assert_eq!(e.portfolio().position(0).qty, Decimal::ZERO);
    assert!(e.take_commands().is_empty());
    // Later bars send nothing more.
    step(&mut e, 1, dec!(99), &mut events);
    assert!(e.take_commands().is_empty());
}

#[test]
fn a_stop_that_never_reached_the_venue_is_sent_again_then_the_position_closed() {
    let mut e = external();
    let mut events = Vec::new();
    let (entry, sl, tp) = filled_entry(&mut e, &mut events);
    let not_sent = "not sent: connection refused";
    apply(&mut e, rejected(&sl.client_id, not_sent), &mut events);
    assert_eq!(protection(&events)[0].1, ProtectionAction::Retry);
    // Nothing at once (a ban would refuse it again): at the next bar.
    assert!(e.take_commands().is_empty());
    let mut current = sl.client_id.clone();
    for n in 1..=2 {
        step(&mut e, n, dec!(100), &mut events);
        let again = placed(&e.take_commands());
        assert_eq!(again.len(), 1, "{again:?}");
        assert_eq!(
            again[0].client_id.to_string(),
            format!("{}-r{n}-sl", entry.client_id)
        );
        assert_eq!(
            (again[0].kind, again[0].qty),
            (OrderKind::StopMarket { trigger: dec!(90) }, sl.qty)
        );
        current = again[0].client_id.clone();
        apply(&mut e, rejected(&current, not_sent), &mut events);
    }
    // The resends ran out: the position is closed instead.
    let actions: Vec<ProtectionAction> = protection(&events).iter().map(|p| p.1).collect();
    assert_eq!(
        actions,
        [
            ProtectionAction::Retry,
            ProtectionAction::Retry,
            ProtectionAction::Exit
        ]
    );
    assert_eq!(protection(&events)[2].0, current.to_string());
    assert_eq!(cancels(&e.take_commands()), vec![tp.client_id.to_string()]);
}

#[test]
fn a_refused_take_profit_is_only_reported_while_the_stop_covers_the_position() {
    let mut e = external();
    let mut events = Vec::new();
    let (_, _, tp) = filled_entry(&mut e, &mut events);
    let reason = "venue error -2010: Account has insufficient balance for requested action.";
    apply(&mut e, rejected(&tp.client_id, reason), &mut events);
    let found = protection(&events);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].1, ProtectionAction::Covered);
    assert!(e.take_commands().is_empty());
}

#[test]
fn a_refused_safety_exit_is_reported_for_a_person() {
    let mut e = external();
    let mut events = Vec::new();
    let (entry, sl, tp) = filled_entry(&mut e, &mut events);
    apply(
        &mut e,
        rejected(&sl.client_id, "venue error -1013: Filter failure"),
        &mut events,
    );
    apply(&mut e, cancelled(&tp.client_id), &mut events);
    let exit = placed(&e.take_commands()).remove(0);
    apply(
        &mut e,
        rejected(&exit.client_id, "venue error -1013: Filter failure"),
        &mut events,
    );
    let last = protection(&events).pop().unwrap();
    assert_eq!(last.0, format!("{}-x1", entry.client_id));
    assert_eq!(last.1, ProtectionAction::ExitRefused);
    step(&mut e, 1, dec!(100), &mut events);
    assert!(e.take_commands().is_empty(), "no loop of refused exits");
}

#[test]
fn a_partially_filled_entry_is_protected_at_once_and_its_legs_grow_with_it() {
    let mut e = external();
    let mut events = Vec::new();
    step(&mut e, 0, dec!(100), &mut events);
    let entry = placed(&e.take_commands()).remove(0);
    let half = (entry.qty / dec!(2)).round_dp(8);
    let f = fill(&entry.client_id, "1", Side::Buy, half, dec!(100));
    apply(&mut e, ExternalReport::Fill { fill: f }, &mut events);
    let legs = placed(&e.take_commands());
    assert_eq!(legs.len(), 2, "legs at the first partial fill: {legs:?}");
    assert!(legs.iter().all(|l| l.qty == half && l.reduce_only));
    let rest = entry.qty - half;
    let f = fill(&entry.client_id, "2", Side::Buy, rest, dec!(100));
    apply(&mut e, ExternalReport::Fill { fill: f }, &mut events);
    // Grown by cancel-and-replace: never two stops at once.
    let c = e.take_commands();
    assert!(placed(&c).is_empty());
    let legs_ids: Vec<String> = legs.iter().map(|l| l.client_id.to_string()).collect();
    assert_eq!(cancels(&c), legs_ids);
    for l in &legs {
        apply(&mut e, cancelled(&l.client_id), &mut events);
    }
    let grown = placed(&e.take_commands());
    let ids: Vec<String> = grown.iter().map(|l| l.client_id.to_string()).collect();
    assert_eq!(
        ids,
        [
            format!("{}-r1-sl", entry.client_id),
            format!("{}-r1-tp", entry.client_id)
        ]
    );
    assert!(grown.iter().all(|l| l.qty == entry.qty));
}

#[test]
fn legs_protect_what_the_account_holds_after_a_fee_in_the_base_asset() {
    let mut e = external();
    let mut events = Vec::new();
    step(&mut e, 0, dec!(100), &mut events);
    let entry = placed(&e.take_commands()).remove(0);
    let fee = (entry.qty * dec!(0.001)).round_dp(8);
    let mut f = fill(&entry.client_id, "1", Side::Buy, entry.qty, dec!(100));
    f.fee = fee * dec!(100);
    f.fee_source = FeeSource::Base { qty: fee };
    apply(&mut e, ExternalReport::Fill { fill: f }, &mut events);
    assert_eq!(e.portfolio().position(0).qty, entry.qty - fee);
    let legs = placed(&e.take_commands());
    assert!(legs.iter().all(|l| l.qty == entry.qty - fee), "{legs:?}");
}

#[test]
fn after_a_failed_cancel_the_next_bar_asks_again_and_trailing_goes_on() {
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
                .with_bracket(Some(dec!(90)), None),
        )],
    );
    script.on_close.insert(1, amend(dec!(95)));
    script.on_close.insert(2, amend(dec!(96)));
    let mut e = engine(EngineConfig::default(), MarketKind::Spot, script);
    e.set_execution(Box::new(ExternalExecution::new()));
    let mut events = Vec::new();
    step(&mut e, 0, dec!(100), &mut events);
    let entry = placed(&e.take_commands()).remove(0);
    let f = fill(&entry.client_id, "1", Side::Buy, dec!(2), dec!(100));
    apply(&mut e, ExternalReport::Fill { fill: f }, &mut events);
    e.take_commands();
    step(&mut e, 1, dec!(101), &mut events);
    assert_eq!(cancels(&e.take_commands()), vec![sl.to_string()]);
    let failed = ExternalReport::CancelFailed {
        client_id: sl.clone(),
        reason: "connection reset".into(),
        at: Timestamp::from_ms(1),
    };
    apply(&mut e, failed, &mut events);
    assert!(
        events
            .iter()
            .any(|ev| matches!(ev, EngineEvent::CancelFailed { .. }))
    );
    // The stop rests unchanged; the next bar asks again (with its amendment).
    step(&mut e, 2, dec!(102), &mut events);
    assert_eq!(cancels(&e.take_commands()), vec![sl.to_string()]);
    apply(&mut e, cancelled(&sl), &mut events);
    let replaced = placed(&e.take_commands());
    assert_eq!(replaced.len(), 1);
    assert_eq!(
        replaced[0].kind,
        OrderKind::StopMarket { trigger: dec!(96) }
    );
    assert!(protection(&events).is_empty());
}

#[test]
fn a_replay_of_the_same_reports_rebuilds_the_same_protection() {
    let run = || {
        let mut e = external();
        let mut events = Vec::new();
        let (_, sl, _) = filled_entry(&mut e, &mut events);
        apply(
            &mut e,
            rejected(&sl.client_id, "not sent: banned"),
            &mut events,
        );
        step(&mut e, 1, dec!(100), &mut events);
        (e.take_commands(), protection(&events))
    };
    let (a, pa) = run();
    let (b, pb) = run();
    assert_eq!(a, b);
    assert_eq!(pa, pb);
    assert!(matches!(a.as_slice(), [VenueCommand::Place(_)]));
}

#[test]
fn dust_under_the_lot_is_not_sold_nor_refused_every_bar() {
    // The venue's lot is 0.001; a base-asset fee left 0.0009 of a coin.
    let mut script = Script::default();
    for minute in 1..4 {
        script.on_close.insert(
            minute,
            vec![Intent::Place(OrderIntent::market(
                InstrumentIndex::new(0),
                Side::Sell,
                Size::ClosePosition,
            ))],
        );
    }
    let mut instrument = common::instrument(MarketKind::Spot);
    instrument.spec.lot_size = dec!(0.001);
    let table = vec![smc_engine::EngineInstrument {
        instrument,
        execution_timeframe: smc_model::Timeframe::M1,
    }];
    let mut e = Engine::new(
        EngineConfig::default(),
        table,
        Box::new(script),
        Box::new(smc_model::ApproveAll::default()),
        Box::new(smc_model::SimClock::default()),
    )
    .unwrap();
    e.set_execution(Box::new(ExternalExecution::new()));
    let mut events = Vec::new();
    step(&mut e, 0, dec!(100), &mut events);
    let f = fill(
        &ClientOrderId::new("outside"),
        "1",
        Side::Buy,
        dec!(0.0009),
        dec!(100),
    );
    apply(&mut e, ExternalReport::Fill { fill: f }, &mut events);
    for minute in 1..4 {
        step(&mut e, minute, dec!(100), &mut events);
    }
    assert!(e.take_commands().is_empty());
    let refused = events
        .iter()
        .filter(|ev| matches!(ev, EngineEvent::OrderRejected { .. }))
        .count();
    assert_eq!(refused, 0, "{events:?}");
}
