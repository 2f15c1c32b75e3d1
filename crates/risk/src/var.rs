//! Value at risk (VaR) and conditional value at risk (CVaR, expected
//! shortfall) of a series of simple returns, by four methods. Both are
//! losses as fractions: positive when the quantile is a loss.
//!
//! - historical: VaR = −quantile(r, 1 − c) with linear interpolation
//!   (numpy's default); CVaR = −mean of the returns at or below it. This is
//!   the one historical VaR/CVaR of the workspace: the backtest metrics use
//!   it too ([`historical_var_cvar`]).
//! - normal: with μ the mean, σ the standard deviation (ddof 1) and
//!   z = Φ⁻¹(1 − c): VaR = −(μ + zσ); CVaR = −μ + σ·φ(z)/(1 − c).
//! - cornish-fisher: z becomes z + (z² − 1)S/6 + (z³ − 3z)K/24 − (2z³ − 5z)S²/36
//!   with S the skewness and K the excess kurtosis (biased estimators, as
//!   scipy computes by default); CVaR is not defined by this expansion.
//! - monte-carlo: `paths` draws from the normal fit N(μ, σ), seeded; VaR and
//!   CVaR are the historical estimators on the draws.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal as NormalSampler};
use serde::Serialize;
use smc_model::stats::{self, Moments};
use statrs::distribution::{Continuous, ContinuousCDF, Normal};
use std::str::FromStr;

/// How the loss quantile is estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VarMethod {
    Historical,
    Normal,
    CornishFisher,
    MonteCarlo { paths: usize, seed: u64 },
}

impl FromStr for VarMethod {
    type Err = VarError;

    /// Parses the method name; Monte Carlo takes its defaults (100,000 paths, seed 0).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "historical" => Ok(VarMethod::Historical),
            "normal" => Ok(VarMethod::Normal),
            "cornish-fisher" => Ok(VarMethod::CornishFisher),
            "monte-carlo" => Ok(VarMethod::MonteCarlo {
                paths: 100_000,
                seed: 0,
            }),
            other => Err(VarError::Method(other.to_string())),
        }
    }
}

/// A VaR estimate. `cvar` is `None` where the method does not define it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VarEstimate {
    pub var: f64,
    pub cvar: Option<f64>,
    pub confidence: f64,
    pub observations: usize,
    pub mean: f64,
    pub std: f64,
}

/// Why an estimate cannot be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum VarError {
    #[error("confidence must be strictly between 0 and 1, got {0}")]
    Confidence(f64),
    #[error("need at least 2 returns, got {0}")]
    TooFewReturns(usize),
    #[error("the returns contain a NaN or infinite value at position {0}")]
    NotFinite(usize),
    #[error("unknown method `{0}`: use historical, normal, cornish-fisher or monte-carlo")]
    Method(String),
    #[error("monte-carlo needs at least one path")]
    NoPaths,
    #[error("the returns have zero variance: a parametric VaR is undefined")]
    ZeroVariance,
}

/// VaR and CVaR of `returns` at `confidence` (e.g. 0.99).
pub fn value_at_risk(
    returns: &[f64],
    confidence: f64,
    method: VarMethod,
) -> Result<VarEstimate, VarError> {
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(VarError::Confidence(confidence));
    }
    if returns.len() < 2 {
        return Err(VarError::TooFewReturns(returns.len()));
    }
    if let Some(i) = returns.iter().position(|r| !r.is_finite()) {
        return Err(VarError::NotFinite(i));
    }
    let tail = 1.0 - confidence;
    let moments = Moments::of(returns).ok_or(VarError::TooFewReturns(returns.len()))?;
    let (mu, sigma) = (moments.mean, moments.std);
    let estimate = |var: f64, cvar: Option<f64>| VarEstimate {
        var,
        cvar,
        confidence,
        observations: returns.len(),
        mean: mu,
        std: sigma,
    };
    match method {
        VarMethod::Historical => {
            let v = historical(&mut returns.to_vec(), tail);
            Ok(estimate(v.var, Some(v.cvar)))
        }
        VarMethod::Normal => {
            let (z, phi) = standard_normal_tail(tail, sigma)?;
            Ok(estimate(-(mu + z * sigma), Some(-mu + sigma * phi / tail)))
        }
        VarMethod::CornishFisher => {
            let (z, _) = standard_normal_tail(tail, sigma)?;
            let (s, k) = (moments.skew, moments.excess_kurtosis());
            let z_cf = z + (z * z - 1.0) * s / 6.0 + (z.powi(3) - 3.0 * z) * k / 24.0
                - (2.0 * z.powi(3) - 5.0 * z) * s * s / 36.0;
            Ok(estimate(-(mu + z_cf * sigma), None))
        }
        VarMethod::MonteCarlo { paths, seed } => {
            if paths == 0 {
                return Err(VarError::NoPaths);
            }
            let sampler = NormalSampler::new(mu, sigma).map_err(|_| VarError::ZeroVariance)?;
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut draws: Vec<f64> = (0..paths).map(|_| sampler.sample(&mut rng)).collect();
            let v = historical(&mut draws, tail);
            Ok(estimate(v.var, Some(v.cvar)))
        }
    }
}

/// Historical VaR and CVaR at one confidence level, as fractions (losses
/// positive).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct VarCvar {
    /// −q, q = the (1 − c)-quantile of the returns (numpy's linear
    /// interpolation). Negative when even that quantile is a gain.
    pub var: f64,
    /// −mean of the returns at or below q. Never less than `var`.
    pub cvar: f64,
}

/// The historical VaR and CVaR of `returns` at `confidence` (e.g. 0.95),
/// with no distribution assumed. The tail r ≤ q is never empty (q is at
/// least the smallest return), so one return is enough. `None` with no
/// returns, a confidence outside [0, 1] or a non-finite result.
pub fn historical_var_cvar(returns: &[f64], confidence: f64) -> Option<VarCvar> {
    let v = historical(&mut returns.to_vec(), 1.0 - confidence);
    (v.var.is_finite() && v.cvar.is_finite()).then_some(v)
}

/// The historical VaR and CVaR of `xs` (reordered in place) at the `tail`
/// probability; NaN when there is nothing to measure.
fn historical(xs: &mut [f64], tail: f64) -> VarCvar {
    let Some(q) = stats::quantile(xs, tail) else {
        return VarCvar {
            var: f64::NAN,
            cvar: f64::NAN,
        };
    };
    let beyond: Vec<f64> = xs.iter().copied().filter(|r| *r <= q).collect();
    let tail_mean = stats::mean(&beyond).unwrap_or(q);
    // 0 − x rather than −x: a flat series reports 0, not −0.
    VarCvar {
        var: 0.0 - q,
        cvar: 0.0 - tail_mean,
    }
}

/// z = Φ⁻¹(tail) and the density φ(z) of the standard normal.
fn standard_normal_tail(tail: f64, sigma: f64) -> Result<(f64, f64), VarError> {
    if sigma == 0.0 || !sigma.is_finite() {
        return Err(VarError::ZeroVariance);
    }
    let n = Normal::standard();
    let z = n.inverse_cdf(tail);
    Ok((z, n.pdf(z)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<f64> {
        (0..500)
            .map(|i| ((i * 37 % 101) as f64 - 50.0) / 1000.0)
            .collect()
    }

    #[test]
    fn bad_inputs_are_errors() {
        assert_eq!(
            value_at_risk(&[0.1], 0.99, VarMethod::Historical),
            Err(VarError::TooFewReturns(1))
        );
        assert_eq!(
            value_at_risk(&[0.1, 0.2], 1.0, VarMethod::Historical),
            Err(VarError::Confidence(1.0))
        );
        assert_eq!(
            value_at_risk(&[0.1, f64::NAN], 0.9, VarMethod::Normal),
            Err(VarError::NotFinite(1))
        );
        assert_eq!(
            value_at_risk(&[0.1, 0.1], 0.9, VarMethod::Normal),
            Err(VarError::ZeroVariance)
        );
        assert!("garch".parse::<VarMethod>().is_err());
    }

    #[test]
    fn higher_confidence_means_a_larger_loss() {
        for method in [
            VarMethod::Historical,
            VarMethod::Normal,
            VarMethod::CornishFisher,
        ] {
            let v95 = value_at_risk(&sample(), 0.95, method).unwrap();
            let v99 = value_at_risk(&sample(), 0.99, method).unwrap();
            assert!(v99.var > v95.var, "{method:?}");
            if let (Some(c), true) = (v95.cvar, true) {
                assert!(c >= v95.var, "CVaR is at least VaR for {method:?}");
            }
        }
    }

    #[test]
    fn monte_carlo_is_seeded_and_close_to_normal() {
        let mc = VarMethod::MonteCarlo {
            paths: 100_000,
            seed: 7,
        };
        let a = value_at_risk(&sample(), 0.99, mc).unwrap();
        assert_eq!(
            a,
            value_at_risk(&sample(), 0.99, mc).unwrap(),
            "same seed, same answer"
        );
        let normal = value_at_risk(&sample(), 0.99, VarMethod::Normal).unwrap();
        assert!(
            (a.var / normal.var - 1.0).abs() < 0.02,
            "{} vs {}",
            a.var,
            normal.var
        );
    }
}
