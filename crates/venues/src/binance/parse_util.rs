//! Helpers shared by the Binance parsers: decimals from strings and JSON
//! errors turned into errors that name the field.

use super::error::ParseError;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::str::FromStr;

/// A decimal field sent as a string (`"0.01000000"`).
pub fn dec(what: &'static str, field: &str, s: &str) -> Result<Decimal, ParseError> {
    if let Some(d) = plain_decimal(s) {
        return Ok(d);
    }
    Decimal::from_str(s).map_err(|e| ParseError::Field {
        what,
        field: field.to_string(),
        detail: format!("`{s}` is not a decimal: {e}"),
    })
}

/// The fast path of [`dec`]: `[-]digits[.digits]` with at most 19 digits,
/// read straight into the mantissa (the scale, trailing zeros included, is
/// kept exactly as `Decimal::from_str` keeps it). Anything else: `None`.
pub fn plain_decimal(s: &str) -> Option<Decimal> {
    let bytes = s.as_bytes();
    let (negative, digits) = match bytes.first()? {
        b'-' => (true, &bytes[1..]),
        _ => (false, bytes),
    };
    if digits.is_empty() || digits.len() > 20 {
        return None;
    }
    let mut mantissa: u64 = 0;
    let mut count = 0u32;
    let mut scale: Option<u32> = None;
    for (i, &b) in digits.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                // A 20th digit could overflow the u64 before any check
                // after it: leave such numbers to the exact parser.
                if count == 19 {
                    return None;
                }
                mantissa = mantissa * 10 + u64::from(b - b'0');
                count += 1;
            }
            b'.' if scale.is_none() && i > 0 && i + 1 < digits.len() => {
                scale = Some(u32::try_from(digits.len() - i - 1).ok()?);
            }
            _ => return None,
        }
    }
    let lo = mantissa as u32;
    let mid = (mantissa >> 32) as u32;
    Some(Decimal::from_parts(
        lo,
        mid,
        0,
        negative,
        scale.unwrap_or(0),
    ))
}

/// Deserialises `payload` as `T`, naming the offending field on error.
pub fn from_json<'a, T: Deserialize<'a>>(
    what: &'static str,
    payload: &'a str,
) -> Result<T, ParseError> {
    serde_json::from_str(payload).map_err(|e| json_error(what, &e, payload))
}

/// Turns a serde error into a [`ParseError`]. serde names missing fields
/// itself; for a bad value, the field is the last key before the error's
/// position in the payload.
pub fn json_error(what: &'static str, e: &serde_json::Error, payload: &str) -> ParseError {
    let detail = e.to_string();
    if let Some(field) = missing_field(&detail) {
        return ParseError::Field {
            what,
            field,
            detail,
        };
    }
    if let Some(field) = key_before(payload, e.line(), e.column()) {
        return ParseError::Field {
            what,
            field,
            detail,
        };
    }
    ParseError::Json {
        what,
        detail,
        payload: snippet(payload),
    }
}

fn missing_field(detail: &str) -> Option<String> {
    let rest = detail.strip_prefix("missing field `")?;
    Some(rest.split('`').next()?.to_string())
}

/// The last `"key":` that starts before (line, column) (1-based).
fn key_before(payload: &str, line: usize, column: usize) -> Option<String> {
    if line == 0 {
        return None;
    }
    let mut offset = 0;
    for (i, l) in payload.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            offset += column.min(l.len());
            break;
        }
        offset += l.len();
    }
    let head = payload.get(..offset.min(payload.len()))?;
    let mut search = head;
    while let Some(colon) = search.rfind(':') {
        let before = search[..colon].trim_end();
        if let Some(key) = before.strip_suffix('"')
            && let Some(start) = key.rfind('"')
        {
            return Some(key[start + 1..].to_string());
        }
        search = &search[..colon];
    }
    None
}

/// The start of a payload, for error messages.
pub fn snippet(payload: &str) -> String {
    let mut end = payload.len().min(200);
    while !payload.is_char_boundary(end) {
        end -= 1;
    }
    payload[..end].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct T {
        a: u64,
        b: String,
    }

    proptest::proptest! {
        /// Any string, and any run of digits with a point and a sign, up to
        /// 30 digits: no panic (overflow checks on), and whatever the fast
        /// path accepts is exactly what `Decimal::from_str` reads.
        #[test]
        fn the_fast_path_never_panics_and_agrees(
            s in "[-]?[0-9]{0,30}([.][0-9]{0,30})?|\\PC{0,40}"
        ) {
            if let Some(fast) = plain_decimal(&s) {
                let slow = Decimal::from_str(&s).ok();
                proptest::prop_assert_eq!(Some(fast), slow);
                proptest::prop_assert_eq!(fast.to_string(), slow.unwrap().to_string());
            }
        }
    }

    #[test]
    fn twenty_digits_leave_the_fast_path_without_overflow() {
        assert_eq!(plain_decimal("99999999999999999999"), None);
        assert_eq!(plain_decimal("18446744073709551616"), None);
        assert_eq!(
            dec("t", "p", "18446744073709551616").unwrap(),
            Decimal::from_str("18446744073709551616").unwrap()
        );
    }

    #[test]
    fn the_fast_decimal_path_agrees_with_from_str() {
        for s in [
            "0",
            "1",
            "-1",
            "0.35270000",
            "25877.00000000",
            "1632.46",
            "-0.001",
            "9999999999999999999",
            "123456789.0123456789",
            "1.",
            ".5",
            "1e5",
            "",
            "-",
            "1.2.3",
            "0.0000000000000000001",
        ] {
            let fast = plain_decimal(s);
            let slow = Decimal::from_str(s).ok();
            if let Some(f) = fast {
                assert_eq!(Some(f), slow, "{s}");
                assert_eq!(f.scale(), slow.unwrap().scale(), "{s}");
                assert_eq!(f.to_string(), slow.unwrap().to_string(), "{s}");
            }
        }
        assert!(plain_decimal("0.35270000").is_some());
        assert!(plain_decimal("1e5").is_none());
    }

    #[test]
    fn names_the_field_of_a_bad_value() {
        let e = from_json::<T>("t", r#"{"a":"x","b":"y"}"#).unwrap_err();
        assert!(
            matches!(&e, ParseError::Field { field, .. } if field == "a"),
            "{e}"
        );
        let e = from_json::<T>("t", r#"{"a":1}"#).unwrap_err();
        assert!(
            matches!(&e, ParseError::Field { field, .. } if field == "b"),
            "{e}"
        );
        let e = dec("t", "p", "1.2.3").unwrap_err();
        assert!(e.to_string().contains("field `p`"), "{e}");
    }
}
