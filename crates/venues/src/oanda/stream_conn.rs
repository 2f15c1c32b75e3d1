//! OANDA's streams are long HTTP GETs whose chunked body is one JSON
//! object per line (not WebSockets). This opens one, with the token,
//! within OANDA's new-connection budget (2 per second, shared by the
//! venue's streams), and reads it line by line; a stream silent for 20 s
//! (OANDA sends a heartbeat every 5 s) is taken as dead.

use super::endpoints;
use super::error::OandaError;
use crate::net::{Backoff, RateLimiter, Secret};
use smc_model::{Clock, WallClock};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// How long a stream may be silent before it is reconnected.
pub const STALL: Duration = Duration::from_secs(20);

/// The new-connection budget of one venue, shared by its streams.
pub type ConnectionBudget = Arc<Mutex<RateLimiter>>;

/// A budget of OANDA's 2 new connections per second.
pub fn connection_budget() -> ConnectionBudget {
    Arc::new(Mutex::new(
        RateLimiter::new(&endpoints::connection_limits()),
    ))
}

/// Opens stream connections.
#[derive(Clone, Debug)]
pub struct StreamOpener {
    client: reqwest::Client,
    token: Option<Secret>,
    budget: ConnectionBudget,
}

impl StreamOpener {
    pub fn new(token: Option<Secret>, budget: ConnectionBudget) -> Result<Self, OandaError> {
        // No whole-request timeout: a stream lasts; silence is watched
        // per line instead.
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| OandaError::Config(format!("stream HTTP client: {e}")))?;
        Ok(StreamOpener {
            client,
            token,
            budget,
        })
    }

    /// Waits for the connection budget.
    async fn admit(&self) {
        loop {
            let now = WallClock.now().ms();
            let r = self
                .budget
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .try_acquire(now, endpoints::REQUEST);
            match r {
                Ok(()) => return,
                Err(refusal) => {
                    let wait = refusal
                        .until_ms()
                        .map_or(1_000, |u| (u - now).clamp(1, 1_000));
                    tokio::time::sleep(Duration::from_millis(wait as u64)).await;
                }
            }
        }
    }

    /// Opens `url` (a whole URL): the lines, or why it failed.
    pub async fn open(&self, url: &str) -> Result<Lines, String> {
        self.admit().await;
        let mut req = self
            .client
            .get(url)
            .header("Accept-Datetime-Format", "RFC3339");
        if let Some(t) = &self.token {
            req = req.header("Authorization", format!("Bearer {}", t.expose()));
        }
        let resp = req.send().await.map_err(|e| format!("connect: {e}"))?;
        let status = resp.status().as_u16();
        if status != 200 {
            let body = resp.text().await.unwrap_or_default();
            return Err(format!(
                "HTTP {status}: {}",
                crate::binance::parse_util::snippet(&body)
            ));
        }
        Ok(Lines {
            resp,
            buf: Vec::with_capacity(4096),
        })
    }
}

/// The lines of an open stream.
pub struct Lines {
    resp: reqwest::Response,
    buf: Vec<u8>,
}

impl Lines {
    /// The next non-empty line; `Err` with why the stream ended.
    pub async fn next(&mut self) -> Result<String, String> {
        loop {
            if let Some(pos) = self.buf.iter().position(|&b| b == b'\n') {
                let rest = self.buf.split_off(pos + 1);
                let line = std::mem::replace(&mut self.buf, rest);
                let text = String::from_utf8_lossy(&line).trim().to_string();
                if text.is_empty() {
                    continue;
                }
                return Ok(text);
            }
            match tokio::time::timeout(STALL, self.resp.chunk()).await {
                Err(_) => return Err(format!("no data for {} s", STALL.as_secs())),
                Ok(Err(e)) => return Err(format!("read: {e}")),
                Ok(Ok(None)) => return Err("closed by the venue".into()),
                Ok(Ok(Some(chunk))) => self.buf.extend_from_slice(&chunk),
            }
        }
    }
}

/// The reconnect backoff of a stream (0.5 s doubling to 30 s).
pub fn reconnect_backoff() -> Backoff {
    Backoff::new(Duration::from_millis(500), Duration::from_secs(30), 0x0a2d)
}
