//! Shared helpers of the OANDA protocol tests: a simulator speaking OANDA
//! v20 on a free loopback port replaying the bundled EUR_USD daily bid
//! series, a bearer-token client, and the recorded oandapyV20 fixtures.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use serde_json::{Value, json};
use smc_venue_sim::{KeyConfig, MarketSource, Protocol, RunningSim, SimConfig};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

pub const TOKEN: &str = "test-oanda-token-0123456789abcdef";
pub const OTHER: &str = "other-oanda-token";
/// The account of [`TOKEN`] (the first token in sorted order is `OTHER`).
pub const ACCOUNT: &str = "101-001-1000002-001";
pub const OTHER_ACCOUNT: &str = "101-001-1000001-001";

pub fn config(speed: f64, faults: &str) -> SimConfig {
    let key = |k: &str| KeyConfig {
        key: k.into(),
        secret: String::new(),
        withdrawals: false,
        transfers: false,
    };
    SimConfig {
        protocol: Protocol::Oanda,
        markets: vec![MarketSource {
            path: PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../testdata/market/oanda/EURUSD-1d.csv"),
            symbol: "EUR_USD".into(),
        }],
        keys: vec![key(TOKEN), key(OTHER)],
        speed,
        faults: faults.into(),
        ..SimConfig::default()
    }
}

pub async fn start(speed: f64, faults: &str) -> RunningSim {
    smc_venue_sim::start(config(speed, faults)).await.unwrap()
}

pub struct Client {
    pub base: String,
    pub http: reqwest::Client,
    pub token: String,
}

impl Client {
    pub fn new(sim: &RunningSim) -> Self {
        Client {
            base: sim.base_url(),
            http: reqwest::Client::new(),
            token: TOKEN.into(),
        }
    }

    pub fn acct(&self, rest: &str) -> String {
        format!("/v3/accounts/{ACCOUNT}{rest}")
    }

    pub async fn send(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let url = format!("{}{}", self.base, path);
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut r = self
            .http
            .request(m, url)
            .header("Authorization", format!("Bearer {}", self.token));
        if let Some(b) = body {
            r = r.json(&b);
        }
        let resp = r.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(json!({"raw": text})),
        )
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.send("GET", path, None).await
    }

    pub async fn order(&self, order: Value) -> (u16, Value) {
        self.send(
            "POST",
            &self.acct("/orders"),
            Some(json!({ "order": order })),
        )
        .await
    }

    /// Polls GET `path` until `pred` holds (at most `secs` seconds).
    pub async fn wait_for(&self, path: &str, secs: u64, pred: impl Fn(&Value) -> bool) -> Value {
        let end = tokio::time::Instant::now() + Duration::from_secs(secs);
        loop {
            let (_, v) = self.get(path).await;
            if pred(&v) || tokio::time::Instant::now() > end {
                return v;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

pub fn dec(v: &Value) -> rust_decimal::Decimal {
    v.as_str().unwrap().parse().unwrap()
}

/// A recorded oandapyV20 response.
pub fn fixture(name: &str) -> Value {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/oanda")
        .join(name);
    let v: Value = serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap();
    v["response"].clone()
}

pub fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

/// Reads lines of a chunked JSON-lines stream until `n` lines or `secs`.
pub async fn stream_lines(resp: &mut reqwest::Response, n: usize, secs: u64) -> Vec<Value> {
    let mut buf = String::new();
    let mut out = Vec::new();
    let end = tokio::time::Instant::now() + Duration::from_secs(secs);
    while out.len() < n {
        let left = end.saturating_duration_since(tokio::time::Instant::now());
        let Ok(Ok(Some(chunk))) = tokio::time::timeout(left, resp.chunk()).await else {
            break;
        };
        buf.push_str(&String::from_utf8_lossy(&chunk));
        while let Some(i) = buf.find('\n') {
            let line: String = buf.drain(..=i).collect();
            out.push(serde_json::from_str(line.trim()).unwrap());
        }
    }
    out
}
