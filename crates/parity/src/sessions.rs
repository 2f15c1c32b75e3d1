//! `sessions(ohlc, session, start_time, end_time, time_zone)` (spec §8):
//! whether each candle falls in a trading session (by its UTC HH:MM), and
//! the session's running high and low.
//!
//! The reference formats every timestamp with `strftime` in a Python loop;
//! we get the minute of the day with integer arithmetic (UTC and fixed
//! offsets) or one tz-database lookup per wall-clock hour (named zones).

mod zone;

pub use zone::Zone;

use crate::previous_high_low::{MAX_MS, MIN_MS};
use crate::{Frame, Ohlc, ParityError, ParityOptions, Values};
use zone::NamedToUtc;

/// The reference's built-in sessions, start and end in UTC (§8.1). The
/// names are matched exactly, including the lowercase "london close".
const SESSIONS: [(&str, &str, &str); 8] = [
    ("Sydney", "21:00", "06:00"),
    ("Tokyo", "00:00", "09:00"),
    ("London", "07:00", "16:00"),
    ("New York", "13:00", "22:00"),
    ("Asian kill zone", "00:00", "04:00"),
    ("London open kill zone", "6:00", "9:00"),
    ("New York kill zone", "11:00", "14:00"),
    ("london close kill zone", "14:00", "16:00"),
];

const MINUTE_MS: i64 = 60_000;

/// A session as minutes of the UTC day, both ends inclusive (§8.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Window {
    start: i64,
    end: i64,
}

impl Window {
    /// `start <= t <= end`; when the session wraps midnight, or start ==
    /// end (all day), `t >= start or t <= end`.
    fn contains(self, minute: i64) -> bool {
        if self.start < self.end {
            self.start <= minute && minute <= self.end
        } else {
            minute >= self.start || minute <= self.end
        }
    }
}

/// Runs `sessions` with the session name, Custom times and time zone of
/// `options`.
pub fn sessions(input: &Ohlc, options: &ParityOptions) -> Result<Frame, ParityError> {
    let name = options.session.as_str();
    // The reference's checks, in its order: Custom's times, then the time
    // zone, then the session name, then the two times.
    if name == "Custom" && (options.start_time.is_empty() || options.end_time.is_empty()) {
        return Err(ParityError::CustomSessionTimes);
    }
    let zone = Zone::parse(&options.time_zone)?;
    let (start, end) = if name == "Custom" {
        (options.start_time.as_str(), options.end_time.as_str())
    } else {
        SESSIONS
            .iter()
            .find(|(session, ..)| *session == name)
            .map(|&(_, start, end)| (start, end))
            .ok_or_else(|| ParityError::Session(name.to_string()))?
    };
    let window = Window {
        start: parse_hhmm(start)?,
        end: parse_hhmm(end)?,
    };
    let n = input.len();
    if input.time.len() != n || input.high.len() != n || input.low.len() != n {
        return Err(ParityError::ColumnLengths);
    }
    match zone {
        Zone::Utc => extremes(input, window, Ok),
        Zone::Fixed { offset_ms } => extremes(input, window, |t| {
            t.checked_sub(offset_ms)
                .ok_or(ParityError::TimestampRange(t))
        }),
        Zone::Named(tz) => {
            let mut to_utc = NamedToUtc::new(tz);
            extremes(input, window, |t| to_utc.convert(t))
        }
    }
}

/// Membership and running extremes, with `to_utc` mapping each candle's
/// wall-clock time to UTC.
fn extremes(
    input: &Ohlc,
    window: Window,
    mut to_utc: impl FnMut(i64) -> Result<i64, ParityError>,
) -> Result<Frame, ParityError> {
    let n = input.len();
    let mut active = vec![0i64; n];
    let mut high = vec![0f32; n];
    let mut low = vec![0f32; n];
    // Row i-1's stored values; inactive rows store 0, which is what resets
    // the running extremes between sessions (§8.4).
    let (mut previous_high, mut previous_low) = (0f32, 0f32);
    for i in 0..n {
        let t = input.time[i];
        if !(MIN_MS..=MAX_MS).contains(&t) {
            return Err(ParityError::TimestampRange(t));
        }
        // strftime("%H:%M") of the UTC time: seconds are ignored.
        let minute = to_utc(t)?.div_euclid(MINUTE_MS).rem_euclid(24 * 60);
        if window.contains(minute) {
            active[i] = 1;
            // Python's max(H, previous) keeps H unless previous > H, the
            // float32 previous compared as float64; row 0 compares with 0.
            let h = input.high[i];
            let candidate = f64::from(previous_high);
            high[i] = if candidate > h { candidate } else { h } as f32;
            // min(L, previous if previous != 0 else inf), same tie rule.
            let l = input.low[i];
            let candidate = if i > 0 && previous_low != 0.0 {
                f64::from(previous_low)
            } else {
                f64::INFINITY
            };
            low[i] = if candidate < l { candidate } else { l } as f32;
        }
        (previous_high, previous_low) = (high[i], low[i]);
    }
    Ok(Frame::default()
        .with("Active", Values::Int(active))
        .with("High", Values::F32(high))
        .with("Low", Values::F32(low)))
}

/// Minutes since midnight of `HH:MM` as Python's `strptime(s, "%H:%M")`
/// reads it: hours `0`-`9` or `00`-`23`, minutes `0`-`9` or `00`-`59`,
/// nothing else around them.
fn parse_hhmm(text: &str) -> Result<i64, ParityError> {
    let bad = || ParityError::Time(text.to_string());
    let (hours, minutes) = text.split_once(':').ok_or_else(bad)?;
    let field = |s: &str, max: i64| -> Option<i64> {
        if s.is_empty() || s.len() > 2 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let value: i64 = s.parse().ok()?;
        (value <= max).then_some(value)
    };
    let hours = field(hours, 23).ok_or_else(bad)?;
    let minutes = field(minutes, 59).ok_or_else(bad)?;
    Ok(hours * 60 + minutes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;

    fn run(times: &[i64], highs: &[f64], session: &str, zone: &str) -> Result<Frame, ParityError> {
        let input = Ohlc {
            time: times.to_vec(),
            open: highs.to_vec(),
            high: highs.to_vec(),
            low: highs.iter().map(|h| h - 1.0).collect(),
            close: highs.to_vec(),
            volume: vec![0.0; times.len()],
        };
        let options = ParityOptions {
            session: session.to_string(),
            time_zone: zone.to_string(),
            ..ParityOptions::default()
        };
        sessions(&input, &options)
    }

    fn column(frame: &Frame, name: &str) -> Vec<f64> {
        (0..frame.rows())
            .map(|r| frame.column(name).and_then(|c| c.get(r)).unwrap())
            .collect()
    }

    #[test]
    fn times_parse_like_strptime() {
        assert_eq!(parse_hhmm("6:00"), Ok(360));
        assert_eq!(parse_hhmm("23:59"), Ok(1439));
        assert_eq!(parse_hhmm("7:5"), Ok(425));
        for bad in [
            "24:00", "1:60", "010:00", " 7:00", "7:00 ", "7", "7:", ":30", "+7:00", "07:00:00",
        ] {
            assert_eq!(
                parse_hhmm(bad),
                Err(ParityError::Time(bad.to_string())),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn the_end_minute_is_inclusive_and_seconds_are_ignored() {
        let times = [15 * H + 59 * 60_000 + 59_000, 16 * H, 16 * H + 60_000];
        let frame = run(&times, &[1.0, 2.0, 3.0], "London", "UTC").unwrap();
        assert_eq!(column(&frame, "Active"), [1.0, 1.0, 0.0]);
        assert_eq!(column(&frame, "High"), [1.0, 2.0, 0.0]);
        // Lows are 0, 1, 2: a stored low of 0 reads as "no previous low".
        assert_eq!(column(&frame, "Low"), [0.0, 1.0, 0.0]);
    }

    #[test]
    fn utc_plus_2_is_applied_as_utc_minus_2() {
        // 08:00 wall clock "UTC+2" becomes 10:00 UTC: outside the London
        // open kill zone (06:00-09:00); "UTC-2" gives 06:00, inside (§8.2).
        let times = [8 * H];
        let plus = run(&times, &[1.0], "London open kill zone", "UTC+2").unwrap();
        let minus = run(&times, &[1.0], "London open kill zone", "UTC-2").unwrap();
        assert_eq!(column(&plus, "Active"), [0.0]);
        assert_eq!(column(&minus, "Active"), [1.0]);
    }

    #[test]
    fn extremes_carry_over_without_an_inactive_candle() {
        // Daily candles at 00:00 are all in Tokyo: the running high never resets.
        let day = 24 * H;
        let frame = run(&[0, day, 2 * day], &[3.0, 2.0, 1.0], "Tokyo", "UTC").unwrap();
        assert_eq!(column(&frame, "High"), [3.0, 3.0, 3.0]);
        assert_eq!(column(&frame, "Low"), [2.0, 1.0, 0.0]);
        // With an inactive candle in between, the extremes start over.
        let frame = run(&[0, 12 * H, day], &[3.0, 9.0, 1.0], "Tokyo", "UTC").unwrap();
        assert_eq!(column(&frame, "High"), [3.0, 0.0, 1.0]);
    }

    #[test]
    fn running_extremes_are_float32() {
        let frame = run(&[0, 60_000], &[1.3, 1.3], "Tokyo", "UTC").unwrap();
        assert_eq!(
            column(&frame, "High"),
            [f64::from(1.3f32), f64::from(1.3f32)]
        );
    }

    #[test]
    fn option_errors() {
        assert_eq!(
            run(&[0], &[1.0], "Custom", "UTC"),
            Err(ParityError::CustomSessionTimes)
        );
        assert_eq!(
            run(&[0], &[1.0], "london", "UTC"),
            Err(ParityError::Session("london".into()))
        );
        assert_eq!(
            run(&[0], &[1.0], "London", "Etc/UTC"),
            Err(ParityError::TimeZone("Etc/UTC".into()))
        );
        // A bad zone is reported before a bad session, as in the reference.
        assert_eq!(
            run(&[0], &[1.0], "Nope", "Mars/Olympus"),
            Err(ParityError::TimeZone("Mars/Olympus".into()))
        );
        let nonexistent = run(&[1_616_893_200_000], &[1.0], "London", "Europe/London");
        assert!(matches!(
            nonexistent,
            Err(ParityError::NonexistentTime { .. })
        ));
        assert!(run(&[i64::MIN], &[1.0], "London", "UTC+2").is_err());
        assert_eq!(run(&[], &[], "Sydney", "UTC").unwrap().rows(), 0);
    }

    #[test]
    fn unsorted_rows_match_pandas() {
        // Expected values from the reference on rows out of time order: the
        // running extremes follow row order, not time order.
        let times = [10, 0, 4, 4, 14, 2, 7, 12, 8, 0].map(|half_hours: i64| half_hours * H / 2);
        let highs = [5.0, 1.0, 3.0, 2.5, 8.0, 2.0, 4.0, 7.0, 6.0, 0.5];
        let input = Ohlc {
            time: times.to_vec(),
            open: highs.to_vec(),
            high: highs.to_vec(),
            low: highs.iter().map(|h| h - 1.0).collect(),
            close: highs.to_vec(),
            volume: vec![0.0; 10],
        };
        let options = ParityOptions {
            session: "Custom".into(),
            start_time: "01:00".into(),
            end_time: "05:00".into(),
            ..ParityOptions::default()
        };
        let frame = sessions(&input, &options).unwrap();
        assert_eq!(
            column(&frame, "Active"),
            [1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0]
        );
        assert_eq!(
            column(&frame, "High"),
            [5.0, 0.0, 3.0, 3.0, 0.0, 2.0, 4.0, 0.0, 6.0, 0.0]
        );
        assert_eq!(
            column(&frame, "Low"),
            [4.0, 0.0, 2.0, 1.5, 0.0, 1.0, 1.0, 0.0, 5.0, 0.0]
        );
    }
}
