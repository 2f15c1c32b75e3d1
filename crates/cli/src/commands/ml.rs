//! `smc ml train` and `smc ml evaluate`: arguments and tables only; the
//! work is the runtime's (`smc_runtime::ml`).

use super::VenueArgs;
use crate::output::progress::count_bar;
use anyhow::Context;
use clap::{Args, Subcommand};
use smc_runtime::backtest::{BacktestRequest, parse_time};
use smc_runtime::ml::{Evaluation, RunSummary, TrainRequest, evaluate, train};
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum MlCommand {
    /// Record the smc strategy's setups on a series, label them by the
    /// triple barrier, train the ensemble on those before --train-until and
    /// write the model directory.
    Train(TrainArgs),
    /// Judge a model out of sample: its scores on the setups from --from,
    /// and the backtest without and with the filter side by side.
    Evaluate(EvaluateArgs),
}

/// `--strategy`: only `smc` has a filter.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum MlStrategy {
    Smc,
}

#[derive(Args)]
pub struct TrainArgs {
    /// OHLCV CSV file.
    #[arg(long)]
    input: PathBuf,
    /// The strategy whose setups are learned (smc).
    #[arg(long, value_enum, default_value = "smc")]
    strategy: MlStrategy,
    /// The entry timeframe (the input's), any confirming ones, the bias.
    #[arg(long, value_delimiter = ',')]
    timeframes: Vec<String>,
    /// The model directory to write.
    #[arg(long)]
    out: PathBuf,
    /// Train on setups decided, and labelled, before this (ISO 8601 or epoch ms).
    #[arg(long)]
    train_until: Option<String>,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// config.yaml: the strategy's parameters, detectors and venue models.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Candles after the fill before a setup's time barrier.
    #[arg(long, default_value_t = 100)]
    holding_bars: usize,
    #[command(flatten)]
    venue: VenueArgs,
}

#[derive(Args)]
pub struct EvaluateArgs {
    /// A model directory written by `smc ml train`.
    #[arg(long)]
    model: PathBuf,
    /// OHLCV CSV file.
    #[arg(long)]
    input: PathBuf,
    /// First candle judged (default: the end of the model's training window).
    #[arg(long)]
    from: Option<String>,
    /// config.yaml (its `ml.threshold` and `ml.size_by_probability` apply).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Print the evaluation as JSON instead of tables.
    #[arg(long)]
    json: bool,
    /// The strategy's timeframes (default: those the model was trained on).
    #[arg(long, value_delimiter = ',')]
    timeframes: Vec<String>,
    /// Also set each backtest (without and with the filter) against N
    /// random-entry runs, as `smc backtest --significance`.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=100_000))]
    significance: Option<u64>,
    /// The random-entry runs' seed.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    #[command(flatten)]
    venue: VenueArgs,
}

pub fn run(command: &MlCommand) -> anyhow::Result<()> {
    match command {
        MlCommand::Train(a) => run_train(a),
        MlCommand::Evaluate(a) => run_evaluate(a),
    }
}

fn request(
    config: Option<&std::path::Path>,
    input: &std::path::Path,
    timeframes: &[String],
    venue: &VenueArgs,
) -> anyhow::Result<BacktestRequest> {
    Ok(BacktestRequest {
        settings: config.map(smc_config::load).transpose()?,
        input: Some(input.to_path_buf()),
        strategy: Some(smc_runtime::StrategyName::Smc),
        timeframes: timeframes.to_vec(),
        venue: venue.flags(),
        ..BacktestRequest::default()
    })
}

fn run_train(a: &TrainArgs) -> anyhow::Result<()> {
    let MlStrategy::Smc = a.strategy;
    let req = TrainRequest {
        backtest: request(a.config.as_deref(), &a.input, &a.timeframes, &a.venue)?,
        train_until: a.train_until.as_deref().map(parse_time).transpose()?,
        seed: a.seed,
        holding_bars: a.holding_bars,
        out: a.out.clone(),
    };
    let bar = count_bar(0, "bars");
    let trained = train(&req, &mut |n| bar.set_position(n)).context("smc ml train")?;
    bar.finish_and_clear();
    let f = &trained.facts;
    let c = &f.counts;
    println!("model        {}", trained.path.display());
    println!("timeframes   {}", f.timeframes.join(","));
    println!(
        "window       {} .. {}",
        smc_model::time::format_utc(trained.model.train_from_ms),
        smc_model::time::format_utc(trained.model.train_to_ms)
    );
    println!("features     {}", trained.model.feature_names.len());
    println!(
        "candidates   {} (never filled {}, unresolved {}, labelled {}, wins {})",
        c.candidates, c.never_filled, c.unresolved, c.labelled, c.wins
    );
    println!("trained on   {} setups, {} wins", f.samples, f.positives);
    println!("\nfold  train  test   AUC     Brier   log loss  base rate");
    for fold in &trained.model.report.folds {
        let m = &fold.metrics.ensemble;
        println!(
            "{:<5} {:<6} {:<6} {:<7} {:<7.4} {:<9.4} {:.3}",
            fold.index,
            fold.train_samples,
            fold.test_samples,
            opt(m.auc),
            m.brier,
            m.log_loss,
            m.base_rate
        );
    }
    let m = &trained.model.report.out_of_fold.ensemble;
    println!(
        "oof   -      {:<6} {:<7} {:<7.4} {:<9.4} {:.3}",
        m.n,
        opt(m.auc),
        m.brier,
        m.log_loss,
        m.base_rate
    );
    Ok(())
}

fn run_evaluate(a: &EvaluateArgs) -> anyhow::Result<()> {
    let req = request(a.config.as_deref(), &a.input, &a.timeframes, &a.venue)?;
    let from = a.from.as_deref().map(parse_time).transpose()?;
    let bar = count_bar(0, "bars");
    let test = a.significance.map(|n| (n as usize, a.seed));
    let e = evaluate(&a.model, &req, from, test, &mut |n| bar.set_position(n))
        .context("smc ml evaluate")?;
    bar.finish_and_clear();
    if a.json {
        println!("{}", serde_json::to_string_pretty(&e)?);
    } else {
        print_evaluation(&e);
    }
    Ok(())
}

fn print_evaluation(e: &Evaluation) {
    println!("from         {}", smc_model::time::format_utc(e.from_ms));
    let c = &e.counts;
    println!(
        "candidates   {} (never filled {}, unresolved {}, labelled {}, wins {})",
        c.candidates, c.never_filled, c.unresolved, c.labelled, c.wins
    );
    match &e.candidates {
        Some(m) => println!(
            "model        AUC {}  Brier {:.4}  log loss {:.4}  base rate {:.3}  taken at p >= {} : {}",
            opt(m.auc),
            m.brier,
            m.log_loss,
            m.base_rate,
            e.threshold,
            m.calls
        ),
        None => println!("model        no labelled setup out of sample"),
    }
    println!("\n               without filter   with filter");
    let row = |name: &str, f: &dyn Fn(&RunSummary) -> String| {
        println!(
            "{name:<14} {:<16} {}",
            f(&e.without_filter),
            f(&e.with_filter)
        );
    };
    row("trades", &|r| r.trades.to_string());
    row("win rate", &|r| pct(r.win_rate));
    row("profit factor", &|r| opt(r.profit_factor));
    row("sharpe", &|r| opt(r.sharpe));
    row("max drawdown", &|r| pct(r.max_drawdown));
    row("total return", &|r| pct(r.total_return));
    row("fees", &|r| r.fees.clone());
    row("spread", &|r| r.spread.clone());
    row("funding", &|r| r.funding.clone());
    row("skipped", &|r| r.skipped_by_model.to_string());
    let p = |r: &RunSummary, f: fn(&smc_analytics::significance::Significance) -> Option<f64>| {
        r.significance
            .as_ref()
            .map_or("-".to_string(), |s| opt(f(s)))
    };
    if e.without_filter.significance.is_some() || e.with_filter.significance.is_some() {
        row("p (return)", &|r| p(r, |s| s.p_value_total_return));
        row("p (Sharpe)", &|r| p(r, |s| s.p_value_sharpe));
        row("p (PF)", &|r| p(r, |s| s.p_value_profit_factor));
    }
}

fn opt(x: Option<f64>) -> String {
    x.map_or("-".to_string(), |v| format!("{v:.3}"))
}

fn pct(x: Option<f64>) -> String {
    x.map_or("-".to_string(), |v| format!("{:.2}%", v * 100.0))
}
