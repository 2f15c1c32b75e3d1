//! `smc report daily|weekly --date D`: a session's daily or weekly report
//! from its journal. For people: a short table of the figures, and the
//! HTML page written to `--output` (default `report-daily-D.html` or
//! `report-weekly-YYYY-Www.html`); `--format json` prints the figures as
//! JSON instead (or writes them to `--output`).

use anyhow::Context;
use clap::{Args, ValueEnum};
use smc_runtime::period_report::{
    PeriodKind, ReportOptions, parse_date, period_report_with, timezone, today,
};
use std::path::PathBuf;

/// `daily` or `weekly`.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// The day of --date.
    Daily,
    /// The ISO week (Monday to Sunday) that contains --date.
    Weekly,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Html,
    Json,
}

#[derive(Args)]
pub struct ReportArgs {
    /// Which report.
    #[arg(value_enum)]
    kind: KindArg,
    /// The day (YYYY-MM-DD), or a day of the week (default: today in --timezone).
    #[arg(long, value_name = "YYYY-MM-DD")]
    date: Option<String>,
    /// Where to write the page (html) or the figures (json). Default for
    /// html: report-daily-D.html / report-weekly-YYYY-Www.html; for json:
    /// standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// The session's journal: a SQLite file, sqlite://FILE or postgres://…
    /// (default: the config's storage.database_url, else sqlite://smc.db as
    /// `smc run`).
    #[arg(long, value_name = "URL")]
    db: Option<String>,
    /// config.yaml: its storage.database_url, and its trading.initial_balance
    /// as a paper session's starting cash.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// The IANA time zone whose midnights bound the day or week.
    #[arg(long, value_name = "TZ", default_value = "UTC")]
    timezone: String,
    /// html: a table for people and the page in a file; json: the figures.
    #[arg(long, value_enum, default_value = "html")]
    format: Format,
}

/// The journal's URL from `--db`, else the config's, else `smc run`'s default.
fn journal_url(db: Option<&str>, config: Option<&smc_config::Config>) -> String {
    match (db, config) {
        (Some(db), _) if db.contains("://") => db.to_string(),
        (Some(db), _) => format!("sqlite://{db}"),
        (None, Some(c)) => c.storage.database_url.clone(),
        (None, None) => "sqlite://smc.db".into(),
    }
}

/// Prints `text`; a reader that went away (`| head`) is not an error.
fn print_out(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

pub fn run(args: &ReportArgs) -> anyhow::Result<()> {
    let config = args.config.as_deref().map(smc_config::load).transpose()?;
    let url = journal_url(args.db.as_deref(), config.as_ref());
    let tz = timezone(&args.timezone)?;
    let date = match &args.date {
        Some(d) => parse_date(d)?,
        None => today(tz),
    };
    let kind = match args.kind {
        KindArg::Daily => PeriodKind::Daily,
        KindArg::Weekly => PeriodKind::Weekly,
    };
    let options = ReportOptions {
        starting_cash: config.as_ref().map(|c| c.trading.initial_balance),
        ..ReportOptions::default()
    };
    let report = period_report_with(&url, kind, date, tz, &options)?;
    match args.format {
        Format::Json => {
            let json = serde_json::to_string_pretty(&report.figures)?;
            match &args.output {
                Some(path) => {
                    std::fs::write(path, json + "\n")
                        .with_context(|| format!("writing {}", path.display()))?;
                    eprintln!("wrote {}", path.display());
                }
                None => print_out(&(json + "\n"))?,
            }
        }
        Format::Html => {
            let path = args
                .output
                .clone()
                .unwrap_or_else(|| PathBuf::from(report.file_name()));
            std::fs::write(&path, &report.html)
                .with_context(|| format!("writing {}", path.display()))?;
            let summary = format!("{}wrote {}\n", report.text, path.display());
            print_out(&summary)?;
        }
    }
    Ok(())
}
