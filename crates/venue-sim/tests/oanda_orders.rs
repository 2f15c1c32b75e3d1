//! OANDA order options at placement: time in force, marketable limits,
//! GTD in the past, OPEN_ONLY against a position, trailing stops on fill,
//! market-if-touched, and UNIX times on request.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod oanda_common;

use oanda_common::*;
use rust_decimal::dec;
use serde_json::json;

#[tokio::test]
async fn an_ioc_limit_that_cannot_fill_is_cancelled_and_a_marketable_one_fills_at_the_ask() {
    let sim = start(0.2, "").await;
    let c = Client::new(&sim);
    let (s, v) = c
        .order(
            json!({"type": "LIMIT", "instrument": "EUR_USD", "units": "10",
                      "price": "0.50000", "timeInForce": "IOC"}),
        )
        .await;
    assert_eq!(s, 201);
    assert_eq!(
        v["orderCancelTransaction"]["reason"], "TIME_IN_FORCE_EXPIRED",
        "{v}"
    );
    let (_, p) = c.get(&c.acct("/pricing?instruments=EUR_USD")).await;
    let ask = dec(&p["prices"][0]["asks"][0]["price"]);
    let (_, v) = c
        .order(
            json!({"type": "LIMIT", "instrument": "EUR_USD", "units": "10",
                      "price": (ask + dec!(0.01)).to_string()}),
        )
        .await;
    assert_eq!(dec(&v["orderFillTransaction"]["price"]), ask, "{v}");
    assert_eq!(v["orderFillTransaction"]["reason"], "LIMIT_ORDER");
}

#[tokio::test]
async fn bad_time_in_force_and_gtd_in_the_past_are_rejected() {
    let sim = start(0.2, "").await;
    let c = Client::new(&sim);
    let (s, v) = c
        .order(
            json!({"type": "MARKET", "instrument": "EUR_USD", "units": "1", "timeInForce": "GTC"}),
        )
        .await;
    assert_eq!(
        (s, v["errorCode"].as_str()),
        (400, Some("TIME_IN_FORCE_INVALID"))
    );
    let (s, v) = c
        .order(
            json!({"type": "LIMIT", "instrument": "EUR_USD", "units": "1", "price": "0.5",
                      "timeInForce": "GTD", "gtdTime": "2001-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(v["errorCode"], "TIME_IN_FORCE_GTD_TIMESTAMP_IN_PAST");
    let (s, v) = c
        .order(json!({"type": "MARKET", "instrument": "EUR_USD", "units": "1.5"}))
        .await;
    assert_eq!(
        (s, v["errorCode"].as_str()),
        (400, Some("UNITS_PRECISION_EXCEEDED"))
    );
    let (s, v) = c
        .order(json!({"type": "MARKET", "instrument": "XAU_USD", "units": "1"}))
        .await;
    assert_eq!(
        (s, v["errorCode"].as_str()),
        (400, Some("INSTRUMENT_UNKNOWN"))
    );
}

#[tokio::test]
async fn open_only_against_a_position_is_cancelled() {
    let sim = start(0.2, "").await;
    let c = Client::new(&sim);
    c.order(json!({"type": "MARKET", "instrument": "EUR_USD", "units": "10"}))
        .await;
    let (_, v) = c
        .order(json!({"type": "MARKET", "instrument": "EUR_USD", "units": "-5", "positionFill": "OPEN_ONLY"}))
        .await;
    assert_eq!(
        v["orderCancelTransaction"]["reason"], "FIFO_VIOLATION",
        "{v}"
    );
    let (_, pos) = c.get(&c.acct("/openPositions")).await;
    assert_eq!(pos["positions"][0]["long"]["units"], "10");
}

#[tokio::test]
async fn a_trailing_stop_on_fill_trails_its_distance_below_the_bid() {
    let sim = start(0.2, "").await;
    let c = Client::new(&sim);
    let (_, v) = c
        .order(
            json!({"type": "MARKET", "instrument": "EUR_USD", "units": "10",
                      "trailingStopLossOnFill": {"distance": "0.01000"}}),
        )
        .await;
    let bid = dec(&v["orderFillTransaction"]["fullPrice"]["bids"][0]["price"]);
    let trade = v["orderFillTransaction"]["tradeOpened"]["tradeID"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, t) = c.get(&c.acct(&format!("/trades/{trade}"))).await;
    let ts = &t["trade"]["trailingStopLossOrder"];
    assert_eq!(ts["type"], "TRAILING_STOP_LOSS");
    assert_eq!(dec(&ts["trailingStopValue"]), bid - dec!(0.01));
    assert_eq!(ts["distance"], "0.01000");
}

#[tokio::test]
async fn a_market_if_touched_above_the_price_waits_for_a_rise() {
    let sim = start(0.2, "").await;
    let c = Client::new(&sim);
    let (s, v) = c
        .order(json!({"type": "MARKET_IF_TOUCHED", "instrument": "EUR_USD", "units": "10", "price": "9.00000"}))
        .await;
    assert_eq!(s, 201);
    assert!(v.get("orderFillTransaction").is_none(), "{v}");
    assert_eq!(
        v["orderCreateTransaction"]["type"],
        "MARKET_IF_TOUCHED_ORDER"
    );
}

#[tokio::test]
async fn unix_times_are_sent_when_asked_for() {
    let sim = start(0.2, "").await;
    let c = Client::new(&sim);
    let r = c
        .http
        .get(format!(
            "{}{}",
            c.base,
            c.acct("/pricing?instruments=EUR_USD")
        ))
        .header("Authorization", format!("Bearer {TOKEN}"))
        .header("Accept-Datetime-Format", "UNIX")
        .send()
        .await
        .unwrap();
    let v: serde_json::Value = r.json().await.unwrap();
    let t = v["prices"][0]["time"].as_str().unwrap();
    let secs: rust_decimal::Decimal = t.parse().unwrap();
    assert!(secs > dec!(1_500_000_000), "{t}");
    assert_eq!(t.split('.').nth(1).map(str::len), Some(9));
    let (_, rfc) = c.get(&c.acct("/pricing?instruments=EUR_USD")).await;
    assert!(rfc["time"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn a_pending_order_and_a_stop_loss_are_replaced() {
    let sim = start(0.2, "").await;
    let c = Client::new(&sim);
    let (_, v) = c
        .order(
            json!({"type": "LIMIT", "instrument": "EUR_USD", "units": "10", "price": "0.50000",
                      "clientExtensions": {"id": "rep-1"}}),
        )
        .await;
    let old = v["orderCreateTransaction"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, r) = c
        .send(
            "PUT",
            &c.acct("/orders/@rep-1"),
            Some(json!({"order": {
            "type": "LIMIT", "instrument": "EUR_USD", "units": "10", "price": "0.60000",
            "clientExtensions": {"id": "rep-1"}}})),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(r["orderCancelTransaction"]["orderID"], old.as_str());
    assert_eq!(
        r["orderCancelTransaction"]["reason"],
        "CLIENT_REQUEST_REPLACED"
    );
    let new = r["orderCreateTransaction"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(r["orderCreateTransaction"]["replacesOrderID"], old.as_str());
    assert_eq!(
        r["orderCancelTransaction"]["replacedByOrderID"],
        new.as_str()
    );
    let (_, o) = c.get(&c.acct("/orders/@rep-1")).await;
    assert_eq!(
        (o["order"]["id"].as_str(), o["order"]["price"].as_str()),
        (Some(new.as_str()), Some("0.60000"))
    );
    // A stop-loss on a trade moves to a new price on the same trade.
    let (_, v) = c
        .order(
            json!({"type": "MARKET", "instrument": "EUR_USD", "units": "10",
                      "stopLossOnFill": {"price": "0.90000"}}),
        )
        .await;
    let trade = v["orderFillTransaction"]["tradeOpened"]["tradeID"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, t) = c.get(&c.acct(&format!("/trades/{trade}"))).await;
    let sl = t["trade"]["stopLossOrder"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, r) = c
        .send(
            "PUT",
            &c.acct(&format!("/orders/{sl}")),
            Some(json!({"order": {
            "type": "STOP_LOSS", "tradeID": trade, "price": "0.95000"}})),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let (_, t) = c.get(&c.acct(&format!("/trades/{trade}"))).await;
    assert_eq!(t["trade"]["stopLossOrder"]["price"], "0.95000");
    assert_eq!(t["trade"]["stopLossOrder"]["replacesOrderID"], sl.as_str());
    let (s, _) = c
        .send(
            "PUT",
            &c.acct(&format!("/orders/{sl}")),
            Some(json!({"order": {
            "type": "STOP_LOSS", "tradeID": trade, "price": "0.96000"}})),
        )
        .await;
    assert_eq!(s, 404, "the replaced order is no longer pending");
}
