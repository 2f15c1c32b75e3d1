//! A tripped circuit breaker of a running paper session is released
//! through the API by an admin with a TOTP step-up, and the release is
//! seen in `GET /risk` and chained in the session's audit log.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{error_code, start_with};
use serde_json::{Value, json};
use smc_auth::TotpSecret;
use smc_testkit::sim::TestSim;
use std::time::{Duration, Instant};

const CONFIG: &str = "backtest:\n  strategy: sma_cross\n  timeframes: [\"1m\"]\n  instrument:\n    venue: binance\n    symbol: BTCUSDT\n    tick_size: 0.1\n    lot_size: 0.001\n    min_qty: 0.001\n    min_notional: 5\nrisk_manager:\n  max_position_size: 1000.0\n  max_daily_loss: 5000.0\n  circuit_breakers:\n    consecutive_losses:\n      max_losses: 1\n";

fn breaker_state(s: &common::Server, token: &str, session: &str) -> Option<String> {
    let risk: Value = s.get("/api/v1/risk", token).json().unwrap();
    risk["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["session"] == session)
        .and_then(|x| {
            x["breakers"]["consecutive_losses"]["state"]
                .as_str()
                .map(str::to_string)
        })
}

#[test]
fn an_admin_with_a_step_up_releases_a_tripped_breaker() {
    let sim = TestSim::btcusdt(200.0, "");
    let s = start_with(CONFIG, "");
    let token = s.admin_token();
    let enrolled: Value = s
        .post("/api/v1/auth/totp/enroll", &token, json!({}))
        .json()
        .unwrap();
    let secret = TotpSecret::from_base32(enrolled["secret"].as_str().unwrap()).unwrap();
    let code = || secret.code_at(s.state.clock.unix());
    assert_eq!(
        s.post("/api/v1/auth/totp/confirm", &token, json!({"code": code()}))
            .status(),
        200
    );

    let session = s.start_paper(&token, &sim.addr);
    let start = Instant::now();
    while breaker_state(&s, &token, &session).as_deref() != Some("tripped") {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the breaker never tripped"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    let reset = |code: Option<String>, body: Value| {
        let mut r = s
            .request("POST", "/api/v1/risk/breakers/consecutive_losses/reset")
            .bearer_auth(&token)
            .json(&body);
        if let Some(c) = code {
            r = r.header("X-TOTP", c);
        }
        r.send().unwrap()
    };
    let body = json!({"session": session, "reason": "reviewed the losing trade"});
    let r = reset(None, body.clone());
    assert_eq!(r.status(), 401);
    assert_eq!(error_code(r), "totp_required");
    s.state.clock.advance(Duration::from_secs(30));
    let r = reset(Some(code()), json!({"session": session, "reason": " "}));
    assert_eq!(r.status(), 422);
    s.state.clock.advance(Duration::from_secs(30));
    let r = s
        .request("POST", "/api/v1/risk/breakers/no_such_breaker/reset")
        .bearer_auth(&token)
        .header("X-TOTP", code())
        .json(&body)
        .send()
        .unwrap();
    assert_eq!(
        r.status(),
        422,
        "an unknown breaker is refused by the session"
    );
    s.state.clock.advance(Duration::from_secs(30));
    let r = reset(Some(code()), body);
    assert_eq!(r.status(), 200, "{}", r.text().unwrap());
    assert_eq!(r.json::<Value>().unwrap()["operator"], "admin");
    let state = breaker_state(&s, &token, &session);
    assert_ne!(state.as_deref(), Some("tripped"), "{state:?}");

    // The release is a chained entry of the session's own audit log.
    let r = s
        .request("DELETE", &format!("/api/v1/sessions/{session}"))
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(r.status(), 204);
    let start = Instant::now();
    let db = s
        .dir
        .path()
        .join("sessions")
        .join(format!("{session}.sqlite"));
    loop {
        let list: Value = s.get("/api/v1/sessions", &token).json().unwrap();
        if list
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == session.as_str() && x["state"] == "stopped")
        {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(30));
        std::thread::sleep(Duration::from_millis(50));
    }
    let journal = smc_store::Store::open_existing(&format!("sqlite://{}", db.display())).unwrap();
    let entries = journal.audit_latest(None, 1000).unwrap();
    assert!(
        entries
            .iter()
            .any(|e| e.action == "breaker.reset" && e.actor.contains("admin")),
        "{entries:?}"
    );
    assert!(journal.audit_verify().unwrap().ok());
}
