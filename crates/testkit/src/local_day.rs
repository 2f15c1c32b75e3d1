//! The day a simulated session's candles fall on. The simulator's candles
//! start at the wall clock and run hours ahead of it, so in UTC a session
//! started in the evening spans two days and a test that reports "the
//! session's day" would see part of it; of the fixed-offset zones
//! (`Etc/GMT-14` … `Etc/GMT+12`), one holds it in one local day.

use smc_model::time::civil_from_days;

const HOUR: i64 = 3_600_000;

/// A local day and the zone it is a day of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalDay {
    /// `YYYY-MM-DD`.
    pub date: String,
    /// An IANA name: `UTC`, or `Etc/GMT∓h` (POSIX signs: `Etc/GMT-3` is
    /// three hours ahead of UTC).
    pub zone: String,
}

/// The day holding every time from `first` to `last` (epoch ms) in UTC if
/// it can, else in the fixed offset nearest to UTC that can; `None` when
/// the span is longer than any one day can hold.
pub fn one_local_day(first: i64, last: i64) -> Option<LocalDay> {
    let day = |ms: i64, hours: i64| (ms + hours * HOUR).div_euclid(24 * HOUR);
    let hours = (0..=14)
        .flat_map(|h| [h, -h])
        .filter(|h| (-12..=14).contains(h))
        .find(|&h| day(first, h) == day(last, h))?;
    let (y, m, d) = civil_from_days(day(first, hours));
    Some(LocalDay {
        date: format!("{y}-{m:02}-{d:02}"),
        zone: match hours {
            0 => "UTC".to_string(),
            h => format!("Etc/GMT{:+}", -h),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_evening_session_is_held_by_a_zone_behind_utc() {
        // 2026-12-07 20:00 UTC; three hours on is the same UTC day, five
        // are not, and two hours behind UTC hold them in one day.
        let first = 1_796_673_600_000;
        assert_eq!(
            one_local_day(first, first + 3 * HOUR),
            Some(LocalDay {
                date: "2026-12-07".into(),
                zone: "UTC".into()
            })
        );
        let held = one_local_day(first, first + 5 * HOUR).unwrap();
        assert_eq!(held.date, "2026-12-07");
        assert_eq!(held.zone, "Etc/GMT+2");
        assert_eq!(one_local_day(first, first + 30 * HOUR), None);
    }
}
