//! Bybit behind the venue interfaces, driven only through
//! `ExecutionVenue` and `MarketDataVenue` against the venue simulator
//! speaking Bybit v5 (`smc venue-sim --protocol bybit`): the clock, the
//! rules of each instrument, orders placed, queried, listed and cancelled
//! on spot and linear, a market fill and the account's trades, the unified
//! wallet, linear positions, the key's permissions, the private report
//! stream under faults and reconnects. The public streams are in
//! `bybit_market_data.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rust_decimal::Decimal;
use smc_model::{
    ClientOrderId, InstrumentId, MarketKind, OrderKind, OrderRequest, OrderStatus, Side,
    TimeInForce, Timeframe,
};
use smc_testkit::sim::{KEY, SECRET, TestSim, WITHDRAW_KEY, WITHDRAW_SECRET};
use smc_venues::bybit::{BybitCategory, BybitUrls, BybitVenue, Credentials};
use smc_venues::net::Secret;
use smc_venues::{
    ExecutionVenue, KlineRequest, MarketDataRequest, MarketDataVenue, MarketEvent,
    MarketStreamEvent, OrderOutcome, UserEvent, UserStreamEvent, Venue, VenueErrorKind,
};
use std::time::Duration;

/// The Bybit simulator (BTCUSDT minutes at 20 candles a second, the test
/// keys).
fn sim() -> TestSim {
    TestSim::bybit_btcusdt(20.0, "")
}

fn venue(addr: &str, category: BybitCategory, key: (&str, &str)) -> BybitVenue {
    let credentials = Credentials {
        api_key: key.0.into(),
        secret: Secret::new(key.1),
    };
    BybitVenue::new(
        category,
        BybitUrls::local(addr, category),
        Some(credentials),
    )
    .unwrap()
}

fn order(venue: &str, id: &str, side: Side, qty: Decimal, kind: OrderKind) -> OrderRequest {
    OrderRequest {
        client_id: ClientOrderId::new(id),
        instrument: InstrumentId::new(venue, "BTCUSDT").unwrap(),
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

type Updates = std::collections::BTreeMap<String, Vec<smc_venues::execution::OrderUpdate>>;

/// The order updates `reports` streams (by client id) until `done` holds
/// of them, or 10 s pass.
async fn streamed(
    reports: &mut smc_venues::Subscription<UserStreamEvent>,
    done: impl Fn(&Updates) -> bool,
) -> Updates {
    let mut seen = Updates::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !done(&seen) && tokio::time::Instant::now() < deadline {
        let next = tokio::time::timeout(Duration::from_secs(1), reports.recv()).await;
        if let Ok(Some(UserStreamEvent::Event(UserEvent::Order(u)))) = next {
            seen.entry(u.order.client_id.to_string())
                .or_default()
                .push(*u);
        }
    }
    seen
}

/// Whether `id` streamed a fill, and whether it streamed `status`.
fn has_fill(seen: &Updates, id: &str) -> bool {
    seen.get(id)
        .is_some_and(|u| u.iter().any(|u| u.fill().is_some()))
}
fn reached(seen: &Updates, id: &str, status: OrderStatus) -> bool {
    seen.get(id)
        .is_some_and(|u| u.iter().any(|u| u.order.status == status))
}

async fn spot_scenario(addr: &str) {
    let bybit = venue(addr, BybitCategory::Spot, (KEY, SECRET));
    let v: &dyn ExecutionVenue = &bybit;
    assert_eq!(v.name(), "bybit");
    v.sync_clock().await.unwrap();
    assert!((v.venue_now_ms() - smc_model::Clock::now(&smc_model::WallClock).ms()).abs() < 60_000);
    let rules = v.instruments(&["BTCUSDT".into()]).await.unwrap();
    assert_eq!(rules[0].kind, MarketKind::Spot);
    assert_eq!(rules[0].id.to_string(), "bybit:BTCUSDT");
    assert!(rules[0].spec.tick_size > Decimal::ZERO && rules[0].spec.lot_size > Decimal::ZERO);
    let missing = v.instruments(&["NOPEUSDT".into()]).await.unwrap_err();
    assert!(missing.message.contains("not listed"), "{missing}");

    let key = v.key_permissions().await.unwrap();
    assert!(key.trade && !key.withdraw && !key.transfer, "{key:?}");
    let withdrawing = venue(addr, BybitCategory::Spot, (WITHDRAW_KEY, WITHDRAW_SECRET));
    withdrawing.sync_clock().await.unwrap();
    assert!(withdrawing.key_permissions().await.unwrap().withdraw);

    let usdt = |b: &[smc_venues::Balance]| b.iter().find(|b| b.asset == "USDT").unwrap().total();
    assert_eq!(usdt(&v.balances().await.unwrap()), Decimal::from(10_000));
    assert!(
        v.positions().await.unwrap().is_empty(),
        "spot has no positions"
    );

    let mut reports = v.order_reports().await.unwrap();
    let first = tokio::time::timeout(Duration::from_secs(6), reports.recv()).await;
    assert!(
        matches!(
            first,
            Ok(Some(UserStreamEvent::Connected { reconnect: false }))
        ),
        "{first:?}"
    );
    let id: InstrumentId = "bybit:BTCUSDT".parse().unwrap();
    // A market buy fills; its execution is the account's trade.
    let buy = order(
        "bybit",
        "s-buy",
        Side::Buy,
        Decimal::new(2, 3),
        OrderKind::Market,
    );
    let placed = accepted(v.place(&buy).await.unwrap());
    assert!(!placed.venue_order_id.is_empty());
    let mut filled = None;
    for _ in 0..50 {
        filled = v.query(&id, &buy.client_id).await.unwrap();
        if filled
            .as_ref()
            .is_some_and(|o| o.status == OrderStatus::Filled)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let filled = filled.unwrap();
    assert_eq!(filled.status, OrderStatus::Filled, "{filled:?}");
    assert_eq!(filled.filled_qty, Decimal::new(2, 3));
    let trades = v.trades_since(&id, 0).await.unwrap();
    let trade = trades
        .iter()
        .find(|t| t.venue_order_id == placed.venue_order_id)
        .unwrap_or_else(|| panic!("{trades:?}"));
    assert_eq!(trade.fill.qty, Decimal::new(2, 3));
    assert_eq!(trade.fill.side, Side::Buy);
    let price = trade.fill.price;
    let btc = v
        .balances()
        .await
        .unwrap()
        .into_iter()
        .find(|b| b.asset == "BTC")
        .unwrap();
    assert!(btc.total() > Decimal::ZERO);

    // A limit 5 % below the market rests: queried, listed, cancelled.
    let below = |pct: i64| (price * Decimal::new(100 - pct, 2)).round_dp(1);
    let low = order(
        "bybit",
        "s-rest",
        Side::Buy,
        Decimal::new(1, 2),
        OrderKind::Limit { price: below(5) },
    );
    let rest = accepted(v.place(&low).await.unwrap());
    assert_eq!(rest.status, OrderStatus::Submitted);
    let seen = v.query(&id, &low.client_id).await.unwrap().unwrap();
    assert_eq!(seen.venue_order_id, rest.venue_order_id);
    assert_eq!(seen.status, OrderStatus::Submitted);
    let open = v.open_orders(&id).await.unwrap();
    assert_eq!(
        open.iter()
            .map(|o| o.client_id.as_str())
            .collect::<Vec<_>>(),
        ["s-rest"]
    );
    let cancelled = v.cancel(&id, &low.client_id).await.unwrap();
    assert_eq!(cancelled.status, OrderStatus::Cancelled);
    assert!(v.open_orders(&id).await.unwrap().is_empty());
    // A spot stop (a conditional order, `orderFilter: StopOrder`) below
    // the market waits untriggered; listed, then cancelled.
    let stop = order(
        "bybit",
        "s-stop",
        Side::Sell,
        Decimal::new(1, 3),
        OrderKind::StopMarket { trigger: below(20) },
    );
    let waiting = accepted(v.place(&stop).await.unwrap());
    assert_eq!(waiting.status, OrderStatus::Submitted);
    let open = v.open_orders(&id).await.unwrap();
    assert_eq!(
        open.iter()
            .map(|o| o.client_id.as_str())
            .collect::<Vec<_>>(),
        ["s-stop"]
    );
    assert_eq!(
        v.cancel(&id, &stop.client_id).await.unwrap().status,
        OrderStatus::Cancelled
    );
    // Cancelling it again: the venue no longer knows it as open.
    let again = v.cancel(&id, &low.client_id).await.unwrap_err();
    assert!(
        matches!(again.kind, VenueErrorKind::Refused { .. }),
        "{again}"
    );
    assert!(
        v.query(&id, &ClientOrderId::new("never-sent"))
            .await
            .unwrap()
            .is_none()
    );
    // The same client id twice: Bybit's duplicate orderLinkId refusal.
    let dup = v.place(&low).await.unwrap();
    assert!(matches!(dup, OrderOutcome::Rejected { .. }), "{dup:?}");
    // Under the minimum quantity, or an id over 36 characters: never sent.
    let tiny = order(
        "bybit",
        "s-tiny",
        Side::Buy,
        Decimal::new(1, 9),
        OrderKind::Market,
    );
    assert_eq!(
        v.place(&tiny).await.unwrap_err().kind,
        VenueErrorKind::NotSent
    );
    let long = order(
        "bybit",
        &"x".repeat(37),
        Side::Buy,
        Decimal::new(1, 3),
        OrderKind::Market,
    );
    let e = v.place(&long).await.unwrap_err();
    assert!(
        e.kind == VenueErrorKind::NotSent && e.message.contains("36"),
        "{e}"
    );

    // The private stream reported the orders, the fill with its execution.
    let done = |s: &Updates| {
        has_fill(s, "s-buy")
            && reached(s, "s-buy", OrderStatus::Filled)
            && reached(s, "s-rest", OrderStatus::Cancelled)
    };
    let seen = streamed(&mut reports, done).await;
    assert!(done(&seen), "{seen:?}");
    let fill = seen["s-buy"]
        .iter()
        .find_map(|u| u.fill().cloned())
        .unwrap();
    assert_eq!(
        (fill.qty, fill.price),
        (Decimal::new(2, 3), trade.fill.price)
    );
    assert_eq!(
        fill.trade_id, trade.fill.trade_id,
        "the stream and the trade list agree"
    );
}

async fn linear_scenario(addr: &str) {
    let bybit = venue(addr, BybitCategory::Linear, (KEY, SECRET));
    let v: &dyn ExecutionVenue = &bybit;
    assert_eq!(v.name(), "bybit-linear");
    v.sync_clock().await.unwrap();
    let rules = v.instruments(&["BTCUSDT".into()]).await.unwrap();
    assert_eq!(rules[0].kind, MarketKind::Perpetual);
    assert_eq!(rules[0].id.to_string(), "bybit-linear:BTCUSDT");
    let mut reports = v.order_reports().await.unwrap();
    let first = tokio::time::timeout(Duration::from_secs(6), reports.recv()).await;
    assert!(
        matches!(first, Ok(Some(UserStreamEvent::Connected { .. }))),
        "{first:?}"
    );
    let id = rules[0].id.clone();
    let sell = order(
        "bybit-linear",
        "l-sell",
        Side::Sell,
        Decimal::new(3, 3),
        OrderKind::Market,
    );
    let placed = accepted(v.place(&sell).await.unwrap());
    let mut position = None;
    for _ in 0..50 {
        position = v
            .positions()
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.symbol == "BTCUSDT");
        if position.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let p = position.unwrap();
    assert_eq!(p.amount, Decimal::new(-3, 3), "a short is negative");
    assert!(p.entry_price > Decimal::ZERO);
    let trades = v.trades_since(&id, 0).await.unwrap();
    assert!(
        trades
            .iter()
            .any(|t| t.venue_order_id == placed.venue_order_id),
        "{trades:?}"
    );
    // A reduce-only buy stop above the market waits untriggered; a limit
    // far below rests; both are listed and cancelled.
    let price = trades[0].fill.price;
    let mut stop = order(
        "bybit-linear",
        "l-stop",
        Side::Buy,
        Decimal::new(3, 3),
        OrderKind::StopMarket {
            trigger: (price * Decimal::new(120, 2)).round_dp(1),
        },
    );
    stop.reduce_only = true;
    accepted(v.place(&stop).await.unwrap());
    let limit = order(
        "bybit-linear",
        "l-rest",
        Side::Buy,
        Decimal::new(1, 3),
        OrderKind::Limit {
            price: (price * Decimal::new(90, 2)).round_dp(1),
        },
    );
    accepted(v.place(&limit).await.unwrap());
    // The short's take-profit: a reduce-only buy triggered on a fall.
    let mut tp = order(
        "bybit-linear",
        "l-tp",
        Side::Buy,
        Decimal::new(3, 3),
        OrderKind::TakeProfit {
            trigger: (price * Decimal::new(80, 2)).round_dp(1),
        },
    );
    tp.reduce_only = true;
    accepted(v.place(&tp).await.unwrap());
    let mut open: Vec<String> = v
        .open_orders(&id)
        .await
        .unwrap()
        .iter()
        .map(|o| o.client_id.to_string())
        .collect();
    open.sort();
    assert_eq!(open, ["l-rest", "l-stop", "l-tp"]);
    for cid in [&stop.client_id, &limit.client_id, &tp.client_id] {
        assert_eq!(
            v.cancel(&id, cid).await.unwrap().status,
            OrderStatus::Cancelled
        );
    }
    assert!(v.open_orders(&id).await.unwrap().is_empty());
    let done = |s: &Updates| {
        has_fill(s, "l-sell")
            && reached(s, "l-stop", OrderStatus::Cancelled)
            && reached(s, "l-rest", OrderStatus::Cancelled)
    };
    let seen = streamed(&mut reports, done).await;
    assert!(done(&seen), "{seen:?}");
}

#[test]
fn spot_through_the_execution_interface() {
    let sim = sim();
    sim.block_on(spot_scenario(&sim.addr));
}

#[test]
fn linear_positions_stops_and_reports() {
    let sim = sim();
    sim.block_on(linear_scenario(&sim.addr));
}

/// Placement under injected faults keeps the outcome policy: a refused
/// timestamp resyncs the clock and is sent once more; a 5xx before the
/// venue acted and a "server timeout" after it are both `Unknown`, and a
/// query tells which; a venue refusal is `Rejected` with Bybit's code; a
/// rate-limited read is `Throttled`.
#[test]
fn order_outcomes_under_faults() {
    let sim = sim();
    let bybit = venue(&sim.addr, BybitCategory::Spot, (KEY, SECRET));
    let v: &dyn ExecutionVenue = &bybit;
    let id: InstrumentId = "bybit:BTCUSDT".parse().unwrap();
    let buy = |cid: &str| {
        order(
            "bybit",
            cid,
            Side::Buy,
            Decimal::new(1, 3),
            OrderKind::Market,
        )
    };
    sim.block_on(async {
        v.sync_clock().await.unwrap();
        v.instruments(&["BTCUSDT".into()]).await.unwrap();
    });

    let spec = "-1021(count=1,path=/v5/order/create)";
    sim.set_faults(spec);
    let o = sim.block_on(v.place(&buy("f-resync"))).unwrap();
    assert!(matches!(o, OrderOutcome::Accepted(_)), "{o:?}");
    sim.clear_faults_checked(spec);

    let spec = "order-timeout(count=1,path=/v5/order/create)";
    sim.set_faults(spec);
    let o = sim.block_on(v.place(&buy("f-timeout"))).unwrap();
    assert!(o.is_unknown(), "{o:?}");
    sim.clear_faults_checked(spec);
    let placed = sim
        .block_on(v.query(&id, &ClientOrderId::new("f-timeout")))
        .unwrap();
    assert!(placed.is_some(), "the venue took it before timing out");

    let spec = "5xx(count=1,path=/v5/order/create)";
    sim.set_faults(spec);
    let o = sim.block_on(v.place(&buy("f-5xx"))).unwrap();
    assert!(o.is_unknown(), "{o:?}");
    sim.clear_faults_checked(spec);
    let placed = sim
        .block_on(v.query(&id, &ClientOrderId::new("f-5xx")))
        .unwrap();
    assert!(placed.is_none(), "never reached the matching engine");

    let spec = "refuse(code=-1,count=1,path=/v5/order/create)";
    sim.set_faults(spec);
    let o = sim.block_on(v.place(&buy("f-refused"))).unwrap();
    assert!(
        matches!(o, OrderOutcome::Rejected { code: 170131, .. }),
        "spot insufficient balance: {o:?}"
    );
    sim.clear_faults_checked(spec);

    let spec = "429(path=/v5/order/realtime)";
    sim.set_faults(spec);
    let e = sim
        .block_on(v.query(&id, &ClientOrderId::new("f-resync")))
        .unwrap_err();
    assert!(matches!(e.kind, VenueErrorKind::Throttled { .. }), "{e}");
    sim.clear_faults_checked(spec);
}

/// Dropped connections: the private stream reconnects, authenticates and
/// resubscribes (`Connected { reconnect: true }`) and streams what follows;
/// the public stream resubscribes and backfills, so closed klines still
/// arrive once and in order.
#[test]
fn streams_reconnect_and_resubscribe() {
    let sim = sim();
    sim.set_faults(
        "drop-ws(after=1s,count=1,path=/v5/private);drop-ws(after=1s,count=2,path=/v5/public)",
    );
    let bybit = venue(&sim.addr, BybitCategory::Spot, (KEY, SECRET));
    sim.block_on(async {
        bybit.sync_clock().await.unwrap();
        bybit.instruments(&["BTCUSDT".into()]).await.unwrap();
        let mut reports = bybit.order_reports().await.unwrap();
        let request = MarketDataRequest {
            klines: vec![KlineRequest {
                symbol: "BTCUSDT".into(),
                timeframe: Timeframe::M1,
                after: None,
            }],
            ..MarketDataRequest::default()
        };
        let mut feed = bybit.subscribe(&request).await.unwrap();
        let mut reconnected = false;
        let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
        while !reconnected && tokio::time::Instant::now() < deadline {
            if let Ok(Some(UserStreamEvent::Connected { reconnect: true })) =
                tokio::time::timeout(Duration::from_secs(1), reports.recv()).await
            {
                reconnected = true;
            }
        }
        assert!(reconnected, "no private reconnect");
        let o = order(
            "bybit",
            "r-after",
            Side::Buy,
            Decimal::new(1, 3),
            OrderKind::Market,
        );
        accepted(bybit.place(&o).await.unwrap());
        let seen = streamed(&mut reports, |s| has_fill(s, "r-after")).await;
        assert!(has_fill(&seen, "r-after"), "{seen:?}");

        let (mut klines, mut reconnects) = (Vec::new(), 0);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while (reconnects < 2 || klines.len() < 20) && tokio::time::Instant::now() < deadline {
            match tokio::time::timeout(Duration::from_secs(1), feed.recv()).await {
                Ok(Some(MarketStreamEvent::Connected { reconnect: true })) => reconnects += 1,
                Ok(Some(MarketStreamEvent::Market(MarketEvent::Kline(k)))) if k.closed => {
                    klines.push(k.candle.open_time);
                }
                _ => {}
            }
        }
        assert_eq!(reconnects, 2);
        assert!(klines.len() >= 20, "{klines:?}");
        assert!(
            klines.windows(2).all(|w| w[1] - w[0] == 60_000),
            "once and in order across reconnects: {klines:?}"
        );
    });
    // Both faults fired: the reconnects above are theirs.
    sim.set_faults("");
}
