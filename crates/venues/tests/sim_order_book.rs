//! `MarketDataVenue::order_book` end to end: both adapters, both of their
//! markets, against the venue simulator in-process.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use smc_model::InstrumentId;
use smc_testkit::sim::TestSim;
use smc_venues::binance::{BinanceMarket, BinanceUrls, BinanceVenue};
use smc_venues::bybit::{BybitCategory, BybitUrls, BybitVenue};
use smc_venues::{MarketDataVenue, OrderBookSnapshot};

fn check(b: &OrderBookSnapshot, venue: &str, levels: usize) {
    assert_eq!(b.instrument, InstrumentId::new(venue, "BTCUSDT").unwrap());
    // The simulator's book is deeper than any count asked for here, so
    // exactly `levels` come back, however the venue rounded the limit.
    assert_eq!((b.bids.len(), b.asks.len()), (levels, levels), "{venue}");
    assert!(
        b.bids.windows(2).all(|w| w[0].price > w[1].price),
        "{venue}"
    );
    assert!(
        b.asks.windows(2).all(|w| w[0].price < w[1].price),
        "{venue}"
    );
    assert!(b.bids[0].price < b.asks[0].price, "{venue}");
    assert!(
        b.bids
            .iter()
            .chain(&b.asks)
            .all(|l| l.qty > rust_decimal::Decimal::ZERO)
    );
}

#[test]
fn binance_spot_and_usdm_books() {
    let sim = TestSim::btcusdt(20.0, "");
    for (market, levels) in [(BinanceMarket::Spot, 7), (BinanceMarket::UsdM, 3)] {
        let venue = BinanceVenue::new(market, BinanceUrls::local(&sim.addr), None).unwrap();
        let b = sim.block_on(venue.order_book("BTCUSDT", levels)).unwrap();
        check(&b, market.venue(), levels as usize);
    }
    // USD-M states when the book was (`T`); spot does not.
    let usdm = BinanceVenue::new(BinanceMarket::UsdM, BinanceUrls::local(&sim.addr), None).unwrap();
    let b = sim.block_on(usdm.order_book("BTCUSDT", 5)).unwrap();
    assert!(b.time.ms() > 0);
    let unknown = sim.block_on(usdm.order_book("NOPEUSDT", 5)).unwrap_err();
    assert!(unknown.to_string().contains("-1121"), "{unknown}");
}

#[test]
fn bybit_spot_and_linear_books() {
    let sim = TestSim::bybit_btcusdt(20.0, "");
    for (category, levels) in [(BybitCategory::Spot, 7), (BybitCategory::Linear, 30)] {
        let urls = BybitUrls::local(&sim.addr, category);
        let venue = BybitVenue::new(category, urls, None).unwrap();
        let b = sim.block_on(venue.order_book("BTCUSDT", levels)).unwrap();
        check(&b, category.venue(), levels as usize);
        assert!(b.time.ms() > 0, "Bybit states `ts`");
    }
}
