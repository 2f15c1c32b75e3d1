//! `smc backtest`: runs a strategy over one candle series with the
//! simulated venue (the runtime's backtest job) and prints a summary table;
//! `--json FILE` writes the results, `--report FILE` the HTML report.
//! Without `--config`, sizes are fractional (1e-8 lots), with no minimum
//! notional and no risk limits, so that results compare with research tools.

use super::{StrategyArg, VenueArgs};
use crate::output::progress::backtest_bar;
use anyhow::Context;
use clap::{Args, ValueEnum};
use smc_engine::IntrabarRule;
use smc_runtime::backtest::{BacktestRequest, VenueFlags};
use smc_strategy::FirstDecision;
use std::path::PathBuf;

#[derive(Clone, Copy, ValueEnum)]
enum FillRule {
    Ohlc,
    NearestExtreme,
    StopFirst,
}

#[derive(Clone, Copy, ValueEnum)]
enum First {
    OneBarAfter,
    WhenDefined,
}

#[derive(Args)]
pub struct BacktestArgs {
    /// OHLCV CSV file (default: the config's `backtest.input`).
    #[arg(long)]
    input: Option<PathBuf>,
    /// The strategy (default: the config's `backtest.strategy`).
    #[arg(long, value_enum)]
    strategy: Option<StrategyArg>,
    /// config.yaml: starting cash from `trading.initial_balance` and the
    /// `risk_manager` limits applied to every order.
    #[arg(long)]
    pub(crate) config: Option<PathBuf>,
    #[command(flatten)]
    venue: VenueArgs,
    /// Intrabar path rule for resting orders (default: the config's, else ohlc).
    #[arg(long, value_enum)]
    fill_rule: Option<FillRule>,
    /// smc: the entry timeframe (the input's), any timeframes that must agree
    /// with the bias, and the bias timeframe, e.g. 1m,1h or 1m,5m,1h,1d.
    #[arg(long, value_delimiter = ',')]
    timeframes: Vec<String>,
    /// sma_cross: decide first one bar after both averages exist
    /// (backtesting.py) or as soon as they do (vectorbt, NautilusTrader).
    #[arg(long, value_enum, default_value = "one-bar-after")]
    first_decision: First,
    /// First bar (ISO 8601 date or epoch ms).
    #[arg(long)]
    from: Option<String>,
    /// Last bar (ISO 8601 date or epoch ms), inclusive of bars opening before it.
    #[arg(long)]
    to: Option<String>,
    /// Write the results as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Write a self-contained HTML report to this file: equity and drawdown
    /// curves, the price chart with trades and SMC zones, and the tables.
    #[arg(long)]
    report: Option<PathBuf>,
    /// Write the run's trades (every field of results.json's `trades`,
    /// closed then open) to this file: Parquet if it ends in .parquet, else CSV.
    #[arg(long, value_name = "FILE")]
    trades_out: Option<PathBuf>,
    /// Write the equity curve (equity at each bar's close) to this file:
    /// Parquet if it ends in .parquet, else CSV.
    #[arg(long, value_name = "FILE")]
    equity_out: Option<PathBuf>,
    /// Skip malformed rows instead of failing.
    #[arg(long)]
    lenient: bool,
    /// Print how long reading, the engine and the analytics took (stderr).
    #[arg(long)]
    timings: bool,
    /// Is the edge real? Compare the strategy with N random-entry runs that
    /// keep its trades' sides, holding times and sizes (and the engine's
    /// costs, account and risk gate) but enter at random bars; p-values of
    /// its total return, Sharpe and profit factor among them.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=100_000))]
    significance: Option<u64>,
    /// The random-entry runs' seed.
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

impl BacktestArgs {
    /// The runtime's request for these flags.
    pub fn request(&self) -> anyhow::Result<BacktestRequest> {
        let settings = self.config.as_deref().map(smc_config::load).transpose()?;
        Ok(BacktestRequest {
            settings,
            input: self.input.clone(),
            strategy: self.strategy.map(Into::into),
            timeframes: self.timeframes.clone(),
            first_decision: match self.first_decision {
                First::OneBarAfter => FirstDecision::OneBarAfter,
                First::WhenDefined => FirstDecision::WhenDefined,
            },
            venue: VenueFlags {
                fill_rule: self.fill_rule.map(|rule| match rule {
                    FillRule::Ohlc => IntrabarRule::Ohlc,
                    FillRule::NearestExtreme => IntrabarRule::NearestExtreme,
                    FillRule::StopFirst => IntrabarRule::StopFirst,
                }),
                ..self.venue.flags()
            },
            from: self.from.clone(),
            to: self.to.clone(),
            lenient: self.lenient,
        })
    }
}

pub fn run(args: &BacktestArgs) -> anyhow::Result<()> {
    let request = args.request()?;
    let input = super::load_input(&request.input_path()?, request.lenient)?;
    let bar = backtest_bar(input.candles.len());
    let mut progress = |bars: u64| bar.set_position(bars);
    let run = request.run_on(input, &mut progress);
    bar.finish_and_clear();
    let mut run = run?;
    if let Some(n) = args.significance {
        let bar = crate::output::progress::count_bar(n, "random entries");
        let tick = |done: u64| bar.set_position(done);
        let test =
            smc_runtime::significance::significance(&request, &run, n as usize, args.seed, &tick);
        bar.finish_and_clear();
        run.significance = Some(test?);
    }
    if args.timings {
        // Phases of this process, for benchmarks that compare like with like.
        let t = run.timings;
        tracing::info!(
            "timings: read {:.1} ms, engine {:.1} ms, analytics {:.1} ms ({} bars)",
            t.read.as_secs_f64() * 1e3,
            t.engine.as_secs_f64() * 1e3,
            t.analytics.as_secs_f64() * 1e3,
            run.candles().len()
        );
    }
    let decisions = run.risk_decisions();
    crate::output::summary::print(&run.report, run.cash, &run.analysis, &decisions);
    if let Some(s) = &run.significance {
        crate::output::summary::print_significance(s);
    }
    if let Some(path) = &args.report {
        run.write_report(path, request.settings.as_ref(), &request.timeframes)?;
    }
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_string_pretty(&run.results_json())?)
            .with_context(|| format!("{}: cannot write", path.display()))?;
    }
    if let Some(path) = &args.trades_out {
        let report = &run.report;
        smc_data::write_trades(path, report.trades.iter().chain(&report.open_trades))?;
    }
    if let Some(path) = &args.equity_out {
        smc_data::write_equity(
            path,
            run.report.equity_curve.iter().map(|p| (p.time, p.equity)),
        )?;
    }
    Ok(())
}
