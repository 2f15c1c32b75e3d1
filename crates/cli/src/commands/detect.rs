//! `smc detect`: causal multi-timeframe detection (JSON lines, CSV or an
//! HTML chart), or with `--parity` the reference library's exact output.

use anyhow::{Context, bail};
use clap::{Args, ValueEnum};
use smc_analysis::DetectorConfig;
use smc_model::Timeframe;
use smc_parity::{Indicator, Ohlc, ParityOptions};
use std::io::{BufWriter, Write};
use std::path::PathBuf;

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Json,
    Csv,
    Html,
}

#[derive(Args)]
pub struct DetectArgs {
    /// OHLCV CSV file (uniform `timestamp,open,…` or a MetaTrader export).
    #[arg(long)]
    input: PathBuf,
    /// Output format: json (one event per line), csv, or html (causal mode only).
    #[arg(long, value_enum, default_value = "json")]
    format: Format,
    /// Causal mode: read the detectors' parameters from the `smc` section of
    /// this config.yaml (defaults otherwise).
    #[arg(long)]
    pub(crate) config: Option<PathBuf>,
    /// Write to this file instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
    /// Skip malformed rows instead of failing (their count goes to stderr).
    #[arg(long)]
    lenient: bool,
    /// Timeframes to detect on, built from the input (default: the input's own).
    #[arg(long, value_delimiter = ',')]
    timeframes: Vec<String>,
    /// Reproduce the reference library smartmoneyconcepts 0.0.27 exactly.
    #[arg(long)]
    parity: bool,
    /// Parity: the indicator to run.
    #[arg(long)]
    indicator: Option<String>,
    /// Swing length for swings and the indicators built on them.
    #[arg(long, default_value_t = 5)]
    swing_length: usize,
    /// Parity fvg: merge consecutive gaps.
    #[arg(long)]
    join_consecutive: bool,
    /// Parity bos_choch: confirm breaks on the close (true) or the wick (false).
    #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
    close_break: bool,
    /// Parity ob: mitigate on the candle body instead of the wick.
    #[arg(long)]
    close_mitigation: bool,
    /// Parity liquidity: band around a level, as a fraction of the range.
    #[arg(long, default_value_t = 0.01)]
    range_percent: f64,
    /// Parity previous_high_low: pandas frequency (15min, 1h, 4h, 1D, W, MS, ME).
    #[arg(long, default_value = "1D")]
    time_frame: String,
    /// Parity sessions: session name (London, New York, …, Custom).
    #[arg(long)]
    session: Option<String>,
    /// Parity sessions: start of a Custom session, HH:MM.
    #[arg(long, default_value = "")]
    start: String,
    /// Parity sessions: end of a Custom session, HH:MM.
    #[arg(long, default_value = "")]
    end: String,
    /// Parity sessions: time zone of the input timestamps (UTC, UTC+2, …).
    #[arg(long, default_value = "UTC")]
    time_zone: String,
}

pub fn run(args: &DetectArgs) -> anyhow::Result<()> {
    let loaded = super::load_input(&args.input, args.lenient)?;
    if args.parity {
        return run_parity(args, &loaded.candles);
    }
    run_causal(args, &loaded.candles)
}

fn run_causal(args: &DetectArgs, candles: &[smc_model::Candle]) -> anyhow::Result<()> {
    let base = smc_data::infer_timeframe(candles).with_context(|| {
        format!("{}: cannot tell the candles' timeframe (need at least two candles a whole number of minutes apart)", args.input.display())
    })?;
    let timeframes: Vec<Timeframe> = if args.timeframes.is_empty() {
        vec![base]
    } else {
        args.timeframes
            .iter()
            .map(|s| s.parse::<Timeframe>())
            .collect::<Result<_, _>>()?
    };
    let detectors = match &args.config {
        Some(path) => smc_config::load(path)?.smc,
        None => DetectorConfig::default(),
    };
    let detection = smc_analysis::detect(candles, base, &timeframes, &detectors)?;
    let mut out = open_output(args.output.as_deref())?;
    match args.format {
        Format::Json | Format::Csv => {
            crate::output::smc_events::write_events(args.format, &detection.events, &mut out)?
        }
        Format::Html => {
            let title = format!("SMC detections — {}", args.input.display());
            smc_report::write_detect_chart(&mut out, &title, &detection.bars, &detection.events)?;
        }
    }
    out.flush()?;
    Ok(())
}

fn run_parity(args: &DetectArgs, candles: &[smc_model::Candle]) -> anyhow::Result<()> {
    if args.format != Format::Csv {
        bail!("--parity writes the reference's table: use --format csv");
    }
    let name = args
        .indicator
        .as_deref()
        .context("--parity needs --indicator NAME")?;
    let indicator: Indicator = name.parse().map_err(anyhow::Error::msg)?;
    if indicator == Indicator::Sessions && args.session.is_none() {
        bail!("--indicator sessions needs --session NAME");
    }
    let options = ParityOptions {
        swing_length: args.swing_length,
        join_consecutive: args.join_consecutive,
        close_break: args.close_break,
        close_mitigation: args.close_mitigation,
        range_percent: args.range_percent,
        time_frame: args.time_frame.clone(),
        session: args.session.clone().unwrap_or_default(),
        start_time: args.start.clone(),
        end_time: args.end.clone(),
        time_zone: args.time_zone.clone(),
    };
    let frame = smc_parity::run(indicator, &Ohlc::from_candles(candles), &options)?;
    let mut out = open_output(args.output.as_deref())?;
    frame.write_csv(&mut out)?;
    out.flush()?;
    Ok(())
}

/// A buffered writer to `--output FILE`, or to standard output.
pub fn open_output(path: Option<&std::path::Path>) -> anyhow::Result<Box<dyn Write>> {
    Ok(match path {
        Some(p) => {
            let file = std::fs::File::create(p)
                .with_context(|| format!("{}: cannot create", p.display()))?;
            Box::new(BufWriter::new(file))
        }
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    })
}
