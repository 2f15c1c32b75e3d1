//! The simulated venue's fill rules on hand-made bars: intrabar paths,
//! gaps, no fill in the decision bar, latency, IOC/FOK/post-only, partial
//! fills, reduce-only and stop-limit orders.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Script, bar, engine, fills, run};
use rust_decimal::Decimal;
use rust_decimal::dec;
use smc_engine::{AccountConfig, AccountKind, EngineConfig, FeeModel, IntrabarRule, LatencyModel};
use smc_model::InstrumentIndex;
use smc_model::Timestamp;
use smc_model::{
    EngineEvent, Intent, Liquidity, MarketKind, OrderIntent, OrderKind, Side, Size, TimeInForce,
};

fn config(rule: IntrabarRule) -> EngineConfig {
    EngineConfig {
        fill_rule: rule,
        fees: FeeModel::ZERO,
        ..EngineConfig::default()
    }
}

fn script(steps: Vec<(i64, Vec<OrderIntent>)>) -> Script {
    Script {
        on_close: steps
            .into_iter()
            .map(|(m, v)| (m, v.into_iter().map(Intent::Place).collect()))
            .collect(),
    }
}

fn buy(qty: Decimal) -> OrderIntent {
    OrderIntent::market(InstrumentIndex::new(0), Side::Buy, Size::Qty(qty))
}

fn flat(minute: i64, p: Decimal) -> smc_model::Candle {
    bar(minute, p, p, p, p)
}

/// Entry at the open of bar 1 with a stop at 95 and a target at 105, then
/// bar 1 touches both. Returns the exit price.
fn bracket_exit(rule: IntrabarRule, high: Decimal, low: Decimal) -> Decimal {
    let entry = buy(dec!(1)).with_bracket(Some(dec!(95)), Some(dec!(105)));
    let mut e = engine(
        config(rule),
        MarketKind::Spot,
        script(vec![(0, vec![entry])]),
    );
    let events = run(
        &mut e,
        &[flat(0, dec!(100)), bar(1, dec!(100), high, low, dec!(100))],
    );
    let f = fills(&events);
    assert_eq!(f.len(), 2, "entry and one exit: {events:#?}");
    assert_eq!(f[0].price, dec!(100));
    let cancelled = events
        .iter()
        .filter(|e| matches!(e, EngineEvent::OrderCancelled { .. }))
        .count();
    assert_eq!(cancelled, 1, "the other bracket leg is cancelled");
    assert!(e.portfolio().position(0).qty.is_zero());
    f[1].price
}

#[test]
fn stop_first_fills_the_stop_when_stop_and_target_are_both_touched() {
    assert_eq!(
        bracket_exit(IntrabarRule::StopFirst, dec!(106), dec!(94)),
        dec!(95)
    );
}

#[test]
fn ohlc_follows_the_path_to_the_high_first() {
    assert_eq!(
        bracket_exit(IntrabarRule::Ohlc, dec!(106), dec!(94)),
        dec!(105)
    );
}

#[test]
fn nearest_extreme_visits_the_closer_extreme_first() {
    // The low (6 away) is nearer than the high (7 away).
    assert_eq!(
        bracket_exit(IntrabarRule::NearestExtreme, dec!(107), dec!(94)),
        dec!(95)
    );
    assert_eq!(
        bracket_exit(IntrabarRule::NearestExtreme, dec!(106), dec!(93)),
        dec!(105)
    );
}

#[test]
fn a_stop_gapped_through_fills_at_the_open() {
    let entry = buy(dec!(1)).with_bracket(Some(dec!(95)), None);
    let mut e = engine(
        config(IntrabarRule::Ohlc),
        MarketKind::Spot,
        script(vec![(0, vec![entry])]),
    );
    let bars = [
        flat(0, dec!(100)),
        flat(1, dec!(100)),
        bar(2, dec!(90), dec!(92), dec!(88), dec!(91)),
    ];
    let f = fills(&run(&mut e, &bars));
    assert_eq!(
        f[1].price,
        dec!(90),
        "gap down through the stop: filled at the open, not the trigger"
    );
    assert_eq!(f[1].time, bars[2].open_time);
}

#[test]
fn a_limit_gapped_through_in_your_favour_fills_at_the_open() {
    let limit = OrderIntent::limit(
        InstrumentIndex::new(0),
        Side::Buy,
        Size::Qty(dec!(1)),
        dec!(95),
    );
    let mut e = engine(
        config(IntrabarRule::Ohlc),
        MarketKind::Spot,
        script(vec![(0, vec![limit])]),
    );
    let bars = [
        flat(0, dec!(100)),
        bar(1, dec!(90), dec!(96), dec!(89), dec!(92)),
    ];
    let f = fills(&run(&mut e, &bars));
    assert_eq!(f[0].price, dec!(90));
    assert_eq!(f[0].liquidity, Liquidity::Taker, "marketable on arrival");
}

#[test]
fn an_order_decided_on_a_close_never_fills_in_that_bar() {
    // A limit at 99 decided on bar 0's close; bar 0 itself traded down to 98.
    let limit = OrderIntent::limit(
        InstrumentIndex::new(0),
        Side::Buy,
        Size::Qty(dec!(1)),
        dec!(99),
    );
    let mut e = engine(
        config(IntrabarRule::Ohlc),
        MarketKind::Spot,
        script(vec![(0, vec![limit])]),
    );
    let bars = [
        bar(0, dec!(100), dec!(100), dec!(98), dec!(100)),
        bar(1, dec!(100), dec!(101), dec!(99.5), dec!(100)),
    ];
    let events = run(&mut e, &bars);
    assert!(
        fills(&events).is_empty(),
        "bar 0 is before the decision; bar 1 never reached 99"
    );
    let events = run(
        &mut e,
        &[bar(2, dec!(100), dec!(100), dec!(98.5), dec!(99))],
    );
    assert_eq!(fills(&events)[0].price, dec!(99));
    assert_eq!(
        fills(&events)[0].liquidity,
        Liquidity::Maker,
        "it rested in the book"
    );
}

#[test]
fn latency_delays_eligibility_to_the_first_bar_opening_after_arrival() {
    let cfg = EngineConfig {
        latency: LatencyModel { ms: 90_000 },
        ..config(IntrabarRule::Ohlc)
    };
    let mut e = engine(cfg, MarketKind::Spot, script(vec![(0, vec![buy(dec!(1))])]));
    // Decided at 60 s, arrives at 150 s: bars opening at 60 s and 120 s cannot fill it.
    let bars: Vec<_> = (0..4).map(|m| flat(m, Decimal::from(100 + m))).collect();
    let events = run(&mut e, &bars);
    let accepted = events.iter().find_map(|e| match e {
        EngineEvent::OrderAccepted { eligible_at, .. } => Some(*eligible_at),
        _ => None,
    });
    assert_eq!(accepted, Some(Timestamp::from_ms(150_000)));
    let f = fills(&events);
    assert_eq!(
        (f[0].time, f[0].price),
        (Timestamp::from_ms(180_000), dec!(103))
    );
}

fn tif_events(
    tif: TimeInForce,
    limit: Decimal,
    participation: Option<Decimal>,
) -> (Vec<EngineEvent>, Decimal) {
    let cfg = EngineConfig {
        max_participation: participation,
        ..config(IntrabarRule::Ohlc)
    };
    let order = OrderIntent::limit(
        InstrumentIndex::new(0),
        Side::Buy,
        Size::Qty(dec!(10)),
        limit,
    )
    .with_tif(tif);
    let mut e = engine(cfg, MarketKind::Spot, script(vec![(0, vec![order])]));
    let events = run(
        &mut e,
        &[
            flat(0, dec!(100)),
            bar(1, dec!(100), dec!(101), dec!(97), dec!(98)),
        ],
    );
    let held = e.portfolio().position(0).qty;
    (events, held)
}

fn expired(events: &[EngineEvent]) -> usize {
    events
        .iter()
        .filter(|e| matches!(e, EngineEvent::OrderExpired { .. }))
        .count()
}

#[test]
fn ioc_fills_only_at_arrival_and_expires_the_rest() {
    // Not marketable at the open: expires although the bar later trades through.
    let (events, held) = tif_events(TimeInForce::Ioc, dec!(99), None);
    assert_eq!(
        (fills(&events).len(), held, expired(&events)),
        (0, dec!(0), 1)
    );
    // Marketable, but the volume cap allows 5 of 10.
    let (events, held) = tif_events(TimeInForce::Ioc, dec!(101), Some(dec!(0.005)));
    assert_eq!((held, expired(&events)), (dec!(5), 1));
    assert_eq!(fills(&events)[0].price, dec!(100));
}

#[test]
fn fok_fills_in_full_or_not_at_all() {
    let (events, held) = tif_events(TimeInForce::Fok, dec!(101), Some(dec!(0.005)));
    assert_eq!(
        (fills(&events).len(), held, expired(&events)),
        (0, dec!(0), 1)
    );
    let (events, held) = tif_events(TimeInForce::Fok, dec!(101), None);
    assert_eq!(
        (fills(&events).len(), held, expired(&events)),
        (1, dec!(10), 0)
    );
}

#[test]
fn post_only_is_rejected_if_it_would_take_and_otherwise_fills_as_maker() {
    let (events, held) = tif_events(TimeInForce::PostOnly, dec!(101), None);
    assert!(held.is_zero());
    assert!(events.iter().any(
        |e| matches!(e, EngineEvent::OrderRejected { reason, .. } if reason.contains("post-only"))
    ));
    let (events, held) = tif_events(TimeInForce::PostOnly, dec!(99), None);
    assert_eq!(held, dec!(10));
    let f = &fills(&events)[0];
    assert_eq!((f.price, f.liquidity), (dec!(99), Liquidity::Maker));
}

#[test]
fn a_volume_cap_fills_partially_over_several_bars() {
    let cfg = EngineConfig {
        max_participation: Some(dec!(0.001)),
        ..config(IntrabarRule::Ohlc)
    };
    let mut e = engine(
        cfg,
        MarketKind::Spot,
        script(vec![(0, vec![buy(dec!(2.5))])]),
    );
    let bars: Vec<_> = (0..5).map(|m| flat(m, dec!(100))).collect();
    let events = run(&mut e, &bars);
    let qtys: Vec<Decimal> = fills(&events).iter().map(|f| f.qty).collect();
    assert_eq!(
        qtys,
        vec![dec!(1), dec!(1), dec!(0.5)],
        "1 per bar of volume 1000"
    );
    assert_eq!(e.portfolio().position(0).qty, dec!(2.5));
    assert!(e.oms().open().is_empty(), "filled orders leave the book");
}

#[test]
fn reduce_only_never_flips_a_position() {
    let sell3 =
        OrderIntent::market(InstrumentIndex::new(0), Side::Sell, Size::Qty(dec!(3))).reduce_only();
    let steps = vec![
        (0, vec![buy(dec!(1))]),
        (1, vec![sell3.clone()]),
        (2, vec![sell3]),
    ];
    // A margin account could go short, so only reduce-only stops the flip.
    let account = AccountConfig {
        kind: AccountKind::Margin { leverage: dec!(1) },
        ..AccountConfig::default()
    };
    let cfg = EngineConfig {
        account,
        ..config(IntrabarRule::Ohlc)
    };
    let mut e = engine(cfg, MarketKind::Perpetual, script(steps));
    let bars: Vec<_> = (0..4).map(|m| flat(m, dec!(100))).collect();
    let events = run(&mut e, &bars);
    let f = fills(&events);
    assert_eq!(f[1].qty, dec!(1), "clipped to the position");
    assert!(e.portfolio().position(0).qty.is_zero());
    // The first order's remainder expires with the fill that flattened the
    // position; the second finds nothing to reduce.
    assert_eq!(expired(&events), 2);
}

#[test]
fn stop_limit_triggers_then_works_as_a_limit() {
    let kind = OrderKind::StopLimit {
        trigger: dec!(102),
        price: dec!(101.5),
    };
    let order = buy(dec!(1)).with_kind(kind);
    let mut e = engine(
        config(IntrabarRule::Ohlc),
        MarketKind::Spot,
        script(vec![(0, vec![order])]),
    );
    // O→H: triggers at 102, not marketable at 101.5; H→L: fills at 101.5.
    let events = run(
        &mut e,
        &[
            flat(0, dec!(100)),
            bar(1, dec!(100), dec!(104), dec!(99), dec!(100)),
        ],
    );
    let f = &fills(&events)[0];
    assert_eq!((f.price, f.liquidity), (dec!(101.5), Liquidity::Maker));

    let kind = OrderKind::StopLimit {
        trigger: dec!(102),
        price: dec!(103),
    };
    let mut e = engine(
        config(IntrabarRule::Ohlc),
        MarketKind::Spot,
        script(vec![(0, vec![buy(dec!(1)).with_kind(kind)])]),
    );
    let events = run(
        &mut e,
        &[
            flat(0, dec!(100)),
            bar(1, dec!(100), dec!(104), dec!(99), dec!(100)),
        ],
    );
    let f = &fills(&events)[0];
    assert_eq!(
        (f.price, f.liquidity),
        (dec!(102), Liquidity::Taker),
        "marketable the moment it triggers"
    );
}

#[test]
fn take_profit_and_stop_market_fill_at_their_triggers() {
    let tp = OrderIntent::market(InstrumentIndex::new(0), Side::Sell, Size::ClosePosition)
        .with_kind(OrderKind::TakeProfit { trigger: dec!(103) });
    let stop = buy(dec!(1)).with_kind(OrderKind::StopMarket { trigger: dec!(101) });
    let mut e = engine(
        config(IntrabarRule::Ohlc),
        MarketKind::Spot,
        script(vec![(0, vec![stop]), (1, vec![tp])]),
    );
    let bars = [
        flat(0, dec!(100)),
        bar(1, dec!(100), dec!(102), dec!(99), dec!(100)),
        bar(2, dec!(100), dec!(104), dec!(99), dec!(100)),
    ];
    let f = fills(&run(&mut e, &bars));
    assert_eq!((f[0].price, f[1].price), (dec!(101), dec!(103)));
    assert!(e.portfolio().position(0).qty.is_zero());
}
