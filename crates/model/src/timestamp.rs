//! A point in time: epoch milliseconds, UTC. Candle opens, fills, events
//! and round trips carry this type, so that a time cannot be mistaken for a
//! duration, a count or a price; durations stay plain milliseconds (`i64`).

use crate::time::format_utc;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// Milliseconds since 1970-01-01T00:00:00Z.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The earliest time there is (an "always eligible" bound).
    pub const MIN: Timestamp = Timestamp(i64::MIN);
    /// The latest time there is.
    pub const MAX: Timestamp = Timestamp(i64::MAX);
    /// 1970-01-01T00:00:00Z.
    pub const EPOCH: Timestamp = Timestamp(0);

    pub const fn from_ms(ms: i64) -> Self {
        Timestamp(ms)
    }

    /// Milliseconds since the epoch.
    pub const fn ms(self) -> i64 {
        self.0
    }

    /// RFC 3339 in UTC: `2021-01-01T00:00:00Z`.
    pub fn format_utc(self) -> String {
        format_utc(self.0)
    }
}

/// A later time: `t + duration_ms` (saturating, so `MAX` stays `MAX`).
impl Add<i64> for Timestamp {
    type Output = Timestamp;
    fn add(self, ms: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(ms))
    }
}

impl AddAssign<i64> for Timestamp {
    fn add_assign(&mut self, ms: i64) {
        *self = *self + ms;
    }
}

/// An earlier time: `t - duration_ms` (saturating).
impl Sub<i64> for Timestamp {
    type Output = Timestamp;
    fn sub(self, ms: i64) -> Timestamp {
        Timestamp(self.0.saturating_sub(ms))
    }
}

/// The milliseconds between two times (saturating).
impl Sub<Timestamp> for Timestamp {
    type Output = i64;
    fn sub(self, earlier: Timestamp) -> i64 {
        self.0.saturating_sub(earlier.0)
    }
}

impl From<i64> for Timestamp {
    fn from(ms: i64) -> Self {
        Timestamp(ms)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_as_epoch_milliseconds() {
        let t = Timestamp::from_ms(1_609_459_200_000);
        assert_eq!(serde_json::to_string(&t).unwrap(), "1609459200000");
        let back: Timestamp = serde_json::from_str("1609459200000").unwrap();
        assert_eq!(back, t);
        assert_eq!(t.format_utc(), "2021-01-01T00:00:00Z");
    }

    #[test]
    fn arithmetic_is_with_durations_and_saturates() {
        let t = Timestamp::from_ms(1_000);
        assert_eq!((t + 500).ms(), 1_500);
        assert_eq!((t - 1_500).ms(), -500);
        assert_eq!(Timestamp::from_ms(3_000) - t, 2_000);
        assert_eq!(Timestamp::MAX + 1, Timestamp::MAX);
        assert_eq!(Timestamp::MIN - 1, Timestamp::MIN);
        assert_eq!(Timestamp::MIN - Timestamp::MAX, i64::MIN);
    }
}
