//! Emitting `insert`/`replace` ops whose HTML really rebuilds the new nodes.
//!
//! Serializing a parsed tree and parsing it again does not always give the same tree: the
//! parser can build trees its own serialization cannot express (an `<option>` inside an
//! `<option>` after table foster-parenting, `<p>` inside `<p>` via the adoption agency, ...).
//! Browsers have the same problem with `innerHTML`. So every insert is checked: the HTML is
//! parsed in the context the client will use, and its subtree hashes are compared with the
//! nodes it must create. If they differ, the nodes are sent one by one, and a node that still
//! does not survive the round trip is sent as an empty *shell* (its start tag) followed by
//! inserts of its children into it — where the parser, now working in the shell as context,
//! builds them faithfully. Only the rare failing subtrees pay for the extra parse levels.

use html5ever::{Attribute, QualName, local_name, ns};
use markup5ever_rcdom::{Handle, NodeData};

use crate::canonical::{CanonicalOptions, canonical_nodes};
use crate::index::Index;
use crate::ops::{Op, Path};
use crate::tree::{child_container, parse_into_root, serialize_nodes, shallow_copy};

/// Where new nodes go: the parent's path, its name and attributes (the parsing context).
pub(crate) struct Target {
    pub(crate) path: Path,
    pub(crate) name: QualName,
    pub(crate) attrs: Vec<Attribute>,
}

/// Emits ops inserting the new nodes `nodes` (ids in `new`) at `index` under `target`.
pub(crate) fn emit_insert(
    new: &Index,
    target: Target,
    index: usize,
    nodes: &[u32],
    ops: &mut Vec<Op>,
) {
    let handles: Vec<Handle> = nodes.iter().map(|&n| new.node(n).handle.clone()).collect();
    let html = serialize_nodes(&handles, &target.name);
    if survives(&html, &target, nodes.iter().map(|&n| new.node(n).hash)) {
        ops.push(Op::Insert {
            path: target.path,
            index: index as u32,
            html,
            ctx: None,
        });
        return;
    }
    // Slow path, iterative: (parent target, index, node handle) work items.
    let mut stack: Vec<(std::rc::Rc<Target>, usize, Handle)> = Vec::new();
    let target = std::rc::Rc::new(target);
    for (k, h) in handles.into_iter().enumerate().rev() {
        stack.push((target.clone(), index + k, h));
    }
    while let Some((target, index, node)) = stack.pop() {
        let one = serialize_nodes(std::slice::from_ref(&node), &target.name);
        if survives_canonical(&one, &target, &node) {
            ops.push(Op::Insert {
                path: target.path.clone(),
                index: index as u32,
                html: one,
                ctx: None,
            });
            continue;
        }
        let NodeData::Element { name, attrs, .. } = &node.data else {
            // A text or comment node that cannot be rebuilt here: send it anyway.
            ops.push(Op::Insert {
                path: target.path.clone(),
                index: index as u32,
                html: one,
                ctx: None,
            });
            continue;
        };
        let shell = shallow_copy(&node);
        let shell_html = serialize_nodes(std::slice::from_ref(&shell), &target.name);
        // The parent context may refuse even the empty element (a <select> in a <select>);
        // then parse it in a neutral context for its namespace and insert the node as is.
        let ctx = if survives_canonical(&shell_html, &target, &shell) {
            None
        } else {
            Some(neutral_context(name).to_owned())
        };
        ops.push(Op::Insert {
            path: target.path.clone(),
            index: index as u32,
            html: shell_html,
            ctx,
        });
        let mut path = target.path.clone();
        path.push(index as u32);
        let child_target = std::rc::Rc::new(Target {
            path,
            name: name.clone(),
            attrs: attrs.borrow().clone(),
        });
        let kids = child_container(&node).children.borrow().clone();
        for (k, kid) in kids.into_iter().enumerate().rev() {
            stack.push((child_target.clone(), k, kid));
        }
    }
}

/// The `ctx` value to parse an element of `name`'s namespace on its own.
fn neutral_context(name: &QualName) -> &'static str {
    match name.ns {
        ns!(svg) => "svg",
        ns!(mathml) => "math",
        _ => "template",
    }
}

/// The context element named by an insert's `ctx`, if it is one of the known values.
pub(crate) fn context_for(ctx: &str) -> Option<QualName> {
    let (ns, local) = match ctx {
        "template" => (ns!(html), local_name!("template")),
        "svg" => (ns!(svg), local_name!("svg")),
        "math" => (ns!(mathml), local_name!("math")),
        _ => return None,
    };
    Some(QualName::new(None, ns, local))
}

/// Whether `html` parsed under `target` gives nodes with exactly these subtree hashes.
fn survives(html: &str, target: &Target, hashes: impl ExactSizeIterator<Item = u64>) -> bool {
    let root = parse_into_root(html, &target.name, target.attrs.clone());
    let index = Index::build(&root);
    let kids = index.children(0);
    kids.len() == hashes.len() && kids.zip(hashes).all(|(k, h)| index.node(k).hash == h)
}

/// Whether `html` parsed under `target` gives exactly `node` (or its shell).
fn survives_canonical(html: &str, target: &Target, node: &Handle) -> bool {
    let root = parse_into_root(html, &target.name, target.attrs.clone());
    let got = root.children.borrow().clone();
    let opts = CanonicalOptions::default();
    canonical_nodes(&got, opts) == canonical_nodes(std::slice::from_ref(node), opts)
}
