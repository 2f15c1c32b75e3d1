//! Shared helpers of the Bybit protocol tests: a simulator speaking Bybit v5
//! on a free loopback port replaying the real BTCUSDT 1m series, requests
//! signed in the test by Bybit's rule (shared/research/exchange_vectors.md
//! section 3: hex HMAC-SHA256 of timestamp + key + recvWindow + payload), and
//! the key sets of the recorded Bybit fixtures.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use hmac::{Hmac, KeyInit, Mac};
use serde_json::Value;
use sha2::Sha256;
use smc_venue_sim::{KeyConfig, MarketSource, Protocol, RunningSim, SimConfig};
use std::collections::BTreeSet;
use std::path::PathBuf;

pub const KEY: &str = "TESTBYBITKEY000001";
pub const SECRET: &str = "TESTBYBITSECRET0000000000000000000001";
pub const WITHDRAW_KEY: &str = "TESTBYBITWITHDRAW01";

pub fn now_ms() -> i64 {
    use smc_model::Clock;
    (smc_model::WallClock.now()).ms()
}

pub fn hmac_hex(secret: &str, payload: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(payload.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

pub fn config(speed: f64) -> SimConfig {
    SimConfig {
        markets: vec![MarketSource {
            path: PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../testdata/market/binance-usdm/BTCUSDT-1m.csv"),
            symbol: "BTCUSDT".into(),
        }],
        keys: vec![
            KeyConfig {
                key: KEY.into(),
                secret: SECRET.into(),
                withdrawals: false,
                transfers: false,
            },
            KeyConfig {
                key: WITHDRAW_KEY.into(),
                secret: SECRET.into(),
                withdrawals: true,
                transfers: false,
            },
        ],
        speed,
        protocol: Protocol::Bybit,
        ..SimConfig::default()
    }
}

pub struct Sim {
    pub sim: RunningSim,
    pub http: reqwest::Client,
}

/// An answer: HTTP status, headers, JSON body.
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn code(&self) -> i64 {
        self.body["retCode"].as_i64().unwrap_or(-999)
    }

    pub fn result(&self) -> &Value {
        &self.body["result"]
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
}

pub async fn start(speed: f64) -> Sim {
    let sim = smc_venue_sim::start(config(speed)).await.expect("starts");
    Sim {
        sim,
        http: reqwest::Client::new(),
    }
}

/// How a private request is signed.
#[derive(Clone, Copy)]
pub struct Signing<'a> {
    pub key: &'a str,
    pub secret: &'a str,
    /// Milliseconds added to now for the timestamp.
    pub skew: i64,
}

pub const GOOD: Signing = Signing {
    key: KEY,
    secret: SECRET,
    skew: 0,
};

impl Sim {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.sim.base_url(), path)
    }

    pub fn ws(&self, path: &str) -> String {
        format!("ws://{}{}", self.sim.addr, path)
    }

    async fn reply(resp: reqwest::Response) -> Reply {
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn public(&self, path: &str, query: &str) -> Reply {
        let url = format!("{}?{query}", self.url(path));
        Self::reply(self.http.get(url).send().await.unwrap()).await
    }

    fn headers(s: Signing, payload: &str) -> Vec<(&'static str, String)> {
        let ts = (now_ms() + s.skew).to_string();
        let sign = hmac_hex(s.secret, &format!("{ts}{}5000{payload}", s.key));
        vec![
            ("X-BAPI-API-KEY", s.key.to_string()),
            ("X-BAPI-TIMESTAMP", ts),
            ("X-BAPI-RECV-WINDOW", "5000".into()),
            ("X-BAPI-SIGN", sign),
            ("X-BAPI-SIGN-TYPE", "2".into()),
        ]
    }

    /// A signed GET with `query` as sent.
    pub async fn get_as(&self, s: Signing<'_>, path: &str, query: &str) -> Reply {
        let mut req = self.http.get(format!("{}?{query}", self.url(path)));
        for (k, v) in Self::headers(s, query) {
            req = req.header(k, v);
        }
        Self::reply(req.send().await.unwrap()).await
    }

    /// A signed POST of the JSON `body` as sent.
    pub async fn post_as(&self, s: Signing<'_>, path: &str, body: &str) -> Reply {
        let mut req = self
            .http
            .post(self.url(path))
            .header("Content-Type", "application/json")
            .body(body.to_string());
        for (k, v) in Self::headers(s, body) {
            req = req.header(k, v);
        }
        Self::reply(req.send().await.unwrap()).await
    }

    pub async fn get(&self, path: &str, query: &str) -> Reply {
        self.get_as(GOOD, path, query).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.post_as(GOOD, path, &body.to_string()).await
    }

    /// The last replayed close of BTCUSDT.
    pub async fn last(&self) -> rust_decimal::Decimal {
        let r = self
            .public("/v5/market/tickers", "category=linear&symbol=BTCUSDT")
            .await;
        r.result()["list"][0]["lastPrice"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap()
    }
}

/// The recorded fixture `name` (tests/fixtures/bybit/NAME.json).
pub fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/bybit")
        .join(format!("{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

/// Asserts every key of `recorded` is in `ours` (what: for the message).
pub fn has_keys_of(what: &str, ours: &Value, recorded: &Value) {
    let missing: Vec<String> = keys(recorded).difference(&keys(ours)).cloned().collect();
    assert!(missing.is_empty(), "{what}: missing {missing:?} in {ours}");
}
