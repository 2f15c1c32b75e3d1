//! Which pandas 3 `resample` bin a timestamp falls into, with the default
//! `closed`/`label` and `origin="start_day"` (spec §7.2):
//!
//! - fixed lengths (`15min`, `4h`, `1D`, `3D`, …) are left-closed and
//!   labelled by their start; bins are laid from midnight of the earliest
//!   candle's day, so e.g. `7h` bins do not realign on later days;
//! - `W-<DAY>`, `ME`, `QE`, `YE` are right-closed and labelled by the
//!   period's last day at 00:00 (a `W` week runs Monday 00:00 to Sunday
//!   23:59:59.999 and is labelled Sunday 00:00);
//! - `MS`, `QS`, `YS` are left-closed and labelled by their first day.
//!
//! With a stride `n > 1` pandas steps `n` anchors from the first bin, which
//! it derives from the earliest candle: for end anchors the first anchor on
//! or after that candle's day, minus `n` (`first - freq`, then the grid), for
//! start anchors the anchor on or before it (`freq.rollback(first)`).
//!
//! All times are epoch milliseconds of the data's wall clock.

use super::freq::{Anchor, Freq};
use chrono::{Datelike, NaiveDate};

pub const DAY_MS: i64 = 86_400_000;

/// pandas keeps timestamps as int64 nanoseconds; these are the bounds in
/// milliseconds, beyond which it raises `OutOfBoundsDatetime`.
pub const MIN_MS: i64 = -9_223_372_036_854;
pub const MAX_MS: i64 = 9_223_372_036_854;

/// Days from 0001-01-01 (chrono's day 1) to 1970-01-01.
const EPOCH_DAYS_FROM_CE: i64 = 719_163;

/// One bin: its label and the half-open range `[start, end)` of times in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bin {
    pub label: i64,
    pub start: i64,
    pub end: i64,
}

/// Bins of one frequency, laid out from the earliest candle.
#[derive(Debug, Clone, Copy)]
pub struct Binner {
    freq: Freq,
    /// For fixed lengths the origin in ms; for calendar offsets the index of
    /// the first anchor (see [`anchor_day`]).
    origin: i64,
}

impl Binner {
    /// Lays out the bins for data whose earliest timestamp is `first`.
    pub fn new(freq: Freq, first: i64) -> Option<Binner> {
        let first_day = first.div_euclid(DAY_MS);
        let origin = match freq {
            Freq::Fixed { .. } => first_day.checked_mul(DAY_MS)?,
            Freq::Anchored { anchor, .. } => match anchor_kind(anchor) {
                Kind::End => ceil_anchor(anchor, first_day)?,
                Kind::Start => floor_anchor(anchor, first_day)?,
            },
        };
        Some(Binner { freq, origin })
    }

    /// The bin holding time `t` (`t` at or after the earliest candle), or
    /// `None` if it lies outside pandas' timestamp range.
    pub fn locate(&self, t: i64) -> Option<Bin> {
        let bin = match self.freq {
            Freq::Fixed { ms } => {
                let k = t.checked_sub(self.origin)?.div_euclid(ms);
                let start = self.origin.checked_add(k.checked_mul(ms)?)?;
                Bin {
                    label: start,
                    start,
                    end: start.checked_add(ms)?,
                }
            }
            Freq::Anchored { n, anchor } => {
                let day = t.div_euclid(DAY_MS);
                match anchor_kind(anchor) {
                    Kind::End => {
                        // Right-closed: the first grid anchor on or after the day.
                        let a = ceil_anchor(anchor, day)?;
                        let steps = ceil_div(a.checked_sub(self.origin)?, n);
                        let label = self.origin.checked_add(steps.checked_mul(n)?)?;
                        let last_day = anchor_day(anchor, label)?;
                        let previous_day = anchor_day(anchor, label.checked_sub(n)?)?;
                        Bin {
                            label: last_day.checked_mul(DAY_MS)?,
                            start: previous_day.checked_add(1)?.checked_mul(DAY_MS)?,
                            end: last_day.checked_add(1)?.checked_mul(DAY_MS)?,
                        }
                    }
                    Kind::Start => {
                        // Left-closed: the last grid anchor on or before the day.
                        let f = floor_anchor(anchor, day)?;
                        let steps = f.checked_sub(self.origin)?.div_euclid(n);
                        let label = self.origin.checked_add(steps.checked_mul(n)?)?;
                        let first_day = anchor_day(anchor, label)?;
                        let next_day = anchor_day(anchor, label.checked_add(n)?)?;
                        Bin {
                            label: first_day.checked_mul(DAY_MS)?,
                            start: first_day.checked_mul(DAY_MS)?,
                            end: next_day.checked_mul(DAY_MS)?,
                        }
                    }
                }
            }
        };
        (bin.start >= MIN_MS && bin.end <= MAX_MS).then_some(bin)
    }
}

enum Kind {
    End,
    Start,
}

fn anchor_kind(anchor: Anchor) -> Kind {
    match anchor {
        Anchor::Week { .. } | Anchor::Month { end: true, .. } => Kind::End,
        Anchor::Month { end: false, .. } => Kind::Start,
    }
}

/// `ceil(a / b)` for `b > 0`.
fn ceil_div(a: i64, b: i64) -> i64 {
    let q = a.div_euclid(b);
    if a.rem_euclid(b) == 0 { q } else { q + 1 }
}

/// Days since 1970-01-01 of weekday `weekday` (0 = Monday) closest after
/// day 0; 1970-01-01 was a Thursday (3).
fn week_offset(weekday: i64) -> i64 {
    (weekday - 3).rem_euclid(7)
}

/// Month index (`year * 12 + month - 1`) of the epoch day `day`.
fn month_index(day: i64) -> Option<i64> {
    let date = NaiveDate::from_num_days_from_ce_opt(i32::try_from(day + EPOCH_DAYS_FROM_CE).ok()?)?;
    Some(i64::from(date.year()) * 12 + i64::from(date.month0()))
}

/// Epoch day of the first day of month index `month`.
fn month_first_day(month: i64) -> Option<i64> {
    let year = i32::try_from(month.div_euclid(12)).ok()?;
    let date = NaiveDate::from_ymd_opt(year, u32::try_from(month.rem_euclid(12)).ok()? + 1, 1)?;
    Some(i64::from(date.num_days_from_ce()) - EPOCH_DAYS_FROM_CE)
}

/// The index of the first anchor on or after epoch day `day`.
fn ceil_anchor(anchor: Anchor, day: i64) -> Option<i64> {
    Some(match anchor {
        Anchor::Week { weekday } => ceil_div(day - week_offset(weekday), 7),
        // A month's end anchor is its last day, on or after any day in it.
        Anchor::Month { step, month, .. } => ceil_div(month_index(day)? - (month - 1), step),
    })
}

/// The index of the last anchor on or before epoch day `day` (start
/// anchors: a month's anchor is its first day).
fn floor_anchor(anchor: Anchor, day: i64) -> Option<i64> {
    Some(match anchor {
        Anchor::Week { weekday } => (day - week_offset(weekday)).div_euclid(7),
        Anchor::Month { step, month, .. } => (month_index(day)? - (month - 1)).div_euclid(step),
    })
}

/// The epoch day of anchor number `index`.
fn anchor_day(anchor: Anchor, index: i64) -> Option<i64> {
    match anchor {
        Anchor::Week { weekday } => index.checked_mul(7)?.checked_add(week_offset(weekday)),
        Anchor::Month { step, month, end } => {
            let m = index.checked_mul(step)?.checked_add(month - 1)?;
            if end {
                Some(month_first_day(m.checked_add(1)?)? - 1)
            } else {
                month_first_day(m)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Epoch ms of a wall-clock time.
    fn at(y: i32, m: u32, d: u32, hh: u32, mm: u32) -> i64 {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|date| date.and_hms_opt(hh, mm, 0))
            .map(|dt| dt.and_utc().timestamp_millis())
            .unwrap()
    }

    fn label(text: &str, first: i64, t: i64) -> i64 {
        let binner = Binner::new(Freq::parse(text).unwrap(), first).unwrap();
        let bin = binner.locate(t).unwrap();
        assert!(
            bin.start <= t && t < bin.end,
            "{text}: {bin:?} does not hold {t}"
        );
        bin.label
    }

    #[test]
    fn fixed_bins_start_at_the_first_midnight() {
        let first = at(2024, 1, 3, 5, 17);
        assert_eq!(label("4h", first, first), at(2024, 1, 3, 4, 0));
        assert_eq!(
            label("7h", first, at(2024, 1, 4, 1, 0)),
            at(2024, 1, 3, 21, 0)
        );
        assert_eq!(
            label("3D", first, at(2024, 1, 8, 0, 0)),
            at(2024, 1, 6, 0, 0)
        );
    }

    #[test]
    fn weeks_end_on_sunday_and_are_labelled_by_it() {
        let first = at(2024, 1, 3, 0, 0); // a Wednesday
        assert_eq!(
            label("W", first, at(2024, 1, 7, 23, 59)),
            at(2024, 1, 7, 0, 0)
        );
        assert_eq!(
            label("W", first, at(2024, 1, 8, 0, 0)),
            at(2024, 1, 14, 0, 0)
        );
        // 2W: the grid starts at the Sunday before the first candle's week.
        assert_eq!(
            label("2W", first, at(2024, 1, 3, 0, 0)),
            at(2024, 1, 7, 0, 0)
        );
        assert_eq!(
            label("2W", first, at(2024, 1, 8, 0, 0)),
            at(2024, 1, 21, 0, 0)
        );
        assert_eq!(
            label("W-MON", first, at(2024, 1, 8, 12, 0)),
            at(2024, 1, 8, 0, 0)
        );
    }

    #[test]
    fn months_quarters_years() {
        let first = at(2024, 1, 15, 0, 0);
        assert_eq!(
            label("ME", first, at(2024, 2, 29, 23, 0)),
            at(2024, 2, 29, 0, 0)
        );
        assert_eq!(
            label("MS", first, at(2024, 2, 29, 23, 0)),
            at(2024, 2, 1, 0, 0)
        );
        assert_eq!(
            label("2MS", first, at(2024, 2, 29, 23, 0)),
            at(2024, 1, 1, 0, 0)
        );
        assert_eq!(
            label("QE", first, at(2024, 4, 1, 0, 0)),
            at(2024, 6, 30, 0, 0)
        );
        assert_eq!(
            label("QS-FEB", first, at(2024, 4, 1, 0, 0)),
            at(2024, 2, 1, 0, 0)
        );
        assert_eq!(
            label("YE", first, at(2024, 4, 1, 0, 0)),
            at(2024, 12, 31, 0, 0)
        );
        assert_eq!(
            label("YS", first, at(2024, 4, 1, 0, 0)),
            at(2024, 1, 1, 0, 0)
        );
    }
}
