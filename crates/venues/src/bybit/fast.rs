//! A scanner for the `data` array of Bybit's hot public messages (kline,
//! publicTrade), tried before the serde parsers: one pass over each
//! element's fields, values as slices of the input. It gives up (`None`)
//! on anything unusual — an escape in a string, a missing field, a value
//! of the wrong shape — and the caller then runs the serde parser, which
//! accepts or rejects the message with an error naming the field. So the
//! scanner makes decoding faster, never more lenient.

use crate::common::json_scan::{scalar, skip_ws, string};

pub use crate::common::json_scan::Val;

/// A cursor over the input.
pub struct Cursor<'a> {
    s: &'a str,
    i: usize,
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
        skip_ws(self.s, &mut self.i);
    }

    #[inline(always)]
    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.i += 1)
    }

    #[inline(always)]
    fn string(&mut self) -> Option<&'a str> {
        string(self.s, &mut self.i)
    }

    /// A scalar; nested values are not in the hot messages: give up.
    #[inline(always)]
    fn value(&mut self) -> Option<Val<'a>> {
        scalar(self.s, &mut self.i)
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
