//! TOTP: enrolment, login with the code (or a recovery code), replay
//! refusal, and the step-up of sensitive routes.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{ADMIN_PASSWORD, Server, error_code, start};
use serde_json::{Value, json};
use smc_auth::TotpSecret;
use std::time::Duration;

fn enroll(s: &Server, token: &str) -> (TotpSecret, Vec<String>) {
    let r = s.post("/api/v1/auth/totp/enroll", token, json!({}));
    assert_eq!(r.status(), 200);
    let body: Value = r.json().unwrap();
    assert!(
        body["otpauth_url"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/")
    );
    let secret = TotpSecret::from_base32(body["secret"].as_str().unwrap()).unwrap();
    let codes = body["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    let code = secret.code_at(s.state.clock.unix());
    let r = s.post("/api/v1/auth/totp/confirm", token, json!({"code": code}));
    assert_eq!(r.status(), 200);
    (secret, codes)
}

#[test]
fn an_enrolled_user_needs_the_code_to_sign_in_and_each_code_works_once() {
    let s = start();
    let token = s.admin_token();
    let (secret, codes) = enroll(&s, &token);
    assert_eq!(codes.len(), 10);

    let r = s.login_response("admin", ADMIN_PASSWORD, None);
    assert_eq!(r.status(), 401);
    assert_eq!(error_code(r), "totp_required");
    // The confirmation used the current step: its code is spent.
    s.state.clock.advance(Duration::from_secs(30));
    let code = secret.code_at(s.state.clock.unix());
    assert_eq!(
        s.login_response("admin", ADMIN_PASSWORD, Some(&code))
            .status(),
        200
    );
    let r = s.login_response("admin", ADMIN_PASSWORD, Some(&code));
    assert_eq!(r.status(), 401, "a replayed code is refused");
    assert_eq!(error_code(r), "totp_invalid");
    let r = s.login_response("admin", ADMIN_PASSWORD, Some("000000"));
    assert_eq!(r.status(), 401);
    // A recovery code works once.
    assert_eq!(
        s.login_response("admin", ADMIN_PASSWORD, Some(&codes[0]))
            .status(),
        200
    );
    assert_eq!(
        s.login_response("admin", ADMIN_PASSWORD, Some(&codes[0]))
            .status(),
        401
    );
    // One step of drift is accepted, two are not.
    s.state.clock.advance(Duration::from_secs(60));
    let behind = secret.code_at(s.state.clock.unix() - 30);
    assert_eq!(
        s.login_response("admin", ADMIN_PASSWORD, Some(&behind))
            .status(),
        200
    );
    s.state.clock.advance(Duration::from_secs(90));
    let stale = secret.code_at(s.state.clock.unix() - 60);
    assert_eq!(
        s.login_response("admin", ADMIN_PASSWORD, Some(&stale))
            .status(),
        401
    );
}

#[test]
fn step_up_routes_need_an_enrolled_user_and_a_current_code() {
    let s = start();
    let token = s.admin_token();
    let keys = json!({"api_key": "k", "api_secret": "s"});
    let put = |token: &str, code: Option<&str>| {
        let mut r = s
            .request("PUT", "/api/v1/exchanges/binance/keys")
            .bearer_auth(token)
            .json(&keys);
        if let Some(c) = code {
            r = r.header("X-TOTP", c);
        }
        r.send().unwrap()
    };
    let r = put(&token, None);
    assert_eq!(r.status(), 403);
    assert_eq!(error_code(r), "totp_enrollment_required");

    let (secret, _) = enroll(&s, &token);
    let r = put(&token, None);
    assert_eq!(r.status(), 401);
    assert_eq!(error_code(r), "totp_required");
    let r = put(&token, Some("123456"));
    assert_eq!(r.status(), 401);
    s.state.clock.advance(Duration::from_secs(30));
    let code = secret.code_at(s.state.clock.unix());
    // Past the step-up: no master key is configured, so the keys cannot be stored.
    let r = put(&token, Some(&code));
    assert_eq!(r.status(), 409);
    let r = put(&token, Some(&code));
    assert_eq!(r.status(), 401, "the step-up code was spent");
    // API keys cannot step up.
    let created: Value = s
        .post("/api/v1/api-keys", &token, json!({"role": "admin"}))
        .json()
        .unwrap();
    let r = s
        .request("PUT", "/api/v1/exchanges/binance/keys")
        .header("X-API-Key", created["key"].as_str().unwrap())
        .json(&keys)
        .send()
        .unwrap();
    assert_eq!(r.status(), 403);
}

#[test]
fn a_live_session_needs_confirm_live_and_a_step_up() {
    let s = start();
    let token = s.admin_token();
    let live = |confirm: bool, code: Option<&str>| {
        let body = json!({"mode": "live", "confirm_live": confirm, "venue_urls": {"binance": "127.0.0.1:9"}});
        let mut r = s
            .request("POST", "/api/v1/sessions")
            .bearer_auth(&token)
            .json(&body);
        if let Some(c) = code {
            r = r.header("X-TOTP", c);
        }
        r.send().unwrap()
    };
    let r = live(false, None);
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().unwrap()["field"], "confirm_live");
    let r = live(true, None);
    assert_eq!(r.status(), 403);
    assert_eq!(error_code(r), "totp_enrollment_required");
    let (secret, _) = enroll(&s, &token);
    let r = live(true, None);
    assert_eq!(r.status(), 401);
    assert_eq!(error_code(r), "totp_required");
    // Past the step-up, the runtime's own live refusals apply: no keys here.
    s.state.clock.advance(Duration::from_secs(30));
    let r = live(true, Some(&secret.code_at(s.state.clock.unix())));
    assert_eq!(r.status(), 201, "the step-up passed");
    let id = r.json::<Value>().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let start = std::time::Instant::now();
    let failed = loop {
        let sessions: Value = s.get("/api/v1/sessions", &token).json().unwrap();
        let me = sessions
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == id.as_str())
            .cloned()
            .unwrap();
        if me["state"] == "failed" {
            break me;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "{me}");
        std::thread::sleep(Duration::from_millis(50));
    };
    let why = failed["error"].as_str().unwrap();
    assert!(
        why.contains("live mode"),
        "the runtime's live refusals apply: {why}"
    );
}
