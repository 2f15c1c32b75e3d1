//! The binary's log: one `tracing` subscriber for every crate's events (the
//! venue clients' warnings, the session's status lines), human-readable or
//! JSON lines on stderr, so that stdout stays the machine-readable trading
//! events. The level comes from `--log-level`, else `LOG_LEVEL`, else the
//! config's `app.log_level`, else INFO.

use clap::{Args, ValueEnum};
use smc_config::LogLevel;
use std::io::IsTerminal;
use std::path::Path;
use tracing_subscriber::EnvFilter;

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// One readable line per event.
    Human,
    /// One JSON object per line (time, level, target, fields).
    Json,
}

#[derive(Args)]
pub struct LogArgs {
    /// trace, debug, info, warn or error (default: LOG_LEVEL, else the
    /// config's app.log_level, else info).
    #[arg(long, global = true, value_parser = parse_level)]
    log_level: Option<LogLevel>,
    /// The log's format on stderr.
    #[arg(long, global = true, value_enum, default_value = "human")]
    log_format: LogFormat,
}

fn parse_level(s: &str) -> Result<LogLevel, String> {
    smc_config::env::parse_log_level(s)
}

/// Libraries whose own debug output drowns ours: they log at WARN unless
/// TRACE is asked.
const NOISY: [&str; 7] = [
    // The NATS client logs each connection at INFO: `smc events tail` and
    // every session with NATS printed two such lines.
    "async_nats",
    "hyper",
    "hyper_util",
    "reqwest",
    "rustls",
    "tungstenite",
    "tokio_tungstenite",
];

/// The level by the rules above; `config` is the command's `--config`, read
/// only for its `app.log_level` (its errors are the command's to report).
pub fn level(args: &LogArgs, config: Option<&Path>) -> Result<LogLevel, String> {
    if let Some(level) = args.log_level {
        return Ok(level);
    }
    if let Ok(v) = std::env::var("LOG_LEVEL") {
        return smc_config::env::parse_log_level(&v).map_err(|e| format!("LOG_LEVEL: {e}"));
    }
    let configured = config
        .and_then(|p| std::fs::read_to_string(p).ok())
        .and_then(|text| smc_config::parse("", &text).ok())
        .map(|c| c.app.log_level);
    Ok(configured.unwrap_or(LogLevel::Info))
}

/// Installs the subscriber for the rest of the process.
pub fn install(format: &LogArgs, level: LogLevel) {
    let name = match level {
        LogLevel::Trace => "trace",
        LogLevel::Debug => "debug",
        LogLevel::Info => "info",
        LogLevel::Warn => "warn",
        LogLevel::Error => "error",
    };
    let mut filter = EnvFilter::new(name);
    if level != LogLevel::Trace {
        for target in NOISY {
            if let Ok(directive) = format!("{target}=warn").parse() {
                filter = filter.add_directive(directive);
            }
        }
    }
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second install (tests calling main twice) keeps the first.
    let _ = match format.log_format {
        LogFormat::Human => builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init(),
        LogFormat::Json => builder.json().with_current_span(false).try_init(),
    };
}
