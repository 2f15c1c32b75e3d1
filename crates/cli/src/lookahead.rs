//! `smc check-lookahead`: runs a strategy on the full data and on the data
//! cut at many points, and reports every decision that differs (a strategy
//! that decides differently once the future is removed was using it).
//! Exits with status 3 when a lookahead is found.

use crate::backtest::{BacktestArgs, build_engine, input_path};
use anyhow::Context;
use clap::Args;
use smc_engine::check_lookahead;

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
    let b = &args.backtest;
    let settings = b.config_path().map(smc_config::load).transpose()?;
    let loaded = crate::input::load(&input_path(b, settings.as_ref())?, b.lenient())?;
    let candles = &loaded.candles;
    let timeframe =
        smc_data::infer_timeframe(candles).context("cannot tell the candles' timeframe")?;
    let found = check_lookahead::<_, anyhow::Error>(candles, timeframe, args.cuts, |slice| {
        build_engine(b, settings.as_ref(), slice, timeframe)
    })?;
    println!(
        "cuts checked: {}, decisions that differ: {}",
        args.cuts,
        found.len()
    );
    for d in &found {
        println!(
            "  cut at {}: full run {} / truncated run {}",
            smc_model::time::format_utc(d.cut_time),
            d.full
                .as_ref()
                .map_or("no decision".to_string(), |x| format!(
                    "{:?} {} at {}",
                    x.side, x.qty, x.time
                )),
            d.truncated
                .as_ref()
                .map_or("no decision".to_string(), |x| format!(
                    "{:?} {} at {}",
                    x.side, x.qty, x.time
                )),
        );
    }
    Ok(found.is_empty())
}
