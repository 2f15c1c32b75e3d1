//! Parsers on recorded Binance messages (fixtures/README.md names the
//! sources), plus malformed and extended messages.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use rust_decimal::dec;
use smc_model::Timestamp;
use smc_model::{Liquidity, OrderStatus, Side, Timeframe};
use smc_venues::binance::exchange_info::parse_exchange_info;
use smc_venues::binance::market_parse::{parse_klines_rest, parse_market};
use smc_venues::binance::order_info::{RawOrder, parse_order};
use smc_venues::binance::{BinanceMarket, ParseError, parse_user_event};
use smc_venues::net::{LimitKind, Scope};
use smc_venues::{MarketEvent, UserEvent};
use std::path::Path;

fn fixture(rel: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The frames of a cryptofeed capture (the header line skipped).
fn frames(rel: &str) -> Vec<String> {
    fixture(rel)
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(": ").map(|(_, f)| f.to_string()))
        .collect()
}

#[derive(Default, Debug, PartialEq)]
struct Counts {
    kline: usize,
    trade: usize,
    book: usize,
    depth: usize,
}

fn count_capture(rel: &str, venue: &str) -> Counts {
    let mut c = Counts::default();
    for f in frames(rel) {
        match parse_market(venue, &f).unwrap_or_else(|e| panic!("{e}: {f}")) {
            Some(MarketEvent::Kline(_)) => c.kline += 1,
            Some(MarketEvent::Trade(_)) => c.trade += 1,
            Some(MarketEvent::BookTop(_)) => c.book += 1,
            Some(MarketEvent::Depth(_)) => c.depth += 1,
            None => panic!("frame not recognised: {f}"),
        }
    }
    c
}

#[test]
fn spot_capture_parses_every_frame() {
    let c = count_capture("cryptofeed/BINANCE.ws.1.0", "binance");
    // Counts from the shared README: depth 177, bookTicker 84, aggTrade 2, kline 2.
    assert_eq!(
        c,
        Counts {
            kline: 2,
            trade: 2,
            book: 84,
            depth: 177
        }
    );
}

#[test]
fn futures_capture_parses_every_frame() {
    let c = count_capture("cryptofeed/BINANCE_FUTURES.ws.1.0.subset", "binance-usdm");
    assert_eq!(
        c,
        Counts {
            kline: 67,
            trade: 91,
            book: 40,
            depth: 40
        }
    );
}

#[test]
fn kline_frame_values() {
    let f = frames("cryptofeed/BINANCE.ws.1.0")
        .into_iter()
        .find(|f| f.contains("nknusdt@kline_1m"))
        .unwrap();
    let Some(MarketEvent::Kline(k)) = parse_market("binance", &f).unwrap() else {
        panic!("not a kline")
    };
    assert_eq!(k.instrument.to_string(), "binance:NKNUSDT");
    assert_eq!(k.timeframe, Timeframe::M1);
    assert_eq!(k.candle.open_time, Timestamp::from_ms(1_633_998_480_000));
    assert_eq!(k.candle.open, dec!(0.3527));
    assert_eq!(k.candle.high, dec!(0.3528));
    assert_eq!(k.candle.low, dec!(0.3522));
    assert_eq!(k.candle.close, dec!(0.3528));
    assert_eq!(k.candle.volume, dec!(25877));
    assert!(!k.closed);
    assert_eq!(k.event_time, Some(Timestamp::from_ms(1_633_998_523_963)));
}

#[test]
fn documented_stream_examples() {
    let closed = fixture("nautilus-rust/futures/market_data_json/kline_stream_closed.json");
    let Some(MarketEvent::Kline(k)) = parse_market("binance-usdm", &closed).unwrap() else {
        panic!()
    };
    assert!(k.closed);
    assert_eq!(k.candle.high, dec!(0.0025));
    let agg = fixture("nautilus-python/ws_messages/ws_spot_agg_trade.json");
    let Some(MarketEvent::Trade(t)) = parse_market("binance", &agg).unwrap() else {
        panic!()
    };
    assert_eq!(
        (t.trade_id, t.price, t.qty),
        (226_532, dec!(1632.46), dec!(0.34305))
    );
    assert_eq!(t.aggressor, Side::Buy, "m=false: the buyer took liquidity");
    let trade = fixture("nautilus-python/ws_messages/ws_spot_trade.json");
    let Some(MarketEvent::Trade(t)) = parse_market("binance", &trade).unwrap() else {
        panic!()
    };
    assert_eq!((t.trade_id, t.aggressor), (705_291_099, Side::Sell));
    let book = fixture("nautilus-python/ws_messages/ws_spot_ticker_book.json");
    let Some(MarketEvent::BookTop(b)) = parse_market("binance", &book).unwrap() else {
        panic!()
    };
    assert_eq!(
        (b.bid, b.ask, b.update_id),
        (dec!(4507.24), dec!(4507.25), 12_711_621_188)
    );
    let fbook = fixture("nautilus-rust/futures/market_data_json/book_ticker_stream.json");
    assert!(matches!(
        parse_market("binance-usdm", &fbook).unwrap(),
        Some(MarketEvent::BookTop(_))
    ));
    let depth = fixture("nautilus-python/ws_messages/ws_futures_depth_update.json");
    let Some(MarketEvent::Depth(d)) = parse_market("binance-usdm", &depth).unwrap() else {
        panic!()
    };
    assert_eq!(d.prev_final_update_id, Some(390_497_794));
    assert_eq!(d.bids[0].price, dec!(7403.89));
}

#[test]
fn added_fields_are_tolerated_and_acks_ignored() {
    let extended = r#"{"e":"aggTrade","E":1,"s":"BTCUSDT","a":7,"p":"1.5","q":"2","f":1,"l":1,"T":3,"m":true,"M":true,"new":{"nested":[1,2,3]},"zz":"later"}"#;
    let Some(MarketEvent::Trade(t)) = parse_market("binance", extended).unwrap() else {
        panic!()
    };
    assert_eq!(
        (t.trade_id, t.price, t.time),
        (7, dec!(1.5), smc_model::Timestamp::from_ms(3))
    );
    assert_eq!(
        parse_market("binance", r#"{"result":null,"id":1}"#).unwrap(),
        None
    );
    assert_eq!(
        parse_market(
            "binance",
            r#"{"stream":"btcusdt@markPrice","data":{"e":"markPriceUpdate"}}"#
        )
        .unwrap(),
        None,
        "a stream the adapter does not use"
    );
}

fn field_of(e: ParseError) -> String {
    match e {
        ParseError::Field { field, .. } => field,
        other => panic!("no field named: {other}"),
    }
}

#[test]
fn malformed_messages_name_the_field() {
    let bad_price =
        r#"{"e":"aggTrade","E":1,"s":"BTCUSDT","a":7,"p":"1.5x","q":"2","T":3,"m":true}"#;
    assert_eq!(
        field_of(parse_market("binance", bad_price).unwrap_err()),
        "p"
    );
    let missing = r#"{"e":"trade","E":1,"s":"BTCUSDT","t":7,"p":"1","T":3,"m":true}"#;
    assert_eq!(field_of(parse_market("binance", missing).unwrap_err()), "q");
    let wrong_type = r#"{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","s":"BTCUSDT","a":"seven","p":"1","q":"2","T":3,"m":true}}"#;
    assert_eq!(
        field_of(parse_market("binance", wrong_type).unwrap_err()),
        "a"
    );
    let bad_interval = fixture("nautilus-rust/futures/market_data_json/kline_stream_closed.json")
        .replace(r#""i": "1m""#, r#""i": "7x""#);
    assert_eq!(
        field_of(parse_market("binance", &bad_interval).unwrap_err()),
        "k.i"
    );
    let inverted = fixture("nautilus-rust/futures/market_data_json/kline_stream_closed.json")
        .replace(r#""h": "0.0025""#, r#""h": "0.0001""#);
    assert_eq!(
        field_of(parse_market("binance", &inverted).unwrap_err()),
        "k"
    );
    let bad_level = r#"{"e":"depthUpdate","E":1,"s":"X","U":1,"u":2,"b":[["1","a"]],"a":[]}"#;
    assert_eq!(
        field_of(parse_market("binance", bad_level).unwrap_err()),
        "b"
    );
    assert!(
        parse_market("binance", "{not json").is_err()
            || parse_market("binance", "{not json").unwrap().is_none()
    );
}

#[test]
fn rest_klines_and_exchange_info() {
    let k = parse_klines_rest(&fixture(
        "nautilus-rust/spot/http_json/klines_response.json",
    ))
    .unwrap();
    assert_eq!(k.len(), 1);
    assert_eq!(
        (k[0].open_time, k[0].open, k[0].volume),
        (
            smc_model::Timestamp::from_ms(1_499_040_000_000),
            dec!(0.0163479),
            dec!(148976.11427815)
        )
    );
    let bad = r#"[[1499040000000,"0.1","0.2","0.05","x","1",1,"0",1,"0","0","0"]]"#;
    assert_eq!(field_of(parse_klines_rest(bad).unwrap_err()), "[0][4]");

    let spot = parse_exchange_info(&fixture(
        "nautilus-python/http_responses/http_spot_market_exchange_info.json",
    ))
    .unwrap();
    let btc = &spot.symbols["BTCUSDT"];
    assert_eq!(btc.spec.tick_size, dec!(0.01));
    assert_eq!(btc.spec.lot_size, dec!(0.00001));
    assert_eq!(btc.spec.min_qty, dec!(0.00001));
    assert_eq!(btc.spec.min_notional, dec!(10));
    assert_eq!(btc.max_qty, dec!(9000));
    let w = spot
        .rate_limits
        .iter()
        .find(|l| l.scope.kind == LimitKind::RequestWeight)
        .unwrap();
    assert_eq!((w.scope.interval_ms, w.max), (60_000, 1200));
    assert!(spot.rate_limits.iter().any(|l| l.scope
        == Scope {
            kind: LimitKind::Orders,
            interval_ms: 10_000
        }
        && l.max == 50));
    assert!(spot.rate_limits.iter().any(|l| l.scope
        == Scope {
            kind: LimitKind::Orders,
            interval_ms: 86_400_000
        }
        && l.max == 160_000));
    let inst = btc.instrument(BinanceMarket::Spot).unwrap();
    assert_eq!(inst.id.to_string(), "binance:BTCUSDT");

    let fut = parse_exchange_info(&fixture(
        "nautilus-python/http_responses/http_futures_market_exchange_info.json",
    ))
    .unwrap();
    let f = &fut.symbols["BTCUSDT"];
    assert_eq!(
        (f.spec.tick_size, f.spec.lot_size, f.spec.min_notional),
        (dec!(0.1), dec!(0.001), dec!(10))
    );
    assert_eq!(f.contract_type.as_deref(), Some("PERPETUAL"));
    assert_eq!(
        f.instrument(BinanceMarket::UsdM).unwrap().id.to_string(),
        "binance-usdm:BTCUSDT"
    );
}

#[test]
fn order_responses() {
    let id = smc_model::InstrumentId::new("binance", "BTCUSDT").unwrap();
    let full: RawOrder = serde_json::from_str(&fixture(
        "nautilus-rust/spot/http_json/new_order_full_response.json",
    ))
    .unwrap();
    let q = parse_order(&full, &id).unwrap();
    assert_eq!(q.status, OrderStatus::Filled);
    assert_eq!(q.fills.len(), 5);
    assert_eq!(q.fills[0].trade_id, "56");
    assert_eq!(
        q.fills[0].fee,
        dec!(4),
        "USDT commission on BTCUSDT is already quote"
    );
    assert_eq!(q.fills[0].side, Side::Sell);
    let fut: RawOrder = serde_json::from_str(&fixture(
        "nautilus-rust/futures/http_json/order_response.json",
    ))
    .unwrap();
    let q = parse_order(&fut, &id).unwrap();
    assert_eq!(
        (q.venue_order_id.as_str(), q.client_id.as_str()),
        ("12345678", "testOrder123")
    );
    assert_eq!(q.status, OrderStatus::Submitted);
    let cancel: RawOrder = serde_json::from_str(&fixture(
        "nautilus-rust/spot/http_json/cancel_order_response.json",
    ))
    .unwrap();
    let q = parse_order(&cancel, &id).unwrap();
    assert_eq!(q.status, OrderStatus::Cancelled);
    let novel: RawOrder =
        serde_json::from_str(r#"{"orderId":1,"clientOrderId":"a","status":"PENDING_MAGIC"}"#)
            .unwrap();
    assert_eq!(
        parse_order(&novel, &id).unwrap().status,
        OrderStatus::Unknown
    );
}

fn order(ev: UserEvent) -> smc_venues::OrderUpdate {
    match ev {
        UserEvent::Order(o) => *o,
        other => panic!("not an order update: {other:?}"),
    }
}

#[test]
fn user_data_events() {
    let trade = order(
        parse_user_event(
            "binance",
            &fixture("nautilus-rust/spot/user_data_json/execution_report_trade.json"),
        )
        .unwrap(),
    );
    assert_eq!(trade.order.status, OrderStatus::Filled);
    let fill = trade.fill().unwrap();
    assert_eq!(
        (fill.trade_id.as_str(), fill.price, fill.qty),
        ("98765432", dec!(2500), dec!(1))
    );
    assert_eq!(fill.liquidity, Liquidity::Maker);
    assert_eq!(fill.fee, dec!(2.5), "0.001 ETH at 2500 on ETHUSDT");
    assert_eq!(trade.commission_asset.as_deref(), Some("ETH"));

    let wrapped = order(
        parse_user_event(
            "binance",
            &fixture("nautilus-rust/spot/user_data_json/execution_report_wrapped.json"),
        )
        .unwrap(),
    );
    assert_eq!(
        (
            wrapped.order.client_id.as_str(),
            wrapped.execution_type.as_str()
        ),
        ("mUvoqJxFIILMdfAW5iGSOW", "NEW")
    );
    assert!(wrapped.fill().is_none());

    let cancelled = order(
        parse_user_event(
            "binance",
            &fixture("nautilus-rust/spot/user_data_json/execution_report_canceled.json"),
        )
        .unwrap(),
    );
    assert_eq!(cancelled.order.status, OrderStatus::Cancelled);

    let fut = order(
        parse_user_event(
            "binance-usdm",
            &fixture("nautilus-rust/futures/user_data_json/order_update_trade.json"),
        )
        .unwrap(),
    );
    assert_eq!(fut.order.status, OrderStatus::PartiallyFilled);
    assert_eq!(fut.fill().unwrap().trade_id, "12345678");
    assert_eq!(fut.fill().unwrap().fee, dec!(0.01));

    let algo = order(
        parse_user_event(
            "binance-usdm",
            &fixture("nautilus-rust/futures/user_data_json/algo_update_new.json"),
        )
        .unwrap(),
    );
    assert_eq!(
        (
            algo.order.client_id.as_str(),
            algo.order.venue_order_id.as_str()
        ),
        ("Q5xaq5EGKgXXa0fD7fs0Ip", "2148719")
    );

    for f in [
        "nautilus-python/ws_messages/ws_spot_execution_report_binance_us.json",
        "nautilus-python/ws_messages/ws_spot_execution_report_trade_l_zero.json",
    ] {
        parse_user_event("binance", &fixture(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
    }
    assert_eq!(
        parse_user_event(
            "binance",
            r#"{"e":"listenKeyExpired","E":1,"listenKey":"k"}"#
        )
        .unwrap(),
        UserEvent::StreamExpired
    );
    assert_eq!(
        parse_user_event("binance", r#"{"e":"outboundAccountPosition","E":1}"#).unwrap(),
        UserEvent::Ignored("outboundAccountPosition".into())
    );
    assert_eq!(
        parse_user_event(
            "binance",
            r#"{"id":"1","status":200,"result":{"subscriptionId":0}}"#
        )
        .unwrap(),
        UserEvent::Ignored("response".into())
    );
    let bad = fixture("nautilus-rust/spot/user_data_json/execution_report_trade.json")
        .replace(r#""L": "2500.00000000""#, r#""L": "abc""#);
    assert_eq!(
        field_of(parse_user_event("binance", &bad).unwrap_err()),
        "L"
    );
}
