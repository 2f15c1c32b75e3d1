//! `smc backtest --significance N`: the finished backtest's closed trades
//! against N random-entry runs of the same engine (same costs, account,
//! risk gate and stops), each trade keeping one of the strategy's sides,
//! holding times, sizes and stop distances but entered at random bars
//! without overlap (see `smc_analytics::significance`).

use crate::backtest::{Backtest, BacktestRequest, run_series};
use crate::error::{SessionError, SessionResult};
use rayon::prelude::*;
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use smc_analytics::significance::{RunFigures, Significance, TradeShape, schedules};
use smc_engine::BacktestReport;
use smc_model::{
    Candle, EngineEvent, NullSink, OrderKind, RoundTrip, Side, Timeframe, Timestamp, TradeSide,
};
use smc_strategy::{Scheduled, ScheduledEntry};

/// What the test compares: a finished run of the strategy over `candles`.
pub struct Baseline<'a> {
    pub candles: &'a [Candle],
    pub timeframe: Timeframe,
    pub report: &'a BacktestReport,
    /// The run's order events, where the trades' protective stops are.
    pub events: &'a [EngineEvent],
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
            events: &done.events,
            figures: RunFigures {
                total_return: m.total_return,
                sharpe: m.sharpe,
                profit_factor: m.profit_factor,
            },
        }
    }
}

/// What the random runs keep of the strategy's closed trades.
pub fn trade_shapes(
    report: &BacktestReport,
    events: &[EngineEvent],
    timeframe: Timeframe,
) -> Vec<TradeShape> {
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
                stop_distance: first_stop(t, exit, tf, events)
                    .and_then(|stop| ((t.entry_price - stop).abs() / t.entry_price).to_f64()),
            })
        })
        .collect()
}

/// The trigger of the first protective stop placed for `trade`: a
/// reduce-only stop on the other side, submitted between its entry and
/// its exit (a single-instrument run, which the test is). The engine
/// places a stop at the close of the bar whose open filled the entry, so
/// a trade that ended within that bar finds its stop at the close.
fn first_stop(
    trade: &RoundTrip,
    exit: Timestamp,
    bar_ms: i64,
    events: &[EngineEvent],
) -> Option<Decimal> {
    let last = Timestamp::from_ms(exit.ms().max(trade.entry_time.ms() + bar_ms));
    let closing = if trade.side == TradeSide::Long {
        Side::Sell
    } else {
        Side::Buy
    };
    events.iter().find_map(|e| match e {
        EngineEvent::OrderSubmitted { time, order, .. }
            if order.reduce_only
                && order.side == closing
                && (trade.entry_time..=last).contains(time) =>
        {
            match order.kind {
                OrderKind::StopMarket { trigger } | OrderKind::StopLimit { trigger, .. } => {
                    Some(trigger)
                }
                _ => None,
            }
        }
        _ => None,
    })
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
    let shapes = trade_shapes(base.report, base.events, base.timeframe);
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
                    stop_distance: t
                        .shape
                        .stop_distance
                        .and_then(Decimal::from_f64)
                        .map(|d| d.round_dp(8)),
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use rust_decimal::dec;
    use smc_model::{ClientOrderId, InstrumentId, InstrumentIndex, OrderRequest, TimeInForce};

    fn submitted(ms: i64, side: Side, kind: OrderKind, reduce_only: bool) -> EngineEvent {
        EngineEvent::OrderSubmitted {
            time: Timestamp::from_ms(ms),
            order: OrderRequest {
                client_id: ClientOrderId::new(format!("o{ms}")),
                instrument: InstrumentId::new("test", "GBPUSD").unwrap(),
                side,
                qty: dec!(1),
                kind,
                time_in_force: TimeInForce::Gtc,
                reduce_only,
            },
            setup: None,
        }
    }

    fn long_trade(entry: i64, exit: i64) -> RoundTrip {
        RoundTrip {
            instrument: InstrumentIndex::new(0),
            side: TradeSide::Long,
            entry_time: Timestamp::from_ms(entry),
            exit_time: Some(Timestamp::from_ms(exit)),
            entry_price: dec!(1.25),
            exit_price: Some(dec!(1.26)),
            size: dec!(1000),
            pnl: dec!(10),
            fees: dec!(0),
            setup: None,
        }
    }

    #[test]
    fn a_trade_keeps_the_first_protective_stop_placed_while_it_was_open() {
        let stop = |trigger| OrderKind::StopMarket { trigger };
        let events = [
            // Before the entry: another trade's stop.
            submitted(5, Side::Sell, stop(dec!(1.1)), true),
            // The entry itself, and a take-profit: not stops.
            submitted(10, Side::Buy, OrderKind::Market, false),
            submitted(
                10,
                Side::Sell,
                OrderKind::TakeProfit { trigger: dec!(1.3) },
                true,
            ),
            // A stop on the wrong side, then the trade's stop, then a trail.
            submitted(10, Side::Buy, stop(dec!(1.3)), true),
            submitted(10, Side::Sell, stop(dec!(1.2)), true),
            submitted(20, Side::Sell, stop(dec!(1.24)), true),
        ];
        let t = long_trade(10, 30);
        assert_eq!(
            first_stop(&t, Timestamp::from_ms(30), 10, &events),
            Some(dec!(1.2))
        );
        // A trade with no stop inside its life has none.
        let later = long_trade(40, 50);
        assert_eq!(
            first_stop(&later, Timestamp::from_ms(50), 10, &events),
            None
        );
        // One that entered and left within a bar finds the stop placed at
        // that bar's close.
        let brief = long_trade(0, 0);
        assert_eq!(
            first_stop(&brief, Timestamp::from_ms(0), 5, &events),
            Some(dec!(1.1))
        );
    }
}
