//! The REST client against a loopback server that plays Binance's error
//! paths: 429 + Retry-After, 418, -1021, 5xx and timeouts after an order
//! POST, a venue rejection, and usage headers.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rust_decimal::dec;
use smc_model::Timestamp;
use smc_model::{
    ClientOrderId, InstrumentId, InstrumentSpec, OrderKind, OrderRequest, Side, TimeInForce,
};
use smc_venues::OrderOutcome;
use smc_venues::binance::{BinanceError, BinanceMarket, BinanceRest, Credentials, SymbolRules};
use smc_venues::net::{HmacSha256Signer, HttpConfig, NetError, Refusal, RequestSigner, Secret};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const KEY: &str = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
const SECRET: &str = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

/// What the server saw and what it answers next.
#[derive(Default)]
struct Venue {
    time_calls: AtomicUsize,
    posts: AtomicUsize,
    gets: AtomicUsize,
    klines: AtomicUsize,
    /// Scripted answers to POST /api/v3/order, in order (last one repeats).
    post_script: Mutex<Vec<Answer>>,
    time_script: Mutex<Vec<Answer>>,
    get_order_script: Mutex<Vec<Answer>>,
    /// `timestamp` of each order POST.
    post_timestamps: Mutex<Vec<i64>>,
    server_clock_ahead_ms: i64,
    bad_signatures: AtomicUsize,
    /// Public requests (time, klines, exchangeInfo) that carried the key.
    keyed_public: AtomicUsize,
}

fn note_key(v: &Venue, headers: &HeaderMap) {
    if headers.contains_key("x-mbx-apikey") {
        v.keyed_public.fetch_add(1, Ordering::SeqCst);
    }
}

#[derive(Clone)]
enum Answer {
    Json(u16, String, Vec<(&'static str, &'static str)>),
    Hang,
}

fn now_ms() -> i64 {
    use smc_model::Clock;
    (smc_model::WallClock.now()).ms()
}

fn next(script: &Mutex<Vec<Answer>>) -> Answer {
    let mut s = script.lock().unwrap();
    if s.len() > 1 {
        s.remove(0)
    } else {
        s[0].clone()
    }
}

async fn answer(a: Answer) -> Response {
    match a {
        Answer::Hang => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            StatusCode::OK.into_response()
        }
        Answer::Json(status, body, headers) => {
            let mut h = HeaderMap::new();
            for (k, v) in headers {
                h.insert(k, HeaderValue::from_static(v));
            }
            (StatusCode::from_u16(status).unwrap(), h, body).into_response()
        }
    }
}

/// Checks the signature over the raw body bytes, as Binance does.
fn verify(v: &Venue, raw: &str) -> Option<i64> {
    let (payload, sig) = raw.rsplit_once("&signature=")?;
    let want = HmacSha256Signer::new(&Secret::new(SECRET)).sign(payload.as_bytes());
    if want != sig {
        v.bad_signatures.fetch_add(1, Ordering::SeqCst);
    }
    payload
        .split('&')
        .find_map(|kv| kv.strip_prefix("timestamp="))
        .and_then(|t| t.parse().ok())
}

async fn order_post(State(v): State<Arc<Venue>>, headers: HeaderMap, body: Bytes) -> Response {
    v.posts.fetch_add(1, Ordering::SeqCst);
    assert_eq!(headers.get("x-mbx-apikey").unwrap(), KEY);
    let raw = String::from_utf8(body.to_vec()).unwrap();
    if let Some(ts) = verify(&v, &raw) {
        v.post_timestamps.lock().unwrap().push(ts);
    }
    answer(next(&v.post_script)).await
}

async fn order_get(State(v): State<Arc<Venue>>, q: axum::extract::RawQuery) -> Response {
    v.gets.fetch_add(1, Ordering::SeqCst);
    verify(&v, &q.0.unwrap_or_default());
    answer(next(&v.get_order_script)).await
}

async fn time(State(v): State<Arc<Venue>>, headers: HeaderMap) -> Response {
    note_key(&v, &headers);
    v.time_calls.fetch_add(1, Ordering::SeqCst);
    let script = v.time_script.lock().unwrap().clone();
    if script.is_empty() {
        let t = now_ms() + v.server_clock_ahead_ms;
        return (StatusCode::OK, format!(r#"{{"serverTime":{t}}}"#)).into_response();
    }
    answer(next(&v.time_script)).await
}

async fn klines(State(v): State<Arc<Venue>>, headers: HeaderMap) -> Response {
    note_key(&v, &headers);
    v.klines.fetch_add(1, Ordering::SeqCst);
    (StatusCode::OK, "[]").into_response()
}

async fn exchange_info(State(v): State<Arc<Venue>>, headers: HeaderMap) -> Response {
    note_key(&v, &headers);
    let body = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/nautilus-python/http_responses/http_spot_market_exchange_info.json"
    ))
    .unwrap();
    let mut h = HeaderMap::new();
    h.insert("x-mbx-used-weight-1m", HeaderValue::from_static("1199"));
    (StatusCode::OK, h, body).into_response()
}

async fn serve(v: Arc<Venue>) -> String {
    let app = Router::new()
        .route("/api/v3/order", post(order_post).get(order_get))
        .route("/api/v3/time", get(time))
        .route("/api/v3/klines", get(klines))
        .route("/api/v3/exchangeInfo", get(exchange_info))
        .with_state(v);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn client(base: &str) -> BinanceRest {
    let mut config = HttpConfig::new(base);
    config.timeout = Duration::from_millis(500);
    config.retry_base = Duration::from_millis(10);
    config.retry_cap = Duration::from_millis(40);
    let rest = BinanceRest::with_config(
        BinanceMarket::Spot,
        config,
        Some(Credentials {
            api_key: KEY.into(),
            secret: Secret::new(SECRET),
        }),
    )
    .unwrap();
    rest.set_rules(SymbolRules {
        symbol: "BTCUSDT".into(),
        status: "TRADING".into(),
        base: "BTC".into(),
        quote: "USDT".into(),
        contract_type: None,
        spec: InstrumentSpec {
            tick_size: dec!(0.01),
            lot_size: dec!(0.00001),
            min_qty: dec!(0.00001),
            min_notional: dec!(10),
        },
        min_price: dec!(0.01),
        max_price: dec!(1000000),
        max_qty: dec!(9000),
    });
    rest
}

fn order() -> OrderRequest {
    OrderRequest {
        client_id: ClientOrderId::from_decision("smc", Timestamp::from_ms(1_700_000_000_000), 1),
        instrument: InstrumentId::new("binance", "BTCUSDT").unwrap(),
        side: Side::Buy,
        qty: dec!(0.001),
        kind: OrderKind::Limit { price: dec!(50000) },
        time_in_force: TimeInForce::Gtc,
        reduce_only: false,
    }
}

const ACK: &str = r#"{"symbol":"BTCUSDT","orderId":28,"orderListId":-1,"clientOrderId":"smc-1700000000000-1","transactTime":1507725176595,"price":"50000","origQty":"0.001","executedQty":"0","status":"NEW","timeInForce":"GTC","type":"LIMIT","side":"BUY","fills":[]}"#;

fn json(status: u16, body: &str) -> Answer {
    Answer::Json(status, body.to_string(), Vec::new())
}

#[tokio::test]
async fn a_429_backs_off_per_retry_after_then_the_read_succeeds() {
    let v = Arc::new(Venue::default());
    *v.time_script.lock().unwrap() = vec![
        Answer::Json(
            429,
            r#"{"code":-1003,"msg":"Too much request weight used"}"#.into(),
            vec![("Retry-After", "1")],
        ),
        json(200, r#"{"serverTime":123}"#),
    ];
    let rest = client(&serve(v.clone()).await);
    let started = Instant::now();
    assert_eq!(rest.server_time().await.unwrap(), 123);
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "waited {:?}",
        started.elapsed()
    );
    assert_eq!(v.time_calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_418_stops_trading_until_the_ban_ends() {
    let v = Arc::new(Venue::default());
    *v.time_script.lock().unwrap() = vec![Answer::Json(
        418,
        r#"{"code":-1003,"msg":"Way too much request weight used; IP banned"}"#.into(),
        vec![("Retry-After", "120")],
    )];
    let rest = client(&serve(v.clone()).await);
    let e = rest.server_time().await.unwrap_err();
    assert!(
        matches!(e, BinanceError::Net(NetError::Banned { .. })),
        "{e}"
    );
    assert_eq!(
        v.time_calls.load(Ordering::SeqCst),
        1,
        "a ban is not retried"
    );
    // Nothing more leaves the process: the order is refused locally.
    let e = rest.place_order(&order()).await.unwrap_err();
    match e {
        BinanceError::Net(
            n @ NetError::Limited {
                refusal: Refusal::Banned { until_ms },
                ..
            },
        ) => {
            assert!(!n.was_sent());
            assert!(until_ms >= now_ms() + 110_000);
        }
        other => panic!("expected a local ban refusal, got {other}"),
    }
    assert_eq!(v.posts.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_1021_resynchronises_the_clock_and_sends_once_more() {
    let v = Arc::new(Venue {
        server_clock_ahead_ms: 5_000,
        ..Venue::default()
    });
    *v.post_script.lock().unwrap() = vec![
        json(
            400,
            r#"{"code":-1021,"msg":"Timestamp for this request was 1000ms ahead of the server's time."}"#,
        ),
        json(200, ACK),
    ];
    let rest = client(&serve(v.clone()).await);
    let out = rest.place_order(&order()).await.unwrap();
    let OrderOutcome::Accepted(ack) = out else {
        panic!("{out:?}")
    };
    assert_eq!(ack.venue_order_id, "28");
    assert_eq!(v.time_calls.load(Ordering::SeqCst), 1);
    assert_eq!(v.posts.load(Ordering::SeqCst), 2);
    let offset = rest.time_offset().offset_ms();
    assert!((4_000..=6_000).contains(&offset), "offset {offset}");
    let ts = v.post_timestamps.lock().unwrap().clone();
    assert!(
        ts[1] - ts[0] >= 4_000,
        "the retry carries venue time: {ts:?}"
    );
    assert_eq!(v.bad_signatures.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_5xx_after_an_order_post_is_unknown_and_never_resent() {
    let v = Arc::new(Venue::default());
    *v.post_script.lock().unwrap() = vec![json(
        503,
        r#"{"code":-1008,"msg":"Unknown error, please check your request or try again later."}"#,
    )];
    *v.get_order_script.lock().unwrap() = vec![json(503, "Service Unavailable.")];
    let rest = client(&serve(v.clone()).await);
    let out = rest.place_order(&order()).await.unwrap();
    assert!(out.is_unknown(), "{out:?}");
    assert_eq!(out.client_id().as_str(), "smc-1700000000000-1");
    assert_eq!(
        v.posts.load(Ordering::SeqCst),
        1,
        "placement is never retried"
    );
    assert_eq!(v.bad_signatures.load(Ordering::SeqCst), 0);
    // A status query (a read) is retried: 1 + 2 retries.
    let o = order();
    assert!(rest.query_order(&o.instrument, &o.client_id).await.is_err());
    assert_eq!(v.gets.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn a_timeout_or_429_after_an_order_post_is_unknown() {
    let v = Arc::new(Venue::default());
    *v.post_script.lock().unwrap() = vec![
        Answer::Hang,
        Answer::Json(
            429,
            r#"{"code":-1015,"msg":"Too many new orders."}"#.into(),
            vec![("Retry-After", "0")],
        ),
    ];
    let rest = client(&serve(v.clone()).await);
    let out = rest.place_order(&order()).await.unwrap();
    assert!(
        matches!(&out, OrderOutcome::Unknown { reason, .. } if reason.contains("timeout")),
        "{out:?}"
    );
    assert_eq!(v.posts.load(Ordering::SeqCst), 1);
    let out = rest.place_order(&order()).await.unwrap();
    assert!(
        matches!(&out, OrderOutcome::Unknown { reason, .. } if reason.contains("429")),
        "{out:?}"
    );
    assert_eq!(v.posts.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn the_venue_rejection_is_a_rejection_and_the_query_resolves_unknowns() {
    let v = Arc::new(Venue::default());
    *v.post_script.lock().unwrap() = vec![json(
        400,
        r#"{"code":-2010,"msg":"Account has insufficient balance for requested action."}"#,
    )];
    *v.get_order_script.lock().unwrap() = vec![
        json(400, r#"{"code":-2013,"msg":"Order does not exist."}"#),
        json(200, ACK),
    ];
    let rest = client(&serve(v.clone()).await);
    let out = rest.place_order(&order()).await.unwrap();
    assert!(
        matches!(&out, OrderOutcome::Rejected { code: -2010, .. }),
        "{out:?}"
    );
    let o = order();
    assert_eq!(
        rest.query_order(&o.instrument, &o.client_id).await.unwrap(),
        None,
        "-2013: not placed"
    );
    let q = rest
        .query_order(&o.instrument, &o.client_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(q.venue_order_id, "28");
}

#[tokio::test]
async fn orders_off_the_filters_never_leave() {
    let v = Arc::new(Venue::default());
    let rest = client(&serve(v.clone()).await);
    let tiny = OrderRequest {
        qty: dec!(0.0001),
        ..order()
    }; // 5 USDT < 10
    assert!(matches!(
        rest.place_order(&tiny).await,
        Err(BinanceError::Rounding { .. })
    ));
    let unknown = OrderRequest {
        instrument: InstrumentId::new("binance", "NOPEUSDT").unwrap(),
        ..order()
    };
    assert!(matches!(
        rest.place_order(&unknown).await,
        Err(BinanceError::UnknownSymbol(_))
    ));
    assert_eq!(v.posts.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn usage_headers_and_exchange_info_limits_meter_requests() {
    let v = Arc::new(Venue::default());
    let rest = client(&serve(v.clone()).await);
    let info = rest.load_rules().await.unwrap();
    assert_eq!(info.symbols.len(), 2);
    assert_eq!(rest.rules("ETHUSDT").unwrap().spec.lot_size, dec!(0.0001));
    // The venue said 1199 of 1200 are used: a weight-2 klines call would
    // exceed the minute budget, so it is refused without being sent.
    let e = rest
        .klines("BTCUSDT", smc_model::Timeframe::M1, 0, None, 10)
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            BinanceError::Net(NetError::Limited {
                refusal: Refusal::Budget { .. },
                ..
            })
        ),
        "{e}"
    );
    assert_eq!(v.klines.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn the_api_key_goes_only_with_requests_that_need_it() {
    let v = Arc::new(Venue::default());
    let rest = client(&serve(v.clone()).await);
    rest.sync_clock().await.unwrap();
    rest.load_rules().await.unwrap();
    // A fresh client: the first one's meter is full after exchangeInfo.
    let fresh = client(&serve(v.clone()).await);
    fresh
        .klines("BTCUSDT", smc_model::Timeframe::M1, 0, None, 10)
        .await
        .unwrap();
    assert_eq!(v.klines.load(Ordering::SeqCst), 1);
    assert!(v.time_calls.load(Ordering::SeqCst) >= 1);
    assert_eq!(
        v.keyed_public.load(Ordering::SeqCst),
        0,
        "a public request carried the key"
    );
    // An order does carry it (order_post asserts the header).
    *v.post_script.lock().unwrap() = vec![json(
        200,
        r#"{"symbol":"BTCUSDT","orderId":1,"clientOrderId":"smc-1-0","transactTime":1,"origQty":"0.01","executedQty":"0","status":"NEW","side":"BUY","fills":[]}"#,
    )];
    rest.place_order(&order()).await.unwrap();
    assert_eq!(v.posts.load(Ordering::SeqCst), 1);
}
