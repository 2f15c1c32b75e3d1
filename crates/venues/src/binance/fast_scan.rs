//! A minimal scanner for the flat JSON objects of Binance's hot streams
//! (kline, aggTrade, trade), used before the serde path: it reads each
//! key and value once, without building anything. It gives up (`None`)
//! on anything unusual — an escape in a string, a missing field, a value
//! of the wrong shape — and the caller then runs the full serde parser,
//! which accepts or rejects the frame with an error naming the field. So
//! the scanner can make decoding faster, never more lenient.

use crate::common::json_scan::{scalar, skip_ws, string};

pub use crate::common::json_scan::Val;

/// Iterates the key/value pairs of one JSON object.
pub struct Obj<'a> {
    s: &'a str,
    i: usize,
    done: bool,
}

impl<'a> Obj<'a> {
    /// Starts at the object's `{`.
    pub fn new(text: &'a str) -> Option<Self> {
        let mut o = Obj {
            s: text,
            i: 0,
            done: false,
        };
        o.ws();
        if o.peek()? != b'{' {
            return None;
        }
        o.i += 1;
        o.ws();
        if o.peek()? == b'}' {
            o.done = true;
        }
        Some(o)
    }

    #[inline(always)]
    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.i).copied()
    }

    #[inline(always)]
    fn ws(&mut self) {
        skip_ws(self.s, &mut self.i);
    }

    /// A string without escapes, the cursor on its opening quote.
    #[inline(always)]
    fn string(&mut self) -> Option<&'a str> {
        string(self.s, &mut self.i)
    }

    /// An object or array, skipped by depth (strings respected).
    fn raw(&mut self) -> Option<&'a str> {
        let b = self.s.as_bytes();
        let start = self.i;
        let mut depth = 0usize;
        let mut j = self.i;
        while j < b.len() {
            match b[j] {
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        self.i = j + 1;
                        return self.s.get(start..=j);
                    }
                }
                b'"' => {
                    self.i = j;
                    self.string()?;
                    j = self.i;
                    continue;
                }
                _ => {}
            }
            j += 1;
        }
        None
    }

    /// A scalar, or a nested object or array as raw text.
    #[inline(always)]
    fn value(&mut self) -> Option<Val<'a>> {
        match self.peek()? {
            b'{' | b'[' => self.raw().map(Val::Raw),
            _ => scalar(self.s, &mut self.i),
        }
    }

    /// After a value: the separator (`,`) or the end of the object.
    #[inline(always)]
    fn separator(&mut self) -> Option<()> {
        self.ws();
        match self.peek()? {
            b',' => self.i += 1,
            b'}' => {
                self.i += 1;
                self.done = true;
            }
            _ => return None,
        }
        Some(())
    }

    /// The next key (`Some(None)` at the end of the object); read its value
    /// with [`value_next`](Self::value_next) or descend with
    /// [`object`](Self::object).
    #[inline(always)]
    pub fn key(&mut self) -> Option<Option<&'a str>> {
        if self.done {
            return Some(None);
        }
        self.ws();
        if self.peek()? != b'"' {
            return None;
        }
        let key = self.string()?;
        self.ws();
        if self.peek()? != b':' {
            return None;
        }
        self.i += 1;
        self.ws();
        Some(Some(key))
    }

    /// The value of the key just read.
    #[inline(always)]
    pub fn value_next(&mut self) -> Option<Val<'a>> {
        let v = self.value()?;
        self.separator()?;
        Some(v)
    }

    /// The object value of the key just read, scanned in place (no second
    /// pass); call [`close`](Self::close) with it when done.
    #[inline(always)]
    pub fn object(&self) -> Option<Obj<'a>> {
        let sub = Obj::new(self.s.get(self.i..)?)?;
        Some(sub)
    }

    /// Continues after a nested object read to its end.
    #[inline(always)]
    pub fn close(&mut self, sub: &Obj<'a>) -> Option<()> {
        if !sub.done {
            return None;
        }
        self.i += sub.i;
        self.separator()
    }

    /// Whether only whitespace follows the object (after its last pair).
    pub fn at_end(&self) -> bool {
        self.done && self.s.get(self.i..).is_some_and(|r| r.trim().is_empty())
    }

    /// The next pair: `Some(None)` at the end of the object, `None` if the
    /// text is not what the scanner handles.
    #[allow(clippy::should_implement_trait)] // fallible, so not an Iterator
    #[inline(always)]
    pub fn next(&mut self) -> Option<Option<(&'a str, Val<'a>)>> {
        let Some(key) = self.key()? else {
            return Some(None);
        };
        Some(Some((key, self.value_next()?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Option<Vec<(String, Val<'_>)>> {
        let mut o = Obj::new(text)?;
        let mut out = Vec::new();
        while let Some((k, v)) = o.next()? {
            out.push((k.to_string(), v));
        }
        Some(out)
    }

    #[test]
    fn scans_flat_objects_and_skips_nested_ones() {
        let p =
            pairs(r#" { "a" : "x", "b":-12.5e3,"c":true,"d":null,"e":{"f":[1,"]}"]},"g":false } "#)
                .unwrap();
        assert_eq!(p.len(), 6);
        assert_eq!(p[1].1, Val::Num("-12.5e3"));
        assert_eq!(p[4].1, Val::Raw(r#"{"f":[1,"]}"]}"#));
        assert_eq!(pairs("{}").unwrap().len(), 0);
    }

    #[test]
    fn descends_into_objects_in_place() {
        let text = r#"{"a":1,"k":{"x":"y","z":[2]},"b":true}"#;
        let mut o = Obj::new(text).unwrap();
        let mut seen = Vec::new();
        while let Some(key) = o.key().unwrap() {
            if key == "k" {
                let mut sub = o.object().unwrap();
                while let Some((k, _)) = sub.next().unwrap() {
                    seen.push(format!("k.{k}"));
                }
                o.close(&sub).unwrap();
            } else {
                o.value_next().unwrap();
                seen.push(key.to_string());
            }
        }
        assert_eq!(seen, ["a", "k.x", "k.z", "b"]);
    }

    #[test]
    fn gives_up_on_what_it_does_not_handle() {
        assert!(pairs(r#"{"a":"x\"y"}"#).is_none(), "escapes");
        assert!(pairs(r#"{"a":"x""#).is_none(), "truncated");
        assert!(pairs(r#"{"a" "x"}"#).is_none(), "no colon");
        assert!(pairs(r#"{"a":"x" "b":1}"#).is_none(), "no comma");
        assert!(pairs(r#"["a"]"#).is_none(), "not an object");
        assert!(pairs(r#"{"a":wat}"#).is_none(), "bad literal");
    }
}
