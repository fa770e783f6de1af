//! HTML knowledge the template compiler needs: void and raw-text elements, the `live-*`
//! attributes the runtime understands, and compile-time escaping of static text.

/// Elements that never have children or a closing tag (`<br>`, `<input>`, ...).
pub const VOID_ELEMENTS: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// Elements whose text content the browser does not unescape; static text inside them is
/// emitted verbatim and dynamic content is refused.
pub const RAW_TEXT_ELEMENTS: &[&str] = &["script", "style"];

/// `live-<event>` attributes that bind a message: `live-click={Msg::Inc}`.
pub const LIVE_EVENTS: &[&str] = &[
    "click", "dblclick", "input", "change", "submit", "keydown", "keyup", "focus", "blur",
];

/// `live-<modifier>` attributes that tune an event binding on the same element:
/// `live-debounce="300"`, `live-throttle="100"`, `live-key="Enter"`, `live-value="..."`.
pub const LIVE_MODIFIERS: &[&str] = &["debounce", "throttle", "key", "value"];

/// `live-<link>` attributes of `<a href>`: `live-patch` (the same view, new URL parameters),
/// `live-navigate` (another live page over the same socket), `live-replace` (replace the
/// history entry instead of pushing one).
pub const LIVE_LINKS: &[&str] = &["patch", "navigate", "replace"];

/// `live-<client>` attributes for JavaScript that owns part of the page: `live-hook="Name"`
/// (the client calls hook `Name`'s `mounted`/`updated`/`destroyed` as patches add, change and
/// remove the element), `live-ignore` (patches change the element's attributes, never what is
/// inside it: DOM owned by a widget), `live-upload="NAME"` (a file input whose files upload
/// over the socket to the view's upload `NAME`), `live-drop="NAME"` (files dropped on the
/// element go to upload `NAME`), `live-preview="REF"` (an `<img>` the client shows the chosen
/// file `REF` in).
pub const LIVE_CLIENT: &[&str] = &["hook", "ignore", "upload", "drop", "preview"];

/// Whether `name` is a void element (case-insensitive, as in HTML).
pub fn is_void_element(name: &str) -> bool {
    VOID_ELEMENTS.iter().any(|v| v.eq_ignore_ascii_case(name))
}

/// Whether `name` is a raw-text element (`script`, `style`).
pub fn is_raw_text_element(name: &str) -> bool {
    RAW_TEXT_ELEMENTS
        .iter()
        .any(|v| v.eq_ignore_ascii_case(name))
}

/// Escapes `&`, `<`, `>`, `"` and `'` into `out`; safe in text and in quoted attribute values.
pub fn escape_into(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_all_five() {
        let mut out = String::new();
        escape_into("<a href=\"x\">'&'</a>", &mut out);
        assert_eq!(out, "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    }

    #[test]
    fn void_and_raw_text() {
        assert!(is_void_element("br") && is_void_element("INPUT"));
        assert!(!is_void_element("div"));
        assert!(is_raw_text_element("script") && !is_raw_text_element("textarea"));
    }
}
