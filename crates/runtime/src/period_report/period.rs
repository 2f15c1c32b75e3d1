//! Which instants a report covers: the local day of a date, or the ISO
//! week (Monday to Sunday) that contains it, bounded by midnights in the
//! report's time zone (so a day can be 23 or 25 hours long across a DST
//! change).

use super::ReportError;
use chrono::{Datelike, Days, NaiveDate, TimeZone};
use chrono_tz::Tz;
use smc_report::period::PeriodKind;

/// A report's span: `[start, end)` in epoch ms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub kind: PeriodKind,
    /// `2026-12-07` or `2026-W49`.
    pub label: String,
    pub tz: Tz,
    pub start: i64,
    pub end: i64,
}

/// The first instant of `date` in `tz`: its midnight, or when a DST gap
/// skips midnight, the first local time after it.
fn midnight(date: NaiveDate, tz: Tz) -> Result<i64, ReportError> {
    let naive = date
        .and_hms_opt(0, 0, 0)
        .ok_or_else(|| ReportError::Date(format!("{date} has no midnight")))?;
    // No zone skips more than a few hours; try each of them in turn.
    (0..=6)
        .filter_map(|h| {
            tz.from_local_datetime(&(naive + chrono::Duration::hours(h)))
                .earliest()
        })
        .map(|t| t.timestamp_millis())
        .next()
        .ok_or_else(|| ReportError::Date(format!("{date} has no start in {tz}")))
}

fn next_day(date: NaiveDate, days: u64) -> Result<NaiveDate, ReportError> {
    date.checked_add_days(Days::new(days))
        .ok_or_else(|| ReportError::Date(format!("{date} is out of range")))
}

impl Period {
    /// The day of `date`, or the ISO week that contains it, in `tz`.
    pub fn of(kind: PeriodKind, date: NaiveDate, tz: Tz) -> Result<Period, ReportError> {
        let (first, days, label) = match kind {
            PeriodKind::Daily => (date, 1, date.format("%Y-%m-%d").to_string()),
            PeriodKind::Weekly => {
                let back = u64::from(date.weekday().num_days_from_monday());
                let monday = date
                    .checked_sub_days(Days::new(back))
                    .ok_or_else(|| ReportError::Date(format!("{date} is out of range")))?;
                let week = date.iso_week();
                (monday, 7, format!("{}-W{:02}", week.year(), week.week()))
            }
        };
        Ok(Period {
            kind,
            label,
            tz,
            start: midnight(first, tz)?,
            end: midnight(next_day(first, days)?, tz)?,
        })
    }

    /// The days of a weekly period, each as a daily period.
    pub fn days(&self) -> Result<Vec<Period>, ReportError> {
        let first = self.local_date(self.start)?;
        (0..7)
            .map(|i| Period::of(PeriodKind::Daily, next_day(first, i)?, self.tz))
            .collect()
    }

    fn local_date(&self, ms: i64) -> Result<NaiveDate, ReportError> {
        chrono::DateTime::from_timestamp_millis(ms)
            .map(|t| t.with_timezone(&self.tz).date_naive())
            .ok_or_else(|| ReportError::Date(format!("{ms} ms is out of range")))
    }

    /// `ms` in the period's zone, RFC 3339 to the second with its offset.
    pub fn local(&self, ms: i64) -> String {
        chrono::DateTime::from_timestamp_millis(ms).map_or_else(
            || ms.to_string(),
            |t| {
                t.with_timezone(&self.tz)
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
            },
        )
    }

    /// Whether `ms` falls inside.
    pub fn contains(&self, ms: i64) -> bool {
        (self.start..self.end).contains(&ms)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_utc_day_is_24_hours_from_midnight() {
        let p = Period::of(PeriodKind::Daily, date("2026-12-07"), Tz::UTC).unwrap();
        assert_eq!(p.start, 1_796_601_600_000);
        assert_eq!(p.end - p.start, 86_400_000);
        assert_eq!(p.label, "2026-12-07");
        assert_eq!(p.local(p.start), "2026-12-07T00:00:00+00:00");
    }

    #[test]
    fn a_week_runs_monday_to_sunday_and_is_named_by_its_iso_week() {
        // Thursday 2026-12-10 is in the week of Monday 2026-12-07.
        let p = Period::of(PeriodKind::Weekly, date("2026-12-10"), Tz::UTC).unwrap();
        assert_eq!(p.start, 1_796_601_600_000);
        assert_eq!(p.end - p.start, 7 * 86_400_000);
        assert_eq!(p.label, "2026-W50");
        let days = p.days().unwrap();
        assert_eq!(days.first().unwrap().start, p.start);
        assert_eq!(days.last().unwrap().end, p.end);
        // ISO week-years: 2027-01-01 is a Friday of 2026's week 53.
        let p = Period::of(PeriodKind::Weekly, date("2027-01-01"), Tz::UTC).unwrap();
        assert_eq!(p.label, "2026-W53");
    }

    #[test]
    fn local_days_follow_the_zone_and_its_dst_changes() {
        let tz: Tz = "America/New_York".parse().unwrap();
        let p = Period::of(PeriodKind::Daily, date("2026-12-07"), tz).unwrap();
        assert_eq!(p.start, 1_796_601_600_000 + 5 * 3_600_000);
        assert_eq!(p.local(p.start), "2026-12-07T00:00:00-05:00");
        // 2026-03-08: clocks go forward, a 23-hour day.
        let p = Period::of(PeriodKind::Daily, date("2026-03-08"), tz).unwrap();
        assert_eq!(p.end - p.start, 23 * 3_600_000);
        // Santiago skips midnight itself (2026-09-06 00:00 does not exist).
        let tz: Tz = "America/Santiago".parse().unwrap();
        let p = Period::of(PeriodKind::Daily, date("2026-09-06"), tz).unwrap();
        assert_eq!(p.local(p.start), "2026-09-06T01:00:00-03:00");
    }
}
