//! Invariants of the router over random books, fees, caps and health.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use rust_decimal::Decimal;
use smc_model::Side;
use smc_routing::{
    BookSide, CostModel, Health, Level, LotRules, RouteRequest, RoutingDecision, VenueQuote, route,
};

fn quote(name: String, buy: bool) -> impl Strategy<Value = VenueQuote> {
    (
        prop::collection::vec((1i64..50, 1i64..5_000), 0..8),
        9_000i64..11_000,
        0i64..20,
        prop::bool::weighted(0.8),
        prop::bool::weighted(0.1),
        prop::option::of(1i64..100_000),
    )
        .prop_map(move |(steps, start, fee_bp, connected, tripped, cap)| {
            let mut price = Decimal::new(start, 2);
            let levels = steps
                .into_iter()
                .map(|(gap, qty)| {
                    let gap = Decimal::new(gap, 2);
                    price = if buy { price + gap } else { price - gap };
                    Level {
                        price,
                        qty: Decimal::new(qty, 3),
                    }
                })
                .collect();
            VenueQuote {
                venue: name.clone(),
                book: BookSide::new(levels),
                taker_fee: Decimal::new(fee_bp, 4),
                maker_fee: Decimal::new(fee_bp, 5),
                latency_ms: Decimal::from(20),
                health: Health {
                    connected,
                    breaker_tripped: tripped && !connected,
                    ..Health::good()
                },
                max_notional: cap.map(|c| Decimal::new(c, 2)),
                max_qty: None,
                lot: LotRules {
                    step: Decimal::new(1, 3),
                    min_qty: Decimal::new(1, 3),
                    min_notional: Decimal::ZERO,
                },
            }
        })
}

fn check(d: &RoutingDecision, venues: &[VenueQuote], buy: bool) {
    let routed: Decimal = d.allocations.iter().map(|a| a.qty).sum();
    assert_eq!(routed + d.unrouted, d.qty);
    assert!(d.unrouted >= Decimal::ZERO);
    for a in &d.allocations {
        let v = venues.iter().find(|v| v.venue == a.venue).unwrap();
        assert!(
            v.health.connected && !v.health.breaker_tripped,
            "{} is unhealthy",
            a.venue
        );
        assert!(a.qty > Decimal::ZERO);
        assert_eq!(a.qty % v.lot.step, Decimal::ZERO);
        if let Some(cap) = v.max_notional {
            assert!(
                a.qty
                    * a.avg_price
                    * (Decimal::ONE + if buy { v.taker_fee } else { Decimal::ZERO })
                    <= cap + Decimal::new(1, 6)
            );
        }
        let held: Decimal = v.book.levels.iter().map(|l| l.qty).sum();
        assert!(a.resting || a.qty <= held);
    }
}

proptest! {
    #[test]
    fn a_decision_never_exceeds_the_order_caps_or_books(
        buy in any::<bool>(),
        qty in 1i64..20_000,
        venues in (quote("binance".into(), true), quote("bybit".into(), true),
                   quote("binance".into(), false), quote("bybit".into(), false)),
    ) {
        let (venues, side) = if buy {
            (vec![venues.0, venues.1], Side::Buy)
        } else {
            (vec![venues.2, venues.3], Side::Sell)
        };
        let req = RouteRequest { side, qty: Decimal::new(qty, 3), limit: None };
        if let Ok(d) = route(&req, &venues, &CostModel::default()) {
            check(&d, &venues, buy);
            prop_assert_eq!(d.alternatives.len(), 2);
            // A split is never dearer than the best single venue.
            if d.is_split() && d.best_single.is_some() {
                prop_assert!(d.saving_bps >= CostModel::default().min_split_saving_bps);
            }
        }
    }
}
