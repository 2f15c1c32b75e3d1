//! Jobs: backtests queued by `POST /backtests` and optimisations by
//! `POST /optimizations`, sharing one queue that runs them one at a time
//! on a worker thread (a backtest uses a whole core, an optimisation all
//! of them), with progress from 0 to 1 published on the hub's topic of
//! their kind, and the result in the same JSON as `smc backtest --json`
//! or `smc optimize --json`; a backtest also keeps its equity curve,
//! sampled down to [`EQUITY_POINTS`] points for charts.

use crate::hub::Hub;
use rust_decimal::Decimal;
use serde::Serialize;
use smc_runtime::backtest::BacktestRequest;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use utoipa::ToSchema;

/// What a job runs: its resource and its hub topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    Backtest,
    Optimization,
}

impl JobKind {
    pub fn topic(self) -> &'static str {
        match self {
            JobKind::Backtest => "backtests",
            JobKind::Optimization => "optimizations",
        }
    }
}

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Queued,
    Running,
    Done,
    Failed,
}

/// A job as `GET /backtests/{id}` or `GET /optimizations/{id}` shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Job {
    pub id: String,
    pub state: JobState,
    /// 0 to 1.
    pub progress: f64,
    /// `smc backtest --json`'s or `smc optimize --json`'s object, once done.
    #[schema(value_type = Option<Object>)]
    pub result: Option<serde_json::Value>,
    pub error: Option<String>,
    /// Epoch milliseconds.
    pub created_at: i64,
    /// Backtests, once done: the equity curve (equity at each bar's
    /// close) sampled to at most 2,000 points, the first and last exact
    /// and, between them, each stretch's lowest and highest point, so
    /// drawdowns survive the sampling. Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(required = false)]
    pub equity: Option<Vec<EquitySample>>,
}

/// One point of a backtest's equity curve.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct EquitySample {
    /// Epoch milliseconds (the bar's close).
    pub time: i64,
    /// In the quote currency, a decimal string.
    pub equity: String,
}

/// Most points of a job's equity curve.
pub const EQUITY_POINTS: usize = 2_000;

/// `curve` sampled to at most `max` points (at least 4): all of them when
/// they fit; else the first and last, and between them consecutive
/// stretches each giving its lowest and highest point in time order.
pub fn sample_equity(curve: &[(i64, Decimal)], max: usize) -> Vec<EquitySample> {
    let point = |&(time, equity): &(i64, Decimal)| EquitySample {
        time,
        equity: equity.to_string(),
    };
    let (Some(first), Some(last)) = (curve.first(), curve.last()) else {
        return Vec::new();
    };
    if curve.len() <= max.max(4) {
        return curve.iter().map(point).collect();
    }
    let middle = &curve[1..curve.len() - 1];
    let stretches = (max.max(4) - 2) / 2;
    let per = middle.len().div_ceil(stretches);
    let mut out = Vec::with_capacity(max);
    out.push(point(first));
    for chunk in middle.chunks(per) {
        let mut lo = 0;
        let mut hi = 0;
        for (i, (_, e)) in chunk.iter().enumerate() {
            if *e < chunk[lo].1 {
                lo = i;
            }
            if *e > chunk[hi].1 {
                hi = i;
            }
        }
        out.push(point(&chunk[lo.min(hi)]));
        if lo != hi {
            out.push(point(&chunk[lo.max(hi)]));
        }
    }
    out.push(point(last));
    out
}

/// A job's result and, for a backtest, its sampled equity curve.
type JobOutput = (serde_json::Value, Option<Vec<EquitySample>>);

/// The jobs, by id, and the queue's single worker.
#[derive(Clone, Default)]
pub struct Jobs {
    jobs: Arc<Mutex<BTreeMap<String, (JobKind, Job)>>>,
    /// Held while a job runs: jobs run one after another.
    worker: Arc<Mutex<()>>,
}

impl Jobs {
    /// A backtest job.
    pub fn get(&self, id: &str) -> Option<Job> {
        self.find(JobKind::Backtest, id)
    }

    /// A job of `kind`.
    pub fn find(&self, kind: JobKind, id: &str) -> Option<Job> {
        self.lock()
            .get(id)
            .filter(|(k, _)| *k == kind)
            .map(|(_, job)| job.clone())
    }

    /// How many jobs (of every kind) are in each state.
    pub fn counts(&self) -> BTreeMap<&'static str, usize> {
        let mut counts = BTreeMap::new();
        for (_, job) in self.lock().values() {
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

    /// Queues the backtest `request`; its id.
    pub fn submit(
        &self,
        request: BacktestRequest,
        now_ms: i64,
        hub: Hub,
    ) -> Result<String, String> {
        self.queue_with(JobKind::Backtest, now_ms, hub, move |progress| {
            let input = request.load().map_err(|e| e.to_string())?;
            let total = input.candles.len().max(1) as f64;
            let backtest = request
                .run_on(input, &mut |done| progress.set(done as f64 / total))
                .map_err(|e| e.to_string())?;
            let curve: Vec<(i64, Decimal)> = backtest
                .report
                .equity_curve
                .iter()
                .map(|p| (p.time.ms(), p.equity))
                .collect();
            let equity = sample_equity(&curve, EQUITY_POINTS);
            Ok((backtest.results_json(), Some(equity)))
        })
    }

    /// Queues `work`, which reports its progress and gives the job's
    /// result or why it failed; the job's id.
    pub fn queue(
        &self,
        kind: JobKind,
        now_ms: i64,
        hub: Hub,
        work: impl FnOnce(&Progress) -> Result<serde_json::Value, String> + Send + 'static,
    ) -> Result<String, String> {
        self.queue_with(kind, now_ms, hub, move |p| work(p).map(|r| (r, None)))
    }

    /// [`Jobs::queue`] for work that also gives an equity curve.
    fn queue_with(
        &self,
        kind: JobKind,
        now_ms: i64,
        hub: Hub,
        work: impl FnOnce(&Progress) -> Result<JobOutput, String> + Send + 'static,
    ) -> Result<String, String> {
        let id = smc_auth::token::random_id();
        let job = Job {
            id: id.clone(),
            state: JobState::Queued,
            progress: 0.0,
            result: None,
            error: None,
            created_at: now_ms,
            equity: None,
        };
        self.lock().insert(id.clone(), (kind, job));
        let jobs = self.clone();
        let job_id = id.clone();
        std::thread::Builder::new()
            .name(format!("smc-job-{id}"))
            .spawn(move || jobs.run(kind, &job_id, &hub, work))
            .map_err(|e| format!("starting the job thread: {e}"))?;
        Ok(id)
    }

    fn run(
        &self,
        kind: JobKind,
        id: &str,
        hub: &Hub,
        work: impl FnOnce(&Progress) -> Result<JobOutput, String>,
    ) {
        let _turn = self.worker.lock().unwrap_or_else(PoisonError::into_inner);
        let progress = Progress {
            jobs: self,
            kind,
            id,
            hub,
            percent: AtomicU64::new(0),
        };
        progress.update(|j| j.state = JobState::Running);
        match work(&progress) {
            Ok((result, equity)) => progress.update(|j| {
                j.state = JobState::Done;
                j.progress = 1.0;
                j.result = Some(result);
                j.equity = equity;
            }),
            Err(e) => progress.update(|j| {
                j.state = JobState::Failed;
                j.error = Some(e);
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, (JobKind, Job)>> {
        self.jobs.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A running job's progress, settable from any thread.
pub struct Progress<'a> {
    jobs: &'a Jobs,
    kind: JobKind,
    id: &'a str,
    hub: &'a Hub,
    /// The last whole percent published.
    percent: AtomicU64,
}

impl Progress<'_> {
    /// Sets the progress (0 to 1; it never goes back), publishing every
    /// whole percent, not every call.
    pub fn set(&self, progress: f64) {
        let progress = progress.clamp(0.0, 1.0);
        let percent = (progress * 100.0) as u64;
        if percent > self.percent.fetch_max(percent, Ordering::Relaxed) {
            self.update(|j| j.progress = j.progress.max(progress));
        }
    }

    fn update(&self, change: impl FnOnce(&mut Job)) {
        let snapshot = {
            let mut jobs = self.jobs.lock();
            let Some((_, job)) = jobs.get_mut(self.id) else {
                return;
            };
            change(job);
            serde_json::json!({
                "id": job.id, "state": job.state, "progress": job.progress, "error": job.error,
            })
        };
        self.hub.publish(self.kind.topic(), &snapshot);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_long_curve_keeps_its_ends_and_extremes_within_the_cap() {
        let curve: Vec<(i64, Decimal)> = (0..100_001i64)
            .map(|t| {
                let e = match t {
                    50_123 => Decimal::from(1),
                    70_001 => Decimal::from(99_999),
                    _ => Decimal::from(1_000 + t % 7),
                };
                (t * 60_000, e)
            })
            .collect();
        let s = sample_equity(&curve, EQUITY_POINTS);
        assert!(s.len() <= EQUITY_POINTS, "{}", s.len());
        assert!(s.len() >= 1_900, "{}", s.len());
        assert_eq!(s[0].time, 0);
        assert_eq!(s.last().unwrap().time, 100_000 * 60_000);
        assert!(s.windows(2).all(|w| w[0].time < w[1].time));
        assert!(
            s.iter()
                .any(|p| p.time == 50_123 * 60_000 && p.equity == "1")
        );
        assert!(s.iter().any(|p| p.equity == "99999"));
        let short = sample_equity(&curve[..10], EQUITY_POINTS);
        assert_eq!(short.len(), 10);
        assert!(sample_equity(&[], EQUITY_POINTS).is_empty());
    }
}
