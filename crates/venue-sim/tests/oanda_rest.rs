//! The OANDA protocol's REST answers: auth, instruments, pricing with its
//! spread, candles, market fills at the ask with halfSpreadCost, netting,
//! client ids, margin, cancels and the transaction log, checked against
//! oandapyV20's recorded answers where one exists.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod oanda_common;

use oanda_common::*;
use rust_decimal::Decimal;
use rust_decimal::dec;
use serde_json::json;

#[tokio::test]
async fn a_missing_or_wrong_token_is_401_and_another_account_403() {
    let sim = start(1.0, "").await;
    let mut c = Client::new(&sim);
    let (s, v) = c.get("/v3/accounts").await;
    assert_eq!(s, 200);
    assert_eq!(v["accounts"][0]["id"], ACCOUNT);
    let r = c
        .http
        .get(format!("{}/v3/accounts", c.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    c.token = "wrong".into();
    let (s, v) = c.get("/v3/accounts").await;
    assert_eq!(s, 401);
    assert_eq!(
        v["errorMessage"],
        "Insufficient authorization to perform request."
    );
    c.token = TOKEN.into();
    let (s, v) = c
        .get(&format!("/v3/accounts/{OTHER_ACCOUNT}/summary"))
        .await;
    assert_eq!(s, 403, "{v}");
    assert!(v["errorMessage"].is_string());
}

#[tokio::test]
async fn instruments_and_summary_carry_the_recorded_fields() {
    let sim = start(1.0, "").await;
    let c = Client::new(&sim);
    let (s, v) = c.get(&c.acct("/instruments")).await;
    assert_eq!(s, 200);
    let eur = &v["instruments"][0];
    assert_eq!(eur["name"], "EUR_USD");
    assert_eq!(eur["pipLocation"], -4);
    assert_eq!(eur["displayPrecision"], 5);
    assert_eq!(eur["tradeUnitsPrecision"], 0);
    assert_eq!(eur["minimumTradeSize"], "1");
    assert_eq!(eur["type"], "CURRENCY");
    assert_eq!(eur["marginRate"], "0.0333");
    let recorded = fixture("v3_account_by_accountID_instruments.json");
    let missing: Vec<_> = keys(&recorded["instruments"][1])
        .difference(&keys(eur))
        .cloned()
        .collect();
    assert!(missing.is_empty(), "instrument lacks {missing:?}");
    let (_, sum) = c.get(&c.acct("/summary")).await;
    let acct = &sum["account"];
    assert_eq!(acct["currency"], "USD");
    assert_eq!(acct["hedgingEnabled"], false);
    assert_eq!(acct["balance"], "10000.0000");
    assert_eq!(sum["lastTransactionID"], acct["lastTransactionID"]);
    let recorded = fixture("v3_account_by_accountID_summary.json");
    let missing: Vec<_> = keys(&recorded["account"])
        .difference(&keys(acct))
        .cloned()
        .collect();
    assert!(missing.is_empty(), "summary lacks {missing:?}");
}

#[tokio::test]
async fn pricing_quotes_the_ask_a_spread_above_the_bid() {
    let sim = start(1.0, "").await;
    let c = Client::new(&sim);
    let (s, v) = c.get(&c.acct("/pricing?instruments=EUR_USD")).await;
    assert_eq!(s, 200, "{v}");
    let p = &v["prices"][0];
    let (bid, ask) = (dec(&p["bids"][0]["price"]), dec(&p["asks"][0]["price"]));
    assert_eq!(ask - bid, dec!(0.00015));
    assert_eq!(p["closeoutBid"], p["bids"][0]["price"]);
    assert_eq!(p["tradeable"], true);
    let (s, _) = c.get(&c.acct("/pricing?instruments=GBP_USD")).await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn candles_in_mid_bid_and_ask_at_the_series_granularity_only() {
    let sim = start(2.0, "").await;
    let c = Client::new(&sim);
    tokio::time::sleep(std::time::Duration::from_millis(1_200)).await;
    let (s, v) = c
        .get("/v3/instruments/EUR_USD/candles?granularity=D&price=MBA&count=3")
        .await;
    assert_eq!(s, 200, "{v}");
    let cs = v["candles"].as_array().unwrap();
    assert_eq!(cs.len(), 3);
    assert_eq!(cs[2]["complete"], false);
    assert_eq!(cs[1]["complete"], true);
    for cd in cs {
        let (b, a, m) = (
            dec(&cd["bid"]["c"]),
            dec(&cd["ask"]["c"]),
            dec(&cd["mid"]["c"]),
        );
        assert_eq!(a - b, dec!(0.00015));
        assert_eq!(m, b + dec!(0.000075));
    }
    let (_, only_b) = c
        .get(&c.acct("/instruments/EUR_USD/candles?granularity=D&price=B&count=1"))
        .await;
    assert!(only_b["candles"][0].get("bid").is_some());
    assert!(only_b["candles"][0].get("mid").is_none());
    let (s, e) = c
        .get("/v3/instruments/EUR_USD/candles?granularity=H1")
        .await;
    assert_eq!(s, 400);
    assert_eq!(
        e["errorMessage"],
        "Invalid value specified for 'granularity'"
    );
}

#[tokio::test]
async fn a_market_buy_fills_at_the_ask_with_half_the_spread_as_cost() {
    let sim = start(0.2, "").await;
    let c = Client::new(&sim);
    let (_, p) = c.get(&c.acct("/pricing?instruments=EUR_USD")).await;
    let ask = dec(&p["prices"][0]["asks"][0]["price"]);
    let (s, v) = c
        .order(json!({"type": "MARKET", "instrument": "EUR_USD", "units": "10000"}))
        .await;
    assert_eq!(s, 201, "{v}");
    let f = &v["orderFillTransaction"];
    assert_eq!(dec(&f["price"]), ask);
    assert_eq!(f["halfSpreadCost"], "0.7500");
    assert_eq!(f["tradeOpened"]["units"], "10000");
    assert_eq!(v["lastTransactionID"], f["id"]);
    let recorded = fixture("v3_account_accountID_trades_close.json");
    let want = keys(&recorded["orderFillTransaction"]);
    let missing: Vec<_> = want
        .difference(&keys(f))
        .filter(|k| *k != "tradesClosed")
        .cloned()
        .collect();
    assert!(missing.is_empty(), "ORDER_FILL lacks {missing:?}");
    let (_, t) = c.get(&c.acct("/openTrades")).await;
    assert_eq!(t["trades"][0]["currentUnits"], "10000");
}

#[tokio::test]
async fn a_sell_reduces_then_closes_the_long_and_opens_a_short() {
    let sim = start(0.2, "").await;
    let c = Client::new(&sim);
    let buy = json!({"type": "MARKET", "instrument": "EUR_USD", "units": "1000"});
    let (_, b) = c.order(buy).await;
    let trade = b["orderFillTransaction"]["tradeOpened"]["tradeID"].clone();
    let (_, r) = c
        .order(json!({"type": "MARKET", "instrument": "EUR_USD", "units": "-400"}))
        .await;
    let f = &r["orderFillTransaction"];
    assert_eq!(f["tradeReduced"]["tradeID"], trade);
    assert_eq!(f["tradeReduced"]["units"], "-400");
    // Sold at the bid: a spread below the buy.
    let spread = dec(&b["orderFillTransaction"]["price"]) - dec(&f["price"]);
    assert_eq!(spread, dec!(0.00015));
    assert_eq!(dec(&f["pl"]), dec!(-0.06));
    let (_, r) = c
        .order(json!({"type": "MARKET", "instrument": "EUR_USD", "units": "-1000"}))
        .await;
    let f = &r["orderFillTransaction"];
    assert_eq!(f["tradesClosed"][0]["tradeID"], trade);
    assert_eq!(f["tradesClosed"][0]["units"], "-600");
    assert_eq!(f["tradeOpened"]["units"], "-400");
    let (_, pos) = c.get(&c.acct("/openPositions")).await;
    assert_eq!(pos["positions"][0]["short"]["units"], "-400");
    assert_eq!(pos["positions"][0]["long"]["units"], "0");
    // Closing the position buys the short back.
    let (s, cl) = c
        .send(
            "PUT",
            &c.acct("/positions/EUR_USD/close"),
            Some(json!({"shortUnits": "ALL"})),
        )
        .await;
    assert_eq!(s, 200, "{cl}");
    assert_eq!(cl["shortOrderFillTransaction"]["units"], "400");
    let (_, pos) = c.get(&c.acct("/openPositions")).await;
    assert!(pos["positions"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_duplicate_client_id_and_too_little_margin_are_rejected() {
    let sim = start(0.2, "").await;
    let c = Client::new(&sim);
    let limit = |id: &str| {
        json!({"type": "LIMIT", "instrument": "EUR_USD", "units": "100", "price": "0.50000",
               "clientExtensions": {"id": id}})
    };
    let (s, _) = c.order(limit("dup-1")).await;
    assert_eq!(s, 201);
    let (s, v) = c.order(limit("dup-1")).await;
    assert_eq!(s, 400);
    assert_eq!(v["errorCode"], "CLIENT_ORDER_ID_ALREADY_EXISTS");
    assert_eq!(v["orderRejectTransaction"]["type"], "LIMIT_ORDER_REJECT");
    assert_eq!(
        v["orderRejectTransaction"]["rejectReason"],
        "CLIENT_ORDER_ID_ALREADY_EXISTS"
    );
    assert_eq!(v["lastTransactionID"], v["orderRejectTransaction"]["id"]);
    // 10,000 USD at 30:1 buys about 300,000 EUR at most.
    let (s, v) = c
        .order(json!({"type": "MARKET", "instrument": "EUR_USD", "units": "1000000"}))
        .await;
    assert_eq!(s, 400);
    assert_eq!(v["errorCode"], "INSUFFICIENT_MARGIN");
    assert_eq!(v["orderRejectTransaction"]["type"], "MARKET_ORDER_REJECT");
    let (_, t) = c.get(&c.acct("/openTrades")).await;
    assert!(t["trades"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn an_order_is_cancelled_by_client_id_and_listed_so() {
    let sim = start(0.2, "").await;
    let c = Client::new(&sim);
    let (s, v) = c
        .order(json!({"type": "LIMIT", "instrument": "EUR_USD", "units": "100", "price": "0.90000",
                      "clientExtensions": {"id": "e1"},
                      "takeProfitOnFill": {"price": "1.00000"}, "stopLossOnFill": {"price": "0.80000"}}))
        .await;
    assert_eq!(s, 201, "{v}");
    let id = v["orderCreateTransaction"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let recorded = fixture("v3_accounts_accountID_orders_create.json");
    let missing: Vec<_> = keys(&recorded["orderCreateTransaction"])
        .difference(&keys(&v["orderCreateTransaction"]))
        .cloned()
        .collect();
    assert!(missing.is_empty(), "LIMIT_ORDER lacks {missing:?}");
    let (_, p) = c.get(&c.acct("/pendingOrders")).await;
    assert_eq!(p["orders"][0]["id"], id);
    assert_eq!(p["orders"][0]["stopLossOnFill"]["price"], "0.80000");
    let (s, x) = c.send("PUT", &c.acct("/orders/@e1/cancel"), None).await;
    assert_eq!(s, 200, "{x}");
    assert_eq!(x["orderCancelTransaction"]["reason"], "CLIENT_REQUEST");
    let (_, o) = c.get(&c.acct(&format!("/orders/{id}"))).await;
    assert_eq!(o["order"]["state"], "CANCELLED");
    let (s, e) = c.send("PUT", &c.acct("/orders/999999/cancel"), None).await;
    assert_eq!(s, 404);
    assert!(e["errorMessage"].is_string());
    // A cancelled order's client id is still the account's.
    let (s, _) = c
        .order(
            json!({"type": "LIMIT", "instrument": "EUR_USD", "units": "1", "price": "0.9",
                      "clientExtensions": {"id": "e1"}}),
        )
        .await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn transactions_since_an_id_come_in_order_with_the_last_id() {
    let sim = start(0.2, "").await;
    let c = Client::new(&sim);
    let (_, before) = c.get(&c.acct("/summary")).await;
    let since: u64 = before["lastTransactionID"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    c.order(json!({"type": "MARKET", "instrument": "EUR_USD", "units": "5"}))
        .await;
    c.order(json!({"type": "MARKET", "instrument": "EUR_USD", "units": "-5"}))
        .await;
    let (s, v) = c
        .get(&c.acct(&format!("/transactions/sinceid?id={since}")))
        .await;
    assert_eq!(s, 200);
    let txs = v["transactions"].as_array().unwrap();
    let ids: Vec<u64> = txs
        .iter()
        .map(|t| t["id"].as_str().unwrap().parse().unwrap())
        .collect();
    assert_eq!(ids, (since + 1..=since + 4).collect::<Vec<_>>());
    let types: Vec<&str> = txs.iter().map(|t| t["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        ["MARKET_ORDER", "ORDER_FILL", "MARKET_ORDER", "ORDER_FILL"]
    );
    assert_eq!(v["lastTransactionID"], txs[3]["id"]);
    let (_, r) = c
        .get(&c.acct(&format!(
            "/transactions/idrange?from={}&to={}&type=ORDER_FILL",
            since + 1,
            since + 4
        )))
        .await;
    assert_eq!(r["transactions"].as_array().unwrap().len(), 2);
    let (_, pages) = c.get(&c.acct("/transactions?pageSize=2")).await;
    assert_eq!(pages["count"], json!(since + 4));
    assert!(
        pages["pages"][0]
            .as_str()
            .unwrap()
            .contains("idrange?from=1&to=2")
    );
    let balance = dec(&txs[3]["accountBalance"]);
    assert!(
        balance < Decimal::from(10_000),
        "a round trip pays the spread: {balance}"
    );
}

#[tokio::test]
async fn prices_and_transactions_are_dated_on_the_replayed_clock() {
    let sim = start(0.2, "").await;
    let c = Client::new(&sim);
    let (_, cs) = c
        .get("/v3/instruments/EUR_USD/candles?granularity=D&price=B&count=2")
        .await;
    let forming = cs["candles"][1]["time"].as_str().unwrap().to_string();
    assert_eq!(cs["candles"][1]["complete"], false);
    let (_, p) = c.get(&c.acct("/pricing?instruments=EUR_USD")).await;
    // The price is the close of the last complete candle, dated when it
    // closed: the forming candle's open.
    assert_eq!(p["prices"][0]["time"], forming.as_str());
    assert_eq!(
        p["prices"][0]["bids"][0]["price"],
        cs["candles"][0]["bid"]["c"]
    );
    let (_, v) = c
        .order(json!({"type": "MARKET", "instrument": "EUR_USD", "units": "1"}))
        .await;
    assert_eq!(v["orderFillTransaction"]["time"], forming.as_str());
}
