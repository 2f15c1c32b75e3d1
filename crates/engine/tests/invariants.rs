//! Properties of the venue and the account on random input: a fill changes
//! equity (marked at the fill price) by exactly minus its fee; nothing fills
//! outside its bar's [low, high]; no order fills more than its quantity.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Script, engine, run};
use proptest::prelude::*;
use rust_decimal::Decimal;
use smc_engine::Portfolio;
use smc_engine::{AccountConfig, AccountKind, EngineConfig, IntrabarRule, SlippageModel};
use smc_model::InstrumentIndex;
use smc_model::Timestamp;
use smc_model::{Candle, EngineEvent, Intent, MarketKind, OrderIntent, OrderKind, Side, Size};
use std::collections::BTreeMap;

fn cents(c: i64) -> Decimal {
    Decimal::new(c, 2)
}

prop_compose! {
    fn arb_bar(minute: i64)(open in 9_000i64..11_000, close in 9_000i64..11_000, up in 0i64..300, down in 0i64..300, vol in 1i64..10_000) -> Candle {
        Candle {
            open_time: Timestamp::from_ms(minute * 60_000),
            open: cents(open),
            high: cents(open.max(close) + up),
            low: cents(open.min(close) - down),
            close: cents(close),
            volume: Decimal::from(vol),
        }
    }
}

fn arb_bars() -> impl Strategy<Value = Vec<Candle>> {
    (0..8i64).map(arb_bar).collect::<Vec<_>>()
}

fn arb_order() -> impl Strategy<Value = (usize, OrderIntent)> {
    (
        0usize..6,
        any::<bool>(),
        0u8..6,
        9_000i64..11_000,
        9_000i64..11_000,
        1i64..500,
        any::<bool>(),
    )
        .prop_map(|(minute, buy, kind, p1, p2, qty, reduce)| {
            let side = if buy { Side::Buy } else { Side::Sell };
            let kind = match kind {
                0 => OrderKind::Market,
                1 => OrderKind::Limit { price: cents(p1) },
                2 => OrderKind::StopMarket { trigger: cents(p1) },
                3 => OrderKind::StopLimit {
                    trigger: cents(p1),
                    price: cents(p2),
                },
                4 => OrderKind::TakeProfit { trigger: cents(p1) },
                _ => OrderKind::Limit { price: cents(p2) },
            };
            let mut o = OrderIntent::market(
                InstrumentIndex::new(0),
                side,
                Size::Qty(Decimal::new(qty, 1)),
            )
            .with_kind(kind);
            if reduce {
                o = o.reduce_only();
            }
            (minute, o)
        })
}

fn margin() -> AccountConfig {
    AccountConfig {
        kind: AccountKind::Margin {
            leverage: Decimal::from(3),
        },
        starting_cash: Decimal::from(100_000),
    }
}

proptest! {
    #[test]
    fn a_fill_changes_equity_by_exactly_its_fee(
        spot in any::<bool>(),
        fills in proptest::collection::vec((any::<bool>(), 1i64..1_000, 9_000i64..11_000, 0i64..100), 1..20),
    ) {
        let config = if spot { AccountConfig::default() } else { margin() };
        let mut p = Portfolio::new(config, 1);
        for (buy, qty, price, fee) in fills {
            let (side, qty, price, fee) = (if buy { Side::Buy } else { Side::Sell }, Decimal::new(qty, 2), cents(price), cents(fee));
            if p.check_funds(0, side, qty, price, fee).is_err() {
                continue;
            }
            p.mark(0, price);
            let before = p.equity();
            p.apply_fill(0, side, qty, price, fee, &smc_model::FeeSource::Quote);
            prop_assert_eq!(before - p.equity(), fee);
        }
    }

    #[test]
    fn fills_stay_inside_their_bar_and_within_the_order_quantity(
        bars in arb_bars(),
        orders in proptest::collection::vec(arb_order(), 1..6),
        rule in prop_oneof![Just(IntrabarRule::Ohlc), Just(IntrabarRule::NearestExtreme), Just(IntrabarRule::StopFirst)],
        bps in 0i64..50,
        cap in prop_oneof![Just(None), Just(Some(Decimal::new(1, 2)))],
    ) {
        let mut on_close: BTreeMap<i64, Vec<Intent>> = BTreeMap::new();
        let mut ordered: BTreeMap<String, Decimal> = BTreeMap::new();
        for (minute, o) in &orders {
            on_close.entry(*minute as i64).or_default().push(Intent::Place(o.clone()));
        }
        let config = EngineConfig {
            account: margin(),
            fill_rule: rule,
            slippage: SlippageModel::FixedBps { bps: Decimal::from(bps) },
            max_participation: cap,
            ..EngineConfig::default()
        };
        let mut e = engine(config, MarketKind::Perpetual, Script { on_close });
        let events = run(&mut e, &bars);
        let mut filled: BTreeMap<String, Decimal> = BTreeMap::new();
        for ev in &events {
            match ev {
                EngineEvent::OrderSubmitted { order, .. } => {
                    ordered.insert(order.client_id.to_string(), order.qty);
                }
                EngineEvent::Fill(f) => {
                    let bar = bars.iter().find(|b| b.open_time == f.time).unwrap();
                    prop_assert!(f.price >= bar.low && f.price <= bar.high, "{} outside [{}, {}]", f.price, bar.low, bar.high);
                    prop_assert!(f.time > Timestamp::from_ms(0), "nothing fills in the first bar: every order is decided on a close");
                    *filled.entry(f.client_id.to_string()).or_default() += f.qty;
                }
                _ => {}
            }
        }
        for (id, qty) in filled {
            prop_assert!(qty <= ordered[&id], "{id}: filled {qty} of {}", ordered[&id]);
        }
    }
}
