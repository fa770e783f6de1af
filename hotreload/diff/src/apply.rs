//! The reference applier: applies ops to an rcdom tree.
//!
//! This is the executable specification the browser client mirrors; see [`crate::ops`] for the
//! op semantics. Every malformed op (a path that leads nowhere, a text op on an element, an
//! index past the end) is an [`ApplyError`], never a panic. Ops before the failing one stay
//! applied, as they would in a browser; the caller resyncs by resending the whole boundary.

use std::rc::Rc;

use html5ever::tendril::StrTendril;
use html5ever::{Attribute, QualName};
use markup5ever_rcdom::{Handle, Node, NodeData};

use crate::insert::context_for;
use crate::ops::Op;
use crate::tree::{Fragment, attr_qualname, child_container, element_name, parse_nodes};

/// Why an op could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplyError {
    /// A path step points past the end of a child list.
    #[error("op #{op}: path {path:?} has no node at step {step} (only {len} children there)")]
    NoSuchNode {
        /// Index of the failing op.
        op: usize,
        /// Its path.
        path: Vec<u32>,
        /// Position in the path that failed.
        step: usize,
        /// Number of children where the step failed.
        len: usize,
    },
    /// The op needs a different kind of node at its path.
    #[error("op #{op}: node at {path:?} is {found}, expected {expected}")]
    WrongNodeKind {
        /// Index of the failing op.
        op: usize,
        /// Its path.
        path: Vec<u32>,
        /// What the op needs (e.g. "an element").
        expected: &'static str,
        /// What is there.
        found: &'static str,
    },
    /// An insert or move index is past the end of the child list.
    #[error("op #{op}: index {index} out of range at {path:?} ({len} children)")]
    IndexOutOfRange {
        /// Index of the failing op.
        op: usize,
        /// Its path.
        path: Vec<u32>,
        /// The bad index.
        index: u32,
        /// Number of children.
        len: usize,
    },
    /// An insert names a `ctx` other than `template`, `svg` or `math`.
    #[error("op #{op}: unknown parsing context {ctx:?}")]
    UnknownContext {
        /// Index of the failing op.
        op: usize,
        /// The context given.
        ctx: String,
    },
    /// `remove`/`replace` on the empty path: the boundary root cannot be removed.
    #[error("op #{op}: cannot remove or replace the fragment root")]
    RootNotReplaceable {
        /// Index of the failing op.
        op: usize,
    },
}

/// Applies `ops` to `fragment` in order.
pub fn apply(fragment: &mut Fragment, ops: &[Op]) -> Result<(), ApplyError> {
    for (i, op) in ops.iter().enumerate() {
        apply_one(fragment, i, op)?;
    }
    Ok(())
}

fn apply_one(fragment: &Fragment, op_index: usize, op: &Op) -> Result<(), ApplyError> {
    let path = op.path();
    let err_path = || path.to_vec();
    match op {
        Op::Text { text, .. } => {
            let node = resolve(fragment, op_index, path)?;
            match &node.data {
                NodeData::Text { contents } => {
                    *contents.borrow_mut() = StrTendril::from_slice(text);
                    Ok(())
                }
                NodeData::Comment { .. } => {
                    // rcdom comments are immutable: swap in a new comment node.
                    let (parent, index) = resolve_parent(fragment, op_index, path)?;
                    let new = Node::new(NodeData::Comment {
                        contents: StrTendril::from_slice(text),
                    });
                    splice(&parent, index, 1, vec![new]);
                    Ok(())
                }
                _ => Err(wrong_kind(op_index, path, "a text or comment node", &node)),
            }
        }
        Op::Attr {
            name, value, ns, ..
        } => {
            let node = resolve(fragment, op_index, path)?;
            let NodeData::Element { attrs, .. } = &node.data else {
                return Err(wrong_kind(op_index, path, "an element", &node));
            };
            let qn = attr_qualname(name, ns.as_deref());
            let mut attrs = attrs.borrow_mut();
            match attrs
                .iter_mut()
                .find(|a| a.name.ns == qn.ns && a.name.local == qn.local)
            {
                Some(a) => a.value = StrTendril::from_slice(value),
                None => attrs.push(Attribute {
                    name: qn,
                    value: StrTendril::from_slice(value),
                }),
            }
            Ok(())
        }
        Op::RemoveAttr { name, ns, .. } => {
            let node = resolve(fragment, op_index, path)?;
            let NodeData::Element { attrs, .. } = &node.data else {
                return Err(wrong_kind(op_index, path, "an element", &node));
            };
            let qn = attr_qualname(name, ns.as_deref());
            attrs
                .borrow_mut()
                .retain(|a| !(a.name.ns == qn.ns && a.name.local == qn.local));
            Ok(())
        }
        Op::Insert {
            index, html, ctx, ..
        } => {
            let parent = resolve(fragment, op_index, path)?;
            let (context, context_attrs) = match ctx {
                None => parse_context(fragment, &parent)
                    .ok_or_else(|| wrong_kind(op_index, path, "an element", &parent))?,
                Some(ctx) => (
                    context_for(ctx).ok_or_else(|| ApplyError::UnknownContext {
                        op: op_index,
                        ctx: ctx.clone(),
                    })?,
                    Vec::new(),
                ),
            };
            if element_name(&parent).is_none() {
                return Err(wrong_kind(op_index, path, "an element", &parent));
            }
            let container = child_container(&parent);
            let len = container.children.borrow().len();
            if *index as usize > len {
                return Err(ApplyError::IndexOutOfRange {
                    op: op_index,
                    path: err_path(),
                    index: *index,
                    len,
                });
            }
            let nodes = parse_nodes(html, &context, context_attrs);
            splice(&container, *index as usize, 0, nodes);
            Ok(())
        }
        Op::Remove { .. } => {
            let (parent, index) = resolve_parent(fragment, op_index, path)?;
            splice(&parent, index, 1, Vec::new());
            Ok(())
        }
        Op::Move { from, to, .. } => {
            let parent = resolve(fragment, op_index, path)?;
            if element_name(&parent).is_none() {
                return Err(wrong_kind(op_index, path, "an element", &parent));
            }
            let container = child_container(&parent);
            let mut children = container.children.borrow_mut();
            let len = children.len();
            for &i in [from, to].into_iter() {
                if i as usize >= len {
                    return Err(ApplyError::IndexOutOfRange {
                        op: op_index,
                        path: err_path(),
                        index: i,
                        len,
                    });
                }
            }
            let node = children.remove(*from as usize);
            children.insert(*to as usize, node);
            Ok(())
        }
        Op::Replace { html, .. } => {
            let (container, index) = resolve_parent(fragment, op_index, path)?;
            let parent = parent_element(fragment, path)?;
            let (context, context_attrs) = parse_context(fragment, &parent)
                .ok_or_else(|| wrong_kind(op_index, path, "an element", &parent))?;
            let nodes = parse_nodes(html, &context, context_attrs);
            splice(&container, index, 1, nodes);
            Ok(())
        }
    }
}

/// The node at `path`.
fn resolve(fragment: &Fragment, op: usize, path: &[u32]) -> Result<Handle, ApplyError> {
    let mut node = fragment.root().clone();
    for (step, &i) in path.iter().enumerate() {
        let container = child_container(&node);
        let next = container.children.borrow().get(i as usize).cloned();
        node = next.ok_or_else(|| ApplyError::NoSuchNode {
            op,
            path: path.to_vec(),
            step,
            len: container.children.borrow().len(),
        })?;
    }
    Ok(node)
}

/// The child container holding the node at `path` and the node's index in it.
fn resolve_parent(
    fragment: &Fragment,
    op: usize,
    path: &[u32],
) -> Result<(Handle, usize), ApplyError> {
    let Some((&last, parent_path)) = path.split_last() else {
        return Err(ApplyError::RootNotReplaceable { op });
    };
    let parent = resolve(fragment, op, parent_path)?;
    let container = child_container(&parent);
    let len = container.children.borrow().len();
    if last as usize >= len {
        return Err(ApplyError::NoSuchNode {
            op,
            path: path.to_vec(),
            step: parent_path.len(),
            len,
        });
    }
    Ok((container, last as usize))
}

/// The element whose child the node at `path` is (path is known to resolve).
fn parent_element(fragment: &Fragment, path: &[u32]) -> Result<Handle, ApplyError> {
    let parent_path = path.split_last().map_or(&[][..], |(_, p)| p);
    resolve(fragment, 0, parent_path)
}

/// The name and attributes to parse children of `parent` with: the fragment's context for
/// the root, the element itself otherwise. `None` if `parent` is not an element.
fn parse_context(fragment: &Fragment, parent: &Handle) -> Option<(QualName, Vec<Attribute>)> {
    if Rc::ptr_eq(parent, fragment.root()) {
        return Some((fragment.context().qual().clone(), Vec::new()));
    }
    match &parent.data {
        NodeData::Element { name, attrs, .. } => Some((name.clone(), attrs.borrow().clone())),
        _ => None,
    }
}

/// Replaces `remove` children of `container` at `index` with `nodes`, fixing parent links.
fn splice(container: &Handle, index: usize, remove: usize, nodes: Vec<Handle>) {
    for node in &nodes {
        node.parent.set(Some(Rc::downgrade(container)));
    }
    let removed: Vec<Handle> = container
        .children
        .borrow_mut()
        .splice(index..index + remove, nodes)
        .collect();
    for node in removed {
        node.parent.set(None);
    }
}

fn wrong_kind(op: usize, path: &[u32], expected: &'static str, node: &Handle) -> ApplyError {
    ApplyError::WrongNodeKind {
        op,
        path: path.to_vec(),
        expected,
        found: kind_name(node),
    }
}

fn kind_name(node: &Handle) -> &'static str {
    match node.data {
        NodeData::Element { .. } => "an element",
        NodeData::Text { .. } => "a text node",
        NodeData::Comment { .. } => "a comment",
        NodeData::Doctype { .. } => "a doctype",
        NodeData::ProcessingInstruction { .. } => "a processing instruction",
        NodeData::Document => "a document",
    }
}
