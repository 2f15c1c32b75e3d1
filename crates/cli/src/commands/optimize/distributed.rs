//! `smc optimize --distributed`: the same search with its backtests sent
//! to `smc worker` processes. The run's spec (config text, strategy,
//! flags, warm-up, the input's hash) goes to NATS once; smc-distributed's
//! [`Fanout`] drives the optimiser with as many threads as jobs in flight.

use super::OptimizeArgs;
use anyhow::Context;
use smc_distributed::{ConfigText, Fanout, RunSpec, nats_url};
use smc_optimize::{OptimizeConfig, OptimizeReport, ParamSet};
use smc_runtime::optimize::Runner;
use std::path::Path;
use std::time::Duration;

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
    let name = input
        .file_name()
        .map_or("input.csv".into(), |n| n.to_string_lossy().into_owned());
    let spec = RunSpec::for_input(&bytes, &name, path, &runner.base.name().to_string())
        .with_lenient(args.lenient)
        .with_config(
            args.config
                .as_deref()
                .map(ConfigText::capture)
                .transpose()?,
        )
        .with_timeframes(args.timeframes.clone())
        .with_flags(&args.venue.flags())?
        .with_warmup(args.warmup_bars);
    let fanout = Fanout {
        url: &url,
        spec: &spec,
        data: &bytes,
        in_flight: args.in_flight,
        job_timeout: Duration::from_secs(args.job_timeout),
    };
    let (report, _) = fanout.optimize(trials, runner.candles.len(), config, progress)?;
    Ok(report)
}
