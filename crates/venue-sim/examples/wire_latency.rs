//! Tick-to-trade on the wire: a TCP relay between a trading session and a
//! Binance-protocol venue (`smc venue-sim`) that timestamps, with one clock,
//! the moment a closed kline's frame is written to the session's socket
//! and the moment the first order request after it is read from that
//! socket. What lies between is the session's whole reaction: reading and
//! decoding the frame, the strategy, the risk gate, the journal and the
//! HTTP request — the venue's own time is outside it.
//!
//! Usage: wire_latency --listen ADDR --upstream ADDR [--seconds N] [--json]
//! Prints p50/p90/p99/p99.9/max (µs) of the pairs when the session closes
//! its connections after the run (or after `--seconds`).

#![forbid(unsafe_code)]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use hdrhistogram::Histogram;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A closed kline in a (server-to-client, unmasked) WebSocket frame.
const CLOSED_KLINE: &[u8] = b"\"x\":true";
/// Order placements over REST (spot and USD-M).
const ORDER_POSTS: [&[u8]; 2] = [b"POST /api/v3/order ", b"POST /fapi/v1/order "];
/// An order further than this from the last kline answers something else
/// (a fill, a timer): it is counted apart, not paired.
const PAIR_WINDOW: Duration = Duration::from_millis(100);

#[derive(Default)]
struct Tap {
    /// The last closed kline written to the session and not yet answered.
    kline: Option<Instant>,
    histogram: Option<Histogram<u64>>,
    klines: u64,
    unpaired_orders: u64,
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

async fn pipe_down(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    tap: Arc<Mutex<Tap>>,
) {
    let mut buf = vec![0u8; 64 * 1024];
    let mut tail: Vec<u8> = Vec::new();
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if to.write_all(&buf[..n]).await.is_err() {
            break;
        }
        let now = Instant::now();
        tail.extend_from_slice(&buf[..n]);
        if contains(&tail, CLOSED_KLINE) {
            let mut t = tap.lock().unwrap();
            t.kline = Some(now);
            t.klines += 1;
        }
        let keep = tail.len().saturating_sub(CLOSED_KLINE.len());
        tail.drain(..keep);
    }
    let _ = to.shutdown().await;
}

async fn pipe_up(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    tap: Arc<Mutex<Tap>>,
) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let now = Instant::now();
        if ORDER_POSTS.iter().any(|p| contains(&buf[..n], p)) {
            let mut t = tap.lock().unwrap();
            match t.kline.take() {
                Some(k) if now - k <= PAIR_WINDOW => {
                    let us = (now - k).as_nanos() as u64 / 1000;
                    if let Some(h) = t.histogram.as_mut() {
                        let _ = h.record(us.max(1));
                    }
                }
                _ => t.unpaired_orders += 1,
            }
        }
        if to.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let listen = arg(&args, "--listen").expect("--listen ADDR");
    let upstream = arg(&args, "--upstream").expect("--upstream ADDR");
    let seconds: u64 = arg(&args, "--seconds").map_or(3600, |s| s.parse().expect("--seconds N"));
    let json = args.iter().any(|a| a == "--json");
    let tap = Arc::new(Mutex::new(Tap {
        histogram: Some(Histogram::new_with_bounds(1, 60_000_000, 3).unwrap()),
        ..Tap::default()
    }));
    let listener = TcpListener::bind(&listen).await.expect("bind --listen");
    let stop = tokio::time::sleep(Duration::from_secs(seconds));
    tokio::pin!(stop);
    let mut ctrl_c = Box::pin(tokio::signal::ctrl_c());
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((client, _)) = accepted else { continue };
                let Ok(server) = TcpStream::connect(&upstream).await else { continue };
                let _ = client.set_nodelay(true);
                let _ = server.set_nodelay(true);
                let (cr, cw) = client.into_split();
                let (sr, sw) = server.into_split();
                tokio::spawn(pipe_down(sr, cw, tap.clone()));
                tokio::spawn(pipe_up(cr, sw, tap.clone()));
            }
            _ = &mut stop => break,
            _ = &mut ctrl_c => break,
        }
    }
    let t = tap.lock().unwrap();
    let h = t.histogram.as_ref().unwrap();
    let q = |p: f64| h.value_at_quantile(p);
    if json {
        println!(
            "{{\"pairs\":{},\"klines\":{},\"unpaired_orders\":{},\"p50_us\":{},\"p90_us\":{},\"p99_us\":{},\"p999_us\":{},\"max_us\":{}}}",
            h.len(),
            t.klines,
            t.unpaired_orders,
            q(0.5),
            q(0.9),
            q(0.99),
            q(0.999),
            h.max()
        );
    } else {
        println!(
            "wire: {} orders after {} closed klines ({} unpaired): p50 {} µs, p90 {} µs, p99 {} µs, p99.9 {} µs, max {} µs",
            h.len(),
            t.klines,
            t.unpaired_orders,
            q(0.5),
            q(0.9),
            q(0.99),
            q(0.999),
            h.max()
        );
    }
}
