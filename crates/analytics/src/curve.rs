//! The equity curve as analytics sees it: validated once (times strictly
//! ascending), converted once from exact decimals to `f64`, and measured in
//! years of 365.25 days.

use rayon::prelude::*;
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
        Self::from_points(points.iter().copied())
    }

    /// [`EquityCurve::new_checked`] on points as they come (a backtest's
    /// own equity records, without a copy into a slice first).
    pub fn from_points<I>(points: I) -> Result<Self, AnalyticsError>
    where
        I: IntoIterator<Item = (Timestamp, Decimal)>,
    {
        let points = points.into_iter();
        let (n, _) = points.size_hint();
        let mut times = Vec::with_capacity(n);
        let mut equity = Vec::with_capacity(n);
        let mut last = Converted::default();
        for (time, value) in points {
            times.push(time.ms());
            equity.push(last.convert(value));
        }
        Self::ascending(times, equity)
    }

    /// [`EquityCurve::from_points`] on a slice of records, `point` reading
    /// each: converted on every core in chunks (a million 29-digit equity
    /// marks take tens of milliseconds on one), to the same bits.
    pub fn from_slice<P, F>(records: &[P], point: F) -> Result<Self, AnalyticsError>
    where
        P: Sync,
        F: Fn(&P) -> (Timestamp, Decimal) + Sync,
    {
        const CHUNK: usize = 1 << 14;
        let mut times = vec![0_i64; records.len()];
        let mut equity = vec![0_f64; records.len()];
        records
            .par_chunks(CHUNK)
            .zip(times.par_chunks_mut(CHUNK))
            .zip(equity.par_chunks_mut(CHUNK))
            .for_each(|((records, times), equity)| {
                let mut last = Converted::default();
                for ((record, time), value) in records.iter().zip(times).zip(equity) {
                    let (t, d) = point(record);
                    *time = t.ms();
                    *value = last.convert(d);
                }
            });
        Self::ascending(times, equity)
    }

    /// The curve, once its times are checked strictly ascending.
    fn ascending(times: Vec<i64>, equity: Vec<f64>) -> Result<Self, AnalyticsError> {
        if let Some(k) = times.windows(2).position(|pair| pair[1] <= pair[0]) {
            return Err(AnalyticsError::NotAscending {
                index: k + 1,
                previous: times[k],
                time: times[k + 1],
            });
        }
        Ok(EquityCurve { times, equity })
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

/// The last decimal converted and its `f64`: equity is unchanged on every
/// bar without a position, and a repeat costs a 16-byte compare instead of
/// a conversion.
#[derive(Default)]
struct Converted {
    last: Option<([u8; 16], f64)>,
}

impl Converted {
    fn convert(&mut self, d: Decimal) -> f64 {
        let bits = d.serialize();
        match self.last {
            Some((same, x)) if same == bits => x,
            _ => {
                let x = exact_f64(d);
                self.last = Some((bits, x));
                x
            }
        }
    }
}

/// The `f64` nearest to `d`: [`to_f64`], whose general case formats the
/// decimal into a `String` first, without the allocation for the 29-digit
/// mantissas of an equity marked on a fractional position. The decimal's
/// exact digits and exponent are written to the stack and read back by the
/// standard (correctly rounded) parser, so the result is the same bits.
pub(crate) fn exact_f64(d: Decimal) -> f64 {
    let mantissa = d.mantissa();
    let magnitude = mantissa.unsigned_abs();
    if magnitude < (1 << 53) {
        return to_f64(d);
    }
    // Sign, at most 29 digits, `e-`, at most two exponent digits.
    let mut buf = [0u8; 40];
    let mut len = 0;
    if mantissa < 0 {
        buf[0] = b'-';
        len = 1;
    }
    // Two u64 halves: a u128 division per digit would be a library call.
    const CHUNK: u128 = 10_000_000_000_000_000_000;
    let (high, low) = ((magnitude / CHUNK) as u64, (magnitude % CHUNK) as u64);
    if high > 0 {
        len = write_digits(&mut buf, len, high, 0);
        len = write_digits(&mut buf, len, low, 19);
    } else {
        len = write_digits(&mut buf, len, low, 0);
    }
    buf[len] = b'e';
    buf[len + 1] = b'-';
    len = write_digits(&mut buf, len + 2, u64::from(d.scale()), 0);
    std::str::from_utf8(&buf[..len])
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| to_f64(d))
}

/// Writes `value` in decimal at `buf[at..]`, left-padded with zeros to
/// `width` digits; returns the end.
fn write_digits(buf: &mut [u8; 40], at: usize, mut value: u64, width: usize) -> usize {
    let mut digits = [0u8; 20];
    let mut n = 0;
    while value > 0 || n < width.max(1) {
        digits[n] = b'0' + (value % 10) as u8;
        value /= 10;
        n += 1;
    }
    for (k, d) in digits[..n].iter().rev().enumerate() {
        buf[at + k] = *d;
    }
    at + n
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
    fn the_stack_conversion_is_the_general_one() {
        // Mantissas of every width up to 96 bits, every scale, both signs.
        let mut x: u128 = 0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C834;
        for k in 0..20_000u32 {
            x = x
                .wrapping_mul(0x2545_F491_4F6C_DD1D)
                .wrapping_add(1442695040888963407);
            let bits = 1 + k % 96;
            let m = (x >> (128 - bits)) as i128;
            let m = if k % 2 == 0 { m } else { -m };
            let d = Decimal::from_i128_with_scale(m, k % 29);
            let general: f64 = d.to_string().parse().unwrap();
            assert_eq!(exact_f64(d).to_bits(), general.to_bits(), "{d}");
        }
        assert_eq!(exact_f64(Decimal::MAX), 7.922816251426434e28);
        assert_eq!(exact_f64(Decimal::MIN), -7.922816251426434e28);
    }

    #[test]
    fn the_parallel_conversion_is_the_sequential_one() {
        // Runs of equal marks (flat bars) across chunk seams, 29-digit
        // marks, and a time out of order far into the curve.
        let mut points: Vec<(Timestamp, Decimal)> = (0..50_000i64)
            .map(|i| {
                let mark = Decimal::from_i128_with_scale(
                    10_i128.pow(27) + i128::from(i / 7) * 7_919_131,
                    23,
                );
                (Timestamp::from_ms(i * 60_000), mark)
            })
            .collect();
        let sequential = EquityCurve::from_points(points.iter().copied()).unwrap();
        let parallel = EquityCurve::from_slice(&points, |p| *p).unwrap();
        assert_eq!(parallel.times(), sequential.times());
        let bits = |c: &EquityCurve| c.equity().iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&parallel), bits(&sequential));
        assert_eq!(sequential.equity()[49_999], exact_f64(points[49_999].1));
        points[40_000].0 = points[39_999].0;
        let expected = Err(AnalyticsError::NotAscending {
            index: 40_000,
            previous: 39_999 * 60_000,
            time: 39_999 * 60_000,
        });
        assert_eq!(EquityCurve::from_slice(&points, |p| *p), expected);
        assert_eq!(EquityCurve::from_points(points.iter().copied()), expected);
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
