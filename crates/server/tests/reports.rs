//! `GET /api/v1/reports/daily` and `/weekly` on `smc serve`: a paper
//! session hosted through the API against the venue simulator is reported
//! as the library reports its journal (JSON), as an HTML page with its
//! chart and `Content-Type: text/html`, to any role that reads sessions
//! (viewer included) and to nobody without credentials; bad input is a
//! 422 naming the field, an unknown session a 404. A replica (`smc serve
//! --replica`, Redis between them) reports the primary's sessions.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{ADMIN_PASSWORD, error_code, start_with, wait_for};
use serde_json::{Value, json};
use smc_runtime::period_report::{PeriodKind, ReportOptions, Tz, period_report_with};
use smc_testkit::local_day::one_local_day;
use smc_testkit::sim::TestSim;
use std::time::Duration;

const SMA_CROSS: &str = "backtest:\n  strategy: sma_cross\n  timeframes: [\"1m\"]\n  instrument:\n    venue: binance\n    symbol: BTCUSDT\n    tick_size: 0.1\n    lot_size: 0.001\n    min_qty: 0.001\n    min_notional: 5\nrisk_manager:\n  max_position_size: 1000.0\n  max_daily_loss: 5000.0\n";

#[test]
fn reports_of_a_hosted_paper_session() {
    let sim = TestSim::btcusdt(300.0, "");
    let s = start_with(SMA_CROSS, "");
    let admin = s.admin_token();
    let viewer = s.user_token(&admin, "viewer1", "viewer");
    let body = json!({"mode": "paper", "strategy": "sma_cross", "symbols": ["BTCUSDT"],
                      "timeframes": ["1m"], "venue_urls": {"binance": sim.addr}, "max_bars": 300});
    let r = s.post("/api/v1/sessions", &admin, body);
    assert_eq!(r.status(), 201);
    let id = r.json::<Value>().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    wait_for("the session to stop", Duration::from_secs(90), || {
        let list: Value = s.get("/api/v1/sessions", &admin).json().unwrap();
        list.as_array()
            .unwrap()
            .iter()
            .any(|x| x["id"] == id.as_str() && x["state"] == "stopped")
    });
    // The session's day, from its candles.
    let candles: Value = s
        .get("/api/v1/candles?symbol=BTCUSDT&limit=5000", &admin)
        .json()
        .unwrap();
    let times: Vec<i64> = candles
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["open_time"].as_i64().unwrap())
        .collect();
    let (date, tz) = session_day(times[0], times[times.len() - 1]);
    let zone = format!("&timezone={}", tz.name().replace('+', "%2B"));

    // JSON: the library's figures of the session's journal.
    let path = format!("/api/v1/reports/daily?date={date}&format=json{zone}");
    let r = s.get(&path, &viewer);
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let v: Value = r.json().unwrap();
    assert_eq!(v["kind"], "daily");
    assert_eq!(v["period"], date.to_string());
    let sessions = v["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0]["session"], id.as_str());
    let url = smc_server::state::session_journal_url(&s.state, &id);
    let options = ReportOptions {
        starting_cash: Some(rust_decimal::Decimal::from(10_000)),
        source: Some(format!("session {id}")),
        ..ReportOptions::default()
    };
    let library = period_report_with(&url, PeriodKind::Daily, date, tz, &options).unwrap();
    assert!(library.figures.trades.fills > 0, "the session traded");
    assert_eq!(
        sessions[0]["figures"],
        serde_json::to_value(&library.figures).unwrap()
    );

    // HTML (the default): one section per session, the chart, the figures.
    let r = s.get(
        &format!("/api/v1/reports/weekly?date={date}{zone}"),
        &viewer,
    );
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"].to_str().unwrap(),
        "text/html; charset=utf-8"
    );
    let html = r.text().unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains(&format!("Session {id}")));
    assert!(html.contains("<svg"));
    let total = format!(
        "{:.2}",
        library
            .figures
            .pnl
            .total
            .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
    );
    assert!(html.contains(&total), "{total}");

    // session=ID narrows; an unknown one is a 404.
    let r = s.get(
        &format!("/api/v1/reports/daily?date={date}&session={id}&format=json{zone}"),
        &admin,
    );
    assert_eq!(
        r.json::<Value>().unwrap()["sessions"][0]["session"],
        id.as_str()
    );
    let r = s.get("/api/v1/reports/daily?date=2026-12-07&session=nope", &admin);
    assert_eq!(r.status(), 404);

    // Bad input names its field.
    for (query, field) in [
        ("date=2026-02-30", "date"),
        ("date=2026-12-07&timezone=Mars/Base", "timezone"),
        ("date=2026-12-07&format=pdf", "format"),
    ] {
        let r = s.get(&format!("/api/v1/reports/daily?{query}"), &admin);
        assert_eq!(r.status(), 422, "{query}");
        let v: Value = r.json().unwrap();
        assert_eq!(v["field"], field, "{query}");
    }
    // No credentials, no report.
    let r = s
        .http
        .get(s.url(&format!("/api/v1/reports/daily?date={date}")))
        .send()
        .unwrap();
    assert_eq!(error_code(r), "missing_credentials");

    // The OpenAPI document describes both routes.
    let doc: Value = s
        .http
        .get(s.url("/api/openapi.json"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    for kind in ["daily", "weekly"] {
        let op = &doc["paths"][format!("/api/v1/reports/{kind}")]["get"];
        assert!(
            op["responses"]["200"]["content"]["text/html"].is_object(),
            "{op}"
        );
        assert!(op["responses"]["422"].is_object());
    }
}

#[test]
fn a_replica_reports_the_sessions_the_primary_hosts() {
    let Some(redis) = smc_testkit::redis::RedisServer::start() else {
        return;
    };
    let sim = TestSim::btcusdt(50.0, "");
    let top = format!("{SMA_CROSS}storage:\n  redis_url: \"{}\"\n", redis.url());
    let primary = start_with(&top, "");
    let token = primary.admin_token();
    let id = primary.start_paper(&token, &sim.addr);
    wait_for("a fill on the primary", Duration::from_secs(90), || {
        let trades: Value = primary.get("/api/v1/trades", &token).json().unwrap();
        !trades.as_array().unwrap().is_empty()
    });

    // `smc serve --replica` on the primary's config and database.
    let options = smc_server::ServeOptions {
        config: Some(primary.dir.path().join("config.yaml")),
        db: Some(format!("sqlite://{}", primary.db_path().display())),
        admin_password: Some(ADMIN_PASSWORD.into()),
        replica: true,
        ..smc_server::ServeOptions::default()
    };
    let (state, _) = smc_server::build_state(&options).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    runtime.spawn(smc_server::serve(state, listener, async move {
        let _ = stopped.await;
    }));
    let http = reqwest::blocking::Client::new();
    let login: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let replica_token = login["access_token"].as_str().unwrap().to_string();
    // The session's candles are stamped by the simulator's clock: report
    // the day of its first one.
    let candles: Value = primary
        .get("/api/v1/candles?symbol=BTCUSDT&limit=5000", &token)
        .json()
        .unwrap();
    let first = candles[0]["open_time"].as_i64().unwrap();
    let (y, m, d) = smc_model::time::civil_from_days(first.div_euclid(86_400_000));
    let day = format!("{y}-{m:02}-{d:02}");
    let path = format!("/api/v1/reports/daily?date={day}&format=json");
    let r = http
        .get(format!("{base}{path}"))
        .bearer_auth(&replica_token)
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-smc-role"], "replica");
    let v: Value = r.json().unwrap();
    let sessions = v["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 1, "{v}");
    assert_eq!(sessions[0]["session"], id.as_str());
    assert!(sessions[0]["figures"]["trades"]["fills"].as_u64().unwrap() >= 1);
    let _ = stop.send(());
    runtime.shutdown_timeout(Duration::from_secs(10));
}

/// The day holding a session's candles from `first` to `last` (epoch ms),
/// and the zone it is a day of (see `smc_testkit::local_day`: in UTC an
/// evening session spans two days).
fn session_day(first: i64, last: i64) -> (smc_runtime::period_report::NaiveDate, Tz) {
    let day = one_local_day(first, last).expect("a zone holding the session in one day");
    let date = smc_runtime::period_report::parse_date(&day.date).unwrap();
    (date, day.zone.parse().unwrap())
}
