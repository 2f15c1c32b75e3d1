//! Streams against loopback servers that drop the connection: the client
//! reconnects, resubscribes, backfills klines over REST with no candle
//! missing or doubled, and re-signs the user data subscription.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use futures_util::{SinkExt, StreamExt};
use smc_model::{Clock, Timeframe, WallClock};
use smc_venues::MarketStreamEvent;
use smc_venues::UserStreamEvent;
use smc_venues::binance::market_parse::StreamKind;
use smc_venues::binance::{
    BinanceMarket, BinanceRest, BinanceUrls, Credentials, MarketDataClient, MarketDataConfig,
    UserStream,
};
use smc_venues::net::{HmacSha256Signer, RequestSigner, Secret, WsConfig};
use smc_venues::{MarketEvent, UserEvent};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};

const M: i64 = 60_000;
const KEY: &str = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
const SECRET: &str = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

/// Open time of test candle `i`: well in the past, so every one is closed.
fn t(base: i64, i: i64) -> i64 {
    base + i * M
}

fn kline_frame(base: i64, i: i64) -> String {
    let open = t(base, i);
    format!(
        r#"{{"stream":"btcusdt@kline_1m","data":{{"e":"kline","E":{e},"s":"BTCUSDT","k":{{"t":{open},"T":{close},"s":"BTCUSDT","i":"1m","f":1,"L":2,"o":"{i}","c":"{i}","h":"{i}","l":"{i}","v":"1","n":1,"x":true,"q":"1","V":"0","Q":"0","B":"0"}}}}}}"#,
        e = open + M,
        close = open + M - 1,
    )
}

#[derive(Default)]
struct Rest {
    start_times: Mutex<Vec<i64>>,
    base: i64,
}

async fn klines(State(r): State<Arc<Rest>>, Query(q): Query<HashMap<String, String>>) -> String {
    let start: i64 = q["startTime"].parse().unwrap();
    r.start_times.lock().unwrap().push(start);
    // Candles 3..=7 (overlapping what the stream sent) and the candle of
    // the current minute, still open.
    let now_open = WallClock.now().ms() / M * M;
    let rows: Vec<String> = (3..=7)
        .map(|i| t(r.base, i))
        .chain(std::iter::once(now_open))
        .filter(|&open| open >= start)
        .map(|open| {
            let i = (open - r.base) / M;
            format!(
                r#"[{open},"{i}","{i}","{i}","{i}","1",{c},"1",1,"0","0","0"]"#,
                c = open + M - 1
            )
        })
        .collect();
    format!("[{}]", rows.join(","))
}

async fn rest_server(r: Arc<Rest>) -> String {
    let app = Router::new()
        .route("/api/v3/klines", get(klines))
        .route(
            "/api/v3/userDataStream",
            post(listen_key).put(|| async { "{}" }),
        )
        .with_state(r);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr.to_string()
}

static KEYS: Mutex<u32> = Mutex::new(0);

async fn listen_key() -> String {
    let mut n = KEYS.lock().unwrap();
    *n += 1;
    format!(r#"{{"listenKey":"key{n}"}}"#)
}

/// A WebSocket server: for connection `n` (from 0) it records the path and
/// the first text frame, then runs `script(n)`: frames to send, and whether
/// to drop the connection afterwards.
async fn ws_server(
    script: impl Fn(usize) -> (Vec<String>, bool) + Send + Sync + 'static,
    seen: Arc<Mutex<Vec<(String, String)>>>,
    wait_for_frame: bool,
) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let script = Arc::new(script);
    tokio::spawn(async move {
        for n in 0.. {
            let (tcp, _) = listener.accept().await.unwrap();
            let path = Arc::new(Mutex::new(String::new()));
            let p2 = path.clone();
            #[allow(clippy::result_large_err)] // the library's callback type
            let cb = move |req: &Request, resp: Response| {
                *p2.lock().unwrap() = req.uri().path().to_string();
                Ok(resp)
            };
            let mut ws = tokio_tungstenite::accept_hdr_async(tcp, cb).await.unwrap();
            let first = if wait_for_frame {
                match ws.next().await {
                    Some(Ok(Message::Text(t))) => t.to_string(),
                    other => panic!("expected a subscription frame, got {other:?}"),
                }
            } else {
                String::new()
            };
            seen.lock()
                .unwrap()
                .push((path.lock().unwrap().clone(), first));
            let (frames, drop_after) = script(n);
            for f in frames {
                ws.send(Message::Text(f.into())).await.unwrap();
            }
            if drop_after {
                drop(ws); // no close frame: an abrupt loss
            } else {
                tokio::spawn(async move { while let Some(Ok(_)) = ws.next().await {} });
            }
        }
    });
    addr.to_string()
}

fn fast_ws(url: &str) -> WsConfig {
    let mut c = WsConfig::new(url);
    c.backoff_base = Duration::from_millis(10);
    c.backoff_cap = Duration::from_millis(50);
    c.ping_interval = Duration::from_millis(500);
    c
}

#[tokio::test]
async fn kline_stream_survives_a_drop_without_missing_or_doubled_candles() {
    let base = WallClock.now().ms() / M * M - 30 * M;
    let rest_state = Arc::new(Rest {
        base,
        ..Rest::default()
    });
    let rest_addr = rest_server(rest_state.clone()).await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let ws_addr = ws_server(
        move |n| match n {
            // First connection: candles 1-3, then the connection dies.
            0 => ((1..=3).map(|i| kline_frame(base, i)).collect(), true),
            // After the reconnect: 3 again, then 6 and 7 (4 and 5 closed
            // while the client was away).
            _ => (
                [3, 6, 7].iter().map(|&i| kline_frame(base, i)).collect(),
                false,
            ),
        },
        seen.clone(),
        true,
    )
    .await;
    let urls = BinanceUrls {
        rest: format!("http://{rest_addr}"),
        stream: format!("ws://{ws_addr}"),
        ws_api: None,
        sapi: None,
    };
    let rest = BinanceRest::new(BinanceMarket::Spot, &urls.rest, None).unwrap();
    let mut config = MarketDataConfig::new(urls.clone());
    config.streams = vec![("BTCUSDT".into(), StreamKind::Kline(Timeframe::M1))];
    config.ws = fast_ws(&urls.combined_stream());
    let (_client, mut events) = MarketDataClient::start(rest, config);

    let mut closed = Vec::new();
    let mut connects = Vec::new();
    let mut disconnects = 0;
    tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(ev) = events.recv().await {
            match ev {
                MarketStreamEvent::Connected { reconnect } => connects.push(reconnect),
                MarketStreamEvent::Disconnected { .. } => disconnects += 1,
                MarketStreamEvent::Market(MarketEvent::Kline(k)) if k.closed => {
                    assert_eq!(
                        k.candle.close,
                        rust_decimal::Decimal::from((k.candle.open_time.ms() - base) / M)
                    );
                    closed.push((k.candle.open_time.ms() - base) / M);
                    if closed.last() == Some(&7) {
                        break;
                    }
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    })
    .await
    .expect("candle 7 within 10 s");
    assert_eq!(
        closed,
        vec![1, 2, 3, 4, 5, 6, 7],
        "each candle once, in order"
    );
    assert_eq!(connects, vec![false, true]);
    assert_eq!(disconnects, 1);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    for (path, frame) in &seen {
        assert_eq!(path, "/stream");
        assert!(
            frame.contains(r#""method":"SUBSCRIBE""#) && frame.contains("btcusdt@kline_1m"),
            "{frame}"
        );
    }
    assert_eq!(
        rest_state.start_times.lock().unwrap().clone(),
        vec![t(base, 4)],
        "backfill from the first missing candle"
    );
}

/// A raw `executionReport` (listen-key streams send these).
fn raw_exec_report(client_id: &str) -> String {
    format!(
        r#"{{"e":"executionReport","E":1,"s":"BTCUSDT","c":"{client_id}","S":"BUY","o":"LIMIT","f":"GTC","q":"1","p":"10","x":"NEW","X":"NEW","r":"NONE","i":9,"l":"0","z":"0","L":"0","n":"0","N":null,"T":1,"t":-1,"m":false,"C":""}}"#
    )
}

/// The same, wrapped as the WebSocket API sends it.
fn exec_report(client_id: &str) -> String {
    format!(
        r#"{{"subscriptionId":0,"event":{}}}"#,
        raw_exec_report(client_id)
    )
}

#[tokio::test]
async fn ws_api_user_stream_resubscribes_with_a_fresh_signature() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let ws_addr = ws_server(
        |n| {
            (
                vec![
                    r#"{"id":"1","status":200,"result":{"subscriptionId":0}}"#.into(),
                    exec_report(&format!("order-{n}")),
                ],
                n == 0,
            )
        },
        seen.clone(),
        true,
    )
    .await;
    let rest = BinanceRest::new(
        BinanceMarket::Spot,
        "http://127.0.0.1:9",
        Some(Credentials {
            api_key: KEY.into(),
            secret: Secret::new(SECRET),
        }),
    )
    .unwrap();
    let (_stream, mut events) =
        UserStream::ws_api(rest, &format!("ws://{ws_addr}/ws-api/v3")).unwrap();
    let mut orders = Vec::new();
    let mut connects = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(ev) = events.recv().await {
            match ev {
                UserStreamEvent::Connected { reconnect } => connects.push(reconnect),
                UserStreamEvent::Event(UserEvent::Order(o)) => {
                    orders.push(o.order.client_id.to_string());
                    if orders.len() == 2 {
                        break;
                    }
                }
                UserStreamEvent::Event(UserEvent::Ignored(_))
                | UserStreamEvent::Disconnected { .. } => {}
                other => panic!("unexpected {other:?}"),
            }
        }
    })
    .await
    .expect("two order updates within 10 s");
    assert_eq!(orders, vec!["order-0", "order-1"]);
    assert_eq!(connects, vec![false, true]);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    let signer = HmacSha256Signer::new(&Secret::new(SECRET));
    let mut ids = Vec::new();
    for (path, frame) in &seen {
        assert_eq!(path, "/ws-api/v3");
        let v: serde_json::Value = serde_json::from_str(frame).unwrap();
        assert_eq!(v["method"], "userDataStream.subscribe.signature");
        let p = &v["params"];
        assert_eq!(p["apiKey"], KEY);
        let payload = format!("apiKey={KEY}&timestamp={}", p["timestamp"]);
        assert_eq!(
            p["signature"].as_str().unwrap(),
            signer.sign(payload.as_bytes()),
            "valid signature"
        );
        ids.push(v["id"].as_str().unwrap().to_string());
    }
    assert_ne!(ids[0], ids[1], "each subscription is a new request");
}

#[tokio::test]
async fn listen_key_stream_renews_an_expired_key() {
    let rest_addr = rest_server(Arc::new(Rest::default())).await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let ws_addr = ws_server(
        |n| match n {
            0 => (
                vec![
                    raw_exec_report("a"),
                    r#"{"e":"listenKeyExpired","E":2,"listenKey":"key1"}"#.into(),
                ],
                false,
            ),
            _ => (vec![raw_exec_report("b")], false),
        },
        seen.clone(),
        false,
    )
    .await;
    let urls = BinanceUrls {
        rest: format!("http://{rest_addr}"),
        stream: format!("ws://{ws_addr}"),
        ws_api: None,
        sapi: None,
    };
    let rest = BinanceRest::new(
        BinanceMarket::Spot,
        &urls.rest,
        Some(Credentials {
            api_key: KEY.into(),
            secret: Secret::new(SECRET),
        }),
    )
    .unwrap();
    let (_stream, mut events) = UserStream::listen_key(rest, &urls, Duration::from_secs(1800))
        .await
        .unwrap();
    let mut orders = Vec::new();
    let mut expired = 0;
    tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(ev) = events.recv().await {
            match ev {
                UserStreamEvent::Event(UserEvent::Order(o)) => {
                    orders.push(o.order.client_id.to_string());
                    if orders.len() == 2 {
                        break;
                    }
                }
                UserStreamEvent::Event(UserEvent::StreamExpired) => expired += 1,
                _ => {}
            }
        }
    })
    .await
    .expect("an update on the renewed key within 10 s");
    assert_eq!(orders, vec!["a", "b"]);
    assert_eq!(expired, 1);
    let paths: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|(p, _)| p.clone())
        .collect();
    assert_eq!(paths.len(), 2);
    assert!(
        paths[0].starts_with("/ws/key") && paths[1].starts_with("/ws/key") && paths[0] != paths[1],
        "{paths:?}"
    );
}

#[tokio::test]
async fn a_silent_connection_is_declared_dead_and_replaced() {
    // Connection 0 accepts and then never reads or writes (no pong either);
    // connection 1 answers the subscription.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let subscriptions = Arc::new(Mutex::new(Vec::new()));
    let subs = subscriptions.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        for n in 0.. {
            let (tcp, _) = listener.accept().await.unwrap();
            let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
            if n == 0 {
                held.push(ws); // silent: kept open, never polled
                continue;
            }
            if let Some(Ok(Message::Text(t))) = ws.next().await {
                subs.lock().unwrap().push(t.to_string());
            }
            ws.send(Message::Text("hello again".into())).await.unwrap();
            tokio::spawn(async move { while let Some(Ok(_)) = ws.next().await {} });
        }
    });
    let mut config = fast_ws(&format!("ws://{addr}"));
    config.ping_interval = Duration::from_millis(50);
    config.idle_timeout = Duration::from_millis(200);
    let (client, mut events) = smc_venues::net::WsClient::spawn(config);
    client.subscribe(r#"{"method":"SUBSCRIBE","params":["x@trade"],"id":1}"#);
    let mut log = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(ev) = events.recv().await {
            let done = ev == smc_venues::net::WsEvent::Text("hello again".into());
            log.push(ev);
            if done {
                break;
            }
        }
    })
    .await
    .expect("a new connection within 10 s");
    use smc_venues::net::WsEvent;
    assert!(
        matches!(&log[0], WsEvent::Connected { reconnect: false }),
        "{log:?}"
    );
    assert!(
        matches!(&log[1], WsEvent::Disconnected { reason } if reason.contains("no frame")),
        "{log:?}"
    );
    assert!(
        matches!(&log[2], WsEvent::Connected { reconnect: true }),
        "{log:?}"
    );
    assert_eq!(
        subscriptions.lock().unwrap().len(),
        1,
        "resubscribed on the new connection"
    );
    client.close();
}
