//! A conservative scanner that finds the text runs of an HTML fragment and where they sit in
//! the source, for [`crate::text_update`].
//!
//! It only understands the well-formed HTML that templates render: start and end tags that
//! nest (every end tag closes the innermost open element), void elements, comments, doctypes,
//! raw-text elements (`<script>`, `<style>`, `<textarea>`, ...) and SVG/MathML with
//! self-closing tags. Anything else (a stray `<`, a bogus comment, CDATA, `<plaintext>`,
//! mis-nested tags, an HTML tag that would break out of SVG) makes [`scan`] return `None`,
//! and the caller re-parses with html5ever as before. Being wrong here cannot corrupt a tree:
//! the caller also checks every run against the tree html5ever built (its text and its parent
//! element) before trusting the scan.

use std::ops::Range;

/// One run of character data in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SourceRun {
    /// Byte range of the run in the source (never empty).
    pub(crate) range: Range<usize>,
    /// The content of a raw-text or RCDATA element (`<script>`, `<textarea>`, ...): its
    /// tokenization differs from ordinary text, so it is never patched in place.
    pub(crate) frozen: bool,
    /// The name (as written) of the innermost open element when the run starts, `None` at the
    /// top level of the fragment.
    pub(crate) parent: Option<Range<usize>>,
    /// How many start tags come before the run in the source.
    pub(crate) tags_before: u32,
}

/// What [`scan`] finds: the text runs, and the name (as written) of every start tag, in source
/// order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Scan {
    pub(crate) runs: Vec<SourceRun>,
    pub(crate) tags: Vec<Range<usize>>,
}

/// Elements without content or end tag (HTML namespace); the serializer uses it too.
pub(crate) const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "param", "keygen", "basefont", "bgsound", "frame",
];

/// Elements whose content the tokenizer reads as raw text or RCDATA up to their end tag.
const RAW_TEXT: &[&str] = &[
    "script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "textarea", "title",
];

/// HTML start tags that leave SVG/MathML content (the tree builder pops the foreign elements).
const BREAKOUT: &[&str] = &[
    "b",
    "big",
    "blockquote",
    "body",
    "br",
    "center",
    "code",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "embed",
    "font",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "hr",
    "i",
    "img",
    "li",
    "listing",
    "menu",
    "meta",
    "nobr",
    "ol",
    "p",
    "pre",
    "ruby",
    "s",
    "small",
    "span",
    "strong",
    "strike",
    "sub",
    "sup",
    "table",
    "tt",
    "u",
    "ul",
    "var",
];

/// Foreign elements whose children are parsed as HTML again.
const INTEGRATION_POINTS: &[&str] = &[
    "foreignobject",
    "desc",
    "title",
    "mi",
    "mo",
    "mn",
    "ms",
    "mtext",
    "annotation-xml",
];

struct Open {
    name: Range<usize>,
    /// Children of this element are SVG/MathML content.
    foreign: bool,
}

/// The text runs and start tags of `html` in source order, or `None` if `html` is not in the
/// well-formed subset this scanner understands.
pub(crate) fn scan(html: &str) -> Option<Scan> {
    let bytes = html.as_bytes();
    let mut runs = Vec::new();
    let mut tags: Vec<Range<usize>> = Vec::new();
    // The current tag's name in lowercase, reused (no allocation per tag).
    let mut name = String::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let lt = html[at..].find('<').map_or(bytes.len(), |p| at + p);
        if lt > at {
            runs.push(SourceRun {
                range: at..lt,
                frozen: false,
                parent: stack.last().map(|o| o.name.clone()),
                tags_before: tags.len() as u32,
            });
        }
        if lt == bytes.len() {
            break;
        }
        let next = *bytes.get(lt + 1)?;
        at = if next.is_ascii_alphabetic() {
            let tag = read_tag(bytes, lt + 1)?;
            name.clear();
            name.extend(
                html[tag.name.clone()]
                    .chars()
                    .map(|c| c.to_ascii_lowercase()),
            );
            tags.push(tag.name.clone());
            let foreign = stack.last().is_some_and(|o| o.foreign);
            if foreign && BREAKOUT.contains(&name.as_str()) {
                return None;
            }
            if !foreign && (name == "plaintext" || name == "pre" || name == "listing") {
                // `<plaintext>` never ends; `<pre>`/`<listing>` drop a leading newline.
                if name == "plaintext" || bytes.get(tag.end) == Some(&b'\n') {
                    return None;
                }
            }
            if !foreign && RAW_TEXT.contains(&name.as_str()) {
                let close = find_end_tag(html, tag.end, &name)?;
                if close > tag.end {
                    runs.push(SourceRun {
                        range: tag.end..close,
                        frozen: true,
                        parent: Some(tag.name.clone()),
                        tags_before: tags.len() as u32,
                    });
                }
                read_tag(bytes, close + 2)?.end
            } else {
                let void = if foreign || name == "svg" || name == "math" {
                    tag.self_closing
                } else {
                    VOID.contains(&name.as_str())
                };
                if !void {
                    let child_foreign = if foreign {
                        !INTEGRATION_POINTS.contains(&name.as_str())
                    } else {
                        name == "svg" || name == "math"
                    };
                    stack.push(Open {
                        name: tag.name.clone(),
                        foreign: child_foreign,
                    });
                }
                tag.end
            }
        } else if next == b'/' {
            if !bytes.get(lt + 2)?.is_ascii_alphabetic() {
                return None;
            }
            let tag = read_tag(bytes, lt + 2)?;
            let name = &html[tag.name.clone()];
            match stack.last() {
                Some(open) if html[open.name.clone()].eq_ignore_ascii_case(name) => {
                    stack.pop();
                }
                _ => return None,
            }
            tag.end
        } else if html[lt..].starts_with("<!--") {
            let body = lt + 4;
            let close = html[body..].find("-->").map(|p| body + p)?;
            let comment = &html[body..close];
            if comment.starts_with('>') || comment.starts_with("->") || comment.contains("--!>") {
                return None;
            }
            close + 3
        } else if bytes.len() >= lt + 9 && bytes[lt + 2..lt + 9].eq_ignore_ascii_case(b"doctype") {
            lt + html[lt..].find('>')? + 1
        } else {
            return None;
        };
    }
    Some(Scan { runs, tags })
}

/// The end of the markup item (tag, comment or doctype) that starts with the `<` at `at` in
/// markup the scanner has accepted, and whether it is a start tag.
pub(crate) fn markup_item(html: &str, at: usize) -> Option<(usize, bool)> {
    let bytes = html.as_bytes();
    if *bytes.get(at)? != b'<' {
        return None;
    }
    if html[at..].starts_with("<!--") {
        return Some((at + 4 + html[at + 4..].find("-->")? + 3, false));
    }
    match *bytes.get(at + 1)? {
        b'!' => Some((at + html[at..].find('>')? + 1, false)),
        b'/' => Some((read_tag(bytes, at + 2)?.end, false)),
        _ => Some((read_tag(bytes, at + 1)?.end, true)),
    }
}

/// The name of the start tag whose `<` is at `at`, and the tag's end; `None` if there is no
/// tag there.
pub(crate) fn start_tag_name(html: &str, at: usize) -> Option<(&str, usize)> {
    if html.as_bytes().get(at) != Some(&b'<') {
        return None;
    }
    let tag = read_tag(html.as_bytes(), at + 1)?;
    Some((html.get(tag.name)?, tag.end))
}

struct Tag {
    name: Range<usize>,
    self_closing: bool,
    /// Just past the closing `>`.
    end: usize,
}

/// Reads a tag whose name starts at `from`, through its `>`, skipping attributes the way the
/// tokenizer does (quoted values may contain `>`).
fn read_tag(bytes: &[u8], from: usize) -> Option<Tag> {
    let is_space = |b: u8| matches!(b, b'\t' | b'\n' | b'\x0C' | b'\r' | b' ');
    let mut at = from;
    while at < bytes.len() && !is_space(bytes[at]) && bytes[at] != b'/' && bytes[at] != b'>' {
        at += 1;
    }
    let name = from..at;
    loop {
        while at < bytes.len() && is_space(bytes[at]) {
            at += 1;
        }
        match *bytes.get(at)? {
            b'>' => {
                return Some(Tag {
                    name,
                    self_closing: false,
                    end: at + 1,
                });
            }
            b'/' => {
                if bytes.get(at + 1) == Some(&b'>') {
                    return Some(Tag {
                        name,
                        self_closing: true,
                        end: at + 2,
                    });
                }
                at += 1;
                continue;
            }
            _ => {}
        }
        // An attribute name (its first character may be anything, even `=`).
        at += 1;
        while at < bytes.len() && !is_space(bytes[at]) && !matches!(bytes[at], b'/' | b'>' | b'=') {
            at += 1;
        }
        while at < bytes.len() && is_space(bytes[at]) {
            at += 1;
        }
        if bytes.get(at) != Some(&b'=') {
            continue;
        }
        at += 1;
        while at < bytes.len() && is_space(bytes[at]) {
            at += 1;
        }
        match *bytes.get(at)? {
            quote @ (b'"' | b'\'') => {
                at += 1;
                at += bytes[at..].iter().position(|&b| b == quote)? + 1;
            }
            _ => {
                while at < bytes.len() && !is_space(bytes[at]) && bytes[at] != b'>' {
                    at += 1;
                }
            }
        }
    }
}

/// The position of the `<` of the end tag that closes raw-text element `name`, searching from
/// `from`: `</name` (any case) followed by whitespace, `/` or `>`.
fn find_end_tag(html: &str, from: usize, name: &str) -> Option<usize> {
    let bytes = html.as_bytes();
    let mut at = from;
    loop {
        at += html[at..].find("</")?;
        let name_end = at + 2 + name.len();
        if bytes.len() > name_end
            && bytes[at + 2..name_end].eq_ignore_ascii_case(name.as_bytes())
            && matches!(
                bytes[name_end],
                b'\t' | b'\n' | b'\x0C' | b'\r' | b' ' | b'/' | b'>'
            )
        {
            return Some(at);
        }
        at += 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(html: &str) -> Option<Vec<(&str, bool, Option<String>)>> {
        Some(
            scan(html)?
                .runs
                .into_iter()
                .map(|r| {
                    (
                        &html[r.range],
                        r.frozen,
                        r.parent.map(|p| html[p].to_owned()),
                    )
                })
                .collect(),
        )
    }

    #[test]
    fn finds_runs_with_their_parents() {
        let html =
            r#"<h1 title="a > b">Count: 7</h1>x<br><img src=a.png alt='<'/><ul><li>one</li></ul>"#;
        assert_eq!(
            texts(html).unwrap(),
            vec![
                ("Count: 7", false, Some("h1".into())),
                ("x", false, None),
                ("one", false, Some("li".into())),
            ]
        );
    }

    #[test]
    fn raw_text_is_frozen_and_may_contain_markup() {
        let html =
            "<script>if (a < b) x = '</p>';</script><textarea>&lt;b&gt;</textarea><!-- c -->";
        assert_eq!(
            texts(html).unwrap(),
            vec![
                ("if (a < b) x = '</p>';", true, Some("script".into())),
                ("&lt;b&gt;", true, Some("textarea".into())),
            ]
        );
    }

    #[test]
    fn svg_self_closing_and_svg_title() {
        let html = r#"<svg viewBox="0 0 1 1"><path d="M0"/><title>t</title><text>x</text></svg>"#;
        assert_eq!(
            texts(html).unwrap(),
            vec![
                ("t", false, Some("title".into())),
                ("x", false, Some("text".into())),
            ]
        );
    }

    #[test]
    fn refuses_what_it_does_not_understand() {
        for html in [
            "a < b",
            "<p>x</div>",
            "<b><i>x</b></i>",
            "<!-->",
            "<?php x ?>",
            "<![CDATA[x]]>",
            "<svg><div>x</div></svg>",
            "<plaintext>x",
            "<pre>\nx</pre>",
            "<div class=\"unterminated>",
            "<script>never closed",
            "</>",
        ] {
            assert!(scan(html).is_none(), "{html}");
        }
    }
}
