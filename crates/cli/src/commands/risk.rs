//! `smc risk var`: value at risk and expected shortfall of an OHLCV series'
//! simple close-to-close returns, as a JSON object (a contract other tools
//! call). `smc risk breakers`: the circuit breakers in the store.

use anyhow::bail;
use clap::{Args, Subcommand, ValueEnum};
use smc_model::num::to_f64;
use smc_model::stats::simple_returns;
use smc_risk::{VarMethod, value_at_risk};
use std::path::PathBuf;

use super::risk_breakers as breakers;

#[derive(Subcommand)]
pub enum RiskCommand {
    /// VaR and CVaR of the input's returns.
    Var(VarArgs),
    /// Circuit breakers kept in the store: list them, reset a tripped one.
    Breakers {
        #[command(subcommand)]
        command: breakers::BreakersCommand,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Method {
    Historical,
    Normal,
    CornishFisher,
    MonteCarlo,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Json,
}

#[derive(Args)]
pub struct VarArgs {
    /// OHLCV CSV file; returns are close-to-close.
    #[arg(long)]
    input: PathBuf,
    /// Confidence level, strictly between 0 and 1 (0.95, 0.99, …).
    #[arg(long, default_value_t = 0.99)]
    confidence: f64,
    #[arg(long, value_enum, default_value = "historical")]
    method: Method,
    /// Use only the last N returns.
    #[arg(long)]
    window: Option<usize>,
    /// Monte Carlo: number of draws from the normal fit.
    #[arg(long, default_value_t = 100_000)]
    paths: usize,
    /// Monte Carlo: seed of the random generator.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    #[arg(long, value_enum, default_value = "json")]
    format: Format,
    /// Skip malformed rows instead of failing.
    #[arg(long)]
    lenient: bool,
}

pub fn run(command: &RiskCommand) -> anyhow::Result<()> {
    let args = match command {
        RiskCommand::Var(args) => args,
        RiskCommand::Breakers { command } => return breakers::run(command),
    };
    let loaded = super::load_input(&args.input, args.lenient)?;
    let closes: Vec<f64> = loaded.candles.iter().map(|c| to_f64(c.close)).collect();
    let mut returns = simple_returns(&closes);
    if let Some(window) = args.window {
        if window < 2 {
            bail!("--window must be at least 2, got {window}");
        }
        let start = returns.len().saturating_sub(window);
        returns.drain(..start);
    }
    let method = match args.method {
        Method::Historical => VarMethod::Historical,
        Method::Normal => VarMethod::Normal,
        Method::CornishFisher => VarMethod::CornishFisher,
        Method::MonteCarlo => VarMethod::MonteCarlo {
            paths: args.paths,
            seed: args.seed,
        },
    };
    let estimate = value_at_risk(&returns, args.confidence, method)?;
    let method_name = match args.method {
        Method::Historical => "historical",
        Method::Normal => "normal",
        Method::CornishFisher => "cornish-fisher",
        Method::MonteCarlo => "monte-carlo",
    };
    // With heavy tails the Cornish-Fisher expansion can put the quantile on
    // the wrong side of the mean (a "gain" at 99 %): say so rather than let
    // a negative VaR pass for safety.
    let warning = match args.method {
        Method::CornishFisher => {
            let normal = value_at_risk(&returns, args.confidence, VarMethod::Normal)?;
            ((estimate.var + estimate.mean) * (normal.var + normal.mean) < 0.0).then_some(
                "the Cornish-Fisher quantile fell on the other side of the mean: the returns' \
                 skewness and kurtosis are outside the expansion's range; prefer historical",
            )
        }
        _ => None,
    };
    let json = serde_json::json!({
        "warning": warning,
        "method": method_name,
        "confidence": estimate.confidence,
        "observations": estimate.observations,
        "var": estimate.var,
        "cvar": estimate.cvar,
        "mean": estimate.mean,
        "std": estimate.std,
    });
    println!("{json}");
    Ok(())
}
