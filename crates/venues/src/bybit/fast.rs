//! A scanner for the `data` array of Bybit's hot public messages (kline,
//! publicTrade), tried before the serde parsers: one pass over each
//! element's fields, values as slices of the input. It gives up (`None`)
//! on anything unusual — an escape in a string, a missing field, a value
//! of the wrong shape — and the caller then runs the serde parser, which
//! accepts or rejects the message with an error naming the field. So the
//! scanner makes decoding faster, never more lenient.

use crate::binance::parse_util::plain_decimal;
use rust_decimal::Decimal;

/// A cursor over the input.
pub struct Cursor<'a> {
    s: &'a str,
    i: usize,
}

/// One scalar value, as written (strings without their quotes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Val<'a> {
    Str(&'a str),
    Num(&'a str),
    Bool(bool),
    Null,
}

impl<'a> Val<'a> {
    pub fn str(self) -> Option<&'a str> {
        match self {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }
    pub fn i64(self) -> Option<i64> {
        match self {
            Val::Num(n) => n.parse().ok(),
            _ => None,
        }
    }
    pub fn bool(self) -> Option<bool> {
        match self {
            Val::Bool(b) => Some(b),
            _ => None,
        }
    }
    pub fn dec(self) -> Option<Decimal> {
        plain_decimal(self.str()?)
    }
}

impl<'a> Cursor<'a> {
    /// At the first element of the array that follows `"data":` (the
    /// cursor on its `{`); `None` if there is no such array.
    pub fn data_array(text: &'a str) -> Option<Self> {
        const KEY: &str = "\"data\":";
        let at = text.find(KEY)? + KEY.len();
        let mut c = Cursor { s: text, i: at };
        c.ws();
        c.eat(b'[')?;
        c.ws();
        Some(c)
    }

    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.i).copied()
    }

    #[inline(always)]
    fn ws(&mut self) {
        let b = self.s.as_bytes();
        while self.i < b.len() && matches!(b[self.i], b' ' | b'\n' | b'\r' | b'\t') {
            self.i += 1;
        }
    }

    #[inline(always)]
    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.i += 1)
    }

    #[inline(always)]
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let b = self.s.as_bytes();
        let start = self.i;
        while self.i < b.len() {
            match b[self.i] {
                b'"' => {
                    let s = self.s.get(start..self.i)?;
                    self.i += 1;
                    return Some(s);
                }
                b'\\' => return None,
                _ => self.i += 1,
            }
        }
        None
    }

    #[inline(always)]
    fn literal(&mut self, word: &str) -> Option<()> {
        if self.s.get(self.i..)?.starts_with(word) {
            self.i += word.len();
            Some(())
        } else {
            None
        }
    }

    #[inline(always)]
    fn value(&mut self) -> Option<Val<'a>> {
        let b = self.s.as_bytes();
        match self.peek()? {
            b'"' => self.string().map(Val::Str),
            b't' => self.literal("true").map(|()| Val::Bool(true)),
            b'f' => self.literal("false").map(|()| Val::Bool(false)),
            b'n' => self.literal("null").map(|()| Val::Null),
            b'-' | b'0'..=b'9' => {
                let start = self.i;
                while self.i < b.len()
                    && matches!(b[self.i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    self.i += 1;
                }
                self.s.get(start..self.i).map(Val::Num)
            }
            // Nested values are not in the hot messages: give up.
            _ => None,
        }
    }

    /// Reads the element the cursor is on (a flat object), calling `field`
    /// with each pair; then steps past the `,` or onto the closing `]`.
    /// `Some(false)` once the array has ended.
    #[inline(always)]
    pub fn element(&mut self, mut field: impl FnMut(&'a str, Val<'a>)) -> Option<bool> {
        if self.peek()? == b']' {
            return Some(false);
        }
        self.eat(b'{')?;
        self.ws();
        if self.peek()? == b'}' {
            self.i += 1;
        } else {
            loop {
                let key = self.string()?;
                self.ws();
                self.eat(b':')?;
                self.ws();
                let v = self.value()?;
                field(key, v);
                self.ws();
                match self.peek()? {
                    b',' => {
                        self.i += 1;
                        self.ws();
                    }
                    b'}' => {
                        self.i += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        self.ws();
        match self.peek()? {
            b',' => {
                self.i += 1;
                self.ws();
            }
            b']' => {}
            _ => return None,
        }
        Some(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_element_and_gives_up_on_the_unusual() {
        let text = r#"{"topic":"x","data":[{"a":"1","b":2,"c":true},{"a":"3"}],"ts":1}"#;
        let mut c = Cursor::data_array(text).unwrap();
        let mut seen = Vec::new();
        while c.element(|k, v| seen.push((k, v))).unwrap() {}
        assert_eq!(
            seen,
            [
                ("a", Val::Str("1")),
                ("b", Val::Num("2")),
                ("c", Val::Bool(true)),
                ("a", Val::Str("3"))
            ]
        );
        let nested = r#"{"data":[{"a":{"b":1}}]}"#;
        assert!(
            Cursor::data_array(nested)
                .unwrap()
                .element(|_, _| {})
                .is_none()
        );
        let escaped = r#"{"data":[{"a":"x\"y"}]}"#;
        assert!(
            Cursor::data_array(escaped)
                .unwrap()
                .element(|_, _| {})
                .is_none()
        );
        assert!(Cursor::data_array(r#"{"data":{"a":1}}"#).is_none());
        let truncated = r#"{"data":[{"a":"1""#;
        assert!(
            Cursor::data_array(truncated)
                .unwrap()
                .element(|_, _| {})
                .is_none()
        );
    }
}
