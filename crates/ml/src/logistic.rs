//! L2-regularised logistic regression on standardised features, fitted by
//! Newton's method with step halving (deterministic, no seed needed). The
//! Newton core [`fit_design`] also serves Platt scaling and stacking.

use serde::{Deserialize, Serialize};

use crate::dataset::Dataset;
use crate::error::{MlError, Result};

/// Settings of the logistic regression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticParams {
    /// L2 penalty on the standardised coefficients (not the intercept), per unit weight.
    pub lambda: f64,
    /// Most Newton steps.
    pub max_iter: usize,
}

impl Default for LogisticParams {
    fn default() -> Self {
        Self {
            lambda: 1.0,
            max_iter: 50,
        }
    }
}

/// A fitted logistic regression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Logistic {
    /// Feature means of the training rows.
    pub mean: Vec<f64>,
    /// Feature standard deviations (1 where a feature was constant).
    pub scale: Vec<f64>,
    /// Intercept.
    pub intercept: f64,
    /// Coefficients on the standardised features.
    pub coef: Vec<f64>,
}

/// The logistic function.
pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// The log-odds of a probability, clipped to [1e-9, 1 - 1e-9].
pub fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-9, 1.0 - 1e-9);
    (p / (1.0 - p)).ln()
}

impl Logistic {
    /// Fits on the dataset rows `rows`.
    pub fn fit(ds: &Dataset, rows: &[usize], params: &LogisticParams) -> Result<Self> {
        if !(params.lambda >= 0.0 && params.lambda.is_finite()) {
            return Err(MlError::InvalidConfig {
                field: "logistic.lambda",
                reason: format!("{} is not a finite value >= 0", params.lambda),
            });
        }
        ds.check_trainable(rows, "logistic regression")?;
        let d = ds.n_features();
        let n = rows.len() as f64;
        let mut mean = vec![0.0; d];
        let mut scale = vec![0.0; d];
        for f in 0..d {
            let m = rows.iter().map(|&i| ds.value(i, f)).sum::<f64>() / n;
            let var = rows
                .iter()
                .map(|&i| (ds.value(i, f) - m).powi(2))
                .sum::<f64>()
                / n;
            mean[f] = m;
            scale[f] = if var.sqrt() > 1e-12 { var.sqrt() } else { 1.0 };
        }
        let mut design = Vec::with_capacity(rows.len() * (d + 1));
        for &i in rows {
            design.push(1.0);
            for f in 0..d {
                design.push((ds.value(i, f) - mean[f]) / scale[f]);
            }
        }
        let y: Vec<f64> = rows.iter().map(|&i| ds.target(i)).collect();
        let w: Vec<f64> = rows.iter().map(|&i| ds.weight(i)).collect();
        let beta = fit_design(&design, d + 1, &y, &w, params.lambda, params.max_iter)?;
        Ok(Self {
            mean,
            scale,
            intercept: beta[0],
            coef: beta[1..].to_vec(),
        })
    }

    /// Probability of the positive class for a row of raw features.
    pub fn predict(&self, row: &[f64]) -> f64 {
        let z = self.intercept
            + row
                .iter()
                .zip(&self.coef)
                .zip(self.mean.iter().zip(&self.scale))
                .map(|((x, c), (m, s))| c * (x - m) / s)
                .sum::<f64>();
        sigmoid(z)
    }

    /// Checks a model read from outside.
    pub fn validate(&self, n_features: usize) -> Result<()> {
        let lengths_ok = self.mean.len() == n_features
            && self.scale.len() == n_features
            && self.coef.len() == n_features;
        let finite = self
            .mean
            .iter()
            .chain(&self.coef)
            .chain(std::iter::once(&self.intercept))
            .all(|v| v.is_finite())
            && self.scale.iter().all(|s| s.is_finite() && *s > 0.0);
        if lengths_ok && finite {
            Ok(())
        } else {
            Err(MlError::InvalidModel(format!(
                "logistic regression for {n_features} features has {} coefficients or non-finite values",
                self.coef.len()
            )))
        }
    }
}

/// Newton's method for a weighted logistic regression on a row-major design
/// matrix of `d` columns whose column 0 is the intercept (not penalised).
/// Targets are in [0, 1]; the loss is the weighted mean log loss plus
/// `lambda / 2 · |β[1..]|²`. Returns β.
pub fn fit_design(
    design: &[f64],
    d: usize,
    y: &[f64],
    w: &[f64],
    lambda: f64,
    max_iter: usize,
) -> Result<Vec<f64>> {
    let total_w: f64 = w.iter().sum();
    if d == 0 || y.is_empty() || design.len() != y.len() * d || total_w <= 0.0 {
        return Err(MlError::NotEnoughData(
            "logistic fit: empty or zero-weight design".into(),
        ));
    }
    let loss = |beta: &[f64]| {
        let mut l = 0.0;
        for (r, (yi, wi)) in design.chunks_exact(d).zip(y.iter().zip(w)) {
            let z: f64 = r.iter().zip(beta).map(|(x, b)| x * b).sum();
            // log(1 + e^z) - y z, computed stably.
            let softplus = if z > 0.0 {
                z + (-z).exp().ln_1p()
            } else {
                z.exp().ln_1p()
            };
            l += wi * (softplus - yi * z);
        }
        l / total_w + 0.5 * lambda * beta[1..].iter().map(|b| b * b).sum::<f64>()
    };
    let mut beta = vec![0.0; d];
    let mut current = loss(&beta);
    for _ in 0..max_iter {
        let mut grad = vec![0.0; d];
        let mut hess = vec![0.0; d * d];
        for (r, (yi, wi)) in design.chunks_exact(d).zip(y.iter().zip(w)) {
            let z: f64 = r.iter().zip(&beta).map(|(x, b)| x * b).sum();
            let p = sigmoid(z);
            let gi = wi * (p - yi) / total_w;
            let hi = wi * (p * (1.0 - p)).max(1e-12) / total_w;
            for a in 0..d {
                grad[a] += gi * r[a];
                let ha = hi * r[a];
                for b in 0..=a {
                    hess[a * d + b] += ha * r[b];
                }
            }
        }
        for a in 1..d {
            grad[a] += lambda * beta[a];
            hess[a * d + a] += lambda;
        }
        hess[0] += 1e-10;
        let step = cholesky_solve(&mut hess, d, &grad)?;
        let mut t = 1.0;
        let mut accepted = false;
        for _ in 0..30 {
            let candidate: Vec<f64> = beta.iter().zip(&step).map(|(b, s)| b - t * s).collect();
            let l = loss(&candidate);
            if l <= current {
                beta = candidate;
                accepted = current - l > 1e-15;
                current = l;
                break;
            }
            t /= 2.0;
        }
        if !accepted || step.iter().all(|s| (t * s).abs() < 1e-10) {
            break;
        }
    }
    if beta.iter().all(|b| b.is_finite()) {
        Ok(beta)
    } else {
        Err(MlError::Numerical("logistic regression diverged"))
    }
}

/// Solves `A x = b` for a symmetric positive definite `A` given by its lower
/// triangle (row-major, overwritten by the Cholesky factor).
fn cholesky_solve(a: &mut [f64], d: usize, b: &[f64]) -> Result<Vec<f64>> {
    for j in 0..d {
        let mut s = a[j * d + j];
        for k in 0..j {
            s -= a[j * d + k] * a[j * d + k];
        }
        if s <= 0.0 || !s.is_finite() {
            return Err(MlError::Numerical("Cholesky factorisation"));
        }
        let l = s.sqrt();
        a[j * d + j] = l;
        for i in j + 1..d {
            let mut s = a[i * d + j];
            for k in 0..j {
                s -= a[i * d + k] * a[j * d + k];
            }
            a[i * d + j] = s / l;
        }
    }
    let mut z = vec![0.0; d];
    for i in 0..d {
        let s: f64 = (0..i).map(|k| a[i * d + k] * z[k]).sum();
        z[i] = (b[i] - s) / a[i * d + i];
    }
    let mut x = vec![0.0; d];
    for i in (0..d).rev() {
        let s: f64 = (i + 1..d).map(|k| a[k * d + i] * x[k]).sum();
        x[i] = (z[i] - s) / a[i * d + i];
    }
    Ok(x)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::dataset::LabelSpan;
    use crate::rng::SplitMix64;

    #[test]
    fn cholesky_solves_a_known_system() {
        // A = [[4, 2], [2, 3]], b = [2, 1] -> x = [0.5, 0].
        let mut a = vec![4.0, 0.0, 2.0, 3.0];
        let x = cholesky_solve(&mut a, 2, &[2.0, 1.0]).unwrap();
        assert!((x[0] - 0.5).abs() < 1e-12 && x[1].abs() < 1e-12);
        let mut not_pd = vec![-1.0];
        assert!(cholesky_solve(&mut not_pd, 1, &[1.0]).is_err());
    }

    #[test]
    fn intercept_only_fit_recovers_the_base_rate() {
        let design = vec![1.0; 10];
        let y = [1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        let beta = fit_design(&design, 1, &y, &[1.0; 10], 0.0, 50).unwrap();
        assert!((sigmoid(beta[0]) - 0.3).abs() < 1e-9);
    }

    #[test]
    fn recovers_a_planted_coefficient_and_ignores_noise() {
        let mut rng = SplitMix64::new(11);
        let n = 4000;
        let mut rows = Vec::new();
        let mut labels = Vec::new();
        for _ in 0..n {
            let x0 = rng.next_f64() * 4.0 - 2.0;
            let x1 = rng.next_f64() * 4.0 - 2.0;
            labels.push(rng.next_f64() < sigmoid(1.5 * x0 - 0.5));
            rows.push(vec![x0, x1]);
        }
        let ds = Dataset::from_rows(
            vec!["x0".into(), "x1".into()],
            rows,
            labels,
            (0..n as i64).map(|i| LabelSpan::new(i, i)).collect(),
            None,
        )
        .unwrap();
        let rows: Vec<usize> = (0..n).collect();
        let m = Logistic::fit(
            &ds,
            &rows,
            &LogisticParams {
                lambda: 0.0,
                max_iter: 50,
            },
        )
        .unwrap();
        // Coefficient on raw x0 = coef / scale.
        let raw0 = m.coef[0] / m.scale[0];
        assert!((raw0 - 1.5).abs() < 0.2, "raw coefficient {raw0}");
        assert!((m.coef[1] / m.scale[1]).abs() < 0.2);
        let strong = Logistic::fit(
            &ds,
            &rows,
            &LogisticParams {
                lambda: 10.0,
                max_iter: 50,
            },
        )
        .unwrap();
        assert!(strong.coef[0].abs() < m.coef[0].abs() / 5.0, "L2 shrinks");
        assert!(m.predict(&[2.0, 0.0]) > 0.8 && m.predict(&[-2.0, 0.0]) < 0.1);
        m.validate(2).unwrap();
        assert!(m.validate(3).is_err());
    }

    #[test]
    fn zero_weight_rows_are_ignored() {
        let mut rng = SplitMix64::new(21);
        let n = 600;
        let mut rows = Vec::new();
        let mut labels = Vec::new();
        for i in 0..n {
            let x = rng.next_f64() * 4.0 - 2.0;
            // The second half has the opposite relation: weight 0 must hide it.
            let z = if i < n / 2 { 2.0 * x } else { -2.0 * x };
            labels.push(rng.next_f64() < sigmoid(z));
            rows.push(vec![x]);
        }
        let spans: Vec<LabelSpan> = (0..n as i64).map(|i| LabelSpan::new(i, i)).collect();
        let weights: Vec<f64> = (0..n).map(|i| if i < n / 2 { 1.0 } else { 0.0 }).collect();
        let names = vec!["x".to_string()];
        let weighted = Dataset::from_rows(
            names.clone(),
            rows.clone(),
            labels.clone(),
            spans.clone(),
            Some(weights),
        )
        .unwrap();
        let plain = Dataset::from_rows(names, rows, labels, spans, None).unwrap();
        let params = LogisticParams {
            lambda: 0.0,
            max_iter: 50,
        };
        let all: Vec<usize> = (0..n).collect();
        let first: Vec<usize> = (0..n / 2).collect();
        let w = Logistic::fit(&weighted, &all, &params).unwrap();
        let half = Logistic::fit(&plain, &first, &params).unwrap();
        for x in [-1.5, 0.0, 0.7] {
            assert!(
                (w.predict(&[x]) - half.predict(&[x])).abs() < 1e-6,
                "x = {x}"
            );
        }
        assert!(w.predict(&[1.5]) > 0.8);
    }
}
