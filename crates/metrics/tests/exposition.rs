//! What `Metrics::render` shows of the server's own calls, the histogram
//! buckets, the process metrics and the exposition format.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use smc_metrics::{CANDLE_TO_ORDER_BUCKETS, CONTENT_TYPE, Metrics};
use smc_model::Side;
use std::time::Duration;

#[test]
fn histogram_buckets_span_ten_microseconds_to_a_second() {
    let m = Metrics::new();
    m.candle_to_order("s1", Duration::from_micros(30));
    m.candle_to_order("s1", Duration::from_millis(2));
    m.candle_to_order("s1", Duration::from_secs(3));
    let t = m.render();
    let buckets: Vec<(f64, f64)> = samples(&t)
        .into_iter()
        .filter(|s| s.name == "smc_candle_to_order_seconds_bucket")
        .map(|s| (s.labels["le"].parse::<f64>().unwrap(), s.value))
        .collect();
    let bounds: Vec<f64> = buckets.iter().map(|b| b.0).collect();
    let mut want = CANDLE_TO_ORDER_BUCKETS.to_vec();
    want.push(f64::INFINITY);
    assert_eq!(bounds, want);
    assert_eq!((want[0], want[want.len() - 2]), (1e-5, 1.0));
    let at = |le: f64| buckets.iter().find(|b| b.0 == le).unwrap().1;
    assert_eq!(at(2.5e-5), 0.0);
    assert_eq!(at(5e-5), 1.0);
    assert_eq!(at(0.0025), 2.0);
    assert_eq!(at(1.0), 2.0);
    assert_eq!(at(f64::INFINITY), 3.0);
    assert_eq!(
        value(
            &t,
            "smc_candle_to_order_seconds_count",
            &[("session", "s1")]
        ),
        Some(3.0)
    );
    let sum = value(&t, "smc_candle_to_order_seconds_sum", &[("session", "s1")]).unwrap();
    assert!((sum - 3.00203).abs() < 1e-9, "{sum}");
}

#[test]
fn api_requests_are_counted_by_template_method_and_status() {
    let m = Metrics::new();
    m.api_request(
        "/api/v1/sessions/{id}",
        "get",
        200,
        Duration::from_micros(50),
    );
    m.api_request(
        "/api/v1/sessions/{id}",
        "GET",
        404,
        Duration::from_millis(7),
    );
    m.api_request("/api/v1/sessions/{id}", "BREW", 405, Duration::from_secs(9));
    let t = m.render();
    let req = |method, status| {
        value(
            &t,
            "smc_api_requests_total",
            &[
                ("route", "/api/v1/sessions/{id}"),
                ("method", method),
                ("status", status),
            ],
        )
    };
    assert_eq!(req("GET", "200"), Some(1.0));
    assert_eq!(req("GET", "404"), Some(1.0));
    assert_eq!(req("OTHER", "405"), Some(1.0));
    let le = |le| {
        value(
            &t,
            "smc_api_request_duration_seconds_bucket",
            &[
                ("route", "/api/v1/sessions/{id}"),
                ("method", "GET"),
                ("le", le),
            ],
        )
    };
    assert_eq!(le("0.0001"), Some(1.0));
    assert_eq!(le("5"), Some(2.0));
    let over = [
        ("route", "/api/v1/sessions/{id}"),
        ("method", "OTHER"),
        ("le", "5"),
    ];
    assert_eq!(
        value(&t, "smc_api_request_duration_seconds_bucket", &over),
        Some(0.0)
    );
}

#[test]
fn server_side_gauges_follow_their_calls() {
    let m = Metrics::new();
    m.ws_clients(1);
    m.ws_clients(1);
    m.ws_clients(-1);
    m.ws_dropped("lagged");
    m.set_sessions([("paper", "running", 2), ("live", "running", 1)]);
    m.set_sessions([("paper", "running", 1), ("paper", "stopped", 1)]);
    m.set_backtest_jobs([("queued", 3)]);
    m.set_backtest_jobs([("running", 1)]);
    let t = m.render();
    assert_eq!(value(&t, "smc_ws_clients", &[]), Some(1.0));
    assert_eq!(
        value(&t, "smc_ws_dropped_clients_total", &[("reason", "lagged")]),
        Some(1.0)
    );
    let sessions = |mode, state| value(&t, "smc_sessions", &[("mode", mode), ("state", state)]);
    assert_eq!(sessions("paper", "running"), Some(1.0));
    assert_eq!(sessions("paper", "stopped"), Some(1.0));
    // Counted before, absent now: zero, not a stale 1.
    assert_eq!(sessions("live", "running"), Some(0.0));
    assert_eq!(
        value(&t, "smc_backtest_jobs", &[("state", "queued")]),
        Some(0.0)
    );
    assert_eq!(
        value(&t, "smc_backtest_jobs", &[("state", "running")]),
        Some(1.0)
    );
}

#[test]
fn clones_share_one_registry_and_the_content_type_matches_the_format() {
    let m = Metrics::new();
    fn shared<T: Send + Sync + Clone + 'static>(_: &T) {}
    shared(&m);
    m.clone().observe("s1", &submitted("BTCUSDT", Side::Sell));
    let orders = [("session", "s1"), ("symbol", "BTCUSDT"), ("side", "sell")];
    assert_eq!(value(&m.render(), "smc_orders_total", &orders), Some(1.0));
    assert_eq!(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
    assert!(
        !m.render().contains("# EOF"),
        "0.0.4 text has no EOF marker"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn process_metrics_are_read_from_proc() {
    let t = Metrics::new().render();
    let v = |name| value(&t, name, &[]).unwrap_or_else(|| panic!("{name} missing:\n{t}"));
    assert!(v("process_resident_memory_bytes") > 1e5);
    assert!(v("process_virtual_memory_bytes") >= v("process_resident_memory_bytes"));
    assert!(v("process_threads") >= 1.0);
    assert!(v("process_open_fds") >= 3.0);
    assert!(v("process_cpu_seconds_total") >= 0.0);
    // After 2020 and not in the future by a year.
    let start = v("process_start_time_seconds");
    assert!(start > 1.6e9 && start < 4.0e9, "{start}");
    assert!(t.contains("# TYPE process_cpu_seconds_total counter"));
}
