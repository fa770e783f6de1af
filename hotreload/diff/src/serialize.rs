//! Serializing nodes back to HTML: the HTML fragment serialization algorithm (what
//! `element.innerHTML` returns), for `insert` ops and [`crate::Fragment::to_html`].
//!
//! Written out here rather than through html5ever's serializer for one reason: a carriage
//! return. Parsing turns every literal CR into LF, so a text node or attribute value can only
//! hold a CR that came from a character reference (`&#13;`); the standard algorithm writes it
//! raw, and parsing that HTML again (an `insert` op, in the browser or in [`crate::apply`])
//! yields an LF, so the client would silently hold different text than the server's tree. This
//! serializer writes `&#13;` instead (found by the `client_tree` fuzz target). Everything else
//! matches html5ever's output: `&`, `<`, `>`, NBSP (and `"` in attributes) escaped, raw-text
//! elements written raw, void elements without end tags, `<template>` contents included, and
//! one extra newline after `<pre>`/`<textarea>`/`<listing>` whose text starts with one.
//!
//! Iterative, so a 10 000-level tree serializes on a small stack.

use html5ever::{QualName, local_name, ns};
use markup5ever_rcdom::{Handle, NodeData};

use crate::scan::VOID;
use crate::tree::child_container;

/// Serializes the children of `parent` (an element named `parent_name`) to HTML.
pub(crate) fn serialize_children(parent: &Handle, parent_name: &QualName) -> String {
    let nodes = child_container(parent).children.borrow().clone();
    serialize_nodes(&nodes, parent_name)
}

enum Step {
    Open(Handle),
    Close(QualName),
}

/// Serializes a run of sibling nodes whose parent is named `parent_name` to HTML.
///
/// The parent name matters: text under `<script>`/`<style>` is written raw, elsewhere escaped.
pub(crate) fn serialize_nodes(nodes: &[Handle], parent_name: &QualName) -> String {
    let mut out = String::new();
    // Per open element: whether its text is written raw.
    let mut raw = vec![is_raw_text(parent_name)];
    let mut stack: Vec<Step> = nodes.iter().rev().cloned().map(Step::Open).collect();
    while let Some(step) = stack.pop() {
        match step {
            Step::Open(node) => match &node.data {
                NodeData::Element { name, attrs, .. } => {
                    out.push('<');
                    out.push_str(&name.local);
                    for attr in attrs.borrow().iter() {
                        out.push(' ');
                        push_attr_name(&mut out, &attr.name);
                        out.push_str("=\"");
                        push_escaped(&mut out, &attr.value, true);
                        out.push('"');
                    }
                    out.push('>');
                    if is_void(name) {
                        continue; // no end tag, and children (if any) are not written
                    }
                    stack.push(Step::Close(name.clone()));
                    raw.push(is_raw_text(name));
                    let container = child_container(&node);
                    if starts_with_newline_sensitive_text(name, &container) {
                        // The parser drops one newline right after <pre>, <textarea> and
                        // <listing>; write an extra one so a leading newline survives.
                        out.push('\n');
                    }
                    for child in container.children.borrow().iter().rev() {
                        stack.push(Step::Open(child.clone()));
                    }
                }
                NodeData::Text { contents } => {
                    if raw.last() == Some(&true) {
                        out.push_str(&contents.borrow());
                    } else {
                        push_escaped(&mut out, &contents.borrow(), false);
                    }
                }
                NodeData::Comment { contents } => {
                    out.push_str("<!--");
                    out.push_str(contents);
                    out.push_str("-->");
                }
                NodeData::Doctype { name, .. } => {
                    out.push_str("<!DOCTYPE ");
                    out.push_str(name);
                    out.push('>');
                }
                NodeData::ProcessingInstruction { target, contents } => {
                    out.push_str("<?");
                    out.push_str(target);
                    out.push(' ');
                    out.push_str(contents);
                    out.push('>');
                }
                NodeData::Document => {}
            },
            Step::Close(name) => {
                raw.pop();
                out.push_str("</");
                out.push_str(&name.local);
                out.push('>');
            }
        }
    }
    out
}

/// An attribute's serialized name: `xml:`, `xmlns:` and `xlink:` prefixes for the namespaces
/// the HTML parser assigns, the qualified name otherwise.
fn push_attr_name(out: &mut String, name: &QualName) {
    match name.ns {
        ns!() => {}
        ns!(xml) => out.push_str("xml:"),
        ns!(xmlns) => {
            if name.local != local_name!("xmlns") {
                out.push_str("xmlns:");
            }
        }
        ns!(xlink) => out.push_str("xlink:"),
        _ => {
            if let Some(prefix) = &name.prefix {
                out.push_str(prefix);
                out.push(':');
            }
        }
    }
    out.push_str(&name.local);
}

fn push_escaped(out: &mut String, text: &str, attribute: bool) {
    let mut rest = text;
    while let Some(at) = rest.find(['&', '<', '>', '"', '\u{a0}', '\r']) {
        out.push_str(&rest[..at]);
        let c = rest[at..].chars().next().unwrap_or('&');
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\u{a0}' => out.push_str("&nbsp;"),
            '\r' => out.push_str("&#13;"),
            other => out.push(other),
        }
        rest = &rest[at + c.len_utf8()..];
    }
    out.push_str(rest);
}

fn is_void(name: &QualName) -> bool {
    name.ns == ns!(html) && VOID.contains(&&*name.local)
}

/// Elements whose text is not escaped (scripting is on, so `<noscript>` too).
fn is_raw_text(name: &QualName) -> bool {
    name.ns == ns!(html)
        && matches!(
            name.local,
            local_name!("style")
                | local_name!("script")
                | local_name!("xmp")
                | local_name!("iframe")
                | local_name!("noembed")
                | local_name!("noframes")
                | local_name!("plaintext")
                | local_name!("noscript")
        )
}

/// Whether `name` is `pre`/`textarea`/`listing` and its first child is text starting with LF.
fn starts_with_newline_sensitive_text(name: &QualName, container: &Handle) -> bool {
    if name.ns != ns!(html)
        || !matches!(
            name.local,
            local_name!("pre") | local_name!("textarea") | local_name!("listing")
        )
    {
        return false;
    }
    match container.children.borrow().first().map(|c| &c.data) {
        Some(NodeData::Text { contents }) => contents.borrow().starts_with('\n'),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use crate::tree::parse_fragment;

    #[test]
    fn round_trips_like_inner_html() {
        for html in [
            r#"<p class="a&amp;b" title="&quot;q&quot; &lt;x&gt;">a &amp; b &lt; c &gt; d&nbsp;e</p>"#,
            "<br><img src=\"x\"><input value=\"v\">",
            "<script>if (a < b && c > d) {}</script><style>p > a {}</style>",
            "<svg viewBox=\"0 0 1 1\"><a xlink:href=\"#x\"></a><foreignObject></foreignObject></svg>",
            "<template><tr><td>t</td></tr></template><!-- c -->",
            "<pre>\n\nx</pre><textarea>\nt</textarea>",
            "<p>a&#13;b</p><div data-x=\"1&#13;2\"></div>",
        ] {
            let once = parse_fragment(html).to_html();
            let twice = parse_fragment(&once).to_html();
            assert_eq!(once, twice, "{html}");
            assert!(crate::structurally_equal(
                &parse_fragment(html),
                &parse_fragment(&once)
            ));
        }
    }

    #[test]
    fn carriage_returns_are_written_as_references() {
        let html = parse_fragment("<p title=\"1&#13;2\">a&#13;b</p>").to_html();
        assert_eq!(html, "<p title=\"1&#13;2\">a&#13;b</p>");
    }
}
