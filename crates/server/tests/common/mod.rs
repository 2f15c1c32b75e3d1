//! An in-process `smc serve` on a free loopback port with its own
//! database and config in a temporary folder, and a blocking client.

#![allow(dead_code)]

use reqwest::blocking::{Client, RequestBuilder, Response};
use serde_json::{Value, json};
use smc_server::{AppState, ServeOptions, build_state};
use std::path::PathBuf;

pub const ADMIN_PASSWORD: &str = "correct horse battery staple";
pub const PASSWORD: &str = "a long enough password";

pub struct Server {
    pub base: String,
    pub state: AppState,
    pub dir: tempfile::TempDir,
    pub http: Client,
    runtime: Option<tokio::runtime::Runtime>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

/// Starts a server on the default config (plus the test folders).
pub fn start() -> Server {
    start_with("", "")
}

/// Starts a server whose config is `top` with `api` (indented keys) in
/// its `api` section, plus the test folders.
pub fn start_with(top: &str, api: &str) -> Server {
    start_in(tempfile::tempdir().unwrap(), top, api)
}

/// As [`start_with`], in `dir` (which may already hold files the config
/// names, such as `api.tls`'s). With `api.tls` the base is `https://` and
/// `http` should be replaced by a client that trusts the certificate.
pub fn start_in(dir: tempfile::TempDir, top: &str, api: &str) -> Server {
    start_on(dir, top, api, None)
}

/// As [`start_in`], on the database at `db` when given (a `postgres://`
/// URL), else on a SQLite file in `dir`.
pub fn start_on(dir: tempfile::TempDir, top: &str, api: &str, db: Option<&str>) -> Server {
    let data = smc_testkit::root().join("testdata/market");
    let config = format!(
        "{top}\napi:\n  data_dir: {}\n  sessions_dir: {}\n{api}\n",
        data.display(),
        dir.path().join("sessions").display(),
    );
    let path = dir.path().join("config.yaml");
    std::fs::write(&path, config).unwrap();
    let options = ServeOptions {
        config: Some(path),
        db: Some(
            db.map(str::to_string)
                .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("server.db").display())),
        ),
        admin_password: Some(ADMIN_PASSWORD.into()),
        ..ServeOptions::default()
    };
    let (state, generated) = build_state(&options).unwrap();
    assert!(generated.is_none());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let scheme = if state.config_read(|c| c.api.tls.is_some()) {
        "https"
    } else {
        "http"
    };
    let base = format!("{scheme}://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    runtime.spawn(smc_server::serve(state.clone(), listener, async move {
        let _ = rx.await;
    }));
    Server {
        base,
        state,
        dir,
        http: Client::new(),
        runtime: Some(runtime),
        stop: Some(tx),
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(std::time::Duration::from_secs(10));
        }
    }
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn get(&self, path: &str, token: &str) -> Response {
        self.http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .unwrap()
    }

    pub fn post(&self, path: &str, token: &str, body: Value) -> Response {
        self.http
            .post(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .unwrap()
    }

    pub fn request(&self, method: &str, path: &str) -> RequestBuilder {
        self.http.request(method.parse().unwrap(), self.url(path))
    }

    pub fn login_response(&self, username: &str, password: &str, totp: Option<&str>) -> Response {
        let mut body = json!({"username": username, "password": password});
        if let Some(code) = totp {
            body["totp"] = json!(code);
        }
        self.http
            .post(self.url("/api/v1/auth/login"))
            .json(&body)
            .send()
            .unwrap()
    }

    /// Signs in; the token pair.
    pub fn login(&self, username: &str, password: &str) -> Value {
        let r = self.login_response(username, password, None);
        assert_eq!(r.status(), 200, "login of {username}");
        r.json().unwrap()
    }

    pub fn admin_token(&self) -> String {
        self.login("admin", ADMIN_PASSWORD)["access_token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Creates `username` with `role` (as admin); their access token.
    pub fn user_token(&self, admin: &str, username: &str, role: &str) -> String {
        let r = self.post(
            "/api/v1/users",
            admin,
            json!({"username": username, "password": PASSWORD, "role": role}),
        );
        assert_eq!(r.status(), 201, "creating {username}");
        self.login(username, PASSWORD)["access_token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Starts a paper sma_cross session on BTCUSDT minutes against the
    /// simulator at `venue`; its id.
    pub fn start_paper(&self, token: &str, venue: &str) -> String {
        let body = json!({
            "mode": "paper", "strategy": "sma_cross", "symbols": ["BTCUSDT"], "timeframes": ["1m"],
            "venue_urls": {"binance": venue}
        });
        let r = self.post("/api/v1/sessions", token, body);
        assert_eq!(r.status(), 201);
        r.json::<Value>().unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub fn db_path(&self) -> PathBuf {
        self.dir.path().join("server.db")
    }
}

/// The error code of a JSON error answer.
pub fn error_code(r: Response) -> String {
    let v: Value = r.json().unwrap();
    v["error"].as_str().unwrap_or_default().to_string()
}

/// Polls `done` every 50 ms until it holds; fails the test after `timeout`.
pub fn wait_for(what: &str, timeout: std::time::Duration, mut done: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !done() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
