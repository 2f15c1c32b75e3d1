//! `smc optimize --distributed`: the same search with its backtests sent
//! to `smc worker` processes. The run's spec (config text, strategy,
//! flags, warm-up, the input's hash) goes to NATS once; a rayon pool as
//! large as the jobs in flight drives the optimiser, each thread waiting
//! on one job's result.

use super::OptimizeArgs;
use anyhow::Context;
use smc_distributed::{ConfigText, Coordinator, DataRef, FlagsSpec, RunSpec, SCHEMA, nats_url};
use smc_optimize::{OptimizeConfig, OptimizeReport, ParamSet};
use smc_runtime::optimize::Runner;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

pub(super) fn run(
    args: &OptimizeArgs,
    input: &Path,
    runner: &Runner<'_>,
    trials: &[ParamSet],
    config: &OptimizeConfig,
    progress: &(dyn Fn() + Sync),
) -> anyhow::Result<OptimizeReport> {
    let url = nats_url(
        args.nats.as_deref(),
        runner
            .settings
            .and_then(|c| c.streaming.nats_url.as_deref()),
    )?;
    anyhow::ensure!(args.in_flight >= 1, "--in-flight must be at least 1");
    let bytes =
        std::fs::read(input).with_context(|| format!("{}: cannot read", input.display()))?;
    let path = if args.shared_data {
        let absolute = std::path::absolute(input)
            .with_context(|| format!("{}: no absolute path", input.display()))?;
        Some(absolute.display().to_string())
    } else {
        None
    };
    let spec = RunSpec {
        schema: SCHEMA,
        data: DataRef {
            sha256: smc_distributed::blob::sha256_hex(&bytes),
            name: input
                .file_name()
                .map_or("input.csv".into(), |n| n.to_string_lossy().into_owned()),
            bytes: bytes.len() as u64,
            path,
        },
        lenient: args.lenient,
        config: args
            .config
            .as_deref()
            .map(ConfigText::capture)
            .transpose()?,
        strategy: runner.base.name().to_string(),
        timeframes: args.timeframes.clone(),
        flags: FlagsSpec::from_flags(&args.venue.flags())?,
        warmup: args.warmup_bars,
    };
    let started = Instant::now();
    let coordinator =
        Coordinator::start(&url, &spec, &bytes, Duration::from_secs(args.job_timeout))?;
    tracing::info!(
        "distributed run {} on {url}: {} jobs in flight",
        coordinator.run_id(),
        args.in_flight
    );
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.in_flight)
        .build()
        .context("starting the coordinator's threads")?;
    let report = pool.install(|| {
        smc_optimize::optimize(&coordinator, trials, runner.candles.len(), config, progress)
    })?;
    let c = &coordinator.counters;
    let sent = c.sent.load(Ordering::Relaxed);
    let seconds = started.elapsed().as_secs_f64();
    tracing::info!(
        "distributed run {}: {sent} backtests in {seconds:.2} s ({:.1}/s), {} duplicate results dropped, {} job bytes, {} result bytes",
        coordinator.run_id(),
        sent as f64 / seconds.max(1e-9),
        c.duplicates.load(Ordering::Relaxed),
        c.job_bytes.load(Ordering::Relaxed),
        c.result_bytes.load(Ordering::Relaxed),
    );
    Ok(report)
}
