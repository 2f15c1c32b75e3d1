//! The order life cycle through the engine for every order type: each is
//! submitted, accepted and then filled, expired, cancelled or rejected, and
//! client ids are deterministic (the same run gives the same ids).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Script, bar, engine, run};
use rust_decimal::dec;
use smc_engine::{EngineConfig, FeeModel};
use smc_model::InstrumentIndex;
use smc_model::{EngineEvent, Intent, MarketKind, OrderIntent, OrderKind, Side, Size, TimeInForce};

/// The event types of one run, in order, without times.
fn lifecycle(order: OrderIntent) -> Vec<String> {
    let buy_first = OrderIntent::market(InstrumentIndex::new(0), Side::Buy, Size::Qty(dec!(1)));
    let script = Script {
        on_close: [
            (0, vec![Intent::Place(buy_first)]),
            (1, vec![Intent::Place(order)]),
        ]
        .into(),
    };
    let cfg = EngineConfig {
        fees: FeeModel::ZERO,
        ..EngineConfig::default()
    };
    let mut e = engine(cfg, MarketKind::Spot, script);
    let bars = [
        bar(0, dec!(100), dec!(100), dec!(100), dec!(100)),
        bar(1, dec!(100), dec!(100), dec!(100), dec!(100)),
        bar(2, dec!(100), dec!(106), dec!(94), dec!(100)),
    ];
    run(&mut e, &bars)
        .iter()
        .filter(|e| {
            !matches!(
                e,
                EngineEvent::EquityMark { .. }
                    | EngineEvent::PositionChanged { .. }
                    // A decision's outcome, not the order's lifecycle.
                    | EngineEvent::NoTrade { .. }
            )
        })
        .skip(4) // the first buy: risk decision, submitted, accepted, fill
        .map(|e| match e {
            EngineEvent::RiskDecision { .. } => "risk".to_string(),
            EngineEvent::OrderSubmitted { order, .. } => format!("submitted {}", order.client_id),
            EngineEvent::OrderAccepted { .. } => "accepted".into(),
            EngineEvent::Fill(f) => format!("fill {} {} @{}", f.client_id, f.qty, f.price),
            EngineEvent::OrderExpired { .. } => "expired".into(),
            EngineEvent::OrderCancelled { .. } => "cancelled".into(),
            EngineEvent::OrderRejected { .. } => "rejected".into(),
            other => format!("{other:?}"),
        })
        .collect()
}

fn sell(kind: OrderKind) -> OrderIntent {
    OrderIntent::market(InstrumentIndex::new(0), Side::Sell, Size::Qty(dec!(1))).with_kind(kind)
}

const ID: &str = "script-120000-0";

#[test]
fn every_order_type_goes_submitted_accepted_filled() {
    let kinds = [
        (OrderKind::Market, dec!(100)),
        (OrderKind::Limit { price: dec!(105) }, dec!(105)),
        (OrderKind::StopMarket { trigger: dec!(95) }, dec!(95)),
        (
            OrderKind::StopLimit {
                trigger: dec!(95),
                price: dec!(95),
            },
            dec!(95),
        ),
        (OrderKind::TakeProfit { trigger: dec!(105) }, dec!(105)),
    ];
    for (kind, price) in kinds {
        assert_eq!(
            lifecycle(sell(kind)),
            vec![
                "risk".to_string(),
                format!("submitted {ID}"),
                "accepted".into(),
                format!("fill {ID} 1 @{price}")
            ],
            "{kind:?}"
        );
    }
}

#[test]
fn reduce_only_ioc_fok_and_post_only_reach_their_terminal_states() {
    let tail = |s: &str| {
        vec![
            "risk".to_string(),
            format!("submitted {ID}"),
            "accepted".into(),
            s.to_string(),
        ]
    };
    let out_of_reach = OrderKind::Limit { price: dec!(110) };
    assert_eq!(
        lifecycle(sell(out_of_reach).with_tif(TimeInForce::Ioc)),
        tail("expired")
    );
    assert_eq!(
        lifecycle(sell(out_of_reach).with_tif(TimeInForce::Fok)),
        tail("expired")
    );
    let crossing = OrderKind::Limit { price: dec!(99) };
    assert_eq!(
        lifecycle(sell(crossing).with_tif(TimeInForce::PostOnly)),
        tail("rejected")
    );
    assert_eq!(
        lifecycle(sell(OrderKind::Market).reduce_only()),
        tail(&format!("fill {ID} 1 @100"))
    );
}

#[test]
fn intents_the_venue_cannot_take_are_rejected_before_submission() {
    let stop_ioc = sell(OrderKind::StopMarket { trigger: dec!(95) }).with_tif(TimeInForce::Ioc);
    assert_eq!(lifecycle(stop_ioc), vec!["risk", "rejected"]);
    let zero = OrderIntent::market(InstrumentIndex::new(0), Side::Sell, Size::Qty(dec!(0)));
    assert_eq!(lifecycle(zero), vec!["risk", "rejected"]);
    let bad_instrument =
        OrderIntent::market(InstrumentIndex::new(7), Side::Sell, Size::Qty(dec!(1)));
    assert_eq!(lifecycle(bad_instrument), vec!["risk", "rejected"]);
}

#[test]
fn the_strategy_can_cancel_a_resting_order() {
    let limit = OrderIntent::limit(
        InstrumentIndex::new(0),
        Side::Buy,
        Size::Qty(dec!(1)),
        dec!(50),
    );
    let script = Script {
        on_close: [
            (0, vec![Intent::Place(limit)]),
            (
                1,
                vec![Intent::CancelAll {
                    instrument: InstrumentIndex::new(0),
                }],
            ),
        ]
        .into(),
    };
    let mut e = engine(EngineConfig::default(), MarketKind::Spot, script);
    let p = dec!(100);
    let events = run(&mut e, &[bar(0, p, p, p, p), bar(1, p, p, p, p)]);
    assert!(
        events
            .iter()
            .any(|e| matches!(e, EngineEvent::OrderCancelled { .. }))
    );
    assert!(e.oms().open().is_empty());
}
