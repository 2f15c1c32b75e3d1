//! The walk-forward optimisation itself:
//!
//! 1. every trial runs on every train window (in parallel);
//! 2. each window picks its best trial by the objective and runs it on its
//!    test window, which that choice never saw;
//! 3. every trial also runs once over the whole walk-forward span, which
//!    gives the trials × time return matrix for the PBO and the trial
//!    Sharpe ratios for the DSR;
//! 4. the test runs are stitched into one out-of-sample account.
//!
//! Results are collected by index, never in completion order, so the same
//! inputs give the same report on any number of threads.

use crate::backtester::{Backtester, RunResult, Scored, metrics_of, run_scored};
use crate::dsr::{Dsr, DsrInput, deflated_sharpe};
use crate::error::OptimizeError;
use crate::moments::{returns, sharpe, variance};
use crate::objective::{Objective, best_index};
use crate::param::ParamSet;
use crate::pbo::pbo;
use crate::report::{OptimizeReport, Summary, Thresholds, WindowReport, mean_defined, warnings};
use crate::stitch::stitch;
use crate::windows::{Window, WindowSpec, walk_forward};
use rayon::prelude::*;
use smc_model::stats::Moments;
use std::ops::Range;

/// How to optimise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OptimizeConfig {
    pub objective: Objective,
    pub windows: WindowSpec,
    pub thresholds: Thresholds,
    /// CSCV blocks S for the PBO (even; default 16, fewer when the span is short).
    pub pbo_blocks: usize,
}

impl OptimizeConfig {
    pub fn new(windows: WindowSpec) -> Self {
        OptimizeConfig {
            objective: Objective::default(),
            windows,
            thresholds: Thresholds::default(),
            pbo_blocks: 16,
        }
    }
}

/// How many backtests [`optimize`] runs for `trials` trials and `windows`
/// windows: one per trial and window, one per test window, one per trial
/// over the whole span.
pub fn planned_runs(trials: usize, windows: usize) -> usize {
    trials * windows + windows + trials
}

/// Runs the walk-forward optimisation of `trials` over bars `0..total_bars`.
/// `progress` is called once after each backtest, from any thread.
pub fn optimize(
    bt: &dyn Backtester,
    trials: &[ParamSet],
    total_bars: usize,
    config: &OptimizeConfig,
    progress: &(dyn Fn() + Sync),
) -> Result<OptimizeReport, OptimizeError> {
    if trials.is_empty() {
        return Err(OptimizeError::NoTrials);
    }
    let windows = walk_forward(total_bars, config.windows)?;
    let span = windows[0].train.start..windows[windows.len() - 1].test.end;
    let objective = config.objective;
    let run = |params: &ParamSet, bars: Range<usize>| {
        let r = run_scored(bt, params, bars, objective);
        progress();
        r
    };
    // Train runs and whole-span runs are independent: run them together.
    let (train, full) = rayon::join(
        || -> Result<Vec<Vec<TrialRun>>, OptimizeError> {
            let jobs: Vec<(usize, usize)> = (0..windows.len())
                .flat_map(|w| (0..trials.len()).map(move |n| (w, n)))
                .collect();
            let flat = jobs
                .par_iter()
                .map(|&(w, n)| {
                    run(&trials[n], windows[w].train.clone()).map(|s| TrialRun::new(s, false))
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(flat.chunks(trials.len()).map(<[_]>::to_vec).collect())
        },
        || -> Result<Vec<TrialRun>, OptimizeError> {
            trials
                .par_iter()
                .map(|p| run(p, span.clone()).map(|s| TrialRun::new(s, true)))
                .collect()
        },
    );
    let (train, full) = (train?, full?);
    let chosen: Vec<usize> = train
        .iter()
        .map(|runs| best_of(runs).unwrap_or(0))
        .collect();
    let tests: Vec<Scored> = windows
        .par_iter()
        .zip(&chosen)
        .map(|(w, &n)| run(&trials[n], w.test.clone()))
        .collect::<Result<_, _>>()?;

    let mut notes = Vec::new();
    let window_reports: Vec<WindowReport> = windows
        .iter()
        .zip(&train)
        .zip(chosen.iter().zip(&tests))
        .map(|((w, runs), (&n, test))| window_report(w, runs, n, trials, test))
        .collect();
    let parts: Vec<RunResult> = tests.into_iter().map(|s| s.result).collect();
    let stitched = stitch(&parts);
    let stitched_oos = metrics_of(&stitched).map_err(|source| OptimizeError::Analytics {
        params: "the stitched out-of-sample curve".into(),
        start: span.start,
        end: span.end,
        source,
    })?;

    let best_full = best_of(&full);
    let dsr = best_full.and_then(|b| dsr_of(&full, b));
    if dsr.is_none() {
        notes.push("DSR undefined: the best trial's returns are too few or degenerate".into());
    }
    let blocks = pbo_blocks(
        config.pbo_blocks,
        full.first().map_or(0, |r| r.returns.len()),
    );
    let matrix: Vec<Vec<f64>> = full.iter().map(|r| r.returns.clone()).collect();
    let pbo = match pbo(&matrix, blocks) {
        Ok(p) => Some(p),
        Err(e) => {
            notes.push(e.to_string());
            None
        }
    };
    let is_mean = mean_defined(window_reports.iter().map(|w| w.is_score));
    let oos_mean = mean_defined(window_reports.iter().map(|w| w.oos_score));
    let efficiency = match (is_mean, oos_mean) {
        (Some(i), Some(o)) if i > 0.0 => Some(o / i),
        _ => None,
    };
    if let (Some(i), Some(o)) = (is_mean, oos_mean)
        && i > 0.0
        && o <= 0.0
    {
        notes.push(format!(
            "the mean {objective} is {i:.3} in sample but {o:.3} out of sample"
        ));
    }
    let warns = warnings(dsr.as_ref(), pbo.as_ref(), &config.thresholds);
    Ok(OptimizeReport {
        summary: Summary {
            objective,
            trials: trials.len(),
            windows: windows.len(),
            is_mean,
            oos_mean,
            efficiency,
            stitched_oos,
            dsr_params: dsr.as_ref().and(best_full).map(|b| trials[b].clone()),
            dsr,
            pbo,
            thresholds: config.thresholds,
            overfitting_warning: !warns.is_empty(),
            warnings: warns,
            notes,
        },
        windows: window_reports,
    })
}

/// What the optimiser keeps of a trial's run: not the curve, only what the
/// statistics need (memory is trials × windows of these).
#[derive(Debug, Clone)]
struct TrialRun {
    score: Option<f64>,
    metrics: smc_analytics::Metrics,
    /// The per-bar returns, kept only for the whole-span runs (the PBO's
    /// matrix); empty for train runs.
    returns: Vec<f64>,
    moments: Option<Moments>,
}

impl TrialRun {
    fn new(s: Scored, keep_returns: bool) -> Self {
        let r = returns(&s.result.equity);
        TrialRun {
            score: s.score,
            metrics: s.metrics,
            moments: Moments::of(&r),
            returns: if keep_returns { r } else { Vec::new() },
        }
    }
}

fn best_of(runs: &[TrialRun]) -> Option<usize> {
    best_index(&runs.iter().map(|r| r.score).collect::<Vec<_>>())
}

/// The DSR of trial `best` among `runs`: V is the variance of all trials'
/// per-bar Sharpe ratios, the moments are the best trial's.
fn dsr_of(runs: &[TrialRun], best: usize) -> Option<Dsr> {
    let m = runs[best].moments?;
    let sharpes: Vec<f64> = runs
        .iter()
        .filter_map(|r| r.moments.as_ref().map(sharpe))
        .collect();
    deflated_sharpe(DsrInput {
        sharpe: sharpe(&m),
        trials: runs.len(),
        sharpe_variance: variance(&sharpes),
        skew: m.skew,
        kurtosis: m.kurtosis,
        observations: m.n,
    })
}

/// The configured block count, lowered (staying even) until each block
/// holds at least two returns.
fn pbo_blocks(configured: usize, observations: usize) -> usize {
    let mut s = configured - configured % 2;
    while s > 2 && observations < 2 * s {
        s -= 2;
    }
    s
}

fn window_report(
    w: &Window,
    runs: &[TrialRun],
    n: usize,
    trials: &[ParamSet],
    test: &Scored,
) -> WindowReport {
    WindowReport {
        index: w.index,
        train: w.train.clone(),
        test: w.test.clone(),
        trial: n,
        params: trials[n].clone(),
        is_score: runs[n].score,
        oos_score: test.score,
        is_metrics: runs[n].metrics,
        oos_metrics: test.metrics,
        is_dsr: dsr_of(runs, n),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn planned_runs_counts_every_backtest() {
        assert_eq!(planned_runs(10, 3), 30 + 3 + 10);
    }

    #[test]
    fn block_count_shrinks_with_short_spans() {
        assert_eq!(pbo_blocks(16, 1000), 16);
        assert_eq!(pbo_blocks(16, 20), 10);
        assert_eq!(pbo_blocks(17, 1000), 16);
        assert_eq!(pbo_blocks(16, 3), 2);
    }
}
