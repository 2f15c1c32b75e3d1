//! `smc serve --replica` against a real `redis-server`: a primary hosting
//! a paper session on the venue simulator writes its state to Redis; a
//! replica on the same server database reads it back. The replica's
//! positions, open orders, fills and P&L equal the primary's answers and
//! the session's journal; session-changing requests on the replica answer
//! 409; with Redis killed the session trades on and the replica answers
//! 503, and once Redis is back the replica catches up. The same on a
//! shared SQLite file and on a shared PostgreSQL database (the layout of
//! replicas on several machines).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{ADMIN_PASSWORD, Server, start_on, start_with, wait_for};
use reqwest::blocking::Client;
use rust_decimal::Decimal;
use serde_json::{Value, json};
use smc_server::{AppState, ServeOptions, build_state};
use smc_testkit::postgres::Cluster;
use smc_testkit::redis::RedisServer;
use smc_testkit::sim::TestSim;
use std::time::Duration;

const CONFIG: &str = "backtest:\n  strategy: sma_cross\n  timeframes: [\"1m\"]\n  instrument:\n    venue: binance\n    symbol: BTCUSDT\n    tick_size: 0.1\n    lot_size: 0.001\n    min_qty: 0.001\n    min_notional: 5\nrisk_manager:\n  max_position_size: 1000.0\n  max_daily_loss: 5000.0\n";

const LONG: Duration = Duration::from_secs(60);

/// An in-process `smc serve --replica` on the primary's config and database.
struct Replica {
    base: String,
    http: Client,
    _state: AppState,
    runtime: Option<tokio::runtime::Runtime>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Replica {
    /// On the primary's SQLite file.
    fn start(primary: &Server) -> Replica {
        Replica::start_on(primary, None)
    }

    /// On `db` when given (the primary's PostgreSQL URL), else on the
    /// primary's SQLite file.
    fn start_on(primary: &Server, db: Option<&str>) -> Replica {
        let db = db.map_or_else(
            || format!("sqlite://{}", primary.db_path().display()),
            str::to_string,
        );
        let options = ServeOptions {
            config: Some(primary.dir.path().join("config.yaml")),
            db: Some(db),
            admin_password: Some(ADMIN_PASSWORD.into()),
            replica: true,
            ..ServeOptions::default()
        };
        let (state, _) = build_state(&options).unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        runtime.spawn(smc_server::serve(state.clone(), listener, async move {
            let _ = rx.await;
        }));
        Replica {
            base,
            http: Client::new(),
            _state: state,
            runtime: Some(runtime),
            stop: Some(tx),
        }
    }

    fn get(&self, path: &str, token: &str) -> reqwest::blocking::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .unwrap()
    }

    fn get_json(&self, path: &str, token: &str) -> Value {
        let r = self.get(path, token);
        assert_eq!(r.status(), 200, "replica GET {path}");
        assert_eq!(r.headers()["x-smc-role"], "replica");
        r.json().unwrap()
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(Duration::from_secs(10));
        }
    }
}

fn primary_json(s: &Server, path: &str, token: &str) -> Value {
    let r = s.get(path, token);
    assert_eq!(r.status(), 200, "primary GET {path}");
    assert_eq!(r.headers()["x-smc-role"], "primary");
    r.json().unwrap()
}

fn dec(v: &Value) -> Decimal {
    v.as_str().unwrap().parse().unwrap()
}

/// The session reads that must agree, in one answer per route.
const READS: [&str; 4] = [
    "/api/v1/positions",
    "/api/v1/orders",
    "/api/v1/trades",
    "/api/v1/pnl",
];

#[test]
fn a_replica_reads_sessions_from_redis_as_the_primary_and_journal_hold_them() {
    replica_matches_primary_and_journal(None);
}

#[test]
fn a_replica_on_postgres_reads_as_the_primary_and_journal_hold_them() {
    let Some(pg) = Cluster::start() else {
        return;
    };
    replica_matches_primary_and_journal(Some(&pg.database()));
}

/// The whole check, with the server database at `db` (PostgreSQL) or in
/// a SQLite file of the primary's.
fn replica_matches_primary_and_journal(db: Option<&str>) {
    let Some(mut redis) = RedisServer::start() else {
        return;
    };
    let sim = TestSim::btcusdt(50.0, "");
    let top = format!("{CONFIG}storage:\n  redis_url: \"{}\"\n", redis.url());
    let primary = start_on(tempfile::tempdir().unwrap(), &top, "", db);
    let token = primary.admin_token();
    let session = primary.start_paper(&token, &sim.addr);

    // A filled market order and a resting limit order.
    let market = json!({"session": session, "symbol": "BTCUSDT", "side": "buy", "type": "market", "qty": "0.002"});
    wait_for("the first accepted order", LONG, || {
        primary
            .post("/api/v1/orders", &token, market.clone())
            .status()
            == 201
    });
    let limit = json!({"session": session, "symbol": "BTCUSDT", "side": "buy", "type": "limit", "qty": "0.01", "price": "1000"});
    assert_eq!(primary.post("/api/v1/orders", &token, limit).status(), 201);
    wait_for("a fill and an open order on the primary", LONG, || {
        let trades = primary_json(&primary, "/api/v1/trades", &token);
        let orders = primary_json(&primary, "/api/v1/orders", &token);
        !trades.as_array().unwrap().is_empty() && !orders.as_array().unwrap().is_empty()
    });

    let replica = Replica::start_on(&primary, db);
    // The replica signs in against the shared server database.
    let r = replica
        .http
        .post(format!("{}/api/v1/auth/login", replica.base))
        .json(&json!({"username": "admin", "password": ADMIN_PASSWORD}))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let rtoken = r.json::<Value>().unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let health = replica.get_json("/healthz", &rtoken);
    assert_eq!(health["role"], "replica");
    assert_eq!(health["cache"], "up");

    // While the session runs: the replica's fills and open orders catch up
    // with the primary's (within the publisher's 100 ms).
    wait_for("the replica's fills and orders", LONG, || {
        ["/api/v1/trades", "/api/v1/orders"]
            .iter()
            .all(|p| replica.get_json(p, &rtoken) == primary_json(&primary, p, &token))
    });
    let listed = replica.get_json("/api/v1/sessions", &rtoken);
    let listed: Vec<&Value> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["id"] == session.as_str())
        .collect();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["state"], "running");

    // What needs the hosting process is refused, saying why.
    for (method, path, body) in [
        (
            "POST",
            "/api/v1/orders".to_string(),
            json!({"session": session, "symbol": "BTCUSDT", "side": "buy", "type": "market", "qty": "0.001"}),
        ),
        ("DELETE", format!("/api/v1/sessions/{session}"), Value::Null),
        ("POST", "/api/v1/sessions".to_string(), json!({})),
    ] {
        let r = replica
            .http
            .request(method.parse().unwrap(), format!("{}{path}", replica.base))
            .bearer_auth(&rtoken)
            .json(&body)
            .send()
            .unwrap();
        assert_eq!(r.status(), 409, "{method} {path}");
        assert_eq!(r.headers()["x-smc-role"], "replica");
        let e: Value = r.json().unwrap();
        assert_eq!(e["error"], "replica_read_only");
        assert!(e["message"].as_str().unwrap().contains("X-SMC-Role"), "{e}");
    }

    // Redis killed: the session trades on, the replica answers 503.
    redis.kill();
    let candle_time = |s: &Server| -> i64 {
        let system = primary_json(s, "/api/v1/system", &token);
        system["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["id"] == session.as_str())
            .and_then(|x| x["last_candle_time"].as_i64())
            .unwrap_or(0)
    };
    let before = candle_time(&primary);
    wait_for("candles after Redis died", LONG, || {
        candle_time(&primary) >= before + 5 * 60_000
    });
    for path in READS {
        let r = replica.get(path, &rtoken);
        assert_eq!(r.status(), 503, "{path}");
        let e: Value = r.json().unwrap();
        assert_eq!(e["error"], "cache_unavailable");
        assert!(e["message"].as_str().unwrap().contains("Redis"), "{e}");
        assert_eq!(primary.get(path, &token).status(), 200);
    }
    assert_eq!(replica.get_json("/healthz", &rtoken)["cache"], "down");

    // Redis back (empty): the primary's writer fills it again.
    redis.restart();
    wait_for("the session back in Redis", LONG, || {
        let r = replica.get("/api/v1/sessions", &rtoken);
        r.status() == 200
            && r.json::<Value>()
                .unwrap()
                .as_array()
                .is_some_and(|a| !a.is_empty())
    });

    // Stopped, the session holds still: every read matches exactly.
    let r = primary
        .request("DELETE", &format!("/api/v1/sessions/{session}"))
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(r.status(), 204);
    wait_for("the stopped session on the replica", LONG, || {
        let listed = replica.get_json("/api/v1/sessions", &rtoken);
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"] == session.as_str() && s["state"] == "stopped")
    });
    for path in READS {
        assert_eq!(
            replica.get_json(path, &rtoken),
            primary_json(&primary, path, &token),
            "{path}"
        );
    }
    assert_eq!(
        replica.get_json("/api/v1/risk", &rtoken),
        primary_json(&primary, "/api/v1/risk", &token)
    );
    // Figures: a read from Redis against one from the primary's memory.
    let time = |get: &dyn Fn() -> u16| {
        let start = std::time::Instant::now();
        for _ in 0..200 {
            assert_eq!(get(), 200);
        }
        start.elapsed().as_micros() / 200
    };
    let on_replica = time(&|| replica.get("/api/v1/trades", &rtoken).status().as_u16());
    let on_primary = time(&|| primary.get("/api/v1/trades", &token).status().as_u16());
    eprintln!(
        "GET /api/v1/trades: replica (Redis) {on_replica} us, primary (memory) {on_primary} us"
    );

    // History comes from the session's journal on both.
    let candles = "/api/v1/candles?symbol=BTCUSDT&limit=5000";
    let history = replica.get_json(candles, &rtoken);
    assert!(history.as_array().unwrap().len() >= 10, "{history}");
    assert_eq!(history, primary_json(&primary, candles, &token));

    // And the journal holds the same fills and positions.
    let url = smc_server::state::session_journal_url(&primary.state, &session);
    assert_eq!(url.starts_with("postgres"), db.is_some(), "{url}");
    let journal = smc_store::open_journal_reader(&url).unwrap();
    let fills = journal.fills().unwrap();
    let trades = replica.get_json("/api/v1/trades", &rtoken);
    let trades = trades.as_array().unwrap();
    assert!(!fills.is_empty());
    assert_eq!(trades.len(), fills.len().min(1_000));
    for (t, f) in trades.iter().rev().zip(fills.iter().rev()) {
        assert_eq!(t["trade_id"], f.trade_id.as_str());
        assert_eq!(dec(&t["qty"]), f.qty);
        assert_eq!(dec(&t["price"]), f.price);
        assert_eq!(t["session"], session.as_str());
    }
    let held: Vec<_> = journal
        .positions()
        .unwrap()
        .into_iter()
        .filter(|p| !p.qty.is_zero())
        .collect();
    let positions = replica.get_json("/api/v1/positions", &rtoken);
    let positions = positions.as_array().unwrap();
    assert_eq!(positions.len(), held.len());
    assert!(!held.is_empty(), "the market buy is held");
    for (p, h) in positions.iter().zip(&held) {
        assert_eq!(p["instrument"], h.instrument.as_str());
        assert_eq!(dec(&p["qty"]), h.qty);
        assert_eq!(dec(&p["avg_price"]), h.avg_price);
    }
}

#[test]
fn a_replica_needs_redis() {
    let primary = start_with("", "");
    let options = ServeOptions {
        config: Some(primary.dir.path().join("config.yaml")),
        db: Some(format!("sqlite://{}", primary.db_path().display())),
        replica: true,
        ..ServeOptions::default()
    };
    let err = build_state(&options).err().unwrap().to_string();
    assert!(
        err.contains("--replica") && err.contains("storage.redis_url"),
        "{err}"
    );
}

#[test]
fn replicas_share_one_rate_allowance_in_redis() {
    let Some(redis) = RedisServer::start() else {
        return;
    };
    let top = format!("storage:\n  redis_url: \"{}\"\n", redis.url());
    // 1,000 per 1,000 s (burst 1000 at 1 a second) between both servers;
    // apart, each would let its own 1,000 through.
    let api = "  rate_limit:\n    per_second: 1\n    burst: 1000\n";
    let primary = start_with(&top, api);
    let replica = Replica::start(&primary);
    let mut passed = 0;
    let mut refused = 0;
    let start = std::time::Instant::now();
    for i in 0..1_500 {
        let r = if i % 2 == 0 {
            primary.http.get(primary.url("/healthz")).send().unwrap()
        } else {
            replica
                .http
                .get(format!("{}/healthz", replica.base))
                .send()
                .unwrap()
        };
        match r.status().as_u16() {
            200 => passed += 1,
            429 => {
                refused += 1;
                assert!(r.headers().contains_key("retry-after"));
            }
            other => panic!("{other}"),
        }
    }
    eprintln!(
        "GET /healthz with the limit counted in Redis: {} us a request",
        start.elapsed().as_micros() / 1_500
    );
    assert_eq!(passed + refused, 1_500);
    assert_eq!(passed, 1_000, "one allowance for both servers");
}
