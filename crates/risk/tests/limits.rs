//! The pre-trade limits: unit cases and the invariant that no accepted
//! order ever breaks a limit, whatever the portfolio and the order.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use rust_decimal::Decimal;
use smc_model::{PortfolioSnapshot, PositionSnapshot, Side};
use smc_risk::{Limits, LimitsGate};
use smc_strategy::{OrderIntent, RiskGate, RiskOutcome, Size};

fn portfolio(equity: i64, positions: &[(i64, i64)]) -> PortfolioSnapshot {
    PortfolioSnapshot {
        time: 1_700_000_000_000,
        cash: Decimal::from(equity),
        equity: Decimal::from(equity),
        positions: positions
            .iter()
            .enumerate()
            .map(|(i, &(qty, mark))| PositionSnapshot {
                instrument: i,
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
    }
}

fn buy(instrument: usize, qty: i64) -> OrderIntent {
    OrderIntent::market(instrument, Side::Buy, Size::Qty(Decimal::from(qty)))
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
    let sell = OrderIntent::market(0, Side::Sell, Size::Qty(Decimal::ONE));
    assert!(matches!(gate.check(sell, &p), RiskOutcome::Approved(_)));
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
        let intent = OrderIntent::market(instrument, side, Size::Qty(Decimal::from(qty)));
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
