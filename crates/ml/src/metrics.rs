//! Scores of probability forecasts against binary outcomes: ROC AUC, log
//! loss, Brier score, accuracy and precision at a threshold, and the base rate.

use serde::{Deserialize, Serialize};

/// Probabilities are clipped to [EPS, 1 - EPS] in the log loss.
const EPS: f64 = 1e-15;

/// All scores of one set of forecasts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Number of forecasts.
    pub n: usize,
    /// Share of positive outcomes.
    pub base_rate: f64,
    /// Area under the ROC curve (None with a single class).
    pub auc: Option<f64>,
    /// Mean negative log likelihood.
    pub log_loss: f64,
    /// Mean squared error of the probability.
    pub brier: f64,
    /// The threshold of `accuracy` and `precision`.
    pub threshold: f64,
    /// Share of correct calls, calling positive at probability >= threshold.
    pub accuracy: f64,
    /// Share of positives among the calls at >= threshold (None without calls).
    pub precision: Option<f64>,
    /// Number of calls at >= threshold.
    pub calls: usize,
}

impl Metrics {
    /// Scores `probabilities` against `labels` (pairs beyond the shorter are ignored).
    pub fn compute(probabilities: &[f64], labels: &[bool], threshold: f64) -> Self {
        let n = probabilities.len().min(labels.len());
        let (p, y) = (&probabilities[..n], &labels[..n]);
        let calls = p.iter().filter(|&&q| q >= threshold).count();
        Self {
            n,
            base_rate: base_rate(y),
            auc: roc_auc(p, y),
            log_loss: log_loss(p, y),
            brier: brier(p, y),
            threshold,
            accuracy: accuracy_at(p, y, threshold),
            precision: precision_at(p, y, threshold),
            calls,
        }
    }
}

/// Share of true labels (0 when empty).
pub fn base_rate(labels: &[bool]) -> f64 {
    if labels.is_empty() {
        return 0.0;
    }
    labels.iter().filter(|&&l| l).count() as f64 / labels.len() as f64
}

/// ROC AUC by the rank-sum (Mann-Whitney) statistic, ties counting half.
/// None when either class is absent.
pub fn roc_auc(scores: &[f64], labels: &[bool]) -> Option<f64> {
    let n = scores.len().min(labels.len());
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let n_pos = labels[..n].iter().filter(|&&l| l).count();
    let n_neg = n - n_pos;
    if n_pos == 0 || n_neg == 0 {
        return None;
    }
    let mut rank_sum_pos = 0.0;
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        // Ranks i+1 ..= j+1 share their mean.
        let mean_rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            if labels[k] {
                rank_sum_pos += mean_rank;
            }
        }
        i = j + 1;
    }
    let u = rank_sum_pos - (n_pos * (n_pos + 1)) as f64 / 2.0;
    Some(u / (n_pos as f64 * n_neg as f64))
}

/// Mean negative log likelihood, probabilities clipped away from 0 and 1.
pub fn log_loss(probabilities: &[f64], labels: &[bool]) -> f64 {
    mean(probabilities, labels, |p, y| {
        let p = p.clamp(EPS, 1.0 - EPS);
        if y { -p.ln() } else { -(1.0 - p).ln() }
    })
}

/// Mean squared difference of probability and outcome.
pub fn brier(probabilities: &[f64], labels: &[bool]) -> f64 {
    mean(probabilities, labels, |p, y| {
        let d = p - if y { 1.0 } else { 0.0 };
        d * d
    })
}

/// Share of correct calls when calling positive at probability >= threshold.
pub fn accuracy_at(probabilities: &[f64], labels: &[bool], threshold: f64) -> f64 {
    mean(probabilities, labels, |p, y| {
        if (p >= threshold) == y { 1.0 } else { 0.0 }
    })
}

/// Share of positives among forecasts >= threshold (None when there are none).
pub fn precision_at(probabilities: &[f64], labels: &[bool], threshold: f64) -> Option<f64> {
    let calls: Vec<bool> = probabilities
        .iter()
        .zip(labels)
        .filter(|(p, _)| **p >= threshold)
        .map(|(_, y)| *y)
        .collect();
    if calls.is_empty() {
        None
    } else {
        Some(base_rate(&calls))
    }
}

fn mean(probabilities: &[f64], labels: &[bool], f: impl Fn(f64, bool) -> f64) -> f64 {
    let n = probabilities.len().min(labels.len());
    if n == 0 {
        return 0.0;
    }
    probabilities
        .iter()
        .zip(labels)
        .map(|(&p, &y)| f(p, y))
        .sum::<f64>()
        / n as f64
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn auc_perfect_inverse_ties_and_hand_computed() {
        let y = [false, false, true, true];
        assert_eq!(roc_auc(&[0.1, 0.2, 0.8, 0.9], &y), Some(1.0));
        assert_eq!(roc_auc(&[0.9, 0.8, 0.2, 0.1], &y), Some(0.0));
        assert_eq!(roc_auc(&[0.5; 4], &y), Some(0.5));
        // Pairs (pos, neg): (0.35 vs 0.1 ✓, 0.35 vs 0.4 ✗, 0.8 ✓ ✓) = 3/4.
        assert_eq!(
            roc_auc(&[0.1, 0.4, 0.35, 0.8], &[false, false, true, true]),
            Some(0.75)
        );
        assert_eq!(roc_auc(&[0.1, 0.2], &[true, true]), None);
    }

    #[test]
    fn log_loss_brier_accuracy_precision() {
        let p = [0.9, 0.2, 0.6, 0.4];
        let y = [true, false, false, true];
        let ll = -(0.9f64.ln() + 0.8f64.ln() + 0.4f64.ln() + 0.4f64.ln()) / 4.0;
        assert!((log_loss(&p, &y) - ll).abs() < 1e-12);
        let br = (0.01 + 0.04 + 0.36 + 0.36) / 4.0;
        assert!((brier(&p, &y) - br).abs() < 1e-12);
        assert_eq!(accuracy_at(&p, &y, 0.5), 0.5);
        assert_eq!(precision_at(&p, &y, 0.5), Some(0.5));
        assert_eq!(precision_at(&p, &y, 0.95), None);
        assert_eq!(base_rate(&y), 0.5);
        assert!(log_loss(&[0.0], &[true]).is_finite());
    }

    #[test]
    fn metrics_struct_collects_all() {
        let m = Metrics::compute(&[0.9, 0.1], &[true, false], 0.5);
        assert_eq!(m.n, 2);
        assert_eq!(m.auc, Some(1.0));
        assert_eq!(m.accuracy, 1.0);
        assert_eq!(m.calls, 1);
        assert_eq!(m.precision, Some(1.0));
    }
}
