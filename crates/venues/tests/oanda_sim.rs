//! The OANDA adapter end to end against `smc venue-sim --protocol oanda`
//! in-process (EUR_USD daily bids replayed): account discovery, rules,
//! the clock, a one-level book, orders of every kind the engine sends
//! (market, resting limit, reduce-only stop and take-profit), query and
//! cancel by client id, positions, balances, the account's fills, the
//! transactions stream reporting the fill, and closed candles.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rust_decimal::{Decimal, dec};
use smc_model::{
    ClientOrderId, InstrumentId, MarketKind, OrderKind, OrderRequest, OrderStatus, Side,
    TimeInForce, Timeframe,
};
use smc_testkit::sim::{KEY, TestSim};
use smc_venues::oanda::{OandaCredentials, OandaUrls, OandaVenue, Secret};
use smc_venues::{
    ExecutionVenue, MarketDataVenue, OrderOutcome, UserEvent, UserStreamEvent, Venue,
    VenueErrorKind,
};
use std::time::Duration;

fn venue(sim: &TestSim, token: &str) -> OandaVenue {
    OandaVenue::new(
        OandaUrls::local(&sim.addr),
        Some(OandaCredentials {
            token: Secret::new(token),
            account_id: None,
        }),
    )
    .unwrap()
}

fn eur_usd() -> InstrumentId {
    InstrumentId::new("oanda", "EUR_USD").unwrap()
}

fn order(cid: &str, side: Side, qty: Decimal, kind: OrderKind, reduce_only: bool) -> OrderRequest {
    OrderRequest {
        client_id: ClientOrderId::new(cid),
        instrument: eur_usd(),
        side,
        qty,
        kind,
        time_in_force: TimeInForce::Gtc,
        reduce_only,
    }
}

fn accepted(out: OrderOutcome) -> smc_venues::VenueOrder {
    match out {
        OrderOutcome::Accepted(o) => o,
        other => panic!("accepted expected: {other:?}"),
    }
}

#[test]
fn trades_and_reads_against_the_simulator() {
    let sim = TestSim::oanda_eurusd(20.0, "");
    let bad = venue(&sim, "not-a-token");
    let e = sim
        .block_on(bad.instruments(&["EUR_USD".into()]))
        .unwrap_err();
    assert_eq!(e.kind, VenueErrorKind::Refused { code: -401 }, "{e}");

    let v = venue(&sim, KEY);
    assert_eq!(sim.block_on(v.account_id()).unwrap(), "101-001-1000001-001");
    sim.block_on(v.sync_clock()).unwrap();
    let inst = sim.block_on(v.instruments(&["EUR_USD".into()])).unwrap();
    assert_eq!(inst[0].kind, MarketKind::Forex);
    assert_eq!(inst[0].spec.tick_size, dec!(0.00001));
    let book = sim.block_on(v.order_book("EUR_USD", 5)).unwrap();
    assert_eq!((book.bids.len(), book.asks.len()), (1, 1));
    assert!(book.bids[0].price < book.asks[0].price);
    let (bid, ask) = (book.bids[0].price, book.asks[0].price);

    let mut reports = sim.block_on(v.order_reports()).unwrap();
    let first = sim
        .block_on(async { tokio::time::timeout(Duration::from_secs(5), reports.recv()).await })
        .unwrap()
        .unwrap();
    assert_eq!(first, UserStreamEvent::Connected { reconnect: false });

    // A market buy fills at once.
    let filled = accepted(
        sim.block_on(v.place(&order(
            "e2e-buy",
            Side::Buy,
            dec!(1000.6),
            OrderKind::Market,
            false,
        )))
        .unwrap(),
    );
    assert_eq!(
        (filled.status, filled.filled_qty),
        (OrderStatus::Filled, dec!(1000))
    );
    assert_eq!(filled.fills.len(), 1);
    // The stream reports the same fill.
    let fill = sim.block_on(async {
        loop {
            let ev = tokio::time::timeout(Duration::from_secs(5), reports.recv())
                .await
                .unwrap()
                .unwrap();
            if let UserStreamEvent::Event(UserEvent::Order(u)) = ev
                && let Some(f) = u.fill()
            {
                return f.clone();
            }
        }
    });
    assert_eq!(fill.client_id.as_str(), "e2e-buy");
    assert_eq!(fill.trade_id, filled.fills[0].trade_id);
    let pos = sim.block_on(v.positions()).unwrap();
    assert_eq!(
        pos.iter().find(|p| p.symbol == "EUR_USD").unwrap().amount,
        dec!(1000)
    );

    // A resting limit far below: open, queried, cancelled.
    let low = (bid * dec!(0.8)).round_dp(5);
    let resting = accepted(
        sim.block_on(v.place(&order(
            "e2e-lim",
            Side::Buy,
            dec!(500),
            OrderKind::Limit { price: low },
            false,
        )))
        .unwrap(),
    );
    assert_eq!(resting.status, OrderStatus::Submitted);
    let open = sim.block_on(v.open_orders(&eur_usd())).unwrap();
    assert!(
        open.iter().any(|o| o.client_id.as_str() == "e2e-lim"),
        "{open:?}"
    );
    let q = sim
        .block_on(v.query(&eur_usd(), &ClientOrderId::new("e2e-lim")))
        .unwrap()
        .unwrap();
    assert_eq!(q.status, OrderStatus::Submitted);
    let c = sim
        .block_on(v.cancel(&eur_usd(), &ClientOrderId::new("e2e-lim")))
        .unwrap();
    assert_eq!(c.status, OrderStatus::Cancelled);
    let q = sim
        .block_on(v.query(&eur_usd(), &ClientOrderId::new("e2e-lim")))
        .unwrap()
        .unwrap();
    assert_eq!(q.status, OrderStatus::Cancelled);
    assert_eq!(
        sim.block_on(v.query(&eur_usd(), &ClientOrderId::new("never")))
            .unwrap(),
        None
    );

    // The engine's protective legs: a reduce-only stop below and a
    // reduce-only take-profit above, both resting.
    let stop = order(
        "e2e-sl",
        Side::Sell,
        dec!(1000),
        OrderKind::StopMarket {
            trigger: (bid * dec!(0.7)).round_dp(5),
        },
        true,
    );
    assert_eq!(
        accepted(sim.block_on(v.place(&stop)).unwrap()).status,
        OrderStatus::Submitted
    );
    let tp = order(
        "e2e-tp",
        Side::Sell,
        dec!(1000),
        OrderKind::TakeProfit {
            trigger: (ask * dec!(1.3)).round_dp(5),
        },
        true,
    );
    assert_eq!(
        accepted(sim.block_on(v.place(&tp)).unwrap()).status,
        OrderStatus::Submitted
    );

    let balances = sim.block_on(v.balances()).unwrap();
    assert_eq!(balances[0].asset, "USD");
    assert!(balances[0].total() > Decimal::ZERO);
    let trades = sim.block_on(v.trades_since(&eur_usd(), 0)).unwrap();
    assert!(
        trades
            .iter()
            .any(|t| t.fill.trade_id == filled.fills[0].trade_id),
        "{trades:?}"
    );

    let now = v.venue_now_ms();
    let candles = sim
        .block_on(v.klines("EUR_USD", Timeframe::D1, now - 30 * 86_400_000, now))
        .unwrap();
    assert!(!candles.is_empty());
    assert!(candles.windows(2).all(|w| w[0].open_time < w[1].open_time));
}

#[test]
fn the_market_stream_delivers_book_tops_and_each_closed_candle_once() {
    let sim = TestSim::oanda_eurusd(20.0, "");
    let v = venue(&sim, KEY);
    sim.block_on(v.sync_clock()).unwrap();
    let request = smc_venues::MarketDataRequest {
        klines: vec![smc_venues::KlineRequest {
            symbol: "EUR_USD".into(),
            timeframe: Timeframe::D1,
            after: None,
        }],
        trades: Vec::new(),
        book_tops: vec!["EUR_USD".into()],
    };
    let mut s = sim.block_on(v.subscribe(&request)).unwrap();
    let (mut klines, mut tops) = (Vec::new(), 0);
    sim.block_on(async {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while klines.len() < 4 || tops == 0 {
            match tokio::time::timeout_at(deadline, s.recv()).await {
                Ok(Some(smc_venues::MarketStreamEvent::Market(
                    smc_venues::MarketEvent::Kline(k),
                ))) => klines.push(k),
                Ok(Some(smc_venues::MarketStreamEvent::Market(
                    smc_venues::MarketEvent::BookTop(t),
                ))) => {
                    assert!(t.bid < t.ask);
                    tops += 1;
                }
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => break,
            }
        }
    });
    assert!(tops > 0, "no book top");
    assert!(klines.len() >= 4, "{} klines: {klines:?}", klines.len());
    assert!(klines.iter().all(|k| k.closed));
    assert!(
        klines
            .windows(2)
            .all(|w| w[0].candle.open_time < w[1].candle.open_time),
        "in order, none twice: {:?}",
        klines
            .iter()
            .map(|k| k.candle.open_time)
            .collect::<Vec<_>>()
    );
}

/// The client ids and states of the order updates among `events`.
fn updates(events: &[UserStreamEvent]) -> Vec<(String, OrderStatus)> {
    events
        .iter()
        .filter_map(|e| match e {
            UserStreamEvent::Event(UserEvent::Order(u)) => {
                Some((u.order.client_id.to_string(), u.order.status))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn duplicated_and_dropped_streams_report_each_transaction_once() {
    let sim = TestSim::oanda_eurusd(20.0, "dup-events(path=/v3/accounts)");
    let v = venue(&sim, KEY);
    let book = sim.block_on(v.order_book("EUR_USD", 1)).unwrap();
    let low = (book.bids[0].price * dec!(0.5)).round_dp(5);
    let mut reports = sim.block_on(v.order_reports()).unwrap();
    let place = |cid: &str| {
        let o = order(
            cid,
            Side::Buy,
            dec!(10),
            OrderKind::Limit { price: low },
            false,
        );
        accepted(sim.block_on(v.place(&o)).unwrap());
    };
    let drain = |reports: &mut smc_venues::Subscription<UserStreamEvent>, want: usize| {
        sim.block_on(async {
            let mut seen = Vec::new();
            let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
            while updates(&seen).len() < want {
                match tokio::time::timeout_at(deadline, reports.recv()).await {
                    Ok(Some(e)) => seen.push(e),
                    _ => break,
                }
            }
            // Anything late (a duplicate) shows up here.
            while let Ok(Some(e)) =
                tokio::time::timeout(Duration::from_millis(400), reports.recv()).await
            {
                seen.push(e);
            }
            seen
        })
    };
    // Each transaction is sent twice by the venue: delivered once.
    place("dup-1");
    place("dup-2");
    let seen = drain(&mut reports, 2);
    assert_eq!(
        updates(&seen),
        [
            ("dup-1".to_string(), OrderStatus::Submitted),
            ("dup-2".to_string(), OrderStatus::Submitted)
        ],
        "{seen:?}"
    );
    // The stream is cut while orders are placed: the catch-up after the
    // reconnect delivers what was missed, once.
    sim.set_faults("drop-ws(after=200ms)");
    std::thread::sleep(Duration::from_millis(300));
    place("gap-1");
    place("gap-2");
    sim.set_faults("");
    let seen = drain(&mut reports, 2);
    assert_eq!(
        updates(&seen),
        [
            ("gap-1".to_string(), OrderStatus::Submitted),
            ("gap-2".to_string(), OrderStatus::Submitted)
        ],
        "{seen:?}"
    );
    assert!(
        seen.iter()
            .any(|e| matches!(e, UserStreamEvent::Disconnected { .. })),
        "the stream was cut: {seen:?}"
    );
    assert!(seen.contains(&UserStreamEvent::Connected { reconnect: true }));
}
