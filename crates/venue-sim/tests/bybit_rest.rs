//! The Bybit v5 protocol over REST on loopback (`--protocol bybit`):
//! signatures computed here by Bybit's rule, Bybit's errors (HTTP 200 with
//! retCode), filters, orders on spot and linear, fills at the replayed price
//! with Bybit's fees, the unified wallet, and the recorded shapes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bybit_common;

use bybit_common::*;
use rust_decimal::Decimal;
use rust_decimal::dec;
use serde_json::{Value, json};

fn d(v: &Value) -> Decimal {
    v.as_str().unwrap().parse().unwrap()
}

/// A limit buy 10 % under the last price worth about 50 USDT.
fn limit_body(cat: &str, last: Decimal, link: &str) -> Value {
    let price = (last * dec!(0.9)).round_dp(1);
    json!({"category": cat, "symbol": "BTCUSDT", "side": "Buy", "orderType": "Limit",
        "qty": "0.002", "price": price.to_string(), "timeInForce": "GTC", "orderLinkId": link})
}

async fn create(sim: &Sim, b: Value) -> Reply {
    sim.post("/v5/order/create", &b).await
}

#[tokio::test]
async fn authentication_errors_are_http_200_with_bybit_codes() {
    let sim = start(0.01).await;
    let ok = sim
        .get("/v5/account/wallet-balance", "accountType=UNIFIED")
        .await;
    assert_eq!((ok.status, ok.code()), (200, 0), "{}", ok.body);
    let wrong = Signing {
        secret: "not-the-secret",
        ..GOOD
    };
    let r = sim
        .get_as(wrong, "/v5/account/wallet-balance", "accountType=UNIFIED")
        .await;
    assert_eq!((r.status, r.code()), (200, 10004), "{}", r.body);
    assert_eq!(r.body["result"], json!({}));
    // The POST signature covers the raw body: the same JSON re-spaced fails.
    let unknown = Signing {
        key: "NOSUCHKEY",
        ..GOOD
    };
    let r = sim
        .get_as(unknown, "/v5/order/realtime", "category=linear")
        .await;
    assert_eq!((r.status, r.code()), (200, 10003));
    let late = Signing {
        skew: -20_000,
        ..GOOD
    };
    let r = sim
        .get_as(late, "/v5/order/realtime", "category=linear")
        .await;
    assert_eq!(r.code(), 10002, "{}", r.body);
    let early = Signing {
        skew: 5_000,
        ..GOOD
    };
    assert_eq!(
        sim.get_as(early, "/v5/order/realtime", "category=linear")
            .await
            .code(),
        10002
    );
    let r = sim.get("/v5/order/realtime", "").await;
    assert_eq!(r.code(), 10001);
    assert!(
        r.body["retMsg"].as_str().unwrap().contains("category"),
        "{}",
        r.body
    );
    let r = sim.public("/api/v3/time", "").await;
    assert_eq!(
        (r.status, r.code()),
        (404, 10017),
        "no Binance paths under Bybit"
    );
}

#[tokio::test]
async fn the_signature_covers_the_body_exactly_as_sent() {
    let sim = start(0.01).await;
    let last = sim.last().await;
    let body = limit_body("linear", last, "exact-body");
    // pybit's spacing (", " and ": ") signs and verifies as sent.
    let spaced = serde_json::to_string_pretty(&body).unwrap();
    let r = sim.post_as(GOOD, "/v5/order/create", &spaced).await;
    assert_eq!(r.code(), 0, "{}", r.body);
    // Signed over one text, sent as another: 10004.
    let ts = now_ms().to_string();
    let sign = hmac_hex(SECRET, &format!("{ts}{KEY}5000{}", body));
    let r = sim
        .http
        .post(sim.url("/v5/order/create"))
        .header("X-BAPI-API-KEY", KEY)
        .header("X-BAPI-TIMESTAMP", &ts)
        .header("X-BAPI-RECV-WINDOW", "5000")
        .header("X-BAPI-SIGN", sign)
        .body(spaced)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["retCode"], 10004);
}

#[tokio::test]
async fn order_errors_have_bybit_codes() {
    let sim = start(0.01).await;
    let last = sim.last().await;
    let mut b = limit_body("linear", last, "x");
    b.as_object_mut().unwrap().remove("qty");
    let r = create(&sim, b).await;
    assert_eq!(r.code(), 10001);
    assert!(
        r.body["retMsg"].as_str().unwrap().contains("qty"),
        "{}",
        r.body
    );
    let r = create(&sim, limit_body("linear", last, &"a".repeat(37))).await;
    assert_eq!(r.code(), 10001, "orderLinkId over 36 chars: {}", r.body);
    assert_eq!(
        create(&sim, limit_body("linear", last, &"a".repeat(36)))
            .await
            .code(),
        0
    );
    assert_eq!(
        create(&sim, limit_body("linear", last, "dup-1"))
            .await
            .code(),
        0
    );
    assert_eq!(
        create(&sim, limit_body("linear", last, "dup-1"))
            .await
            .code(),
        110072
    );
    assert_eq!(
        create(&sim, limit_body("spot", last, "dup-s")).await.code(),
        0
    );
    assert_eq!(
        create(&sim, limit_body("spot", last, "dup-s")).await.code(),
        170141
    );
    let mut b = limit_body("spot", last, "");
    b["qty"] = json!("0.0001");
    assert_eq!(create(&sim, b).await.code(), 170137, "off the step");
    let mut b = limit_body("spot", last, "");
    b["price"] = json!("1000.0");
    b["qty"] = json!("0.001");
    assert_eq!(
        create(&sim, b).await.code(),
        170140,
        "under the minimum order value"
    );
    let mut b = limit_body("linear", last, "");
    b["qty"] = json!("0.001");
    b["price"] = json!((last * dec!(0.86)).round_dp(1).to_string());
    let r = create(&sim, b).await;
    assert_eq!(r.code(), 0, "{}", r.body);
    let mut b = limit_body("linear", last, "");
    b["price"] = json!((last * dec!(0.5)).round_dp(1).to_string());
    assert_eq!(
        create(&sim, b).await.code(),
        110003,
        "outside the price band"
    );
    let mut b = limit_body("linear", last, "");
    b["price"] = json!(format!("{}.05", last.trunc()));
    assert_eq!(create(&sim, b).await.code(), 10001, "off the tick");
    let mut b = limit_body("linear", last, "");
    b["qty"] = json!("100");
    assert_eq!(
        create(&sim, b).await.code(),
        110007,
        "more than the unified balance"
    );
    let mut b = limit_body("spot", last, "");
    b["qty"] = json!("1");
    assert_eq!(create(&sim, b).await.code(), 170131);
    let mut b = limit_body("spot", last, "");
    b["isLeverage"] = json!(1);
    let r = create(&sim, b).await;
    assert_eq!(r.code(), 10001);
    assert!(
        r.body["retMsg"]
            .as_str()
            .unwrap()
            .contains("does not support")
    );
    for (cat, code) in [("linear", 110001), ("spot", 170213)] {
        let r = sim
            .post(
                "/v5/order/cancel",
                &json!({"category": cat, "symbol": "BTCUSDT", "orderId": "999"}),
            )
            .await;
        assert_eq!(r.code(), code, "{}", r.body);
    }
    let r = sim
        .post(
            "/v5/order/amend",
            &json!({"category": "linear", "symbol": "BTCUSDT"}),
        )
        .await;
    assert_eq!(r.code(), 10001, "amend is refused, not ignored");
}

#[tokio::test]
async fn place_query_and_cancel_on_spot_and_linear() {
    let sim = start(0.01).await;
    let last = sim.last().await;
    for cat in ["spot", "linear"] {
        let link = format!("cycle-{cat}");
        let r = sim
            .post("/v5/order/create", &limit_body(cat, last, &link))
            .await;
        assert_eq!(r.code(), 0, "{}", r.body);
        let id = r.result()["orderId"].as_str().unwrap().to_string();
        assert_eq!(r.result()["orderLinkId"], link.as_str());
        let q = format!("category={cat}&symbol=BTCUSDT");
        let open = sim.get("/v5/order/realtime", &q).await;
        let row = &open.result()["list"][0];
        assert_eq!(row["orderId"], id.as_str());
        assert_eq!(
            (row["orderStatus"].as_str(), row["category"].as_str()),
            (Some("New"), Some(cat))
        );
        assert_eq!(d(&row["leavesQty"]), dec!(0.002));
        has_keys_of(
            "order",
            row,
            &fixture("http_get_orders_realtime")["result"]["list"][0],
        );
        let r = sim
            .post(
                "/v5/order/cancel",
                &json!({"category": cat, "symbol": "BTCUSDT", "orderLinkId": link}),
            )
            .await;
        assert_eq!(r.result()["orderId"], id.as_str());
        let open = sim.get("/v5/order/realtime", &q).await;
        assert_eq!(open.result()["list"], json!([]));
        let h = sim.get("/v5/order/history", &q).await;
        assert_eq!(h.result()["list"][0]["orderStatus"], "Cancelled");
        assert_eq!(h.result()["list"][0]["cancelType"], "CancelByUser");
        let again = sim
            .post(
                "/v5/order/cancel",
                &json!({"category": cat, "symbol": "BTCUSDT", "orderId": id}),
            )
            .await;
        assert_ne!(again.code(), 0, "a cancelled order cannot be cancelled");
    }
    let r = sim
        .post("/v5/order/create", &limit_body("linear", last, ""))
        .await;
    assert_eq!(
        r.result()["orderLinkId"],
        "",
        "no link given, none reported"
    );
    let r = sim
        .post(
            "/v5/order/cancel-all",
            &json!({"category": "linear", "symbol": "BTCUSDT"}),
        )
        .await;
    assert_eq!(
        r.result()["list"].as_array().unwrap().len(),
        1,
        "{}",
        r.body
    );
}

#[tokio::test]
async fn a_market_order_fills_at_the_replayed_price_with_bybits_fee() {
    let sim = start(0.01).await;
    let before = sim
        .get("/v5/account/wallet-balance", "accountType=UNIFIED")
        .await;
    let w0 = before.result()["list"][0].clone();
    assert_eq!(
        d(&w0["totalEquity"]),
        dec!(10000),
        "one USDT balance across spot and linear"
    );
    has_keys_of(
        "wallet",
        &w0,
        &fixture("http_get_wallet_balance")["result"]["list"][0],
    );
    let last = sim.last().await;
    let r = sim
        .post(
            "/v5/order/create",
            &json!({"category": "linear", "symbol": "BTCUSDT",
            "side": "Buy", "orderType": "Market", "qty": "0.01"}),
        )
        .await;
    assert_eq!(r.code(), 0, "{}", r.body);
    let id = r.result()["orderId"].as_str().unwrap().to_string();
    let ex = sim
        .get(
            "/v5/execution/list",
            &format!("category=linear&orderId={id}"),
        )
        .await;
    let e = ex.result()["list"][0].clone();
    has_keys_of(
        "execution",
        &e,
        &fixture("http_get_executions")["result"]["list"][0],
    );
    assert_eq!(d(&e["execPrice"]), last);
    assert_eq!(d(&e["execQty"]), dec!(0.01));
    assert_eq!(d(&e["execFee"]), last * dec!(0.01) * dec!(0.00055));
    assert_eq!(
        (e["feeRate"].as_str(), e["isMaker"].as_bool()),
        (Some("0.00055"), Some(false))
    );
    let pos = sim
        .get("/v5/position/list", "category=linear&symbol=BTCUSDT")
        .await;
    let p = &pos.result()["list"][0];
    has_keys_of(
        "position",
        p,
        &fixture("http_get_positions")["result"]["list"][0],
    );
    assert_eq!(
        (p["side"].as_str(), d(&p["size"]), d(&p["avgPrice"])),
        (Some("Buy"), dec!(0.01), last)
    );
    let h = sim
        .get(
            "/v5/order/history",
            &format!("category=linear&orderId={id}"),
        )
        .await;
    assert_eq!(h.result()["list"][0]["orderStatus"], "Filled");
    // Spot: a market buy sized in USDT (Bybit's default), fee in BTC.
    let r = sim
        .post(
            "/v5/order/create",
            &json!({"category": "spot", "symbol": "BTCUSDT",
            "side": "Buy", "orderType": "Market", "qty": "100"}),
        )
        .await;
    assert_eq!(r.code(), 0, "{}", r.body);
    let ex = sim.get("/v5/execution/list", "category=spot").await;
    let e = &ex.result()["list"][0];
    assert_eq!(e["feeCurrency"], "BTC");
    let got = d(&e["execQty"]);
    assert!(
        got * last <= dec!(100) && got * last > dec!(100) - last * dec!(0.001),
        "{got}"
    );
    assert_eq!(d(&e["execFee"]), got * dec!(0.001));
    let after = sim
        .get("/v5/account/wallet-balance", "accountType=UNIFIED")
        .await;
    let w = &after.result()["list"][0];
    let usdt = w["coin"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["coin"] == "USDT")
        .unwrap();
    let btc = w["coin"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["coin"] == "BTC")
        .unwrap();
    let spent = got * last;
    let fee = last * dec!(0.01) * dec!(0.00055);
    assert_eq!(d(&usdt["walletBalance"]), dec!(10000) - spent - fee);
    assert_eq!(d(&btc["walletBalance"]), got - got * dec!(0.001));
    assert_eq!(
        d(&usdt["totalPositionIM"]),
        (last * dec!(0.01) / dec!(20)).round_dp(8)
    );
}

#[tokio::test]
async fn market_data_and_instruments_follow_the_replay() {
    let sim = start(0.01).await;
    let spot = sim
        .public(
            "/v5/market/instruments-info",
            "category=spot&symbol=BTCUSDT",
        )
        .await;
    let i = &spot.result()["list"][0];
    has_keys_of(
        "spot instrument",
        i,
        &fixture("http_get_instruments_spot")["result"]["list"][0],
    );
    assert_eq!(
        (
            i["priceFilter"]["tickSize"].as_str(),
            i["lotSizeFilter"]["basePrecision"].as_str()
        ),
        (Some("0.1"), Some("0.001"))
    );
    let lin = sim
        .public("/v5/market/instruments-info", "category=linear")
        .await;
    let i = &lin.result()["list"][0];
    has_keys_of(
        "linear instrument",
        i,
        &fixture("http_get_instruments_linear")["result"]["list"][0],
    );
    assert_eq!(i["lotSizeFilter"]["minNotionalValue"], "5");
    let k = sim
        .public(
            "/v5/market/kline",
            "category=linear&symbol=BTCUSDT&interval=1&limit=3",
        )
        .await;
    let rows = k.result()["list"].as_array().unwrap();
    assert_eq!(rows[0].as_array().unwrap().len(), 7);
    let last = sim.last().await;
    assert_eq!(
        d(&rows[0][4]),
        last,
        "newest first, its close is the last price"
    );
    assert_eq!(
        sim.public(
            "/v5/market/kline",
            "category=linear&symbol=BTCUSDT&interval=2"
        )
        .await
        .code(),
        10001
    );
    let ob = sim
        .public(
            "/v5/market/orderbook",
            "category=linear&symbol=BTCUSDT&limit=5",
        )
        .await;
    has_keys_of(
        "orderbook",
        ob.result(),
        &fixture("http_get_orderbook")["result"],
    );
    assert_eq!(d(&ob.result()["b"][0][0]), last);
    assert_eq!(ob.result()["a"].as_array().unwrap().len(), 5);
    let t = sim.public("/v5/market/time", "").await;
    assert!(
        t.result()["timeSecond"]
            .as_str()
            .unwrap()
            .parse::<i64>()
            .unwrap()
            > 1_600_000_000
    );
    let tk = sim
        .public("/v5/market/tickers", "category=linear&symbol=BTCUSDT")
        .await;
    has_keys_of(
        "ticker",
        &tk.result()["list"][0],
        &fixture("ws_ticker_linear")["data"],
    );
    assert_eq!(
        sim.public("/v5/market/tickers", "category=linear&symbol=NOPE")
            .await
            .code(),
        10001
    );
}

#[tokio::test]
async fn key_permissions_fee_rates_and_rate_limits() {
    let sim = start(0.01).await;
    let r = sim.get("/v5/user/query-api", "").await;
    has_keys_of(
        "query-api",
        r.result(),
        &fixture("http_get_user_query_api")["result"],
    );
    assert!(
        !r.result()["permissions"]["Wallet"]
            .as_array()
            .unwrap()
            .contains(&json!("Withdraw"))
    );
    let w = Signing {
        key: WITHDRAW_KEY,
        ..GOOD
    };
    let r = sim.get_as(w, "/v5/user/query-api", "").await;
    assert!(
        r.result()["permissions"]["Wallet"]
            .as_array()
            .unwrap()
            .contains(&json!("Withdraw")),
        "{}",
        r.body
    );
    let f = sim
        .get("/v5/account/fee-rate", "category=spot&symbol=BTCUSDT")
        .await;
    has_keys_of(
        "fee-rate",
        &f.result()["list"][0],
        &fixture("http_get_fee_rate")["result"]["list"][0],
    );
    assert_eq!(f.result()["list"][0]["takerFeeRate"], "0.001");
    // order/create: 10 a second per UID on linear, then 10006 with the headers.
    let body = json!({"category": "linear", "symbol": "BTCUSDT", "side": "Buy",
        "orderType": "Limit", "qty": "0.0001", "price": "1"});
    let mut codes = Vec::new();
    let mut last = None;
    for _ in 0..12 {
        let r = sim.post("/v5/order/create", &body).await;
        codes.push(r.code());
        last = Some(r);
    }
    let r = last.unwrap();
    assert!(codes.contains(&10006), "{codes:?}");
    assert_eq!(r.status, 200);
    assert!(
        codes.iter().filter(|c| **c != 10006).count() >= 9,
        "{codes:?}"
    );
    let limited = codes.iter().position(|c| *c == 10006).unwrap();
    assert!(limited >= 9, "{codes:?}");
    assert_eq!(r.header("x-bapi-limit").as_deref(), Some("10"));
    assert_eq!(r.header("x-bapi-limit-status").as_deref(), Some("0"));
    assert!(
        r.header("x-bapi-limit-reset-timestamp")
            .unwrap()
            .parse::<i64>()
            .unwrap()
            > now_ms() - 1_000
    );
}

#[tokio::test]
async fn injected_faults_answer_in_bybits_format() {
    let mut cfg = config(0.01);
    cfg.faults = "429(path=/v5/order/realtime,count=1);5xx(path=/v5/execution,count=1)".into();
    let sim = smc_venue_sim::start(cfg).await.unwrap();
    let sim = Sim {
        sim,
        http: reqwest::Client::new(),
    };
    let r = sim.get("/v5/order/realtime", "category=linear").await;
    assert_eq!((r.status, r.code()), (200, 10006));
    assert_eq!(
        sim.get("/v5/order/realtime", "category=linear")
            .await
            .code(),
        0
    );
    let r = sim.get("/v5/execution/list", "category=linear").await;
    assert_eq!((r.status, r.code()), (503, 10016));
}
