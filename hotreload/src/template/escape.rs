//! Run-time HTML escaping on the render hot path.

/// Appends `text` to `out` with `&`, `<`, `>`, `"` and `'` escaped: safe both in text and in
/// double- or single-quoted attribute values.
///
/// Scans bytes and copies unescaped runs in one `push_str` each; the five special characters are
/// ASCII, so every cut is on a character boundary.
#[inline]
pub fn escape_into(text: &str, out: &mut String) {
    let bytes = text.as_bytes();
    let mut start = 0;
    for (i, byte) in bytes.iter().enumerate() {
        let replacement = match byte {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&text[start..i]);
        out.push_str(replacement);
        start = i + 1;
    }
    out.push_str(&text[start..]);
}

/// `fmt::Write` adapter that escapes everything written through it.
pub(crate) struct EscapingWriter<'a>(pub(crate) &'a mut String);

impl std::fmt::Write for EscapingWriter<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        escape_into(s, self.0);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escaped(s: &str) -> String {
        let mut out = String::new();
        escape_into(s, &mut out);
        out
    }

    #[test]
    fn escapes_the_five_specials() {
        assert_eq!(
            escaped("a & b < c > d \" e ' f"),
            "a &amp; b &lt; c &gt; d &quot; e &#39; f"
        );
    }

    #[test]
    fn attribute_injection_is_neutralised() {
        assert_eq!(
            escaped("\"><script>alert(1)</script>"),
            "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(escaped("' onmouseover='x"), "&#39; onmouseover=&#39;x");
    }

    #[test]
    fn unicode_passes_through() {
        assert_eq!(escaped("héllo 🌍 <ß>"), "héllo 🌍 &lt;ß&gt;");
        assert_eq!(escaped(""), "");
        assert_eq!(escaped("&&"), "&amp;&amp;");
    }
}
