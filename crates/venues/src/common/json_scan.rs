//! What the two hot-message scanners share (Binance's `fast_scan`, Bybit's
//! `fast`): the value they hand out, slices of the input, and the reading
//! of whitespace, an escape-free string and a scalar value at a position.
//! The scanners differ in what they walk (Binance: one object, nested ones
//! in place; Bybit: the elements of a `data` array) and keep that part.
//!
//! Everything here gives up (`None`) on what it does not handle, so the
//! caller falls back to its serde parser: faster, never more lenient.

use crate::binance::parse_util::plain_decimal;
use rust_decimal::Decimal;

/// One JSON value, as a slice of the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Val<'a> {
    /// A string, without its quotes.
    Str(&'a str),
    /// A number, as written.
    Num(&'a str),
    Bool(bool),
    Null,
    /// An object or array, raw (brackets included); only a scanner that
    /// skips nested values hands these out.
    Raw(&'a str),
}

impl<'a> Val<'a> {
    #[inline(always)]
    pub fn str(self) -> Option<&'a str> {
        match self {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }
    #[inline(always)]
    pub fn i64(self) -> Option<i64> {
        match self {
            Val::Num(n) => n.parse().ok(),
            _ => None,
        }
    }
    #[inline(always)]
    pub fn u64(self) -> Option<u64> {
        match self {
            Val::Num(n) => n.parse().ok(),
            _ => None,
        }
    }
    #[inline(always)]
    pub fn bool(self) -> Option<bool> {
        match self {
            Val::Bool(b) => Some(b),
            _ => None,
        }
    }
    pub fn raw(self) -> Option<&'a str> {
        match self {
            Val::Raw(r) => Some(r),
            _ => None,
        }
    }
    /// A decimal sent as a string.
    pub fn dec(self) -> Option<Decimal> {
        plain_decimal(self.str()?)
    }
}

/// Moves `i` past any JSON whitespace.
#[inline(always)]
pub(crate) fn skip_ws(s: &str, i: &mut usize) {
    let b = s.as_bytes();
    while *i < b.len() && matches!(b[*i], b' ' | b'\n' | b'\r' | b'\t') {
        *i += 1;
    }
}

/// The string at `i` (on its opening quote), without escapes; `i` moves
/// past its closing quote. `None` on an escape (left to serde) or an
/// unterminated string.
#[inline(always)]
pub(crate) fn string<'a>(s: &'a str, i: &mut usize) -> Option<&'a str> {
    let b = s.as_bytes();
    if b.get(*i) != Some(&b'"') {
        return None;
    }
    let start = *i + 1;
    let mut j = start;
    while j < b.len() {
        match b[j] {
            b'"' => {
                *i = j + 1;
                return s.get(start..j);
            }
            b'\\' => return None,
            _ => j += 1,
        }
    }
    None
}

/// The scalar at `i` (string, number, `true`, `false`, `null`); `i` moves
/// past it. `None` on anything else, nested values included.
#[inline(always)]
pub(crate) fn scalar<'a>(s: &'a str, i: &mut usize) -> Option<Val<'a>> {
    let b = s.as_bytes();
    let literal = |i: &mut usize, word: &str, v: Val<'a>| {
        s.get(*i..)?.starts_with(word).then(|| {
            *i += word.len();
            v
        })
    };
    match *b.get(*i)? {
        b'"' => string(s, i).map(Val::Str),
        b't' => literal(i, "true", Val::Bool(true)),
        b'f' => literal(i, "false", Val::Bool(false)),
        b'n' => literal(i, "null", Val::Null),
        b'-' | b'0'..=b'9' => {
            let start = *i;
            while *i < b.len() && matches!(b[*i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') {
                *i += 1;
            }
            s.get(start..*i).map(Val::Num)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(s: &str) -> Option<(Val<'_>, usize)> {
        let mut i = 0;
        scalar(s, &mut i).map(|v| (v, i))
    }

    #[test]
    fn reads_scalars_and_leaves_the_rest_to_serde() {
        assert_eq!(read(r#""ab","#), Some((Val::Str("ab"), 4)));
        assert_eq!(read("-1.5e3,"), Some((Val::Num("-1.5e3"), 6)));
        assert_eq!(read("true}"), Some((Val::Bool(true), 4)));
        assert_eq!(read("false"), Some((Val::Bool(false), 5)));
        assert_eq!(read("null"), Some((Val::Null, 4)));
        assert_eq!(read("tru"), None, "truncated literal");
        assert_eq!(read(r#""a\"b""#), None, "escape");
        assert_eq!(read(r#""ab"#), None, "unterminated");
        assert_eq!(read("{}"), None, "nested");
        let mut i = 0;
        skip_ws(" \n\t\r x", &mut i);
        assert_eq!(i, 5);
    }
}
