//! `smc worker`: a backtest worker of distributed optimisations. It pulls
//! jobs from the NATS JetStream work queue that `smc optimize
//! --distributed` fills, runs each with the local backtest code, and
//! answers; start as many as there are cores, on as many machines as
//! reach the NATS server. The loop itself is in smc-distributed.

use anyhow::Context;
use clap::Args;
use smc_distributed::{Delivery, WorkerOptions, nats_url};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Args)]
pub struct WorkerArgs {
    /// The NATS server (default: the config's streaming.nats_url, else NATS_URL).
    #[arg(long, value_name = "URL")]
    nats: Option<String>,
    /// config.yaml, read for streaming.nats_url only (a job carries its
    /// own run's config).
    #[arg(long)]
    pub(crate) config: Option<PathBuf>,
    /// This worker's name in results and logs (default: host-pid).
    #[arg(long)]
    name: Option<String>,
    /// Seconds without an ack or heartbeat after which a job goes to
    /// another worker (the queue's ack deadline; the worker heartbeats
    /// every third of it while a backtest runs).
    #[arg(long, default_value_t = 30.0)]
    ack_wait: f64,
    /// Deliveries of a job before the queue drops it.
    #[arg(long, default_value_t = 5)]
    max_deliver: i64,
    /// Where downloaded candle files are kept, by hash (default: a folder
    /// in the temporary directory).
    #[arg(long)]
    cache_dir: Option<PathBuf>,
    /// Exit after this many jobs.
    #[arg(long)]
    max_jobs: Option<u64>,
    /// Milliseconds of extra time per job before its backtest: a stand-in
    /// for long backtests in tests and drills.
    #[arg(long, default_value_t = 0, hide = true)]
    job_delay_ms: u64,
}

pub fn run(args: &WorkerArgs) -> anyhow::Result<()> {
    let settings = args.config.as_deref().map(smc_config::load).transpose()?;
    let url = nats_url(
        args.nats.as_deref(),
        settings
            .as_ref()
            .and_then(|c| c.streaming.nats_url.as_deref()),
    )?;
    anyhow::ensure!(
        args.ack_wait.is_finite() && args.ack_wait >= 1.0,
        "--ack-wait must be at least 1 second"
    );
    anyhow::ensure!(args.max_deliver >= 1, "--max-deliver must be at least 1");
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "worker".into());
    let opts = WorkerOptions {
        name: args
            .name
            .clone()
            .unwrap_or_else(|| format!("{host}-{}", std::process::id())),
        delivery: Delivery {
            ack_wait: Duration::from_secs_f64(args.ack_wait),
            max_deliver: args.max_deliver,
        },
        cache_dir: args
            .cache_dir
            .clone()
            .unwrap_or_else(|| std::env::temp_dir().join("smc-worker-cache")),
        max_jobs: args.max_jobs,
        job_delay: Duration::from_millis(args.job_delay_ms),
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("starting the worker's runtime")?;
    let name = opts.name.clone();
    let stats = rt.block_on(smc_distributed::worker::run(
        &url,
        opts,
        super::termination(),
    ))?;
    tracing::info!(
        "worker {name} stopped: {} jobs answered ({} failed), {} malformed refused, {} redelivered to it",
        stats.done,
        stats.failed,
        stats.malformed,
        stats.redelivered
    );
    Ok(())
}
