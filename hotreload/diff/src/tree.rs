//! Parsing HTML fragments into `markup5ever_rcdom` trees (serializing them back is
//! `serialize.rs`).
//!
//! Everything here is iterative: a 10 000-level-deep tree must not overflow a 2 MiB test
//! thread stack, and neither html5ever's tree builder, rcdom's `Drop` nor these walkers
//! recurse per level.

use std::cell::RefCell;
use std::rc::Rc;

use html5ever::tendril::TendrilSink;
use html5ever::{Attribute, LocalName, Namespace, QualName, local_name, ns};
use markup5ever_rcdom::{Handle, Node, NodeData, RcDom};

pub(crate) use crate::serialize::{serialize_children, serialize_nodes};

/// A parsed HTML fragment: the inner HTML of one component boundary.
///
/// The fragment is parsed the way a browser parses `element.innerHTML = html` for a context
/// element (default `<body>`), so `<tr>` gets an implied `<tbody>`, `<p>` is auto-closed,
/// `<svg>` children land in the SVG namespace and `<template>` contents are kept.
///
/// [`Fragment::root`] is a synthetic `<html>` element (what html5ever produces for fragment
/// parsing); its children are the fragment's top-level nodes. Op paths start from it: the
/// empty path `[]` is the root itself, `[0]` its first child.
pub struct Fragment {
    root: Handle,
    context: Context,
}

/// The element a fragment is parsed inside, as `element.innerHTML = html` would: its name
/// decides how the parser treats the markup (rows in a `tbody`, text in a `textarea`, ...).
/// The crate's own type, so that callers need not name html5ever's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context(QualName);

impl Context {
    /// An HTML element by its tag name, e.g. `Context::html("div")` for a boundary element.
    pub fn html(tag: &str) -> Context {
        Context(QualName::new(
            None,
            ns!(html),
            LocalName::from(tag.to_ascii_lowercase()),
        ))
    }

    /// `<body>`, the default.
    pub fn body() -> Context {
        Context(QualName::new(None, ns!(html), local_name!("body")))
    }

    /// The element's tag name.
    pub fn tag(&self) -> &str {
        &self.0.local
    }

    /// The name as html5ever knows it.
    pub(crate) fn qual(&self) -> &QualName {
        &self.0
    }
}

impl Default for Context {
    fn default() -> Self {
        Context::body()
    }
}

impl std::fmt::Debug for Fragment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fragment")
            .field("context", &self.context.tag())
            .field("html", &self.to_html())
            .finish()
    }
}

impl Fragment {
    /// The synthetic root element whose children are the fragment's nodes (an html5ever
    /// node: for this crate's tests and benches, not part of its API).
    #[doc(hidden)]
    pub fn root(&self) -> &Handle {
        &self.root
    }

    /// The context element the fragment was parsed for (`body` unless told otherwise).
    pub fn context(&self) -> &Context {
        &self.context
    }

    /// Serializes the fragment back to HTML (its inner HTML, as `element.innerHTML` would).
    pub fn to_html(&self) -> String {
        serialize_children(&self.root, self.context.qual())
    }

    /// A deep copy of the fragment (iterative, so deep trees are fine). Cheaper than parsing
    /// the HTML again, e.g. to keep a pristine copy before applying ops.
    pub fn deep_clone(&self) -> Fragment {
        let root = shallow_copy(&self.root);
        // (original, copy) pairs whose children still need copying.
        let mut stack = vec![(self.root.clone(), root.clone())];
        while let Some((orig, copy)) = stack.pop() {
            let (from, to) = (child_container(&orig), child_container(&copy));
            let kids: Vec<Handle> = from.children.borrow().iter().map(shallow_copy).collect();
            for (o, c) in from.children.borrow().iter().zip(&kids) {
                c.parent.set(Some(Rc::downgrade(&to)));
                stack.push((o.clone(), c.clone()));
            }
            *to.children.borrow_mut() = kids;
        }
        Fragment {
            root,
            context: self.context.clone(),
        }
    }

    /// The top-level nodes of the fragment (html5ever nodes: for this crate's tests, not part
    /// of its API).
    #[doc(hidden)]
    pub fn children(&self) -> Vec<Handle> {
        self.root.children.borrow().clone()
    }
}

/// A copy of `node` without children (a `<template>` gets empty contents of its own).
pub(crate) fn shallow_copy(node: &Handle) -> Handle {
    let data = match &node.data {
        NodeData::Element {
            name,
            attrs,
            template_contents,
            mathml_annotation_xml_integration_point,
        } => NodeData::Element {
            name: name.clone(),
            attrs: RefCell::new(attrs.borrow().clone()),
            template_contents: RefCell::new(
                template_contents
                    .borrow()
                    .as_ref()
                    .map(|_| Node::new(NodeData::Document)),
            ),
            mathml_annotation_xml_integration_point: *mathml_annotation_xml_integration_point,
        },
        NodeData::Text { contents } => NodeData::Text {
            contents: RefCell::new(contents.borrow().clone()),
        },
        other => other.clone(),
    };
    Node::new(data)
}

/// Parses `html` as the inner HTML of a `<body>` element.
pub fn parse_fragment(html: &str) -> Fragment {
    parse_fragment_in(html, Context::body())
}

/// Parses `html` as the inner HTML of `context` (e.g. `Context::html("tbody")` for rows).
pub fn parse_fragment_in(html: &str, context: Context) -> Fragment {
    let root = parse_into_root(html, context.qual(), Vec::new());
    Fragment { root, context }
}

/// Parses bytes as a `<body>` fragment, decoding invalid UTF-8 lossily (U+FFFD).
///
/// Returns the fragment and whether the input had to be decoded lossily, so callers can warn.
pub fn parse_fragment_bytes(bytes: &[u8]) -> (Fragment, bool) {
    let text = String::from_utf8_lossy(bytes);
    let lossy = matches!(text, std::borrow::Cow::Owned(_));
    (parse_fragment(&text), lossy)
}

/// Parses `html` in `context` and returns the synthetic root holding the result.
pub(crate) fn parse_into_root(
    html: &str,
    context: &QualName,
    context_attrs: Vec<Attribute>,
) -> Handle {
    let dom: RcDom = html5ever::parse_fragment(
        RcDom::default(),
        html5ever::ParseOpts::default(),
        context.clone(),
        context_attrs,
        true,
    )
    .one(html);
    // html5ever's fragment algorithm puts the nodes under a single `<html>` root element.
    let first = dom.document.children.borrow().first().cloned();
    let root = match first {
        Some(root) => root,
        None => Node::new(NodeData::Element {
            name: QualName::new(None, ns!(html), local_name!("html")),
            attrs: RefCell::new(Vec::new()),
            template_contents: RefCell::new(None),
            mathml_annotation_xml_integration_point: false,
        }),
    };
    // Detach from the document so the document can be dropped on its own.
    dom.document.children.borrow_mut().clear();
    root.parent.set(None);
    root
}

/// Parses `html` as children of an element named `context` with `context_attrs`, returning
/// the resulting nodes detached from any parent. Used by the applier for inserts.
pub(crate) fn parse_nodes(
    html: &str,
    context: &QualName,
    context_attrs: Vec<Attribute>,
) -> Vec<Handle> {
    let root = parse_into_root(html, context, context_attrs);
    let nodes = std::mem::take(&mut *root.children.borrow_mut());
    for node in &nodes {
        node.parent.set(None);
    }
    nodes
}

/// The node whose `children` vector holds `node`'s child nodes: the template contents for a
/// `<template>` element, the node itself otherwise.
///
/// Ops address `<template>` contents as if they were the template's children (in the browser,
/// `template.content.childNodes`).
pub(crate) fn child_container(node: &Handle) -> Handle {
    if let NodeData::Element {
        template_contents, ..
    } = &node.data
        && let Some(contents) = template_contents.borrow().as_ref()
    {
        return contents.clone();
    }
    node.clone()
}

/// The element name of `node`, if it is an element.
pub(crate) fn element_name(node: &Handle) -> Option<&QualName> {
    match &node.data {
        NodeData::Element { name, .. } => Some(name),
        _ => None,
    }
}

/// Builds a `QualName` for an attribute from its wire form: `name` as written (`xlink:href`)
/// and its namespace URL, if any.
pub(crate) fn attr_qualname(name: &str, ns: Option<&str>) -> QualName {
    match ns {
        None | Some("") => QualName::new(None, ns!(), LocalName::from(name)),
        Some(url) => {
            let (prefix, local) = match name.split_once(':') {
                Some((p, l)) => (Some(html5ever::Prefix::from(p)), l),
                None => (None, name),
            };
            QualName::new(prefix, Namespace::from(url), LocalName::from(local))
        }
    }
}

/// The wire form of an attribute name: `prefix:local` when it has a prefix.
pub(crate) fn attr_wire_name(name: &QualName) -> String {
    match &name.prefix {
        Some(prefix) => format!("{}:{}", prefix, name.local),
        None => name.local.to_string(),
    }
}
