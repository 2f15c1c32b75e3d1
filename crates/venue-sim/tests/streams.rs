//! WebSocket streams on loopback: market streams (raw, combined, and by
//! SUBSCRIBE) from the replay, and user-data events of spot and USD-M
//! orders.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::Message;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(url: &str) -> Ws {
    connect_async(url).await.expect("websocket connects").0
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

/// Events until one matches `pred`; returns all seen, the match last.
async fn until(ws: &mut Ws, pred: impl Fn(&Value) -> bool) -> Vec<Value> {
    let mut seen = Vec::new();
    loop {
        let v = next_json(ws).await;
        let hit = pred(&v);
        seen.push(v);
        if hit {
            return seen;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn market_streams_replay_the_series() {
    let mut config = config();
    config.speed = 20.0;
    let s = start(config).await;
    let mut raw = connect(&s.ws("/ws/btcusdt@kline_1m")).await;
    let k = next_json(&mut raw).await;
    assert_eq!(
        (k["e"].as_str(), k["s"].as_str(), k["k"]["x"].as_bool()),
        (Some("kline"), Some("BTCUSDT"), Some(true))
    );
    assert_eq!(k["k"]["i"], "1m");
    let mut combined = connect(&s.ws("/stream?streams=ethusdt@bookTicker/btcusdt@aggTrade")).await;
    let seen = until(&mut combined, |v| v["stream"] == "ethusdt@bookTicker").await;
    let book = &seen.last().unwrap()["data"];
    let (bid, ask): (f64, f64) = (
        book["b"].as_str().unwrap().parse().unwrap(),
        book["a"].as_str().unwrap().parse().unwrap(),
    );
    assert!(bid < ask);
    let mut sub = connect(&s.ws("/ws")).await;
    sub.send(Message::Text(
        r#"{"method":"SUBSCRIBE","params":["btcusdt@depth5"],"id":7}"#.into(),
    ))
    .await
    .unwrap();
    assert_eq!(
        next_json(&mut sub).await,
        serde_json::json!({"result": null, "id": 7})
    );
    let depth = next_json(&mut sub).await;
    assert_eq!(depth["bids"].as_array().map(Vec::len), Some(5));
    // An unknown listen key is refused at the handshake.
    assert!(connect_async(s.ws("/ws/notalistenkey")).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spot_orders_produce_execution_reports_and_balances() {
    let s = start(config()).await;
    let lk = s
        .send("POST", "/api/v3/userDataStream", "", "", Some(KEY))
        .await
        .body["listenKey"]
        .as_str()
        .unwrap()
        .to_string();
    let mut ws = connect(&s.ws(&format!("/ws/{lk}"))).await;
    let r = s
        .signed(
            "POST",
            "/api/v3/order",
            "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.002&newClientOrderId=mkt-1",
        )
        .await;
    assert_eq!(r.body["status"], "FILLED", "{}", r.body);
    let seen = until(&mut ws, |v| {
        v["e"] == "executionReport" && v["x"] == "TRADE"
    })
    .await;
    let new = seen
        .iter()
        .find(|v| v["x"] == "NEW")
        .expect("NEW before TRADE");
    assert_eq!(
        (new["c"].as_str(), new["X"].as_str()),
        (Some("mkt-1"), Some("NEW"))
    );
    let trade = seen.last().unwrap();
    assert_eq!(
        (
            trade["X"].as_str(),
            trade["z"].as_str(),
            trade["m"].as_bool()
        ),
        (Some("FILLED"), Some("0.00200000"), Some(false))
    );
    // The fee comes out of the BTC received (0.1 % of 0.002).
    assert_eq!(
        (trade["n"].as_str(), trade["N"].as_str()),
        (Some("0.00000200"), Some("BTC"))
    );
    let balances = until(&mut ws, |v| v["e"] == "outboundAccountPosition").await;
    let b = &balances.last().unwrap()["B"];
    assert!(
        b.as_array()
            .unwrap()
            .iter()
            .any(|x| x["a"] == "BTC" && x["f"] == "0.00199800"),
        "{b}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn futures_orders_produce_order_trade_and_account_updates() {
    let s = start(config()).await;
    let lk = s
        .send("POST", "/fapi/v1/listenKey", "", "", Some(KEY))
        .await
        .body["listenKey"]
        .as_str()
        .unwrap()
        .to_string();
    let mut ws = connect(&s.ws(&format!("/stream?streams={lk}"))).await;
    s.signed(
        "POST",
        "/fapi/v1/order",
        "symbol=BTCUSDT&side=SELL&type=MARKET&quantity=0.003",
    )
    .await;
    let seen = until(&mut ws, |v| v["data"]["e"] == "ACCOUNT_UPDATE").await;
    assert!(seen.iter().all(|v| v["stream"] == lk.as_str()));
    let trade = seen
        .iter()
        .find(|v| v["data"]["o"]["x"] == "TRADE")
        .expect("a TRADE update");
    assert_eq!(trade["data"]["o"]["X"], "FILLED");
    let acct = &seen.last().unwrap()["data"]["a"];
    assert_eq!(acct["P"][0]["pa"], "-0.003");
    // Keep-alive and close; a closed key is gone.
    assert_eq!(
        s.send("PUT", "/fapi/v1/listenKey", "", "", Some(KEY))
            .await
            .status,
        200
    );
    assert_eq!(
        s.send("DELETE", "/fapi/v1/listenKey", "", "", Some(KEY))
            .await
            .status,
        200
    );
    assert_eq!(
        s.send("PUT", "/fapi/v1/listenKey", "", "", Some(KEY))
            .await
            .code(),
        -1125
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ws_api_subscribes_a_signed_user_stream() {
    let s = start(config()).await;
    let mut ws = connect(&s.ws("/ws-api/v3")).await;
    let frame = |timestamp: i64, secret: &str| {
        let payload = format!("apiKey={KEY}&timestamp={timestamp}");
        let signature = smc_venue_sim::auth::sign(secret, payload.as_bytes());
        serde_json::json!({
            "id": "1", "method": "userDataStream.subscribe.signature",
            "params": {"apiKey": KEY, "timestamp": timestamp, "signature": signature},
        })
        .to_string()
    };
    // A wrong signature and a stale timestamp are refused.
    ws.send(Message::Text(frame(now_ms(), "not-the-secret").into()))
        .await
        .unwrap();
    let refused = next_json(&mut ws).await;
    assert_eq!(refused["error"]["code"], -1022, "{refused}");
    ws.send(Message::Text(frame(now_ms() - 60_000, SECRET).into()))
        .await
        .unwrap();
    assert_eq!(next_json(&mut ws).await["error"]["code"], -1021);
    ws.send(Message::Text(frame(now_ms(), SECRET).into()))
        .await
        .unwrap();
    let ok = next_json(&mut ws).await;
    assert_eq!(
        (
            ok["status"].as_i64(),
            ok["result"]["subscriptionId"].as_i64()
        ),
        (Some(200), Some(0)),
        "{ok}"
    );
    let r = s
        .signed(
            "POST",
            "/api/v3/order",
            "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.002&newClientOrderId=wsapi-1",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // Events come wrapped with the subscription id.
    let event = next_json(&mut ws).await;
    assert_eq!(event["subscriptionId"], 0, "{event}");
    assert_eq!(event["event"]["e"], "executionReport");
    assert_eq!(event["event"]["c"], "wsapi-1");
}
