//! The two streams, HTTP chunked responses of newline-separated JSON
//! objects (not WebSockets): prices (`GET /v3/accounts/{id}/pricing/stream`:
//! one PRICE line per instrument when the stream opens and at each
//! released candle, a HEARTBEAT every 5 s) and transactions
//! (`/transactions/stream`: each transaction as it happens, a HEARTBEAT
//! with `lastTransactionID` every 5 s). The stream faults apply: `drop-ws`
//! ends the response abruptly once the stream is that old, `dup-events`,
//! `reorder-events` and `garble-events` act on the transaction lines.

use super::front::Query;
use super::wire::{self, OandaError};
use super::{HEARTBEAT_MS, OandaState, instruments};
use crate::event_faults::EventFaults;
use crate::state::lock;
use axum::body::{Body, Bytes};
use axum::http::HeaderValue;
use axum::response::Response;
use serde_json::{Value, json};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast;
use tokio::time::Instant;

fn line(v: &Value, unix: bool) -> String {
    let mut v = v.clone();
    if unix {
        wire::to_unix_times(&mut v);
    }
    format!("{v}\n")
}

fn chunked(
    stream: impl futures_util::Stream<Item = Result<Bytes, Infallible>> + Send + 'static,
) -> Response {
    let mut r = Response::new(Body::from_stream(stream));
    r.headers_mut().insert(
        "content-type",
        HeaderValue::from_static("application/octet-stream"),
    );
    r
}

/// The pricing stream of `instruments=` (an unknown one: 400).
pub fn pricing(st: Arc<OandaState>, q: &Query, path: &str, unix: bool) -> Response {
    let wanted: Option<Vec<usize>> = q
        .get("instruments")
        .map(|s| {
            s.split(',')
                .map(|i| st.shared.market.find(i))
                .collect::<Option<Vec<_>>>()
        })
        .unwrap_or(None);
    let Some(wanted) = wanted.filter(|w| !w.is_empty()) else {
        let e = OandaError::invalid("instruments");
        return wire::respond(400, &e.body(), unix);
    };
    let state = Feed {
        rx: st.shared.steps.subscribe(),
        st,
        wanted,
        faults: EventFaults::default(),
        path: path.to_string(),
        unix,
        heartbeat: Instant::now() + Duration::from_millis(HEARTBEAT_MS),
        first: true,
    };
    chunked(futures_util::stream::unfold(state, |mut f| async move {
        let text = f.next().await?;
        Some((Ok(Bytes::from(text)), f))
    }))
}

struct Feed {
    st: Arc<OandaState>,
    rx: broadcast::Receiver<usize>,
    wanted: Vec<usize>,
    faults: EventFaults,
    path: String,
    unix: bool,
    heartbeat: Instant,
    first: bool,
}

impl Feed {
    fn prices(&self) -> String {
        let step = self.st.step();
        let now = instruments::market_time(&self.st.shared, step);
        self.wanted
            .iter()
            .map(|i| {
                line(
                    &instruments::price_json(&self.st.shared, *i, step, now),
                    self.unix,
                )
            })
            .collect()
    }

    async fn next(&mut self) -> Option<String> {
        if self.first {
            self.first = false;
            return Some(self.prices());
        }
        loop {
            let mut held = Vec::new();
            if self
                .faults
                .tick(&self.st.shared.faults, &self.path, &mut held)
            {
                return None;
            }
            tokio::select! {
                r = self.rx.recv() => match r {
                    Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => return Some(self.prices()),
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                _ = tokio::time::sleep_until(self.heartbeat) => {
                    self.heartbeat += Duration::from_millis(HEARTBEAT_MS);
                    let hb = json!({"type": "HEARTBEAT", "time": wire::time(self.st.now())});
                    return Some(line(&hb, self.unix));
                }
                _ = tokio::time::sleep(Duration::from_millis(100)) => {}
            }
        }
    }
}

/// The transaction stream of the token's account.
pub fn transactions(st: Arc<OandaState>, token: &str, path: &str, unix: bool) -> Response {
    let rx = match lock(&st.accounts).get(token) {
        Some(a) => a.events.subscribe(),
        None => {
            let e = OandaError::unauthorized();
            return wire::respond(401, &e.body(), unix);
        }
    };
    let state = TxFeed {
        st,
        token: token.to_string(),
        rx,
        faults: EventFaults::default(),
        path: path.to_string(),
        unix,
        heartbeat: Instant::now() + Duration::from_millis(HEARTBEAT_MS),
    };
    chunked(futures_util::stream::unfold(state, |mut f| async move {
        let text = f.next().await?;
        Some((Ok(Bytes::from(text)), f))
    }))
}

struct TxFeed {
    st: Arc<OandaState>,
    token: String,
    rx: broadcast::Receiver<String>,
    faults: EventFaults,
    path: String,
    unix: bool,
    heartbeat: Instant,
}

impl TxFeed {
    async fn next(&mut self) -> Option<String> {
        loop {
            let mut out = Vec::new();
            if self
                .faults
                .tick(&self.st.shared.faults, &self.path, &mut out)
            {
                return None;
            }
            if !out.is_empty() {
                return Some(out.concat());
            }
            tokio::select! {
                r = self.rx.recv() => match r {
                    Ok(text) => {
                        let mut text = text;
                        if self.unix && let Ok(mut v) = serde_json::from_str::<Value>(&text) {
                            wire::to_unix_times(&mut v);
                            text = v.to_string();
                        }
                        self.faults.push(&self.st.shared.faults, &self.path, format!("{text}\n"), &mut out);
                        if !out.is_empty() {
                            return Some(out.concat());
                        }
                    }
                    Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                _ = tokio::time::sleep_until(self.heartbeat) => {
                    self.heartbeat += Duration::from_millis(HEARTBEAT_MS);
                    let last = lock(&self.st.accounts).get(&self.token).map(|a| a.last_tx).unwrap_or(0);
                    let hb = json!({"type": "HEARTBEAT", "lastTransactionID": wire::id(last), "time": wire::time(self.st.now())});
                    return Some(line(&hb, self.unix));
                }
                _ = tokio::time::sleep(Duration::from_millis(100)) => {}
            }
        }
    }
}
