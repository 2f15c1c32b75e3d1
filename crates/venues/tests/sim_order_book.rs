//! `MarketDataVenue::order_book` end to end: both adapters, both of their
//! markets, against the venue simulator in-process.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rust_decimal::{Decimal, dec};
use smc_model::InstrumentId;
use smc_testkit::sim::TestSim;
use smc_venue_sim::{BookShape, Protocol};
use smc_venues::Venue;
use smc_venues::binance::{BinanceMarket, BinanceUrls, BinanceVenue};
use smc_venues::bybit::{BybitCategory, BybitUrls, BybitVenue};
use smc_venues::{MarketDataVenue, OrderBookSnapshot, VenueErrorKind};

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
    assert!(b.bids.iter().chain(&b.asks).all(|l| l.qty > Decimal::ZERO));
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

fn spread(b: &OrderBookSnapshot) -> Decimal {
    b.asks[0].price - b.bids[0].price
}

#[test]
fn two_simulators_quote_the_books_of_their_shapes() {
    let wide = BookShape {
        spread_ticks: 2,
        level_share: dec!(0.05),
    };
    for protocol in [Protocol::Binance, Protocol::Bybit] {
        let plain = TestSim::with_book(protocol, 20.0, "", BookShape::default());
        let shaped = TestSim::with_book(protocol, 20.0, "", wide);
        let book = |sim: &TestSim| match protocol {
            Protocol::Binance => {
                let urls = BinanceUrls::local(&sim.addr);
                let v = BinanceVenue::new(BinanceMarket::UsdM, urls, None).unwrap();
                sim.block_on(v.order_book("BTCUSDT", 5)).unwrap()
            }
            Protocol::Bybit => {
                let urls = BybitUrls::local(&sim.addr, BybitCategory::Linear);
                let v = BybitVenue::new(BybitCategory::Linear, urls, None).unwrap();
                sim.block_on(v.order_book("BTCUSDT", 5)).unwrap()
            }
            // OANDA's book is one level (its pricing), not a shaped depth.
            Protocol::Oanda => unreachable!("only Binance and Bybit are iterated"),
        };
        let (a, b) = (book(&plain), book(&shaped));
        // One tick between the sides by default (levels one tick apart
        // show the tick); 1 + 2·2 ticks with two extra on each side.
        let tick = a.bids[0].price - a.bids[1].price;
        assert_eq!(spread(&a), tick, "{protocol:?}");
        assert_eq!(spread(&b), tick * dec!(5), "{protocol:?}");
    }
}

#[test]
fn an_injected_5xx_makes_the_book_fail() {
    let sim = TestSim::btcusdt(20.0, "5xx(path=/api/v3/depth)");
    let spot = BinanceVenue::new(BinanceMarket::Spot, BinanceUrls::local(&sim.addr), None).unwrap();
    let usdm = BinanceVenue::new(BinanceMarket::UsdM, BinanceUrls::local(&sim.addr), None).unwrap();
    let e = sim.block_on(spot.order_book("BTCUSDT", 5)).unwrap_err();
    assert_eq!(e.kind, VenueErrorKind::Unknown, "{e}");
    // The fault is limited to spot's path.
    assert!(sim.block_on(usdm.order_book("BTCUSDT", 5)).is_ok());
    // `5xx` alone: every request of the simulator fails.
    sim.set_faults("5xx");
    assert!(sim.block_on(usdm.order_book("BTCUSDT", 5)).is_err());
    assert!(sim.block_on(usdm.sync_clock()).is_err());

    let bybit = TestSim::bybit_btcusdt(20.0, "5xx");
    let urls = BybitUrls::local(&bybit.addr, BybitCategory::Spot);
    let venue = BybitVenue::new(BybitCategory::Spot, urls, None).unwrap();
    let e = bybit.block_on(venue.order_book("BTCUSDT", 5)).unwrap_err();
    assert_eq!(e.kind, VenueErrorKind::Unknown, "{e}");
}
