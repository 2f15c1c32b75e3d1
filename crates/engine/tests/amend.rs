//! Moving a resting stop (trailing and break-even stops): the amended
//! trigger is the one that fills, an amendment of an order that is not an
//! open stop is refused with an event and changes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Script, bar, engine, fills, run};
use rust_decimal::dec;
use smc_engine::{EngineConfig, FeeModel};
use smc_model::InstrumentIndex;
use smc_model::Timestamp;
use smc_model::{ClientOrderId, EngineEvent, Intent, MarketKind, OrderIntent, Side, Size};

fn config() -> EngineConfig {
    EngineConfig {
        fees: FeeModel::ZERO,
        ..EngineConfig::default()
    }
}

/// Buys on bar 0's close with a stop at 95 and a target at 120; on bar 1's
/// close, `amend` runs. Bar 2 dips to 98.
fn run_with(amend: Vec<Intent>) -> (Vec<EngineEvent>, smc_engine::Engine) {
    let entry = OrderIntent::market(InstrumentIndex::new(0), Side::Buy, Size::Qty(dec!(1)))
        .with_bracket(Some(dec!(95)), Some(dec!(120)));
    let mut script = Script::default();
    script.on_close.insert(0, vec![entry.into()]);
    script.on_close.insert(1, amend);
    let mut e = engine(config(), MarketKind::Spot, script);
    let bars = [
        bar(0, dec!(100), dec!(100), dec!(100), dec!(100)),
        bar(1, dec!(100), dec!(104), dec!(100), dec!(103)),
        bar(2, dec!(103), dec!(103), dec!(98), dec!(99)),
    ];
    (run(&mut e, &bars), e)
}

fn stop_leg() -> ClientOrderId {
    // The entry decided at bar 0's close (60,000 ms) is the script's first order.
    ClientOrderId::new(format!(
        "{}-sl",
        ClientOrderId::from_decision("script", Timestamp::from_ms(60_000), 0)
    ))
}

#[test]
fn the_amended_trigger_is_the_one_that_fills() {
    let (events, e) = run_with(vec![Intent::AmendStop {
        client_id: stop_leg(),
        trigger: dec!(99.5),
    }]);
    assert!(
        events.iter().any(
            |ev| matches!(ev, EngineEvent::OrderAmended { trigger, .. } if *trigger == dec!(99.5))
        ),
        "{events:#?}"
    );
    let f = fills(&events);
    assert_eq!(f.len(), 2, "entry and the moved stop: {events:#?}");
    assert_eq!(f[1].price, dec!(99.5));
    assert!(e.portfolio().position(0).qty.is_zero());
}

#[test]
fn without_the_amendment_the_original_stop_holds() {
    let (events, e) = run_with(vec![]);
    assert_eq!(fills(&events).len(), 1, "95 is not reached");
    assert_eq!(e.portfolio().position(0).qty, dec!(1));
}

#[test]
fn amending_what_is_not_an_open_stop_is_refused_and_changes_nothing() {
    let target = ClientOrderId::new(format!(
        "{}-tp",
        ClientOrderId::from_decision("script", Timestamp::from_ms(60_000), 0)
    ));
    let (events, e) = run_with(vec![
        Intent::AmendStop {
            client_id: ClientOrderId::new("nope"),
            trigger: dec!(99),
        },
        Intent::AmendStop {
            client_id: target,
            trigger: dec!(101),
        },
    ]);
    let refused: Vec<&String> = events
        .iter()
        .filter_map(|ev| match ev {
            EngineEvent::AmendRejected { reason, .. } => Some(reason),
            _ => None,
        })
        .collect();
    assert_eq!(refused.len(), 2, "{events:#?}");
    assert!(refused[0].contains("no open order"));
    assert!(refused[1].contains("no stop to move"), "{}", refused[1]);
    assert_eq!(e.portfolio().position(0).qty, dec!(1), "nothing filled");
}
