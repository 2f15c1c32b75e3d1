//! Bybit parsers on recorded v5 messages (fixtures/bybit/README.md names
//! the sources), plus malformed ones.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rust_decimal::dec;
use smc_model::{FeeSource, Liquidity, MarketKind, OrderStatus, Side, Timeframe, Timestamp};
use smc_venues::bybit::account::{
    parse_key_permissions, parse_positions_page, parse_wallet, parse_wallet_stream,
};
use smc_venues::bybit::book::Book;
use smc_venues::bybit::instruments::parse_instruments_page;
use smc_venues::bybit::market_parse::{parse_klines_rest, trade_id};
use smc_venues::bybit::orders::{RawExecution, RawOrder, parse_fill, parse_order};
use smc_venues::bybit::{BybitCategory, PublicFrame, parse_private, parse_public};
use smc_venues::{MarketEvent, UserEvent};
use std::path::Path;

fn fixture(rel: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/bybit")
        .join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn nautilus(name: &str) -> String {
    fixture(&format!("nautilus-rust/{name}.json"))
}

/// The `result` of a recorded REST answer.
fn result(name: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(&nautilus(name)).unwrap();
    assert_eq!(v["retCode"], 0, "{name}");
    v["result"].to_string()
}

fn public(text: &str) -> (PublicFrame, Vec<MarketEvent>) {
    let mut out = Vec::new();
    let f = parse_public("bybit-linear", text, &mut out).unwrap();
    (f, out)
}

#[test]
fn kline_message_is_an_open_candle_with_exact_decimals() {
    let (f, events) = public(&nautilus("ws_kline"));
    assert_eq!(f, PublicFrame::Market);
    let [MarketEvent::Kline(k)] = events.as_slice() else {
        panic!("{events:?}")
    };
    assert_eq!(k.instrument.to_string(), "bybit-linear:BTCUSDT");
    assert_eq!(k.timeframe, Timeframe::M5);
    assert!(!k.closed, "confirm=false is still open");
    assert_eq!(k.candle.open_time, Timestamp::from_ms(1_672_324_800_000));
    assert_eq!(k.candle.open, dec!(16649.5));
    assert_eq!(k.candle.close, dec!(16677));
    assert_eq!(k.candle.low, dec!(16608));
    assert_eq!(k.candle.volume, dec!(2.081));
    assert_eq!(k.event_time, Some(Timestamp::from_ms(1_672_324_988_882)));
    // The same message confirmed is a closed candle.
    let closed = nautilus("ws_kline").replace("\"confirm\": false", "\"confirm\": true");
    let (_, events) = public(&closed);
    assert!(matches!(&events[0], MarketEvent::Kline(k) if k.closed));
}

#[test]
fn public_trade_message() {
    let (_, events) = public(&nautilus("ws_public_trade"));
    let [MarketEvent::Trade(t)] = events.as_slice() else {
        panic!("{events:?}")
    };
    assert_eq!(t.instrument.symbol(), "BTCUSDT");
    assert_eq!(t.price, dec!(27451.00));
    assert_eq!(t.qty, dec!(0.010));
    assert_eq!(t.aggressor, Side::Buy);
    assert_eq!(t.time, Timestamp::from_ms(1_709_891_679_000));
    // A linear trade id is a UUID: its first 64 bits.
    assert_eq!(t.trade_id, 0x9dc7_5fca_4bdd_4773);
    // Bybit's own topic name and a spot (numeric) id, several trades.
    let spot = r#"{"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":1,"data":[{"T":1,"s":"BTCUSDT","S":"Sell","v":"0.5","p":"100","L":"MinusTick","i":"2290000000061666327","BT":false},{"T":2,"s":"BTCUSDT","S":"Buy","v":"1","p":"101","i":"2290000000061666328","BT":false}]}"#;
    let (_, events) = public(spot);
    assert_eq!(events.len(), 2);
    assert!(
        matches!(&events[0], MarketEvent::Trade(t) if t.trade_id == 2_290_000_000_061_666_327 && t.aggressor == Side::Sell)
    );
    // Any other id is hashed, stably; an empty one is refused.
    assert_eq!(trade_id("BTCUSDT-758"), trade_id("BTCUSDT-758"));
    assert_ne!(trade_id("BTCUSDT-758"), trade_id("BTCUSDT-759"));
    assert_eq!(trade_id(""), None);
}

#[test]
fn order_book_snapshot_then_delta_gives_tops() {
    let id = smc_model::InstrumentId::new("bybit-linear", "BTCUSDT").unwrap();
    let mut book = Book::new();
    let (PublicFrame::Book(snap), _) = public(&nautilus("ws_orderbook_snapshot")) else {
        panic!()
    };
    assert!(snap.snapshot);
    assert_eq!(
        (snap.depth, snap.update_id, snap.seq),
        (1, 123_456_789, 987_654_321)
    );
    book.apply(&id, &snap).unwrap();
    let top = book.top(&id, snap.time).unwrap();
    assert_eq!(
        (top.bid, top.bid_qty, top.ask, top.ask_qty),
        (dec!(27450.00), dec!(0.500), dec!(27451.00), dec!(0.750))
    );
    let (PublicFrame::Book(delta), _) = public(&nautilus("ws_orderbook_delta")) else {
        panic!()
    };
    let diff = book.apply(&id, &delta).unwrap();
    assert_eq!(diff.prev_final_update_id, Some(123_456_789));
    let top = book.top(&id, delta.time).unwrap();
    // 27451.00 removed (size 0): the next ask is the best.
    assert_eq!(
        (top.bid_qty, top.ask, top.update_id),
        (dec!(0.400), dec!(27451.50), 123_456_790)
    );
}

#[test]
fn real_order_book_history_replays_without_crossing() {
    let id = smc_model::InstrumentId::new("bybit-linear", "XRPUSDT").unwrap();
    let text = fixture("history/2024-12-01_XRPUSDT_ob500.data");
    let mut book = Book::new();
    // A reference book replayed independently.
    let mut bids = std::collections::BTreeMap::new();
    let mut asks = std::collections::BTreeMap::new();
    let mut n = 0;
    for line in text.lines() {
        let (PublicFrame::Book(m), _) = public(line) else {
            panic!("{line}")
        };
        assert_eq!(m.depth, 500);
        let d = book.apply(&id, &m).unwrap();
        if m.snapshot {
            assert_eq!(n, 0, "one snapshot, first");
        } else {
            assert!(d.prev_final_update_id.unwrap() < m.update_id);
        }
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        for (side, map) in [("b", &mut bids), ("a", &mut asks)] {
            for l in v["data"][side].as_array().unwrap() {
                let p: rust_decimal::Decimal = l[0].as_str().unwrap().parse().unwrap();
                let q: rust_decimal::Decimal = l[1].as_str().unwrap().parse().unwrap();
                if q.is_zero() {
                    map.remove(&p);
                } else {
                    map.insert(p, q);
                }
            }
        }
        let top = book.top(&id, m.time).unwrap();
        assert!(top.bid < top.ask, "crossed after message {n}: {top:?}");
        assert_eq!(top.bid, *bids.keys().next_back().unwrap());
        assert_eq!(top.ask, *asks.keys().next().unwrap());
        n += 1;
    }
    assert_eq!(n, 50);
    let (b, a) = book.levels(usize::MAX);
    assert_eq!(b.len(), bids.len());
    assert_eq!(a.len(), asks.len());
}

#[test]
fn control_answers_and_unknown_topics() {
    let (f, _) = public(&nautilus("ws_subscription_ack"));
    assert_eq!(
        f,
        PublicFrame::Control {
            op: "subscribe".into(),
            success: true,
            msg: String::new()
        }
    );
    let (f, _) = public(&nautilus("ws_subscription_failure"));
    assert!(
        matches!(f, PublicFrame::Control { success: false, ref msg, .. } if msg.contains("invalid.topic"))
    );
    let pong = r#"{"success":true,"ret_msg":"pong","conn_id":"x","req_id":"","op":"ping"}"#;
    assert!(matches!(
        public(pong).0,
        PublicFrame::Control { success: true, .. }
    ));
    let linear_pong = r#"{"req_id":"1","op":"pong","args":["1675418560633"],"conn_id":"x"}"#;
    assert!(matches!(public(linear_pong).0, PublicFrame::Control { ref op, .. } if op == "pong"));
    let (f, _) = public(r#"{"topic":"tickers.BTCUSDT","data":{}}"#);
    assert_eq!(f, PublicFrame::Ignored("tickers.BTCUSDT".into()));
}

#[test]
fn malformed_public_frames_are_errors_naming_the_field() {
    let mut out = Vec::new();
    let bad_price = nautilus("ws_kline").replace("\"16649.5\"", "\"16x49.5\"");
    let e = parse_public("bybit", &bad_price, &mut out).unwrap_err();
    assert!(e.to_string().contains("open"), "{e}");
    let e = parse_public(
        "bybit",
        r#"{"topic":"kline.7.BTCUSDT","data":[]}"#,
        &mut out,
    )
    .unwrap_err();
    assert!(e.to_string().contains("topic"), "{e}");
    assert!(parse_public("bybit", "not json", &mut out).is_err());
    assert!(
        parse_public(
            "bybit",
            r#"{"topic":"publicTrade.X","data":[{"T":1}]}"#,
            &mut out
        )
        .is_err()
    );
    assert!(out.is_empty());
}

#[test]
fn rest_klines_come_back_oldest_first() {
    let candles = parse_klines_rest(&result("http_get_klines_linear")).unwrap();
    assert_eq!(candles.len(), 1);
    assert_eq!(candles[0].open_time, Timestamp::from_ms(1_709_891_679_000));
    assert_eq!(
        (
            candles[0].open,
            candles[0].high,
            candles[0].low,
            candles[0].close,
            candles[0].volume
        ),
        (
            dec!(27450),
            dec!(27460),
            dec!(27440),
            dec!(27455),
            dec!(123.45)
        )
    );
    // Bybit lists newest first.
    let two = r#"{"list":[["120000","2","2","2","2","1","2"],["60000","1","1","1","1","1","1"]]}"#;
    let c = parse_klines_rest(two).unwrap();
    assert_eq!(c[0].open_time, Timestamp::from_ms(60_000));
    assert_eq!(c[1].close, dec!(2));
    assert!(parse_klines_rest(r#"{"list":[["1","2"]]}"#).is_err());
}

#[test]
fn instruments_spot_and_linear() {
    let spot = parse_instruments_page(&result("http_get_instruments_spot"))
        .unwrap()
        .rules(BybitCategory::Spot)
        .unwrap();
    let btc = spot
        .iter()
        .find(|r| r.instrument.id.symbol() == "BTCUSDT")
        .unwrap();
    assert_eq!(btc.instrument.id.to_string(), "bybit:BTCUSDT");
    assert_eq!(btc.instrument.kind, MarketKind::Spot);
    assert_eq!(
        (btc.instrument.base.as_str(), btc.instrument.quote.as_str()),
        ("BTC", "USDT")
    );
    let s = btc.instrument.spec;
    assert_eq!(
        (s.tick_size, s.lot_size, s.min_qty, s.min_notional),
        (dec!(0.1), dec!(0.0001), dec!(0.001), dec!(10))
    );
    assert_eq!(btc.max_qty, dec!(100.0));
    let linear = parse_instruments_page(&result("http_get_instruments_linear"))
        .unwrap()
        .rules(BybitCategory::Linear)
        .unwrap();
    let eth = linear
        .iter()
        .find(|r| r.instrument.id.symbol() == "ETHUSDT")
        .unwrap();
    assert_eq!(eth.instrument.id.venue(), "bybit-linear");
    assert_eq!(eth.instrument.kind, MarketKind::Perpetual);
    let s = eth.instrument.spec;
    assert_eq!(
        (s.tick_size, s.lot_size, s.min_qty, s.min_notional),
        (dec!(0.05), dec!(0.01), dec!(0.01), dec!(5))
    );
    assert_eq!(
        (eth.min_price, eth.max_price, eth.max_market_qty),
        (dec!(0.1), dec!(100000), dec!(500.0))
    );
}

#[test]
fn wallet_balances_positions_and_key_permissions() {
    let b = parse_wallet(&result("http_get_wallet_balance")).unwrap();
    let usdt = b.iter().find(|b| b.asset == "USDT").unwrap();
    assert_eq!(usdt.total(), dec!(1000.50));
    assert_eq!(usdt.locked, dec!(0));
    let stream = serde_json::from_str::<serde_json::Value>(&nautilus("ws_account_wallet")).unwrap();
    let b = parse_wallet_stream(&stream["data"].to_string()).unwrap();
    let btc = b.iter().find(|b| b.asset == "BTC").unwrap();
    assert_eq!((btc.free, btc.locked), (dec!(0.00092964), dec!(0.00010000)));
    // Held beyond the wallet: capped so that free + locked is the wallet.
    let over = serde_json::from_str::<serde_json::Value>(&nautilus(
        "ws_account_wallet_locked_exceeds_total",
    ))
    .unwrap();
    for b in parse_wallet_stream(&over["data"].to_string()).unwrap() {
        assert!(b.free >= dec!(0) && b.locked >= dec!(0), "{b:?}");
    }

    let p = parse_positions_page(&result("http_get_positions"))
        .unwrap()
        .positions()
        .unwrap();
    let btc = p.iter().find(|p| p.symbol == "BTCUSDT").unwrap();
    assert_eq!((btc.amount, btc.entry_price), (dec!(0.5), dec!(50000.00)));
    let eth = p.iter().find(|p| p.symbol == "ETHUSDT").unwrap();
    assert_eq!(eth.amount, dec!(-5.0), "short is negative");

    let k = parse_key_permissions(&result("http_get_user_query_api")).unwrap();
    assert!(!k.trade, "readOnly: 1");
    assert!(!k.withdraw);
    assert!(k.transfer, "Wallet: AccountTransfer");
    assert!(k.ip_restricted);
    let withdraw =
        r#"{"readOnly":0,"permissions":{"Spot":["SpotTrade"],"Wallet":["Withdraw"]},"ips":["*"]}"#;
    let k = parse_key_permissions(withdraw).unwrap();
    assert!(
        k.trade && k.withdraw && !k.transfer && !k.ip_restricted,
        "{k:?}"
    );
}

#[test]
fn rest_orders_and_executions() {
    let v: serde_json::Value = serde_json::from_str(&result("http_get_orders_realtime")).unwrap();
    let raws: Vec<RawOrder> = serde_json::from_value(v["list"].clone()).unwrap();
    let o = parse_order("t", "bybit-linear", &raws[0]).unwrap();
    assert_eq!(o.client_id.as_str(), "client-open-1");
    assert_eq!(o.venue_order_id, "open-order-1");
    assert_eq!(o.status, OrderStatus::Submitted);
    assert_eq!((o.orig_qty, o.filled_qty), (dec!(0.010), dec!(0)));
    assert_eq!(o.time, 1_761_355_905_606);
    let v: serde_json::Value = serde_json::from_str(&result("http_get_orders_history")).unwrap();
    let raws: Vec<RawOrder> = serde_json::from_value(v["list"].clone()).unwrap();
    assert_eq!(
        parse_order("t", "bybit-linear", &raws[0]).unwrap().status,
        OrderStatus::Cancelled
    );

    let v: serde_json::Value = serde_json::from_str(&result("http_get_executions")).unwrap();
    let raws: Vec<RawExecution> = serde_json::from_value(v["list"].clone()).unwrap();
    let f = parse_fill("t", "bybit-linear", false, &raws[0]).unwrap();
    assert_eq!(f.client_id.as_str(), "test-order-001");
    assert_eq!(
        (f.price, f.qty, f.fee),
        (dec!(50000.00), dec!(0.100), dec!(0.0150))
    );
    assert_eq!(f.fee_source, FeeSource::Quote);
    assert_eq!(f.liquidity, Liquidity::Maker);
    assert_eq!(f.trade_id, "e0cbe81d-0f18-5866-9415-cf319b5dab3b");
    assert_eq!(f.time, Timestamp::from_ms(1_672_282_722_429));
    // A spot buy pays its fee in the base coin when Bybit says so.
    let mut spot = serde_json::from_value::<RawExecution>(v["list"][0].clone()).unwrap();
    spot.fee_currency = Some("BTC".into());
    spot.exec_fee = Some("0.0001".into());
    let f = parse_fill("t", "bybit", true, &spot).unwrap();
    assert_eq!(f.fee_source, FeeSource::Base { qty: dec!(0.0001) });
    assert_eq!(f.fee, dec!(5.0000000));
}

/// The one order update of a recorded linear message.
fn one(name: &str) -> smc_venues::execution::OrderUpdate {
    match private(BybitCategory::Linear, name).as_slice() {
        [UserEvent::Order(u)] => (**u).clone(),
        other => panic!("{name}: {other:?}"),
    }
}

fn private(category: BybitCategory, name: &str) -> Vec<UserEvent> {
    parse_private(category, &nautilus(name)).unwrap()
}

#[test]
fn private_order_and_execution_messages() {
    let u = one("ws_account_order");
    assert_eq!(u.order.client_id.as_str(), "client-1");
    assert_eq!(u.order.status, OrderStatus::Cancelled);
    assert_eq!(u.execution_type, "Cancelled");
    assert!(u.fill().is_none());
    assert_eq!(u.order.instrument.to_string(), "bybit-linear:BTCUSDT");
    let u = one("ws_account_order_filled");
    assert_eq!(u.order.status, OrderStatus::Filled);
    let u = one("ws_account_order_stop_market");
    assert_eq!(u.order.status, OrderStatus::Submitted, "Untriggered waits");

    let u = one("ws_account_execution");
    let f = u.fill().unwrap();
    assert_eq!(u.order.client_id.as_str(), "test-order-link-001");
    assert_eq!(
        (f.side, f.price, f.qty, f.fee),
        (Side::Sell, dec!(95900.1), dec!(0.5), dec!(26.3725275))
    );
    assert_eq!(f.liquidity, Liquidity::Taker);
    assert_eq!(u.order.status, OrderStatus::Filled, "leavesQty 0");
    assert_eq!(
        (u.order.orig_qty, u.order.filled_qty),
        (dec!(0.5), dec!(0.5))
    );
    assert_eq!(u.commission, dec!(26.3725275));
    assert_eq!(u.execution_type, "Trade");
    // ADL is not a trade of ours.
    assert!(matches!(
        private(BybitCategory::Linear, "ws_account_execution_adl").as_slice(),
        [UserEvent::Ignored(w)] if w.contains("AdlTrade")
    ));
    // The same records are another category's on the spot venue.
    assert!(private(BybitCategory::Spot, "ws_account_execution").is_empty());
    assert!(private(BybitCategory::Spot, "ws_account_order").is_empty());
    // Position and wallet pass as ignored events; control answers too.
    assert!(
        matches!(private(BybitCategory::Linear, "ws_account_position").as_slice(), [UserEvent::Ignored(t)] if t == "position")
    );
    assert!(
        matches!(private(BybitCategory::Linear, "ws_account_wallet").as_slice(), [UserEvent::Ignored(t)] if t == "wallet")
    );
    assert!(
        matches!(private(BybitCategory::Linear, "ws_auth_success").as_slice(), [UserEvent::Ignored(t)] if t == "auth")
    );
    let e = parse_private(BybitCategory::Linear, &nautilus("ws_auth_failure")).unwrap_err();
    assert!(e.to_string().contains("Invalid apikey"), "{e}");
    // An answer in both spellings (the documented `ret_msg` and the
    // recorded `retMsg`) is read, not refused as a duplicate field.
    let both = r#"{"success":true,"ret_msg":"","retCode":0,"retMsg":"","op":"auth","conn_id":"c","connId":"c"}"#;
    assert!(
        matches!(parse_private(BybitCategory::Spot, both).unwrap().as_slice(), [UserEvent::Ignored(t)] if t == "auth")
    );
    let refused = r#"{"success":false,"ret_msg":"","retMsg":"Invalid sign","op":"auth"}"#;
    let e = parse_private(BybitCategory::Spot, refused).unwrap_err();
    assert!(e.to_string().contains("Invalid sign"), "{e}");
    let sub = r#"{"success":true,"ret_msg":"","retMsg":"","op":"subscribe","conn_id":"c"}"#;
    assert!(matches!(
        public(sub).0,
        PublicFrame::Control { success: true, .. }
    ));
}
