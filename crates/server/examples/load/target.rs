//! The server under load: one started in this process (its own temporary
//! database and config, a rate limit too high to throttle the load), or
//! a separately started `smc serve` named by its URL; and the signed-in
//! admin's access token.

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use smc_server::{AppState, ServeOptions, build_state};
use std::net::SocketAddr;

const ADMIN_PASSWORD: &str = "load test admin password";

/// What a paper `sma_cross` session on the simulator's BTCUSDT needs (the
/// orders scenario).
const PAPER: &str = "backtest:\n  strategy: sma_cross\n  timeframes: [\"1m\"]\n  instrument:\n    venue: binance\n    symbol: BTCUSDT\n    tick_size: 0.1\n    lot_size: 0.001\n    min_qty: 0.001\n    min_notional: 5\nrisk_manager:\n  max_position_size: 1000.0\n  max_daily_loss: 5000.0\n";

/// Where to send the load, and with which token.
pub struct Target {
    /// `http://HOST:PORT`.
    pub base: String,
    pub addr: SocketAddr,
    pub token: String,
    /// The in-process server's state (for publishing through its hub).
    pub state: Option<AppState>,
    /// The in-process server (stopped when dropped).
    pub server: Option<InProcess>,
}

pub struct InProcess {
    _dir: tempfile::TempDir,
    runtime: Option<tokio::runtime::Runtime>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for InProcess {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_timeout(std::time::Duration::from_secs(5));
        }
    }
}

/// Starts `smc serve` in this process on 127.0.0.1:0 with `threads` worker
/// threads (`smc serve` uses one per core); `client` signs in as its admin.
pub fn in_process(threads: usize, client: &tokio::runtime::Runtime) -> Result<Target> {
    let dir = tempfile::tempdir().context("creating a temporary folder")?;
    let config = format!(
        "{PAPER}api:\n  sessions_dir: {}\n  rate_limit:\n    per_second: 100000000\n    burst: 100000000\n",
        dir.path().join("sessions").display()
    );
    let path = dir.path().join("config.yaml");
    std::fs::write(&path, config).context("writing the temporary config")?;
    let options = ServeOptions {
        config: Some(path),
        db: Some(format!(
            "sqlite://{}",
            dir.path().join("server.db").display()
        )),
        admin_password: Some(ADMIN_PASSWORD.into()),
        ..ServeOptions::default()
    };
    let (state, _) = build_state(&options).context("building the server state")?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads.max(1))
        .thread_name("server")
        .enable_all()
        .build()
        .context("building the server runtime")?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .context("binding 127.0.0.1:0")?;
    let addr = listener.local_addr().context("the listener's address")?;
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    runtime.spawn(smc_server::serve(state.clone(), listener, async move {
        let _ = rx.await;
    }));
    let base = format!("http://{addr}");
    let token = client.block_on(login(&base, "admin", ADMIN_PASSWORD))?;
    Ok(Target {
        base,
        addr,
        token,
        state: Some(state),
        server: Some(InProcess {
            _dir: dir,
            runtime: Some(runtime),
            stop: Some(tx),
        }),
    })
}

/// A separately started server at `url` (`http://HOST:PORT`).
pub async fn remote(url: &str, user: &str, password: &str) -> Result<Target> {
    let base = url.trim_end_matches('/').to_string();
    let host = base
        .strip_prefix("http://")
        .with_context(|| format!("--url {url}: expected http://HOST:PORT (TLS is not served)"))?;
    let addr = tokio::net::lookup_host(host)
        .await
        .with_context(|| format!("resolving {host}"))?
        .next()
        .with_context(|| format!("{host} resolves to no address"))?;
    let token = login(&base, user, password).await?;
    Ok(Target {
        base,
        addr,
        token,
        state: None,
        server: None,
    })
}

async fn login(base: &str, user: &str, password: &str) -> Result<String> {
    let r = reqwest::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": user, "password": password}))
        .send()
        .await
        .with_context(|| format!("POST {base}/api/v1/auth/login"))?;
    let status = r.status();
    let body: Value = r.json().await.context("reading the login answer")?;
    if !status.is_success() {
        bail!("login as {user}: {status} {body}");
    }
    body["access_token"]
        .as_str()
        .map(str::to_string)
        .context("the login answer has no access_token")
}
