//! `smc events tail`: the sessions' events from NATS JetStream, one JSON
//! object per line, `{"subject","seq","time","event"}`, for people and for
//! scripts in other processes than the session.

use anyhow::Context;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use clap::{Args, Subcommand};
use smc_model::Clock;
use smc_stream::Start;
use std::io::Write;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum EventsCommand {
    /// Print the events of a subject pattern from the stream, oldest first,
    /// as JSON lines {"subject","seq","time","event"} (`time`: when the
    /// stream stored it, RFC 3339 UTC; `event`: the published envelope).
    /// Stops at the stream's current end unless --follow.
    Tail(TailArgs),
}

#[derive(Args)]
pub struct TailArgs {
    /// The NATS server (default: the config's streaming.nats_url, else
    /// NATS_URL).
    #[arg(long, value_name = "URL")]
    nats: Option<String>,
    /// Subjects to print: smc.<session>.<kind>.<venue>.<symbol>, with `*`
    /// for one token and `>` for the rest (`smc.*.fill.>`: every fill).
    #[arg(long, value_name = "PATTERN")]
    subject: String,
    /// Start at this stream sequence number (default: the oldest kept).
    #[arg(long, value_name = "N", conflicts_with = "since")]
    from_seq: Option<u64>,
    /// Start at the first event stored at or after TIME: RFC 3339
    /// (2026-12-07T01:00:00Z), a UTC date or date and time
    /// (2026-12-07, 2026-12-07T01:00), or an age (90s, 15m, 2h, 1d).
    #[arg(long, value_name = "TIME")]
    since: Option<String>,
    /// The stream (default: the config's streaming.stream, else SMC_EVENTS).
    #[arg(long, value_name = "NAME")]
    stream: Option<String>,
    /// Stop after this many events.
    #[arg(long, value_name = "N")]
    limit: Option<u64>,
    /// Keep printing new events as they arrive, until interrupted.
    #[arg(long)]
    follow: bool,
    /// config.yaml whose `streaming` section names the server and stream.
    #[arg(long)]
    pub(crate) config: Option<PathBuf>,
}

pub fn run(command: &EventsCommand) -> anyhow::Result<()> {
    match command {
        EventsCommand::Tail(args) => tail(args),
    }
}

fn tail(args: &TailArgs) -> anyhow::Result<()> {
    let config = args.config.as_deref().map(smc_config::load).transpose()?;
    let streaming = config.map(|c| c.streaming).unwrap_or_default();
    let url = args
        .nats
        .clone()
        .or(streaming.nats_url)
        .or_else(|| std::env::var("NATS_URL").ok())
        .context("no NATS server: give --nats URL, streaming.nats_url or NATS_URL")?;
    smc_config::streaming::check_url(&url).map_err(|m| anyhow::anyhow!("--nats: {m}"))?;
    let stream = args.stream.clone().unwrap_or(streaming.stream);
    let start = match (args.from_seq, &args.since) {
        (Some(seq), _) => Start::Seq(seq),
        (None, Some(since)) => Start::Time(parse_since(since, smc_model::WallClock.now().ms())?),
        (None, None) => Start::All,
    };
    if args.limit == Some(0) {
        return Ok(());
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let client = smc_stream::connect::connect(&url).await?;
        let js = smc_stream::connect::jetstream(client);
        let mut reader =
            smc_stream::subscribe(&js, &stream, &args.subject, start, args.follow).await?;
        let mut out = std::io::stdout().lock();
        let mut printed = 0u64;
        while let Some(record) = reader.next().await {
            let record = record?;
            writeln!(out, "{}", serde_json::to_string(&record.line())?)?;
            if args.follow {
                out.flush()?;
            }
            printed += 1;
            if args.limit.is_some_and(|limit| printed >= limit) {
                break;
            }
        }
        out.flush()?;
        Ok(())
    })
}

/// `--since`: a time or an age before `now_ms`.
fn parse_since(text: &str, now_ms: i64) -> anyhow::Result<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Ok(t.and_utc());
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(d.and_time(chrono::NaiveTime::MIN).and_utc());
    }
    let unit_ms = match text.chars().last() {
        Some('s') => 1_000,
        Some('m') => 60_000,
        Some('h') => 3_600_000,
        Some('d') => 86_400_000,
        _ => 0,
    };
    let amount = text
        .get(..text.len().saturating_sub(1))
        .and_then(|n| n.parse::<i64>().ok());
    match amount {
        Some(n) if unit_ms > 0 && n >= 0 => {
            let ms = now_ms.saturating_sub(n.saturating_mul(unit_ms));
            DateTime::from_timestamp_millis(ms).context("--since: out of range")
        }
        _ => anyhow::bail!(
            "--since `{text}`: not an RFC 3339 time, a UTC date (YYYY-MM-DD[THH:MM[:SS]]) \
             or an age (90s, 15m, 2h, 1d)"
        ),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn since_takes_times_dates_and_ages() {
        let now = 1_765_000_000_000;
        let at = |s: &str| parse_since(s, now).unwrap().timestamp_millis();
        assert_eq!(at("2025-12-06T05:46:40Z"), now);
        assert_eq!(at("2025-12-06T06:46:40+01:00"), now);
        assert_eq!(at("2025-12-06T05:46:40"), now);
        assert_eq!(at("2025-12-06"), now - (5 * 3_600 + 46 * 60 + 40) * 1_000);
        assert_eq!(at("15m"), now - 900_000);
        assert_eq!(at("2h"), now - 7_200_000);
        assert_eq!(at("1d"), now - 86_400_000);
        let err = parse_since("yesterday", now).unwrap_err().to_string();
        assert!(err.contains("--since `yesterday`"), "{err}");
        assert!(parse_since("-5m", now).is_err());
    }
}
