//! The floor under a live session's candle-to-order latency on this
//! machine, measured with the primitives the session path uses and the
//! session's HDR histogram (1 ns to an hour, 3 digits):
//!
//! - `wake`: a tokio worker sends on a bounded `mpsc` channel (the market
//!   stream's), the session thread waits in `Runtime::block_on(recv)` (as
//!   the session loop does): from just before `send` to just after `recv`
//!   returns on the other thread;
//! - `write`: one `write()` of a step-sized record appended to a file in
//!   the given folder (the journal log under `journal_sync: none`), then
//!   `write` + `fdatasync` (`data`);
//! - `tcp`: a loopback TCP one-way hop between two tokio tasks
//!   (`TCP_NODELAY`), from just before `write_all` to just after the
//!   reader's `read_exact`;
//! - `cpu 30us`: a fixed piece of arithmetic that takes about 30 µs on an
//!   idle core (a session step's own work): its p99 over its p50 is what
//!   sharing the cores costs a step of that size (preemption, not code).
//!
//! Messages are paced (`--gap-us`, 500 µs: about the bench's candle rate)
//! so that each one finds the receiver asleep, as a candle does.
//!
//! Usage: `cargo run --release -p smc-runtime --example wakeup_floor --
//! [--n 20000] [--gap-us 500] [--dir /tmp] [--record 600]`

use hdrhistogram::Histogram;
use std::io::Write;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Args {
    n: usize,
    gap: Duration,
    dir: std::path::PathBuf,
    record: usize,
}

fn args() -> Args {
    let mut a = Args {
        n: 20_000,
        gap: Duration::from_micros(500),
        dir: std::env::temp_dir(),
        record: 600,
    };
    let v: Vec<String> = std::env::args().skip(1).collect();
    for w in v.chunks(2) {
        let value = w.get(1).map(String::as_str).unwrap_or_default();
        match w[0].as_str() {
            "--n" => a.n = value.parse().unwrap_or(a.n),
            "--gap-us" => a.gap = Duration::from_micros(value.parse().unwrap_or(500)),
            "--dir" => a.dir = value.into(),
            "--record" => a.record = value.parse().unwrap_or(a.record),
            other => eprintln!("ignored {other}"),
        }
    }
    a
}

fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 3_600_000_000_000, 3).unwrap_or_else(|e| panic!("{e}"))
}

fn ns(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

fn report(name: &str, h: &Histogram<u64>) {
    let us = |q: f64| h.value_at_quantile(q) as f64 / 1_000.0;
    println!(
        "{name:<12} n {:>6}  p50 {:>7.1} µs  p99 {:>7.1} µs  p99.9 {:>7.1} µs  max {:>8.1} µs",
        h.len(),
        us(0.5),
        us(0.99),
        us(0.999),
        h.max() as f64 / 1_000.0
    );
}

/// A tokio worker's send to the session thread parked in `block_on`.
fn wake(rt: &tokio::runtime::Runtime, a: &Args) -> Histogram<u64> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Instant>(1024);
    let (n, gap) = (a.n, a.gap);
    rt.spawn(async move {
        for _ in 0..n {
            tokio::time::sleep(gap).await;
            if tx.send(Instant::now()).await.is_err() {
                return;
            }
        }
    });
    let mut h = histogram();
    while let Some(sent) = rt.block_on(rx.recv()) {
        h.saturating_record(ns(sent.elapsed()));
    }
    h
}

/// One appended `write()` per record, then the same with `fdatasync`.
fn write(a: &Args, sync: bool) -> std::io::Result<Histogram<u64>> {
    let path = a
        .dir
        .join(format!("wakeup_floor-{}.log", std::process::id()));
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&path)?;
    let record = vec![b'x'; a.record];
    let mut h = histogram();
    let n = if sync { a.n.min(5_000) } else { a.n };
    for _ in 0..n {
        std::thread::sleep(a.gap);
        let t = Instant::now();
        file.write_all(&record)?;
        if sync {
            file.sync_data()?;
        }
        h.saturating_record(ns(t.elapsed()));
    }
    std::fs::remove_file(&path)?;
    Ok(h)
}

/// A loopback TCP one-way hop between two tokio tasks.
fn tcp(rt: &tokio::runtime::Runtime, a: &Args) -> std::io::Result<Histogram<u64>> {
    let (n, gap) = (a.n, a.gap);
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let base = Instant::now();
        let writer = tokio::spawn(async move {
            let mut s = tokio::net::TcpStream::connect(addr).await?;
            s.set_nodelay(true)?;
            for _ in 0..n {
                tokio::time::sleep(gap).await;
                let at = ns(base.elapsed());
                s.write_all(&at.to_le_bytes()).await?;
            }
            Ok::<_, std::io::Error>(())
        });
        let (mut r, _) = listener.accept().await?;
        r.set_nodelay(true)?;
        let mut h = histogram();
        let mut buf = [0u8; 8];
        for _ in 0..n {
            r.read_exact(&mut buf).await?;
            let now = ns(base.elapsed());
            h.saturating_record(now.saturating_sub(u64::from_le_bytes(buf)));
        }
        writer.await.map_err(std::io::Error::other)??;
        Ok(h)
    })
}

/// Fixed work: `iterations` rounds of a multiply-xorshift chain.
fn work(iterations: u64) -> u64 {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    for i in 0..iterations {
        x = (x ^ (x >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9) ^ i;
    }
    std::hint::black_box(x)
}

/// The same fixed work, calibrated to about 30 µs at its fastest, timed
/// on the wall clock at the session's pace.
fn cpu(a: &Args) -> Histogram<u64> {
    let mut iterations = 1_000u64;
    loop {
        let fastest = (0..50)
            .map(|_| {
                let t = Instant::now();
                work(iterations);
                t.elapsed()
            })
            .min()
            .unwrap_or_default();
        if fastest >= Duration::from_micros(30) {
            break;
        }
        iterations = iterations * 30_000 / ns(fastest).max(1) + 1;
    }
    let mut h = histogram();
    for _ in 0..a.n {
        std::thread::sleep(a.gap);
        let t = Instant::now();
        work(iterations);
        h.saturating_record(ns(t.elapsed()));
    }
    h
}

fn main() -> std::io::Result<()> {
    let a = args();
    // As the session's: two workers for the network, the loop on this thread.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    println!(
        "{} messages {} µs apart; record {} bytes in {}",
        a.n,
        a.gap.as_micros(),
        a.record,
        a.dir.display()
    );
    report("wake", &wake(&rt, &a));
    report("write", &write(&a, false)?);
    report("write+sync", &write(&a, true)?);
    report("tcp one-way", &tcp(&rt, &a)?);
    report("cpu 30us", &cpu(&a));
    Ok(())
}
