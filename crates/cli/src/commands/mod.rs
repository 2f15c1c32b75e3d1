//! One file per command: its arguments, and how its results are shown.

pub mod backtest;
pub mod check_lookahead;
pub mod detect;
pub mod optimize;
pub mod risk;
pub mod risk_breakers;
pub mod run;
pub mod venue_sim;

use smc_runtime::backtest::{Input, load_candles};
use std::path::Path;

/// Reads `--input`, listing on stderr the rows skipped in lenient mode.
pub fn load_input(path: &Path, lenient: bool) -> anyhow::Result<Input> {
    let input = load_candles(path.to_path_buf(), lenient)?;
    if !input.skipped.is_empty() {
        eprintln!(
            "skipped {} bad row(s) of {}:",
            input.skipped.len(),
            path.display()
        );
        for e in input.skipped.iter().take(10) {
            eprintln!("  {e}");
        }
    }
    Ok(input)
}

/// The built-in strategies, as the flags spell them (`sma-cross` is
/// accepted too).
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum StrategyArg {
    Smc,
    #[value(name = "sma_cross", alias = "sma-cross")]
    SmaCross,
}

impl From<StrategyArg> for smc_runtime::StrategyName {
    fn from(s: StrategyArg) -> Self {
        match s {
            StrategyArg::Smc => smc_runtime::StrategyName::Smc,
            StrategyArg::SmaCross => smc_runtime::StrategyName::SmaCross,
        }
    }
}
