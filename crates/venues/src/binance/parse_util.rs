//! Helpers shared by the Binance parsers: decimals from strings and JSON
//! errors turned into errors that name the field.

use super::error::ParseError;
use rust_decimal::Decimal;
use serde::Deserialize;
use std::str::FromStr;

/// A decimal field sent as a string (`"0.01000000"`).
pub fn dec(what: &'static str, field: &str, s: &str) -> Result<Decimal, ParseError> {
    Decimal::from_str(s).map_err(|e| ParseError::Field {
        what,
        field: field.to_string(),
        detail: format!("`{s}` is not a decimal: {e}"),
    })
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
