//! A training dataset: a row-major feature matrix with its feature names,
//! binary labels, the time span of each label (decision time to the time the
//! label became known) and optional sample weights, validated on construction.

use serde::{Deserialize, Serialize};

use crate::error::{MlError, Result};

/// When a sample's label was decided and when it became known (ms since the epoch).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelSpan {
    /// Decision time: the features are as of this moment.
    pub start_ms: i64,
    /// Time the label became known (the exit).
    pub end_ms: i64,
}

impl LabelSpan {
    /// A span from `start_ms` to `end_ms`.
    pub fn new(start_ms: i64, end_ms: i64) -> Self {
        Self { start_ms, end_ms }
    }

    /// Whether two closed spans share at least one instant.
    pub fn overlaps(&self, other: &LabelSpan) -> bool {
        self.start_ms <= other.end_ms && other.start_ms <= self.end_ms
    }
}

/// A validated dataset; samples are in time order of their decision time.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    features: Vec<f64>,
    n_rows: usize,
    feature_names: Vec<String>,
    labels: Vec<bool>,
    spans: Vec<LabelSpan>,
    weights: Option<Vec<f64>>,
}

impl Dataset {
    /// Builds a dataset from one `Vec` per row, checking everything:
    /// equal row widths, finite features, one label, span (and weight) per row,
    /// spans that do not end before they start, and time order.
    pub fn from_rows(
        feature_names: Vec<String>,
        rows: Vec<Vec<f64>>,
        labels: Vec<bool>,
        spans: Vec<LabelSpan>,
        weights: Option<Vec<f64>>,
    ) -> Result<Self> {
        let width = feature_names.len();
        let mut features = Vec::with_capacity(rows.len() * width);
        for (row, values) in rows.iter().enumerate() {
            if values.len() != width {
                return Err(MlError::RaggedRow {
                    row,
                    expected: width,
                    found: values.len(),
                });
            }
            features.extend_from_slice(values);
        }
        Self::new_checked(feature_names, features, labels, spans, weights)
    }

    /// Builds a dataset from a row-major matrix of `labels.len()` rows.
    pub fn new_checked(
        feature_names: Vec<String>,
        features: Vec<f64>,
        labels: Vec<bool>,
        spans: Vec<LabelSpan>,
        weights: Option<Vec<f64>>,
    ) -> Result<Self> {
        let width = feature_names.len();
        if width == 0 {
            return Err(MlError::NoFeatures);
        }
        for (second, name) in feature_names.iter().enumerate() {
            if let Some(first) = feature_names[..second].iter().position(|n| n == name) {
                return Err(MlError::DuplicateFeature {
                    name: name.clone(),
                    first,
                    second,
                });
            }
        }
        let n_rows = labels.len();
        if features.len() != n_rows * width {
            return Err(MlError::LengthMismatch {
                what: "feature matrix (values / features per row)",
                expected: n_rows,
                found: features.len() / width,
            });
        }
        if spans.len() != n_rows {
            return Err(MlError::LengthMismatch {
                what: "spans",
                expected: n_rows,
                found: spans.len(),
            });
        }
        for (i, value) in features.iter().enumerate() {
            if !value.is_finite() {
                let column = i % width;
                return Err(MlError::NonFiniteFeature {
                    row: i / width,
                    column,
                    name: feature_names[column].clone(),
                    value: *value,
                });
            }
        }
        for (row, span) in spans.iter().enumerate() {
            if span.end_ms < span.start_ms {
                return Err(MlError::SpanReversed {
                    row,
                    start_ms: span.start_ms,
                    end_ms: span.end_ms,
                });
            }
            if row > 0 && span.start_ms < spans[row - 1].start_ms {
                return Err(MlError::NotTimeOrdered {
                    row,
                    start_ms: span.start_ms,
                    previous: row - 1,
                    previous_start_ms: spans[row - 1].start_ms,
                });
            }
        }
        if let Some(w) = &weights {
            if w.len() != n_rows {
                return Err(MlError::LengthMismatch {
                    what: "weights",
                    expected: n_rows,
                    found: w.len(),
                });
            }
            if let Some((row, value)) = w
                .iter()
                .enumerate()
                .find(|(_, v)| !v.is_finite() || **v < 0.0)
            {
                return Err(MlError::BadWeight { row, value: *value });
            }
            if n_rows > 0 && w.iter().all(|v| *v == 0.0) {
                return Err(MlError::BadWeight {
                    row: n_rows - 1,
                    value: 0.0,
                });
            }
        }
        Ok(Self {
            features,
            n_rows,
            feature_names,
            labels,
            spans,
            weights,
        })
    }

    /// Number of samples.
    pub fn len(&self) -> usize {
        self.n_rows
    }

    /// Whether there are no samples.
    pub fn is_empty(&self) -> bool {
        self.n_rows == 0
    }

    /// Number of features per row.
    pub fn n_features(&self) -> usize {
        self.feature_names.len()
    }

    /// Feature names in column order.
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// The features of row `i` (empty when out of range).
    pub fn row(&self, i: usize) -> &[f64] {
        let w = self.n_features();
        self.features.get(i * w..(i + 1) * w).unwrap_or(&[])
    }

    /// Feature `column` of row `i` (0 when out of range).
    pub fn value(&self, i: usize, column: usize) -> f64 {
        self.features
            .get(i * self.n_features() + column)
            .copied()
            .unwrap_or(0.0)
    }

    /// All labels.
    pub fn labels(&self) -> &[bool] {
        &self.labels
    }

    /// Label of row `i` as 0 or 1.
    pub fn target(&self, i: usize) -> f64 {
        if self.labels.get(i).copied().unwrap_or(false) {
            1.0
        } else {
            0.0
        }
    }

    /// All label spans.
    pub fn spans(&self) -> &[LabelSpan] {
        &self.spans
    }

    /// Weight of row `i` (1 without weights).
    pub fn weight(&self, i: usize) -> f64 {
        match &self.weights {
            Some(w) => w.get(i).copied().unwrap_or(0.0),
            None => 1.0,
        }
    }

    /// The optional weights.
    pub fn weights(&self) -> Option<&[f64]> {
        self.weights.as_deref()
    }

    /// First decision time and last label time (None when empty).
    pub fn window(&self) -> Option<(i64, i64)> {
        let first = self.spans.first()?.start_ms;
        let last = self.spans.iter().map(|s| s.end_ms).max()?;
        Some((first, last))
    }

    /// Checks that the rows `rows` hold both classes with positive weight.
    pub fn check_trainable(&self, rows: &[usize], what: &str) -> Result<()> {
        let pos = rows
            .iter()
            .any(|&i| self.labels.get(i) == Some(&true) && self.weight(i) > 0.0);
        let neg = rows
            .iter()
            .any(|&i| self.labels.get(i) == Some(&false) && self.weight(i) > 0.0);
        if pos && neg {
            Ok(())
        } else {
            Err(MlError::NotEnoughData(format!(
                "{what}: {} rows without both classes",
                rows.len()
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("f{i}")).collect()
    }

    fn spans(n: usize) -> Vec<LabelSpan> {
        (0..n as i64)
            .map(|i| LabelSpan::new(i * 10, i * 10 + 5))
            .collect()
    }

    #[test]
    fn valid_dataset_gives_rows_and_window() {
        let ds = Dataset::from_rows(
            names(2),
            vec![vec![1.0, 2.0], vec![3.0, 4.0]],
            vec![true, false],
            spans(2),
            None,
        )
        .unwrap();
        assert_eq!(ds.len(), 2);
        assert_eq!(ds.row(1), &[3.0, 4.0]);
        assert_eq!(ds.value(0, 1), 2.0);
        assert_eq!(ds.window(), Some((0, 15)));
        assert_eq!(ds.target(0), 1.0);
        assert!(ds.row(5).is_empty());
    }

    #[test]
    fn ragged_row_is_named() {
        let err = Dataset::from_rows(
            names(2),
            vec![vec![1.0, 2.0], vec![3.0]],
            vec![true, false],
            spans(2),
            None,
        )
        .unwrap_err();
        assert_eq!(
            err,
            MlError::RaggedRow {
                row: 1,
                expected: 2,
                found: 1
            }
        );
    }

    #[test]
    fn nan_and_inf_named_by_row_and_column() {
        let err = Dataset::from_rows(
            names(3),
            vec![vec![1.0, 2.0, 3.0], vec![3.0, 4.0, f64::INFINITY]],
            vec![true, false],
            spans(2),
            None,
        )
        .unwrap_err();
        assert!(
            matches!(err, MlError::NonFiniteFeature { row: 1, column: 2, ref name, .. } if name == "f2")
        );
        assert!(err.to_string().contains("f2"));
        let err = Dataset::from_rows(names(1), vec![vec![f64::NAN]], vec![true], spans(1), None)
            .unwrap_err();
        assert!(matches!(
            err,
            MlError::NonFiniteFeature {
                row: 0,
                column: 0,
                ..
            }
        ));
    }

    #[test]
    fn length_mismatches_are_refused() {
        let rows = vec![vec![1.0], vec![2.0]];
        let err = Dataset::from_rows(names(1), rows.clone(), vec![true], spans(2), None);
        assert!(matches!(err, Err(MlError::LengthMismatch { .. })));
        let err = Dataset::from_rows(names(1), rows.clone(), vec![true, false], spans(1), None);
        assert!(matches!(
            err,
            Err(MlError::LengthMismatch { what: "spans", .. })
        ));
        let err = Dataset::from_rows(names(1), rows, vec![true, false], spans(2), Some(vec![1.0]));
        assert!(matches!(
            err,
            Err(MlError::LengthMismatch {
                what: "weights",
                ..
            })
        ));
    }

    #[test]
    fn spans_weights_order_and_names_checked() {
        let rows = vec![vec![1.0], vec![2.0]];
        let labels = vec![true, false];
        let rev = vec![LabelSpan::new(0, 5), LabelSpan::new(10, 9)];
        assert!(matches!(
            Dataset::from_rows(names(1), rows.clone(), labels.clone(), rev, None),
            Err(MlError::SpanReversed { row: 1, .. })
        ));
        let unordered = vec![LabelSpan::new(10, 15), LabelSpan::new(0, 5)];
        assert!(matches!(
            Dataset::from_rows(names(1), rows.clone(), labels.clone(), unordered, None),
            Err(MlError::NotTimeOrdered { row: 1, .. })
        ));
        assert!(matches!(
            Dataset::from_rows(
                names(1),
                rows.clone(),
                labels.clone(),
                spans(2),
                Some(vec![1.0, -1.0])
            ),
            Err(MlError::BadWeight { row: 1, .. })
        ));
        assert!(matches!(
            Dataset::from_rows(
                names(1),
                rows.clone(),
                labels.clone(),
                spans(2),
                Some(vec![0.0, 0.0])
            ),
            Err(MlError::BadWeight { .. })
        ));
        assert!(matches!(
            Dataset::from_rows(
                vec!["a".into(), "a".into()],
                vec![vec![1.0, 1.0]],
                vec![true],
                spans(1),
                None
            ),
            Err(MlError::DuplicateFeature {
                first: 0,
                second: 1,
                ..
            })
        ));
        assert!(matches!(
            Dataset::from_rows(vec![], vec![], vec![], vec![], None),
            Err(MlError::NoFeatures)
        ));
    }

    #[test]
    fn trainable_needs_both_classes() {
        let ds = Dataset::from_rows(
            names(1),
            vec![vec![1.0], vec![2.0], vec![3.0]],
            vec![true, true, false],
            spans(3),
            None,
        )
        .unwrap();
        assert!(ds.check_trainable(&[0, 1], "x").is_err());
        assert!(ds.check_trainable(&[0, 2], "x").is_ok());
    }
}
