//! `smc check-lookahead`: runs a strategy on the full data and on the data
//! cut at many points, and reports every decision that differs (a strategy
//! that decides differently once the future is removed was using it).
//! Exits with status 3 when a lookahead is found.

use super::backtest::BacktestArgs;
use clap::Args;
use smc_engine::check_lookahead;
use smc_runtime::SessionError;
use smc_runtime::backtest::candles_timeframe;

#[derive(Args)]
pub struct LookaheadArgs {
    #[command(flatten)]
    backtest: BacktestArgs,
    /// Number of cut points, evenly spaced over the data.
    #[arg(long, default_value_t = 20)]
    cuts: usize,
}

/// Returns whether the strategy is clean (no divergence).
pub fn run(args: &LookaheadArgs) -> anyhow::Result<bool> {
    let request = args.backtest.request()?;
    let input = super::load_input(&request.input_path()?, request.lenient)?;
    let candles = &input.candles;
    let timeframe = candles_timeframe(candles)?;
    let found = check_lookahead::<_, SessionError>(candles, timeframe, args.cuts, |slice| {
        request.engine(slice, timeframe)
    })?;
    println!(
        "cuts checked: {}, decisions that differ: {}",
        args.cuts,
        found.len()
    );
    let decision = |d: &Option<smc_engine::Decision>| {
        d.as_ref().map_or("no decision".to_string(), |x| {
            format!("{:?} {} at {}", x.side, x.qty, x.time)
        })
    };
    for d in &found {
        println!(
            "  cut at {}: full run {} / truncated run {}",
            smc_model::time::format_utc(d.cut_time.ms()),
            decision(&d.full),
            decision(&d.truncated),
        );
    }
    Ok(found.is_empty())
}
