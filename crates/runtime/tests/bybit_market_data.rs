//! Bybit's public market data behind `MarketDataVenue`, against the venue
//! simulator speaking Bybit v5: closed klines once and in order, trades and
//! book tops from the public stream, klines over REST, and `orderbook.50`
//! depth diffs that keep an uncrossed book (the router's input).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use smc_model::Timeframe;
use smc_testkit::sim::TestSim;
use smc_venues::bybit::{BybitCategory, BybitMarketConfig, BybitUrls, BybitVenue};
use smc_venues::{
    KlineRequest, MarketDataRequest, MarketDataVenue, MarketEvent, MarketStreamEvent,
};
use std::time::Duration;

fn sim() -> TestSim {
    TestSim::bybit_btcusdt(20.0, "")
}

async fn market_data_scenario(addr: &str) {
    let bybit = BybitVenue::new(
        BybitCategory::Spot,
        BybitUrls::local(addr, BybitCategory::Spot),
        None,
    )
    .unwrap();
    let v: &dyn MarketDataVenue = &bybit;
    v.sync_clock().await.unwrap();
    let request = MarketDataRequest {
        klines: vec![KlineRequest {
            symbol: "BTCUSDT".into(),
            timeframe: Timeframe::M1,
            after: None,
        }],
        trades: vec!["BTCUSDT".into()],
        book_tops: vec!["BTCUSDT".into()],
    };
    let mut feed = v.subscribe(&request).await.unwrap();
    let (mut klines, mut trades, mut tops, mut connected) = (Vec::new(), 0, 0, false);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while (klines.len() < 3 || trades == 0 || tops == 0) && tokio::time::Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_secs(1), feed.recv()).await {
            Ok(Some(MarketStreamEvent::Connected { .. })) => connected = true,
            // Open candles pass as they are; closed ones once, in order.
            Ok(Some(MarketStreamEvent::Market(MarketEvent::Kline(k)))) if k.closed => {
                klines.push(k.candle.open_time);
            }
            Ok(Some(MarketStreamEvent::Market(MarketEvent::Trade(_)))) => trades += 1,
            Ok(Some(MarketStreamEvent::Market(MarketEvent::BookTop(t)))) => {
                assert!(t.bid <= t.ask, "{t:?}");
                tops += 1;
            }
            Ok(Some(MarketStreamEvent::Malformed(m))) => panic!("malformed: {m}"),
            _ => {}
        }
    }
    assert!(
        connected && klines.len() >= 3 && trades > 0 && tops > 0,
        "{klines:?} {trades} {tops}"
    );
    assert!(
        klines.windows(2).all(|w| w[1] - w[0] == 60_000),
        "once and in order: {klines:?}"
    );
    // Closed candles over REST (the simulator's times run ahead of the
    // wall clock), oldest first.
    let later = v.venue_now_ms() + 86_400_000;
    let candles = v.klines("BTCUSDT", Timeframe::M1, 0, later).await.unwrap();
    assert!(candles.len() >= 2, "{} candles", candles.len());
    assert!(
        candles
            .windows(2)
            .all(|w| w[1].open_time - w[0].open_time == 60_000)
    );
}

#[test]
fn market_data_streams_closed_klines_trades_and_book_tops() {
    let sim = sim();
    sim.block_on(market_data_scenario(&sim.addr));
}

/// Depth for routing (`orderbook.50`): the first diff is the snapshot,
/// each later one continues the last; applied in order they keep an
/// uncrossed book.
#[test]
fn depth_diffs_keep_a_book() {
    let sim = sim();
    let bybit = BybitVenue::new(
        BybitCategory::Linear,
        BybitUrls::local(&sim.addr, BybitCategory::Linear),
        None,
    )
    .unwrap();
    let mut config = BybitMarketConfig::new(bybit.urls().public_ws.clone());
    config.depth.push("BTCUSDT".into());
    sim.block_on(async {
        let mut feed = bybit.stream(config);
        let mut bids = std::collections::BTreeMap::new();
        let mut asks = std::collections::BTreeMap::new();
        let (mut diffs, mut last) = (0, None);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while diffs < 10 && tokio::time::Instant::now() < deadline {
            let Ok(Some(MarketStreamEvent::Market(MarketEvent::Depth(d)))) =
                tokio::time::timeout(Duration::from_secs(1), feed.recv()).await
            else {
                continue;
            };
            assert_eq!(d.instrument.to_string(), "bybit-linear:BTCUSDT");
            assert_eq!(d.prev_final_update_id, last, "diffs continue each other");
            last = Some(d.final_update_id);
            for (side, levels) in [(&mut bids, &d.bids), (&mut asks, &d.asks)] {
                for l in levels {
                    if l.qty.is_zero() {
                        side.remove(&l.price);
                    } else {
                        side.insert(l.price, l.qty);
                    }
                }
            }
            let (bid, ask) = (bids.keys().next_back(), asks.keys().next());
            assert!(
                bid.is_some() && ask.is_some() && bid < ask,
                "{bid:?} {ask:?}"
            );
            diffs += 1;
        }
        assert!(diffs >= 10, "{diffs} depth diffs");
    });
}
