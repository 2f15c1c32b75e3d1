//! Order book snapshot parsers on recorded REST answers: Binance spot and
//! USD-M `GET depth` captured by cryptofeed (fixtures/README.md), Bybit
//! `/v5/market/orderbook` from nautilus_trader's test data
//! (fixtures/bybit/README.md).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rust_decimal::dec;
use smc_model::{InstrumentId, Timestamp};
use smc_venues::binance::parse_depth_snapshot;
use smc_venues::bybit::parse_orderbook_rest;
use smc_venues::{BookLevel, OrderBookSnapshot};
use std::path::Path;

fn fixture(rel: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The (symbol, answer) pairs of a cryptofeed HTTP capture: lines are
/// `URL -> <receive epoch s>: <body>`.
fn captured(rel: &str) -> Vec<(String, String)> {
    fixture(rel)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (url, rest) = l.split_once(" -> ").unwrap();
            let symbol = url
                .split_once("symbol=")
                .unwrap()
                .1
                .split('&')
                .next()
                .unwrap();
            let body = rest.split_once(": ").unwrap().1;
            (symbol.to_string(), body.to_string())
        })
        .collect()
}

fn assert_best_first(b: &OrderBookSnapshot) {
    assert!(b.bids.windows(2).all(|w| w[0].price > w[1].price));
    assert!(b.asks.windows(2).all(|w| w[0].price < w[1].price));
    assert!(b.bids[0].price < b.asks[0].price);
    assert!(b.fault().is_none());
}

#[test]
fn binance_spot_captures() {
    let answers = captured("cryptofeed/BINANCE.http.0.0");
    assert_eq!(answers.len(), 4);
    for (symbol, body) in &answers {
        let id = InstrumentId::new("binance", symbol).unwrap();
        let full = parse_depth_snapshot(&id, body, 5000).unwrap();
        assert_best_first(&full);
        assert_eq!(full.time, Timestamp::from_ms(0), "spot states no time");
        assert!(full.bids.len() > 20 && full.asks.len() > 20, "{symbol}");
        let top = parse_depth_snapshot(&id, body, 20).unwrap();
        assert_eq!((top.bids.len(), top.asks.len()), (20, 20));
        assert_eq!(top.bids[..], full.bids[..20]);
        assert_eq!(top.instrument, id);
    }
    let id = InstrumentId::new("binance", "NKNUSDT").unwrap();
    let first = parse_depth_snapshot(&id, &answers[0].1, 2).unwrap();
    assert_eq!(first.update_id, 499_869_752);
    assert_eq!(
        first.bids,
        vec![
            BookLevel {
                price: dec!(0.35210000),
                qty: dec!(672)
            },
            BookLevel {
                price: dec!(0.35200000),
                qty: dec!(1144)
            }
        ]
    );
}

#[test]
fn binance_usdm_captures_carry_the_transaction_time() {
    let answers = captured("cryptofeed/BINANCE_FUTURES.http.0.0");
    assert_eq!(answers.len(), 4);
    for (symbol, body) in &answers {
        let id = InstrumentId::new("binance-usdm", symbol).unwrap();
        let b = parse_depth_snapshot(&id, body, 1000).unwrap();
        assert_best_first(&b);
        assert!(b.time > Timestamp::from_ms(1_626_992_700_000), "{symbol}");
    }
    let id = InstrumentId::new("binance-usdm", "SUSHIUSDT").unwrap();
    let b = parse_depth_snapshot(&id, &answers[0].1, 1).unwrap();
    assert_eq!(b.update_id, 600_859_605_926);
    // `T` (transaction time), not `E` (1626992741264).
    assert_eq!(b.time, Timestamp::from_ms(1_626_992_741_261));
    assert_eq!(
        b.bids,
        vec![BookLevel {
            price: dec!(7.6110),
            qty: dec!(6)
        }]
    );
}

#[test]
fn bybit_orderbook_answer() {
    let body: serde_json::Value =
        serde_json::from_str(&fixture("bybit/nautilus-rust/http_get_orderbook.json")).unwrap();
    let result = body["result"].to_string();
    let id = InstrumentId::new("bybit-linear", "BTCUSDT").unwrap();
    let b = parse_orderbook_rest(&id, &result, 50).unwrap();
    assert_best_first(&b);
    assert_eq!(b.update_id, 1_234_567);
    assert_eq!(b.time, Timestamp::from_ms(1_709_891_679_000));
    assert_eq!((b.bids.len(), b.asks.len()), (3, 3));
    assert_eq!(
        (
            b.bids[0].price,
            b.bids[0].qty,
            b.asks[0].price,
            b.asks[2].qty
        ),
        (dec!(27450.50), dec!(1.5), dec!(27451.00), dec!(0.5))
    );
    let two = parse_orderbook_rest(&id, &result, 2).unwrap();
    assert_eq!(two.asks, b.asks[..2]);
}
