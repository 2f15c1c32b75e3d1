//! Per-bar simple returns and the growth metrics built on them: total
//! return, CAGR and annualised volatility.

use crate::curve::{EquityCurve, finite};
use smc_model::stats;

/// Per-bar returns closer than `RETURN_TOLERANCE · max(1, |r|)` are
/// indistinguishable: each r_t = E_t / E_{t−1} − 1 carries a rounding error
/// of about 1e-16 (relative to 1 + r_t) from the `f64` conversion and the
/// division, so exact ties and exactly constant returns come out a few ulps
/// apart. A standard deviation (or downside deviation) below the tolerance
/// is zero, so a constant-return series has zero volatility rather than a
/// spread of ~1e-16 and a meaningless Sharpe of ~1e15. The tolerance is
/// four orders of magnitude above the noise and far below any real per-bar
/// spread. (CVaR takes the returns at or below the VaR exactly, as
/// `smc risk var` does: `smc_risk::historical_var_cvar`.)
pub const RETURN_TOLERANCE: f64 = 1e-12;

/// Simple returns r_t = E_t / E_{t−1} − 1 for t = 1 … n−1 (n − 1 values;
/// empty for fewer than two points).
///
/// `None` when any equity before the last point is ≤ 0: a return relative
/// to zero or negative equity (ruin, or a futures account under water) has
/// no meaning, and every return-based metric of that curve is `None`.
pub fn simple_returns(equity: &[f64]) -> Option<Vec<f64>> {
    let prior = equity.len().saturating_sub(1);
    if equity[..prior].iter().any(|e| *e <= 0.0) {
        return None;
    }
    Some(stats::simple_returns(equity))
}

/// E_end / E_start − 1. `None` with fewer than two points or E_start ≤ 0.
pub fn total_return(equity: &[f64]) -> Option<f64> {
    match equity {
        [first, .., last] if *first > 0.0 => finite(last / first - 1.0),
        _ => None,
    }
}

/// Compound annual growth rate (E_end / E_start)^(1 / years) − 1, years of
/// 365.25 days from the first to the last point. `None` with fewer than two
/// points, E_start ≤ 0, E_end < 0 (no real root), or an overflow (a large
/// gain over a very short span). E_end = 0 gives −1.
pub fn cagr(curve: &EquityCurve) -> Option<f64> {
    let years = curve.years()?;
    match curve.equity() {
        [first, .., last] if *first > 0.0 && *last >= 0.0 => {
            finite((last / first).powf(1.0 / years) - 1.0)
        }
        _ => None,
    }
}

/// Per-bar standard deviation of returns, std(r, ddof = 1), with spreads
/// under the rounding-noise floor ([`RETURN_TOLERANCE`]) reported as
/// exactly 0. `None` with fewer than two returns.
pub fn bar_std(returns: &[f64]) -> Option<f64> {
    Some(bar_std_of(
        stats::std_dev(returns, 1)?,
        return_scale(returns),
    ))
}

/// [`bar_std`] from the sample standard deviation and [`return_scale`].
pub(crate) fn bar_std_of(sd: f64, scale: f64) -> f64 {
    if sd <= RETURN_TOLERANCE * scale {
        0.0
    } else {
        sd
    }
}

/// max(1, max |r_t|): what the rounding-noise floor scales with.
pub(crate) fn return_scale(returns: &[f64]) -> f64 {
    returns.iter().fold(1.0_f64, |m, r| m.max(r.abs()))
}

/// Annualised volatility std(r, ddof = 1) · √bars_per_year. `None` with
/// fewer than two returns; 0 for a flat or constant-return curve.
pub fn volatility(returns: &[f64], bars_per_year: f64) -> Option<f64> {
    volatility_of(bar_std(returns)?, bars_per_year)
}

/// [`volatility`] from [`bar_std`].
pub(crate) fn volatility_of(bar_std: f64, bars_per_year: f64) -> Option<f64> {
    finite(bar_std * bars_per_year.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;
    use smc_model::Timestamp;

    #[test]
    fn returns_of_a_short_series() {
        let r = simple_returns(&[100.0, 110.0, 99.0]).unwrap();
        assert_eq!(r.len(), 2);
        assert!((r[0] - 0.1).abs() < 1e-15 && (r[1] + 0.1).abs() < 1e-15);
        assert_eq!(simple_returns(&[]), Some(vec![]));
        assert_eq!(simple_returns(&[5.0]), Some(vec![]));
    }

    #[test]
    fn ruin_makes_returns_undefined_but_not_total_return() {
        // Falling to zero on the last bar is a return of −100 %.
        assert_eq!(simple_returns(&[100.0, 0.0]), Some(vec![-1.0]));
        assert_eq!(simple_returns(&[100.0, 0.0, 50.0]), None);
        assert_eq!(simple_returns(&[-1.0, 1.0]), None);
        assert_eq!(total_return(&[100.0, 0.0, 50.0]), Some(-0.5));
        assert_eq!(total_return(&[0.0, 50.0]), None);
        assert_eq!(total_return(&[50.0]), None);
    }

    #[test]
    fn cagr_doubles_in_two_years() {
        let year = crate::curve::YEAR_MS;
        let pts = [
            (Timestamp::from_ms(0), Decimal::ONE),
            (Timestamp::from_ms(2 * year), Decimal::new(4, 0)),
        ];
        let c = EquityCurve::new_checked(&pts).unwrap();
        assert!((cagr(&c).unwrap() - 1.0).abs() < 1e-15);
        let ruined = EquityCurve::new_checked(&[
            (Timestamp::from_ms(0), Decimal::ONE),
            (Timestamp::from_ms(year), Decimal::ZERO),
        ])
        .unwrap();
        assert_eq!(cagr(&ruined), Some(-1.0));
        let negative = EquityCurve::new_checked(&[
            (Timestamp::from_ms(0), Decimal::ONE),
            (Timestamp::from_ms(year), Decimal::NEGATIVE_ONE),
        ])
        .unwrap();
        assert_eq!(cagr(&negative), None);
    }

    #[test]
    fn flat_equity_has_zero_volatility() {
        let r = simple_returns(&[100.0; 10]).unwrap();
        assert_eq!(volatility(&r, 365.0), Some(0.0));
        assert_eq!(volatility(&r[..1], 365.0), None);
    }
}
