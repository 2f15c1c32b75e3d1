//! Candle periods aligned to UTC: minutes and hours that divide a day,
//! the day (00:00 UTC) and the week (Monday 00:00 UTC).

use crate::time::{DAY_MS, HOUR_MS, MINUTE_MS, WEEK_MS};
use crate::timestamp::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::str::FromStr;

/// Offset of the first Monday after the epoch (1970-01-05), which anchors weeks.
const WEEK_ANCHOR_MS: i64 = 4 * DAY_MS;

/// A candle period. Built only through [`Timeframe::from_ms`] or parsing, so
/// every value divides a day, or is exactly one day or one week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timeframe {
    ms: i64,
}

/// A timeframe string or duration that is not a supported candle period.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeframeError {
    #[error("unknown timeframe `{0}`: use a number and a unit, e.g. 1m, 5m, 15m, 1h, 4h, 1d, 1w")]
    Unknown(String),
    #[error("timeframe of {0} ms is not a whole number of minutes dividing a day, nor 1d or 1w")]
    Unaligned(i64),
}

impl Timeframe {
    pub const M1: Timeframe = Timeframe { ms: MINUTE_MS };
    pub const M5: Timeframe = Timeframe { ms: 5 * MINUTE_MS };
    pub const M15: Timeframe = Timeframe { ms: 15 * MINUTE_MS };
    pub const M30: Timeframe = Timeframe { ms: 30 * MINUTE_MS };
    pub const H1: Timeframe = Timeframe { ms: HOUR_MS };
    pub const H4: Timeframe = Timeframe { ms: 4 * HOUR_MS };
    pub const D1: Timeframe = Timeframe { ms: DAY_MS };
    pub const W1: Timeframe = Timeframe { ms: WEEK_MS };

    /// A timeframe of `ms` milliseconds, if it is a valid candle period.
    pub fn from_ms(ms: i64) -> Result<Self, TimeframeError> {
        let day_divisor = ms > 0 && ms % MINUTE_MS == 0 && DAY_MS % ms == 0;
        if day_divisor || ms == WEEK_MS {
            Ok(Timeframe { ms })
        } else {
            Err(TimeframeError::Unaligned(ms))
        }
    }

    /// Length of one candle in milliseconds.
    pub fn duration_ms(self) -> i64 {
        self.ms
    }

    /// Open time of the period that contains `ts` (epoch ms, UTC).
    pub fn period_start(self, ts: Timestamp) -> Timestamp {
        let t = ts.ms();
        Timestamp::from_ms(if self.ms == WEEK_MS {
            t - (t - WEEK_ANCHOR_MS).rem_euclid(WEEK_MS)
        } else {
            t - t.rem_euclid(self.ms)
        })
    }

    /// Close time (exclusive end) of the period that contains `ts`.
    pub fn period_end(self, ts: Timestamp) -> Timestamp {
        self.period_start(ts) + self.ms
    }

    /// Whether candles of `self` can be built from candles of `lower`: the
    /// lower period must divide this one (so its candles never straddle a
    /// boundary).
    pub fn is_multiple_of(self, lower: Timeframe) -> bool {
        self.ms % lower.ms == 0
    }
}

impl fmt::Display for Timeframe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.ms;
        if ms == WEEK_MS {
            write!(f, "1w")
        } else if ms % DAY_MS == 0 {
            write!(f, "{}d", ms / DAY_MS)
        } else if ms % HOUR_MS == 0 {
            write!(f, "{}h", ms / HOUR_MS)
        } else {
            write!(f, "{}m", ms / MINUTE_MS)
        }
    }
}

impl FromStr for Timeframe {
    type Err = TimeframeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let unknown = || TimeframeError::Unknown(s.to_string());
        let t = s.trim();
        let split = t.find(|c: char| !c.is_ascii_digit()).ok_or_else(unknown)?;
        let (num, unit) = t.split_at(split);
        let n: i64 = if num.is_empty() {
            1
        } else {
            num.parse().map_err(|_| unknown())?
        };
        let unit_ms = match unit {
            "m" | "min" => MINUTE_MS,
            "h" | "H" => HOUR_MS,
            "d" | "D" => DAY_MS,
            "w" | "W" => WEEK_MS,
            _ => return Err(unknown()),
        };
        let ms = n.checked_mul(unit_ms).ok_or_else(unknown)?;
        Timeframe::from_ms(ms).map_err(|_| unknown())
    }
}

impl Serialize for Timeframe {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timeframe {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{epoch_ms, weekday};

    #[test]
    fn names_round_trip() {
        for name in ["1m", "5m", "15m", "30m", "1h", "4h", "1d", "1w"] {
            let tf: Timeframe = name.parse().unwrap();
            assert_eq!(tf.to_string(), name);
        }
        assert_eq!("60m".parse::<Timeframe>().unwrap(), Timeframe::H1);
    }

    #[test]
    fn rejects_unaligned_and_garbage() {
        assert!("7m".parse::<Timeframe>().is_err());
        assert!("2w".parse::<Timeframe>().is_err());
        assert!("abc".parse::<Timeframe>().is_err());
        assert!("".parse::<Timeframe>().is_err());
        assert!(Timeframe::from_ms(0).is_err());
    }

    #[test]
    fn four_hour_periods_start_at_midnight() {
        let t = epoch_ms(2022, 4, 8, 5, 59, 0);
        assert_eq!(
            Timeframe::H4.period_start(Timestamp::from_ms(t)),
            Timestamp::from_ms(epoch_ms(2022, 4, 8, 4, 0, 0))
        );
    }

    #[test]
    fn weeks_start_on_monday() {
        let sunday = epoch_ms(2022, 10, 16, 23, 0, 0);
        let start = Timeframe::W1.period_start(Timestamp::from_ms(sunday));
        assert_eq!(start, Timestamp::from_ms(epoch_ms(2022, 10, 10, 0, 0, 0)));
        assert_eq!(weekday(start.ms()), 0);
        let monday = epoch_ms(2022, 10, 17, 0, 0, 0);
        assert_eq!(
            Timeframe::W1.period_start(Timestamp::from_ms(monday)),
            Timestamp::from_ms(monday)
        );
    }
}
