//! Parsing of pandas 3 frequency strings (`resample(rule)`), for
//! `previous_high_low`'s `time_frame` (spec §7.2, §7.6).
//!
//! The grammar mirrors pandas' `to_offset`: one or more `[+]stride name`
//! components separated by optional whitespace, e.g. `15min`, `4h`, `1D`,
//! `1h30min`, `1.5h`, `W`, `2W-MON`, `ME`, `QE-JAN`. Fixed-length ("tick")
//! components may be combined and may have decimal strides; calendar
//! offsets stand alone with an integer stride. Names are case-sensitive the
//! way pandas 3 has them: `h`, `s`, `ms` and `D`/`d` exactly, `min`, `us`
//! and `ns` in any case, `W`/`w` with a weekday suffix in any case, and
//! `ME`/`MS`/`QE`/`QS`/`YE`/`YS` with an upper-case month suffix. The
//! uppercase spellings of the library's own docstring (`1H`, `4H`, `1M`,
//! `15m`) are rejected by pandas 3, and so by us.

use crate::ParityError;

/// A resampling frequency we can reproduce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freq {
    /// Fixed-length bins of `ms` milliseconds (`min`, `h`, `D`, …).
    Fixed { ms: i64 },
    /// Calendar bins of `n` anchors each.
    Anchored { n: i64, anchor: Anchor },
}

/// The calendar anchors of pandas' weekly, monthly, quarterly and yearly
/// offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Anchor {
    /// `W-<DAY>`: weeks ending on `weekday` (0 = Monday … 6 = Sunday).
    Week { weekday: i64 },
    /// `ME`/`QE`/`YE` (`end`) or `MS`/`QS`/`YS`: every `step`-th month
    /// (1, 3 or 12) counted from `month` (1-12).
    Month { step: i64, month: i64, end: bool },
}

const NS_PER_MS: i128 = 1_000_000;

/// Nanoseconds per unit of each tick name, finest last.
const TICK_UNITS: [(&str, i128); 7] = [
    ("D", 86_400_000_000_000),
    ("h", 3_600_000_000_000),
    ("min", 60_000_000_000),
    ("s", 1_000_000_000),
    ("ms", 1_000_000),
    ("us", 1_000),
    ("ns", 1),
];

/// One `stride name` component of a frequency string.
struct Component<'a> {
    /// The stride as written (digits, maybe a `.` and a leading `+`).
    stride: &'a str,
    name: &'a str,
}

impl Freq {
    /// Parses a pandas 3 frequency string, or explains why we cannot use it.
    pub fn parse(text: &str) -> Result<Freq, ParityError> {
        let invalid = || ParityError::TimeFrame(text.to_string());
        let components = split_components(text).ok_or_else(invalid)?;
        let [first, rest @ ..] = components.as_slice() else {
            return Err(invalid());
        };
        if let Some(anchor) = calendar_anchor(first.name) {
            // Calendar offsets take an integer stride and cannot be combined.
            if !rest.is_empty() {
                return Err(invalid());
            }
            let n = integer_stride(first.stride).ok_or_else(invalid)?;
            if n < 1 {
                return Err(unsupported(text, "the stride must be at least 1"));
            }
            return Ok(Freq::Anchored { n, anchor });
        }
        let mut total_ns: i128 = 0;
        for component in &components {
            let Some(unit) = tick_unit(component.name) else {
                if is_known_unsupported(component.name) {
                    return Err(unsupported(
                        text,
                        "business-day, semi-month and business-hour offsets are not supported",
                    ));
                }
                return Err(invalid());
            };
            let ns = tick_nanos(component.stride, unit).ok_or_else(invalid)?;
            total_ns = total_ns.checked_add(ns).ok_or_else(invalid)?;
        }
        if total_ns <= 0 {
            return Err(unsupported(text, "the period must be positive"));
        }
        if total_ns % NS_PER_MS != 0 {
            return Err(unsupported(
                text,
                "periods finer than a millisecond are not supported",
            ));
        }
        let ms = i64::try_from(total_ns / NS_PER_MS)
            .map_err(|_| unsupported(text, "the period is too long"))?;
        Ok(Freq::Fixed { ms })
    }
}

fn unsupported(text: &str, reason: &'static str) -> ParityError {
    ParityError::TimeFrameUnsupported {
        time_frame: text.to_string(),
        reason,
    }
}

/// Splits `text` like pandas' offset pattern does: optional whitespace,
/// then `[+-]digits[.digits]`, optional whitespace, then a name of letters
/// with an optional `-suffix`. `None` if anything else is left over. A
/// negative sign is refused here: pandas' handling of it is inconsistent
/// and a negative period is never valid for resampling.
fn split_components(text: &str) -> Option<Vec<Component<'_>>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i == bytes.len() {
            break;
        }
        let stride_start = i;
        if bytes[i] == b'+' {
            i += 1;
        }
        while i < bytes.len() && (bytes[i].is_ascii_digit() || bytes[i] == b'.') {
            i += 1;
        }
        let stride = &text[stride_start..i];
        if stride.bytes().filter(|&b| b == b'.').count() > 1 {
            return None;
        }
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let name_start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
            i += 1;
        }
        if i == name_start {
            return None;
        }
        if i < bytes.len() && bytes[i] == b'-' {
            i += 1;
            let suffix_start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'-') {
                i += 1;
            }
            if i == suffix_start {
                return None;
            }
        }
        out.push(Component {
            stride,
            name: &text[name_start..i],
        });
    }
    Some(out)
}

/// An integer stride (`""` is 1); pandas uses `int()`, so no decimals.
fn integer_stride(stride: &str) -> Option<i64> {
    let digits = stride.strip_prefix('+').unwrap_or(stride);
    if digits.is_empty() {
        return (stride.is_empty()).then_some(1);
    }
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// The index into [`TICK_UNITS`] of a fixed-length unit name.
fn tick_unit(name: &str) -> Option<usize> {
    let canonical = match name {
        "D" | "d" => "D",
        "h" => "h",
        "s" => "s",
        "ms" => "ms",
        _ if name.eq_ignore_ascii_case("min") => "min",
        _ if name.eq_ignore_ascii_case("us") => "us",
        _ if name.eq_ignore_ascii_case("ns") => "ns",
        _ => return None,
    };
    TICK_UNITS.iter().position(|(unit, _)| *unit == canonical)
}

/// The length in nanoseconds of `stride` units, computed as pandas does
/// `Tick * float`: the float product must be within 1e-8 above an integer
/// (then truncated), otherwise the next finer unit is tried.
fn tick_nanos(stride: &str, unit: usize) -> Option<i128> {
    let digits = stride.strip_prefix('+').unwrap_or(stride);
    let value: f64 = if stride.is_empty() {
        1.0
    } else if digits.is_empty() || digits == "." {
        return None;
    } else {
        digits.parse().ok()?
    };
    let base = TICK_UNITS[unit].1;
    for &(_, unit_ns) in &TICK_UNITS[unit..] {
        let factor = (base / unit_ns) as f64;
        let n = value * factor;
        if !n.is_finite() || n >= 1e30 {
            return None;
        }
        if n % 1.0 <= 1e-8 {
            return (n.trunc() as i128).checked_mul(unit_ns);
        }
    }
    None
}

/// The calendar anchor of a weekly/monthly/quarterly/yearly name.
fn calendar_anchor(name: &str) -> Option<Anchor> {
    let (base, suffix) = match name.split_once('-') {
        Some((base, suffix)) => (base, Some(suffix)),
        None => (name, None),
    };
    match base {
        "W" | "w" => {
            let weekday = match suffix {
                None => 6,
                Some(day) => weekday_index(day)?,
            };
            Some(Anchor::Week { weekday })
        }
        "ME" | "MS" if suffix.is_none() => Some(Anchor::Month {
            step: 1,
            month: 1,
            end: base == "ME",
        }),
        "QE" | "QS" | "YE" | "YS" => {
            let end = base.ends_with('E');
            let default = if end { 12 } else { 1 };
            let month = match suffix {
                None => default,
                Some(month) => month_index(month)?,
            };
            let step = if base.starts_with('Q') { 3 } else { 12 };
            Some(Anchor::Month { step, month, end })
        }
        _ => None,
    }
}

fn weekday_index(day: &str) -> Option<i64> {
    const DAYS: [&str; 7] = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"];
    DAYS.iter()
        .position(|d| d.eq_ignore_ascii_case(day))
        .map(|i| i as i64)
}

fn month_index(month: &str) -> Option<i64> {
    const MONTHS: [&str; 12] = [
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ];
    MONTHS
        .iter()
        .position(|m| *m == month)
        .map(|i| i as i64 + 1)
}

/// Offsets pandas 3 accepts that we do not reproduce: business days and
/// hours, semi-months, business month/quarter/year ends and starts.
const UNSUPPORTED: [&str; 14] = [
    "B", "b", "C", "c", "bh", "cbh", "SME", "SMS", "BME", "BMS", "BQE", "BQS", "BYE", "BYS",
];

fn is_known_unsupported(name: &str) -> bool {
    let base = name.split_once('-').map_or(name, |(base, _)| base);
    UNSUPPORTED.contains(&base)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(text: &str) -> i64 {
        match Freq::parse(text) {
            Ok(Freq::Fixed { ms }) => ms,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn fixed_lengths() {
        assert_eq!(fixed("15min"), 900_000);
        assert_eq!(fixed("1h"), 3_600_000);
        assert_eq!(fixed("h"), 3_600_000);
        assert_eq!(fixed("4h"), 14_400_000);
        assert_eq!(fixed("1D"), 86_400_000);
        assert_eq!(fixed("D"), 86_400_000);
        assert_eq!(fixed("3D"), 3 * 86_400_000);
        assert_eq!(fixed("1h30min"), 5_400_000);
        assert_eq!(fixed("1.5h"), 5_400_000);
        assert_eq!(fixed(".5h"), 1_800_000);
        assert_eq!(fixed(" 1 D "), 86_400_000);
        assert_eq!(fixed("+2h"), 7_200_000);
        assert_eq!(fixed("1MIN"), 60_000);
        assert_eq!(fixed("1D2D"), 3 * 86_400_000);
        assert_eq!(fixed("2 h 3 min"), 7_380_000);
        assert_eq!(fixed("1.25min"), 75_000);
    }

    #[test]
    fn calendar_offsets() {
        let week = |weekday| Anchor::Week { weekday };
        assert_eq!(
            Freq::parse("W"),
            Ok(Freq::Anchored {
                n: 1,
                anchor: week(6)
            })
        );
        assert_eq!(
            Freq::parse("1W"),
            Ok(Freq::Anchored {
                n: 1,
                anchor: week(6)
            })
        );
        assert_eq!(
            Freq::parse("2w-mon"),
            Ok(Freq::Anchored {
                n: 2,
                anchor: week(0)
            })
        );
        let month = |step, month, end| Anchor::Month { step, month, end };
        assert_eq!(
            Freq::parse("ME"),
            Ok(Freq::Anchored {
                n: 1,
                anchor: month(1, 1, true)
            })
        );
        assert_eq!(
            Freq::parse("MS"),
            Ok(Freq::Anchored {
                n: 1,
                anchor: month(1, 1, false)
            })
        );
        assert_eq!(
            Freq::parse("QE"),
            Ok(Freq::Anchored {
                n: 1,
                anchor: month(3, 12, true)
            })
        );
        assert_eq!(
            Freq::parse("QS-FEB"),
            Ok(Freq::Anchored {
                n: 1,
                anchor: month(3, 2, false)
            })
        );
        assert_eq!(
            Freq::parse("2YE-JUN"),
            Ok(Freq::Anchored {
                n: 2,
                anchor: month(12, 6, true)
            })
        );
    }

    #[test]
    fn pandas_3_rejections() {
        // The docstring's spellings and other pre-3.0 aliases (spec §7.6).
        for text in [
            "15m", "1H", "4H", "1M", "M", "Q", "Y", "A", "T", "S", "H", "", " ", "1.5W", "W1D",
            "1W1D", "ME-JAN", "QE-dec", "W-MONDAY", "h2", "2h,", "+h", "1e3s", "1.001s", "me",
        ] {
            assert!(
                matches!(Freq::parse(text), Err(ParityError::TimeFrame(_))),
                "{text:?}: {:?}",
                Freq::parse(text)
            );
        }
    }

    #[test]
    fn valid_but_unsupported() {
        for text in [
            "B", "2bh", "SME", "BQE-MAR", "1us", "0.5ms", "0h", "0W", "-1D",
        ] {
            assert!(Freq::parse(text).is_err(), "{text}");
        }
        assert!(matches!(
            Freq::parse("B"),
            Err(ParityError::TimeFrameUnsupported { .. })
        ));
        assert!(matches!(
            Freq::parse("0h"),
            Err(ParityError::TimeFrameUnsupported { .. })
        ));
    }
}
