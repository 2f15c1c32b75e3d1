//! The simulator's faults under the OANDA protocol, answered in OANDA's
//! format: 429 and 5xx with an errorMessage, `refuse` as an order reject,
//! `drop-ws` ending a stream.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod oanda_common;

use oanda_common::*;
use serde_json::json;

#[tokio::test]
async fn injected_429_and_5xx_answer_in_oandas_format() {
    let sim = start(
        0.2,
        "429(path=/v3/accounts,count=1);5xx(status=502,method=POST,count=1)",
    )
    .await;
    let c = Client::new(&sim);
    let (s, v) = c.get("/v3/accounts").await;
    assert_eq!(s, 429);
    assert!(
        v["errorMessage"].as_str().unwrap().contains("exceeds"),
        "{v}"
    );
    let (s, _) = c.get("/v3/accounts").await;
    assert_eq!(s, 200);
    let (s, v) = c
        .order(json!({"type": "MARKET", "instrument": "EUR_USD", "units": "1"}))
        .await;
    assert_eq!(s, 502);
    assert!(v["errorMessage"].is_string());
    let (_, t) = c.get(&c.acct("/openTrades")).await;
    assert!(
        t["trades"].as_array().unwrap().is_empty(),
        "nothing was placed"
    );
}

#[tokio::test]
async fn a_refusal_is_an_order_reject_with_an_oanda_reason() {
    let sim = start(0.2, "refuse(code=-2019,type=STOP)").await;
    let c = Client::new(&sim);
    let (s, v) = c
        .order(json!({"type": "STOP", "instrument": "EUR_USD", "units": "1", "price": "5.0"}))
        .await;
    assert_eq!(s, 400);
    assert_eq!(v["errorCode"], "INSUFFICIENT_MARGIN");
    assert_eq!(v["orderRejectTransaction"]["type"], "STOP_ORDER_REJECT");
    let (s, _) = c
        .order(json!({"type": "MARKET", "instrument": "EUR_USD", "units": "1"}))
        .await;
    assert_eq!(s, 201, "other types pass");
}

#[tokio::test]
async fn drop_ws_ends_a_chunked_stream() {
    let sim = start(0.2, "drop-ws(after=300ms)").await;
    let c = Client::new(&sim);
    let mut resp = c
        .http
        .get(format!(
            "{}{}",
            c.base,
            c.acct("/pricing/stream?instruments=EUR_USD")
        ))
        .header("Authorization", format!("Bearer {TOKEN}"))
        .send()
        .await
        .unwrap();
    let first = stream_lines(&mut resp, 1, 2).await;
    assert_eq!(first[0]["type"], "PRICE");
    let ended = tokio::time::timeout(std::time::Duration::from_secs(3), async {
        loop {
            match resp.chunk().await {
                Ok(Some(_)) => continue,
                _ => return true,
            }
        }
    })
    .await;
    assert_eq!(ended, Ok(true));
}

#[tokio::test]
async fn dup_events_send_each_transaction_twice_on_the_stream() {
    let sim = start(0.02, "dup-events(path=/v3/accounts)").await;
    let c = Client::new(&sim);
    let mut resp = c
        .http
        .get(format!("{}{}", c.base, c.acct("/transactions/stream")))
        .header("Authorization", format!("Bearer {TOKEN}"))
        .send()
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    c.order(json!({"type": "LIMIT", "instrument": "EUR_USD", "units": "1", "price": "0.5"}))
        .await;
    let lines = stream_lines(&mut resp, 2, 3).await;
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0], lines[1]);
    assert_eq!(lines[0]["type"], "LIMIT_ORDER");
}
