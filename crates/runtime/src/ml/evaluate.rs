//! `smc ml evaluate`: a model judged on data it was not trained on (from
//! `--from`, by default the end of its training window). Two views: the
//! candidates decided there, scored by the model (AUC, Brier, log loss,
//! base rate), and two backtests of that window, the `smc` strategy
//! without and with the filter, net of the venue's costs, side by side.
//! Both backtests start cold at `--from` (the same warm-up for both).

use super::candidates::{LabelCounts, Labelling, collect, label};
use super::train::{TrainingFacts, read_facts};
use crate::backtest::{BacktestRequest, Recorder, candles_timeframe, run_series};
use crate::error::{SessionError, SessionResult};
use crate::significance::{Baseline, significance_of};
use crate::strategies::smc_config;
use rust_decimal::Decimal;
use serde::Serialize;
use smc_analytics::significance::RunFigures;
use smc_ml::{Metrics, ModelFile};
use smc_model::{Candle, NoTradeReason, NoTradeTally, Timeframe, Timestamp};
use smc_strategy::SmcStrategy;
use smc_strategy::features::MlFilter;
use std::path::Path;
use std::sync::Arc;

/// One backtest's figures, net of fees, spread and funding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunSummary {
    pub trades: usize,
    pub win_rate: Option<f64>,
    pub profit_factor: Option<f64>,
    pub sharpe: Option<f64>,
    pub max_drawdown: Option<f64>,
    pub total_return: Option<f64>,
    pub final_equity: String,
    pub fees: String,
    /// Spread paid above the bid (forex), already in the fills' prices.
    pub spread: String,
    /// Funding or financing paid (negative: earned).
    pub funding: String,
    /// Setups the filter skipped (0 without it).
    pub skipped_by_model: u64,
    /// Against random entries with the same trades' shapes, when asked
    /// for and the run closed a trade.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub significance: Option<smc_analytics::significance::Significance>,
}

/// An out-of-sample evaluation.
#[derive(Debug, Clone, Serialize)]
pub struct Evaluation {
    /// First candle of the evaluation (ms).
    pub from_ms: i64,
    pub threshold: f64,
    /// Candidates from `from_ms` on (all of the series' counts are in `training`).
    pub counts: LabelCounts,
    /// The model's scores on the labelled candidates from `from_ms`
    /// (None when there are none).
    pub candidates: Option<Metrics>,
    pub without_filter: RunSummary,
    pub with_filter: RunSummary,
    pub training: TrainingFacts,
}

/// Evaluates the model in `dir` on `request`'s series from `from`
/// (default: the model's training end); with `test` (runs, seed) each
/// backtest is also set against random entries; `progress` hears bars done.
pub fn evaluate(
    dir: &Path,
    request: &BacktestRequest,
    from: Option<Timestamp>,
    test: Option<(usize, u64)>,
    progress: &mut dyn FnMut(u64),
) -> SessionResult<Evaluation> {
    let model = ModelFile::load(dir).map_err(|e| SessionError::Data(e.to_string()))?;
    let facts = read_facts(dir)?;
    let mut request = request.clone();
    if request.timeframes.is_empty() {
        // The strategy the model was trained for, unless told otherwise.
        request.timeframes = facts.timeframes.clone();
    }
    let settings = request.settings.as_ref();
    let smc = smc_config(settings, &request.timeframes)?;
    let ml = settings.map(|c| c.ml.clone()).unwrap_or_default();
    let features = SmcStrategy::new(smc.clone()).feature_set();
    let filter = MlFilter::new(model, &features, ml.threshold, ml.size_by_probability, dir)
        .map_err(|e| SessionError::Setting(e.to_string()))?;
    let filter = Arc::new(filter);
    let input = request.load()?;
    let candles = &input.candles;
    let timeframe = candles_timeframe(candles)?;
    let from_ms = from.map_or(facts.train_until_ms, Timestamp::ms);
    let start = candles.partition_point(|c| c.open_time.ms() < from_ms);
    if candles.len().saturating_sub(start) < 2 {
        return Err(SessionError::Setting(format!(
            "no data after {}: the series ends at {}",
            Timestamp::from_ms(from_ms).format_utc(),
            candles
                .last()
                .map_or(String::new(), |c| c.open_time.format_utc())
        )));
    }
    // Candidates: decided on the whole series (warm state), kept from `from`.
    let found = collect(&request, candles, timeframe, progress)?;
    let later: Vec<_> = found.into_iter().filter(|c| c.time_ms >= from_ms).collect();
    let how = Labelling {
        entry_expiry_bars: smc.entry_expiry_bars,
        holding_bars: facts.holding_bars,
    };
    let (labelled, counts) = label(later, candles, timeframe, how)?;
    let probabilities: Vec<f64> = labelled
        .iter()
        .map(|l| filter.probability(&l.candidate.features))
        .collect();
    let labels: Vec<bool> = labelled.iter().map(|l| l.label.label).collect();
    let scores =
        (!labelled.is_empty()).then(|| Metrics::compute(&probabilities, &labels, ml.threshold));
    let window = &candles[start..];
    let without_filter = run_window(&request, window, timeframe, None, test, progress)?;
    let with_filter = run_window(
        &request,
        window,
        timeframe,
        Some(Arc::clone(&filter)),
        test,
        progress,
    )?;
    Ok(Evaluation {
        from_ms,
        threshold: ml.threshold,
        counts,
        candidates: scores,
        without_filter,
        with_filter,
        training: facts,
    })
}

/// A backtest of the `smc` strategy on `candles`, with or without `filter`
/// (and, with `test`, its random-entry test).
pub fn run_window(
    request: &BacktestRequest,
    candles: &[Candle],
    timeframe: Timeframe,
    filter: Option<Arc<MlFilter>>,
    test: Option<(usize, u64)>,
    progress: &mut dyn FnMut(u64),
) -> SessionResult<RunSummary> {
    let settings = request.settings.as_ref();
    let mut strategy = SmcStrategy::new(smc_config(settings, &request.timeframes)?);
    if let Some(f) = filter {
        strategy = strategy.with_filter(f);
    }
    let mut engine = request.engine_with(Box::new(strategy), candles, timeframe)?;
    let mut recorder = Recorder::new(progress);
    let report = run_series(&mut engine, candles, timeframe, &mut recorder)?;
    let trips: Vec<_> = report
        .trades
        .iter()
        .chain(&report.open_trades)
        .cloned()
        .collect();
    let equity: Vec<(Timestamp, Decimal)> = report
        .equity_curve
        .iter()
        .map(|p| (p.time, p.equity))
        .collect();
    let analysis = smc_analytics::analyze(&equity, &trips, &smc_analytics::Options::default())
        .map_err(|e| SessionError::Data(e.to_string()))?;
    let m = analysis.metrics;
    let significance = match test {
        Some((runs, seed)) if !report.trades.is_empty() => {
            let base = Baseline {
                candles,
                timeframe,
                report: &report,
                events: &recorder.kept,
                figures: RunFigures {
                    total_return: m.total_return,
                    sharpe: m.sharpe,
                    profit_factor: m.profit_factor,
                },
            };
            Some(significance_of(request, &base, runs, seed, &|_| {})?)
        }
        _ => None,
    };
    Ok(RunSummary {
        trades: m.trades,
        win_rate: m.win_rate,
        profit_factor: m.profit_factor,
        sharpe: m.sharpe,
        max_drawdown: m.max_drawdown,
        total_return: m.total_return,
        final_equity: money(report.final_equity),
        fees: money(report.fees_paid),
        spread: money(report.spread_paid),
        funding: money(report.funding_paid),
        skipped_by_model: skipped(&recorder.no_trade),
        significance,
    })
}

fn skipped(tally: &NoTradeTally) -> u64 {
    tally
        .totals()
        .get(NoTradeReason::ModelBelowThreshold.as_str())
        .copied()
        .unwrap_or(0)
}

/// An amount as printed: financing accrues to 28 decimal places, which
/// nobody reads; 8 keep every satoshi and pipette.
fn money(amount: Decimal) -> String {
    amount.round_dp(8).normalize().to_string()
}
