//! Forex on the engine's own venue: bid candles with buys at the ask (the
//! spread is the cost), financing at each 17:00 New York rollover (paid by
//! longs, earned by shorts at the configured rates), and the margin
//! closeout when equity falls to half the margin in use.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Script, bar, engine, fills, run};
use rust_decimal::Decimal;
use rust_decimal::dec;
use smc_engine::{AccountConfig, AccountKind, EngineConfig, FeeModel, ForexConfig};
use smc_model::{
    EngineEvent, InstrumentIndex, Intent, MarketKind, OrderIntent, OrderKind, Side, Size,
};

fn config(leverage: Decimal, cash: Decimal) -> EngineConfig {
    EngineConfig {
        fees: FeeModel::ZERO,
        account: AccountConfig {
            kind: AccountKind::Margin { leverage },
            starting_cash: cash,
        },
        forex: ForexConfig {
            spread_pips: dec!(2),
            ..ForexConfig::default()
        },
        ..EngineConfig::default()
    }
}

fn place(minute: i64, side: Side, qty: Decimal, kind: OrderKind) -> (i64, Vec<Intent>) {
    let mut o = OrderIntent::market(InstrumentIndex::new(0), side, Size::Qty(qty));
    o.kind = kind;
    (minute, vec![Intent::Place(o)])
}

fn script(steps: Vec<(i64, Vec<Intent>)>) -> Script {
    Script {
        on_close: steps.into_iter().collect(),
    }
}

fn flat(minute: i64, p: Decimal) -> smc_model::Candle {
    bar(minute, p, p, p, p)
}

#[test]
fn buys_deal_at_the_ask_and_sells_at_the_bid() {
    let steps = vec![
        place(0, Side::Buy, dec!(10000), OrderKind::Market),
        place(1, Side::Sell, dec!(10000), OrderKind::Market),
    ];
    let mut e = engine(
        config(dec!(30), dec!(10000)),
        MarketKind::Forex,
        script(steps),
    );
    let events = run(
        &mut e,
        &[flat(0, dec!(1.1)), flat(1, dec!(1.1)), flat(2, dec!(1.1))],
    );
    let f = fills(&events);
    assert_eq!(f.len(), 2);
    // Two pips of 0.0001 above the bid.
    assert_eq!(f[0].price, dec!(1.1002));
    assert_eq!(f[1].price, dec!(1.1));
    assert!(f.iter().all(|f| f.fee.is_zero()));
    // A round trip at an unchanged bid costs the spread: 10,000 × 0.0002.
    assert_eq!(e.portfolio().equity(), dec!(9998));
    assert_eq!(e.portfolio().spread_paid(), dec!(2));
}

#[test]
fn a_buy_limit_waits_for_the_ask_to_reach_it() {
    let steps = vec![place(
        0,
        Side::Buy,
        dec!(1000),
        OrderKind::Limit {
            price: dec!(1.0990),
        },
    )];
    let mut e = engine(
        config(dec!(30), dec!(10000)),
        MarketKind::Forex,
        script(steps),
    );
    // Bar 1's bid low 1.0989 puts the ask at 1.0991: not yet. Bar 2's
    // bid reaches 1.0988, the ask 1.0990: filled at the limit.
    let events = run(
        &mut e,
        &[
            flat(0, dec!(1.1)),
            bar(1, dec!(1.1), dec!(1.1), dec!(1.0989), dec!(1.1)),
            bar(2, dec!(1.1), dec!(1.1), dec!(1.0988), dec!(1.1)),
        ],
    );
    let f = fills(&events);
    assert_eq!(f.len(), 1, "{events:#?}");
    assert_eq!(f[0].price, dec!(1.0990));
    assert_eq!(f[0].time.ms() / 60_000, 2);
}

/// 1970-01-01: the rollover is at 22:00 UTC, minute 1,320.
const ROLLOVER: i64 = 1320;

fn financing(events: &[EngineEvent]) -> Vec<Decimal> {
    events
        .iter()
        .filter_map(|e| match e {
            EngineEvent::FundingPaid { amount, .. } => Some(*amount),
            _ => None,
        })
        .collect()
}

#[test]
fn longs_pay_and_shorts_earn_financing_at_the_rollover() {
    for (side, expected) in [
        // 10,000 units at 1.1 is 11,000 notional: 3 %/yr for a day.
        (Side::Buy, dec!(11000) * dec!(3) / dec!(36500)),
        (Side::Sell, -(dec!(11000) * dec!(1) / dec!(36500))),
    ] {
        let steps = vec![place(ROLLOVER - 4, side, dec!(10000), OrderKind::Market)];
        let mut e = engine(
            config(dec!(30), dec!(10000)),
            MarketKind::Forex,
            script(steps),
        );
        let bars: Vec<_> = (ROLLOVER - 4..ROLLOVER + 3)
            .map(|m| flat(m, dec!(1.1)))
            .collect();
        let events = run(&mut e, &bars);
        let paid = financing(&events);
        // Exactly one charge: the bar closing at the rollover.
        assert_eq!(paid.len(), 1, "{side:?}: {paid:?}");
        let close = |a: Decimal| (a - expected).abs() < dec!(0.000000000000000001);
        assert!(close(paid[0]), "{side:?}: {} != {expected}", paid[0]);
        assert!(close(e.snapshot().funding_paid), "{side:?}");
    }
}

#[test]
fn a_spot_account_pays_no_financing_and_no_spread_off_forex() {
    let steps = vec![place(ROLLOVER - 2, Side::Buy, dec!(1), OrderKind::Market)];
    let mut cfg = config(dec!(1), dec!(10000));
    cfg.account.kind = AccountKind::Spot;
    let mut e = engine(cfg, MarketKind::Spot, script(steps));
    let bars: Vec<_> = (ROLLOVER - 2..ROLLOVER + 2)
        .map(|m| flat(m, dec!(100)))
        .collect();
    let events = run(&mut e, &bars);
    assert!(financing(&events).is_empty());
    assert_eq!(fills(&events)[0].price, dec!(100));
}

#[test]
fn equity_at_half_the_margin_closes_every_position() {
    // 100:1 on 1,000: a 100,000-unit long at 1.0 uses 1,000 of margin.
    let steps = vec![place(0, Side::Buy, dec!(100000), OrderKind::Market)];
    let mut cfg = config(dec!(100), dec!(1000));
    cfg.forex.spread_pips = Decimal::ZERO;
    let mut e = engine(cfg, MarketKind::Forex, script(steps));
    // Bar 2 closes 0.006 lower: equity 400 ≤ 50 % of ~994 margin.
    let events = run(
        &mut e,
        &[
            flat(0, dec!(1.0)),
            flat(1, dec!(1.0)),
            flat(2, dec!(0.994)),
            flat(3, dec!(0.994)),
        ],
    );
    let f = fills(&events);
    assert_eq!(f.len(), 2, "{events:#?}");
    assert!(
        f[1].client_id.as_str().contains("closeout"),
        "{}",
        f[1].client_id
    );
    assert_eq!(f[1].side, Side::Sell);
    assert_eq!(f[1].qty, dec!(100000));
    assert!(e.portfolio().position(0).qty.is_zero());
}
