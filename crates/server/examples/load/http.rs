//! HTTP load: one keep-alive HTTP/1.1 connection per simulated client
//! (hyper's connection-level client, so the load tool costs the shared
//! cores as little as possible), driven open-loop (a fixed schedule; the
//! latency counts from the scheduled send time, so a slow answer that
//! delays the next request is not hidden: no coordinated omission) or
//! closed-loop (back to back, for the maximum throughput).

use crate::stats::{Latency, nanos};
use anyhow::{Context, Result, bail};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::{SendRequest, handshake};
use hyper::{Method, Request, header};
use hyper_util::rt::TokioIo;
use serde::Serialize;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::sync::mpsc;

/// One request, sent again and again.
#[derive(Debug, Clone)]
pub struct Call {
    pub addr: SocketAddr,
    pub method: Method,
    pub path: String,
    pub token: String,
    pub body: Option<Bytes>,
    /// The status that counts as success (default: any 2xx).
    pub expect: Option<u16>,
}

impl Call {
    fn success(&self, status: u16) -> bool {
        self.expect
            .map_or((200..300).contains(&status), |e| e == status)
    }
}

/// The answer to one request: its status and body.
pub struct Answer {
    pub status: u16,
    pub body: Bytes,
}

/// One keep-alive connection.
pub struct Conn {
    sender: SendRequest<Full<Bytes>>,
}

impl Conn {
    pub async fn open(addr: SocketAddr) -> Result<Conn> {
        let stream = tokio::net::TcpStream::connect(addr)
            .await
            .with_context(|| format!("connecting to {addr}"))?;
        stream.set_nodelay(true).context("TCP_NODELAY")?;
        let (sender, connection) = handshake(TokioIo::new(stream))
            .await
            .context("HTTP/1.1 handshake")?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(Conn { sender })
    }

    pub async fn send(&mut self, call: &Call) -> Result<Answer> {
        let mut request = Request::builder()
            .method(call.method.clone())
            .uri(call.path.as_str())
            .header(header::HOST, call.addr.to_string())
            .header(header::AUTHORIZATION, format!("Bearer {}", call.token));
        if call.body.is_some() {
            request = request.header(header::CONTENT_TYPE, "application/json");
        }
        let request = request
            .body(Full::new(call.body.clone().unwrap_or_default()))
            .context("building the request")?;
        self.sender.ready().await.context("connection closed")?;
        let response = self
            .sender
            .send_request(request)
            .await
            .with_context(|| format!("{} {}", call.method, call.path))?;
        let status = response.status().as_u16();
        let body = response
            .into_body()
            .collect()
            .await
            .context("reading the answer")?
            .to_bytes();
        Ok(Answer { status, body })
    }
}

/// What a run measured.
#[derive(Debug, Clone, Default, Serialize)]
pub struct HttpReport {
    pub scenario: String,
    pub clients: usize,
    /// Requests per second asked (open loop); 0 for a closed loop.
    pub target_rate: f64,
    pub seconds: f64,
    pub sent: u64,
    pub ok: u64,
    /// Non-2xx answers by status, and `io` for failed connections.
    pub errors: BTreeMap<String, u64>,
    /// The first answer of each error status (truncated).
    pub error_examples: BTreeMap<String, String>,
    /// Answers (any status) per second of the run.
    pub achieved_rate: f64,
    /// From the scheduled send time to the whole answer (open loop), or
    /// from the send (closed loop).
    pub latency: Latency,
    /// From the actual send to the whole answer.
    pub service: Latency,
    /// How late the sends left against their schedule (open loop).
    pub send_lag: Latency,
    /// CPU seconds used during the run, by thread: `server` (the
    /// in-process server's workers), `load` (these clients), `pacer`.
    pub cpu_seconds: BTreeMap<String, f64>,
}

#[derive(Default)]
struct Samples {
    latency: Vec<u64>,
    service: Vec<u64>,
    lag: Vec<u64>,
    ok: u64,
    errors: BTreeMap<String, u64>,
    examples: BTreeMap<String, String>,
}

impl Samples {
    fn record(&mut self, call: &Call, result: &Result<Answer>) {
        match result {
            Ok(a) if call.success(a.status) => self.ok += 1,
            Ok(a) => {
                let status = a.status.to_string();
                if !self.examples.contains_key(&status) {
                    let body = String::from_utf8_lossy(&a.body).chars().take(200).collect();
                    self.examples.insert(status.clone(), body);
                }
                *self.errors.entry(status).or_default() += 1;
            }
            Err(_) => *self.errors.entry("io".into()).or_default() += 1,
        }
    }

    fn merge(&mut self, other: Samples) {
        self.latency.extend(other.latency);
        self.service.extend(other.service);
        self.lag.extend(other.lag);
        self.ok += other.ok;
        for (k, v) in other.examples {
            self.examples.entry(k).or_insert(v);
        }
        for (k, v) in other.errors {
            *self.errors.entry(k).or_default() += v;
        }
    }
}

/// Opens `clients` connections and checks each with one request (a
/// warm-up that also proves the token works).
async fn open_all(call: &Call, clients: usize) -> Result<Vec<Conn>> {
    let mut conns = Vec::with_capacity(clients);
    for _ in 0..clients {
        let mut conn = Conn::open(call.addr).await?;
        let a = conn.send(call).await?;
        if !call.success(a.status) {
            bail!(
                "{} {} answered {}: {}",
                call.method,
                call.path,
                a.status,
                String::from_utf8_lossy(&a.body)
            );
        }
        conns.push(conn);
    }
    Ok(conns)
}

/// Open loop: `rate` requests a second in total for `seconds`, request k
/// on connection k mod `clients` at start + k / rate, so each connection
/// sends at rate / clients. A pacing thread hands each request its
/// scheduled time; a connection still busy with the previous answer
/// sends late, and that wait counts in the latency.
pub async fn open_loop(
    scenario: &str,
    call: &Call,
    clients: usize,
    rate: f64,
    seconds: f64,
) -> Result<HttpReport> {
    let conns = open_all(call, clients).await?;
    let (mut txs, mut tasks) = (Vec::new(), Vec::new());
    for mut conn in conns {
        let (tx, mut rx) = mpsc::unbounded_channel::<Instant>();
        txs.push(tx);
        let call = call.clone();
        tasks.push(tokio::spawn(async move {
            let mut s = Samples::default();
            while let Some(scheduled) = rx.recv().await {
                let sent = Instant::now();
                let result = conn.send(&call).await;
                let done = Instant::now();
                s.record(&call, &result);
                s.latency.push(nanos(done - scheduled));
                s.service.push(nanos(done - sent));
                s.lag.push(nanos(sent.saturating_duration_since(scheduled)));
                if result.is_err() {
                    match Conn::open(call.addr).await {
                        Ok(c) => conn = c,
                        Err(_) => break,
                    }
                }
            }
            s
        }));
    }
    let total = (rate * seconds).round() as u64;
    let interval = Duration::from_secs_f64(1.0 / rate);
    let start = Instant::now() + Duration::from_millis(20);
    let pacer = std::thread::spawn(move || {
        for k in 0..total {
            let due = start + interval.mul_f64(k as f64);
            let now = Instant::now();
            if due > now {
                std::thread::sleep(due - now);
            }
            let _ = txs[(k % txs.len() as u64) as usize].send(due);
        }
        crate::cpu::this_thread()
    });
    let mut all = Samples::default();
    for task in tasks {
        all.merge(task.await.context("a client task failed")?);
    }
    let elapsed = start.elapsed().as_secs_f64();
    let pacer_cpu = pacer.join().unwrap_or(0.0);
    let mut r = report(scenario, clients, rate, elapsed, total, all);
    r.cpu_seconds.insert("pacer".into(), pacer_cpu);
    Ok(r)
}

/// Closed loop: every connection sends its next request as soon as the
/// previous answer is in, for `seconds`.
pub async fn closed_loop(
    scenario: &str,
    call: &Call,
    clients: usize,
    seconds: f64,
) -> Result<HttpReport> {
    let conns = open_all(call, clients).await?;
    let start = Instant::now();
    let end = start + Duration::from_secs_f64(seconds);
    let mut tasks = Vec::new();
    for mut conn in conns {
        let call = call.clone();
        tasks.push(tokio::spawn(async move {
            let mut s = Samples::default();
            while Instant::now() < end {
                let sent = Instant::now();
                let result = conn.send(&call).await;
                s.record(&call, &result);
                s.service.push(nanos(sent.elapsed()));
                if result.is_err() {
                    match Conn::open(call.addr).await {
                        Ok(c) => conn = c,
                        Err(_) => break,
                    }
                }
            }
            s
        }));
    }
    let mut all = Samples::default();
    for task in tasks {
        all.merge(task.await.context("a client task failed")?);
    }
    all.latency = all.service.clone();
    let elapsed = start.elapsed().as_secs_f64();
    let sent = all.service.len() as u64;
    Ok(report(scenario, clients, 0.0, elapsed, sent, all))
}

fn report(
    scenario: &str,
    clients: usize,
    rate: f64,
    elapsed: f64,
    sent: u64,
    mut s: Samples,
) -> HttpReport {
    HttpReport {
        scenario: scenario.into(),
        clients,
        target_rate: rate,
        seconds: elapsed,
        sent,
        ok: s.ok,
        achieved_rate: s.service.len() as f64 / elapsed,
        latency: Latency::of(&mut s.latency),
        service: Latency::of(&mut s.service),
        send_lag: Latency::of(&mut s.lag),
        errors: s.errors,
        error_examples: s.examples,
        cpu_seconds: BTreeMap::new(),
    }
}
