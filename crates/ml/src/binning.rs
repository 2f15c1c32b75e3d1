//! Feature binning for tree fitting: each feature's training values are cut
//! at up to [`MAX_BINS`] - 1 quantile thresholds, and every training row gets
//! a small bin code per feature, so that a split search is one pass over a
//! node's rows into a histogram. Thresholds are real feature values, so a
//! fitted tree predicts on raw features: `x <= threshold` goes left exactly
//! when `code(x) <= bin`.

use crate::dataset::Dataset;

/// Most bins per feature (codes fit in a `u8`).
pub const MAX_BINS: usize = 64;

/// Thresholds per feature and the bin codes of the training rows.
#[derive(Debug, Clone)]
pub struct Bins {
    /// Ascending thresholds per feature.
    pub thresholds: Vec<Vec<f64>>,
    /// `codes[feature][position]`: bin of the training row at `position`.
    pub codes: Vec<Vec<u8>>,
}

impl Bins {
    /// Bins the dataset rows `rows` (positions in `codes` follow `rows`).
    pub fn build(ds: &Dataset, rows: &[usize]) -> Self {
        let mut thresholds = Vec::with_capacity(ds.n_features());
        let mut codes = Vec::with_capacity(ds.n_features());
        for f in 0..ds.n_features() {
            let values: Vec<f64> = rows.iter().map(|&i| ds.value(i, f)).collect();
            let t = feature_thresholds(&values);
            codes.push(values.iter().map(|&x| code(&t, x)).collect());
            thresholds.push(t);
        }
        Self { thresholds, codes }
    }

    /// Number of bins of `feature`.
    pub fn n_bins(&self, feature: usize) -> usize {
        self.thresholds.get(feature).map_or(1, |t| t.len() + 1)
    }
}

/// The bin of `x` given ascending `thresholds`: the number of thresholds below `x`.
pub fn code(thresholds: &[f64], x: f64) -> u8 {
    thresholds.partition_point(|t| *t < x).min(u8::MAX as usize) as u8
}

fn feature_thresholds(values: &[f64]) -> Vec<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut unique = sorted.clone();
    unique.dedup();
    if unique.len() <= MAX_BINS {
        return unique
            .windows(2)
            .map(|w| w[0] + (w[1] - w[0]) / 2.0)
            .collect();
    }
    let n = sorted.len();
    let max = unique.last().copied().unwrap_or(0.0);
    let mut t: Vec<f64> = (1..MAX_BINS)
        .map(|k| sorted[(k * n / MAX_BINS).min(n - 1)])
        .filter(|v| *v < max)
        .collect();
    t.dedup();
    t
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::dataset::LabelSpan;

    #[test]
    fn few_values_cut_at_midpoints_and_codes_match_thresholds() {
        let t = feature_thresholds(&[3.0, 1.0, 2.0, 2.0]);
        assert_eq!(t, vec![1.5, 2.5]);
        assert_eq!(code(&t, 1.0), 0);
        assert_eq!(code(&t, 1.5), 0);
        assert_eq!(code(&t, 2.0), 1);
        assert_eq!(code(&t, 9.0), 2);
    }

    #[test]
    fn many_values_give_at_most_max_bins_and_consistent_codes() {
        let values: Vec<f64> = (0..1000).map(|i| f64::from(i).sin() * 100.0).collect();
        let t = feature_thresholds(&values);
        assert!(t.len() < MAX_BINS);
        assert!(t.windows(2).all(|w| w[0] < w[1]));
        for &x in &values {
            let c = code(&t, x) as usize;
            // x <= t[j] exactly when c <= j.
            for (j, tj) in t.iter().enumerate() {
                assert_eq!(x <= *tj, c <= j);
            }
        }
    }

    #[test]
    fn build_codes_follow_rows() {
        let ds = Dataset::from_rows(
            vec!["a".into()],
            vec![vec![5.0], vec![1.0], vec![3.0]],
            vec![true, false, true],
            (0..3).map(|i| LabelSpan::new(i, i)).collect(),
            None,
        )
        .unwrap();
        let b = Bins::build(&ds, &[2, 0]);
        assert_eq!(b.thresholds[0], vec![4.0]);
        assert_eq!(b.codes[0], vec![0, 1]);
        assert_eq!(b.n_bins(0), 2);
    }
}
