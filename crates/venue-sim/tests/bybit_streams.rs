//! The Bybit v5 WebSockets on loopback (`--protocol bybit`): public topics
//! from the replay (kline with confirm false/true, publicTrade, orderbook
//! snapshot then deltas, tickers), op ping, and the private stream (auth
//! signed here by Bybit's rule, then order, execution, position and wallet
//! pushed on every change), compared key by key with recorded messages.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bybit_common;

use bybit_common::*;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::Message;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(url: &str) -> Ws {
    connect_async(url).await.expect("websocket connects").0
}

async fn send(ws: &mut Ws, v: Value) {
    ws.send(Message::Text(v.to_string().into())).await.unwrap();
}

/// The next JSON text message, within 10 s.
async fn next_json(ws: &mut Ws) -> Value {
    let deadline = std::time::Duration::from_secs(10);
    loop {
        let msg = tokio::time::timeout(deadline, ws.next())
            .await
            .expect("a message within 10 s")
            .expect("stream open")
            .expect("no error");
        if let Message::Text(t) = msg {
            return serde_json::from_str(t.as_str()).expect("JSON");
        }
    }
}

/// Messages until one matches `pred`; the match.
async fn until(ws: &mut Ws, pred: impl Fn(&Value) -> bool) -> Value {
    loop {
        let v = next_json(ws).await;
        if pred(&v) {
            return v;
        }
    }
}

#[tokio::test]
async fn public_topics_follow_the_replay() {
    let sim = start(5.0).await;
    let mut ws = connect(&sim.ws("/v5/public/linear")).await;
    send(
        &mut ws,
        json!({"op": "subscribe", "req_id": "s1", "args": ["kline.1.BTCUSDT", "publicTrade.BTCUSDT", "orderbook.50.BTCUSDT", "tickers.BTCUSDT"]}),
    )
    .await;
    let ack = next_json(&mut ws).await;
    assert_eq!(
        (
            ack["success"].as_bool(),
            ack["op"].as_str(),
            ack["req_id"].as_str()
        ),
        (Some(true), Some("subscribe"), Some("s1"))
    );
    has_keys_of("ack", &ack, &fixture("ws_subscription_ack"));
    let snap = until(&mut ws, |v| v["topic"] == "orderbook.50.BTCUSDT").await;
    assert_eq!(snap["type"], "snapshot");
    assert_eq!(snap["data"]["b"].as_array().unwrap().len(), 50);
    has_keys_of("book snapshot", &snap, &fixture("ws_orderbook_snapshot"));
    has_keys_of(
        "book data",
        &snap["data"],
        &fixture("ws_orderbook_snapshot")["data"],
    );
    let delta = until(&mut ws, |v| v["topic"] == "orderbook.50.BTCUSDT").await;
    assert_eq!(delta["type"], "delta");
    assert!(delta["data"]["u"].as_u64() > snap["data"]["u"].as_u64());
    let closed = until(&mut ws, |v| v["topic"] == "kline.1.BTCUSDT").await;
    has_keys_of("kline", &closed, &fixture("ws_kline"));
    has_keys_of(
        "kline data",
        &closed["data"][0],
        &fixture("ws_kline")["data"][0],
    );
    assert_eq!(closed["data"][0]["confirm"], true);
    let open = until(&mut ws, |v| v["topic"] == "kline.1.BTCUSDT").await;
    assert_eq!(open["data"][0]["confirm"], false);
    assert_eq!(
        open["data"][0]["start"].as_i64().unwrap(),
        closed["data"][0]["end"].as_i64().unwrap() + 1
    );
    assert_eq!(open["data"][0]["open"], closed["data"][0]["close"]);
    let trade = until(&mut ws, |v| v["topic"] == "publicTrade.BTCUSDT").await;
    has_keys_of(
        "trade",
        &trade["data"][0],
        &fixture("ws_public_trade")["data"][0],
    );
    let ticker = until(&mut ws, |v| v["topic"] == "tickers.BTCUSDT").await;
    has_keys_of(
        "ticker",
        &ticker["data"],
        &fixture("ws_ticker_linear")["data"],
    );
    send(&mut ws, json!({"op": "ping", "req_id": "p1"})).await;
    let pong = until(&mut ws, |v| v["op"] == "ping").await;
    assert_eq!(
        (pong["ret_msg"].as_str(), pong["req_id"].as_str()),
        (Some("pong"), Some("p1"))
    );
    send(
        &mut ws,
        json!({"op": "subscribe", "args": ["kline.7.BTCUSDT"]}),
    )
    .await;
    let bad = until(&mut ws, |v| v["op"] == "subscribe").await;
    assert_eq!(bad["success"], false);
    assert!(bad["ret_msg"].as_str().unwrap().contains("kline.7.BTCUSDT"));
    send(&mut ws, json!({"op": "unsubscribe", "args": ["publicTrade.BTCUSDT", "orderbook.50.BTCUSDT", "tickers.BTCUSDT"]})).await;
    until(&mut ws, |v| v["op"] == "unsubscribe").await;
    // After the unsubscribe only klines come.
    for _ in 0..4 {
        let v = next_json(&mut ws).await;
        assert_eq!(v["topic"], "kline.1.BTCUSDT", "{v}");
    }
}

#[tokio::test]
async fn a_multiple_of_the_interval_confirms_when_its_bucket_is_complete() {
    let sim = start(20.0).await;
    let mut ws = connect(&sim.ws("/v5/public/spot")).await;
    send(
        &mut ws,
        json!({"op": "subscribe", "args": ["kline.3.BTCUSDT"]}),
    )
    .await;
    next_json(&mut ws).await;
    let mut confirms = Vec::new();
    // Any six consecutive minutes close exactly two 3-minute buckets.
    for _ in 0..6 {
        let v = until(&mut ws, |v| v["topic"] == "kline.3.BTCUSDT").await;
        assert_eq!(v["data"][0]["interval"], "3");
        confirms.push(v["data"][0]["confirm"].as_bool().unwrap());
    }
    assert_eq!(
        confirms.iter().filter(|c| **c).count(),
        2,
        "one in three closes a 3m candle: {confirms:?}"
    );
}

async fn auth(ws: &mut Ws, secret: &str) -> Value {
    let expires = now_ms() + 10_000;
    let sign = hmac_hex(secret, &format!("GET/realtime{expires}"));
    send(ws, json!({"op": "auth", "args": [KEY, expires, sign]})).await;
    until(ws, |v| v["op"] == "auth").await
}

#[tokio::test]
async fn the_private_stream_pushes_order_execution_position_and_wallet() {
    let sim = start(5.0).await;
    let mut ws = connect(&sim.ws("/v5/private")).await;
    send(&mut ws, json!({"op": "subscribe", "args": ["order"]})).await;
    let refused = next_json(&mut ws).await;
    assert_eq!(refused["success"], false, "no topics before auth");
    let bad = auth(&mut ws, "wrong-secret").await;
    assert_eq!(bad["success"], false);
    let ok = auth(&mut ws, SECRET).await;
    assert_eq!(ok["success"], true, "{ok}");
    has_keys_of("auth", &ok, &fixture("ws_auth_success"));
    send(&mut ws, json!({"op": "subscribe", "req_id": "p", "args": ["order", "execution", "position", "wallet"]})).await;
    let ack = until(&mut ws, |v| v["op"] == "subscribe").await;
    assert_eq!(ack["success"], true, "{ack}");
    send(&mut ws, json!({"op": "ping"})).await;
    let pong = until(&mut ws, |v| v["op"] == "pong").await;
    assert!(pong["args"][0].as_str().unwrap().parse::<i64>().is_ok());
    let r = sim
        .post(
            "/v5/order/create",
            &json!({"category": "linear", "symbol": "BTCUSDT",
            "side": "Sell", "orderType": "Market", "qty": "0.01", "orderLinkId": "ws-mkt"}),
        )
        .await;
    assert_eq!(r.code(), 0, "{}", r.body);
    let id = r.result()["orderId"].as_str().unwrap().to_string();
    let order = until(&mut ws, |v| {
        v["topic"] == "order" && v["data"][0]["orderStatus"] == "Filled"
    })
    .await;
    has_keys_of("order message", &order, &fixture("ws_account_order"));
    has_keys_of(
        "order",
        &order["data"][0],
        &fixture("ws_account_order")["data"][0],
    );
    assert_eq!(
        (
            order["data"][0]["orderId"].as_str(),
            order["data"][0]["orderLinkId"].as_str()
        ),
        (Some(id.as_str()), Some("ws-mkt"))
    );
    let exec = until(&mut ws, |v| v["topic"] == "execution").await;
    has_keys_of(
        "execution",
        &exec["data"][0],
        &fixture("ws_account_execution")["data"][0],
    );
    assert_eq!(
        (
            exec["data"][0]["execQty"].as_str(),
            exec["data"][0]["side"].as_str()
        ),
        (Some("0.010"), Some("Sell"))
    );
    let pos = until(&mut ws, |v| v["topic"] == "position").await;
    has_keys_of(
        "position",
        &pos["data"][0],
        &fixture("ws_account_position")["data"][0],
    );
    assert_eq!(
        (
            pos["data"][0]["side"].as_str(),
            pos["data"][0]["size"].as_str()
        ),
        (Some("Sell"), Some("0.010"))
    );
    let wallet = until(&mut ws, |v| v["topic"] == "wallet").await;
    has_keys_of(
        "wallet",
        &wallet["data"][0],
        &fixture("ws_account_wallet")["data"][0],
    );
    has_keys_of(
        "wallet coin",
        &wallet["data"][0]["coin"][0],
        &fixture("ws_account_wallet")["data"][0]["coin"][1],
    );
    assert_ne!(wallet["data"][0]["coin"][0]["totalPositionIM"], "0");
    // A resting order and its cancel: New, then Cancelled.
    let last = sim.last().await;
    let price = (last * rust_decimal::dec!(0.9)).round_dp(1).to_string();
    let r = sim
        .post(
            "/v5/order/create",
            &json!({"category": "spot", "symbol": "BTCUSDT",
            "side": "Buy", "orderType": "Limit", "qty": "0.001", "price": price}),
        )
        .await;
    let id = r.result()["orderId"].as_str().unwrap().to_string();
    let new = until(&mut ws, |v| v["topic"] == "order").await;
    assert_eq!(
        (
            new["data"][0]["orderStatus"].as_str(),
            new["data"][0]["category"].as_str()
        ),
        (Some("New"), Some("spot"))
    );
    sim.post(
        "/v5/order/cancel",
        &json!({"category": "spot", "symbol": "BTCUSDT", "orderId": id}),
    )
    .await;
    let gone = until(&mut ws, |v| v["topic"] == "order").await;
    assert_eq!(gone["data"][0]["orderStatus"], "Cancelled");
}

#[tokio::test]
async fn drop_ws_closes_bybit_streams_too() {
    let mut cfg = config(5.0);
    cfg.faults = "drop-ws(after=300ms,path=/v5/public)".into();
    let sim = smc_venue_sim::start(cfg).await.unwrap();
    let url = format!("ws://{}/v5/public/linear", sim.addr);
    let mut ws = connect(&url).await;
    send(
        &mut ws,
        json!({"op": "subscribe", "args": ["kline.1.BTCUSDT"]}),
    )
    .await;
    let ended = tokio::time::timeout(std::time::Duration::from_secs(5), async {
        loop {
            match ws.next().await {
                Some(Ok(_)) => continue,
                _ => return true,
            }
        }
    })
    .await;
    assert_eq!(ended, Ok(true), "the connection ends");
}
