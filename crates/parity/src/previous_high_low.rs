//! `previous_high_low(ohlc, time_frame)` (spec §7): the high and low of an
//! earlier resampled period, and whether price has broken them since.
//!
//! The reference resamples with pandas (`freq`/`bins` reproduce the bins),
//! drops empty periods, and for each candle at time t takes period number
//! `m - 2`, where `m` counts the period labels strictly before t (§7.3).
//! That gives the intended previous period inside a period, but two periods
//! back on a period's first candle (whose time equals its label), and for
//! `W` (labelled Sunday 00:00 at the *end* of the week) two weeks back for
//! every candle from Monday to Sunday 00:00. We reproduce all of it.

mod bins;
mod freq;

/// pandas' datetime64[ns] range in epoch milliseconds.
pub(crate) use bins::{MAX_MS, MIN_MS};
pub use freq::{Anchor, Freq};

use crate::{Frame, Ohlc, ParityError, Values};
use bins::Binner;

/// One non-empty resampled period.
#[derive(Debug, Clone, Copy)]
struct Period {
    label: i64,
    /// `max` and `min` skip NaN, as pandas' aggregations do.
    high: f64,
    low: f64,
    has_open: bool,
    has_close: bool,
}

impl Period {
    fn new(label: i64) -> Self {
        Period {
            label,
            high: f64::NAN,
            low: f64::NAN,
            has_open: false,
            has_close: false,
        }
    }

    #[inline]
    fn add(&mut self, input: &Ohlc, i: usize) {
        let (h, l) = (input.high[i], input.low[i]);
        // f64::max/min ignore a NaN operand, like pandas' skipna.
        self.high = self.high.max(h);
        self.low = self.low.min(l);
        // Read open and close only until a value is found (usually once).
        if !self.has_open {
            self.has_open = !input.open[i].is_nan();
        }
        if !self.has_close {
            self.has_close = !input.close[i].is_nan();
        }
    }

    /// `.dropna()` after the aggregation drops a period when any of open
    /// (first), high, low or close (last) has no value; volume (a sum) is
    /// never NaN.
    fn kept(&self) -> bool {
        self.has_open && self.has_close && !self.high.is_nan() && !self.low.is_nan()
    }
}

/// Runs `previous_high_low` with a pandas 3 frequency string.
pub fn previous_high_low(input: &Ohlc, time_frame: &str) -> Result<Frame, ParityError> {
    let freq = Freq::parse(time_frame)?;
    let n = input.len();
    let lengths = [
        input.time.len(),
        input.open.len(),
        input.high.len(),
        input.low.len(),
    ];
    if lengths.iter().any(|&len| len != n) {
        return Err(ParityError::ColumnLengths);
    }
    let mut out = Outputs::with_capacity(n);
    if input.time.is_sorted() {
        let periods = resample_sorted(input, freq)?;
        // Rows between two period labels share the count m of labels
        // strictly before them: one segment each.
        let (times, mut i, mut m) = (&input.time, 0, 0);
        while i < n {
            while m < periods.len() && periods[m].label < times[i] {
                m += 1;
            }
            let limit = periods.get(m).map_or(i64::MAX, |p| p.label);
            let mut j = i + 1;
            while j < n && times[j] <= limit {
                j += 1;
            }
            out.segment(input, i..j, reference(&periods, m));
            i = j;
        }
    } else {
        let periods = resample_unsorted(input, freq)?;
        let counts: Vec<usize> = input
            .time
            .iter()
            .map(|&t| periods.partition_point(|p| p.label < t))
            .collect();
        for run in counts.chunk_by(|a, b| a == b) {
            let start = out.previous_high.len();
            out.segment(input, start..start + run.len(), reference(&periods, run[0]));
        }
    }
    Ok(Frame::default()
        .with("PreviousHigh", Values::F32(out.previous_high))
        .with("PreviousLow", Values::F32(out.previous_low))
        .with("BrokenHigh", Values::Int(out.broken_high))
        .with("BrokenLow", Values::Int(out.broken_low)))
}

/// The period a candle refers to when `m` period labels lie strictly
/// before it: number `m - 2`, if there is one (spec §7.3).
fn reference(periods: &[Period], m: usize) -> Option<Period> {
    m.checked_sub(2).map(|k| periods[k])
}

/// The four output columns, filled one segment at a time.
struct Outputs {
    previous_high: Vec<f32>,
    previous_low: Vec<f32>,
    broken_high: Vec<i64>,
    broken_low: Vec<i64>,
}

impl Outputs {
    fn with_capacity(n: usize) -> Self {
        Outputs {
            previous_high: Vec::with_capacity(n),
            previous_low: Vec::with_capacity(n),
            broken_high: Vec::with_capacity(n),
            broken_low: Vec::with_capacity(n),
        }
    }

    /// Appends the rows `rows`, consecutive rows with one reference period
    /// (or none). They form one group of the broken flags (spec §7.4): a
    /// running max of the highs (min of the lows) within the group,
    /// compared with the float32 level as float64 (§1).
    fn segment(&mut self, input: &Ohlc, rows: std::ops::Range<usize>, reference: Option<Period>) {
        let len = rows.len();
        let Some(period) = reference else {
            self.previous_high
                .extend(std::iter::repeat_n(f32::NAN, len));
            self.previous_low.extend(std::iter::repeat_n(f32::NAN, len));
            self.broken_high.extend(std::iter::repeat_n(0, len));
            self.broken_low.extend(std::iter::repeat_n(0, len));
            return;
        };
        let (high, low) = (period.high as f32, period.low as f32);
        self.previous_high.extend(std::iter::repeat_n(high, len));
        self.previous_low.extend(std::iter::repeat_n(low, len));
        // groupby().cummax() is NaN on a NaN row and skips it afterwards;
        // f64::max/min skip NaN the same way.
        let (level, mut run) = (f64::from(high), f64::NAN);
        self.broken_high
            .extend(input.high[rows.clone()].iter().map(|&h| {
                run = run.max(h);
                i64::from(!h.is_nan() && run > level)
            }));
        let (level, mut run) = (f64::from(low), f64::NAN);
        self.broken_low.extend(input.low[rows].iter().map(|&l| {
            run = run.min(l);
            i64::from(!l.is_nan() && run < level)
        }));
    }
}

/// The non-empty periods of time-ordered candles, in one pass: a bin is
/// only located when a candle passes the end of the current one.
fn resample_sorted(input: &Ohlc, freq: Freq) -> Result<Vec<Period>, ParityError> {
    let Some(&first) = input.time.first() else {
        return Ok(Vec::new());
    };
    let binner = Binner::new(freq, first).ok_or(ParityError::TimestampRange(first))?;
    let mut periods = Vec::new();
    let mut current: Option<Period> = None;
    let mut end = i64::MIN;
    for (i, &t) in input.time.iter().enumerate() {
        if t >= end {
            let bin = binner.locate(t).ok_or(ParityError::TimestampRange(t))?;
            end = bin.end;
            periods.extend(current.replace(Period::new(bin.label)));
        }
        if let Some(period) = current.as_mut() {
            period.add(input, i);
        }
    }
    periods.extend(current);
    periods.retain(Period::kept);
    Ok(periods)
}

/// The non-empty periods in label order when the rows are not in time
/// order (pandas groups by bin whatever the order of the rows).
fn resample_unsorted(input: &Ohlc, freq: Freq) -> Result<Vec<Period>, ParityError> {
    let Some(&first) = input.time.iter().min() else {
        return Ok(Vec::new());
    };
    let binner = Binner::new(freq, first).ok_or(ParityError::TimestampRange(first))?;
    let mut labelled = Vec::with_capacity(input.len());
    for (i, &t) in input.time.iter().enumerate() {
        let bin = binner.locate(t).ok_or(ParityError::TimestampRange(t))?;
        labelled.push((bin.label, i));
    }
    labelled.sort_unstable();
    let mut periods: Vec<Period> = Vec::new();
    for (label, i) in labelled {
        match periods.last_mut() {
            Some(last) if last.label == label => last.add(input, i),
            _ => {
                let mut period = Period::new(label);
                period.add(input, i);
                periods.push(period);
            }
        }
    }
    periods.retain(Period::kept);
    Ok(periods)
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;

    fn ohlc(times: &[i64], highs: &[f64]) -> Ohlc {
        Ohlc {
            time: times.to_vec(),
            open: highs.to_vec(),
            high: highs.to_vec(),
            low: highs.iter().map(|h| h - 1.0).collect(),
            close: highs.to_vec(),
            volume: vec![0.0; times.len()],
        }
    }

    fn f32s(frame: &Frame, name: &str) -> Vec<f32> {
        match frame.column(name) {
            Some(Values::F32(v)) => v.clone(),
            other => panic!("{name}: {other:?}"),
        }
    }

    fn ints(frame: &Frame, name: &str) -> Vec<i64> {
        match frame.column(name) {
            Some(Values::Int(v)) => v.clone(),
            other => panic!("{name}: {other:?}"),
        }
    }

    #[test]
    fn a_period_start_looks_two_periods_back() {
        // 1h bins of two candles each: hours 0, 1, 2 with highs 10, 20, 30.
        let times: Vec<i64> = (0..6).map(|i| i * H / 2).collect();
        let frame =
            previous_high_low(&ohlc(&times, &[10.0, 9.0, 20.0, 19.0, 30.0, 29.0]), "1h").unwrap();
        let high = f32s(&frame, "PreviousHigh");
        // Row 2 (01:00) sees only label 00:00 before it: invalid. Row 4
        // (02:00) is the first candle of its hour: two hours back (§7.3).
        assert!(high[..3].iter().all(|x| x.is_nan()));
        assert_eq!(high[3..], [10.0, 10.0, 20.0]);
    }

    #[test]
    fn broken_flags_restart_when_the_reference_changes() {
        let times: Vec<i64> = (0..6).map(|i| i * H / 2).collect();
        let frame =
            previous_high_low(&ohlc(&times, &[10.0, 9.0, 20.0, 19.0, 30.0, 5.0]), "1h").unwrap();
        // Rows 3 and 4 both refer to hour 0 (10) and break it. Row 5 refers
        // to hour 1 (20): a new group, so the 30 of row 4 no longer counts.
        assert_eq!(ints(&frame, "BrokenHigh"), [0, 0, 0, 1, 1, 0]);
    }

    #[test]
    fn float32_threshold_is_compared_with_the_float64_price() {
        // 1.3 rounds down in float32, so a later high of exactly 1.3 breaks it.
        assert!(f64::from(1.3_f32) < 1.3);
        let times: Vec<i64> = (0..5).map(|i| i * H).collect();
        let frame = previous_high_low(&ohlc(&times, &[1.3, 1.0, 1.3, 1.0, 1.0]), "1h").unwrap();
        assert_eq!(ints(&frame, "BrokenHigh"), [0, 0, 1, 0, 0]);
    }

    #[test]
    fn weekly_is_two_weeks_back_until_sunday() {
        // Mondays 00:00 of four consecutive weeks (2024-01-01 was a Monday).
        let monday = 19_723 * 86_400_000;
        let times: Vec<i64> = (0..4).map(|w| monday + w * 7 * 86_400_000).collect();
        let frame = previous_high_low(&ohlc(&times, &[1.0, 2.0, 3.0, 4.0]), "W").unwrap();
        let high = f32s(&frame, "PreviousHigh");
        assert!(high[..2].iter().all(|x| x.is_nan()));
        assert_eq!(high[2..], [1.0, 2.0]);
    }

    #[test]
    fn fewer_than_two_periods_is_all_empty() {
        let frame = previous_high_low(&ohlc(&[0, H], &[1.0, 2.0]), "1D").unwrap();
        assert!(f32s(&frame, "PreviousLow").iter().all(|x| x.is_nan()));
        assert_eq!(ints(&frame, "BrokenLow"), [0, 0]);
    }

    #[test]
    fn empty_unsorted_and_odd_inputs_do_not_panic() {
        let empty = previous_high_low(&Ohlc::default(), "4h").unwrap();
        assert_eq!(empty.rows(), 0);
        assert_eq!(empty.columns.len(), 4);
        let unsorted = ohlc(
            &[5 * H, 0, 2 * H, i64::from(i32::MAX)],
            &[1.0, 2.0, 3.0, 4.0],
        );
        assert_eq!(previous_high_low(&unsorted, "1h").unwrap().rows(), 4);
        let extreme = ohlc(&[i64::MIN, i64::MAX], &[1.0, 2.0]);
        assert!(matches!(
            previous_high_low(&extreme, "1D"),
            Err(ParityError::TimestampRange(_))
        ));
        let mut ragged = ohlc(&[0, H], &[1.0, 2.0]);
        ragged.low.pop();
        assert_eq!(
            previous_high_low(&ragged, "1h"),
            Err(ParityError::ColumnLengths)
        );
        assert!(matches!(
            previous_high_low(&unsorted, "4H"),
            Err(ParityError::TimeFrame(_))
        ));
        let huge = previous_high_low(&unsorted, "9223372036854775807W");
        assert!(huge.is_err());
    }

    #[test]
    fn nan_prices_are_skipped_like_pandas() {
        // The expected values come from the reference (pandas 3.1.1): NaN
        // highs or opens empty a bin (dropped), a NaN row is never broken,
        // and the running max carries on after it.
        let times: Vec<i64> = (0..12).map(|i| i * 6 * H).collect();
        let nan = f64::NAN;
        let highs = [2.0, 3.0, nan, 4.0, 5.0, 6.0, nan, 1.0, 9.0, 2.0, 3.0, 4.0];
        let mut input = ohlc(&times, &highs);
        input.open = vec![1.0; 12];
        input.open[4..8].fill(nan);
        input.close = vec![1.0; 12];
        let frame = previous_high_low(&input, "6h").unwrap();
        let high = f32s(&frame, "PreviousHigh");
        assert!(high[..2].iter().all(|x| x.is_nan()));
        assert_eq!(
            high[2..],
            [2.0, 2.0, 3.0, 3.0, 3.0, 3.0, 3.0, 4.0, 9.0, 2.0]
        );
        assert_eq!(
            f32s(&frame, "PreviousLow")[2..],
            [1.0, 1.0, 2.0, 2.0, 2.0, 2.0, 2.0, 3.0, 8.0, 1.0]
        );
        assert_eq!(
            ints(&frame, "BrokenHigh"),
            [0, 0, 0, 1, 1, 1, 0, 1, 1, 0, 0, 1]
        );
        assert_eq!(
            ints(&frame, "BrokenLow"),
            [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0]
        );
    }

    #[test]
    fn unsorted_rows_with_duplicates_match_pandas() {
        // Expected values from the reference (pandas 3.1.1) on these rows.
        let times = [10, 0, 4, 4, 14, 2, 7, 12, 8, 0].map(|half_hours: i64| half_hours * H / 2);
        let highs = [5.0, 1.0, 3.0, 2.5, 8.0, 2.0, 4.0, 7.0, 6.0, 0.5];
        let frame = previous_high_low(&ohlc(&times, &highs), "2h").unwrap();
        let nan = f32::NAN;
        let expected_high = [4.0, nan, nan, nan, 6.0, nan, 2.0, 4.0, 2.0, nan];
        let expected_low = [1.5, nan, nan, nan, 4.0, nan, -0.5, 1.5, -0.5, nan];
        let same = |a: &[f32], b: &[f32]| {
            a.iter()
                .zip(b)
                .all(|(x, y)| x == y || x.is_nan() && y.is_nan())
        };
        assert!(same(&f32s(&frame, "PreviousHigh"), &expected_high));
        assert!(same(&f32s(&frame, "PreviousLow"), &expected_low));
        assert_eq!(ints(&frame, "BrokenHigh"), [1, 0, 0, 0, 1, 0, 1, 1, 1, 0]);
        assert_eq!(ints(&frame, "BrokenLow"), [0; 10]);
    }
}
