//! Binance behind the venue interfaces, driven only through
//! `ExecutionVenue` and `MarketDataVenue` against the venue simulator:
//! the rules of each instrument, orders placed, queried, listed, cancelled
//! and replaced, the account's trades, balances and positions, the key's
//! permissions, the order report stream, and market data subscriptions
//! (closed klines, trades, book tops) — on spot and on USD-M.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rust_decimal::Decimal;
use smc_model::{
    ClientOrderId, InstrumentId, MarketKind, OrderKind, OrderRequest, OrderStatus, Side,
    TimeInForce, Timeframe,
};
use smc_testkit::sim::{KEY, SECRET, TestSim, WITHDRAW_KEY, WITHDRAW_SECRET};
use smc_venues::binance::{BinanceMarket, BinanceUrls, BinanceVenue, Credentials};
use smc_venues::net::Secret;
use smc_venues::{
    ExecutionVenue, KlineRequest, MarketDataRequest, MarketDataVenue, MarketEvent,
    MarketStreamEvent, OrderOutcome, UserEvent, UserStreamEvent, Venue, VenueErrorKind,
};
use std::time::Duration;

fn venue(sim: &TestSim, market: BinanceMarket, key: (&str, &str)) -> BinanceVenue {
    let credentials = Credentials {
        api_key: key.0.into(),
        secret: Secret::new(key.1),
    };
    BinanceVenue::new(market, BinanceUrls::local(&sim.addr), Some(credentials)).unwrap()
}

fn order(id: &str, side: Side, qty: Decimal, kind: OrderKind) -> OrderRequest {
    OrderRequest {
        client_id: ClientOrderId::new(id),
        instrument: "binance:BTCUSDT".parse().unwrap(),
        side,
        qty,
        kind,
        time_in_force: TimeInForce::Gtc,
        reduce_only: false,
    }
}

fn accepted(outcome: OrderOutcome) -> smc_venues::VenueOrder {
    match outcome {
        OrderOutcome::Accepted(o) => o,
        other => panic!("not accepted: {other:?}"),
    }
}

#[test]
fn spot_orders_the_account_and_the_report_stream_through_the_execution_interface() {
    let sim = TestSim::btcusdt(20.0, "");
    let binance = venue(&sim, BinanceMarket::Spot, (KEY, SECRET));
    let v: &dyn ExecutionVenue = &binance;
    sim.block_on(async {
        v.sync_clock().await.unwrap();
        let rules = v.instruments(&["BTCUSDT".into()]).await.unwrap();
        assert_eq!(rules[0].kind, MarketKind::Spot);
        assert!(
            rules[0].spec.tick_size > Decimal::ZERO && rules[0].spec.min_notional > Decimal::ZERO
        );
        let missing = v.instruments(&["NOPEUSDT".into()]).await.unwrap_err();
        assert!(missing.message.contains("not listed"), "{missing}");
        let key = v.key_permissions().await.unwrap();
        assert!(key.trade && !key.withdraw);
        let withdrawing = venue(&sim, BinanceMarket::Spot, (WITHDRAW_KEY, WITHDRAW_SECRET));
        withdrawing.sync_clock().await.unwrap();
        assert!(withdrawing.key_permissions().await.unwrap().withdraw);
        let usdt =
            |b: &[smc_venues::Balance]| b.iter().find(|b| b.asset == "USDT").unwrap().total();
        assert_eq!(usdt(&v.balances().await.unwrap()), Decimal::from(10_000));
        assert!(
            v.positions().await.unwrap().is_empty(),
            "spot has no positions"
        );

        let mut reports = v.order_reports().await.unwrap();
        // What happens before the stream connects is not replayed (the
        // runtime reconciles after every connect); wait for it.
        let first = tokio::time::timeout(Duration::from_secs(5), reports.recv()).await;
        assert!(
            matches!(
                first,
                Ok(Some(UserStreamEvent::Connected { reconnect: false }))
            ),
            "{first:?}"
        );
        let id: InstrumentId = "binance:BTCUSDT".parse().unwrap();
        // A market buy fills at once; its trade is the account's.
        let buy = order("t-buy", Side::Buy, Decimal::new(2, 3), OrderKind::Market);
        let filled = accepted(v.place(&buy).await.unwrap());
        assert_eq!(filled.status, OrderStatus::Filled);
        let price = filled.fills[0].price;
        let trades = v.trades_since(&id, 0).await.unwrap();
        assert!(
            trades
                .iter()
                .any(|t| t.venue_order_id == filled.venue_order_id)
        );
        let btc = v
            .balances()
            .await
            .unwrap()
            .into_iter()
            .find(|b| b.asset == "BTC")
            .unwrap();
        assert!(btc.total() > Decimal::ZERO);
        // A limit 5 % below the market rests; it is queried, listed,
        // replaced (cancel, then the new order), and cancelled.
        let below = |pct: i64| (price * Decimal::new(100 - pct, 2)).round_dp(1);
        let low = order(
            "t-rest",
            Side::Buy,
            Decimal::new(1, 2),
            OrderKind::Limit { price: below(5) },
        );
        let rest = accepted(v.place(&low).await.unwrap());
        assert_eq!(rest.status, OrderStatus::Submitted);
        let seen = v.query(&id, &low.client_id).await.unwrap().unwrap();
        assert_eq!(seen.venue_order_id, rest.venue_order_id);
        assert_eq!(v.open_orders(&id).await.unwrap().len(), 1);
        let lower = order(
            "t-rest-2",
            Side::Buy,
            Decimal::new(1, 2),
            OrderKind::Limit { price: below(6) },
        );
        let replaced = v.cancel_replace(&low.client_id, &lower).await.unwrap();
        assert_eq!(replaced.cancelled.status, OrderStatus::Cancelled);
        accepted(replaced.placed.unwrap());
        let open = v.open_orders(&id).await.unwrap();
        assert_eq!(
            open.iter()
                .map(|o| o.client_id.as_str())
                .collect::<Vec<_>>(),
            ["t-rest-2"]
        );
        let cancelled = v.cancel(&id, &lower.client_id).await.unwrap();
        assert_eq!(cancelled.status, OrderStatus::Cancelled);
        assert!(
            v.query(&id, &ClientOrderId::new("never-sent"))
                .await
                .unwrap()
                .is_none()
        );
        // An order under the minimum quantity never leaves.
        let tiny = order("t-tiny", Side::Buy, Decimal::new(1, 9), OrderKind::Market);
        let refused = v.place(&tiny).await.unwrap_err();
        assert_eq!(refused.kind, VenueErrorKind::NotSent, "{refused}");
        // The stream reported every order above, by client id.
        let mut streamed = std::collections::BTreeSet::new();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        while streamed.len() < 3 && tokio::time::Instant::now() < deadline {
            let next = tokio::time::timeout(Duration::from_secs(1), reports.recv()).await;
            if let Ok(Some(UserStreamEvent::Event(UserEvent::Order(u)))) = next {
                streamed.insert(u.order.client_id.to_string());
            }
        }
        for id in ["t-rest", "t-rest-2", "t-buy"] {
            assert!(streamed.contains(id), "{id} not streamed: {streamed:?}");
        }
    });
}

#[test]
fn usdm_positions_come_through_the_execution_interface() {
    let sim = TestSim::btcusdt(20.0, "");
    let binance = venue(&sim, BinanceMarket::UsdM, (KEY, SECRET));
    let v: &dyn ExecutionVenue = &binance;
    sim.block_on(async {
        v.sync_clock().await.unwrap();
        let rules = v.instruments(&["BTCUSDT".into()]).await.unwrap();
        assert_eq!(rules[0].kind, MarketKind::Perpetual);
        assert_eq!(rules[0].id.to_string(), "binance-usdm:BTCUSDT");
        let mut sell = order("f-sell", Side::Sell, Decimal::new(3, 3), OrderKind::Market);
        sell.instrument = rules[0].id.clone();
        accepted(v.place(&sell).await.unwrap());
        let positions = v.positions().await.unwrap();
        let btc = positions.iter().find(|p| p.symbol == "BTCUSDT").unwrap();
        assert_eq!(btc.amount, Decimal::new(-3, 3), "a short is negative");
    });
}

#[test]
fn market_data_streams_closed_klines_trades_and_book_tops() {
    let sim = TestSim::btcusdt(20.0, "");
    let binance =
        BinanceVenue::new(BinanceMarket::Spot, BinanceUrls::local(&sim.addr), None).unwrap();
    let v: &dyn MarketDataVenue = &binance;
    sim.block_on(async {
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
        let (mut klines, mut trades, mut tops, mut connected) = (0, 0, 0, false);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while (klines < 2 || trades == 0 || tops == 0) && tokio::time::Instant::now() < deadline {
            match tokio::time::timeout(Duration::from_secs(1), feed.recv()).await {
                Ok(Some(MarketStreamEvent::Connected { .. })) => connected = true,
                Ok(Some(MarketStreamEvent::Market(MarketEvent::Kline(k)))) if k.closed => {
                    klines += 1
                }
                Ok(Some(MarketStreamEvent::Market(MarketEvent::Trade(_)))) => trades += 1,
                Ok(Some(MarketStreamEvent::Market(MarketEvent::BookTop(t)))) => {
                    assert!(t.bid <= t.ask);
                    tops += 1;
                }
                _ => {}
            }
        }
        assert!(
            connected && klines >= 2 && trades > 0 && tops > 0,
            "{klines} {trades} {tops}"
        );
        // Closed candles over REST, from the first the simulator released.
        // (The simulator's candle times run ahead of the wall clock.)
        let later = v.venue_now_ms() + 86_400_000;
        let candles = v.klines("BTCUSDT", Timeframe::M1, 0, later).await.unwrap();
        assert!(candles.len() >= 2, "{} candles", candles.len());
        assert!(
            candles
                .windows(2)
                .all(|w| w[1].open_time - w[0].open_time == 60_000)
        );
    });
}

#[test]
fn usdm_reads_the_keys_permissions_on_the_spot_host_and_a_testnet_has_none() {
    // Two servers: the futures host, and the spot host that serves /sapi.
    // The key may withdraw only according to the spot host, so a refusal
    // proves the permissions were read there.
    let futures = TestSim::btcusdt(20.0, "");
    let spot = TestSim::btcusdt(20.0, "");
    let credentials = Credentials {
        api_key: WITHDRAW_KEY.into(),
        secret: Secret::new(WITHDRAW_SECRET),
    };
    let urls = BinanceUrls {
        sapi: Some(format!("http://{}", spot.addr)),
        ..BinanceUrls::local(&futures.addr)
    };
    let split = BinanceVenue::new(BinanceMarket::UsdM, urls, Some(credentials.clone())).unwrap();
    let set = |sim: &TestSim, enabled: bool| sim.set_withdrawals(WITHDRAW_KEY, enabled);
    set(&futures, false);
    let v: &dyn ExecutionVenue = &split;
    let on_spot = sim_permissions(&futures, v);
    assert!(
        on_spot.withdraw,
        "read on the futures host instead of the spot host"
    );
    set(&spot, false);
    assert!(!sim_permissions(&futures, v).withdraw);

    let testnet_like = BinanceUrls {
        sapi: None,
        ..BinanceUrls::local(&futures.addr)
    };
    let testnet = BinanceVenue::new(BinanceMarket::UsdM, testnet_like, Some(credentials)).unwrap();
    let e = futures
        .block_on(async { (&testnet as &dyn ExecutionVenue).key_permissions().await })
        .unwrap_err();
    assert_eq!(e.kind, VenueErrorKind::Unsupported, "{e}");
}

fn sim_permissions(sim: &TestSim, v: &dyn ExecutionVenue) -> smc_venues::KeyPermissions {
    sim.block_on(async {
        v.sync_clock().await.unwrap();
        v.key_permissions().await.unwrap()
    })
}
