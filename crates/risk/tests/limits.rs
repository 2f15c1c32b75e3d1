//! The pre-trade limits: unit cases and the invariant that no accepted
//! order ever breaks a limit, whatever the portfolio and the order.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use rust_decimal::Decimal;
use smc_model::InstrumentIndex;
use smc_model::Timestamp;
use smc_model::{
    OrderIntent, PortfolioSnapshot, PositionSnapshot, RiskGate, RiskOutcome, Side, Size,
};
use smc_risk::{Limits, LimitsGate};

fn portfolio(equity: i64, positions: &[(i64, i64)]) -> PortfolioSnapshot {
    PortfolioSnapshot {
        time: Timestamp::from_ms(1_700_000_000_000),
        cash: Decimal::from(equity),
        equity: Decimal::from(equity),
        positions: positions
            .iter()
            .enumerate()
            .map(|(i, &(qty, mark))| PositionSnapshot {
                instrument: InstrumentIndex::new(i),
                qty: Decimal::from(qty),
                avg_price: Decimal::from(mark),
                mark_price: Decimal::from(mark),
                realized_pnl: Decimal::ZERO,
            })
            .collect(),
        ..PortfolioSnapshot::default()
    }
}

fn limits() -> Limits {
    Limits {
        max_position_size: Some(Decimal::from(1000)),
        max_daily_loss: Some(Decimal::from(500)),
        max_positions: Some(2),
        max_drawdown_percent: Some(Decimal::from(20)),
        max_leverage: Some(Decimal::from(3)),
        max_stop_percent: None,
    }
}

fn buy(instrument: usize, qty: i64) -> OrderIntent {
    OrderIntent::market(
        InstrumentIndex::new(instrument),
        Side::Buy,
        Size::Qty(Decimal::from(qty)),
    )
}

#[test]
fn an_order_over_the_position_cap_is_resized_to_fit() {
    let mut gate = LimitsGate::new(limits());
    let out = gate.check(buy(0, 30), &portfolio(10_000, &[(0, 100), (0, 50)]));
    match out {
        RiskOutcome::Resized { intent, reason } => {
            assert_eq!(intent.size, Size::Qty(Decimal::from(10)), "1000 / 100");
            assert!(reason.contains("max_position_size"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_new_position_beyond_max_positions_is_refused_but_reducing_is_allowed() {
    let mut gate = LimitsGate::new(limits());
    let p = portfolio(10_000, &[(2, 100), (1, 50), (0, 10)]);
    assert!(
        matches!(gate.check(buy(2, 1), &p), RiskOutcome::Refused { reason, .. } if reason.starts_with("max_positions"))
    );
    let sell = OrderIntent::market(InstrumentIndex::new(0), Side::Sell, Size::Qty(Decimal::ONE));
    assert!(matches!(gate.check(sell, &p), RiskOutcome::Approved(_)));
}

#[test]
fn dust_no_order_can_trade_is_no_open_position_for_max_positions() {
    // Lots of 0.001 with a minimum of 0.001: 0.000886 (what a spot buy's
    // base-asset fee leaves after the exit) cannot be sold.
    let spec = smc_model::InstrumentSpec {
        tick_size: Decimal::new(1, 2),
        lot_size: Decimal::new(1, 3),
        min_qty: Decimal::new(1, 3),
        min_notional: Decimal::ZERO,
    };
    let mut p = portfolio(10_000, &[(2, 100), (0, 50), (0, 10)]);
    p.positions[1].qty = Decimal::new(886, 6);
    let entry = |i| {
        OrderIntent::market(
            InstrumentIndex::new(i),
            Side::Buy,
            Size::Qty(Decimal::new(1, 3)),
        )
    };
    let mut gate = LimitsGate::new(limits()).with_specs(vec![spec; 3]);
    assert!(
        matches!(gate.check(entry(2), &p), RiskOutcome::Approved(_)),
        "one position and one dust: a second position fits under 2"
    );
    p.positions[2].qty = Decimal::new(5, 1);
    assert!(
        matches!(gate.check(entry(1), &p), RiskOutcome::Refused { reason, .. } if reason.starts_with("max_positions")),
        "two positions: the dusty symbol's entry is a third"
    );
    // Without the rules the dust counts, as before.
    let mut blind = LimitsGate::new(limits());
    p.positions[2].qty = Decimal::ZERO;
    assert!(
        matches!(blind.check(entry(2), &p), RiskOutcome::Refused { reason, .. } if reason.starts_with("max_positions"))
    );
}

#[test]
fn the_daily_loss_limit_stops_new_risk_until_the_next_utc_day() {
    let mut gate = LimitsGate::new(limits());
    let mut p = portfolio(10_000, &[(0, 100)]);
    assert!(matches!(
        gate.check(buy(0, 1), &p),
        RiskOutcome::Approved(_)
    ));
    p.equity = Decimal::from(9_400);
    assert!(
        matches!(gate.check(buy(0, 1), &p), RiskOutcome::Refused { reason, .. } if reason.starts_with("max_daily_loss"))
    );
    assert!(!gate.state().trading_allowed);
    p.time += 86_400_000;
    assert!(
        matches!(gate.check(buy(0, 1), &p), RiskOutcome::Approved(_)),
        "a new day starts from 9,400"
    );
}

proptest! {
    #[test]
    fn no_accepted_order_breaks_a_limit(
        equity in 1_000i64..100_000,
        held in prop::collection::vec((-20i64..20, 1i64..500), 1..4),
        instrument in 0usize..4,
        qty in 1i64..100,
        sell in any::<bool>(),
    ) {
        let mut gate = LimitsGate::new(limits());
        let p = portfolio(equity, &held);
        let side = if sell { Side::Sell } else { Side::Buy };
        let intent = OrderIntent::market(InstrumentIndex::new(instrument), side, Size::Qty(Decimal::from(qty)));
        let out = gate.check(intent, &p);
        let Some(accepted) = out.clone().into_approved() else { return Ok(()) };
        let pos = p.positions[instrument.min(p.positions.len() - 1)];
        prop_assume!(instrument < p.positions.len());
        let Size::Qty(q) = accepted.size else { unreachable!() };
        let after = pos.qty + side.sign() * q;
        let sign = |d: Decimal| d.cmp(&Decimal::ZERO);
        let reduces = after.abs() < pos.qty.abs() || (sign(pos.qty) != sign(after) && after.abs() <= pos.qty.abs());
        if !reduces {
            prop_assert!(after.abs() * pos.mark_price <= Decimal::from(1000), "position cap: {out:?}");
            let gross: Decimal = p.positions.iter().map(|x| x.qty.abs() * x.mark_price).sum::<Decimal>() + q * pos.mark_price;
            prop_assert!(gross <= Decimal::from(3) * p.equity, "leverage: {out:?}");
            // Opening a position may not take the count past the limit
            // (a portfolio already over it, after a reload, may still add).
            if pos.is_flat() {
                let open_after = p.positions.iter().filter(|x| !x.is_flat()).count() + 1;
                prop_assert!(open_after <= 2, "max_positions: {out:?}");
            }
        }
    }
}

fn tags() -> Vec<smc_risk::InstrumentTag> {
    [
        "binance:BTCUSDT",
        "binance:ETHUSDT",
        "bybit:BTCUSDT",
        "oanda:EUR_USD",
    ]
    .iter()
    .map(|id| smc_risk::InstrumentTag::from_id(id))
    .collect()
}

fn exposure_gate() -> LimitsGate {
    LimitsGate::new(Limits::default()).with_exposure(
        smc_risk::ExposureCaps {
            symbol: Some(Decimal::from(20)),
            venue: Some(Decimal::from(35)),
            group: Some(Decimal::from(30)),
            correlated_groups: vec![vec!["BTCUSDT".into(), "ETHUSDT".into()]],
        },
        tags(),
    )
}

proptest! {
    /// Whatever is held, an accepted order that adds exposure leaves its
    /// symbol, its venue and its correlated group within their caps.
    #[test]
    fn no_accepted_order_breaks_an_exposure_cap(
        equity in 1_000i64..100_000,
        held in prop::collection::vec((-20i64..20, 1i64..500), 4..5),
        instrument in 0usize..4,
        qty in 1i64..100,
    ) {
        let mut gate = exposure_gate();
        let p = portfolio(equity, &held);
        let pos = p.positions[instrument];
        // Only orders that add exposure: the side of the position, or buys when flat.
        let side = if pos.qty < Decimal::ZERO { Side::Sell } else { Side::Buy };
        let intent = OrderIntent::market(InstrumentIndex::new(instrument), side, Size::Qty(Decimal::from(qty)));
        let out = gate.check(intent, &p);
        let Some(accepted) = out.clone().into_approved() else { return Ok(()) };
        let Size::Qty(q) = accepted.size else { unreachable!() };
        let tags = tags();
        let notional = |member: &dyn Fn(usize) -> bool| -> Decimal {
            p.positions.iter().filter(|x| member(x.instrument.get())).map(|x| x.qty.abs() * x.mark_price).sum::<Decimal>()
                + if member(instrument) { q * pos.mark_price } else { Decimal::ZERO }
        };
        let cap = |pct: i64| Decimal::from(pct) * p.equity / Decimal::ONE_HUNDRED;
        let t = &tags[instrument];
        // Caps bind on what is added; a book already over a cap may not add.
        let before = |member: &dyn Fn(usize) -> bool| notional(member) - if member(instrument) { q * pos.mark_price } else { Decimal::ZERO };
        let symbol = |i: usize| tags[i].symbol == t.symbol;
        let venue = |i: usize| tags[i].venue == t.venue;
        prop_assert!(notional(&symbol) <= cap(20).max(before(&symbol)), "symbol: {out:?}");
        prop_assert!(notional(&venue) <= cap(35).max(before(&venue)), "venue: {out:?}");
        if t.symbol != "EUR_USD" {
            let group = |i: usize| tags[i].symbol != "EUR_USD";
            prop_assert!(notional(&group) <= cap(30).max(before(&group)), "group: {out:?}");
        }
    }
}

#[test]
fn an_order_past_an_exposure_cap_is_resized_with_the_cap_named() {
    let mut gate = exposure_gate();
    // 10,000 equity; 10 BTC at 100 on bybit: 1,000 of BTCUSDT's 2,000.
    let p = portfolio(10_000, &[(0, 100), (0, 100), (10, 100), (0, 100)]);
    let out = gate.check(buy(0, 50), &p);
    let RiskOutcome::Resized { intent, reason } = out else {
        panic!("{out:?}")
    };
    assert_eq!(intent.size, Size::Qty(Decimal::from(10)));
    assert!(
        reason.contains("max_exposure_percent.symbol 20%"),
        "{reason}"
    );
}

#[test]
fn the_portfolio_var_limit_refuses_what_would_breach_it_but_not_a_hedge() {
    use smc_model::RiskObservation;
    use smc_model::{Candle, EventSink};
    struct Null;
    impl EventSink for Null {
        fn emit(&mut self, _: &smc_model::EngineEvent) {}
    }
    let mut gate = LimitsGate::new(Limits::default())
        .with_portfolio_var(smc_risk::PortfolioVar::new(Decimal::from(2), 0.95, 100));
    // Returns alternate +1 % and −2 %: a 10,000 long loses 200 (2 %) at the 5 % quantile.
    let mut close = Decimal::from(100);
    for k in 0..41 {
        let candle = Candle {
            open_time: Timestamp::from_ms(k * 60_000),
            open: close,
            high: close,
            low: close,
            close,
            volume: Decimal::ONE,
        };
        gate.observe(
            RiskObservation::Bar {
                instrument: InstrumentIndex::new(0),
                timeframe: smc_model::Timeframe::M1,
                candle: &candle,
                close_time: Timestamp::from_ms(k * 60_000 + 60_000),
            },
            &mut Null,
        );
        close *= if k % 2 == 0 {
            Decimal::new(101, 2)
        } else {
            Decimal::new(98, 2)
        };
    }
    let p = portfolio(10_000, &[(0, 100)]);
    assert!(
        matches!(gate.check(buy(0, 90), &p), RiskOutcome::Approved(_)),
        "1.8 % of equity"
    );
    let out = gate.check(buy(0, 150), &p);
    let RiskOutcome::Refused { reason, .. } = out else {
        panic!("{out:?}")
    };
    assert!(reason.contains("max_portfolio_var_percent"), "{reason}");
    // Already long 150 (3 %): selling 50 lowers the VaR, so it passes.
    let long = portfolio(10_000, &[(150, 100)]);
    let sell = OrderIntent::market(
        InstrumentIndex::new(0),
        Side::Sell,
        Size::Qty(Decimal::from(50)),
    );
    assert!(gate.check(sell, &long).into_approved().is_some());
}

#[test]
fn limits_pushed_through_the_handle_apply_at_the_next_check() {
    let mut gate = LimitsGate::new(limits());
    let handle = gate.reload_handle();
    let p = portfolio(10_000, &[(0, 100), (0, 100)]);
    // 1,000 per position: 10 at 100.
    let RiskOutcome::Resized { intent, .. } = gate.check(buy(0, 50), &p) else {
        panic!()
    };
    assert_eq!(intent.size, Size::Qty(Decimal::from(10)));
    handle.push(smc_risk::LimitsUpdate {
        limits: Limits {
            max_position_size: Some(Decimal::from(300)),
            ..limits()
        },
        caps: smc_risk::ExposureCaps::default(),
        var: None,
    });
    let RiskOutcome::Resized { intent, reason } = gate.check(buy(0, 50), &p) else {
        panic!()
    };
    assert_eq!(intent.size, Size::Qty(Decimal::from(3)));
    assert!(reason.contains("max_position_size 300"), "{reason}");
    // Taken once: the gate keeps the new limits.
    assert!(matches!(
        gate.check(buy(0, 3), &p),
        RiskOutcome::Approved(_)
    ));
}

#[test]
fn an_entry_without_a_stop_gets_one_and_a_stop_too_far_is_refused() {
    let mut gate = LimitsGate::new(Limits {
        max_stop_percent: Some(Decimal::from(2)),
        ..Limits::default()
    });
    let p = portfolio(10_000, &[(0, 100)]);
    // A market buy at the mark of 100 gets a stop 2 % under it.
    let RiskOutcome::Approved(intent) = gate.check(buy(0, 1), &p) else {
        panic!("refused");
    };
    assert_eq!(intent.stop_loss, Some(Decimal::from(98)));
    // A limit sell at 200 gets its stop 2 % above.
    let sell = OrderIntent::limit(
        InstrumentIndex::new(0),
        Side::Sell,
        Size::Qty(Decimal::ONE),
        Decimal::from(200),
    );
    let RiskOutcome::Approved(intent) = gate.check(sell, &p) else {
        panic!("refused");
    };
    assert_eq!(intent.stop_loss, Some(Decimal::from(204)));
    // A stop 1.5 % away passes unchanged; one 3 % away is refused.
    let near = buy(0, 1).with_bracket(Some(Decimal::new(985, 1)), None);
    let RiskOutcome::Approved(intent) = gate.check(near.clone(), &p) else {
        panic!("refused");
    };
    assert_eq!(intent, near);
    let far = buy(0, 1).with_bracket(Some(Decimal::from(97)), None);
    let RiskOutcome::Refused { reason, .. } = gate.check(far, &p) else {
        panic!("a 3 % stop passed a 2 % limit");
    };
    assert!(
        reason.contains("stop_loss_percent") && reason.contains("3"),
        "{reason}"
    );
    // An exit needs no stop.
    let exit =
        OrderIntent::market(InstrumentIndex::new(0), Side::Sell, Size::ClosePosition).reduce_only();
    let RiskOutcome::Approved(intent) = gate.check(exit, &portfolio(10_000, &[(5, 100)])) else {
        panic!("refused");
    };
    assert_eq!(intent.stop_loss, None);
}
