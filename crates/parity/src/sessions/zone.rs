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
//! `+02:00` or `-0530` (with the natural sign); so do we.
//!
//! Not reproduced (rejected with a clear error): pandas' `dateutil/…` zone
//! prefix, system-file names such as `localtime` or `posixrules`, and its
//! lenient parsing of malformed offsets such as `+09:3`.

use crate::ParityError;
use chrono::{DateTime, LocalResult, Offset, TimeZone};
use chrono_tz::Tz;

const HOUR_MS: i64 = 3_600_000;

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
        if let Some(offset_ms) = fixed_offset(&name) {
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

/// `±HH:MM` or `±HHMM` (hours 0-23, minutes 0-59) as milliseconds east of UTC.
fn fixed_offset(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    let sign = match bytes.first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: Vec<u8> = match bytes.len() {
        6 if bytes[3] == b':' => [&bytes[1..3], &bytes[4..6]].concat(),
        5 => bytes[1..5].to_vec(),
        _ => return None,
    };
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let value = |i: usize| i64::from(digits[i] - b'0') * 10 + i64::from(digits[i + 1] - b'0');
    let (hours, minutes) = (value(0), value(2));
    (hours < 24 && minutes < 60).then_some(sign * (hours * 60 + minutes) * 60_000)
}

/// Converts wall-clock times of a [`Zone::Named`] zone to UTC. The offset
/// is looked up once per wall-clock hour: if both ends of the hour exist
/// and share an offset, no transition happens inside it (transitions are
/// never less than an hour apart); otherwise each time is looked up alone.
pub struct NamedToUtc {
    tz: Tz,
    hour: i64,
    offset_ms: Option<i64>,
}

impl NamedToUtc {
    pub fn new(tz: Tz) -> Self {
        NamedToUtc {
            tz,
            hour: i64::MIN,
            offset_ms: None,
        }
    }

    /// The UTC time of wall-clock time `t`, or the reference's error for a
    /// time skipped or repeated by a daylight-saving change.
    pub fn convert(&mut self, t: i64) -> Result<i64, ParityError> {
        let hour = t.div_euclid(HOUR_MS);
        if hour != self.hour {
            self.hour = hour;
            let start = hour.saturating_mul(HOUR_MS);
            self.offset_ms = match (
                self.offset(start),
                self.offset(start.saturating_add(HOUR_MS - 1)),
            ) {
                (Ok(a), Ok(b)) if a == b => Some(a),
                _ => None,
            };
        }
        let offset = match self.offset_ms {
            Some(offset) => offset,
            None => self.offset(t)?,
        };
        t.checked_sub(offset).ok_or(ParityError::TimestampRange(t))
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
        assert_eq!(Zone::parse("UTC"), Ok(Zone::Utc));
        assert_eq!(Zone::parse("utc"), Ok(Zone::Utc));
        // The inverted Etc/GMT sign (§8.2): "UTC+2" is two hours *behind*.
        assert_eq!(
            Zone::parse("UTC+2"),
            Ok(Zone::Fixed {
                offset_ms: -2 * HOUR_MS
            })
        );
        assert_eq!(
            Zone::parse("GMT-5"),
            Ok(Zone::Fixed {
                offset_ms: 5 * HOUR_MS
            })
        );
        assert_eq!(
            Zone::parse("UTC-14"),
            Ok(Zone::Fixed {
                offset_ms: 14 * HOUR_MS
            })
        );
        assert_eq!(Zone::parse("GMT"), Ok(Zone::Fixed { offset_ms: 0 }));
        assert_eq!(
            Zone::parse("+02:00"),
            Ok(Zone::Fixed {
                offset_ms: 2 * HOUR_MS
            })
        );
        assert_eq!(
            Zone::parse("-0530"),
            Ok(Zone::Fixed {
                offset_ms: -330 * 60_000
            })
        );
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
}
