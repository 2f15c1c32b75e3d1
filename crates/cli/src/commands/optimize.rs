//! `smc optimize`: walk-forward parameter search for a built-in strategy on
//! one candle series. The smc-optimize crate does the search and the
//! statistics, the runtime plugs in the engine (each backtest a fresh
//! engine on a window, warmed up on the bars just before it); this file
//! parses the flags and prints.

use super::{StrategyArg, VenueArgs};
use crate::output::progress::search_bar;
use anyhow::Context;
use clap::{Args, ValueEnum};
use smc_model::{Candle, time::format_utc};
use smc_optimize::{
    Objective, OptimizeConfig, OptimizeReport, Search, Thresholds, WindowLength, WindowSpec,
};
use smc_runtime::backtest::{candles_timeframe, engine_config};
use smc_runtime::optimize::{BaseStrategy, Runner, search_trials};
use smc_runtime::strategies::strategy_name;
use std::path::PathBuf;

mod distributed;

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SearchKind {
    Grid,
    Random,
}

#[derive(Args)]
pub struct OptimizeArgs {
    /// config.yaml: data, strategy, engine models, the smc strategy's base
    /// parameters and the risk limits.
    #[arg(long)]
    pub(crate) config: Option<PathBuf>,
    /// OHLCV CSV file (default: the config's `backtest.input`).
    #[arg(long)]
    input: Option<PathBuf>,
    /// The strategy (default: the config's `backtest.strategy`).
    #[arg(long, value_enum)]
    strategy: Option<StrategyArg>,
    /// A parameter to search, NAME=SPEC, repeatable: a list `reward_risk=1.5,2,3`,
    /// a stepped range `slow=20..100:20`, or a range `risk_percent=0.5..2.0`
    /// (random search only). smc: reward_risk, risk_percent, stop_buffer,
    /// entry_expiry_bars, bias_timeframe, allow_short and the detectors'
    /// swing_length, internal_length, atr_period, equal_tolerance_atr,
    /// fvg_min_atr, close_break, max_active_zones. sma_cross: fast, slow.
    #[arg(long = "param", value_name = "NAME=SPEC")]
    params: Vec<String>,
    /// Every combination (grid) or a seeded random sample.
    #[arg(long, value_enum, default_value = "grid")]
    search: SearchKind,
    /// Random search: number of parameter sets drawn.
    #[arg(long, default_value_t = 50)]
    samples: usize,
    /// Random search: the seed of the draws.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Train window length in bars (with --test-bars).
    #[arg(long, requires = "test_bars", conflicts_with = "folds")]
    train_bars: Option<usize>,
    /// Test window length in bars (with --train-bars).
    #[arg(long, requires = "train_bars", conflicts_with = "folds")]
    test_bars: Option<usize>,
    /// Number of walk-forward windows: the data is cut into K + 1 equal
    /// chunks (default 4 when no window length is given).
    #[arg(long)]
    folds: Option<usize>,
    /// Expanding train windows, all starting at the first bar used.
    #[arg(long)]
    anchored: bool,
    /// What picks a window's best set: sharpe, total_return, calmar,
    /// sortino or profit_factor.
    #[arg(long, default_value = "sharpe")]
    objective: Objective,
    /// Bars before each window fed to the strategy as warm-up, not scored.
    #[arg(long, default_value_t = 200)]
    warmup_bars: usize,
    /// Warn when the probability of backtest overfitting is above this.
    #[arg(long, default_value_t = 0.5)]
    pbo_threshold: f64,
    /// Warn when the deflated Sharpe ratio is below this.
    #[arg(long, default_value_t = 0.95)]
    dsr_threshold: f64,
    /// CSCV blocks for the PBO (even, at most 20).
    #[arg(long, default_value_t = 16)]
    pbo_blocks: usize,
    #[command(flatten)]
    venue: VenueArgs,
    /// smc: the entry timeframe (the input's) and the bias timeframe, e.g. 1h,4h.
    #[arg(long, value_delimiter = ',')]
    timeframes: Vec<String>,
    /// Write the report as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Worker threads (default: one per core).
    #[arg(long)]
    threads: Option<usize>,
    /// Skip malformed rows instead of failing.
    #[arg(long)]
    lenient: bool,
    /// Run the backtests on `smc worker` processes through NATS JetStream
    /// (the report is the local run's).
    #[arg(long)]
    distributed: bool,
    /// The NATS server of --distributed (default: the config's
    /// streaming.nats_url, else NATS_URL).
    #[arg(long, value_name = "URL", requires = "distributed")]
    nats: Option<String>,
    /// --distributed: workers read --input at the same path (a shared file
    /// system) instead of downloading it from NATS; they check its hash.
    #[arg(long, requires = "distributed")]
    shared_data: bool,
    /// --distributed: jobs in flight at once (keep it above the workers' count).
    #[arg(long, default_value_t = 16, requires = "distributed")]
    in_flight: usize,
    /// --distributed: seconds to wait for one job's result before failing.
    #[arg(long, default_value_t = 600, requires = "distributed")]
    job_timeout: u64,
}

pub fn run(args: &OptimizeArgs) -> anyhow::Result<()> {
    let settings = args.config.as_deref().map(smc_config::load).transpose()?;
    let input = args
        .input
        .clone()
        .or_else(|| settings.as_ref().and_then(|c| c.backtest.input.clone()))
        .context("no data: give --input FILE, or backtest.input in the config")?;
    let loaded = super::load_input(&input, args.lenient)?;
    let candles = &loaded.candles;
    let timeframe = candles_timeframe(candles)?;
    let name = strategy_name(args.strategy.map(Into::into), settings.as_ref())?;
    let base = BaseStrategy::new(name, settings.as_ref(), &args.timeframes)?;
    let search = match args.search {
        SearchKind::Grid => Search::Grid,
        SearchKind::Random => Search::Random {
            samples: args.samples,
            seed: args.seed,
        },
    };
    let valid = search_trials(&base, &args.params, search)?;
    if let (true, Some(first)) = (valid.refused > 0, &valid.first_refusal) {
        tracing::warn!(
            "skipped {} of {} parameter sets the strategy refuses (first: {first})",
            valid.refused,
            valid.refused + valid.trials.len()
        );
    }
    let trials = valid.trials;
    let flags = args.venue.flags();
    let runner = Runner {
        candles,
        timeframe,
        engine: engine_config(&flags, settings.as_ref()),
        settings: settings.as_ref(),
        base,
        warmup: args.warmup_bars,
    };
    let config = OptimizeConfig {
        objective: args.objective,
        windows: WindowSpec {
            length: match (args.train_bars, args.test_bars, args.folds) {
                (Some(train), Some(test), _) => WindowLength::Bars { train, test },
                (_, _, Some(k)) => WindowLength::Folds(k),
                _ => WindowLength::Folds(4),
            },
            anchored: args.anchored,
        },
        thresholds: Thresholds {
            pbo_max: args.pbo_threshold,
            dsr_min: args.dsr_threshold,
        },
        pbo_blocks: args.pbo_blocks,
    };
    let windows = smc_optimize::walk_forward(candles.len(), config.windows)?;
    let bar = search_bar(smc_optimize::planned_runs(trials.len(), windows.len()));
    let go = || runner.optimize(&trials, &config, &|| bar.inc(1));
    if args.distributed {
        let report = distributed::run(args, &input, &runner, &trials, &config, &|| bar.inc(1));
        bar.finish_and_clear();
        return finish(args, &report?, &runner, &trials, search);
    }
    let report = match args.threads {
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .context("starting the worker threads")?
            .install(go),
        None => go(),
    };
    bar.finish_and_clear();
    finish(args, &report?, &runner, &trials, search)
}

/// Prints the report and writes its JSON.
fn finish(
    args: &OptimizeArgs,
    report: &OptimizeReport,
    runner: &Runner<'_>,
    trials: &[smc_optimize::ParamSet],
    search: Search,
) -> anyhow::Result<()> {
    print_report(report, runner.candles);
    if let Some(path) = &args.json {
        let out = runner.report_json(report, trials, search)?;
        std::fs::write(path, serde_json::to_string_pretty(&out)?)
            .with_context(|| format!("{}: cannot write", path.display()))?;
    }
    Ok(())
}

/// The date of bar `i` (its open), or `-` past the end.
fn date(candles: &[Candle], i: usize) -> String {
    candles.get(i).map_or("-".into(), |c| {
        format_utc(c.open_time.ms())[..10].to_string()
    })
}

fn num(x: Option<f64>) -> String {
    x.map_or("-".into(), |v| format!("{v:.3}"))
}

fn print_report(report: &OptimizeReport, candles: &[Candle]) {
    let s = &report.summary;
    let obj = s.objective.name();
    println!(
        "{:>3}  {:<23}  {:<23}  {:>10}  {:>10}  params",
        "win",
        "train",
        "test",
        format!("IS {}", short(obj)),
        format!("OOS {}", short(obj)),
    );
    for w in &report.windows {
        println!(
            "{:>3}  {} .. {}  {} .. {}  {:>10}  {:>10}  {}",
            w.index,
            date(candles, w.train.start),
            date(candles, w.train.end - 1),
            date(candles, w.test.start),
            date(candles, w.test.end - 1),
            num(w.is_score),
            num(w.oos_score),
            w.params
        );
    }
    println!();
    let pct = |x: Option<f64>| x.map_or("-".into(), |v| format!("{:.2}%", 100.0 * v));
    let rows = [
        ("objective", obj.to_string()),
        ("trials", s.trials.to_string()),
        ("windows", s.windows.to_string()),
        ("IS mean", num(s.is_mean)),
        ("OOS mean", num(s.oos_mean)),
        ("WF efficiency", num(s.efficiency)),
        ("OOS return", pct(s.stitched_oos.total_return)),
        ("OOS sharpe", num(s.stitched_oos.sharpe)),
        ("OOS max drawdown", pct(s.stitched_oos.max_drawdown)),
        ("OOS trades", s.stitched_oos.trades.to_string()),
        (
            "DSR",
            s.dsr.as_ref().map_or("-".into(), |d| {
                format!(
                    "{:.3} (SR {:.4}/bar vs {:.4} expected max)",
                    d.value, d.input.sharpe, d.expected_max_sharpe
                )
            }),
        ),
        (
            "PBO",
            s.pbo.as_ref().map_or("-".into(), |p| {
                format!(
                    "{:.3} ({} splits of {} blocks)",
                    p.value, p.combinations, p.blocks
                )
            }),
        ),
    ];
    for (name, value) in rows {
        println!("{name:<18}{value}");
    }
    if let Some(p) = &s.dsr_params {
        println!("{:<18}{p}", "DSR trial");
    }
    for w in &s.warnings {
        println!("warning: {w}");
    }
    for n in &s.notes {
        println!("note: {n}");
    }
}

/// A column-sized objective name.
fn short(name: &str) -> &str {
    match name {
        "total_return" => "return",
        "profit_factor" => "pf",
        other => other,
    }
}
