//! Calendar arithmetic on epoch milliseconds (UTC), without a time-zone
//! library: the proleptic Gregorian calendar of Howard Hinnant's
//! `days_from_civil` algorithm.

/// Milliseconds in one minute, hour, day and week.
pub const MINUTE_MS: i64 = 60_000;
pub const HOUR_MS: i64 = 60 * MINUTE_MS;
pub const DAY_MS: i64 = 24 * HOUR_MS;
pub const WEEK_MS: i64 = 7 * DAY_MS;

/// Days since 1970-01-01 of the civil date `y-m-d` (month 1..=12).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date `(year, month, day)` of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Number of days in the month `m` of year `y`.
pub fn days_in_month(y: i64, m: u32) -> u32 {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    (days_from_civil(ny, nm, 1) - days_from_civil(y, m, 1)) as u32
}

/// Epoch milliseconds of a civil date and time of day (UTC).
pub fn epoch_ms(y: i64, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> i64 {
    days_from_civil(y, mo, d) * DAY_MS
        + i64::from(h) * HOUR_MS
        + i64::from(mi) * MINUTE_MS
        + i64::from(s) * 1000
}

/// Day of the week of an epoch-ms instant, 0 = Monday … 6 = Sunday.
pub fn weekday(ms: i64) -> u32 {
    // 1970-01-01 was a Thursday (3 when Monday is 0).
    (ms.div_euclid(DAY_MS) + 3).rem_euclid(7) as u32
}

/// Formats epoch ms as `YYYY-MM-DDTHH:MM:SSZ` (UTC), for messages and reports.
pub fn format_utc(ms: i64) -> String {
    let days = ms.div_euclid(DAY_MS);
    let rem = ms.rem_euclid(DAY_MS);
    let (y, m, d) = civil_from_days(days);
    let (h, mi, s) = (
        rem / HOUR_MS,
        rem % HOUR_MS / MINUTE_MS,
        rem % MINUTE_MS / 1000,
    );
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(epoch_ms(2022, 4, 8, 0, 0, 0), 1_649_376_000_000);
        assert_eq!(
            weekday(epoch_ms(2022, 10, 10, 0, 0, 0)),
            0,
            "2022-10-10 was a Monday"
        );
        assert_eq!(days_in_month(2024, 2), 29);
        assert_eq!(days_in_month(2023, 2), 28);
        assert_eq!(format_utc(1_649_376_300_000), "2022-04-08T00:05:00Z");
    }

    proptest! {
        #[test]
        fn civil_round_trip(days in -1_000_000i64..1_000_000) {
            let (y, m, d) = civil_from_days(days);
            prop_assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
