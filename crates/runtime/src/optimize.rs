//! The engine plugged into the walk-forward search of `smc-optimize`: a
//! built-in strategy with its base configuration, the parameter sets it
//! accepts, and one backtest of a parameter set on a window of bars,
//! warmed up on the bars just before it (already in the past, so no
//! lookahead) and scored on its own bars only.

use crate::backtest::{backtest_engine, backtest_instrument};
use crate::error::{SessionError, SessionResult};
use crate::strategies::{StrategyName, smc_config};
use smc_engine::{EngineConfig, Series, run_backtest};
use smc_model::InstrumentIndex;
use smc_model::{Candle, NullSink, Timeframe};
use smc_optimize::strategies::{
    SMA_CROSS_PARAMS, SMC_PARAMS, apply_sma_cross, apply_smc, check_names,
};
use smc_optimize::{
    BoxError, OptimizeConfig, OptimizeReport, ParamSet, RunResult, Search, parse_specs,
};
use smc_strategy::{SmaCross, SmaCrossConfig, SmcConfig, SmcStrategy, Strategy};
use std::ops::Range;

/// A strategy with its base configuration, before parameters apply.
#[derive(Debug, Clone)]
pub enum BaseStrategy {
    Smc(Box<SmcConfig>),
    SmaCross(SmaCrossConfig),
}

impl BaseStrategy {
    /// `name` with the config's smc parameters and the bias timeframe of
    /// `timeframes` (entry, bias) as the base.
    pub fn new(
        name: StrategyName,
        settings: Option<&smc_config::Config>,
        timeframes: &[String],
    ) -> SessionResult<Self> {
        Ok(match name {
            StrategyName::SmaCross => BaseStrategy::SmaCross(SmaCrossConfig::default()),
            StrategyName::Smc => BaseStrategy::Smc(Box::new(smc_config(settings, timeframes)?)),
        })
    }

    /// The parameters a search may name.
    pub fn valid_names(&self) -> &'static [&'static str] {
        match self {
            BaseStrategy::Smc(_) => SMC_PARAMS,
            BaseStrategy::SmaCross(_) => SMA_CROSS_PARAMS,
        }
    }

    /// The strategy with `params` applied.
    pub fn strategy(&self, params: &ParamSet) -> SessionResult<Box<dyn Strategy>> {
        let refused = |e: String| SessionError::Setting(format!("{params}: {e}"));
        Ok(match self {
            BaseStrategy::Smc(c) => Box::new(SmcStrategy::new(
                apply_smc(c, params).map_err(|e| refused(e.to_string()))?,
            )),
            BaseStrategy::SmaCross(c) => Box::new(
                SmaCross::new(apply_sma_cross(c, params).map_err(|e| refused(e.to_string()))?)
                    .map_err(|e| refused(e.to_string()))?,
            ),
        })
    }

    pub fn name(&self) -> StrategyName {
        match self {
            BaseStrategy::Smc(_) => StrategyName::Smc,
            BaseStrategy::SmaCross(_) => StrategyName::SmaCross,
        }
    }
}

/// The parameter sets a strategy accepts, and what was dropped.
#[derive(Debug, Clone)]
pub struct ValidTrials {
    pub trials: Vec<ParamSet>,
    /// How many sets the strategy refused (e.g. sma_cross fast ≥ slow).
    pub refused: usize,
    /// Why the first refused set was refused.
    pub first_refusal: Option<String>,
}

/// Drops the sets the strategy refuses; fails when none is left.
pub fn valid_trials(base: &BaseStrategy, trials: Vec<ParamSet>) -> SessionResult<ValidTrials> {
    let total = trials.len();
    let mut first_refusal = None;
    let valid: Vec<ParamSet> = trials
        .into_iter()
        .filter(|p| match base.strategy(p) {
            Ok(_) => true,
            Err(e) => {
                first_refusal.get_or_insert_with(|| e.to_string());
                false
            }
        })
        .collect();
    if valid.is_empty()
        && let Some(e) = &first_refusal
    {
        return Err(SessionError::Setting(format!(
            "no valid parameter set; the first refused was {e}"
        )));
    }
    Ok(ValidTrials {
        refused: total - valid.len(),
        trials: valid,
        first_refusal,
    })
}

/// The parameter sets to search: `params` (`NAME=SPEC`, as `smc optimize
/// --param` takes them) under `search`, less those the strategy refuses.
pub fn search_trials(
    base: &BaseStrategy,
    params: &[String],
    search: Search,
) -> SessionResult<ValidTrials> {
    let setting = |e: smc_optimize::OptimizeError| SessionError::Setting(e.to_string());
    let specs = parse_specs(params).map_err(setting)?;
    check_names(&specs, base.valid_names()).map_err(setting)?;
    valid_trials(base, smc_optimize::trials(&specs, search).map_err(setting)?)
}

/// Everything a backtest of the search needs, shared read-only by the
/// worker threads.
pub struct Runner<'a> {
    pub candles: &'a [Candle],
    pub timeframe: Timeframe,
    pub engine: EngineConfig,
    /// The config whose instrument and risk gate (limits, exposure, VaR,
    /// breakers) every run uses, as `smc backtest --config` does.
    pub settings: Option<&'a smc_config::Config>,
    pub base: BaseStrategy,
    /// Bars before each window fed to the strategy, not scored.
    pub warmup: usize,
}

impl Runner<'_> {
    /// Backtests `params` on `bars`, warmed up on the bars before them.
    pub fn run(&self, params: &ParamSet, bars: Range<usize>) -> SessionResult<RunResult> {
        let from = bars.start.saturating_sub(self.warmup);
        let slice = &self.candles[from..bars.end];
        let strategy = self.base.strategy(params)?;
        let instrument =
            backtest_instrument(self.settings, &crate::backtest::VenueFlags::default(), None)?;
        let mut engine = backtest_engine(
            self.engine,
            self.settings,
            instrument,
            strategy,
            (slice, self.timeframe),
        )?;
        let series = [Series {
            instrument: InstrumentIndex::new(0),
            timeframe: self.timeframe,
            candles: slice,
        }];
        let report = run_backtest(&mut engine, &series, &[], &mut NullSink)?;
        if report.equity_curve.len() != slice.len() {
            return Err(SessionError::Data(format!(
                "expected one equity point per bar, got {} for {} bars",
                report.equity_curve.len(),
                slice.len()
            )));
        }
        // Keep the last warm-up point as the base of the first return.
        let skip = (bars.start - from).saturating_sub(1);
        let equity = report.equity_curve[skip..]
            .iter()
            .map(|p| (p.time, p.equity))
            .collect();
        let start_time = self.candles[bars.start].open_time;
        let trades = report
            .trades
            .iter()
            .chain(&report.open_trades)
            .filter(|t| t.exit_time.is_none_or(|x| x >= start_time))
            .cloned()
            .collect();
        Ok(RunResult { equity, trades })
    }

    /// The walk-forward optimisation of `trials` on all the candles (on
    /// the current rayon pool); `progress` is called after each backtest,
    /// from any thread.
    pub fn optimize(
        &self,
        trials: &[ParamSet],
        config: &OptimizeConfig,
        progress: &(dyn Fn() + Sync),
    ) -> SessionResult<OptimizeReport> {
        let bt = |p: &ParamSet, r: Range<usize>| -> Result<RunResult, BoxError> {
            self.run(p, r).map_err(BoxError::from)
        };
        smc_optimize::optimize(&bt, trials, self.candles.len(), config, progress)
            .map_err(|e| SessionError::Setting(e.to_string()))
    }

    /// `smc optimize --json`: the report plus the run's inputs and the
    /// windows' dates; `dsr`, `pbo` and `overfitting_warning` are repeated
    /// at the top level for scripts.
    pub fn report_json(
        &self,
        report: &OptimizeReport,
        trials: &[ParamSet],
        search: Search,
    ) -> SessionResult<serde_json::Value> {
        use serde_json::json;
        let unserialisable = |e: serde_json::Error| SessionError::Data(e.to_string());
        let mut windows = serde_json::to_value(&report.windows).map_err(unserialisable)?;
        if let Some(list) = windows.as_array_mut() {
            for (w, out) in report.windows.iter().zip(list) {
                let time = |i: usize| self.candles.get(i).map(|c| c.open_time);
                out["train"]["from_time"] = json!(time(w.train.start));
                out["train"]["to_time"] = json!(time(w.train.end - 1));
                out["test"]["from_time"] = json!(time(w.test.start));
                out["test"]["to_time"] = json!(time(w.test.end - 1));
            }
        }
        let s = &report.summary;
        let (search, seed) = match search {
            Search::Grid => ("grid", 0),
            Search::Random { seed, .. } => ("random", seed),
        };
        Ok(json!({
            "strategy": self.base.name().to_string(),
            "objective": s.objective,
            "search": search,
            "seed": seed,
            "warmup_bars": self.warmup,
            "bars": self.candles.len(),
            "trials": trials,
            "windows": windows,
            "summary": s,
            "dsr": s.dsr.as_ref().map(|d| d.value),
            "pbo": s.pbo.as_ref().map(|p| p.value),
            "overfitting_warning": s.overfitting_warning,
            "warnings": s.warnings,
        }))
    }
}
