//! The HTML shell of a page and the embedding of its data as JSON inside a
//! `<script type="application/json">` element.

use std::io::{self, Write};

/// Escapes text for an HTML text node or attribute.
pub fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Makes JSON safe inside a `<script>` element: `<`, `>` and `&` become
/// unicode escapes, so no string can close the element or open a comment.
pub fn script_safe_json(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// Writes a complete page: `style` and `script` inline, `data` as JSON in
/// the element `#data`, `body` as the page's markup.
pub fn write_page(
    out: &mut dyn Write,
    title: &str,
    style: &str,
    body: &str,
    data_json: &str,
    script: &str,
) -> io::Result<()> {
    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>\n{style}\n</style>\n</head>\n<body>\n{body}\n\
         <script type=\"application/json\" id=\"data\">{}</script>\n<script>\n{script}\n</script>\n</body>\n</html>\n",
        escape_html(title),
        script_safe_json(data_json),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_cannot_close_the_script_element() {
        let json = serde_json::to_string("</script><script>alert(1)</script>").unwrap_or_default();
        let safe = script_safe_json(&json);
        assert!(!safe.contains("</script>"));
        let back: String = serde_json::from_str(&safe).unwrap_or_default();
        assert_eq!(back, "</script><script>alert(1)</script>");
    }

    #[test]
    fn titles_are_escaped() {
        assert_eq!(escape_html("<a & \"b\">"), "&lt;a &amp; &quot;b&quot;&gt;");
    }
}
