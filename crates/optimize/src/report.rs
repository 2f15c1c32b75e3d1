//! What an optimisation reports: per window the chosen parameters with
//! their in-sample and out-of-sample results, and a summary with the
//! stitched out-of-sample metrics, the overfitting statistics and the
//! warnings they raise. Field names are a JSON contract.

use crate::dsr::Dsr;
use crate::objective::Objective;
use crate::param::ParamSet;
use crate::pbo::Pbo;
use serde::Serialize;
use smc_analytics::Metrics;
use std::ops::Range;

/// When to warn that the result is likely overfit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Thresholds {
    /// Warn when the PBO is above this (default 0.5).
    pub pbo_max: f64,
    /// Warn when the DSR is below this (default 0.95).
    pub dsr_min: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            pbo_max: 0.5,
            dsr_min: 0.95,
        }
    }
}

/// One walk-forward window's outcome.
#[derive(Debug, Clone, Serialize)]
pub struct WindowReport {
    pub index: usize,
    pub train: Range<usize>,
    pub test: Range<usize>,
    /// Index of the chosen parameter set in the trial list.
    pub trial: usize,
    pub params: ParamSet,
    /// The objective in sample (train) and out of sample (test).
    pub is_score: Option<f64>,
    pub oos_score: Option<f64>,
    pub is_metrics: Metrics,
    pub oos_metrics: Metrics,
    /// The DSR of the in-sample winner among this window's trials.
    pub is_dsr: Option<Dsr>,
}

/// Averages, the stitched out-of-sample result and the overfitting verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub objective: Objective,
    pub trials: usize,
    pub windows: usize,
    /// Mean of the windows' defined in-sample and out-of-sample scores.
    pub is_mean: Option<f64>,
    pub oos_mean: Option<f64>,
    /// Walk-forward efficiency: oos_mean / is_mean, when is_mean > 0.
    pub efficiency: Option<f64>,
    /// Metrics of the test windows chained into one account.
    pub stitched_oos: Metrics,
    /// The DSR of the best trial over the whole walk-forward span.
    pub dsr: Option<Dsr>,
    /// The parameter set that DSR is about.
    pub dsr_params: Option<ParamSet>,
    /// The PBO of all trials over the whole walk-forward span (CSCV).
    pub pbo: Option<Pbo>,
    pub thresholds: Thresholds,
    /// True when the PBO is above, or the DSR below, its threshold.
    pub overfitting_warning: bool,
    /// One line per threshold crossed.
    pub warnings: Vec<String>,
    /// Why a statistic is missing, and other observations.
    pub notes: Vec<String>,
}

/// The whole result.
#[derive(Debug, Clone, Serialize)]
pub struct OptimizeReport {
    pub windows: Vec<WindowReport>,
    pub summary: Summary,
}

/// Mean of the defined values, `None` when there is none.
pub(crate) fn mean_defined(xs: impl Iterator<Item = Option<f64>>) -> Option<f64> {
    let v: Vec<f64> = xs.flatten().filter(|x| x.is_finite()).collect();
    smc_model::stats::mean(&v)
}

/// The warning lines for `dsr` and `pbo` under `t`.
pub(crate) fn warnings(dsr: Option<&Dsr>, pbo: Option<&Pbo>, t: &Thresholds) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(p) = pbo.filter(|p| p.value > t.pbo_max) {
        out.push(format!(
            "overfitting likely: PBO {:.2} > {:.2} (the in-sample winner ranked at or below \
             the median out of sample in {:.0}% of {} CSCV splits)",
            p.value,
            t.pbo_max,
            100.0 * p.value,
            p.combinations
        ));
    }
    if let Some(d) = dsr.filter(|d| d.value < t.dsr_min) {
        out.push(format!(
            "overfitting likely: DSR {:.3} < {:.2} (the best Sharpe ratio of {} trials, {:.4} \
             per bar, is not clearly above the {:.4} expected from luck)",
            d.value, t.dsr_min, d.input.trials, d.input.sharpe, d.expected_max_sharpe
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsr::DsrInput;

    fn dsr(value: f64) -> Dsr {
        Dsr {
            value,
            expected_max_sharpe: 0.05,
            input: DsrInput {
                sharpe: 0.06,
                trials: 10,
                sharpe_variance: 0.001,
                skew: 0.0,
                kurtosis: 3.0,
                observations: 100,
            },
        }
    }

    fn pbo(value: f64) -> Pbo {
        Pbo {
            value,
            blocks: 16,
            combinations: 12870,
            trials: 10,
            observations: 100,
            median_logit: 0.0,
        }
    }

    #[test]
    fn thresholds_are_strict() {
        let t = Thresholds::default();
        assert!(warnings(Some(&dsr(0.95)), Some(&pbo(0.5)), &t).is_empty());
        let w = warnings(Some(&dsr(0.94)), Some(&pbo(0.51)), &t);
        assert_eq!(w.len(), 2);
        assert!(
            w[0].contains("PBO 0.51") && w[1].contains("DSR 0.940"),
            "{w:?}"
        );
        assert!(warnings(None, None, &t).is_empty());
    }

    #[test]
    fn mean_skips_undefined() {
        assert_eq!(
            mean_defined([Some(1.0), None, Some(3.0)].into_iter()),
            Some(2.0)
        );
        assert_eq!(mean_defined([None, Some(f64::NAN)].into_iter()), None);
    }
}
