//! Historical value at risk (VaR) and conditional value at risk (CVaR,
//! expected shortfall) of per-bar returns. Positive numbers are losses.

use crate::curve::finite;
use crate::returns::RETURN_TOLERANCE;
use crate::stats;
use serde::Serialize;

/// VaR and CVaR at one confidence level, as fractions of equity per bar.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct VarCvar {
    /// −q, q = the (1 − c)-quantile of the returns (numpy linear
    /// interpolation). Negative when even that quantile is a gain.
    pub var: f64,
    /// −mean(r_t for r_t ≤ q + RETURN_TOLERANCE · max(1, |q|)): the average
    /// loss in the tail at or beyond the VaR, returns equal to q up to
    /// rounding included. Never less than `var` − RETURN_TOLERANCE.
    pub cvar: f64,
}

/// Historical VaR and CVaR at `confidence` (e.g. 0.95) over `sorted`
/// returns in ascending order (see [`stats::sorted`]), with no distribution
/// assumed. The tail r ≤ q is never empty (q ≥ the smallest return), so
/// one return is enough: both are then −r. `None` with no returns or a
/// confidence outside [0, 1].
pub fn var_cvar_sorted(sorted: &[f64], confidence: f64) -> Option<VarCvar> {
    let q = stats::quantile_sorted(sorted, 1.0 - confidence)?;
    // Ties with q count whichever way the rounding of E_t / E_{t−1} fell.
    let edge = q + RETURN_TOLERANCE * q.abs().max(1.0);
    let tail_len = sorted.partition_point(|r| *r <= edge);
    let tail = stats::mean(&sorted[..tail_len])?;
    // 0 − x rather than −x: a flat curve reports 0, not −0.
    Some(VarCvar {
        var: finite(0.0 - q)?,
        cvar: finite(0.0 - tail)?,
    })
}

/// [`var_cvar_sorted`] for returns in any order.
pub fn var_cvar(returns: &[f64], confidence: f64) -> Option<VarCvar> {
    var_cvar_sorted(&stats::sorted(returns), confidence)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_of_one_hundred_returns() {
        // −0.10, −0.09, … , 0.89: the 5 % quantile lies between the 5th and
        // 6th smallest (h = 99 · 0.05 = 4.95).
        let r: Vec<f64> = (0..100).map(|i| (i as f64 - 10.0) / 100.0).collect();
        let v = var_cvar(&r, 0.95).unwrap();
        let q = -0.06 + 0.01 * 0.95;
        assert!((v.var + q).abs() < 1e-12);
        // Tail: −0.10 … −0.06, mean −0.08.
        assert!((v.cvar - 0.08).abs() < 1e-12);
        assert!(v.cvar >= v.var);
    }

    #[test]
    fn returns_tied_up_to_rounding_share_the_tail() {
        // 0.1 − 0.3 is −0.2 computed another way, one ulp above it. The
        // 25 % quantile of five returns is the second smallest, −0.2; its
        // twin joins the tail as an exact tie would (without the tolerance
        // the tail would be {−0.3, −0.2} and CVaR 0.25).
        let twin = 0.1 - 0.3;
        assert!(twin > -0.2);
        let rounded = var_cvar(&[-0.3, -0.2, twin, 0.1, 0.2], 0.75).unwrap();
        let exact = var_cvar(&[-0.3, -0.2, -0.2, 0.1, 0.2], 0.75).unwrap();
        assert_eq!(rounded.var, 0.2);
        assert!((rounded.cvar - 0.7 / 3.0).abs() < 1e-15);
        assert!((rounded.cvar - exact.cvar).abs() < 1e-15);
    }

    #[test]
    fn one_return_and_none() {
        let v = var_cvar(&[-0.02], 0.99).unwrap();
        assert_eq!((v.var, v.cvar), (0.02, 0.02));
        assert_eq!(var_cvar(&[], 0.95), None);
        assert_eq!(var_cvar(&[0.1], 1.5), None);
        let gains = var_cvar(&[0.01, 0.02], 0.95).unwrap();
        assert!(gains.var < 0.0);
    }
}
