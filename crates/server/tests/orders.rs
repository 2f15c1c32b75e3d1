//! Operator orders through the API on a paper session against the venue
//! simulator: a market order is risk-checked, journaled and filled; a
//! resting limit order is listed and cancelled; flatten closes what is
//! held; bad requests are refused with the field or the reason.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{error_code, start_with};
use serde_json::{Value, json};
use smc_testkit::sim::TestSim;
use std::time::{Duration, Instant};

const CONFIG: &str = "backtest:\n  strategy: sma_cross\n  timeframes: [\"1m\"]\n  instrument:\n    venue: binance\n    symbol: BTCUSDT\n    tick_size: 0.1\n    lot_size: 0.001\n    min_qty: 0.001\n    min_notional: 5\nrisk_manager:\n  max_position_size: 1000.0\n  max_daily_loss: 5000.0\n";

fn until<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = probe() {
            return v;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn operator_orders_are_checked_filled_listed_cancelled_and_flattened() {
    let sim = TestSim::btcusdt(50.0, "");
    let s = start_with(CONFIG, "");
    let token = s.admin_token();
    let session = s.start_paper(&token, &sim.addr);
    let order = |body: Value| s.post("/api/v1/orders", &token, body);

    // Taken once the session has its first candle.
    let market = json!({"session": session, "symbol": "BTCUSDT", "side": "buy", "type": "market", "qty": "0.001"});
    let placed: Value = until("the first accepted order", || {
        let r = order(market.clone());
        (r.status() == 201).then(|| r.json().unwrap())
    });
    let id = placed["client_id"].as_str().unwrap().to_string();
    assert!(id.contains("manual"), "{id}");
    assert_eq!(placed["risk"], "approved");
    until("its fill", || {
        let trades: Value = s.get("/api/v1/trades", &token).json().unwrap();
        trades
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["client_id"] == id.as_str())
            .then_some(())
    });

    // A limit order far below the market rests until cancelled.
    let r = order(
        json!({"session": session, "symbol": "BTCUSDT", "side": "buy", "type": "limit", "qty": "0.01", "price": "1000"}),
    );
    assert_eq!(r.status(), 201);
    let limit = r.json::<Value>().unwrap()["client_id"]
        .as_str()
        .unwrap()
        .to_string();
    let listed = |id: &str| {
        let open: Value = s.get("/api/v1/orders", &token).json().unwrap();
        open.as_array()
            .unwrap()
            .iter()
            .any(|o| o["order"]["client_id"] == id)
    };
    until("the limit order listed", || listed(&limit).then_some(()));
    let r = s
        .request("DELETE", &format!("/api/v1/orders/{limit}"))
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(r.status(), 204);
    until("the limit order gone", || (!listed(&limit)).then_some(()));
    let r = s
        .request("DELETE", &format!("/api/v1/orders/{limit}"))
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(r.status(), 404);

    // Flatten: every position of the session closes.
    let r = s.post(
        "/api/v1/positions/flatten",
        &token,
        json!({"session": session}),
    );
    assert_eq!(r.status(), 200);
    until("no position left", || {
        let positions: Value = s.get("/api/v1/positions", &token).json().unwrap();
        positions.as_array().unwrap().is_empty().then_some(())
    });

    // Refusals name what was wrong.
    let r = order(
        json!({"session": session, "symbol": "ETHUSDT", "side": "buy", "type": "market", "qty": "0.001"}),
    );
    assert_eq!(r.status(), 422);
    assert_eq!(error_code(r), "order_refused");
    let r = order(
        json!({"session": session, "symbol": "BTCUSDT", "side": "buy", "type": "limit", "qty": "0.001"}),
    );
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().unwrap()["field"], "price");
    let r = order(
        json!({"session": session, "symbol": "BTCUSDT", "side": "buy", "type": "market", "qty": "-1"}),
    );
    assert_eq!(r.json::<Value>().unwrap()["field"], "qty");
    let r = order(
        json!({"session": "nope", "symbol": "BTCUSDT", "side": "buy", "type": "market", "qty": "0.001"}),
    );
    assert_eq!(r.status(), 404);
    // Past the risk limit (max_position_size 1000 quote): the gate resizes it.
    let big = json!({"session": session, "symbol": "BTCUSDT", "side": "buy", "type": "market", "qty": "5"});
    let r = order(big);
    assert_eq!(r.status(), 201);
    let resized = r.json::<Value>().unwrap()["risk"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        resized.starts_with("resized") && resized.contains("max_position_size"),
        "{resized}"
    );

    let r = s
        .request("DELETE", &format!("/api/v1/sessions/{session}"))
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(r.status(), 204);
    until("the session stopped", || {
        let r = order(market.clone());
        (r.status() == 409).then_some(())
    });
}
