//! The Bybit REST client against a loopback server playing Bybit's
//! answers: a JSON order body sent with one `Content-Type` and signed as
//! sent; 10002 resynchronises the clock and resends once; a placement
//! that meets a 5xx is sent exactly once and left `Unknown`; a venue
//! refusal is `Rejected` with its `retCode`; 10006 books the reset time.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use rust_decimal::dec;
use smc_model::{ClientOrderId, InstrumentId, OrderKind, OrderRequest, Side, TimeInForce};
use smc_venues::OrderOutcome;
use smc_venues::bybit::{BybitCategory, BybitError, BybitRest, Credentials};
use smc_venues::net::{HmacSha256Signer, RequestSigner, Secret};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

const KEY: &str = "bybit-test-key";
const SECRET: &str = "TESTBYBITSECRET0000000000000000000001";

#[derive(Default)]
struct Venue {
    times: AtomicUsize,
    creates: AtomicUsize,
    bad_signatures: AtomicUsize,
    /// The Content-Type headers of each create request.
    content_types: Mutex<Vec<Vec<String>>>,
    /// Scripted (HTTP status, body) answers to create; the last repeats.
    script: Mutex<Vec<(u16, String)>>,
}

fn envelope(code: i64, msg: &str, result: &str) -> String {
    format!(r#"{{"retCode":{code},"retMsg":"{msg}","result":{result},"retExtInfo":{{}},"time":1}}"#)
}

async fn time(State(v): State<Arc<Venue>>) -> Response {
    v.times.fetch_add(1, Ordering::SeqCst);
    let now = smc_model::Clock::now(&smc_model::WallClock).ms();
    let result = format!(
        r#"{{"timeSecond":"{}","timeNano":"{}000000"}}"#,
        now / 1000,
        now
    );
    envelope(0, "OK", &result).into_response()
}

async fn instruments() -> Response {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/bybit/nautilus-rust/http_get_instruments_spot.json");
    std::fs::read_to_string(p).unwrap().into_response()
}

async fn create(State(v): State<Arc<Venue>>, headers: HeaderMap, body: Bytes) -> Response {
    v.creates.fetch_add(1, Ordering::SeqCst);
    let types = headers
        .get_all("content-type")
        .iter()
        .map(|h| h.to_str().unwrap().to_string())
        .collect();
    v.content_types.lock().unwrap().push(types);
    let h = |n: &str| headers.get(n).unwrap().to_str().unwrap().to_string();
    let payload = format!(
        "{}{}{}{}",
        h("x-bapi-timestamp"),
        h("x-bapi-api-key"),
        h("x-bapi-recv-window"),
        std::str::from_utf8(&body).unwrap()
    );
    let expected = HmacSha256Signer::new(&Secret::new(SECRET)).sign(payload.as_bytes());
    if expected != h("x-bapi-sign") {
        v.bad_signatures.fetch_add(1, Ordering::SeqCst);
        return envelope(10004, "error sign!", "{}").into_response();
    }
    let (status, answer) = {
        let mut s = v.script.lock().unwrap();
        if s.len() > 1 {
            s.remove(0)
        } else {
            s[0].clone()
        }
    };
    (StatusCode::from_u16(status).unwrap(), answer).into_response()
}

/// 2,500 one-minute candles from 0, served as Bybit does: the newest
/// `limit` (at most 1,000) opening in `[start, end]`, newest first.
async fn kline(axum::extract::RawQuery(q): axum::extract::RawQuery) -> Response {
    let q = q.unwrap_or_default();
    let param = |name: &str| {
        q.split('&')
            .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
            .and_then(|v| v.parse::<i64>().ok())
    };
    let (start, end, limit) = (param("start"), param("end"), param("limit").unwrap_or(200));
    let rows: Vec<String> = (0..2_500i64)
        .rev()
        .map(|i| i * 60_000)
        .filter(|t| start.is_none_or(|s| *t >= s) && end.is_none_or(|e| *t <= e))
        .take(limit.min(1_000) as usize)
        .map(|t| format!(r#"["{t}","1","2","0.5","1.5","10","15"]"#))
        .collect();
    envelope(
        0,
        "OK",
        &format!(
            r#"{{"category":"spot","symbol":"BTCUSDT","list":[{}]}}"#,
            rows.join(",")
        ),
    )
    .into_response()
}

async fn serve(script: Vec<(u16, String)>) -> (String, Arc<Venue>) {
    let v = Arc::new(Venue {
        script: Mutex::new(script),
        ..Venue::default()
    });
    let app = Router::new()
        .route("/v5/market/time", get(time))
        .route("/v5/market/instruments-info", get(instruments))
        .route("/v5/order/create", post(create))
        .route("/v5/market/kline", get(kline))
        .with_state(v.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), v)
}

async fn client(url: &str) -> BybitRest {
    let rest = BybitRest::new(
        BybitCategory::Spot,
        url,
        Some(Credentials {
            api_key: KEY.into(),
            secret: Secret::new(SECRET),
        }),
    )
    .unwrap();
    rest.sync_clock().await.unwrap();
    rest.load_rules().await.unwrap();
    rest
}

fn buy(id: &str) -> OrderRequest {
    OrderRequest {
        client_id: ClientOrderId::new(id),
        instrument: InstrumentId::new("bybit", "BTCUSDT").unwrap(),
        side: Side::Buy,
        qty: dec!(0.00123),
        kind: OrderKind::Limit {
            price: dec!(20000.07),
        },
        time_in_force: TimeInForce::Gtc,
        reduce_only: false,
    }
}

const OK: &str = r#"{"orderId":"1","orderLinkId":"a"}"#;

#[tokio::test]
async fn a_json_body_signed_as_sent_after_a_timestamp_resync() {
    let (url, v) = serve(vec![
        (
            200,
            envelope(
                10002,
                "invalid request, please check your server timestamp or recv_window param",
                "{}",
            ),
        ),
        (200, envelope(0, "OK", OK)),
    ])
    .await;
    let rest = client(&url).await;
    let times = v.times.load(Ordering::SeqCst);
    let o = rest.place_order(&buy("a")).await.unwrap();
    let OrderOutcome::Accepted(accepted) = o else {
        panic!("{o:?}")
    };
    // Rounded to the rules: lot 0.0001 (down), tick 0.1 (down for a buy).
    assert_eq!(accepted.orig_qty, dec!(0.0012));
    assert_eq!(
        v.creates.load(Ordering::SeqCst),
        2,
        "refused once, sent once more"
    );
    assert_eq!(
        v.times.load(Ordering::SeqCst),
        times + 1,
        "the clock was resynced"
    );
    assert_eq!(v.bad_signatures.load(Ordering::SeqCst), 0);
    for types in v.content_types.lock().unwrap().iter() {
        assert_eq!(types, &["application/json"], "one JSON content type");
    }
}

#[tokio::test]
async fn a_placement_meeting_a_5xx_is_sent_once_and_unknown() {
    let (url, v) = serve(vec![(503, "upstream unavailable".into())]).await;
    let rest = client(&url).await;
    let o = rest.place_order(&buy("b")).await.unwrap();
    assert!(o.is_unknown(), "{o:?}");
    assert_eq!(v.creates.load(Ordering::SeqCst), 1, "never retried");
}

#[tokio::test]
async fn refusals_are_rejected_with_their_code_and_rate_limits_throttle() {
    let (url, v) = serve(vec![
        (200, envelope(170131, "Insufficient balance.", "{}")),
        (200, envelope(10006, "Too many visits.", "{}")),
    ])
    .await;
    let rest = client(&url).await;
    let o = rest.place_order(&buy("c")).await.unwrap();
    assert!(
        matches!(&o, OrderOutcome::Rejected { code: 170131, reason, .. } if reason.contains("Insufficient")),
        "{o:?}"
    );
    let o = rest.place_order(&buy("d")).await.unwrap();
    assert!(
        matches!(o, OrderOutcome::Rejected { code: 10006, .. }),
        "{o:?}"
    );
    // The limiter holds the next request back until the reset (1 s
    // without Bybit's reset header): it is not sent meanwhile.
    let sent = v.creates.load(Ordering::SeqCst);
    let started = std::time::Instant::now();
    let _ = rest.place_order(&buy("e")).await.unwrap();
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(500),
        "waited out the backoff"
    );
    assert_eq!(v.creates.load(Ordering::SeqCst), sent + 1);
    // An id over 36 characters never leaves.
    let e = rest.place_order(&buy(&"z".repeat(37))).await.unwrap_err();
    assert!(
        matches!(e, BybitError::ClientIdTooLong { len: 37, .. }),
        "{e}"
    );
    assert_eq!(v.creates.load(Ordering::SeqCst), sent + 1);
}

#[tokio::test]
async fn klines_page_back_from_the_newest_and_come_out_in_order() {
    let (url, _) = serve(vec![(200, envelope(0, "OK", OK))]).await;
    let rest = client(&url).await;
    let all = rest
        .klines_range("BTCUSDT", smc_model::Timeframe::M1, 0, None)
        .await
        .unwrap();
    assert_eq!(all.len(), 2_500);
    assert!(
        all.windows(2)
            .all(|w| w[1].open_time - w[0].open_time == 60_000)
    );
    let some = rest
        .klines_range(
            "BTCUSDT",
            smc_model::Timeframe::M1,
            60_000 * 100,
            Some(60_000 * 1_300),
        )
        .await
        .unwrap();
    assert_eq!(some.len(), 1_201);
    assert_eq!(some[0].open_time.ms(), 6_000_000);
    assert_eq!(some[1_200].open_time.ms(), 78_000_000);
}
