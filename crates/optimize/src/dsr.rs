//! The Deflated Sharpe Ratio (Bailey & López de Prado, "The Deflated
//! Sharpe Ratio: Correcting for Selection Bias, Backtest Overfitting and
//! Non-Normality", Journal of Portfolio Management 40(5), 2014).
//!
//! The best of N trials has a high Sharpe ratio by luck alone. The DSR is
//! the probability that the true Sharpe ratio of the selected trial is
//! above the best one would expect from N skill-less trials:
//!
//! ```text
//! SR0 = √V · ((1 − γ) Φ⁻¹(1 − 1/N) + γ Φ⁻¹(1 − 1/(N·e)))      expected max of N null Sharpes
//! DSR = Φ( (SR − SR0) · √(T − 1) / √(1 − γ3·SR + (γ4 − 1)/4 · SR²) )
//! ```
//!
//! with SR the selected trial's per-period Sharpe ratio (not annualised),
//! V the variance of the N trials' per-period Sharpe ratios, γ ≈ 0.5772
//! the Euler–Mascheroni constant, T the number of returns, γ3 their
//! skewness and γ4 their kurtosis (3 when normal), Φ the standard normal
//! CDF. With one trial SR0 = 0 and the DSR is the Probabilistic Sharpe
//! Ratio against zero.

use serde::Serialize;
use statrs::distribution::{ContinuousCDF, Normal};

/// The Euler–Mascheroni constant.
pub const EULER_GAMMA: f64 = 0.577_215_664_901_532_9;

/// The inputs of the DSR, all per period.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DsrInput {
    /// The selected trial's Sharpe ratio.
    pub sharpe: f64,
    /// Number of independent trials N.
    pub trials: usize,
    /// Variance V of the trials' Sharpe ratios.
    pub sharpe_variance: f64,
    /// Skewness γ3 of the selected trial's returns.
    pub skew: f64,
    /// Kurtosis γ4 of the selected trial's returns (normal: 3).
    pub kurtosis: f64,
    /// Number of returns T.
    pub observations: usize,
}

/// The DSR with its inputs and the expected maximum Sharpe ratio.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Dsr {
    pub value: f64,
    pub expected_max_sharpe: f64,
    #[serde(flatten)]
    pub input: DsrInput,
}

/// E[max SR] of `trials` skill-less trials whose Sharpe ratios have
/// variance `variance`; 0 for one trial (nothing was selected).
pub fn expected_max_sharpe(trials: usize, variance: f64) -> f64 {
    if trials < 2 || variance <= 0.0 || !variance.is_finite() {
        return 0.0;
    }
    let z = Normal::standard();
    let n = trials as f64;
    let a = z.inverse_cdf(1.0 - 1.0 / n);
    let b = z.inverse_cdf(1.0 - 1.0 / (n * std::f64::consts::E));
    variance.sqrt() * ((1.0 - EULER_GAMMA) * a + EULER_GAMMA * b)
}

/// The Probabilistic Sharpe Ratio: P(true SR > `benchmark`) given an
/// observed per-period `sharpe` over `observations` returns with the given
/// skewness and kurtosis. `None` when it is undefined: fewer than two
/// returns, a non-finite Sharpe, or a variance term that is not positive.
pub fn probabilistic_sharpe(
    sharpe: f64,
    benchmark: f64,
    observations: usize,
    skew: f64,
    kurtosis: f64,
) -> Option<f64> {
    if observations < 2 || !sharpe.is_finite() || !benchmark.is_finite() {
        return None;
    }
    let denom = 1.0 - skew * sharpe + (kurtosis - 1.0) / 4.0 * sharpe * sharpe;
    if denom <= 0.0 || !denom.is_finite() {
        return None;
    }
    let z = (sharpe - benchmark) * ((observations - 1) as f64).sqrt() / denom.sqrt();
    Some(Normal::standard().cdf(z))
}

/// The Deflated Sharpe Ratio of `input` (see the module docs).
pub fn deflated_sharpe(input: DsrInput) -> Option<Dsr> {
    let sr0 = expected_max_sharpe(input.trials, input.sharpe_variance);
    let value = probabilistic_sharpe(
        input.sharpe,
        sr0,
        input.observations,
        input.skew,
        input.kurtosis,
    )?;
    Some(Dsr {
        value,
        expected_max_sharpe: sr0,
        input,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The paper's numerical example (section 4): 100 trials whose
    /// annualised Sharpe ratios have variance 1/2, the best at 2.5 a year,
    /// five years of daily returns (T = 1250, 250 a year), skewness −3,
    /// kurtosis 10; the paper gives E[max SR] ≈ 0.1132 per day and
    /// DSR ≈ 0.9004. By hand (Python's statistics.NormalDist):
    /// √(0.5/250) = 0.0447214; Φ⁻¹(0.99) = 2.3263479,
    /// Φ⁻¹(1 − 1/(100e)) = 2.6802104; SR0 = 0.0447214 · (0.4227843 ·
    /// 2.3263479 + 0.5772157 · 2.6802104) = 0.1131720; SR = 2.5/√250 =
    /// 0.1581139; z = 0.0449419 · √1249 / √(1 + 3 · 0.1581139 + 2.25 ·
    /// 0.0250000) = 1.2838160; Φ(z) = 0.9003968.
    #[test]
    fn paper_example() {
        let d = deflated_sharpe(DsrInput {
            sharpe: 2.5 / 250f64.sqrt(),
            trials: 100,
            sharpe_variance: 0.5 / 250.0,
            skew: -3.0,
            kurtosis: 10.0,
            observations: 1250,
        })
        .unwrap();
        assert!(
            (d.expected_max_sharpe - 0.1131720).abs() < 1e-7,
            "{}",
            d.expected_max_sharpe
        );
        assert!((d.value - 0.9003968).abs() < 1e-6, "{}", d.value);
        assert_eq!(format!("{:.4}", d.value), "0.9004", "the paper's figure");
    }

    #[test]
    fn more_trials_deflate_more() {
        let at = |trials| {
            deflated_sharpe(DsrInput {
                sharpe: 0.1,
                trials,
                sharpe_variance: 0.002,
                skew: 0.0,
                kurtosis: 3.0,
                observations: 500,
            })
            .unwrap()
            .value
        };
        assert!(
            at(1) > at(10) && at(10) > at(1000),
            "{} {} {}",
            at(1),
            at(10),
            at(1000)
        );
    }

    #[test]
    fn psr_edge_cases() {
        // A Sharpe equal to the benchmark is a coin flip.
        assert_eq!(probabilistic_sharpe(0.0, 0.0, 100, 0.0, 3.0), Some(0.5));
        // Normal returns, SR 0.1 over 101 returns: z = 0.1 · 10 / √(1 + 0.005).
        let p = probabilistic_sharpe(0.1, 0.0, 101, 0.0, 3.0).unwrap();
        let z: f64 = 1.0 / 1.005f64.sqrt();
        assert!((p - Normal::standard().cdf(z)).abs() < 1e-12);
        assert_eq!(probabilistic_sharpe(0.1, 0.0, 1, 0.0, 3.0), None);
        assert_eq!(probabilistic_sharpe(f64::INFINITY, 0.0, 10, 0.0, 3.0), None);
        // Large positive skew with a large Sharpe makes the variance term negative.
        assert_eq!(probabilistic_sharpe(2.0, 0.0, 10, 5.0, 1.0), None);
        assert_eq!(expected_max_sharpe(1, 0.5), 0.0);
        assert_eq!(expected_max_sharpe(10, 0.0), 0.0);
    }
}
