//! Purged, embargoed walk-forward splits. Samples are in time order; the last
//! `test_fraction` of them is cut into `folds` contiguous test folds, and each
//! fold is trained on everything before it (an expanding window), less:
//! - the purge: every training sample whose label span overlaps the test
//!   fold's span (its label was still unknown when the fold began), and
//! - the embargo: every training sample whose label became known less than
//!   `embargo_ms` before the fold's first decision. In walk-forward the test
//!   fold comes after its training data, so the embargo of López de Prado's
//!   k-fold (a gap after each test fold) becomes a gap between the training
//!   data and the test fold, which keeps serially correlated samples that sit
//!   next to the fold out of its training set.

use serde::{Deserialize, Serialize};

use crate::dataset::LabelSpan;
use crate::error::{MlError, Result};

/// How to split.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SplitConfig {
    /// Number of test folds (K >= 1).
    pub folds: usize,
    /// Fraction of the samples, taken from the end, cut into test folds (0 < f < 1).
    pub test_fraction: f64,
    /// Gap in ms between the last training label's end and a fold's first decision.
    pub embargo_ms: i64,
    /// A fold with fewer training samples than this is an error.
    pub min_train: usize,
}

impl Default for SplitConfig {
    fn default() -> Self {
        Self {
            folds: 5,
            test_fraction: 0.5,
            embargo_ms: 0,
            min_train: 50,
        }
    }
}

/// One walk-forward fold: sample indices to train on and to test on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fold {
    /// Position of the fold (0 = earliest).
    pub index: usize,
    /// Training sample indices, ascending.
    pub train: Vec<usize>,
    /// Test sample indices, ascending and contiguous.
    pub test: Vec<usize>,
    /// First decision to last label time of the test samples.
    pub test_span: LabelSpan,
}

impl SplitConfig {
    /// Checks the ranges of the fields.
    pub fn validate(&self) -> Result<()> {
        if self.folds == 0 {
            return Err(MlError::InvalidConfig {
                field: "split.folds",
                reason: "must be at least 1".into(),
            });
        }
        if !(self.test_fraction > 0.0 && self.test_fraction < 1.0) {
            return Err(MlError::InvalidConfig {
                field: "split.test_fraction",
                reason: format!("{} is not in (0, 1)", self.test_fraction),
            });
        }
        if self.embargo_ms < 0 {
            return Err(MlError::InvalidConfig {
                field: "split.embargo_ms",
                reason: format!("{} is negative", self.embargo_ms),
            });
        }
        Ok(())
    }
}

/// The walk-forward folds for samples with these label spans (in time order).
pub fn walk_forward(spans: &[LabelSpan], config: &SplitConfig) -> Result<Vec<Fold>> {
    config.validate()?;
    let n = spans.len();
    let n_test = (n as f64 * config.test_fraction).floor() as usize;
    if n_test < config.folds {
        return Err(MlError::NotEnoughData(format!(
            "{n} samples give {n_test} test samples for {} folds",
            config.folds
        )));
    }
    let first_test = n - n_test;
    let base = n_test / config.folds;
    let extra = n_test % config.folds;
    let mut folds = Vec::with_capacity(config.folds);
    let mut start = first_test;
    for index in 0..config.folds {
        let size = base + usize::from(index < extra);
        let end = start + size;
        let test: Vec<usize> = (start..end).collect();
        let test_start = spans[start].start_ms;
        let test_end = spans[start..end]
            .iter()
            .map(|s| s.end_ms)
            .max()
            .unwrap_or(test_start);
        let cutoff = test_start.saturating_sub(config.embargo_ms);
        let train: Vec<usize> = (0..start).filter(|&i| spans[i].end_ms < cutoff).collect();
        if train.len() < config.min_train {
            return Err(MlError::NotEnoughData(format!(
                "fold {index} has {} training samples after purge and embargo, fewer than min_train {}",
                train.len(),
                config.min_train
            )));
        }
        folds.push(Fold {
            index,
            train,
            test,
            test_span: LabelSpan::new(test_start, test_end),
        });
        start = end;
    }
    Ok(folds)
}

/// Out-of-fold predictions: `fit_predict` trains on a fold's training samples
/// and returns one prediction per test sample, in the fold's test order.
/// Samples in no test fold get `None`.
pub fn out_of_fold<F>(n: usize, folds: &[Fold], mut fit_predict: F) -> Result<Vec<Option<f64>>>
where
    F: FnMut(&Fold) -> Result<Vec<f64>>,
{
    let mut out = vec![None; n];
    for fold in folds {
        let predictions = fit_predict(fold)?;
        if predictions.len() != fold.test.len() {
            return Err(MlError::LengthMismatch {
                what: "out-of-fold predictions",
                expected: fold.test.len(),
                found: predictions.len(),
            });
        }
        for (&i, p) in fold.test.iter().zip(predictions) {
            if let Some(slot) = out.get_mut(i) {
                *slot = Some(p);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use proptest::prelude::*;

    fn uniform(n: usize, len: i64) -> Vec<LabelSpan> {
        (0..n as i64)
            .map(|i| LabelSpan::new(i * 10, i * 10 + len))
            .collect()
    }

    #[test]
    fn folds_cover_the_later_part_and_purge_overlaps() {
        let spans = uniform(100, 25);
        let cfg = SplitConfig {
            folds: 4,
            test_fraction: 0.4,
            embargo_ms: 0,
            min_train: 10,
        };
        let folds = walk_forward(&spans, &cfg).unwrap();
        assert_eq!(folds.len(), 4);
        assert_eq!(folds[0].test.first(), Some(&60));
        assert_eq!(folds[3].test.last(), Some(&99));
        // Fold 0 starts at t=600; samples 58 (580..605) and 59 overlap: purged.
        assert_eq!(folds[0].train.last(), Some(&57));
        // Expanding: later folds train on earlier test folds.
        assert!(folds[1].train.contains(&60));
        assert!(folds[1].train.len() > folds[0].train.len());
    }

    #[test]
    fn embargo_widens_the_gap() {
        let spans = uniform(100, 5);
        let mut cfg = SplitConfig {
            folds: 2,
            test_fraction: 0.2,
            embargo_ms: 0,
            min_train: 10,
        };
        let plain = walk_forward(&spans, &cfg).unwrap();
        assert_eq!(plain[0].train.last(), Some(&79));
        cfg.embargo_ms = 30;
        let embargoed = walk_forward(&spans, &cfg).unwrap();
        // 800 - 30 = 770: sample 76 ends at 765 < 770, sample 77 ends at 775.
        assert_eq!(embargoed[0].train.last(), Some(&76));
    }

    #[test]
    fn too_few_samples_or_bad_config_refused() {
        let spans = uniform(10, 5);
        let cfg = SplitConfig {
            folds: 3,
            test_fraction: 0.2,
            embargo_ms: 0,
            min_train: 1,
        };
        assert!(matches!(
            walk_forward(&spans, &cfg),
            Err(MlError::NotEnoughData(_))
        ));
        let bad = SplitConfig {
            test_fraction: 1.0,
            ..cfg.clone()
        };
        assert!(matches!(
            walk_forward(&spans, &bad),
            Err(MlError::InvalidConfig { .. })
        ));
        let big_min = SplitConfig {
            folds: 1,
            min_train: 100,
            ..cfg
        };
        assert!(matches!(
            walk_forward(&spans, &big_min),
            Err(MlError::NotEnoughData(_))
        ));
    }

    #[test]
    fn out_of_fold_fills_test_rows_only() {
        let spans = uniform(20, 1);
        let cfg = SplitConfig {
            folds: 2,
            test_fraction: 0.5,
            embargo_ms: 0,
            min_train: 1,
        };
        let folds = walk_forward(&spans, &cfg).unwrap();
        let oof = out_of_fold(20, &folds, |f| {
            Ok(f.test.iter().map(|&i| i as f64).collect())
        })
        .unwrap();
        assert!(oof[..10].iter().all(Option::is_none));
        assert_eq!(oof[15], Some(15.0));
        let wrong = out_of_fold(20, &folds, |_| Ok(vec![0.0]));
        assert!(matches!(wrong, Err(MlError::LengthMismatch { .. })));
    }

    fn spans_strategy() -> impl Strategy<Value = Vec<LabelSpan>> {
        prop::collection::vec((0i64..50, 0i64..200), 20..200).prop_map(|steps| {
            let mut t = 0;
            steps
                .into_iter()
                .map(|(gap, len)| {
                    t += gap;
                    LabelSpan::new(t, t + len)
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn no_training_span_overlaps_test_and_training_precedes_test(
            spans in spans_strategy(),
            folds in 1usize..6,
            fraction in 0.1f64..0.9,
            embargo in 0i64..100,
        ) {
            let cfg = SplitConfig { folds, test_fraction: fraction, embargo_ms: embargo, min_train: 0 };
            if let Ok(result) = walk_forward(&spans, &cfg) {
                let mut seen_test = Vec::new();
                for fold in &result {
                    let first_test = fold.test[0];
                    for &t in &fold.test {
                        prop_assert!(fold.test_span.start_ms <= spans[t].start_ms);
                        prop_assert!(spans[t].end_ms <= fold.test_span.end_ms);
                        seen_test.push(t);
                    }
                    for &i in &fold.train {
                        prop_assert!(i < first_test);
                        prop_assert!(!spans[i].overlaps(&fold.test_span));
                        for &t in &fold.test {
                            prop_assert!(!spans[i].overlaps(&spans[t]));
                            prop_assert!(spans[i].end_ms + embargo < spans[t].start_ms);
                        }
                    }
                }
                // Test folds are disjoint and contiguous up to the last sample.
                let expected: Vec<usize> = (spans.len() - seen_test.len()..spans.len()).collect();
                prop_assert_eq!(seen_test, expected);
            }
        }
    }
}
