//! Field parsers for the CSV hot path. Plain decimals (`-123.4500`) are
//! parsed by hand into an exact `Decimal` because `Decimal::from_str` would
//! dominate the cost of reading a million rows; anything unusual (exponents,
//! more than 28 digits) falls back to `rust_decimal`'s own parsers.

use rust_decimal::Decimal;
use smc_model::time::epoch_ms;
use std::str::FromStr;

/// Parses an exact decimal such as `4261.48`, `-0.0000533` or `1e-5`.
pub fn parse_decimal(field: &[u8]) -> Option<Decimal> {
    parse_plain_decimal(field).or_else(|| {
        let s = std::str::from_utf8(field).ok()?.trim();
        Decimal::from_str(s)
            .or_else(|_| Decimal::from_scientific(s))
            .ok()
    })
}

fn parse_plain_decimal(field: &[u8]) -> Option<Decimal> {
    let (negative, digits) = match field.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, field),
    };
    if digits.len() <= 18 {
        return parse_short(negative, digits);
    }
    let mut mantissa: u64 = 0;
    let mut scale: u32 = 0;
    let mut seen_dot = false;
    let mut seen_digit = false;
    for &b in digits {
        match b {
            b'0'..=b'9' => {
                // 18 significant digits always fit in u64; longer input uses the fallback.
                mantissa = mantissa.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
                if mantissa > 999_999_999_999_999_999 {
                    return None;
                }
                seen_digit = true;
                if seen_dot {
                    scale += 1;
                }
            }
            b'.' if !seen_dot => seen_dot = true,
            _ => return None,
        }
    }
    if !seen_digit || scale > 28 {
        return None;
    }
    Some(from_mantissa(negative, mantissa, scale))
}

/// At most 18 characters hold at most 18 digits, which cannot overflow a
/// u64 nor reach a scale above 28: the loop needs no checks, and the digits
/// go straight into the decimal's 96-bit mantissa.
#[inline]
fn parse_short(negative: bool, digits: &[u8]) -> Option<Decimal> {
    let mut mantissa: u64 = 0;
    let mut dot: Option<usize> = None;
    for (i, &b) in digits.iter().enumerate() {
        let d = b.wrapping_sub(b'0');
        if d < 10 {
            // At most 18 digits: no overflow, so no overflow check either.
            mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(d));
        } else if b == b'.' && dot.is_none() {
            dot = Some(i);
        } else {
            return None;
        }
    }
    let scale = match dot {
        Some(i) => digits.len() - i - 1,
        None => 0,
    };
    // A lone `.` (or nothing) has no digit.
    if digits.len() == usize::from(dot.is_some()) {
        return None;
    }
    Some(from_mantissa(negative, mantissa, scale as u32))
}

/// The decimal `±mantissa × 10^-scale`, with zero always positive (as
/// `Decimal::try_from_i128_with_scale` makes it).
#[inline]
fn from_mantissa(negative: bool, mantissa: u64, scale: u32) -> Decimal {
    Decimal::from_parts(
        mantissa as u32,
        (mantissa >> 32) as u32,
        0,
        negative && mantissa != 0,
        scale,
    )
}

/// Parses an integer epoch-milliseconds timestamp.
pub fn parse_epoch_ms(field: &[u8]) -> Option<i64> {
    let (negative, digits) = match field.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, field),
    };
    if digits.is_empty() || digits.len() > 18 {
        return std::str::from_utf8(field).ok()?.trim().parse().ok();
    }
    let mut value: i64 = 0;
    for &b in digits {
        if !b.is_ascii_digit() {
            return std::str::from_utf8(field).ok()?.trim().parse().ok();
        }
        value = value * 10 + i64::from(b - b'0');
    }
    Some(if negative { -value } else { value })
}

/// Parses a MetaTrader date `YYYY.MM.DD HH:MM[:SS]` (also with `-` between
/// the date parts), taken as UTC, to epoch milliseconds.
pub fn parse_metatrader_date(field: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(field).ok()?.trim();
    let (date, time) = s.split_once(' ')?;
    let mut d = date.split(['.', '-']);
    let y: i64 = d.next()?.parse().ok()?;
    let mo: u32 = d.next()?.parse().ok()?;
    let day: u32 = d.next()?.parse().ok()?;
    let mut t = time.trim().split(':');
    let h: u32 = t.next()?.parse().ok()?;
    let mi: u32 = t.next()?.parse().ok()?;
    let sec: u32 = match t.next() {
        Some(x) => x.parse().ok()?,
        None => 0,
    };
    let valid = d.next().is_none()
        && t.next().is_none()
        && (1..=12).contains(&mo)
        && day >= 1
        && day <= smc_model::time::days_in_month(y, mo)
        && h < 24
        && mi < 60
        && sec < 60;
    valid.then(|| epoch_ms(y, mo, day, h, mi, sec))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rust_decimal::dec;

    #[test]
    fn plain_decimals_are_exact() {
        assert_eq!(parse_decimal(b"4261.48"), Some(dec!(4261.48)));
        assert_eq!(parse_decimal(b"-0.0000533"), Some(dec!(-0.0000533)));
        assert_eq!(parse_decimal(b"47"), Some(dec!(47)));
        assert_eq!(parse_decimal(b".5"), Some(dec!(0.5)));
    }

    #[test]
    fn unusual_decimals_use_the_fallback() {
        assert_eq!(parse_decimal(b"1e-5"), Some(dec!(0.00001)));
        assert_eq!(
            parse_decimal(b"12345678901234567890.5"),
            Some(dec!(12345678901234567890.5))
        );
    }

    #[test]
    fn garbage_is_rejected() {
        for bad in [&b""[..], b"abc", b"1.2.3", b"-", b".", b"1,5", b"NaN"] {
            assert_eq!(parse_decimal(bad), None, "{:?}", std::str::from_utf8(bad));
        }
    }

    #[test]
    fn epoch_milliseconds() {
        assert_eq!(parse_epoch_ms(b"1649376000000"), Some(1_649_376_000_000));
        assert_eq!(parse_epoch_ms(b"-5"), Some(-5));
        assert_eq!(parse_epoch_ms(b" 42 "), Some(42));
        assert_eq!(parse_epoch_ms(b"12a"), None);
        assert_eq!(parse_epoch_ms(b""), None);
        assert_eq!(parse_epoch_ms(b"-"), None);
        assert_eq!(parse_epoch_ms(b"99999999999999999999"), None);
    }

    #[test]
    fn metatrader_dates() {
        assert_eq!(
            parse_metatrader_date(b"2022.10.10 00:15:00"),
            Some(epoch_ms(2022, 10, 10, 0, 15, 0))
        );
        assert_eq!(
            parse_metatrader_date(b"2022-10-10 00:15"),
            Some(epoch_ms(2022, 10, 10, 0, 15, 0))
        );
        assert_eq!(parse_metatrader_date(b"2022.02.30 00:00:00"), None);
        assert_eq!(parse_metatrader_date(b"2022.10.10"), None);
        assert_eq!(parse_metatrader_date(b"2022.10.10 24:00:00"), None);
    }

    proptest! {
        #[test]
        fn plain_parser_agrees_with_rust_decimal(m in -10_000_000_000i64..10_000_000_000, scale in 0u32..10) {
            let d = Decimal::new(m, scale);
            let text = d.to_string();
            prop_assert_eq!(parse_decimal(text.as_bytes()), Some(d));
        }
    }
}
