//! The coordinator: a [`Backtester`] whose backtests run on workers. Each
//! call publishes one job to the work queue and waits for its result on the
//! run's own reply subject; the optimiser calls it from as many threads as
//! jobs should be in flight (the CLI sizes a rayon pool for that), so the
//! search itself, and its deterministic by-index gathering, is the local
//! one. A result that arrives twice (a job redelivered after a slow ack)
//! is dropped: the first per job id wins.

use crate::blob;
use crate::error::{DistError, DistResult};
use crate::queue::{JOBS_SUBJECT, Queue};
use crate::spec::RunSpec;
use crate::wire::{JOB_ID_HEADER, Job, JobResult, Outcome};
use async_nats::jetstream::object_store::ObjectStore;
use futures_util::StreamExt;
use smc_optimize::{Backtester, BoxError, ParamSet, RunResult};
use std::collections::HashMap;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;

/// The threads waiting, by job id, for their result's bytes.
type Waiting = Arc<Mutex<HashMap<u64, oneshot::Sender<Vec<u8>>>>>;

/// Counters of a run, for the report.
#[derive(Debug, Default)]
pub struct Counters {
    pub sent: AtomicU64,
    pub received: AtomicU64,
    /// Results for a job already answered (redeliveries).
    pub duplicates: AtomicU64,
    /// Bytes of jobs published and of results received.
    pub job_bytes: AtomicU64,
    pub result_bytes: AtomicU64,
}

/// One distributed run.
pub struct Coordinator {
    rt: tokio::runtime::Runtime,
    queue: Queue,
    run: String,
    reply: String,
    spec_hash: String,
    waiting: Waiting,
    next: AtomicU64,
    timeout: Duration,
    pub counters: Arc<Counters>,
}

impl Coordinator {
    /// Connects, uploads the data (unless `spec.data.path` names a shared
    /// file) and the spec, and listens on the run's reply subject. `data`
    /// is the candle file's bytes, whose hash `spec.data.sha256` must be.
    pub fn start(url: &str, spec: &RunSpec, data: &[u8], timeout: Duration) -> DistResult<Self> {
        blob::verify("the input file", &spec.data.sha256, data)?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|source| DistError::Io {
                path: "the coordinator's runtime".into(),
                source,
            })?;
        let waiting: Waiting = Arc::default();
        let counters = Arc::new(Counters::default());
        let (queue, reply, spec_hash) = rt.block_on(async {
            let queue = Queue::connect(url, "smc optimize --distributed").await?;
            if spec.data.path.is_none() {
                blob::store(&queue.blobs, data).await?;
            }
            let spec_hash = blob::store(&queue.blobs, &spec.encode()?).await?;
            let reply = queue.client.new_inbox();
            let mut sub = queue
                .client
                .subscribe(reply.clone())
                .await
                .map_err(|e| DistError::nats("subscribing to the results", e))?;
            let (waiting, counters) = (waiting.clone(), counters.clone());
            // The listener only routes bytes by the job-id header: each
            // waiting thread decodes (and fetches a blob result) itself, so
            // decoding runs on as many threads as jobs are in flight.
            tokio::spawn(async move {
                while let Some(msg) = sub.next().await {
                    counters
                        .result_bytes
                        .fetch_add(msg.payload.len() as u64, Ordering::Relaxed);
                    let header = msg
                        .headers
                        .as_ref()
                        .and_then(|h| h.get(JOB_ID_HEADER))
                        .and_then(|v| v.as_str().parse::<u64>().ok());
                    let id = match header {
                        Some(id) => id,
                        None => match JobResult::decode(&msg.payload) {
                            Ok(r) => r.id,
                            Err(e) => {
                                tracing::warn!("a result could not be read: {e}");
                                continue;
                            }
                        },
                    };
                    deliver(&waiting, &counters, id, msg.payload.to_vec());
                }
            });
            Ok::<_, DistError>((queue, reply, spec_hash))
        })?;
        let run = reply.rsplit('.').next().unwrap_or_default().to_string();
        Ok(Coordinator {
            rt,
            queue,
            run,
            reply,
            spec_hash,
            waiting,
            next: AtomicU64::new(0),
            timeout,
            counters,
        })
    }

    /// The run's id (the reply subject's last token).
    pub fn run_id(&self) -> &str {
        &self.run
    }

    /// Sends one job and waits for its result.
    pub fn run_job(&self, params: &ParamSet, bars: Range<usize>) -> DistResult<RunResult> {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let job = Job::new(&self.run, id, &self.reply, &self.spec_hash, params, bars);
        let payload = job.encode()?;
        let (tx, rx) = oneshot::channel();
        if let Ok(mut w) = self.waiting.lock() {
            w.insert(id, tx);
        }
        self.rt.block_on(async {
            self.counters
                .job_bytes
                .fetch_add(payload.len() as u64, Ordering::Relaxed);
            self.queue
                .js
                .publish(JOBS_SUBJECT, payload.into())
                .await
                .map_err(|e| DistError::nats("publishing a job", e))?
                .await
                .map_err(|e| DistError::nats("publishing a job (ack)", e))?;
            self.counters.sent.fetch_add(1, Ordering::Relaxed);
            match tokio::time::timeout(self.timeout, rx).await {
                Ok(Ok(bytes)) => {
                    let result = unblob(
                        &self.queue.blobs,
                        JobResult::decode(&bytes)?,
                        &self.counters,
                    )
                    .await?;
                    if result.id != id || result.run != self.run {
                        return Err(DistError::Job {
                            id,
                            message: format!(
                                "answered by a result of job {}/{}",
                                result.run, result.id
                            ),
                        });
                    }
                    result
                        .into_run_result()
                        .map_err(|message| DistError::Job { id, message })
                }
                Ok(Err(_)) => Err(DistError::Job {
                    id,
                    message: "the result listener stopped".into(),
                }),
                Err(_) => {
                    if let Ok(mut w) = self.waiting.lock() {
                        w.remove(&id);
                    }
                    Err(DistError::Timeout {
                        id,
                        seconds: self.timeout.as_secs(),
                    })
                }
            }
        })
    }
}

/// Hands a result to the thread waiting for it; a second result for the
/// same job finds no one waiting and is counted.
fn deliver(waiting: &Waiting, counters: &Counters, id: u64, bytes: Vec<u8>) {
    let sender = waiting.lock().ok().and_then(|mut w| w.remove(&id));
    match sender {
        Some(tx) => {
            counters.received.fetch_add(1, Ordering::Relaxed);
            let _ = tx.send(bytes);
        }
        None => {
            counters.duplicates.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// The full result of a [`Outcome::Blob`] one, fetched, checked, decoded
/// and deleted from the store; any other result as it is.
async fn unblob(
    blobs: &ObjectStore,
    result: JobResult,
    counters: &Counters,
) -> DistResult<JobResult> {
    let Outcome::Blob { sha256 } = &result.outcome else {
        return Ok(result);
    };
    let bytes = blob::fetch(blobs, sha256)
        .await
        .map_err(|e| DistError::Job {
            id: result.id,
            message: format!("its result blob: {e}"),
        })?;
    counters
        .result_bytes
        .fetch_add(bytes.len() as u64, Ordering::Relaxed);
    // Another copy of the same (deterministic) result may still read it.
    let _ = blobs.delete(sha256).await;
    let full = JobResult::decode(&bytes)?;
    if full.id != result.id || full.run != result.run {
        return Err(DistError::Job {
            id: result.id,
            message: format!("its result blob answers job {}/{}", full.run, full.id),
        });
    }
    Ok(full)
}

impl Backtester for Coordinator {
    fn run(&self, params: &ParamSet, bars: Range<usize>) -> Result<RunResult, BoxError> {
        self.run_job(params, bars).map_err(BoxError::from)
    }
}
