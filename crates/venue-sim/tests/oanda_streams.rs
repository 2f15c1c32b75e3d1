//! The OANDA protocol over time: resting reduce-only stops and attached
//! exits triggered by the replayed candles, and the two chunked streams.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod oanda_common;

use oanda_common::*;
use serde_json::{Value, json};

fn state_of(v: &Value) -> &str {
    v["order"]["state"].as_str().unwrap_or("")
}

#[tokio::test]
async fn a_reduce_only_stop_triggers_and_closes_the_long() {
    let sim = start(5.0, "").await;
    let c = Client::new(&sim);
    let (_, b) = c
        .order(json!({"type": "MARKET", "instrument": "EUR_USD", "units": "1000"}))
        .await;
    let bid = dec(&b["orderFillTransaction"]["fullPrice"]["bids"][0]["price"]);
    // Just under the bid: the next daily low reaches it.
    let stop = bid - rust_decimal::dec!(0.00001);
    let (s, v) = c
        .order(
            json!({"type": "STOP", "instrument": "EUR_USD", "units": "-1000",
                      "price": stop.to_string(), "positionFill": "REDUCE_ONLY",
                      "timeInForce": "GTC", "clientExtensions": {"id": "sl-1"}}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    assert!(v.get("orderFillTransaction").is_none(), "rests first: {v}");
    let o = c
        .wait_for(&c.acct("/orders/@sl-1"), 15, |o| state_of(o) != "PENDING")
        .await;
    assert_eq!(state_of(&o), "FILLED", "{o}");
    let (_, t) = c.get(&c.acct("/openTrades")).await;
    assert!(t["trades"].as_array().unwrap().is_empty(), "{t}");
    // A second reduce-only stop has nothing to reduce: cancelled, not a short.
    let (_, v) = c
        .order(
            json!({"type": "STOP", "instrument": "EUR_USD", "units": "-1000",
                      "price": "5.00000", "positionFill": "REDUCE_ONLY"}),
        )
        .await;
    assert_eq!(v["orderCancelTransaction"]["type"], "ORDER_CANCEL", "{v}");
}

#[tokio::test]
async fn attached_exits_are_created_and_the_stop_loss_closes_the_trade() {
    let sim = start(5.0, "").await;
    let c = Client::new(&sim);
    let (s, v) = c
        .order(
            json!({"type": "MARKET", "instrument": "EUR_USD", "units": "100",
                      "takeProfitOnFill": {"price": "9.00000"},
                      "stopLossOnFill": {"distance": "0.00020"}}),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let trade = v["orderFillTransaction"]["tradeOpened"]["tradeID"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, t) = c.get(&c.acct(&format!("/trades/{trade}"))).await;
    let tp = t["trade"]["takeProfitOrder"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let sl = t["trade"]["stopLossOrder"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(t["trade"]["takeProfitOrder"]["type"], "TAKE_PROFIT");
    assert_eq!(t["trade"]["stopLossOrder"]["state"], "PENDING");
    let o = c
        .wait_for(&c.acct(&format!("/orders/{sl}")), 15, |o| {
            state_of(o) != "PENDING"
        })
        .await;
    assert_eq!(state_of(&o), "FILLED", "{o}");
    let (_, tpo) = c.get(&c.acct(&format!("/orders/{tp}"))).await;
    assert_eq!(state_of(&tpo), "CANCELLED");
    let (_, t) = c.get(&c.acct(&format!("/trades/{trade}"))).await;
    assert_eq!(t["trade"]["state"], "CLOSED");
    let (_, txs) = c.get(&c.acct("/transactions/sinceid?id=2")).await;
    let fill = txs["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["reason"] == "STOP_LOSS_ORDER")
        .cloned()
        .unwrap();
    assert_eq!(fill["tradesClosed"][0]["tradeID"], trade.as_str());
}

#[tokio::test]
async fn the_transaction_stream_sends_each_transaction_in_order_then_heartbeats() {
    // One candle in 50 s: no financing before the heartbeat.
    let sim = start(0.02, "").await;
    let c = Client::new(&sim);
    let mut resp = c
        .http
        .get(format!("{}{}", c.base, c.acct("/transactions/stream")))
        .header("Authorization", format!("Bearer {TOKEN}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    c.order(json!({"type": "MARKET", "instrument": "EUR_USD", "units": "10"}))
        .await;
    c.order(json!({"type": "LIMIT", "instrument": "EUR_USD", "units": "10", "price": "0.5"}))
        .await;
    let lines = stream_lines(&mut resp, 4, 8).await;
    let types: Vec<&str> = lines.iter().map(|l| l["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        ["MARKET_ORDER", "ORDER_FILL", "LIMIT_ORDER", "HEARTBEAT"]
    );
    let ids: Vec<u64> = lines[..3]
        .iter()
        .map(|l| l["id"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[1] == w[0] + 1), "{ids:?}");
    assert_eq!(lines[3]["lastTransactionID"], lines[2]["id"]);
}

#[tokio::test]
async fn the_pricing_stream_sends_prices_as_candles_are_released() {
    let sim = start(4.0, "").await;
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
    let lines = stream_lines(&mut resp, 3, 5).await;
    assert_eq!(lines.len(), 3);
    for l in &lines {
        assert_eq!(l["type"], "PRICE");
        assert_eq!(l["instrument"], "EUR_USD");
        let spread = dec(&l["asks"][0]["price"]) - dec(&l["bids"][0]["price"]);
        assert_eq!(spread, rust_decimal::dec!(0.00015));
    }
    assert_ne!(
        lines[0]["bids"], lines[2]["bids"],
        "the price moves with the replay"
    );
}

#[tokio::test]
async fn daily_financing_charges_a_long_at_each_new_york_five_pm() {
    let sim = start(5.0, "").await;
    let c = Client::new(&sim);
    let (_, v) = c
        .order(json!({"type": "MARKET", "instrument": "EUR_USD", "units": "100000"}))
        .await;
    let trade = v["orderFillTransaction"]["tradeOpened"]["tradeID"].clone();
    let v = c
        .wait_for(
            &c.acct("/transactions/sinceid?id=4&type=DAILY_FINANCING"),
            5,
            |v| !v["transactions"].as_array().unwrap().is_empty(),
        )
        .await;
    let f = &v["transactions"][0];
    assert_eq!(f["accountFinancingMode"], "DAILY");
    let paid = dec(&f["financing"]);
    // -3 % a year on about 130,000 USD: about -10.7 USD a day.
    assert!(
        paid < rust_decimal::dec!(-5) && paid > rust_decimal::dec!(-20),
        "{f}"
    );
    assert_eq!(
        f["positionFinancings"][0]["openTradeFinancings"][0]["tradeID"],
        trade
    );
}
