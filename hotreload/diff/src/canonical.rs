//! A canonical, structure-revealing serialization of trees, and structural equality built on it.
//!
//! Unlike HTML serialization, the canonical form shows everything that makes two trees differ
//! for a browser: namespaces, attribute namespaces, text-node boundaries (each text node is
//! its own quoted string, so `"ab"` and `"a" "b"` differ), comments and `<template>` contents.
//! Attributes are sorted, so attribute order does not matter (it does not in the DOM either).
//!
//! Format, one token per node, no whitespace added:
//! - element: `<svg:rect fill="red">` ... `</svg:rect>`; the prefix is `svg:`/`math:` for
//!   those namespaces, `{url}` for any other non-HTML one; attribute names carry `xlink:` etc.
//! - template contents: `<template>#content[` ... `]</template>`
//! - text: a JSON-style quoted string, e.g. `"Count: 7\n"`
//! - comment: `<!--"text"-->`
//!
//! With [`CanonicalOptions::opaque_boundaries`], the inside of every component boundary
//! (`data-live-view-id`) is replaced by `…` and its attributes other than the id are left out, which is how the diff invariant is stated for
//! nested components (see [`crate::boundary`]).

use std::fmt::Write as _;

use html5ever::{QualName, ns};
use markup5ever_rcdom::{Handle, NodeData};

use crate::boundary::{BOUNDARY_ATTR, boundary_id};
use crate::tree::{Fragment, child_container};

/// Options for [`canonical_with`].
#[derive(Debug, Clone, Copy, Default)]
pub struct CanonicalOptions {
    /// Write `…` instead of the contents of component boundaries.
    pub opaque_boundaries: bool,
}

/// The canonical form of a fragment (its root's children). See the module docs for the format.
pub fn canonical(fragment: &Fragment) -> String {
    canonical_with(fragment, CanonicalOptions::default())
}

/// The canonical form of a fragment with options.
pub fn canonical_with(fragment: &Fragment, opts: CanonicalOptions) -> String {
    let nodes = fragment.children();
    canonical_nodes(&nodes, opts)
}

/// The canonical form of a run of nodes (e.g. one node's children, or one node: `&[node]`).
#[doc(hidden)]
pub fn canonical_nodes(nodes: &[Handle], opts: CanonicalOptions) -> String {
    enum Step {
        Open(Handle),
        Close(String),
        CloseContent,
    }
    let mut out = String::new();
    let mut stack: Vec<Step> = nodes.iter().rev().cloned().map(Step::Open).collect();
    while let Some(step) = stack.pop() {
        match step {
            Step::Open(node) => match &node.data {
                NodeData::Element {
                    name,
                    attrs,
                    template_contents,
                    ..
                } => {
                    let tag = element_tag(name);
                    out.push('<');
                    out.push_str(&tag);
                    let opaque = opts.opaque_boundaries && boundary_id(&node).is_some();
                    let mut list: Vec<(String, String)> = attrs
                        .borrow()
                        .iter()
                        // An opaque boundary shows only its id: the child owns the rest.
                        .filter(|a| {
                            !opaque || (a.name.ns == ns!() && &*a.name.local == BOUNDARY_ATTR)
                        })
                        .map(|a| (attr_tag(&a.name), a.value.to_string()))
                        .collect();
                    list.sort();
                    for (k, v) in list {
                        out.push(' ');
                        out.push_str(&k);
                        out.push('=');
                        push_quoted(&mut out, &v);
                    }
                    out.push('>');
                    stack.push(Step::Close(tag));
                    if opaque {
                        out.push('…');
                        continue;
                    }
                    if template_contents.borrow().is_some() {
                        out.push_str("#content[");
                        stack.push(Step::CloseContent);
                    }
                    let container = child_container(&node);
                    for child in container.children.borrow().iter().rev() {
                        stack.push(Step::Open(child.clone()));
                    }
                }
                NodeData::Text { contents } => push_quoted(&mut out, &contents.borrow()),
                NodeData::Comment { contents } => {
                    out.push_str("<!--");
                    push_quoted(&mut out, contents);
                    out.push_str("-->");
                }
                NodeData::Doctype { name, .. } => {
                    out.push_str("<!DOCTYPE ");
                    push_quoted(&mut out, name);
                    out.push('>');
                }
                NodeData::ProcessingInstruction { target, contents } => {
                    out.push_str("<?");
                    push_quoted(&mut out, target);
                    out.push(' ');
                    push_quoted(&mut out, contents);
                    out.push('>');
                }
                NodeData::Document => out.push_str("#document"),
            },
            Step::Close(tag) => {
                out.push_str("</");
                out.push_str(&tag);
                out.push('>');
            }
            Step::CloseContent => out.push(']'),
        }
    }
    out
}

/// Structural equality of two fragments: same canonical form.
pub fn structurally_equal(a: &Fragment, b: &Fragment) -> bool {
    canonical(a) == canonical(b)
}

fn element_tag(name: &QualName) -> String {
    let prefix = match name.ns {
        ns!(html) => String::new(),
        ns!(svg) => "svg:".to_owned(),
        ns!(mathml) => "math:".to_owned(),
        ref other => format!("{{{other}}}"),
    };
    format!("{prefix}{}", name.local)
}

fn attr_tag(name: &QualName) -> String {
    match name.ns {
        ns!() => name.local.to_string(),
        ns!(xlink) => format!("xlink:{}", name.local),
        ns!(xml) => format!("xml:{}", name.local),
        ns!(xmlns) => format!("xmlns:{}", name.local),
        ref other => format!("{{{other}}}{}", name.local),
    }
}

fn push_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::parse_fragment;

    #[test]
    fn attribute_order_does_not_matter() {
        let a = parse_fragment(r#"<p a="1" b="2">x</p>"#);
        let b = parse_fragment(r#"<p b="2" a="1">x</p>"#);
        assert!(structurally_equal(&a, &b));
    }

    #[test]
    fn shows_namespaces_templates_and_implied_elements() {
        let f = parse_fragment(
            r##"<table><tr><td>1</td></tr></table><template><b>t</b></template><svg><a xlink:href="#x"/></svg>"##,
        );
        assert_eq!(
            canonical(&f),
            r##"<table><tbody><tr><td>"1"</td></tr></tbody></table><template>#content[<b>"t"</b>]</template><svg:svg><svg:a xlink:href="#x"></svg:a></svg:svg>"##
        );
    }

    #[test]
    fn text_boundaries_are_visible() {
        let f = parse_fragment("a<!--c-->b");
        assert_eq!(canonical(&f), r#""a"<!--"c"-->"b""#);
    }
}
