//! Shared helpers: a simulator on a free loopback port replaying the real
//! BTCUSDT 1m (USD-M) and ETHUSDT 1h (spot) series, a signing HTTP client,
//! and polling with a timeout (no bare sleeps).

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;
use smc_venue_sim::{KeyConfig, MarketSource, RunningSim, SimConfig};
use std::path::PathBuf;
use std::time::Duration;

pub const KEY: &str = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A";
pub const SECRET: &str = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";

pub fn testdata(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../testdata/market")
        .join(rel)
}

pub fn config() -> SimConfig {
    SimConfig {
        markets: vec![
            MarketSource {
                path: testdata("binance-usdm/BTCUSDT-1m.csv"),
                symbol: "BTCUSDT".into(),
            },
            MarketSource {
                path: testdata("binance-spot/ETHUSDT-1h.csv"),
                symbol: "ETHUSDT".into(),
            },
        ],
        keys: vec![KeyConfig {
            key: KEY.into(),
            secret: SECRET.into(),
            withdrawals: false,
            transfers: false,
        }],
        speed: 2.0,
        ..SimConfig::default()
    }
}

pub struct Sim {
    pub sim: RunningSim,
    pub http: reqwest::Client,
}

/// An HTTP answer: status, headers and JSON body.
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn code(&self) -> i64 {
        self.body["code"].as_i64().unwrap_or(0)
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
}

pub fn now_ms() -> i64 {
    use smc_model::Clock;
    (smc_model::WallClock.now()).ms()
}

pub async fn start(config: SimConfig) -> Sim {
    let sim = smc_venue_sim::start(config)
        .await
        .expect("simulator starts");
    Sim {
        sim,
        http: reqwest::Client::new(),
    }
}

impl Sim {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.sim.base_url(), path)
    }

    pub fn ws(&self, path: &str) -> String {
        format!("ws://{}{}", self.sim.addr, path)
    }

    pub async fn send(
        &self,
        method: &str,
        path: &str,
        query: &str,
        body: &str,
        key: Option<&str>,
    ) -> Reply {
        let url = if query.is_empty() {
            self.url(path)
        } else {
            format!("{}?{}", self.url(path), query)
        };
        let mut req = self.http.request(method.parse().unwrap(), url);
        if let Some(k) = key {
            req = req.header("X-MBX-APIKEY", k);
        }
        if !body.is_empty() {
            req = req
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(body.to_string());
        }
        let resp = req.send().await.expect("request reaches the simulator");
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
        self.send("GET", path, query, "", None).await
    }

    /// A signed request with `params` in the query string (GET, DELETE) or
    /// the body (POST), timestamp now.
    pub async fn signed(&self, method: &str, path: &str, params: &str) -> Reply {
        let payload = format!(
            "{params}{}timestamp={}",
            if params.is_empty() { "" } else { "&" },
            now_ms()
        );
        let sig = smc_venue_sim::auth::sign(SECRET, payload.as_bytes());
        let full = format!("{payload}&signature={sig}");
        if method == "POST" {
            self.send(method, path, "", &full, Some(KEY)).await
        } else {
            self.send(method, path, &full, "", Some(KEY)).await
        }
    }

    /// The last replayed close of `symbol`.
    pub async fn price(&self, symbol: &str) -> rust_decimal::Decimal {
        let r = self
            .public("/api/v3/ticker/price", &format!("symbol={symbol}"))
            .await;
        r.body["price"].as_str().unwrap().parse().unwrap()
    }

    pub async fn set_faults(&self, spec: &str) -> Reply {
        self.send("PUT", "/__sim/faults", "", spec, None).await
    }
}

/// Polls `f` every 20 ms until it returns `Some`, for at most `secs`.
pub async fn eventually<T, F, Fut>(secs: u64, mut f: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(v) = f().await {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "condition not met within {secs} s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
