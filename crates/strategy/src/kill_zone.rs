//! ICT kill zones: the hours of the day (UTC) when institutional order flow
//! is said to concentrate. The windows are the reference library's
//! (smartmoneyconcepts 0.0.27 `sessions`): Asian 00:00–04:00, London open
//! 06:00–09:00, New York 11:00–14:00, London close 14:00–16:00 (UTC).

use serde::Deserialize;

/// One kill zone, by the name the config uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KillZone {
    Asian,
    LondonOpen,
    NewYork,
    LondonClose,
}

const HOUR_MS: i64 = 3_600_000;

impl KillZone {
    /// Its window as [start, end) hours of the UTC day.
    pub fn hours(self) -> (i64, i64) {
        match self {
            KillZone::Asian => (0, 4),
            KillZone::LondonOpen => (6, 9),
            KillZone::NewYork => (11, 14),
            KillZone::LondonClose => (14, 16),
        }
    }

    /// Whether the instant `ms` (epoch ms, UTC) falls in the zone.
    pub fn contains(self, ms: i64) -> bool {
        let hour = ms.rem_euclid(24 * HOUR_MS) / HOUR_MS;
        let (start, end) = self.hours();
        (start..end).contains(&hour)
    }
}

/// Whether `ms` is in any of `zones`; no zones means no filter.
pub fn in_kill_zone(zones: &[KillZone], ms: i64) -> bool {
    zones.is_empty() || zones.iter().any(|z| z.contains(ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_half_open_utc_hours() {
        let at = |h: i64, m: i64| {
            1_700_000_000_000i64.div_euclid(86_400_000) * 86_400_000 + h * HOUR_MS + m * 60_000
        };
        assert!(KillZone::LondonOpen.contains(at(6, 0)));
        assert!(KillZone::LondonOpen.contains(at(8, 59)));
        assert!(!KillZone::LondonOpen.contains(at(9, 0)));
        assert!(KillZone::NewYork.contains(at(13, 30)));
        assert!(
            !KillZone::NewYork.contains(at(14, 0)) && KillZone::LondonClose.contains(at(14, 0))
        );
        assert!(in_kill_zone(&[], at(20, 0)), "no zones, no filter");
        assert!(!in_kill_zone(
            &[KillZone::Asian, KillZone::NewYork],
            at(20, 0)
        ));
        assert!(
            KillZone::Asian.contains(-HOUR_MS * 21),
            "before the epoch: 03:00"
        );
    }
}
