//! What the optimiser needs from a backtest: given a parameter set and a
//! bar range, an equity curve and the round-trip trades. The CLI plugs the
//! engine in; tests plug in synthetic strategies.

use crate::error::{BoxError, OptimizeError};
use crate::objective::Objective;
use crate::param::ParamSet;
use rust_decimal::Decimal;
use smc_analytics::{Metrics, Options, analyze};
use smc_model::RoundTrip;
use smc_model::Timestamp;
use std::ops::Range;

/// One backtest's output.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RunResult {
    /// (epoch ms, equity), one point per bar, times strictly ascending. It
    /// covers the measured bars, optionally preceded by one base point (the
    /// equity just before the first measured bar, e.g. after a warm-up).
    pub equity: Vec<(Timestamp, Decimal)>,
    pub trades: Vec<RoundTrip>,
}

/// Runs one parameter set on one bar range.
///
/// A backtester may feed bars before `bars.start` to its strategy as a
/// warm-up (they are in the past, so no lookahead), but it must report only
/// `bars` (plus at most the one base point described on [`RunResult`]),
/// must not look at bars from `bars.end` on, and must be deterministic: the
/// optimiser calls it from several threads in any order.
pub trait Backtester: Sync {
    fn run(&self, params: &ParamSet, bars: Range<usize>) -> Result<RunResult, BoxError>;
}

impl<F> Backtester for F
where
    F: Fn(&ParamSet, Range<usize>) -> Result<RunResult, BoxError> + Sync,
{
    fn run(&self, params: &ParamSet, bars: Range<usize>) -> Result<RunResult, BoxError> {
        self(params, bars)
    }
}

/// A run with its metrics.
#[derive(Debug, Clone)]
pub(crate) struct Scored {
    pub metrics: Metrics,
    pub score: Option<f64>,
    pub result: RunResult,
}

/// Runs and analyses one (parameter set, range) pair.
pub(crate) fn run_scored(
    bt: &dyn Backtester,
    params: &ParamSet,
    bars: Range<usize>,
    objective: Objective,
) -> Result<Scored, OptimizeError> {
    let result = bt
        .run(params, bars.clone())
        .map_err(|source| OptimizeError::Backtest {
            params: params.to_string(),
            start: bars.start,
            end: bars.end,
            source,
        })?;
    let metrics = metrics_of(&result).map_err(|source| OptimizeError::Analytics {
        params: params.to_string(),
        start: bars.start,
        end: bars.end,
        source,
    })?;
    Ok(Scored {
        score: objective.score(&metrics),
        metrics,
        result,
    })
}

/// The analytics metrics of a run (risk-free rate 0, exposure from trades).
pub fn metrics_of(r: &RunResult) -> Result<Metrics, smc_analytics::AnalyticsError> {
    Ok(analyze(&r.equity, &r.trades, &Options::default())?.metrics)
}
