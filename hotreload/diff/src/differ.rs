//! Turning an old tree and a new tree into ops (morphdom / idiomorph style).
//!
//! The walk is an explicit stack of (old node, new node) pairs, so tree depth never grows the
//! call stack. For each pair:
//!
//! - identical subtree hashes → nothing to do (this is what makes one-change diffs cheap);
//! - component boundaries → nothing to do (see [`crate::boundary`]);
//! - text/comment → `text` if the data differs;
//! - element → attribute ops, then the child list is reconciled:
//!   [`crate::matching`] pairs old and new children, then the ops are emitted in an order
//!   where each path is valid when applied: removes (highest index first), moves (only the
//!   children outside a longest increasing run of kept children move), then inserts and
//!   replaces in increasing index order. After that the parent's child list is final, so the
//!   pairs are pushed with their final index and morphed later.

use html5ever::{Attribute, QualName, local_name, ns};
use markup5ever_rcdom::{Handle, NodeData};

use crate::index::{Index, Kind};
use crate::insert::{Target, emit_insert};
use crate::matching::{longest_increasing, match_children};
use crate::ops::{Op, Path};
use crate::tree::{Fragment, attr_wire_name, element_name};

/// Computes the ops that turn `old` into `new` (both fragments of the same component).
pub fn diff(old: &Fragment, new: &Fragment) -> Vec<Op> {
    let old_index = Index::build(old.root());
    let new_index = Index::build(new.root());
    diff_indexed(&old_index, &new_index, new.context().qual())
}

/// Path prefixes are shared: each entry is (parent entry, child index). `ROOT` is the root.
const ROOT: u32 = u32::MAX;

struct Work {
    old: u32,
    new: u32,
    path: u32,
    in_textarea: bool,
}

/// Diffs two indexed trees; `context` is the name of the element the fragments live in.
pub(crate) fn diff_indexed(old: &Index, new: &Index, context: &QualName) -> Vec<Op> {
    let mut ops = Vec::new();
    let mut paths: Vec<(u32, u32)> = Vec::new();
    let mut stack = vec![Work {
        old: 0,
        new: 0,
        path: ROOT,
        in_textarea: false,
    }];
    while let Some(w) = stack.pop() {
        let (o, n) = (old.node(w.old), new.node(w.new));
        if o.hash == n.hash && o.kind == n.kind {
            continue;
        }
        if o.boundary || n.boundary {
            // Paired boundaries have the same id: the child component owns everything here.
            continue;
        }
        match &n.kind {
            Kind::Text | Kind::Comment => {
                let (old_text, new_text) = (node_text(&o.handle), node_text(&n.handle));
                if old_text != new_text {
                    ops.push(Op::Text {
                        path: build_path(&paths, w.path),
                        text: new_text,
                        prop: w.in_textarea && n.kind == Kind::Text,
                    });
                }
            }
            Kind::Element(..) => {
                if w.path != ROOT {
                    diff_attrs(&o.handle, &n.handle, &paths, w.path, &mut ops);
                }
                let parent_name = if w.path == ROOT {
                    context.clone()
                } else {
                    element_name(&n.handle)
                        .cloned()
                        .unwrap_or_else(|| context.clone())
                };
                let in_textarea =
                    parent_name.ns == ns!(html) && parent_name.local == local_name!("textarea");
                let first = stack.len();
                reconcile(
                    old,
                    w.old,
                    new,
                    w.new,
                    w.path,
                    &parent_name,
                    &mut paths,
                    &mut ops,
                    &mut |pair| {
                        stack.push(Work {
                            old: pair.0,
                            new: pair.1,
                            path: pair.2,
                            in_textarea,
                        });
                    },
                );
                // Morph children in document order: the stack pops the last pushed first.
                stack[first..].reverse();
            }
            Kind::Other => {}
        }
    }
    ops
}

/// Reconciles the child lists of a paired old and new node; calls `morph` with
/// (old child, new child, path entry) for each pair left to morph.
#[allow(clippy::too_many_arguments)]
fn reconcile(
    old: &Index,
    old_parent: u32,
    new: &Index,
    new_parent: u32,
    path: u32,
    parent_name: &QualName,
    paths: &mut Vec<(u32, u32)>,
    ops: &mut Vec<Op>,
    morph: &mut dyn FnMut((u32, u32, u32)),
) {
    let olds = old.children(old_parent);
    let news = new.children(new_parent);
    let m = match_children(old, old_parent, new, new_parent);
    let n = news.len();

    // Removes, from the highest index down so lower indexes stay valid.
    let mut parent_path: Option<Path> = None;
    let mut pp = |paths: &Vec<(u32, u32)>| -> Path {
        parent_path
            .get_or_insert_with(|| build_path(paths, path))
            .clone()
    };
    for i in (0..olds.len()).rev() {
        if !m.old_used[i] {
            let mut p = pp(paths);
            p.push(i as u32);
            ops.push(Op::Remove { path: p });
        }
    }

    // Moves: children outside a longest increasing run go right after their predecessor.
    let keep = longest_increasing(&m.new_to_old);
    if keep
        .iter()
        .zip(&m.new_to_old)
        .any(|(k, o)| !k && o.is_some())
    {
        let mut current: Vec<u32> = (0..olds.len() as u32)
            .filter(|&i| m.old_used[i as usize])
            .collect();
        let mut prev: Option<u32> = None;
        for (&matched, &kept) in m.new_to_old.iter().zip(&keep) {
            let Some(o) = matched else { continue };
            if !kept {
                let from = current.iter().position(|&x| x == o).unwrap_or(0);
                current.remove(from);
                let to = match prev {
                    None => 0,
                    Some(p) => current.iter().position(|&x| x == p).map_or(0, |i| i + 1),
                };
                current.insert(to, o);
                if to != from {
                    ops.push(Op::Move {
                        path: pp(paths),
                        from: from as u32,
                        to: to as u32,
                    });
                }
            }
            prev = Some(o);
        }
    }

    // Inserts and replaces, in increasing index order; then queue the pairs to morph.
    let is_text = |j: usize| new.node(news.start + j as u32).kind == Kind::Text;
    let target = |paths: &[(u32, u32)]| Target {
        path: build_path(paths, path),
        name: parent_name.clone(),
        attrs: if path == ROOT {
            Vec::new()
        } else {
            element_attrs(&new.node(new_parent).handle)
        },
    };
    let mut j = 0;
    while j < n {
        match m.new_to_old[j] {
            None => {
                let mut end = j + 1;
                while end < n && m.new_to_old[end].is_none() && !(is_text(end - 1) && is_text(end))
                {
                    end += 1;
                }
                let ids: Vec<u32> = (j..end).map(|k| news.start + k as u32).collect();
                emit_insert(new, target(paths), j, &ids, ops);
                j = end;
            }
            Some(_) if m.replace[j] => {
                let id = news.start + j as u32;
                let mut p = pp(paths);
                p.push(j as u32);
                // A replace is a remove plus an insert at the same index; send it as one op
                // when the HTML survives the round trip.
                let mut probe = Vec::new();
                emit_insert(new, target(paths), j, &[id], &mut probe);
                match probe.as_mut_slice() {
                    [
                        Op::Insert {
                            html, ctx: None, ..
                        },
                    ] => ops.push(Op::Replace {
                        path: p,
                        html: std::mem::take(html),
                    }),
                    _ => {
                        ops.push(Op::Remove { path: p });
                        ops.extend(probe);
                    }
                }
                j += 1;
            }
            Some(i) => {
                paths.push((path, j as u32));
                morph((
                    olds.start + i,
                    news.start + j as u32,
                    (paths.len() - 1) as u32,
                ));
                j += 1;
            }
        }
    }
}

fn element_attrs(node: &Handle) -> Vec<Attribute> {
    match &node.data {
        NodeData::Element { attrs, .. } => attrs.borrow().clone(),
        _ => Vec::new(),
    }
}

fn build_path(paths: &[(u32, u32)], mut at: u32) -> Path {
    let mut out = Vec::new();
    while at != ROOT {
        let (parent, index) = paths[at as usize];
        out.push(index);
        at = parent;
    }
    out.reverse();
    out
}

fn node_text(node: &Handle) -> String {
    match &node.data {
        NodeData::Text { contents } => contents.borrow().to_string(),
        NodeData::Comment { contents } => contents.to_string(),
        _ => String::new(),
    }
}

/// Emits attribute ops turning `old`'s attributes into `new`'s (in `new`'s order).
fn diff_attrs(old: &Handle, new: &Handle, paths: &[(u32, u32)], at: u32, ops: &mut Vec<Op>) {
    let (
        NodeData::Element {
            name, attrs: oa, ..
        },
        NodeData::Element { attrs: na, .. },
    ) = (&old.data, &new.data)
    else {
        return;
    };
    let (oa, na) = (oa.borrow(), na.borrow());
    let mut path: Option<Path> = None;
    for a in na.iter() {
        let same = oa
            .iter()
            .find(|b| b.name.ns == a.name.ns && b.name.local == a.name.local);
        if same.is_some_and(|b| b.value == a.value) {
            continue;
        }
        ops.push(Op::Attr {
            path: path.get_or_insert_with(|| build_path(paths, at)).clone(),
            name: attr_wire_name(&a.name),
            value: a.value.to_string(),
            ns: attr_ns(&a.name),
            prop: is_prop(name, &a.name),
        });
    }
    for b in oa.iter() {
        if na
            .iter()
            .any(|a| a.name.ns == b.name.ns && a.name.local == b.name.local)
        {
            continue;
        }
        ops.push(Op::RemoveAttr {
            path: path.get_or_insert_with(|| build_path(paths, at)).clone(),
            name: attr_wire_name(&b.name),
            ns: attr_ns(&b.name),
            prop: is_prop(name, &b.name),
        });
    }
}

pub(crate) fn attr_ns(name: &QualName) -> Option<String> {
    (name.ns != ns!()).then(|| name.ns.to_string())
}

/// Whether attribute `attr` on element `elem` mirrors a form property the browser keeps
/// separately once the user interacts (see [`Op`]'s `prop`).
pub(crate) fn is_prop(elem: &QualName, attr: &QualName) -> bool {
    if elem.ns != ns!(html) || attr.ns != ns!() {
        return false;
    }
    matches!(
        (&*elem.local, &*attr.local),
        ("input", "value" | "checked")
            | ("option", "selected" | "value")
            | ("select" | "textarea", "value")
    )
}
