//! `POST /api/v1/orders` on a paper session. The route is being added;
//! until the server serves it, the probe says "not available" and the
//! scenario is skipped. When it is served, the in-process mode starts a
//! paper session against the venue simulator and sends `--order-body`
//! (`{session}` replaced by the session's id) on the open-loop schedule.

use crate::http::{Call, Conn};
use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

/// The order sent when `--order-body` is not given (a small limit buy far
/// below the market, so it rests and nothing fills).
pub const DEFAULT_BODY: &str = r#"{"session":"{session}","symbol":"BTCUSDT","side":"buy","type":"limit","qty":"0.001","price":"1000"}"#;

/// Whether the server serves the route.
pub enum Probe {
    Available,
    /// The route is not served: its status and answer.
    NotAvailable(u16, String),
}

/// Sends one order; a 404 "no such route", a 405, or a 403 `no_policy`
/// (the access table does not list it) mean the route is not there yet.
pub async fn probe(call: &Call) -> Result<Probe> {
    let mut conn = Conn::open(call.addr).await?;
    let a = conn.send(call).await?;
    let body = String::from_utf8_lossy(&a.body).into_owned();
    let missing = (a.status == 404 && body.contains("no such route"))
        || a.status == 405
        || (a.status == 403 && body.contains("no_policy"));
    Ok(if missing {
        Probe::NotAvailable(a.status, body)
    } else {
        Probe::Available
    })
}

/// Starts a paper `sma_cross` session on BTCUSDT against the simulator at
/// `venue` (`127.0.0.1:PORT`); its id.
pub async fn start_session(base: &str, token: &str, venue: &str) -> Result<String> {
    let body = json!({"mode": "paper", "strategy": "sma_cross", "symbols": ["BTCUSDT"],
                      "timeframes": ["1m"], "venue_urls": {"binance": venue}});
    let r = reqwest::Client::new()
        .post(format!("{base}/api/v1/sessions"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .context("POST /api/v1/sessions")?;
    let status = r.status();
    let answer: Value = r.json().await.context("reading the session answer")?;
    if status.as_u16() != 201 {
        bail!("starting a paper session: {status} {answer}");
    }
    answer["id"]
        .as_str()
        .map(str::to_string)
        .context("the session answer has no id")
}

/// Waits until the session takes orders (after its first candle): sends
/// `call` until it is not refused for that reason, for up to 30 s.
pub async fn wait_ready(call: &Call) -> Result<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let mut conn = Conn::open(call.addr).await?;
    loop {
        let a = conn.send(call).await?;
        let body = String::from_utf8_lossy(&a.body);
        if !body.contains("has not processed a candle") {
            return Ok(());
        }
        if std::time::Instant::now() > deadline {
            bail!("the paper session took no order within 30 s: {body}");
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}
