//! The OANDA market stream against a loopback OANDA: book tops from the
//! pricing stream (a chunked body of lines), and closed candles from
//! polling, continuing after a held candle: the gap is backfilled over
//! REST (no event time), the polled candles follow (with one), each
//! candle once and in order, the incomplete one never.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::Query;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::StreamExt;
use rust_decimal::dec;
use smc_model::{Clock, Timeframe, Timestamp, WallClock};
use smc_venues::oanda::time::{format_time, parse_time_ms};
use smc_venues::oanda::{OandaCredentials, OandaUrls, OandaVenue, Secret};
use smc_venues::{
    KlineRequest, MarketDataRequest, MarketDataVenue, MarketEvent, MarketStreamEvent,
};
use std::collections::HashMap;
use std::convert::Infallible;
use std::time::Duration;

const MIN: i64 = 60_000;

fn candle(t: i64, complete: bool) -> String {
    format!(
        r#"{{"complete":{complete},"volume":10,"time":"{}","mid":{{"o":"1.1000","h":"1.1010","l":"1.0990","c":"1.1005"}}}}"#,
        format_time(t)
    )
}

/// Complete candles from `from` (or the last three) up to the minute
/// before now, and the current one, incomplete.
async fn candles(Query(q): Query<HashMap<String, String>>) -> Response {
    assert_eq!(q.get("price").map(String::as_str), Some("M"));
    assert_eq!(q.get("granularity").map(String::as_str), Some("M1"));
    let now = WallClock.now().ms();
    let current = now - now.rem_euclid(MIN);
    let from = q.get("from").and_then(|f| parse_time_ms(f)).unwrap();
    let from = from + (MIN - from.rem_euclid(MIN)) % MIN;
    let mut list: Vec<String> = (0..)
        .map(|i| from + i * MIN)
        .take_while(|t| *t < current)
        .map(|t| candle(t, true))
        .collect();
    list.push(candle(current, false));
    format!(
        r#"{{"instrument":"EUR_USD","granularity":"M1","candles":[{}]}}"#,
        list.join(",")
    )
    .into_response()
}

async fn accounts() -> &'static str {
    r#"{"accounts":[{"id":"001","tags":[]}]}"#
}

async fn pricing_stream(Query(q): Query<HashMap<String, String>>) -> Response {
    assert_eq!(q.get("instruments").map(String::as_str), Some("EUR_USD"));
    let lines = [
        r#"{"type":"HEARTBEAT","time":"2024-01-02T03:04:00.000000000Z"}"#,
        r#"{"type":"PRICE","time":"2024-01-02T03:04:01.000000000Z","bids":[{"price":"1.10001","liquidity":"1000000"}],"asks":[{"price":"1.10011","liquidity":"2000000"}],"closeoutBid":"1.1","closeoutAsk":"1.1002","tradeable":true,"instrument":"EUR_USD"}"#,
    ];
    let chunks = futures_util::stream::iter(
        lines.map(|l| Ok::<_, Infallible>(Bytes::from(format!("{l}\n")))),
    )
    .chain(futures_util::stream::pending());
    Body::from_stream(chunks).into_response()
}

#[tokio::test]
async fn book_tops_and_polled_candles_each_once_in_order() {
    let app = Router::new()
        .route("/v3/accounts", get(accounts))
        .route("/v3/instruments/EUR_USD/candles", get(candles))
        .route("/v3/accounts/001/pricing/stream", get(pricing_stream));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let v = OandaVenue::new(
        OandaUrls::local(&addr),
        Some(OandaCredentials {
            token: Secret::new("t"),
            account_id: None,
        }),
    )
    .unwrap();
    let now = WallClock.now().ms();
    let held = now - now.rem_euclid(MIN) - 10 * MIN;
    let mut s = v
        .subscribe(&MarketDataRequest {
            klines: vec![KlineRequest {
                symbol: "EUR_USD".into(),
                timeframe: Timeframe::M1,
                after: Some(Timestamp::from_ms(held)),
            }],
            trades: Vec::new(),
            book_tops: vec!["EUR_USD".into()],
        })
        .await
        .unwrap();
    let mut klines = Vec::new();
    let mut top = None;
    let mut connected = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while klines.len() < 9 || top.is_none() {
        let ev = tokio::time::timeout_at(deadline, s.recv())
            .await
            .unwrap()
            .unwrap();
        match ev {
            MarketStreamEvent::Market(MarketEvent::Kline(k)) => klines.push(k),
            MarketStreamEvent::Market(MarketEvent::BookTop(t)) => top = Some(t),
            MarketStreamEvent::Connected { .. } => connected += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    // Whatever else comes soon: only a candle that has closed since (the
    // test may straddle a minute), never the incomplete one.
    while let Ok(Some(ev)) = tokio::time::timeout(Duration::from_millis(300), s.recv()).await {
        match ev {
            MarketStreamEvent::Market(MarketEvent::Kline(k)) => klines.push(k),
            MarketStreamEvent::Market(MarketEvent::BookTop(_)) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(connected, 1);
    let top = top.unwrap();
    assert_eq!(
        (top.bid, top.ask, top.ask_qty),
        (dec!(1.10001), dec!(1.10011), dec!(2000000))
    );
    assert!(
        klines
            .iter()
            .all(|k| k.closed && k.candle.close == dec!(1.1005))
    );
    for (i, k) in klines.iter().enumerate() {
        assert_eq!(
            k.candle.open_time.ms(),
            held + (i as i64 + 1) * MIN,
            "in order, none twice"
        );
    }
    let end = WallClock.now().ms();
    let last = klines.last().unwrap();
    assert!(
        last.candle.open_time.ms() + MIN <= end,
        "only closed candles"
    );
    assert!(klines.len() <= 11, "{}", klines.len());
    // The gap is history; the newest polled candle is news.
    assert_eq!(klines[0].event_time, None);
    assert!(last.event_time.is_some());
}
