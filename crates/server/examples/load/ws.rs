//! WebSocket fan-out: `subscribers` clients subscribe to one topic, a
//! thread publishes numbered events through the in-process server's hub
//! on a fixed schedule (each carrying its publish time), and every client
//! counts what arrived, the gaps in the numbering, whether the server
//! dropped it, and each event's latency from publish to parsed.

use crate::stats::{Latency, nanos};
use anyhow::{Context, Result, bail};
use futures_util::{SinkExt, StreamExt};
use serde::{Deserialize, Serialize};
use smc_server::AppState;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

/// The topic the load is published under.
const TOPIC: &str = "system";
/// How long after the last publish the clients wait for the backlog.
const DRAIN: Duration = Duration::from_secs(5);
/// Latency samples kept in all (every n-th event is sampled above that).
const MAX_SAMPLES: u64 = 2_000_000;

/// One published event.
#[derive(Serialize, Deserialize)]
struct Event {
    /// `load` (so other `system` messages are told apart).
    kind: String,
    seq: u64,
    /// Nanoseconds since the run's time base, when published.
    t: u64,
}

#[derive(Deserialize)]
struct Frame {
    data: Event,
}

/// What one run measured.
#[derive(Debug, Clone, Default, Serialize)]
pub struct WsReport {
    pub subscribers: usize,
    pub target_rate: f64,
    pub seconds: f64,
    /// Events published (each to every subscriber).
    pub published: u64,
    /// Events per second the publisher achieved.
    pub published_rate: f64,
    /// Deliveries, summed over the subscribers.
    pub delivered: u64,
    /// Deliveries expected (published × subscribers) not in by the end
    /// of the drain time: still queued in the server (a backlog) unless a
    /// subscriber was dropped or has gaps.
    pub undelivered: u64,
    /// Events lost: holes in a subscriber's numbering (an event skipped,
    /// later ones received).
    pub gaps: u64,
    /// Subscribers the server closed (a slow client) or that failed.
    pub dropped: usize,
    /// The fewest events one subscriber received.
    pub min_per_subscriber: u64,
    /// Events per second per subscriber, from the first publish to the
    /// last delivery.
    pub delivered_rate_per_subscriber: f64,
    /// Frames per second the server wrote in all.
    pub delivered_frames_per_second: f64,
    /// From the last publish to the last delivery.
    pub drain_ms: f64,
    /// From publish to parsed by the client.
    pub latency: Latency,
    /// All delivered, none dropped, no backlog: p99 under 100 ms, drained
    /// within 1 s of the last publish.
    pub sustained: bool,
    /// Why a subscriber ended early, when one did.
    pub close_reasons: Vec<String>,
    /// CPU seconds used during the run, by thread: `server`, `load` (the
    /// subscribers), `publisher`.
    pub cpu_seconds: std::collections::BTreeMap<String, f64>,
}

#[derive(Default)]
struct Sub {
    received: u64,
    gaps: u64,
    latency: Vec<u64>,
    last_at: Option<Instant>,
    closed: Option<String>,
}

async fn subscribe(
    addr: SocketAddr,
    token: &str,
) -> Result<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
> {
    let url = format!("ws://{addr}/api/v1/ws?token={token}");
    let (mut ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .context("WebSocket connect to /api/v1/ws")?;
    let command = format!(r#"{{"op":"subscribe","topics":["{TOPIC}"]}}"#);
    ws.send(Message::text(command))
        .await
        .context("sending subscribe")?;
    let ack = ws
        .next()
        .await
        .context("the server closed before acknowledging")?
        .context("reading the subscribe acknowledgement")?;
    if !ack.to_text().unwrap_or_default().contains(TOPIC) {
        bail!("unexpected subscribe acknowledgement: {ack:?}");
    }
    Ok(ws)
}

/// One run at `rate` events a second for `seconds`.
pub async fn fan_out(
    state: &AppState,
    addr: SocketAddr,
    token: &str,
    subscribers: usize,
    rate: f64,
    seconds: f64,
) -> Result<WsReport> {
    let mut sockets = Vec::with_capacity(subscribers);
    for _ in 0..subscribers {
        sockets.push(subscribe(addr, token).await?);
    }
    let total = (rate * seconds).round() as u64;
    let stride = (total * subscribers as u64).div_ceil(MAX_SAMPLES).max(1);
    let base = Instant::now();
    let start = base + Duration::from_millis(50);
    let deadline = start + Duration::from_secs_f64(seconds) + DRAIN;
    let mut tasks = Vec::new();
    for mut ws in sockets {
        tasks.push(tokio::spawn(async move {
            let mut s = Sub::default();
            let mut next = 0u64;
            while next < total {
                let msg = match tokio::time::timeout_at(deadline.into(), ws.next()).await {
                    Err(_) => break,
                    Ok(None) => {
                        s.closed = Some("connection ended".into());
                        break;
                    }
                    Ok(Some(Err(e))) => {
                        s.closed = Some(format!("read error: {e}"));
                        break;
                    }
                    Ok(Some(Ok(m))) => m,
                };
                let text = match msg {
                    Message::Text(t) => t,
                    Message::Close(c) => {
                        s.closed = Some(format!("closed by the server: {c:?}"));
                        break;
                    }
                    _ => continue,
                };
                let Ok(frame) = serde_json::from_str::<Frame>(&text) else {
                    continue;
                };
                if frame.data.kind != "load" {
                    continue;
                }
                let seq = frame.data.seq;
                let now = Instant::now();
                s.received += 1;
                if seq > next {
                    s.gaps += 1;
                }
                next = next.max(seq + 1);
                if seq % stride == 0 {
                    s.latency
                        .push(nanos(now - base).saturating_sub(frame.data.t));
                }
                s.last_at = Some(now);
            }
            let _ = ws.close(None).await;
            s
        }));
    }
    let publisher = {
        let state = state.clone();
        let interval = Duration::from_secs_f64(1.0 / rate);
        std::thread::spawn(move || {
            for seq in 0..total {
                let due = start + interval.mul_f64(seq as f64);
                let now = Instant::now();
                if due > now {
                    std::thread::sleep(due - now);
                }
                let t = nanos(base.elapsed());
                let event = Event {
                    kind: "load".into(),
                    seq,
                    t,
                };
                state.hub.publish(TOPIC, &event);
            }
            (Instant::now(), crate::cpu::this_thread())
        })
    };
    let mut subs = Vec::new();
    for task in tasks {
        subs.push(task.await.context("a subscriber task failed")?);
    }
    let (published_at, publisher_cpu) = publisher
        .join()
        .map_err(|_| anyhow::anyhow!("the publisher panicked"))?;
    let mut r = summarise(subs, subscribers, rate, seconds, total, start, published_at);
    r.cpu_seconds.insert("publisher".into(), publisher_cpu);
    Ok(r)
}

fn summarise(
    subs: Vec<Sub>,
    subscribers: usize,
    rate: f64,
    seconds: f64,
    total: u64,
    start: Instant,
    published_at: Instant,
) -> WsReport {
    let delivered: u64 = subs.iter().map(|s| s.received).sum();
    let last = subs.iter().filter_map(|s| s.last_at).max().unwrap_or(start);
    let span = (last - start).as_secs_f64().max(1e-9);
    let mut samples: Vec<u64> = subs
        .iter()
        .flat_map(|s| s.latency.iter().copied())
        .collect();
    let latency = Latency::of(&mut samples);
    let undelivered = total * subscribers as u64 - delivered.min(total * subscribers as u64);
    let dropped = subs.iter().filter(|s| s.closed.is_some()).count();
    let drain_ms = last.saturating_duration_since(published_at).as_secs_f64() * 1e3;
    let mut close_reasons: Vec<String> = subs.iter().filter_map(|s| s.closed.clone()).collect();
    close_reasons.sort();
    close_reasons.dedup();
    WsReport {
        subscribers,
        target_rate: rate,
        seconds,
        published: total,
        published_rate: total as f64 / (published_at - start).as_secs_f64().max(1e-9),
        delivered,
        undelivered,
        gaps: subs.iter().map(|s| s.gaps).sum(),
        dropped,
        min_per_subscriber: subs.iter().map(|s| s.received).min().unwrap_or(0),
        delivered_rate_per_subscriber: delivered as f64 / subscribers.max(1) as f64 / span,
        delivered_frames_per_second: delivered as f64 / span,
        drain_ms,
        sustained: undelivered == 0
            && dropped == 0
            && latency.p99_us < 100_000.0
            && drain_ms < 1_000.0,
        latency,
        close_reasons,
        cpu_seconds: Default::default(),
    }
}
