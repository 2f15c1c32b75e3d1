//! Writing each hosted session's latest state to Redis without ever
//! making the session (or a request) wait: [`CacheWriter::publish`] only
//! puts the snapshot in its session's slot, replacing an older one not yet
//! written (coalesced: only the latest state matters, and the replaced one
//! is counted), and one task on the writer's own thread drains the slots,
//! one MULTI/EXEC per snapshot. While Redis is down the newest snapshot of
//! each session waits in its slot (memory is bounded by the number of
//! sessions) and is written once Redis answers again; the written ones are
//! rewritten every third of the expiry, so that the keys of a live
//! session never expire, and at once when Redis answers after failures
//! (it may have come back empty: it is a cache).

use crate::link::Link;
use crate::{CacheError, SCHEMA, keys};
use serde_json::{Value, json};
use smc_model::{Clock, WallClock};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// What a session looks like to readers: its summary (for the session
/// list) and its parts (`positions`, `orders`…; see [`keys::PARTS`]), each
/// any JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionSnapshot {
    pub id: String,
    pub summary: Value,
    pub parts: BTreeMap<String, Value>,
}

/// How the writer has fared since it started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriterStats {
    /// Snapshots handed to [`CacheWriter::publish`].
    pub published: u64,
    /// Snapshots replaced by a newer one before being written.
    pub coalesced: u64,
    /// Writes Redis took (heartbeat rewrites included).
    pub written: u64,
    /// Writes that failed (Redis down or slow); the snapshot was kept.
    pub failed: u64,
    /// Whether the last write succeeded.
    pub up: bool,
}

#[derive(Default)]
struct Counters {
    published: AtomicU64,
    coalesced: AtomicU64,
    written: AtomicU64,
    failed: AtomicU64,
    up: AtomicBool,
}

struct Shared {
    pending: Mutex<BTreeMap<String, SessionSnapshot>>,
    wake: tokio::sync::Notify,
    stop: AtomicBool,
    counters: Counters,
}

impl Shared {
    fn pending(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, SessionSnapshot>> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The writer: cheap to share behind an `Arc`; stops (after one last
/// attempt at what is pending) when dropped.
pub struct CacheWriter {
    shared: Arc<Shared>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for CacheWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CacheWriter")
            .field("stats", &self.stats())
            .finish()
    }
}

/// How long the writer waits before trying again after a failed write.
const RETRY_EVERY: Duration = Duration::from_millis(200);

impl CacheWriter {
    /// A writer to `url` whose keys live `ttl` unless refreshed. Does not
    /// connect yet: a Redis that is down at start is tried again later.
    pub fn start(url: &str, ttl: Duration) -> Result<CacheWriter, CacheError> {
        let link = Link::new(url)?;
        let shared = Arc::new(Shared {
            pending: Mutex::default(),
            wake: tokio::sync::Notify::new(),
            stop: AtomicBool::new(false),
            counters: Counters::default(),
        });
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| CacheError::Unreachable(format!("starting the writer: {e}")))?;
        let task = Drain {
            shared: shared.clone(),
            link,
            ttl,
            written: BTreeMap::new(),
            down_logged: false,
            resync: false,
        };
        let thread = std::thread::Builder::new()
            .name("smc-cache-writer".into())
            .spawn(move || runtime.block_on(task.run()))
            .map_err(|e| CacheError::Unreachable(format!("starting the writer: {e}")))?;
        Ok(CacheWriter {
            shared,
            thread: Some(thread),
        })
    }

    /// Hands `snapshot` to the writer; never waits on Redis.
    pub fn publish(&self, snapshot: SessionSnapshot) {
        let c = &self.shared.counters;
        c.published.fetch_add(1, Ordering::Relaxed);
        let replaced = self.shared.pending().insert(snapshot.id.clone(), snapshot);
        if replaced.is_some() {
            c.coalesced.fetch_add(1, Ordering::Relaxed);
        }
        self.shared.wake.notify_one();
    }

    pub fn stats(&self) -> WriterStats {
        let c = &self.shared.counters;
        WriterStats {
            published: c.published.load(Ordering::Relaxed),
            coalesced: c.coalesced.load(Ordering::Relaxed),
            written: c.written.load(Ordering::Relaxed),
            failed: c.failed.load(Ordering::Relaxed),
            up: c.up.load(Ordering::Relaxed),
        }
    }
}

impl Drop for CacheWriter {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        self.shared.wake.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The writer's task.
struct Drain {
    shared: Arc<Shared>,
    link: Link,
    ttl: Duration,
    /// The last snapshot written of each session, rewritten as heartbeat.
    written: BTreeMap<String, SessionSnapshot>,
    down_logged: bool,
    /// Set when a write succeeds after failures: Redis may have come back
    /// empty (it is a cache), so everything written is written again.
    resync: bool,
}

impl Drain {
    async fn run(mut self) {
        let heartbeat = self.ttl / 3;
        let mut last_beat = tokio::time::Instant::now();
        loop {
            let stopping = self.shared.stop.load(Ordering::Relaxed);
            if !stopping {
                tokio::select! {
                    () = self.shared.wake.notified() => {}
                    () = tokio::time::sleep(heartbeat) => {}
                }
            }
            let batch = std::mem::take(&mut *self.shared.pending());
            let mut failed = false;
            for snapshot in batch.into_values() {
                if !self.write(snapshot).await {
                    failed = true;
                }
            }
            if last_beat.elapsed() >= heartbeat || std::mem::take(&mut self.resync) {
                last_beat = tokio::time::Instant::now();
                let beats: Vec<SessionSnapshot> = self.written.values().cloned().collect();
                for snapshot in beats {
                    if !self.shared.pending().contains_key(&snapshot.id)
                        && !self.write(snapshot).await
                    {
                        failed = true;
                    }
                }
            }
            if stopping || (self.shared.stop.load(Ordering::Relaxed) && failed) {
                return;
            }
            if failed {
                tokio::time::sleep(RETRY_EVERY).await;
                // Come round again for what was put back.
                self.shared.wake.notify_one();
            }
        }
    }

    /// Writes one snapshot; on failure puts it back unless a newer one
    /// is already waiting.
    async fn write(&mut self, snapshot: SessionSnapshot) -> bool {
        let counters = &self.shared.counters;
        let pipe = pipeline(&snapshot, self.ttl, WallClock.now().ms());
        let done = self
            .link
            .run(|mut c| async move { pipe.query_async::<()>(&mut c).await })
            .await;
        match done {
            Ok(()) => {
                counters.written.fetch_add(1, Ordering::Relaxed);
                if !counters.up.swap(true, Ordering::Relaxed) && self.down_logged {
                    tracing::info!("Redis answers again: the session cache is being written");
                    self.down_logged = false;
                    self.resync = true;
                }
                self.written.insert(snapshot.id.clone(), snapshot);
                true
            }
            Err(e) => {
                counters.failed.fetch_add(1, Ordering::Relaxed);
                counters.up.store(false, Ordering::Relaxed);
                if !self.down_logged {
                    tracing::warn!(
                        "the session cache cannot be written ({e}); trading goes on, writes resume when Redis is back"
                    );
                    self.down_logged = true;
                }
                self.shared
                    .pending()
                    .entry(snapshot.id.clone())
                    .or_insert(snapshot);
                false
            }
        }
    }
}

/// One MULTI/EXEC: every part with its expiry, the summary in the index.
fn pipeline(snapshot: &SessionSnapshot, ttl: Duration, now_ms: i64) -> redis::Pipeline {
    let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
    let envelope = |data: &Value| {
        json!({"schema": SCHEMA, "session": snapshot.id, "written_ms": now_ms, "data": data})
            .to_string()
    };
    let mut summary = snapshot.summary.clone();
    if let Some(object) = summary.as_object_mut() {
        object.insert("heartbeat_ms".into(), now_ms.into());
        object.insert("schema".into(), SCHEMA.into());
    }
    let mut pipe = redis::pipe();
    pipe.atomic();
    for (part, data) in &snapshot.parts {
        pipe.cmd("SET")
            .arg(keys::part(&snapshot.id, part))
            .arg(envelope(data))
            .arg("PX")
            .arg(ttl_ms)
            .ignore();
    }
    pipe.cmd("SET")
        .arg(keys::part(&snapshot.id, "summary"))
        .arg(envelope(&summary))
        .arg("PX")
        .arg(ttl_ms)
        .ignore();
    pipe.cmd("HSET")
        .arg(keys::SESSIONS)
        .arg(&snapshot.id)
        .arg(summary.to_string())
        .ignore();
    pipe.cmd("PEXPIRE").arg(keys::SESSIONS).arg(ttl_ms).ignore();
    pipe
}
