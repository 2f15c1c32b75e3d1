//! A whole distributed optimisation in one call, for `smc optimize
//! --distributed` and the API's optimisation jobs alike: start a
//! coordinator for the run, drive the optimiser from a pool of as many
//! threads as jobs should be in flight (each thread waits on one job), and
//! hand back the report with what the run cost.

use crate::coordinator::Coordinator;
use crate::error::{DistError, DistResult};
use crate::spec::RunSpec;
use smc_optimize::{OptimizeConfig, OptimizeReport, ParamSet};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// Where and how a run's jobs go.
#[derive(Debug, Clone, Copy)]
pub struct Fanout<'a> {
    /// The NATS URL (see [`crate::nats_url`]).
    pub url: &'a str,
    pub spec: &'a RunSpec,
    /// The candle file's bytes, whose hash `spec.data.sha256` is.
    pub data: &'a [u8],
    /// Jobs in flight at once (keep it above the workers' count).
    pub in_flight: usize,
    /// How long to wait for one job's result before failing the run.
    pub job_timeout: Duration,
}

/// What a distributed run did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RunStats {
    pub run_id: String,
    /// Jobs published.
    pub sent: u64,
    /// Results taken (one per job).
    pub received: u64,
    /// Results for a job already answered (redeliveries), dropped.
    pub duplicates: u64,
    pub job_bytes: u64,
    pub result_bytes: u64,
    /// Wall time from connecting to the report.
    pub seconds: f64,
}

impl Fanout<'_> {
    /// The search of `smc_optimize::optimize` over `total_bars` bars with
    /// every backtest run by a worker; `progress` is called once per
    /// backtest, as in a local run.
    pub fn optimize(
        &self,
        trials: &[ParamSet],
        total_bars: usize,
        config: &OptimizeConfig,
        progress: &(dyn Fn() + Sync),
    ) -> DistResult<(OptimizeReport, RunStats)> {
        if self.in_flight == 0 {
            return Err(DistError::Setting(
                "at least one job must be in flight".into(),
            ));
        }
        let started = Instant::now();
        let coordinator = Coordinator::start(self.url, self.spec, self.data, self.job_timeout)?;
        tracing::info!(
            "distributed run {} on {}: {} jobs in flight",
            coordinator.run_id(),
            self.url,
            self.in_flight
        );
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.in_flight)
            .build()
            .map_err(|e| DistError::Setting(format!("starting the coordinator's threads: {e}")))?;
        let report = pool.install(|| {
            smc_optimize::optimize(&coordinator, trials, total_bars, config, progress)
        })?;
        let c = &coordinator.counters;
        let stats = RunStats {
            run_id: coordinator.run_id().to_string(),
            sent: c.sent.load(Ordering::Relaxed),
            received: c.received.load(Ordering::Relaxed),
            duplicates: c.duplicates.load(Ordering::Relaxed),
            job_bytes: c.job_bytes.load(Ordering::Relaxed),
            result_bytes: c.result_bytes.load(Ordering::Relaxed),
            seconds: started.elapsed().as_secs_f64(),
        };
        tracing::info!(
            "distributed run {}: {} backtests in {:.2} s ({:.1}/s), {} duplicate results dropped, {} job bytes, {} result bytes",
            stats.run_id,
            stats.sent,
            stats.seconds,
            stats.sent as f64 / stats.seconds.max(1e-9),
            stats.duplicates,
            stats.job_bytes,
            stats.result_bytes,
        );
        Ok((report, stats))
    }
}
