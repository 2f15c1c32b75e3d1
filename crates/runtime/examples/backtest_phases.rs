//! How long the phases of `smc backtest --strategy sma-cross` take in one
//! process, repeated: the engine and the analytics on candles already in
//! memory, best and median of the runs (the machine may be shared).
//!
//! Usage: cargo run --release -p smc-runtime --example backtest_phases -- SERIES.csv [RUNS]
//! With ENGINE_ONLY=1 the engine alone; with NOOP=1 too, a strategy that
//! never trades (the engine's fixed cost per bar).

use rust_decimal::Decimal;
use smc_runtime::StrategyName;
use smc_runtime::backtest::{BacktestRequest, Input, VenueFlags, load_candles};
use std::path::PathBuf;
use std::time::Duration;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = PathBuf::from(
        args.next()
            .ok_or("usage: backtest_phases SERIES.csv [RUNS]")?,
    );
    let runs: usize = args.next().map_or(Ok(7), |s| s.parse())?;
    let input = load_candles(path.clone(), false)?;
    let request = BacktestRequest {
        input: Some(path),
        strategy: Some(StrategyName::SmaCross),
        venue: VenueFlags {
            cash: Some(Decimal::from(100_000)),
            fee: Some(Decimal::new(1, 3)),
            ..VenueFlags::default()
        },
        ..BacktestRequest::default()
    };
    if std::env::var_os("ENGINE_ONLY").is_some() {
        // The engine alone, for a profile of its bar path.
        let timeframe = smc_runtime::backtest::candles_timeframe(&input.candles)?;
        for _ in 0..runs {
            let mut engine = if std::env::var_os("NOOP").is_some() {
                request.engine_with(Box::new(Noop), &input.candles, timeframe)?
            } else {
                request.engine(&input.candles, timeframe)?
            };
            let mut progress = |_| {};
            let mut sink = smc_runtime::backtest::Recorder::new(&mut progress);
            let started = std::time::Instant::now();
            let report = smc_runtime::backtest::run_series(
                &mut engine,
                &input.candles,
                timeframe,
                &mut sink,
            )?;
            println!(
                "engine {:.1} ms, {} trades",
                ms(started.elapsed()),
                report.trades.len()
            );
        }
        return Ok(());
    }
    let (mut engine, mut analytics) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let copy = Input {
            path: input.path.clone(),
            candles: input.candles.clone(),
            skipped: Vec::new(),
            read_time: input.read_time,
        };
        let cpu = thread_cpu_ns();
        let run = request.run_on(copy, &mut |_| {})?;
        let cpu = thread_cpu_ns().saturating_sub(cpu);
        engine.push(run.timings.engine);
        analytics.push(run.timings.analytics);
        eprintln!(
            "engine {:.1} ms, analytics {:.1} ms (thread CPU for both: {:.1} ms), {} trades, final equity {}",
            ms(run.timings.engine),
            ms(run.timings.analytics),
            cpu as f64 / 1e6,
            run.report.trades.len(),
            run.report.final_equity
        );
    }
    for (name, mut times) in [("engine", engine), ("analytics", analytics)] {
        times.sort();
        println!(
            "{name}: best {:.1} ms, median {:.1} ms ({runs} runs)",
            ms(times[0]),
            ms(times[times.len() / 2])
        );
    }
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// This thread's time on a CPU (Linux), to tell contention from work.
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// A strategy that never trades: the engine's own cost per bar.
struct Noop;

impl smc_strategy::Strategy for Noop {
    fn name(&self) -> &str {
        "noop"
    }
    fn on_candle(
        &mut self,
        _ctx: &smc_strategy::StrategyContext<'_>,
        _out: &mut Vec<smc_model::Intent>,
    ) {
    }
}
