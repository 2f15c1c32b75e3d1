//! Request rate limits (429 with Retry-After) and login throttling.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{ADMIN_PASSWORD, error_code, start, start_with};
use std::time::Duration;

#[test]
fn a_caller_past_its_burst_gets_429_with_retry_after() {
    let s = start_with("", "  rate_limit:\n    per_second: 1\n    burst: 1000\n");
    let token = s.admin_token();
    let mut limited = None;
    for i in 0..1100 {
        let r = s.get("/api/v1/status", &token);
        if r.status() == 429 {
            limited = Some((i, r));
            break;
        }
    }
    let (i, r) = limited.expect("no 429 within 1,100 requests");
    assert!(i >= 990, "limited after only {i} requests");
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry), "Retry-After {retry}");
    assert_eq!(error_code(r), "rate_limited");
}

#[test]
fn five_failed_logins_lock_the_name_out_for_the_window() {
    let s = start();
    for _ in 0..5 {
        assert_eq!(
            s.login_response("admin", "wrong password!!", None).status(),
            401
        );
    }
    let r = s.login_response("admin", ADMIN_PASSWORD, None);
    assert_eq!(r.status(), 429, "even the right password waits");
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 14 * 60 && retry <= 15 * 60, "Retry-After {retry}");
    s.state.clock.advance(Duration::from_secs(15 * 60));
    assert_eq!(
        s.login_response("admin", ADMIN_PASSWORD, None).status(),
        200
    );
}
