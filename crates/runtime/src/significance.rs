//! `smc backtest --significance N`: the finished backtest's closed trades
//! against N random-entry runs of the same engine (same costs, account,
//! risk gate and stops), each trade keeping one of the strategy's sides,
//! holding times and sizes but entered at random bars without overlap
//! (see `smc_analytics::significance`).

use crate::backtest::{Backtest, BacktestRequest, run_series};
use crate::error::{SessionError, SessionResult};
use rayon::prelude::*;
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use smc_analytics::significance::{RunFigures, Significance, TradeShape, schedules};
use smc_engine::BacktestReport;
use smc_model::{Candle, NullSink, RoundTrip, Side, Timeframe, Timestamp, TradeSide};
use smc_strategy::{Scheduled, ScheduledEntry};

/// What the test compares: a finished run of the strategy over `candles`.
pub struct Baseline<'a> {
    pub candles: &'a [Candle],
    pub timeframe: Timeframe,
    pub report: &'a BacktestReport,
    pub figures: RunFigures,
}

impl<'a> Baseline<'a> {
    /// A finished `smc backtest`.
    pub fn of(done: &'a Backtest) -> Self {
        let m = &done.analysis.metrics;
        Baseline {
            candles: done.candles(),
            timeframe: done.timeframe,
            report: &done.report,
            figures: RunFigures {
                total_return: m.total_return,
                sharpe: m.sharpe,
                profit_factor: m.profit_factor,
            },
        }
    }
}

/// What the random runs keep of the strategy's closed trades.
pub fn trade_shapes(report: &BacktestReport, timeframe: Timeframe) -> Vec<TradeShape> {
    let tf = timeframe.duration_ms();
    let curve = &report.equity_curve;
    report
        .trades
        .iter()
        .filter_map(|t: &RoundTrip| {
            let exit = t.exit_time?;
            let hold = ((exit.ms() - t.entry_time.ms()) / tf).max(1) as usize;
            // The equity before the entry: the last mark at or before it.
            let at = curve.partition_point(|p| p.time <= t.entry_time);
            let equity = curve.get(at.saturating_sub(1)).map(|p| p.equity)?;
            let fraction = (t.entry_price * t.size).checked_div(equity)?.to_f64()?;
            Some(TradeShape {
                direction: if t.side == TradeSide::Long { 1 } else { -1 },
                hold_bars: hold,
                equity_fraction: fraction.max(0.0),
            })
        })
        .collect()
}

/// Runs the test of a finished `smc backtest`; `progress` hears the
/// number of random runs done.
pub fn significance(
    request: &BacktestRequest,
    done: &Backtest,
    runs: usize,
    seed: u64,
    progress: &(dyn Fn(u64) + Sync),
) -> SessionResult<Significance> {
    significance_of(request, &Baseline::of(done), runs, seed, progress)
}

/// Runs the test of `base` with `request`'s engine, account and gate.
pub fn significance_of(
    request: &BacktestRequest,
    base: &Baseline<'_>,
    runs: usize,
    seed: u64,
    progress: &(dyn Fn(u64) + Sync),
) -> SessionResult<Significance> {
    let candles = base.candles;
    let shapes = trade_shapes(base.report, base.timeframe);
    let plans = schedules(&shapes, candles.len(), runs, seed).ok_or_else(|| {
        SessionError::Setting(format!(
            "--significance: {} trades holding {} bars do not fit in {} bars",
            shapes.len(),
            shapes.iter().map(|s| s.hold_bars).sum::<usize>(),
            candles.len()
        ))
    })?;
    let done_runs = std::sync::atomic::AtomicU64::new(0);
    let figures = plans
        .par_iter()
        .map(|plan| {
            let entries = plan
                .iter()
                .map(|t| ScheduledEntry {
                    entry_bar: t.entry_bar,
                    side: if t.shape.direction > 0 {
                        Side::Buy
                    } else {
                        Side::Sell
                    },
                    hold_bars: t.shape.hold_bars,
                    equity_fraction: Decimal::from_f64(t.shape.equity_fraction)
                        .unwrap_or(Decimal::ZERO)
                        .round_dp(8),
                })
                .collect();
            let strategy = Box::new(Scheduled::new(base.timeframe, entries));
            let mut engine = request.engine_with(strategy, candles, base.timeframe)?;
            let report = run_series(&mut engine, candles, base.timeframe, &mut NullSink)?;
            let n = done_runs.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            progress(n);
            figures_of(&report)
        })
        .collect::<SessionResult<Vec<RunFigures>>>()?;
    Ok(Significance::of(base.figures, &figures, seed))
}

fn figures_of(report: &smc_engine::BacktestReport) -> SessionResult<RunFigures> {
    let equity: Vec<(Timestamp, Decimal)> = report
        .equity_curve
        .iter()
        .map(|p| (p.time, p.equity))
        .collect();
    let trades: Vec<RoundTrip> = report
        .trades
        .iter()
        .chain(&report.open_trades)
        .cloned()
        .collect();
    let analysis = smc_analytics::analyze(&equity, &trades, &smc_analytics::Options::default())
        .map_err(|e| SessionError::Data(e.to_string()))?;
    let m = analysis.metrics;
    Ok(RunFigures {
        total_return: m.total_return,
        sharpe: m.sharpe,
        profit_factor: m.profit_factor,
    })
}
