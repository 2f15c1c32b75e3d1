//! The equity curve as analytics sees it: validated once (times strictly
//! ascending), converted once from exact decimals to `f64`, and measured in
//! years of 365.25 days.

use rust_decimal::Decimal;
use smc_model::Timestamp;
use smc_model::{num::to_f64, time::DAY_MS};
use thiserror::Error;

/// Milliseconds in a year of 365.25 days (the Julian year): the average
/// calendar year, so that multi-year spans are annualised without a bias
/// from leap years.
pub const YEAR_MS: i64 = 365 * DAY_MS + DAY_MS / 4;

/// Why analytics refused its input.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AnalyticsError {
    /// Equity points must be in strictly ascending time, one per bar.
    #[error("equity point {index} at {time} ms is not after the previous point at {previous} ms")]
    NotAscending {
        index: usize,
        previous: i64,
        time: i64,
    },
    /// The per-bar "in market" flags must have one entry per equity point.
    #[error("{got} in-market flags given for {expected} equity points")]
    InMarketLength { expected: usize, got: usize },
}

/// An equity curve with strictly ascending times and `f64` equity.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EquityCurve {
    times: Vec<i64>,
    equity: Vec<f64>,
}

impl EquityCurve {
    /// Validates `points` (epoch ms, equity), one per bar, and converts the
    /// equity with the correctly rounded [`to_f64`]. An empty or one-point
    /// curve is valid; the metrics it cannot support are `None`.
    pub fn new_checked(points: &[(Timestamp, Decimal)]) -> Result<Self, AnalyticsError> {
        if let Some(i) = points.windows(2).position(|w| w[1].0 <= w[0].0) {
            return Err(AnalyticsError::NotAscending {
                index: i + 1,
                previous: (points[i].0).ms(),
                time: (points[i + 1].0).ms(),
            });
        }
        Ok(EquityCurve {
            times: points.iter().map(|p| p.0.ms()).collect(),
            equity: points.iter().map(|p| to_f64(p.1)).collect(),
        })
    }

    /// Epoch-ms times, strictly ascending.
    pub fn times(&self) -> &[i64] {
        &self.times
    }

    /// Equity values, as `f64`.
    pub fn equity(&self) -> &[f64] {
        &self.equity
    }

    pub fn len(&self) -> usize {
        self.times.len()
    }

    pub fn is_empty(&self) -> bool {
        self.times.is_empty()
    }

    /// Time from the first to the last point in years of 365.25 days;
    /// `None` with fewer than two points (no span to measure).
    pub fn years(&self) -> Option<f64> {
        let (first, last) = (self.times.first()?, self.times.last()?);
        // i128: the difference of two arbitrary i64 times cannot overflow.
        let span = i128::from(*last) - i128::from(*first);
        (span > 0).then(|| span as f64 / YEAR_MS as f64)
    }

    /// The series' own sampling rate: (number of points − 1) / years, the
    /// number of return intervals observed per year.
    ///
    /// Why not a nominal 252 or 365: a crypto 1h series has 8766 bars a
    /// year, a daily FX series about 260–313 (depending on whether the venue
    /// prints Sunday bars), and a series with a data gap has fewer; counting
    /// the intervals actually observed annualises each of them with its own
    /// calendar, without a table of market hours. A gap is treated as time in
    /// which the one return across it stands for the whole gap.
    /// `None` with fewer than two points.
    pub fn bars_per_year(&self) -> Option<f64> {
        let years = self.years()?;
        Some((self.len() - 1) as f64 / years)
    }
}

/// `Some(x)` if `x` is finite: the JSON report never carries NaN or ±∞.
pub(crate) fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    #[test]
    fn rejects_repeated_or_descending_times() {
        let err = EquityCurve::new_checked(&[
            (Timestamp::from_ms(1), dec!(1)),
            (Timestamp::from_ms(2), dec!(1)),
            (Timestamp::from_ms(2), dec!(1)),
        ]);
        assert_eq!(
            err,
            Err(AnalyticsError::NotAscending {
                index: 2,
                previous: 2,
                time: 2
            })
        );
    }

    #[test]
    fn one_year_of_hourly_bars() {
        let points: Vec<_> = (0..=8766)
            .map(|i| (Timestamp::from_ms(i * 3_600_000), dec!(1)))
            .collect();
        let c = EquityCurve::new_checked(&points).unwrap();
        assert_eq!(c.years(), Some(1.0));
        assert_eq!(c.bars_per_year(), Some(8766.0));
    }

    #[test]
    fn extreme_times_do_not_overflow() {
        let c = EquityCurve::new_checked(&[
            (Timestamp::from_ms(i64::MIN), dec!(1)),
            (Timestamp::from_ms(i64::MAX), dec!(2)),
        ])
        .unwrap();
        assert!(c.years().unwrap() > 5e8);
        assert_eq!(EquityCurve::default().bars_per_year(), None);
    }
}
