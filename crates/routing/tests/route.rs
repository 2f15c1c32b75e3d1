//! The router against books quoted by two venues: it takes the cheaper
//! venue once fees count, splits when a book is too thin, stays away from
//! unhealthy venues, keeps within balances and lot rules, and rests a limit
//! order that nothing within its price can fill.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rust_decimal::{Decimal, dec};
use smc_model::Side;
use smc_routing::{
    BookSide, CostModel, Health, Level, LotRules, RouteError, RouteRequest, VenueQuote, route,
};

fn book(levels: &[(Decimal, Decimal)]) -> BookSide {
    BookSide::new(
        levels
            .iter()
            .map(|&(price, qty)| Level { price, qty })
            .collect(),
    )
}

fn venue(name: &str, levels: &[(Decimal, Decimal)], taker: Decimal) -> VenueQuote {
    VenueQuote {
        venue: name.into(),
        book: book(levels),
        taker_fee: taker,
        maker_fee: taker / dec!(2),
        latency_ms: dec!(10),
        health: Health::good(),
        max_notional: None,
        max_qty: None,
        lot: LotRules {
            step: dec!(0.001),
            min_qty: dec!(0.001),
            min_notional: dec!(5),
        },
    }
}

fn buy(qty: Decimal) -> RouteRequest {
    RouteRequest {
        side: Side::Buy,
        qty,
        limit: None,
    }
}

#[test]
fn the_cheaper_book_takes_the_whole_order() {
    let binance = venue("binance", &[(dec!(100.0), dec!(5))], dec!(0.001));
    let bybit = venue("bybit", &[(dec!(99.9), dec!(5))], dec!(0.001));
    let d = route(&buy(dec!(1)), &[binance, bybit], &CostModel::default()).unwrap();
    assert_eq!(d.allocations.len(), 1);
    assert_eq!(d.allocations[0].venue, "bybit");
    assert_eq!(d.allocations[0].avg_price, dec!(99.9));
    assert_eq!(d.best_single.as_deref(), Some("bybit"));
    assert_eq!(d.alternatives.len(), 2);
    assert!(d.alternatives.iter().all(|a| a.excluded.is_none()));
}

#[test]
fn fees_can_outweigh_a_better_price() {
    // 99.95 with a 0.1 % fee costs 100.05; 100.0 with 0.02 % costs 100.02.
    let binance = venue("binance", &[(dec!(100.0), dec!(5))], dec!(0.0002));
    let bybit = venue("bybit", &[(dec!(99.95), dec!(5))], dec!(0.001));
    let d = route(&buy(dec!(1)), &[binance, bybit], &CostModel::default()).unwrap();
    assert_eq!(d.allocations[0].venue, "binance");
    let alt = |v: &str| {
        d.alternatives
            .iter()
            .find(|a| a.venue == v)
            .unwrap()
            .clone()
    };
    assert!(alt("binance").all_in_price.unwrap() < alt("bybit").all_in_price.unwrap());
    assert_eq!(alt("bybit").fee, dec!(0.09995));
}

#[test]
fn a_thin_book_makes_the_router_split() {
    // Bybit is cheaper but holds 0.5 at its best level and is dear after.
    let binance = venue("binance", &[(dec!(100.0), dec!(5))], dec!(0.001));
    let bybit = venue(
        "bybit",
        &[(dec!(99.0), dec!(0.5)), (dec!(101.0), dec!(5))],
        dec!(0.001),
    );
    let d = route(&buy(dec!(2)), &[binance, bybit], &CostModel::default()).unwrap();
    assert!(d.is_split());
    assert_eq!(d.qty_on("bybit"), dec!(0.5));
    assert_eq!(d.qty_on("binance"), dec!(1.5));
    assert_eq!(d.unrouted, Decimal::ZERO);
    assert_eq!(d.best_single.as_deref(), Some("binance"));
    assert!(d.saving_bps >= dec!(0.5), "{}", d.saving_bps);
    // The split pays 0.5 × 99 + 1.5 × 100 (plus fees), less than 2 × 100.
    assert!(d.all_in_price.unwrap() < dec!(100.1));
}

#[test]
fn a_split_too_small_to_matter_goes_to_one_venue() {
    let binance = venue("binance", &[(dec!(100.0), dec!(5))], dec!(0.001));
    let bybit = venue(
        "bybit",
        &[(dec!(99.999), dec!(0.1)), (dec!(100.5), dec!(5))],
        dec!(0.001),
    );
    let d = route(&buy(dec!(2)), &[binance, bybit], &CostModel::default()).unwrap();
    assert!(!d.is_split());
    assert_eq!(d.qty_on("binance"), dec!(2));
}

#[test]
fn an_unhealthy_venue_is_avoided_however_cheap() {
    let binance = venue("binance", &[(dec!(100.0), dec!(5))], dec!(0.001));
    let mut bybit = venue("bybit", &[(dec!(90.0), dec!(5))], dec!(0.001));
    for (health, reason) in [
        (
            Health {
                connected: false,
                ..Health::good()
            },
            "disconnected",
        ),
        (
            Health {
                breaker_tripped: true,
                ..Health::good()
            },
            "circuit breaker tripped",
        ),
        (
            Health {
                recent_errors: 9,
                ..Health::good()
            },
            "9 recent errors",
        ),
    ] {
        bybit.health = health;
        let d = route(
            &buy(dec!(1)),
            &[binance.clone(), bybit.clone()],
            &CostModel::default(),
        )
        .unwrap();
        assert_eq!(d.qty_on("bybit"), Decimal::ZERO);
        assert_eq!(d.qty_on("binance"), dec!(1));
        let alt = d.alternatives.iter().find(|a| a.venue == "bybit").unwrap();
        assert_eq!(alt.excluded.as_deref(), Some(reason));
    }
}

#[test]
fn recent_errors_and_latency_cost_basis_points() {
    // Same book and fee; Bybit is 2 bp dearer in penalties (4 errors).
    let binance = venue("binance", &[(dec!(100.0), dec!(5))], dec!(0.001));
    let mut bybit = venue("bybit", &[(dec!(99.99), dec!(5))], dec!(0.001));
    bybit.health.recent_errors = 4;
    let d = route(
        &buy(dec!(1)),
        &[binance, bybit.clone()],
        &CostModel::default(),
    )
    .unwrap();
    assert_eq!(d.allocations[0].venue, "binance");
    let alt = d.alternatives.iter().find(|a| a.venue == "bybit").unwrap();
    // (10 ms × 0.01 + 4 × 0.5) bp of 99.99.
    assert_eq!(alt.penalty, dec!(99.99) * dec!(0.00021));
}

#[test]
fn the_balance_on_a_venue_caps_what_goes_there() {
    let binance = venue("binance", &[(dec!(100.0), dec!(5))], dec!(0.001));
    let mut bybit = venue("bybit", &[(dec!(99.0), dec!(5))], dec!(0.001));
    bybit.max_notional = Some(dec!(50));
    let d = route(&buy(dec!(1)), &[binance, bybit], &CostModel::default()).unwrap();
    let on_bybit = d.allocations.iter().find(|a| a.venue == "bybit").unwrap();
    assert!(on_bybit.qty * on_bybit.avg_price + on_bybit.fee <= dec!(50));
    assert_eq!(on_bybit.qty, dec!(0.504));
    assert_eq!(d.qty_on("binance"), dec!(0.496));
}

#[test]
fn a_sell_goes_where_the_bids_pay_most() {
    let binance = venue(
        "binance",
        &[(dec!(100.0), dec!(5)), (dec!(99), dec!(5))],
        dec!(0.001),
    );
    let mut bybit = venue("bybit", &[(dec!(100.2), dec!(5))], dec!(0.001));
    bybit.max_qty = Some(dec!(0.3));
    let sell = RouteRequest {
        side: Side::Sell,
        qty: dec!(1),
        limit: None,
    };
    let d = route(&sell, &[binance, bybit], &CostModel::default()).unwrap();
    assert_eq!(d.qty_on("bybit"), dec!(0.3));
    assert_eq!(d.qty_on("binance"), dec!(0.7));
    assert!(d.all_in_price.unwrap() < dec!(100.2));
}

#[test]
fn a_limit_order_out_of_reach_rests_where_resting_costs_least() {
    let binance = venue("binance", &[(dec!(100.0), dec!(5))], dec!(0.001));
    let bybit = venue("bybit", &[(dec!(100.5), dec!(5))], dec!(0.0004));
    let req = RouteRequest {
        side: Side::Buy,
        qty: dec!(1),
        limit: Some(dec!(99)),
    };
    let d = route(&req, &[binance, bybit], &CostModel::default()).unwrap();
    assert_eq!(d.allocations.len(), 1);
    assert!(d.allocations[0].resting);
    assert_eq!(d.allocations[0].venue, "bybit");
    assert_eq!(d.allocations[0].avg_price, dec!(99));
}

#[test]
fn lot_rules_hold_on_every_part() {
    let binance = venue("binance", &[(dec!(100.0), dec!(5))], dec!(0.001));
    let mut bybit = venue("bybit", &[(dec!(99.0), dec!(0.123_4))], dec!(0.001));
    bybit.lot.step = dec!(0.01);
    let d = route(
        &buy(dec!(1)),
        &[binance.clone(), bybit.clone()],
        &CostModel::default(),
    )
    .unwrap();
    // Bybit's 0.1234 is 0.12 in its lots; Binance takes the rest.
    assert_eq!(d.qty_on("bybit"), dec!(0.12));
    assert_eq!(d.qty_on("binance"), dec!(0.88));
    assert_eq!(d.unrouted, Decimal::ZERO);
    // Below Bybit's minimum the part is not sent there at all.
    bybit.lot.min_qty = dec!(0.2);
    let d = route(&buy(dec!(1)), &[binance, bybit], &CostModel::default()).unwrap();
    assert_eq!(d.allocations.len(), 1);
    assert_eq!(d.qty_on("binance"), dec!(1));
}

#[test]
fn no_venue_is_an_error_naming_each_reason() {
    let mut binance = venue("binance", &[(dec!(100.0), dec!(5))], dec!(0.001));
    binance.health.connected = false;
    let bybit = venue("bybit", &[], dec!(0.001));
    let err = route(&buy(dec!(1)), &[binance, bybit], &CostModel::default()).unwrap_err();
    let RouteError::NoVenue(text) = &err else {
        panic!("{err:?}")
    };
    assert!(text.contains("binance: disconnected"), "{text}");
    assert!(text.contains("bybit: empty book"), "{text}");
    assert!(matches!(
        route(&buy(dec!(0)), &[], &CostModel::default()),
        Err(RouteError::BadQuantity(_))
    ));
}

#[test]
fn a_decision_is_recorded_as_json_with_its_alternatives() {
    let binance = venue("binance", &[(dec!(100.0), dec!(5))], dec!(0.001));
    let bybit = venue("bybit", &[(dec!(99.9), dec!(5))], dec!(0.001));
    let d = route(&buy(dec!(1)), &[binance, bybit], &CostModel::default()).unwrap();
    let v = serde_json::to_value(&d).unwrap();
    assert_eq!(v["allocations"][0]["venue"], "bybit");
    assert_eq!(v["alternatives"][0]["venue"], "binance");
    assert_eq!(v["alternatives"][0]["avg_price"], "100.0");
    let back: smc_routing::RoutingDecision = serde_json::from_value(v).unwrap();
    assert_eq!(back, d);
}

#[test]
fn inputs_out_of_range_are_refused_not_computed() {
    let binance = venue("binance", &[(dec!(100.0), dec!(5))], dec!(0.001));
    let mut garbled = venue("bybit", &[(Decimal::MAX, dec!(5))], dec!(0.001));
    let d = route(
        &buy(dec!(1)),
        &[binance.clone(), garbled.clone()],
        &CostModel::default(),
    )
    .unwrap();
    let alt = d.alternatives.iter().find(|a| a.venue == "bybit").unwrap();
    assert_eq!(
        alt.excluded.as_deref(),
        Some("book crossed or out of order")
    );
    garbled.book = binance.book.clone();
    garbled.taker_fee = dec!(-1);
    let d = route(
        &buy(dec!(1)),
        &[binance.clone(), garbled],
        &CostModel::default(),
    )
    .unwrap();
    let alt = d.alternatives.iter().find(|a| a.venue == "bybit").unwrap();
    assert_eq!(alt.excluded.as_deref(), Some("fee rates out of range"));
    assert!(matches!(
        route(&buy(Decimal::MAX), &[binance], &CostModel::default()),
        Err(RouteError::BadQuantity(_))
    ));
}
