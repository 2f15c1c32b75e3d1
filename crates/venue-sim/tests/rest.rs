//! REST against a live simulator on loopback: signatures, receive window,
//! filters, rate limits and an order's life to a fill from the replay.

mod common;

use common::*;
use rust_decimal::Decimal;
use smc_venue_sim::Limits;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_requests_verify_over_the_raw_bytes() {
    let s = start(config()).await;
    let ok = s.signed("GET", "/api/v3/account", "recvWindow=5000").await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.body["balances"][0]["asset"], "USDT");
    assert_eq!(ok.body["balances"][0]["free"], "10000.00000000");
    // Body-signed POST with the signature over the exact body bytes.
    let lk = s
        .send("POST", "/api/v3/userDataStream", "", "", Some(KEY))
        .await;
    assert_eq!(lk.status, 200);
    // A wrong signature: -1022.
    let q = format!("timestamp={}", now_ms());
    let bad = s
        .send(
            "GET",
            "/api/v3/account",
            &format!("{q}&signature={}", "ab".repeat(32)),
            "",
            Some(KEY),
        )
        .await;
    assert_eq!((bad.status, bad.code()), (400, -1022));
    assert_eq!(bad.body["msg"], "Signature for this request is not valid.");
    // Signed over different bytes than sent (percent-encoding changed): -1022.
    let payload = format!("symbol=BTCUSDT&timestamp={}", now_ms());
    let sig = smc_venue_sim::auth::sign(SECRET, payload.as_bytes());
    let sent = payload.replace("symbol=BTCUSDT", "symbol=%42TCUSDT");
    let r = s
        .send(
            "GET",
            "/api/v3/openOrders",
            &format!("{sent}&signature={sig}"),
            "",
            Some(KEY),
        )
        .await;
    assert_eq!(r.code(), -1022);
    // No key, an unknown key, no signature.
    let r = s.send("GET", "/api/v3/account", &q, "", None).await;
    assert_eq!((r.status, r.code()), (401, -2014));
    let r = s
        .send("GET", "/api/v3/account", &q, "", Some("nobody"))
        .await;
    assert_eq!((r.status, r.code()), (401, -2015));
    let r = s.send("GET", "/api/v3/account", &q, "", Some(KEY)).await;
    assert_eq!(r.code(), -1102);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timestamps_outside_the_receive_window_are_1021() {
    let s = start(config()).await;
    let signed = |ts: i64, window: &str| {
        let payload = format!("{window}timestamp={ts}");
        let sig = smc_venue_sim::auth::sign(SECRET, payload.as_bytes());
        format!("{payload}&signature={sig}")
    };
    let old = s
        .send(
            "GET",
            "/fapi/v2/account",
            &signed(now_ms() - 6_000, ""),
            "",
            Some(KEY),
        )
        .await;
    assert_eq!((old.status, old.code()), (400, -1021));
    assert_eq!(
        old.body["msg"],
        "Timestamp for this request is outside of the recvWindow."
    );
    let wide = s
        .send(
            "GET",
            "/fapi/v2/account",
            &signed(now_ms() - 6_000, "recvWindow=20000&"),
            "",
            Some(KEY),
        )
        .await;
    assert_eq!(wide.status, 200, "{}", wide.body);
    let ahead = s
        .send(
            "GET",
            "/fapi/v2/account",
            &signed(now_ms() + 5_000, ""),
            "",
            Some(KEY),
        )
        .await;
    assert_eq!(ahead.code(), -1021);
    let too_wide = s
        .send(
            "GET",
            "/fapi/v2/account",
            &signed(now_ms(), "recvWindow=70000&"),
            "",
            Some(KEY),
        )
        .await;
    assert_eq!(too_wide.code(), -1131);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn filters_refuse_with_each_familys_codes() {
    let s = start(config()).await;
    let btc = s.price("BTCUSDT").await;
    let eth = s.price("ETHUSDT").await;
    let limit = |sym: &str, price: Decimal, qty: &str| {
        format!("symbol={sym}&side=BUY&type=LIMIT&timeInForce=GTC&quantity={qty}&price={price}")
    };
    let below = |p: Decimal, dp: u32| (p * Decimal::new(9, 1)).round_dp(dp);
    let s = &s;
    let spot = |q: String| async move { s.signed("POST", "/api/v3/order", &q).await };
    let r = spot(limit(
        "BTCUSDT",
        below(btc, 1) + Decimal::new(5, 2),
        "0.001",
    ))
    .await;
    assert_eq!(
        (r.status, r.code(), r.body["msg"].as_str()),
        (400, -1013, Some("Filter failure: PRICE_FILTER"))
    );
    let r = spot(limit("BTCUSDT", below(btc, 1), "0.0015")).await;
    assert_eq!(r.body["msg"], "Filter failure: LOT_SIZE");
    let r = spot(limit("ETHUSDT", below(eth, 2), "0.0001")).await;
    assert_eq!(r.body["msg"], "Filter failure: NOTIONAL");
    let r = spot(limit(
        "ETHUSDT",
        (eth * Decimal::from(6)).round_dp(2),
        "0.01",
    ))
    .await;
    assert_eq!(r.body["msg"], "Filter failure: PERCENT_PRICE_BY_SIDE");
    let r = spot(limit("XRPUSDT", btc, "1")).await;
    assert_eq!(r.code(), -1121);
    let r = spot("symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1".into()).await;
    assert_eq!(r.code(), -1102);
    let fut = |q: String| async move { s.signed("POST", "/fapi/v1/order", &q).await };
    let r = fut(limit("ETHUSDT", below(eth, 2), "0.0001")).await;
    assert_eq!(r.code(), -4164, "{}", r.body);
    assert_eq!(
        r.body["msg"],
        "Order's notional must be no smaller than 5 (unless you choose reduce only)."
    );
    let r = fut(limit(
        "BTCUSDT",
        below(btc, 1) + Decimal::new(5, 2),
        "0.001",
    ))
    .await;
    assert_eq!(r.code(), -1111);
    let r = fut(limit(
        "BTCUSDT",
        (btc * Decimal::new(12, 1)).round_dp(1),
        "0.001",
    ))
    .await;
    assert_eq!(r.code(), -4016);
    let r = fut(limit(
        "BTCUSDT",
        (btc * Decimal::new(8, 1)).round_dp(1),
        "0.001",
    ))
    .await;
    assert_eq!(r.code(), -4024);
    // Inside every filter: accepted.
    let r = fut(limit("BTCUSDT", below(btc, 1), "0.001")).await;
    assert_eq!(
        (r.status, r.body["status"].as_str()),
        (200, Some("NEW")),
        "{}",
        r.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn request_weight_over_the_limit_is_429_then_418() {
    let mut config = config();
    config.limits = Limits {
        spot_weight_1m: 50,
        ban_after_strikes: 1,
        ..Limits::default()
    };
    let s = start(config).await;
    let first = s.public("/api/v3/exchangeInfo", "").await;
    assert_eq!(first.header("x-mbx-used-weight-1m").as_deref(), Some("20"));
    s.public("/api/v3/exchangeInfo", "").await;
    let over = s.public("/api/v3/exchangeInfo", "").await;
    assert_eq!((over.status, over.code()), (429, -1003), "{}", over.body);
    assert_eq!(over.header("x-mbx-used-weight-1m").as_deref(), Some("40"));
    assert!(over.header("retry-after").is_some());
    assert!(
        over.body["msg"]
            .as_str()
            .unwrap()
            .contains("current limit is 50 request weight per 1 MINUTE")
    );
    // Futures are metered apart.
    assert_eq!(s.public("/fapi/v1/time", "").await.status, 200);
    // Light requests still fit; sending past the limit again earns a ban.
    assert_eq!(s.public("/api/v3/time", "").await.status, 200);
    let banned = s.public("/api/v3/exchangeInfo", "").await;
    assert_eq!((banned.status, banned.code()), (418, -1003));
    assert_eq!(
        s.public("/api/v3/time", "").await.status,
        418,
        "banned for everything"
    );
    assert!(
        banned.body["msg"]
            .as_str()
            .unwrap()
            .contains("IP banned until")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_orders_are_counted_per_account() {
    let mut config = config();
    config.limits = Limits {
        spot_orders_10s: 2,
        ..Limits::default()
    };
    let s = start(config).await;
    let btc = s.price("BTCUSDT").await;
    let q = format!(
        "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.001&price={}",
        (btc * Decimal::new(9, 1)).round_dp(1)
    );
    let a = s.signed("POST", "/api/v3/order", &q).await;
    assert_eq!(a.header("x-mbx-order-count-10s").as_deref(), Some("1"));
    assert_eq!(a.header("x-mbx-order-count-1d").as_deref(), Some("1"));
    s.signed("POST", "/api/v3/order", &q).await;
    let c = s.signed("POST", "/api/v3/order", &q).await;
    assert_eq!((c.status, c.code()), (429, -1015));
    assert_eq!(
        c.body["msg"],
        "Too many new orders; current limit is 2 orders per 10 SECOND."
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resting_limit_fills_from_the_replayed_market() {
    let mut config = config();
    config.speed = 25.0;
    let s = start(config).await;
    let btc = s.price("BTCUSDT").await;
    // One tick below the last close: it rests, and a later candle's low reaches it.
    let price = btc - Decimal::new(1, 1);
    let q = format!(
        "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=0.01&price={price}&newClientOrderId=fill-me"
    );
    let placed = s.signed("POST", "/api/v3/order", &q).await;
    assert_eq!(placed.body["status"], "NEW", "{}", placed.body);
    assert_eq!(placed.body["fills"].as_array().map(Vec::len), Some(0));
    let id = placed.body["orderId"].as_u64().unwrap();
    let filled = eventually(20, || async {
        let r = s
            .signed(
                "GET",
                "/api/v3/order",
                "symbol=BTCUSDT&origClientOrderId=fill-me",
            )
            .await;
        (r.body["status"] == "FILLED").then_some(r.body)
    })
    .await;
    assert_eq!(filled["orderId"].as_u64(), Some(id));
    assert_eq!(filled["executedQty"], "0.01000000");
    assert_eq!(
        filled["cummulativeQuoteQty"]
            .as_str()
            .unwrap()
            .parse::<Decimal>()
            .unwrap(),
        price * Decimal::new(1, 2)
    );
    let trades = s.signed("GET", "/api/v3/myTrades", "symbol=BTCUSDT").await;
    assert_eq!(
        trades.body[0]["isMaker"], true,
        "a resting order fills as maker"
    );
    // As on Binance spot, a buy's fee is taken from the base received.
    assert_eq!(trades.body[0]["commissionAsset"], "BTC");
    assert_eq!(trades.body[0]["commission"], "0.00001000");
    let account = s.signed("GET", "/api/v3/account", "").await;
    let btc_balance = account.body["balances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["asset"] == "BTC")
        .unwrap()
        .clone();
    assert_eq!(btc_balance["free"], "0.00999000", "0.01 less the 0.1 % fee");
    let open = s
        .signed("GET", "/api/v3/openOrders", "symbol=BTCUSDT")
        .await;
    assert_eq!(open.body.as_array().map(Vec::len), Some(0));
    // Cancelling a filled order is refused.
    let r = s
        .signed(
            "DELETE",
            "/api/v3/order",
            &format!("symbol=BTCUSDT&orderId={id}"),
        )
        .await;
    assert_eq!(r.code(), -2011);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn futures_market_orders_open_positions_and_balances_need_margin() {
    let s = start(config()).await;
    let r = s
        .signed(
            "POST",
            "/fapi/v1/order",
            "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.01",
        )
        .await;
    assert_eq!(r.body["status"], "FILLED", "{}", r.body);
    let pos = s
        .signed("GET", "/fapi/v3/positionRisk", "symbol=BTCUSDT")
        .await;
    assert_eq!(pos.body[0]["positionAmt"], "0.01");
    // 10,000 USDT at 20x cannot buy 10 BTC (~430,000 USDT notional).
    let r = s
        .signed(
            "POST",
            "/fapi/v1/order",
            "symbol=BTCUSDT&side=BUY&type=MARKET&quantity=10",
        )
        .await;
    assert_eq!(r.code(), -2019);
    // Spot cannot sell what it does not hold.
    let r = s
        .signed(
            "POST",
            "/api/v3/order",
            "symbol=ETHUSDT&side=SELL&type=MARKET&quantity=1",
        )
        .await;
    assert_eq!(r.code(), -2010);
    let acc = s.signed("GET", "/fapi/v2/account", "").await;
    assert!(
        acc.body["totalWalletBalance"]
            .as_str()
            .unwrap()
            .parse::<Decimal>()
            .unwrap()
            < Decimal::from(10_000),
        "fees paid"
    );
    let ticker = s.public("/fapi/v1/ticker/24hr", "symbol=BTCUSDT").await;
    let last: Decimal = ticker.body["lastPrice"].as_str().unwrap().parse().unwrap();
    assert!(
        last > Decimal::ZERO && ticker.body["count"].as_u64() >= Some(1),
        "{}",
        ticker.body
    );
    let restrictions = s
        .signed("GET", "/sapi/v1/account/apiRestrictions", "")
        .await;
    assert_eq!(restrictions.body["enableWithdrawals"], false);
    s.send(
        "POST",
        &format!("/__sim/keys/{KEY}/withdrawals"),
        "enabled=true",
        "",
        None,
    )
    .await;
    let restrictions = s
        .signed("GET", "/sapi/v1/account/apiRestrictions", "")
        .await;
    assert_eq!(restrictions.body["enableWithdrawals"], true);
}
