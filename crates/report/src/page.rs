//! The HTML shell shared by every page of this crate: one file with its
//! style sheets, its data (JSON in a `<script type="application/json">`
//! element) and its script inlined, so it opens offline.

use serde::Serialize;
use std::io::{self, BufWriter, Write};

/// The dark theme and header bar every page starts from.
pub const BASE_STYLE: &str = include_str!("../assets/page.css");

/// A page's fixed parts; its data is given to [`Page::write`].
pub struct Page<'a> {
    /// Shown in the browser's tab (escaped here).
    pub title: &'a str,
    /// Style sheets, inlined in order after [`BASE_STYLE`].
    pub styles: &'a [&'a str],
    /// The page's markup. Trusted: built by this crate, with any user text
    /// already passed through [`escape_html`].
    pub body: &'a str,
    /// Scripts, concatenated in order inside one strict-mode function so
    /// that they share declarations without leaking globals.
    pub scripts: &'a [&'a str],
}

impl Page<'_> {
    /// Writes the page with `data` as the JSON of the element `#data`.
    pub fn write<W: Write, T: Serialize + ?Sized>(&self, out: W, data: &T) -> io::Result<()> {
        // serde_json writes in many small pieces: buffer them whatever `out` is.
        let mut out = BufWriter::new(out);
        write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta name=\"generator\" content=\"smc-report {}\">\n<title>{}</title>\n<style>\n{BASE_STYLE}",
            env!("CARGO_PKG_VERSION"),
            escape_html(self.title),
        )?;
        for style in self.styles {
            // A style sheet cannot contain `</style` by construction (ours).
            write!(out, "\n{style}")?;
        }
        write!(
            out,
            "</style>\n</head>\n<body>\n{}\n<script type=\"application/json\" id=\"data\">",
            self.body
        )?;
        serde_json::to_writer(ScriptSafe(&mut out), data).map_err(io::Error::other)?;
        out.write_all(b"</script>\n<script>\n\"use strict\";\n(() => {\n")?;
        for script in self.scripts {
            writeln!(out, "{script}")?;
        }
        out.write_all(b"})();\n</script>\n</body>\n</html>\n")?;
        out.flush()
    }
}

/// Escapes text for an HTML text node or a quoted attribute value.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The JSON of `value`, safe inside a `<script>` element.
pub fn script_safe_json<T: Serialize + ?Sized>(value: &T) -> io::Result<String> {
    let mut buf = Vec::new();
    serde_json::to_writer(ScriptSafe(&mut buf), value).map_err(io::Error::other)?;
    String::from_utf8(buf).map_err(io::Error::other)
}

/// Rewrites `<`, `>` and `&` in JSON text as `\u003c`, `\u003e`, `\u0026`.
/// In JSON these bytes only occur inside strings, where the escapes mean
/// the same characters, so the data is unchanged — but no string can close
/// the script element (`</script>`) or open a comment (`<!--`) in it. They
/// are ASCII, so they are never part of a multi-byte UTF-8 character.
struct ScriptSafe<W>(W);

impl<W: Write> Write for ScriptSafe<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, mut buf: &[u8]) -> io::Result<()> {
        while let Some(at) = buf.iter().position(|b| matches!(b, b'<' | b'>' | b'&')) {
            self.0.write_all(&buf[..at])?;
            self.0.write_all(match buf[at] {
                b'<' => b"\\u003c",
                b'>' => b"\\u003e",
                _ => b"\\u0026",
            })?;
            buf = &buf[at + 1..];
        }
        self.0.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_cannot_close_the_script_element() {
        let text = "</script><script>alert(1)</script><!-- & -->";
        let safe = script_safe_json(text).unwrap();
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('&'));
        let back: String = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, text);
    }

    #[test]
    fn non_ascii_text_survives_the_escaping() {
        let text = "BTC — 比特币 <€> \u{2028} 🚀";
        let back: String = serde_json::from_str(&script_safe_json(text).unwrap()).unwrap();
        assert_eq!(back, text);
    }

    #[test]
    fn html_text_is_escaped() {
        assert_eq!(
            escape_html("<a & \"b\" 'c'>"),
            "&lt;a &amp; &quot;b&quot; &#39;c&#39;&gt;"
        );
    }

    #[test]
    fn a_page_has_its_parts_in_order() {
        let page = Page {
            title: "T </title>",
            styles: &["p{}"],
            body: "<p>body</p>",
            scripts: &["let a = 1;", "let b = a;"],
        };
        let mut out = Vec::new();
        page.write(&mut out, &["</script>"]).unwrap();
        let html = String::from_utf8(out).unwrap();
        assert!(html.contains("<title>T &lt;/title&gt;</title>"));
        assert!(html.contains("id=\"data\">[\"\\u003c/script\\u003e\"]</script>"));
        let order = [
            "p{}",
            "<p>body</p>",
            "id=\"data\"",
            "let a = 1;",
            "let b = a;",
        ];
        let at: Vec<usize> = order.iter().map(|s| html.find(s).unwrap()).collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");
        assert_eq!(html.matches("</script>").count(), 2);
    }
}
