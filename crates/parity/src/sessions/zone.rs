//! The `time_zone` option of `sessions` (spec §8.2): which zone the naive
//! timestamps are read in, and their conversion to UTC.
//!
//! The reference leaves `"UTC"` alone; any other string has `GMT` and then
//! `UTC` replaced by `Etc/GMT`, is localized with pandas (`tz_localize`,
//! which raises on nonexistent and ambiguous wall-clock times) and converted
//! to UTC. POSIX `Etc/GMT+N` zones are N hours *behind* UTC, so `UTC+2` is
//! applied as UTC-2: we reproduce that sign inversion by doing the same
//! replacement and looking the result up in the tz database (`chrono-tz`).
//! pandas also understands lowercase `utc` and fixed offsets such as
//! `+02:00` (with the natural sign, and its own odd reading of `-0930`);
//! so do we.
//!
//! Not reproduced (rejected with a clear error): pandas' `dateutil/…` zone
//! prefix, system-file names such as `localtime` or `posixrules`, and
//! Unicode digits in offsets.

use crate::ParityError;
use chrono::{DateTime, LocalResult, Offset, TimeZone};
use chrono_tz::Tz;

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

/// How the naive timestamps map to UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    /// Already UTC (the default, and pandas' `utc`).
    Utc,
    /// A constant offset: UTC = wall clock − `offset_ms`.
    Fixed { offset_ms: i64 },
    /// A zone whose offset changes (daylight saving, history).
    Named(Tz),
}

impl Zone {
    /// Interprets `time_zone` as the reference does.
    pub fn parse(time_zone: &str) -> Result<Zone, ParityError> {
        if time_zone == "UTC" {
            return Ok(Zone::Utc);
        }
        // The reference's replacement, in its order (§8.2): `UTC+2` becomes
        // `Etc/GMT+2`, i.e. UTC-2.
        let name = time_zone
            .replace("GMT", "Etc/GMT")
            .replace("UTC", "Etc/GMT");
        if name == "utc" {
            return Ok(Zone::Utc);
        }
        if let Some(offset) = fixed_offset(&name) {
            let offset_ms = offset.ok_or_else(|| ParityError::TimeZone(time_zone.to_string()))?;
            return Ok(Zone::Fixed { offset_ms });
        }
        let tz: Tz = name
            .parse()
            .map_err(|_| ParityError::TimeZone(time_zone.to_string()))?;
        if name.starts_with("Etc/") {
            // Every Etc zone has one constant offset: skip per-row lookups.
            let offset_ms = tz
                .offset_from_utc_datetime(&DateTime::UNIX_EPOCH.naive_utc())
                .fix();
            return Ok(Zone::Fixed {
                offset_ms: i64::from(offset_ms.local_minus_utc()) * 1000,
            });
        }
        Ok(Zone::Named(tz))
    }
}

/// pandas reads a zone string that starts with `+` or `-` as a fixed
/// offset: hours `int(s[0:3])`, minutes `int(s[0] + s[4:6])`, the rest
/// ignored. So `+05:30` is +5:30 as expected, but `-0930` is −9:00 (the
/// minutes are read from the fifth character on) and `+05305` is +5:05. `None`
/// if the string does not start with a sign; `Some(None)` if pandas' `int()`
/// or its ±24 h limit would raise.
fn fixed_offset(text: &str) -> Option<Option<i64>> {
    let chars: Vec<char> = text.chars().take(6).collect();
    let sign = match chars.first()? {
        '+' => 1,
        '-' => -1,
        _ => return None,
    };
    // Python's int() of one or two characters after the sign: a digit,
    // optionally followed by a second digit or by whitespace.
    let number = |digits: &[char]| -> Option<i64> {
        let first = i64::from(digits.first()?.to_digit(10)?);
        match digits.get(1) {
            None => Some(first),
            Some(c) if c.is_whitespace() => Some(first),
            Some(c) => Some(first * 10 + i64::from(c.to_digit(10)?)),
        }
    };
    Some((|| {
        let hours = number(chars.get(1..3)?)?;
        let minutes = number(chars.get(4..)?)?;
        let total = hours * 60 + minutes;
        (total < 24 * 60).then_some(sign * total * 60_000)
    })())
}

/// Converts wall-clock times of a [`Zone::Named`] zone to UTC.
///
/// Looking the zone up costs far more than the rest of a row, so dense
/// data (more rows a day than the 25 lookups below) gets one check per
/// wall-clock day: if the hours 00:00, 01:00, …, 23:00 and 23:59:59.999 all
/// exist once with the same offset, no transition happens that day
/// (transitions are never less than an hour apart) and every row uses that
/// offset. Sparse data, and the rare days with a transition, look each row
/// up alone.
pub struct NamedToUtc {
    tz: Tz,
    day: i64,
    rows_in_day: usize,
    day_offset_ms: Option<i64>,
}

/// Rows a day above which checking the whole day is cheaper.
const DENSE_ROWS_PER_DAY: usize = 25;

impl NamedToUtc {
    pub fn new(tz: Tz) -> Self {
        NamedToUtc {
            tz,
            day: i64::MIN,
            rows_in_day: 0,
            day_offset_ms: None,
        }
    }

    /// The UTC time of wall-clock time `t`, or the reference's error for a
    /// time skipped or repeated by a daylight-saving change.
    pub fn convert(&mut self, t: i64) -> Result<i64, ParityError> {
        let day = t.div_euclid(DAY_MS);
        if day != self.day {
            // The previous day's row count predicts this day's.
            let dense = self.rows_in_day > DENSE_ROWS_PER_DAY;
            self.day = day;
            self.rows_in_day = 0;
            self.day_offset_ms = if dense {
                self.uniform_offset(day)
            } else {
                None
            };
        }
        self.rows_in_day += 1;
        let offset = match self.day_offset_ms {
            Some(offset) => offset,
            None => self.offset(t)?,
        };
        t.checked_sub(offset).ok_or(ParityError::TimestampRange(t))
    }

    /// The offset of the whole wall-clock day `day`, if it has only one.
    fn uniform_offset(&self, day: i64) -> Option<i64> {
        let start = day.checked_mul(DAY_MS)?;
        let first = self.offset(start).ok()?;
        let probes = (1..24)
            .map(|h| start + h * HOUR_MS)
            .chain([start + DAY_MS - 1]);
        for probe in probes {
            if self.offset(probe).ok()? != first {
                return None;
            }
        }
        Some(first)
    }

    /// The UTC offset in ms of wall-clock time `t`.
    fn offset(&self, t: i64) -> Result<i64, ParityError> {
        let naive = DateTime::from_timestamp_millis(t)
            .ok_or(ParityError::TimestampRange(t))?
            .naive_utc();
        let describe = || {
            (
                naive.format("%Y-%m-%d %H:%M:%S").to_string(),
                self.tz.name().to_string(),
            )
        };
        match self.tz.from_local_datetime(&naive) {
            LocalResult::Single(dt) => Ok(i64::from(dt.offset().fix().local_minus_utc()) * 1000),
            LocalResult::None => {
                let (time, zone) = describe();
                Err(ParityError::NonexistentTime { time, zone })
            }
            LocalResult::Ambiguous(..) => {
                let (time, zone) = describe();
                Err(ParityError::AmbiguousTime { time, zone })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_and_fixed_offsets() {
        let fixed = |minutes: i64| {
            Ok(Zone::Fixed {
                offset_ms: minutes * 60_000,
            })
        };
        assert_eq!(Zone::parse("UTC"), Ok(Zone::Utc));
        assert_eq!(Zone::parse("utc"), Ok(Zone::Utc));
        // The inverted Etc/GMT sign (§8.2): "UTC+2" is two hours *behind*.
        assert_eq!(Zone::parse("UTC+2"), fixed(-120));
        assert_eq!(Zone::parse("GMT-5"), fixed(300));
        assert_eq!(Zone::parse("UTC-14"), fixed(14 * 60));
        assert_eq!(Zone::parse("GMT"), fixed(0));
        assert_eq!(Zone::parse("+02:00"), fixed(120));
        assert_eq!(Zone::parse("-05:30"), fixed(-330));
        assert_eq!(Zone::parse("+23:59"), fixed(1439));
        // pandas' own reading of offsets without a colon (see fixed_offset).
        assert_eq!(Zone::parse("-0930"), fixed(-540));
        assert_eq!(Zone::parse("+05305"), fixed(305));
        assert_eq!(Zone::parse("+0530"), fixed(300));
        assert_eq!(Zone::parse("+05x30"), fixed(330));
        assert!(matches!(Zone::parse("Europe/London"), Ok(Zone::Named(_))));
    }

    #[test]
    fn names_the_reference_rejects() {
        // "Etc/UTC" becomes "Etc/Etc/GMT"; Etc/GMT+13 does not exist.
        for bad in [
            "",
            "Utc",
            "UTC ",
            "Etc/UTC",
            "Etc/GMT+2",
            "UTC+13",
            "UTC+02",
            "europe/london",
            "+2",
            "+24:00",
        ] {
            assert_eq!(
                Zone::parse(bad),
                Err(ParityError::TimeZone(bad.to_string())),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn daylight_saving_gaps_and_overlaps_raise() {
        let Ok(Zone::Named(tz)) = Zone::parse("Europe/London") else {
            panic!()
        };
        let mut to_utc = NamedToUtc::new(tz);
        let at = |s: &str| {
            chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M")
                .unwrap()
                .and_utc()
                .timestamp_millis()
        };
        assert_eq!(
            to_utc.convert(at("2021-03-28 00:59")),
            Ok(at("2021-03-28 00:59"))
        );
        assert!(matches!(
            to_utc.convert(at("2021-03-28 01:00")),
            Err(ParityError::NonexistentTime { .. })
        ));
        assert_eq!(
            to_utc.convert(at("2021-03-28 02:00")),
            Ok(at("2021-03-28 01:00"))
        );
        assert!(matches!(
            to_utc.convert(at("2021-10-31 01:59")),
            Err(ParityError::AmbiguousTime { .. })
        ));
        assert_eq!(
            to_utc.convert(at("2021-10-31 02:00")),
            Ok(at("2021-10-31 02:00"))
        );
        // Lord Howe shifts by 30 minutes, inside an hour.
        let Ok(Zone::Named(tz)) = Zone::parse("Australia/Lord_Howe") else {
            panic!()
        };
        let mut to_utc = NamedToUtc::new(tz);
        assert!(to_utc.convert(at("2021-10-03 02:29")).is_err());
        assert_eq!(
            to_utc.convert(at("2021-10-03 02:30")),
            Ok(at("2021-10-02 15:30"))
        );
        assert!(to_utc.convert(at("2021-04-04 01:45")).is_err());
    }

    #[test]
    fn day_checks_agree_with_row_lookups() {
        // 15-minute rows over the New York spring and autumn changes,
        // skipping the wall-clock times that raise: the dense path (one
        // check a day) must give what a lookup per row gives.
        let Ok(Zone::Named(tz)) = Zone::parse("America/New_York") else {
            panic!()
        };
        let mut dense = NamedToUtc::new(tz);
        let quarter = 15 * 60_000;
        for start in [1_646_611_200_000_i64, 1_667_174_400_000] {
            // 2022-03-07 and 2022-10-31 00:00, then ten days on.
            for k in 0..(10 * 96) {
                let t = start + k * quarter;
                let alone = NamedToUtc::new(tz).convert(t);
                assert_eq!(dense.convert(t), alone, "at {t}");
            }
        }
    }
}
