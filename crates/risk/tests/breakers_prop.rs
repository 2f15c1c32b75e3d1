//! Properties of a tripped breaker: whatever the portfolio and the intent,
//! nothing it approves can add exposure, and every order that only reduces
//! a position passes. The oracle computes the position after a full fill
//! by hand, independently of the gate's own test.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal::dec;
use smc_model::InstrumentIndex;
use smc_model::Timestamp;
use smc_model::{
    ApproveAll, EngineEvent, OrderIntent, OrderKind, PortfolioSnapshot, PositionSnapshot, RiskGate,
    RiskObservation, RiskOutcome, Side, Size,
};
use smc_risk::breakers::{BreakerConfig, BreakerGate, DrawdownConfig, MemoryStore};

fn tripped_gate() -> BreakerGate<ApproveAll> {
    let config = BreakerConfig {
        drawdown: Some(DrawdownConfig {
            max_percent: dec!(10),
            cooldown_ms: None,
        }),
        ..Default::default()
    };
    let mut g = BreakerGate::new(
        ApproveAll::default(),
        &config,
        Box::new(MemoryStore::new()),
        Timestamp::from_ms(0),
    )
    .unwrap();
    let mut sink = Vec::new();
    for (time, equity) in [(0, dec!(1000)), (1, dec!(850))] {
        let e = EngineEvent::EquityMark {
            time: Timestamp::from_ms(time),
            cash: equity,
            equity,
        };
        g.observe(RiskObservation::Event(&e), &mut sink);
    }
    assert!(!g.state().trading_allowed);
    g
}

fn decimal(lo: i64, hi: i64) -> impl Strategy<Value = Decimal> {
    (lo..=hi).prop_map(|n| Decimal::new(n, 2))
}

fn portfolio() -> impl Strategy<Value = PortfolioSnapshot> {
    (
        prop::collection::vec((decimal(-500, 500), decimal(1, 100_000)), 1..4),
        decimal(0, 10_000_000),
    )
        .prop_map(|(positions, equity)| PortfolioSnapshot {
            equity,
            positions: positions
                .into_iter()
                .enumerate()
                .map(|(instrument, (qty, mark))| PositionSnapshot {
                    instrument: InstrumentIndex::new(instrument),
                    qty,
                    avg_price: mark,
                    mark_price: mark,
                    realized_pnl: Decimal::ZERO,
                })
                .collect(),
            ..Default::default()
        })
}

fn side() -> impl Strategy<Value = Side> {
    prop_oneof![Just(Side::Buy), Just(Side::Sell)]
}

fn intent() -> impl Strategy<Value = OrderIntent> {
    let size = prop_oneof![
        decimal(0, 1_000).prop_map(Size::Qty),
        decimal(0, 100_000).prop_map(Size::Notional),
        decimal(0, 100).prop_map(Size::EquityFraction),
        Just(Size::ClosePosition),
    ];
    let kind = prop_oneof![
        Just(OrderKind::Market),
        decimal(1, 100_000).prop_map(|price| OrderKind::Limit { price }),
        decimal(1, 100_000).prop_map(|trigger| OrderKind::StopMarket { trigger }),
    ];
    (0usize..5, side(), size, kind, any::<bool>()).prop_map(
        |(instrument, side, size, kind, reduce_only)| {
            let mut i =
                OrderIntent::market(InstrumentIndex::new(instrument), side, size).with_kind(kind);
            i.reduce_only = reduce_only;
            i
        },
    )
}

/// Whether a full fill of `i` could leave a larger or flipped position.
fn adds_exposure(i: &OrderIntent, p: &PortfolioSnapshot) -> bool {
    if i.reduce_only || i.size == Size::ClosePosition {
        return false; // the venue caps these at the open position
    }
    let Some(pos) = p.positions.get(i.instrument.get()) else {
        return true;
    };
    let price = match i.kind {
        OrderKind::Limit { price } => price,
        OrderKind::StopMarket { trigger } => trigger,
        _ => pos.mark_price,
    };
    let qty = match i.size {
        Size::Qty(q) => q,
        Size::Notional(n) => n / price,
        Size::EquityFraction(f) => f * p.equity / price,
        Size::ClosePosition => unreachable!(),
    };
    let signed = if i.side == Side::Buy { qty } else { -qty };
    let after = pos.qty + signed;
    after.abs() > pos.qty.abs() || (after * pos.qty) < Decimal::ZERO
}

proptest! {
    #[test]
    fn a_tripped_breaker_accepts_no_risk_increasing_order(p in portfolio(), i in intent()) {
        let mut g = tripped_gate();
        let increases = adds_exposure(&i, &p);
        match g.check(i, &p) {
            RiskOutcome::Refused { reason, .. } => {
                prop_assert!(reason.starts_with("circuit breaker drawdown tripped"), "{}", reason);
            }
            approved => prop_assert!(!increases, "approved a risk-increasing order: {:?}", approved),
        }
        prop_assert!(!g.state().trading_allowed);
    }

    #[test]
    fn risk_reducing_orders_pass_while_tripped(
        p in portfolio(),
        which in 0usize..3,
        fraction in 0u32..=100,
        how in 0u8..3,
    ) {
        let which = which % p.positions.len();
        let pos = p.positions[which];
        prop_assume!(!pos.qty.is_zero());
        let side = if pos.qty > Decimal::ZERO { Side::Sell } else { Side::Buy };
        let qty = pos.qty.abs() * Decimal::from(fraction) / dec!(100);
        let intent = match how {
            0 => OrderIntent::market(InstrumentIndex::new(which), side, Size::Qty(qty)),
            1 => OrderIntent::market(InstrumentIndex::new(which), side, Size::ClosePosition),
            _ => OrderIntent::limit(InstrumentIndex::new(which), side, Size::Qty(qty), pos.mark_price).reduce_only(),
        };
        let mut g = tripped_gate();
        let outcome = g.check(intent.clone(), &p);
        prop_assert_eq!(outcome, RiskOutcome::Approved(intent));
    }
}
