//! Risk-adjusted return ratios: Sharpe, Sortino and Calmar.
//!
//! The risk-free rate `rf` is an annual simple rate; per bar it is
//! rf / bars_per_year (no compounding, the usual convention, and exact for
//! rf = 0, the default).

use crate::curve::finite;
use crate::returns::{RETURN_TOLERANCE, bar_std, return_scale};
use smc_model::stats;

/// Annualised Sharpe ratio (mean(r) − rf / bpy) / std(r, ddof = 1) · √bpy.
///
/// `None` with fewer than two returns, or when the standard deviation is
/// zero (flat or constant-return equity: the ratio would be ±∞ or 0/0).
pub fn sharpe(returns: &[f64], bars_per_year: f64, risk_free_rate: f64) -> Option<f64> {
    sharpe_of(
        bar_std(returns)?,
        stats::mean(returns)?,
        bars_per_year,
        risk_free_rate,
    )
}

/// [`sharpe`] from [`bar_std`] and the mean return.
pub(crate) fn sharpe_of(
    bar_std: f64,
    mean: f64,
    bars_per_year: f64,
    risk_free_rate: f64,
) -> Option<f64> {
    if bar_std == 0.0 {
        return None;
    }
    let excess = mean - risk_free_rate / bars_per_year;
    finite(excess / bar_std * bars_per_year.sqrt())
}

/// Downside deviation √(mean over all bars of min(r_t − target, 0)²):
/// bars above the target count as zero deviation (they stay in the
/// denominator n), the convention of Sortino and Price (1994). `None` for
/// an empty slice.
pub fn downside_deviation(returns: &[f64], target: f64) -> Option<f64> {
    if returns.is_empty() {
        return None;
    }
    let below = returns.iter().map(|r| {
        let d = (r - target).min(0.0);
        d * d
    });
    Some((stats::sum(below) / returns.len() as f64).sqrt())
}

/// Annualised Sortino ratio (mean(r) − target) / downside_deviation · √bpy
/// with target = rf / bpy per bar.
///
/// `None` with no returns, or when the downside deviation is zero (no bar
/// below the target: the ratio would be +∞) or below the rounding-noise
/// floor of [`RETURN_TOLERANCE`] · max(1, max |r_t|).
pub fn sortino(returns: &[f64], bars_per_year: f64, risk_free_rate: f64) -> Option<f64> {
    let target = risk_free_rate / bars_per_year;
    sortino_of(
        downside_deviation(returns, target)?,
        return_scale(returns),
        stats::mean(returns)?,
        bars_per_year,
        target,
    )
}

/// [`sortino`] from the downside deviation below `target` (rf per bar),
/// [`return_scale`] and the mean return.
pub(crate) fn sortino_of(
    downside: f64,
    scale: f64,
    mean: f64,
    bars_per_year: f64,
    target: f64,
) -> Option<f64> {
    if downside <= RETURN_TOLERANCE * scale {
        return None;
    }
    finite((mean - target) / downside * bars_per_year.sqrt())
}

/// Calmar ratio CAGR / |max drawdown| (over the whole series, not the usual
/// trailing 36 months: a backtest report judges its whole span). `None`
/// when either is undefined or the curve never drew down.
pub fn calmar(cagr: Option<f64>, max_drawdown: Option<f64>) -> Option<f64> {
    let dd = max_drawdown?.abs();
    if dd == 0.0 {
        return None;
    }
    finite(cagr? / dd)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sharpe_of_a_known_series() {
        let r = [0.01, -0.02, 0.03, 0.0];
        // mean 0.005, std(ddof=1) = sqrt(0.00043333…)
        let expected = 0.005 / (0.0013_f64 / 3.0).sqrt() * 4.0_f64.sqrt();
        assert!((sharpe(&r, 4.0, 0.0).unwrap() - expected).abs() < 1e-12);
        // rf = 4 % a year over 4 bars a year is 1 % a bar.
        let with_rf = (0.005 - 0.01) / (0.0013_f64 / 3.0).sqrt() * 2.0;
        assert!((sharpe(&r, 4.0, 0.04).unwrap() - with_rf).abs() < 1e-12);
    }

    #[test]
    fn zero_volatility_has_no_sharpe() {
        assert_eq!(sharpe(&[0.0, 0.0, 0.0], 252.0, 0.0), None);
        assert_eq!(sharpe(&[0.01; 5], 252.0, 0.0), None);
        assert_eq!(sharpe(&[0.01], 252.0, 0.0), None);
    }

    #[test]
    fn sortino_uses_all_bars_in_the_downside_mean() {
        let r = [0.02, -0.01, 0.03, -0.03];
        let dd = ((0.01_f64 * 0.01 + 0.03 * 0.03) / 4.0).sqrt();
        assert!((downside_deviation(&r, 0.0).unwrap() - dd).abs() < 1e-15);
        let expected = 0.0025 / dd * 252.0_f64.sqrt();
        assert!((sortino(&r, 252.0, 0.0).unwrap() - expected).abs() < 1e-12);
        assert_eq!(sortino(&[0.01, 0.02], 252.0, 0.0), None);
        assert_eq!(sortino(&[], 252.0, 0.0), None);
    }

    #[test]
    fn calmar_needs_a_drawdown() {
        assert_eq!(calmar(Some(0.2), Some(0.1)), Some(2.0));
        assert_eq!(calmar(Some(0.2), Some(0.0)), None);
        assert_eq!(calmar(None, Some(0.1)), None);
    }
}
