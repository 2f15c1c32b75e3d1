//! `smc alerts test --channel NAME --config FILE`: one test message to one
//! configured channel (routed or not, never de-duplicated), exit status 2
//! when it was not delivered. The work is the alerts crate's.

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum AlertsCommand {
    /// Send a test message to one channel (slack, telegram, email, sms,
    /// webhook) and say whether it was delivered.
    Test(TestArgs),
    /// Run the alert rules over the sessions' events on NATS JetStream
    /// (outside the trading process), until stopped.
    Watch(WatchArgs),
}

#[derive(Args)]
pub struct WatchArgs {
    /// The config with the `alerts` section (and `streaming`).
    #[arg(long)]
    pub config: PathBuf,
    /// The NATS server (default: the config's `streaming.nats_url` or NATS_URL).
    #[arg(long)]
    pub nats: Option<String>,
    /// Which events: a subject pattern.
    #[arg(long, default_value = "smc.>")]
    pub subject: String,
    /// Start at this stream sequence (default: new events only).
    #[arg(long)]
    pub from_seq: Option<u64>,
}

#[derive(Args)]
pub struct TestArgs {
    /// slack, telegram, email, sms or webhook: a channel whose section is
    /// present under `alerts:`.
    #[arg(long)]
    pub channel: String,
    #[arg(long)]
    pub config: PathBuf,
}

pub fn run(command: &AlertsCommand) -> anyhow::Result<()> {
    match command {
        AlertsCommand::Test(args) => test(args),
        AlertsCommand::Watch(args) => watch(args),
    }
}

fn watch(args: &WatchArgs) -> anyhow::Result<()> {
    let config = smc_config::load(&args.config)?;
    smc_alerts::stream_watch::run(&config, args.nats.clone(), &args.subject, args.from_seq)
        .with_context(|| args.config.display().to_string())
}

fn test(args: &TestArgs) -> anyhow::Result<()> {
    let config = smc_config::load(&args.config)?;
    let Some(alerts) = config.alerts else {
        bail!("{}: no `alerts:` section", args.config.display());
    };
    if !smc_config::alerts::CHANNELS.contains(&args.channel.as_str()) {
        bail!(
            "--channel {}: one of {}",
            args.channel,
            smc_config::alerts::CHANNELS.join(", ")
        );
    }
    let env = |k: &str| std::env::var(k).ok();
    let channels = smc_alerts::channels::build(&alerts, &env).context("alerts")?;
    let Some(channel) = channels.iter().find(|c| c.name() == args.channel) else {
        bail!(
            "--channel {}: not configured in {} (configured: {})",
            args.channel,
            args.config.display(),
            alerts.channels().join(", ")
        );
    };
    match smc_alerts::alerter::send_test(channel) {
        Ok(()) => {
            println!("test message delivered to {}", args.channel);
            Ok(())
        }
        Err(e) => bail!("test message not delivered to {}: {e}", args.channel),
    }
}
