//! The contract's error statuses: 400 for a body that is not JSON, 422
//! naming the field, 413 past the size limit, 404 and 405 as JSON, and
//! never a 5xx for bad input; security headers on every answer.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{start, start_with};
use serde_json::{Value, json};

#[test]
fn bad_bodies_get_400_422_or_413_with_the_field_named() {
    let s = start();
    let admin = s.admin_token();
    let post = |body: &str, content_type: &str| {
        s.http
            .post(s.url("/api/v1/users"))
            .bearer_auth(&admin)
            .header("content-type", content_type)
            .body(body.to_string())
            .send()
            .unwrap()
    };
    assert_eq!(post("{not json", "application/json").status(), 400);
    assert_eq!(post("{}", "text/plain").status(), 400);
    let r = post(
        r#"{"username":"x","password":"a long enough password"}"#,
        "application/json",
    );
    assert_eq!(r.status(), 422);
    let e: Value = r.json().unwrap();
    assert_eq!(e["field"], "role");
    let r = post(
        r#"{"username":"x","password":"a long enough password","role":"boss"}"#,
        "application/json",
    );
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().unwrap()["field"], "role");
    let r = post(
        r#"{"username":"x","password":"short","role":"viewer"}"#,
        "application/json",
    );
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().unwrap()["field"], "password");
    let r = post(
        r#"{"username":"no spaces please","password":"a long enough password","role":"viewer"}"#,
        "application/json",
    );
    assert_eq!(r.json::<Value>().unwrap()["field"], "username");
}

#[test]
fn a_body_over_the_limit_gets_413() {
    // A limit small enough that the whole body is written before the
    // answer (a body larger than the socket buffers could see the
    // connection closed under it instead).
    let s = start_with("", "  max_body_bytes: 2048\n");
    let admin = s.admin_token();
    let big = format!(r#"{{"username":"{}"}}"#, "x".repeat(8 * 1024));
    let r = s
        .http
        .post(s.url("/api/v1/users"))
        .bearer_auth(&admin)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .unwrap();
    assert_eq!(r.status(), 413);
}

#[test]
fn unknown_routes_and_methods_answer_json_with_security_headers() {
    let s = start();
    let r = s.http.get(s.url("/api/v1/nothing-here")).send().unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.headers()["x-content-type-options"], "nosniff");
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    assert_eq!(r.json::<Value>().unwrap()["error"], "not_found");
    let r = s.http.patch(s.url("/api/v1/status")).send().unwrap();
    assert_eq!(r.status(), 405);
    let admin = s.admin_token();
    let r = s.post(
        "/api/v1/backtests",
        &admin,
        json!({"input": "../../etc/passwd", "strategy": "smc"}),
    );
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().unwrap()["field"], "input");
}

#[test]
fn health_readiness_openapi_and_metrics_need_no_credentials() {
    let s = start();
    assert_eq!(
        s.http
            .get(s.url("/healthz"))
            .send()
            .unwrap()
            .text()
            .unwrap(),
        "ok"
    );
    let ready: Value = s.http.get(s.url("/readyz")).send().unwrap().json().unwrap();
    assert_eq!(ready["ready"], true);
    let spec: Value = s
        .http
        .get(s.url("/api/openapi.json"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(spec["paths"]["/api/v1/auth/login"]["post"].is_object());
    let _ = s.admin_token();
    let metrics = s
        .http
        .get(s.url("/metrics"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(metrics.contains("smc_api_requests_total"), "{metrics}");
    assert!(metrics.contains("route=\"/api/v1/auth/login\""));
}
