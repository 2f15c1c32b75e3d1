//! Take-profit and stop-loss legs and conditional orders of the Bybit v5
//! protocol over REST on loopback (`--protocol bybit`): legs attached to a
//! linear entry and reported on the position, firing on the replay (one
//! closes the position, the other is deactivated), and conditional orders
//! waiting for their trigger.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod bybit_common;

use bybit_common::*;
use rust_decimal::Decimal;
use rust_decimal::dec;
use serde_json::{Value, json};

fn d(v: &Value) -> Decimal {
    v.as_str().unwrap().parse().unwrap()
}

async fn create(sim: &Sim, b: Value) -> Reply {
    sim.post("/v5/order/create", &b).await
}

#[tokio::test]
async fn take_profit_and_stop_loss_attach_to_the_position() {
    let sim = start(0.01).await;
    let last = sim.last().await;
    let tp = (last * dec!(1.05)).round_dp(1);
    let sl = (last * dec!(0.95)).round_dp(1);
    let r = create(
        &sim,
        json!({"category": "linear", "symbol": "BTCUSDT", "side": "Buy",
        "orderType": "Market", "qty": "0.01", "takeProfit": tp.to_string(),
        "stopLoss": sl.to_string(), "tpslMode": "Full"}),
    )
    .await;
    assert_eq!(r.code(), 0, "{}", r.body);
    let id = r.result()["orderId"].as_str().unwrap().to_string();
    let h = sim
        .get(
            "/v5/order/history",
            &format!("category=linear&orderId={id}"),
        )
        .await;
    let entry = &h.result()["list"][0];
    assert_eq!(
        (
            entry["tpslMode"].as_str(),
            d(&entry["takeProfit"]),
            d(&entry["stopLoss"])
        ),
        (Some("Full"), tp, sl)
    );
    let open = sim
        .get("/v5/order/realtime", "category=linear&symbol=BTCUSDT")
        .await;
    let legs = open.result()["list"].as_array().unwrap();
    assert_eq!(legs.len(), 2, "{}", open.body);
    for leg in legs {
        assert_eq!(
            (
                leg["orderStatus"].as_str(),
                leg["side"].as_str(),
                leg["reduceOnly"].as_bool()
            ),
            (Some("Untriggered"), Some("Sell"), Some(true))
        );
        match leg["stopOrderType"].as_str() {
            Some("TakeProfit") => assert_eq!(
                (d(&leg["triggerPrice"]), leg["triggerDirection"].as_u64()),
                (tp, Some(1))
            ),
            Some("StopLoss") => assert_eq!(
                (d(&leg["triggerPrice"]), leg["triggerDirection"].as_u64()),
                (sl, Some(2))
            ),
            other => panic!("{other:?}"),
        }
    }
    let pos = sim
        .get("/v5/position/list", "category=linear&symbol=BTCUSDT")
        .await;
    let p = &pos.result()["list"][0];
    assert_eq!((d(&p["takeProfit"]), d(&p["stopLoss"])), (tp, sl));
    // Wrong sides and what is not supported.
    let bad = |extra: Value| {
        let mut b = json!({"category": "linear", "symbol": "BTCUSDT", "side": "Buy",
            "orderType": "Market", "qty": "0.01"});
        for (k, v) in extra.as_object().unwrap() {
            b[k] = v.clone();
        }
        b
    };
    for extra in [
        json!({"takeProfit": sl.to_string()}),
        json!({"stopLoss": tp.to_string()}),
        json!({"takeProfit": tp.to_string(), "tpslMode": "Partial"}),
        json!({"takeProfit": tp.to_string(), "tpOrderType": "Limit"}),
        json!({"takeProfit": tp.to_string(), "category": "spot"}),
        json!({"takeProfit": format!("{tp}5")}),
    ] {
        let r = create(&sim, bad(extra.clone())).await;
        assert_eq!(r.code(), 10001, "{extra}: {}", r.body);
    }
    // A resting entry's legs wait for its fill; cancelling it drops them.
    let price = (last * dec!(0.9)).round_dp(1);
    let r = create(
        &sim,
        json!({"category": "linear", "symbol": "BTCUSDT", "side": "Buy",
        "orderType": "Limit", "qty": "0.01", "price": price.to_string(),
        "stopLoss": (price * dec!(0.9)).round_dp(1).to_string()}),
    )
    .await;
    assert_eq!(r.code(), 0, "{}", r.body);
    let open = sim
        .get("/v5/order/realtime", "category=linear&symbol=BTCUSDT")
        .await;
    assert_eq!(
        open.result()["list"].as_array().unwrap().len(),
        3,
        "no legs before the fill"
    );
    let id = r.result()["orderId"].as_str().unwrap();
    sim.post(
        "/v5/order/cancel",
        &json!({"category": "linear", "symbol": "BTCUSDT", "orderId": id}),
    )
    .await;
    let open = sim
        .get("/v5/order/realtime", "category=linear&symbol=BTCUSDT")
        .await;
    assert_eq!(open.result()["list"].as_array().unwrap().len(), 2);
}

/// Polls `f` every 100 ms for up to 15 s until it gives `Some`.
async fn eventually<T, F: std::future::Future<Output = Option<T>>>(f: impl Fn() -> F) -> T {
    for _ in 0..150 {
        if let Some(v) = f().await {
            return v;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("not within 15 s");
}

#[tokio::test]
async fn legs_fire_on_the_replay_one_closing_the_position_and_expiring_the_other() {
    // BTCUSDT 1m from 2022-04-08: closes 43402.7, 43329.3 (low 43316),
    // 43393.6 (low 43305, high 43394.3); one candle every 2 s.
    let sim = start(0.5).await;
    assert_eq!(sim.last().await, dec!(43402.7));
    // A market long stopped at 43350 by the second candle.
    let r = create(
        &sim,
        json!({"category": "linear", "symbol": "BTCUSDT", "side": "Buy",
        "orderType": "Market", "qty": "0.01", "takeProfit": "43600", "stopLoss": "43350"}),
    )
    .await;
    assert_eq!(r.code(), 0, "{}", r.body);
    // A limit long at 43330 filled by the second candle, its legs attached
    // then, its take-profit at 43390 reached by the third.
    let r = create(
        &sim,
        json!({"category": "linear", "symbol": "BTCUSDT", "side": "Buy",
        "orderType": "Limit", "price": "43330", "qty": "0.01", "orderLinkId": "lazy",
        "takeProfit": "43390", "stopLoss": "43300"}),
    )
    .await;
    assert_eq!(r.code(), 0, "{}", r.body);
    let hist = eventually(|| async {
        let h = sim
            .get(
                "/v5/order/history",
                "category=linear&symbol=BTCUSDT&limit=50",
            )
            .await;
        let list = h.result()["list"].as_array().unwrap().clone();
        let ended: Vec<(String, String, String)> = list
            .iter()
            .filter(|o| o["stopOrderType"] != "")
            .map(|o| {
                (
                    o["stopOrderType"].as_str().unwrap().to_string(),
                    o["triggerPrice"].as_str().unwrap().to_string(),
                    o["orderStatus"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        (ended.len() == 4).then_some(ended)
    })
    .await;
    let status = |t: &str| {
        hist.iter()
            .find(|(_, p, _)| p == t)
            .map(|(_, _, s)| s.as_str())
    };
    assert_eq!(status("43350.0"), Some("Filled"), "{hist:?}");
    assert_eq!(status("43600.0"), Some("Deactivated"), "{hist:?}");
    assert_eq!(status("43390.0"), Some("Filled"), "{hist:?}");
    assert_eq!(status("43300.0"), Some("Deactivated"), "{hist:?}");
    let pos = sim
        .get("/v5/position/list", "category=linear&symbol=BTCUSDT")
        .await;
    let p = &pos.result()["list"][0];
    assert_eq!(
        (d(&p["size"]), d(&p["takeProfit"]), d(&p["stopLoss"])),
        (dec!(0), dec!(0), dec!(0))
    );
}

#[tokio::test]
async fn conditional_orders_wait_for_their_trigger() {
    let sim = start(0.01).await;
    let last = sim.last().await;
    let cond = |cat: &str, trigger: Decimal, dir: Option<u8>| {
        let mut b = json!({"category": cat, "symbol": "BTCUSDT", "side": "Buy",
            "orderType": "Market", "qty": "0.01", "triggerPrice": trigger.to_string()});
        if let Some(d) = dir {
            b["triggerDirection"] = json!(d);
        }
        if cat == "spot" {
            b["orderFilter"] = json!("StopOrder");
            b["marketUnit"] = json!("baseCoin");
        }
        b
    };
    let above = (last * dec!(1.01)).round_dp(1);
    let below = (last * dec!(0.99)).round_dp(1);
    assert_eq!(
        create(&sim, cond("linear", below, Some(1))).await.code(),
        110092
    );
    assert_eq!(
        create(&sim, cond("linear", above, Some(2))).await.code(),
        110093
    );
    assert_eq!(
        create(&sim, cond("linear", above, None)).await.code(),
        10001
    );
    let r = create(&sim, cond("linear", above, Some(1))).await;
    assert_eq!(r.code(), 0, "{}", r.body);
    let id = r.result()["orderId"].as_str().unwrap().to_string();
    let r = create(&sim, cond("spot", below, None)).await;
    assert_eq!(r.code(), 0, "{}", r.body);
    let mut no_filter = cond("spot", below, None);
    no_filter.as_object_mut().unwrap().remove("orderFilter");
    assert_eq!(create(&sim, no_filter).await.code(), 10001);
    let open = sim.get("/v5/order/realtime", "category=linear").await;
    let o = &open.result()["list"][0];
    assert_eq!(
        (
            o["orderStatus"].as_str(),
            o["stopOrderType"].as_str(),
            o["triggerDirection"].as_u64()
        ),
        (Some("Untriggered"), Some("Stop"), Some(1))
    );
    assert_eq!(d(&o["triggerPrice"]), above);
    let open = sim.get("/v5/order/realtime", "category=spot").await;
    let o = &open.result()["list"][0];
    assert_eq!(
        (o["orderFilter"].as_str(), o["triggerDirection"].as_u64()),
        (Some("StopOrder"), Some(2))
    );
    sim.post(
        "/v5/order/cancel",
        &json!({"category": "linear", "symbol": "BTCUSDT", "orderId": id}),
    )
    .await;
    let h = sim
        .get(
            "/v5/order/history",
            &format!("category=linear&orderId={id}"),
        )
        .await;
    assert_eq!(h.result()["list"][0]["orderStatus"], "Deactivated");
}
