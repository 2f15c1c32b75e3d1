//! Every fault kind, from `--faults` and from the control endpoint.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use futures_util::StreamExt;
use serde_json::Value;
use std::time::{Duration, Instant};
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::Message;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_faults_answer_like_binance() {
    let mut config = config();
    config.faults = "429(path=/api/v3/time,count=1);418(path=/api/v3/ping,count=1);-1021(path=/fapi/v2/account,count=1);5xx(status=502,path=/fapi/v1/time,count=1)".into();
    let s = start(config).await;
    let r = s.public("/api/v3/time", "").await;
    assert_eq!((r.status, r.code()), (429, -1003));
    assert!(r.header("retry-after").is_some());
    assert_eq!(
        s.public("/api/v3/time", "").await.status,
        200,
        "count=1 spends the fault"
    );
    let r = s.public("/api/v3/ping", "").await;
    assert_eq!((r.status, r.code()), (418, -1003));
    let r = s.signed("GET", "/fapi/v2/account", "").await;
    assert_eq!((r.status, r.code()), (400, -1021));
    let r = s.public("/fapi/v1/time", "").await;
    assert_eq!((r.status, r.code()), (502, -1001));
    let state = s.send("GET", "/__sim/faults", "", "", None).await;
    assert!(
        state.body["active"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["fired"] == 1),
        "{}",
        state.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delay_and_control_endpoint() {
    let s = start(config()).await;
    let set = s.set_faults("delay(ms=300,path=/api/v3/time)").await;
    assert_eq!(set.body["faults"], "delay(ms=300,path=/api/v3/time)");
    let t = Instant::now();
    assert_eq!(s.public("/api/v3/time", "").await.status, 200);
    assert!(t.elapsed() >= Duration::from_millis(300));
    let bad = s.set_faults("delay(ms=soon)").await;
    assert_eq!(bad.status, 400);
    assert!(
        bad.body["error"]
            .as_str()
            .unwrap()
            .contains("delay(ms=soon)")
    );
    s.send("DELETE", "/__sim/faults", "", "", None).await;
    let t = Instant::now();
    s.public("/api/v3/time", "").await;
    assert!(t.elapsed() < Duration::from_millis(300));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_order_that_times_out_is_in_the_book() {
    let mut config = config();
    config.faults = "order-timeout(ms=50,count=1)".into();
    let s = start(config).await;
    let price = (s.price("BTCUSDT").await * rust_decimal::Decimal::new(9, 1)).round_dp(1);
    let q = format!(
        "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price={price}&newClientOrderId=lost-ack"
    );
    let r = s.signed("POST", "/fapi/v1/order", &q).await;
    assert_eq!((r.status, r.code()), (503, -1007), "{}", r.body);
    let found = s
        .signed(
            "GET",
            "/fapi/v1/order",
            "symbol=BTCUSDT&origClientOrderId=lost-ack",
        )
        .await;
    assert_eq!(
        found.body["status"], "NEW",
        "the order was accepted: {}",
        found.body
    );
}

async fn user_stream(
    s: &Sim,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let lk = s
        .send("POST", "/api/v3/userDataStream", "", "", Some(KEY))
        .await
        .body["listenKey"]
        .as_str()
        .unwrap()
        .to_string();
    connect_async(s.ws(&format!("/ws/{lk}"))).await.unwrap().0
}

/// The user events of one market order: the next `n` messages.
async fn events(
    ws: &mut tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    n: usize,
) -> Vec<Value> {
    let mut out = Vec::new();
    while out.len() < n {
        let msg = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        if let Message::Text(t) = msg {
            out.push(serde_json::from_str(t.as_str()).unwrap());
        }
    }
    out
}

fn kinds(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| {
            format!(
                "{}:{}",
                e["e"].as_str().unwrap_or(""),
                e["x"].as_str().unwrap_or("")
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_and_reordered_user_events() {
    let s = start(config()).await;
    let order = "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.001";
    // Without faults: NEW, balances, TRADE, balances.
    let mut ws = user_stream(&s).await;
    s.signed("POST", "/api/v3/order", order).await;
    let plain = kinds(&events(&mut ws, 4).await);
    assert_eq!(
        plain,
        [
            "executionReport:NEW",
            "outboundAccountPosition:",
            "executionReport:TRADE",
            "outboundAccountPosition:"
        ]
    );
    s.set_faults("dup-events(count=1)").await;
    s.signed("POST", "/api/v3/order", order).await;
    let dup = events(&mut ws, 5).await;
    assert_eq!(dup[0], dup[1], "the first event twice");
    assert_eq!(kinds(&dup[1..]), plain);
    s.set_faults("reorder-events(count=1)").await;
    s.signed("POST", "/api/v3/order", order).await;
    let swapped = kinds(&events(&mut ws, 4).await);
    assert_eq!(
        swapped,
        [
            "outboundAccountPosition:",
            "executionReport:NEW",
            "executionReport:TRADE",
            "outboundAccountPosition:"
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn websocket_connections_are_dropped() {
    let mut config = config();
    config.faults = "drop-ws(after=300ms,count=1)".into();
    config.speed = 50.0;
    let s = start(config).await;
    let opened = Instant::now();
    let (mut ws, _) = connect_async(s.ws("/ws/btcusdt@kline_1m")).await.unwrap();
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match ws.next().await {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the connection was dropped");
    assert!(opened.elapsed() >= Duration::from_millis(300));
    // count=1: the next connection lives on.
    let (mut again, _) = connect_async(s.ws("/ws/btcusdt@kline_1m")).await.unwrap();
    let lived = tokio::time::timeout(Duration::from_millis(800), async {
        loop {
            match again.next().await {
                Some(Ok(Message::Text(_))) | Some(Ok(_)) => {}
                _ => return false,
            }
        }
    })
    .await;
    assert!(lived.is_err(), "still open after 800 ms");
}
