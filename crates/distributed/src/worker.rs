//! The worker loop (`smc worker`): pull one job at a time from the shared
//! consumer, fetch the run's spec and data once per hash (checked, cached
//! in memory and in a cache folder), run the backtest with the runtime's
//! own [`smc_runtime::optimize::Runner`], publish the result to the job's
//! reply subject, then ack. While a backtest runs the worker sends
//! `in progress` acks every third of the ack deadline, so only a dead
//! worker's job is redelivered. A job that cannot be read is term-acked
//! (never redelivered) and reported to its coordinator when it names one.

use crate::blob;
use crate::error::{DistError, DistResult};
use crate::queue::{Delivery, Queue};
use crate::spec::{Prepared, RunSpec};
use crate::wire::{Job, JobResult};
use async_nats::jetstream::{AckKind, Message, consumer::PullConsumer};
use futures_util::StreamExt;
use smc_model::Candle;
use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How a worker runs.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// Its name in results and logs.
    pub name: String,
    pub delivery: Delivery,
    /// Where downloaded candle files are kept (by hash).
    pub cache_dir: PathBuf,
    /// Stop after this many jobs (tests, batch machines).
    pub max_jobs: Option<u64>,
    /// Extra time spent on each job before its backtest: a stand-in for
    /// long backtests in tests and drills (heartbeats cover it).
    pub job_delay: Duration,
}

/// What a worker did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WorkerStats {
    /// Jobs answered with a result.
    pub done: u64,
    /// Of those, jobs whose backtest or data failed (answered with the error).
    pub failed: u64,
    /// Jobs that could not be read, term-acked.
    pub malformed: u64,
    /// Jobs this worker got on a second or later delivery.
    pub redelivered: u64,
}

/// Most run specs kept ready at once.
const MAX_PREPARED: usize = 8;

struct Worker {
    queue: Queue,
    opts: WorkerOptions,
    prepared: HashMap<String, Arc<Prepared>>,
    candles: HashMap<String, Arc<Vec<Candle>>>,
    stats: WorkerStats,
}

/// Runs the loop until `stop` resolves (a job in progress is given back to
/// the queue) or `max_jobs` are done.
pub async fn run(
    url: &str,
    opts: WorkerOptions,
    stop: impl Future<Output = ()>,
) -> DistResult<WorkerStats> {
    let queue = Queue::connect(url, &format!("smc worker {}", opts.name)).await?;
    let consumer = queue.consumer(opts.delivery).await?;
    tracing::info!(
        "worker {} ready on {url} (ack wait {} s, max deliver {})",
        opts.name,
        opts.delivery.ack_wait.as_secs_f64(),
        opts.delivery.max_deliver
    );
    let mut w = Worker {
        queue,
        opts,
        prepared: HashMap::new(),
        candles: HashMap::new(),
        stats: WorkerStats::default(),
    };
    tokio::pin!(stop);
    loop {
        if w.opts
            .max_jobs
            .is_some_and(|m| w.stats.done + w.stats.malformed >= m)
        {
            break;
        }
        let msg = tokio::select! {
            () = &mut stop => break,
            m = next(&consumer) => m?,
        };
        let Some(msg) = msg else { continue };
        tokio::select! {
            () = &mut stop => {
                // Back to the queue now rather than after the ack deadline.
                let _ = msg.ack_with(AckKind::Nak(None)).await;
                break;
            }
            r = w.handle(&msg) => r?,
        }
    }
    Ok(w.stats)
}

/// The next job, or `None` when none came within a few seconds or NATS
/// is away (the client reconnects; the worker keeps asking).
async fn next(consumer: &PullConsumer) -> DistResult<Option<Message>> {
    let batch = consumer
        .batch()
        .max_messages(1)
        .expires(Duration::from_secs(5))
        .messages()
        .await;
    let mut batch = match batch {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!("pulling a job: {e}; retrying");
            tokio::time::sleep(Duration::from_secs(1)).await;
            return Ok(None);
        }
    };
    match batch.next().await {
        Some(Ok(m)) => Ok(Some(m)),
        Some(Err(e)) => {
            tracing::warn!("pulling a job: {e}");
            tokio::time::sleep(Duration::from_millis(500)).await;
            Ok(None)
        }
        None => Ok(None),
    }
}

fn id_header(id: u64) -> async_nats::HeaderMap {
    let mut h = async_nats::HeaderMap::new();
    h.insert(crate::wire::JOB_ID_HEADER, id.to_string().as_str());
    h
}

impl Worker {
    async fn handle(&mut self, msg: &Message) -> DistResult<()> {
        let delivered = msg.info().map(|i| i.delivered).unwrap_or(1);
        let job = match Job::decode(&msg.payload) {
            Ok(job) => job,
            Err(e) => return self.refuse(msg, e).await,
        };
        let tag = format!("job {}/{}", job.run, job.id);
        if delivered > 1 {
            self.stats.redelivered += 1;
            tracing::info!("{tag}: redelivered (delivery {delivered})");
        }
        let started = Instant::now();
        tracing::info!("{tag}: running bars {}..{}", job.bars[0], job.bars[1]);
        let prepared = match self.prepare(&job.spec).await {
            Ok(p) => p,
            Err(e @ (DistError::Nats { .. } | DistError::Connect { .. })) => {
                tracing::warn!("{tag}: {e}; given back to the queue");
                let _ = msg
                    .ack_with(AckKind::Nak(Some(Duration::from_secs(1))))
                    .await;
                return Ok(());
            }
            Err(e) => return self.answer(msg, &job, Err(e.to_string()), started).await,
        };
        let params = job.param_set()?;
        let bars = job.bars();
        let delay = self.opts.job_delay;
        let mut task = tokio::task::spawn_blocking(move || {
            std::thread::sleep(delay);
            prepared
                .runner()
                .run(&params, bars)
                .map_err(|e| e.to_string())
        });
        let mut beat = tokio::time::interval(self.opts.delivery.ack_wait / 3);
        beat.tick().await;
        let result = loop {
            tokio::select! {
                r = &mut task => break r.unwrap_or_else(|e| Err(format!("the backtest panicked: {e}"))),
                _ = beat.tick() => {
                    let _ = msg.ack_with(AckKind::Progress).await;
                }
            }
        };
        self.answer(msg, &job, result, started).await
    }

    /// Publishes the result, then acks: a worker dying between the two
    /// leaves the job to be redelivered, and the coordinator keeps the
    /// first result per job.
    async fn answer(
        &mut self,
        msg: &Message,
        job: &Job,
        result: Result<smc_optimize::RunResult, String>,
        started: Instant,
    ) -> DistResult<()> {
        let failed = result.is_err();
        if let Err(e) = &result {
            tracing::warn!("job {}/{}: failed: {e}", job.run, job.id);
        }
        let mut out = JobResult::new(&job.run, job.id, &self.opts.name, result).encode()?;
        // Headroom for the headers of the message.
        if out.len() + 1024 > self.queue.client.max_payload() {
            let sha256 = blob::store(&self.queue.blobs, &out).await?;
            tracing::info!(
                "job {}/{}: result of {} bytes sent as blob {sha256}",
                job.run,
                job.id,
                out.len()
            );
            out = JobResult {
                outcome: crate::wire::Outcome::Blob { sha256 },
                ..JobResult::new(&job.run, job.id, &self.opts.name, Err(String::new()))
            }
            .encode()?;
        }
        self.queue
            .client
            .publish_with_headers(job.reply.clone(), id_header(job.id), out.into())
            .await
            .map_err(|e| DistError::nats("publishing a result", e))?;
        self.queue
            .client
            .flush()
            .await
            .map_err(|e| DistError::nats("publishing a result", e))?;
        msg.double_ack()
            .await
            .map_err(|e| DistError::nats("acking a job", e))?;
        self.stats.done += 1;
        self.stats.failed += u64::from(failed);
        tracing::info!(
            "job {}/{}: done in {} ms",
            job.run,
            job.id,
            started.elapsed().as_millis()
        );
        Ok(())
    }

    /// Term-acks an unreadable job and tells its coordinator when the job
    /// names a reply subject and an id.
    async fn refuse(&mut self, msg: &Message, e: DistError) -> DistResult<()> {
        self.stats.malformed += 1;
        tracing::error!("malformed job refused (term-acked): {e}");
        let loose: Option<serde_json::Value> = serde_json::from_slice(&msg.payload).ok();
        let reply = loose.as_ref().and_then(|v| v["reply"].as_str());
        let id = loose.as_ref().and_then(|v| v["id"].as_u64());
        let run = loose.as_ref().and_then(|v| v["run"].as_str()).unwrap_or("");
        if let (Some(reply), Some(id)) = (reply, id) {
            let out = JobResult::new(run, id, &self.opts.name, Err(format!("refused: {e}")));
            if let Ok(bytes) = out.encode() {
                let _ = self
                    .queue
                    .client
                    .publish_with_headers(reply.to_string(), id_header(id), bytes.into())
                    .await;
            }
        }
        msg.ack_with(AckKind::Term)
            .await
            .map_err(|e| DistError::nats("term-acking a job", e))?;
        let _ = self.queue.client.flush().await;
        Ok(())
    }

    /// The run's spec made ready, from the cache or fetched and checked.
    async fn prepare(&mut self, spec_hash: &str) -> DistResult<Arc<Prepared>> {
        if let Some(p) = self.prepared.get(spec_hash) {
            return Ok(p.clone());
        }
        let spec = RunSpec::decode(&blob::fetch(&self.queue.blobs, spec_hash).await?)?;
        let candles = self.candles(&spec).await?;
        let prepared = Arc::new(Prepared::new(&spec, candles)?);
        if self.prepared.len() >= MAX_PREPARED {
            self.prepared.clear();
            self.candles.clear();
        }
        self.prepared
            .insert(spec_hash.to_string(), prepared.clone());
        Ok(prepared)
    }

    /// The run's candles: in memory, else the cache folder, else the
    /// shared path or the object store; parsed by the local reader.
    async fn candles(&mut self, spec: &RunSpec) -> DistResult<Arc<Vec<Candle>>> {
        let data = &spec.data;
        if let Some(c) = self.candles.get(&data.sha256) {
            return Ok(c.clone());
        }
        let file: String = data
            .name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "._-".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let cached = self.opts.cache_dir.join(format!("{}-{file}", data.sha256));
        let io = |path: &std::path::Path, source| DistError::Io {
            path: path.display().to_string(),
            source,
        };
        let fresh = std::fs::read(&cached)
            .ok()
            .filter(|b| blob::verify("cached", &data.sha256, b).is_ok());
        if fresh.is_none() {
            let bytes = match &data.path {
                Some(p) => blob::read_shared(std::path::Path::new(p), &data.sha256)?,
                None => blob::fetch(&self.queue.blobs, &data.sha256).await?,
            };
            std::fs::create_dir_all(&self.opts.cache_dir)
                .map_err(|e| io(&self.opts.cache_dir, e))?;
            // Written aside then renamed: workers sharing a cache folder
            // never parse a half-written file.
            let aside = cached.with_extension(format!("part-{}", std::process::id()));
            std::fs::write(&aside, &bytes).map_err(|e| io(&aside, e))?;
            std::fs::rename(&aside, &cached).map_err(|e| io(&cached, e))?;
        }
        let input = smc_runtime::backtest::load_candles(cached, spec.lenient)
            .map_err(|e| DistError::Setting(e.to_string()))?;
        let candles = Arc::new(input.candles);
        self.candles.insert(data.sha256.clone(), candles.clone());
        Ok(candles)
    }
}
