//! The OANDA adapter against a loopback server playing OANDA: the bearer
//! token on every request; the account id learned from `/v3/accounts`;
//! order bodies as sent; what each error answer means (401 an auth
//! refusal, 400 with `orderRejectTransaction` a rejection with its
//! reason, 404 an unknown order, 429 throttled, 5xx an unknown outcome
//! sent once); the clock from the `Date` header; a one-level book; and
//! the transactions stream delivering each transaction once across a
//! reconnect (catch-up with `sinceid`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use rust_decimal::dec;
use smc_model::{
    ClientOrderId, InstrumentId, OrderKind, OrderRequest, OrderStatus, Side, TimeInForce,
};
use smc_venues::oanda::{OandaCredentials, OandaUrls, OandaVenue, Secret};
use smc_venues::{
    ExecutionVenue, MarketDataVenue, OrderOutcome, UserEvent, UserStreamEvent, Venue,
    VenueErrorKind,
};
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const TOKEN: &str = "test-token-0001";
const ACCOUNT: &str = "101-004-1435156-001";

#[derive(Default)]
struct Oanda {
    /// Requests without the right bearer token.
    unauthorised: AtomicUsize,
    creates: AtomicUsize,
    bodies: Mutex<Vec<serde_json::Value>>,
    /// Scripted (status, body) answers to POST orders; the last repeats.
    script: Mutex<Vec<(u16, String)>>,
    sinceid: Mutex<Vec<String>>,
    stream_opens: AtomicUsize,
}

fn fixture(name: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/oanda")
        .join(name);
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    v["response"].to_string()
}

fn authorised(o: &Oanda, h: &HeaderMap) -> Option<Response> {
    let ok = h
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Bearer {TOKEN}"));
    if ok {
        return None;
    }
    o.unauthorised.fetch_add(1, Ordering::SeqCst);
    Some(
        (
            StatusCode::UNAUTHORIZED,
            r#"{"errorMessage":"Insufficient authorization to perform request."}"#,
        )
            .into_response(),
    )
}

async fn accounts(State(o): State<Arc<Oanda>>, h: HeaderMap) -> Response {
    if let Some(r) = authorised(&o, &h) {
        return r;
    }
    format!(r#"{{"accounts":[{{"id":"{ACCOUNT}","tags":[]}}]}}"#).into_response()
}

async fn instruments(
    State(o): State<Arc<Oanda>>,
    h: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Some(r) = authorised(&o, &h) {
        return r;
    }
    assert_eq!(id, ACCOUNT);
    fixture("v3_account_by_accountID_instruments.json").into_response()
}

async fn pricing(State(o): State<Arc<Oanda>>, h: HeaderMap) -> Response {
    if let Some(r) = authorised(&o, &h) {
        return r;
    }
    // OANDA's clock a second after the recorded prices (2016-10-05
    // 05:28:16.73): a live venue's, so the clock follows the header.
    let mut r = fixture("v3_accounts_accountID_pricing.json").into_response();
    r.headers_mut()
        .insert("date", "Wed, 05 Oct 2016 05:28:17 GMT".parse().unwrap());
    r
}

async fn summary(State(o): State<Arc<Oanda>>, h: HeaderMap) -> Response {
    if let Some(r) = authorised(&o, &h) {
        return r;
    }
    fixture("v3_account_by_accountID_summary.json")
        .replace("\"2123\"", "\"10\"")
        .into_response()
}

async fn create(State(o): State<Arc<Oanda>>, h: HeaderMap, body: Bytes) -> Response {
    if let Some(r) = authorised(&o, &h) {
        return r;
    }
    o.creates.fetch_add(1, Ordering::SeqCst);
    assert_eq!(
        h.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/json")
    );
    o.bodies
        .lock()
        .unwrap()
        .push(serde_json::from_slice(&body).unwrap());
    let mut script = o.script.lock().unwrap();
    let (status, body) = if script.len() > 1 {
        script.remove(0)
    } else {
        script[0].clone()
    };
    (StatusCode::from_u16(status).unwrap(), body).into_response()
}

async fn order(
    State(o): State<Arc<Oanda>>,
    h: HeaderMap,
    Path((_, spec)): Path<(String, String)>,
) -> Response {
    if let Some(r) = authorised(&o, &h) {
        return r;
    }
    if spec == "@known" {
        return fixture("v3_accounts_accountID_order_details.json").into_response();
    }
    (
        StatusCode::NOT_FOUND,
        r#"{"errorMessage":"The Order specified does not exist","errorCode":"NO_SUCH_ORDER"}"#,
    )
        .into_response()
}

async fn cancel(
    State(o): State<Arc<Oanda>>,
    h: HeaderMap,
    Path((_, spec)): Path<(String, String)>,
) -> Response {
    if let Some(r) = authorised(&o, &h) {
        return r;
    }
    assert_eq!(spec, "@myID");
    fixture("v3_accounts_accountID_order_cancel.json").into_response()
}

async fn throttled() -> Response {
    (
        StatusCode::TOO_MANY_REQUESTS,
        [("retry-after", "0")],
        r#"{"errorMessage":"Rate limit violation"}"#,
    )
        .into_response()
}

const FILL_11: &str = r#"{"id":"11","type":"ORDER_FILL","orderID":"9","clientOrderID":"smc-a","instrument":"EUR_USD","units":"100","price":"1.10000","time":"2024-01-02T03:04:05Z","commission":"0","halfSpreadCost":"0.007"}"#;
const ORDER_12: &str = r#"{"id":"12","type":"LIMIT_ORDER","instrument":"EUR_USD","units":"-100","price":"1.2","timeInForce":"GTC","positionFill":"REDUCE_ONLY","clientExtensions":{"id":"smc-b"},"time":"2024-01-02T03:04:06Z"}"#;
const CANCEL_13: &str = r#"{"id":"13","type":"ORDER_CANCEL","orderID":"12","clientOrderID":"smc-b","reason":"CLIENT_REQUEST","time":"2024-01-02T03:04:07Z"}"#;

async fn sinceid(
    State(o): State<Arc<Oanda>>,
    h: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if let Some(r) = authorised(&o, &h) {
        return r;
    }
    let id = q.get("id").cloned().unwrap_or_default();
    o.sinceid.lock().unwrap().push(id.clone());
    let list = match id.as_str() {
        "11" => format!("[{ORDER_12}]"),
        _ => "[]".to_string(),
    };
    format!(r#"{{"transactions":{list},"lastTransactionID":"12"}}"#).into_response()
}

/// First connection: a heartbeat and a fill, then closed. Later ones:
/// the order the catch-up already delivered again, a cancel, then open.
async fn tx_stream(State(o): State<Arc<Oanda>>, h: HeaderMap) -> Response {
    if let Some(r) = authorised(&o, &h) {
        return r;
    }
    let n = o.stream_opens.fetch_add(1, Ordering::SeqCst);
    let lines: Vec<String> = if n == 0 {
        vec![
            r#"{"type":"HEARTBEAT","lastTransactionID":"10","time":"2024-01-02T03:04:00Z"}"#.into(),
            FILL_11.into(),
        ]
    } else {
        vec![ORDER_12.into(), CANCEL_13.into()]
    };
    let chunks = futures_util::stream::iter(
        lines
            .into_iter()
            .map(|l| Ok::<_, Infallible>(Bytes::from(format!("{l}\n")))),
    );
    let body = if n == 0 {
        Body::from_stream(chunks)
    } else {
        use futures_util::StreamExt;
        Body::from_stream(chunks.chain(futures_util::stream::pending()))
    };
    body.into_response()
}

async fn serve(script: Vec<(u16, String)>) -> (String, Arc<Oanda>) {
    let state = Arc::new(Oanda {
        script: Mutex::new(script),
        ..Oanda::default()
    });
    let app = Router::new()
        .route("/v3/accounts", get(accounts))
        .route("/v3/accounts/{id}/instruments", get(instruments))
        .route("/v3/accounts/{id}/pricing", get(pricing))
        .route("/v3/accounts/{id}/summary", get(summary))
        .route("/v3/accounts/{id}/openPositions", get(throttled))
        .route("/v3/accounts/{id}/orders", post(create))
        .route("/v3/accounts/{id}/orders/{spec}", get(order))
        .route("/v3/accounts/{id}/orders/{spec}/cancel", put(cancel))
        .route("/v3/accounts/{id}/transactions/sinceid", get(sinceid))
        .route("/v3/accounts/{id}/transactions/stream", get(tx_stream))
        .with_state(state.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (addr.to_string(), state)
}

fn venue(addr: &str, token: &str) -> OandaVenue {
    OandaVenue::new(
        OandaUrls::local(addr),
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

fn market(cid: &str, side: Side) -> OrderRequest {
    OrderRequest {
        client_id: ClientOrderId::new(cid),
        instrument: eur_usd(),
        side,
        qty: dec!(1000.4),
        kind: OrderKind::Market,
        time_in_force: TimeInForce::Gtc,
        reduce_only: false,
    }
}

const CREATED: &str = r#"{"orderCreateTransaction":{"id":"20","type":"MARKET_ORDER","instrument":"EUR_USD","units":"1000","timeInForce":"FOK","clientExtensions":{"id":"c1"},"time":"2024-01-02T03:04:05Z"},"orderFillTransaction":{"id":"21","type":"ORDER_FILL","orderID":"20","clientOrderID":"c1","instrument":"EUR_USD","units":"1000","price":"1.12170","time":"2024-01-02T03:04:05Z","commission":"0.0000","halfSpreadCost":"0.0650"},"relatedTransactionIDs":["20","21"],"lastTransactionID":"21"}"#;

#[tokio::test]
async fn token_account_orders_and_error_kinds() {
    let (addr, o) = serve(vec![
        (201, CREATED.into()),
        (
            400,
            r#"{"orderRejectTransaction":{"id":"22","type":"MARKET_ORDER_REJECT","rejectReason":"INSUFFICIENT_MARGIN","instrument":"EUR_USD","units":"1000"},"errorCode":"INSUFFICIENT_MARGIN","errorMessage":"Insufficient margin to open the order"}"#.into(),
        ),
        (503, "upstream down".into()),
    ])
    .await;

    // A wrong token: an auth refusal (HTTP 401), named as such.
    let bad = venue(&addr, "wrong");
    let e = bad.instruments(&["EUR_USD".into()]).await.unwrap_err();
    assert_eq!(e.kind, VenueErrorKind::Refused { code: -401 });
    assert!(
        e.message.contains("Insufficient authorization"),
        "{}",
        e.message
    );
    assert!(o.unauthorised.load(Ordering::SeqCst) >= 1);

    let v = venue(&addr, TOKEN);
    assert_eq!(v.name(), "oanda");
    assert_eq!(v.account_id().await.unwrap(), ACCOUNT);
    let inst = v.instruments(&["EUR_USD".into()]).await.unwrap();
    assert_eq!(inst[0].spec.tick_size, dec!(0.00001));

    // The clock from the Date header (the server says 2016, its middle).
    v.sync_clock().await.unwrap();
    let now = v.venue_now_ms();
    assert!(
        (1_475_645_297_500..1_475_645_302_500).contains(&now),
        "{now}"
    );

    // Accepted and filled at once.
    let out = v.place(&market("c1", Side::Buy)).await.unwrap();
    let OrderOutcome::Accepted(a) = out else {
        panic!("accepted expected: {out:?}")
    };
    assert_eq!((a.status, a.filled_qty), (OrderStatus::Filled, dec!(1000)));
    assert_eq!(a.fills[0].price, dec!(1.12170));
    let body = o.bodies.lock().unwrap()[0].clone();
    assert_eq!(body["order"]["units"], "1000");
    assert_eq!(body["order"]["type"], "MARKET");
    assert_eq!(body["order"]["timeInForce"], "FOK");
    assert_eq!(body["order"]["clientExtensions"]["id"], "c1");

    // Rejected with OANDA's reason.
    let out = v.place(&market("c2", Side::Sell)).await.unwrap();
    match out {
        OrderOutcome::Rejected { reason, .. } => {
            assert!(reason.starts_with("INSUFFICIENT_MARGIN"), "{reason}")
        }
        other => panic!("rejected expected: {other:?}"),
    }
    assert_eq!(o.bodies.lock().unwrap()[1]["order"]["units"], "-1000");

    // A 5xx: unknown, and sent exactly once.
    let before = o.creates.load(Ordering::SeqCst);
    let out = v.place(&market("c3", Side::Buy)).await.unwrap();
    assert!(out.is_unknown(), "{out:?}");
    assert_eq!(o.creates.load(Ordering::SeqCst), before + 1);

    // A take-profit whose limit the market is already through goes as
    // MARKET_IF_TOUCHED (the bid is 1.12157), else as a LIMIT.
    let mut tp = market("c4", Side::Sell);
    tp.kind = OrderKind::TakeProfit {
        trigger: dec!(1.12),
    };
    tp.reduce_only = true;
    let _ = v.place(&tp).await.unwrap();
    tp.kind = OrderKind::TakeProfit {
        trigger: dec!(1.13),
    };
    let _ = v.place(&tp).await.unwrap();
    let bodies = o.bodies.lock().unwrap().clone();
    let n = bodies.len();
    assert_eq!(bodies[n - 2]["order"]["type"], "MARKET_IF_TOUCHED");
    assert_eq!(bodies[n - 1]["order"]["type"], "LIMIT");
    assert_eq!(bodies[n - 1]["order"]["positionFill"], "REDUCE_ONLY");

    // 404: an unknown order is `None`; a known one is read.
    let id = eur_usd();
    assert_eq!(
        v.query(&id, &ClientOrderId::new("nope")).await.unwrap(),
        None
    );
    let known = v
        .query(&id, &ClientOrderId::new("known"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(known.venue_order_id, "2309");
    let c = v.cancel(&id, &ClientOrderId::new("myID")).await.unwrap();
    assert_eq!(c.status, OrderStatus::Cancelled);

    // 429: throttled.
    let e = v.positions().await.unwrap_err();
    assert!(matches!(e.kind, VenueErrorKind::Throttled { .. }), "{e:?}");

    // A one-level book from pricing; balances from the summary.
    let book = v.order_book("EUR_USD", 10).await.unwrap();
    assert_eq!((book.bids.len(), book.asks.len()), (1, 1));
    assert_eq!(book.asks[0].price, dec!(1.12170));
    let b = v.balances().await.unwrap();
    assert_eq!(b[0].asset, "EUR");
    let p = v.key_permissions().await.unwrap();
    assert!(p.trade && !p.withdraw && !p.transfer);
}

#[tokio::test]
async fn the_transactions_stream_loses_nothing_across_a_reconnect() {
    let (addr, o) = serve(vec![(201, CREATED.into())]).await;
    let v = venue(&addr, TOKEN);
    let mut s = v.order_reports().await.unwrap();
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while seen
        .iter()
        .filter(|e| matches!(e, UserStreamEvent::Event(_)))
        .count()
        < 3
    {
        let ev = tokio::time::timeout_at(deadline, s.recv())
            .await
            .unwrap()
            .unwrap();
        seen.push(ev);
    }
    let ids: Vec<(String, OrderStatus)> = seen
        .iter()
        .filter_map(|e| match e {
            UserStreamEvent::Event(UserEvent::Order(u)) => {
                Some((u.order.client_id.to_string(), u.order.status))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        ids,
        [
            ("smc-a".to_string(), OrderStatus::Filled),
            ("smc-b".to_string(), OrderStatus::Submitted),
            ("smc-b".to_string(), OrderStatus::Cancelled),
        ],
        "each once, in order: {seen:?}"
    );
    assert_eq!(seen[0], UserStreamEvent::Connected { reconnect: false });
    assert!(
        seen.iter()
            .any(|e| matches!(e, UserStreamEvent::Disconnected { .. }))
    );
    assert!(seen.contains(&UserStreamEvent::Connected { reconnect: true }));
    // The first connect caught up from the summary's id, the second from
    // the last delivered.
    assert_eq!(*o.sinceid.lock().unwrap(), ["10", "11"]);
}
