//! The publisher: a session's events, from its bus to the JetStream stream,
//! on a thread of its own. It subscribes to the bus's lossy side, so the
//! session never waits for it; events wait in a bounded buffer
//! (`streaming.buffer`) while NATS is slow or away, the oldest dropped when
//! it is full, every drop counted (`n` in the envelope shows the gap).
//! Each publish is acknowledged by JetStream and retried with backoff until
//! it is; a retry carries the same message id, so the server keeps one copy.
//!
//! When the session ends (its bus closes, or [`Publisher::finish`]), what
//! is buffered is published within a bounded time and the rest reported.

use crate::connect::{REQUEST_TIMEOUT, connect_lazily, ensure_stream, jetstream};
use crate::envelope::Envelope;
use crate::error::StreamError;
use crate::subject::{Placer, closes_order, subject};
use async_nats::jetstream::message::PublishMessage;
use smc_config::streaming::StreamingConfig;
use smc_model::{Clock, WallClock};
use smc_runtime::{Delivery, EventBus, Lossy, SessionEvent};
use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::{Notify, watch};
use tokio::time::Instant;

/// How long a session's end waits for its buffer to reach NATS by default.
pub const DRAIN: Duration = Duration::from_secs(10);

/// Publishes sent before their acks are awaited.
const BATCH: usize = 64;

/// What the publisher is told.
#[derive(Debug, Clone)]
pub struct Options {
    /// The session's id: the second token of its subjects.
    pub session: String,
    /// The session's venue, for events of no instrument (candles).
    pub venue: Option<String>,
    /// `nats_url` (required here), stream name, retention and buffer.
    pub streaming: StreamingConfig,
    /// How long the end of the session waits for the buffer (when the bus
    /// closes by itself; [`Publisher::finish`] names its own bound).
    pub drain: Duration,
}

/// Counts so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Events the stream acknowledged.
    pub published: u64,
    /// Events dropped because the buffer was full.
    pub dropped: u64,
    /// Events still buffered (at the end: never published).
    pub unpublished: u64,
    /// Failed attempts (each retried).
    pub failures: u64,
    /// The last failure, if any.
    pub last_error: Option<String>,
}

impl Report {
    /// Whether every event the session published reached the stream.
    pub fn complete(&self) -> bool {
        self.dropped == 0 && self.unpublished == 0
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} events published, {} dropped (buffer full), {} not published",
            self.published, self.dropped, self.unpublished
        )?;
        if let Some(e) = &self.last_error
            && !self.complete()
        {
            write!(f, "; last error: {e}")?;
        }
        Ok(())
    }
}

/// One event, ready to send.
struct Item {
    n: u64,
    subject: String,
    payload: Vec<u8>,
}

struct Shared {
    queue: Mutex<VecDeque<Arc<Item>>>,
    capacity: usize,
    /// Something was queued, or the intake ended.
    wake: Notify,
    intake_done: AtomicBool,
    /// Give up on what is left at this instant (set when closing).
    closing: watch::Sender<Option<Instant>>,
    published: AtomicU64,
    dropped: AtomicU64,
    failures: AtomicU64,
    last_error: Mutex<Option<String>>,
}

impl Shared {
    fn queue(&self) -> std::sync::MutexGuard<'_, VecDeque<Arc<Item>>> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn failed(&self, message: String) {
        self.failures.fetch_add(1, Ordering::Relaxed);
        tracing::debug!("event stream: {message}");
        *self
            .last_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(message);
    }

    fn report(&self) -> Report {
        Report {
            published: self.published.load(Ordering::Relaxed),
            dropped: self.dropped.load(Ordering::Relaxed),
            unpublished: self.queue().len() as u64,
            failures: self.failures.load(Ordering::Relaxed),
            last_error: self
                .last_error
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone(),
        }
    }

    fn deadline(&self) -> Option<Instant> {
        *self.closing.borrow()
    }

    fn close(&self, within: Duration) {
        let at = Instant::now() + within;
        // An earlier bound stays.
        self.closing.send_if_modified(|d| match d {
            Some(old) if *old <= at => false,
            _ => {
                *d = Some(at);
                true
            }
        });
    }
}

/// A running publisher. Dropping it leaves it running until the bus closes
/// (then it drains within `Options::drain` and logs its report).
pub struct Publisher {
    shared: Arc<Shared>,
    done: std::sync::mpsc::Receiver<Report>,
}

impl fmt::Debug for Publisher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Publisher")
            .field("report", &self.shared.report())
            .finish()
    }
}

impl Publisher {
    /// Subscribes to `bus` and starts publishing. Does not wait for NATS:
    /// a server that is down now is connected to when it comes up.
    pub fn attach(bus: &EventBus, options: Options) -> Result<Publisher, StreamError> {
        let url = options
            .streaming
            .nats_url
            .clone()
            .ok_or_else(|| StreamError::Publisher("no NATS URL".into()))?;
        let shared = Arc::new(Shared {
            queue: Mutex::new(VecDeque::new()),
            capacity: options.streaming.buffer.max(1),
            wake: Notify::new(),
            intake_done: AtomicBool::new(false),
            closing: watch::channel(None).0,
            published: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            failures: AtomicU64::new(0),
            last_error: Mutex::new(None),
        });
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| StreamError::Publisher(format!("its runtime: {e}")))?;
        let events = bus.subscribe_lossy();
        let (tx, done) = std::sync::mpsc::channel();
        let thread_shared = shared.clone();
        std::thread::Builder::new()
            .name(format!("smc-stream-{}", options.session))
            .spawn(move || {
                let shared = thread_shared;
                let placer = Placer::new(options.venue.clone());
                runtime.block_on(async {
                    let intake = intake(&shared, events, placer, &options);
                    let send = send(&shared, &url, &options);
                    tokio::join!(intake, send);
                });
                let report = shared.report();
                if tx.send(report.clone()).is_err() {
                    // Nobody waits: the session ended without `finish`.
                    if report.complete() {
                        tracing::info!("event stream {}: {report}", options.session);
                    } else {
                        tracing::warn!("event stream {}: {report}", options.session);
                    }
                }
            })
            .map_err(|e| StreamError::Publisher(format!("its thread: {e}")))?;
        Ok(Publisher { shared, done })
    }

    /// The counts so far.
    pub fn report(&self) -> Report {
        self.shared.report()
    }

    /// Publishes what the session has published so far (call it after the
    /// session ended), waiting at most `within`; what could not be sent is
    /// in the report.
    pub fn finish(self, within: Duration) -> Report {
        self.shared.close(within);
        // The publisher gives up at the bound; a little more for it to say so.
        match self.done.recv_timeout(within + Duration::from_millis(500)) {
            Ok(report) => report,
            Err(_) => self.shared.report(),
        }
    }
}

/// Takes events from the bus into the buffer until the bus closes or the
/// publisher is closed (then takes what is already there).
async fn intake(shared: &Shared, mut events: Lossy, mut placer: Placer, options: &Options) {
    let mut closing = shared.closing.subscribe();
    let mut n = 0u64;
    loop {
        let delivery = tokio::select! {
            d = events.recv() => d,
            _ = closing.wait_for(Option::is_some) => {
                while let Some(d) = events.try_recv() {
                    take(shared, &mut placer, options, &mut n, d);
                }
                break;
            }
        };
        match delivery {
            Some(d) => take(shared, &mut placer, options, &mut n, d),
            None => {
                shared.close(options.drain);
                break;
            }
        }
    }
    shared.intake_done.store(true, Ordering::Release);
    shared.wake.notify_one();
}

fn take(shared: &Shared, placer: &mut Placer, options: &Options, n: &mut u64, d: Delivery) {
    match d {
        Delivery::Missed(k) => {
            *n += k;
            shared.dropped.fetch_add(k, Ordering::Relaxed);
        }
        Delivery::Event(event) => {
            *n += 1;
            let item = item(placer, options, *n, &event);
            let mut queue = shared.queue();
            if queue.len() >= shared.capacity {
                queue.pop_front();
                shared.dropped.fetch_add(1, Ordering::Relaxed);
            }
            queue.push_back(Arc::new(item));
            drop(queue);
            shared.wake.notify_one();
        }
    }
}

fn item(placer: &mut Placer, options: &Options, n: u64, event: &SessionEvent) -> Item {
    let place = placer.place(event);
    if let Some(id) = closes_order(event) {
        placer.forget(id);
    }
    let subject = subject(&options.session, &place);
    let json = serde_json::to_value(event)
        .unwrap_or_else(|e| serde_json::json!({"type": "unserializable", "error": e.to_string()}));
    let envelope = Envelope::new(
        &options.session,
        n,
        place.kind,
        place.venue,
        place.symbol,
        WallClock.now().ms(),
        json,
    );
    Item {
        n,
        subject,
        payload: serde_json::to_vec(&envelope).unwrap_or_default(),
    }
}

/// Sends the buffer's front, in order, until the intake is done and the
/// buffer empty, or the closing deadline passes.
async fn send(shared: &Shared, url: &str, options: &Options) {
    let client = match connect_lazily(url).await {
        Ok(c) => c,
        Err(e) => {
            shared.failed(e.to_string());
            return;
        }
    };
    let js = jetstream(client);
    // A message id unique to this process, so that the server's
    // de-duplication drops only our own retries.
    let run = format!("{}-{}", std::process::id(), WallClock.now().ms());
    let mut stream_ready = false;
    let mut backoff = Duration::from_millis(50);
    loop {
        if shared.deadline().is_some_and(|d| Instant::now() >= d) {
            return;
        }
        if !stream_ready {
            match ensure_stream(&js, &options.streaming).await {
                Ok(_) => stream_ready = true,
                Err(e) => {
                    shared.failed(e.to_string());
                    pause(shared, &mut backoff).await;
                    continue;
                }
            }
        }
        let batch: Vec<Arc<Item>> = shared.queue().iter().take(BATCH).cloned().collect();
        if batch.is_empty() {
            if shared.intake_done.load(Ordering::Acquire) {
                return;
            }
            shared.wake.notified().await;
            continue;
        }
        // The client queues while disconnected: bound the whole attempt.
        let attempt = publish(shared, &js, &run, &options.session, &batch);
        let acked = match tokio::time::timeout(REQUEST_TIMEOUT * 2, attempt).await {
            Ok(acked) => acked,
            Err(_) => {
                shared.failed("publishing: timed out".into());
                0
            }
        };
        if let Some(last) = acked.checked_sub(1).and_then(|i| batch.get(i)) {
            let mut queue = shared.queue();
            // Items dropped from the front meanwhile are not ours to pop.
            while queue.front().is_some_and(|front| front.n <= last.n) {
                queue.pop_front();
            }
            shared.published.fetch_add(acked as u64, Ordering::Relaxed);
        }
        if acked < batch.len() {
            pause(shared, &mut backoff).await;
        } else {
            backoff = Duration::from_millis(50);
        }
    }
}

/// Sends `batch` and awaits its acks in order; how many were acknowledged
/// from the first on.
async fn publish(
    shared: &Shared,
    js: &async_nats::jetstream::Context,
    run: &str,
    session: &str,
    batch: &[Arc<Item>],
) -> usize {
    let mut acks = Vec::with_capacity(batch.len());
    for item in batch {
        let message = PublishMessage::build()
            .payload(item.payload.clone().into())
            .message_id(format!("{session}-{run}-{}", item.n));
        match js.send_publish(item.subject.clone(), message).await {
            Ok(ack) => acks.push(ack),
            Err(e) => {
                shared.failed(format!("publishing: {e}"));
                break;
            }
        }
    }
    let mut acked = 0;
    for ack in acks {
        match ack.await {
            Ok(_) => acked += 1,
            Err(e) => {
                shared.failed(format!("waiting for JetStream's ack: {e}"));
                break;
            }
        }
    }
    acked
}

/// Waits before a retry, doubling up to 2 s, never past the deadline.
async fn pause(shared: &Shared, backoff: &mut Duration) {
    let mut wake = Instant::now() + *backoff;
    if let Some(d) = shared.deadline() {
        wake = wake.min(d);
    }
    tokio::time::sleep_until(wake).await;
    *backoff = (*backoff * 2).min(Duration::from_secs(2));
}
