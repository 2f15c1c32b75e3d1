//! A routing decision across two venues with 20 levels each (the issue's
//! target: under 5 µs), for an order one venue can fill and for one that
//! must be split.

use criterion::{Criterion, criterion_group, criterion_main};
use rust_decimal::Decimal;
use smc_model::Side;
use smc_routing::{BookSide, CostModel, Health, Level, LotRules, RouteRequest, VenueQuote, route};
use std::hint::black_box;

fn venue(name: &str, start: i64, depth: i64) -> VenueQuote {
    VenueQuote {
        venue: name.into(),
        book: BookSide::new(
            (0..20)
                .map(|i| Level {
                    price: Decimal::new(start + i * 10, 1),
                    qty: Decimal::new(depth + i * 7, 3),
                })
                .collect(),
        ),
        taker_fee: Decimal::new(1, 3),
        maker_fee: Decimal::new(2, 4),
        latency_ms: Decimal::from(12),
        health: Health::good(),
        max_notional: Some(Decimal::from(1_000_000)),
        max_qty: None,
        lot: LotRules {
            step: Decimal::new(1, 3),
            min_qty: Decimal::new(1, 3),
            min_notional: Decimal::from(5),
        },
    }
}

fn bench(c: &mut Criterion) {
    let venues = [
        venue("binance", 1_000_000, 400),
        venue("bybit", 999_990, 150),
    ];
    let model = CostModel::default();
    let small = RouteRequest {
        side: Side::Buy,
        qty: Decimal::new(1, 1),
        limit: None,
    };
    let large = RouteRequest {
        side: Side::Buy,
        qty: Decimal::new(25, 1),
        limit: None,
    };
    c.bench_function("route/2 venues x 20 levels, one venue", |b| {
        b.iter(|| route(black_box(&small), black_box(&venues), &model))
    });
    c.bench_function("route/2 venues x 20 levels, split", |b| {
        b.iter(|| route(black_box(&large), black_box(&venues), &model))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
