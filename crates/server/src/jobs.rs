//! Backtest jobs: queued by `POST /backtests`, run one at a time on a
//! worker thread (a backtest uses a whole core), with progress from 0 to 1
//! published on the hub's `backtests` topic, and the result in the same
//! JSON as `smc backtest --json`.

use crate::hub::Hub;
use serde::Serialize;
use smc_runtime::backtest::BacktestRequest;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use utoipa::ToSchema;

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Queued,
    Running,
    Done,
    Failed,
}

/// A job as `GET /backtests/{id}` shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Job {
    pub id: String,
    pub state: JobState,
    /// 0 to 1.
    pub progress: f64,
    /// `smc backtest --json`'s object, once done.
    #[schema(value_type = Option<Object>)]
    pub result: Option<serde_json::Value>,
    pub error: Option<String>,
    /// Epoch milliseconds.
    pub created_at: i64,
}

/// The jobs, by id, and the queue's single worker.
#[derive(Clone, Default)]
pub struct Jobs {
    jobs: Arc<Mutex<BTreeMap<String, Job>>>,
    /// Held while a job runs: jobs run one after another.
    worker: Arc<Mutex<()>>,
}

impl Jobs {
    pub fn get(&self, id: &str) -> Option<Job> {
        self.lock().get(id).cloned()
    }

    /// How many jobs are in each state.
    pub fn counts(&self) -> BTreeMap<&'static str, usize> {
        let mut counts = BTreeMap::new();
        for job in self.lock().values() {
            let name = match job.state {
                JobState::Queued => "queued",
                JobState::Running => "running",
                JobState::Done => "done",
                JobState::Failed => "failed",
            };
            *counts.entry(name).or_default() += 1;
        }
        counts
    }

    /// Queues `request`; its id.
    pub fn submit(
        &self,
        request: BacktestRequest,
        now_ms: i64,
        hub: Hub,
    ) -> Result<String, String> {
        let id = smc_auth::token::random_id();
        self.lock().insert(
            id.clone(),
            Job {
                id: id.clone(),
                state: JobState::Queued,
                progress: 0.0,
                result: None,
                error: None,
                created_at: now_ms,
            },
        );
        let jobs = self.clone();
        let job_id = id.clone();
        std::thread::Builder::new()
            .name(format!("smc-backtest-{id}"))
            .spawn(move || jobs.run(&job_id, &request, &hub))
            .map_err(|e| format!("starting the backtest thread: {e}"))?;
        Ok(id)
    }

    fn run(&self, id: &str, request: &BacktestRequest, hub: &Hub) {
        let _turn = self.worker.lock().unwrap_or_else(PoisonError::into_inner);
        self.update(id, hub, |j| j.state = JobState::Running);
        let outcome = request.load().and_then(|input| {
            let total = input.candles.len().max(1) as f64;
            let mut last = 0.0;
            request.run_on(input, &mut |done| {
                let progress = (done as f64 / total).min(1.0);
                // Publish every whole percent, not every callback.
                if progress - last >= 0.01 {
                    last = progress;
                    self.update(id, hub, |j| j.progress = progress);
                }
            })
        });
        match outcome {
            Ok(backtest) => self.update(id, hub, |j| {
                j.state = JobState::Done;
                j.progress = 1.0;
                j.result = Some(backtest.results_json());
            }),
            Err(e) => self.update(id, hub, |j| {
                j.state = JobState::Failed;
                j.error = Some(e.to_string());
            }),
        }
    }

    fn update(&self, id: &str, hub: &Hub, change: impl FnOnce(&mut Job)) {
        let snapshot = {
            let mut jobs = self.lock();
            let Some(job) = jobs.get_mut(id) else { return };
            change(job);
            serde_json::json!({
                "id": job.id, "state": job.state, "progress": job.progress, "error": job.error,
            })
        };
        hub.publish("backtests", &snapshot);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Job>> {
        self.jobs.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
