//! The harness's copy of the page: the document it was served as, and for every boundary the
//! tree its instance patches (the server's `patch` ops go through `hotreload_diff::apply`, the
//! Rust reference applier the browser client mirrors), plus the form state a user changed.

use crate::testing::select::{Item, Snapshot};
use hotreload_diff::{Context, Fragment, Op, apply, parse_fragment_in};
use html5ever::tendril::TendrilSink;
use markup5ever_rcdom::{Handle, Node, NodeData, RcDom, SerializableHandle};
use std::collections::HashMap;
use std::rc::{Rc, Weak};

/// The attribute naming a boundary's instance.
pub(crate) const BOUNDARY: &str = "data-live-view-id";

/// What the user set on a control (the DOM properties, which the markup does not show).
#[derive(Debug, Default, Clone)]
pub(crate) struct ControlState {
    pub(crate) value: Option<String>,
    pub(crate) checked: Option<bool>,
    /// It got an `input` or `change` (its form then reports it as used).
    pub(crate) used: bool,
}

/// A boundary on the page, as `hello` announces it.
#[derive(Debug, Clone)]
pub(crate) struct Boundary {
    pub(crate) id: String,
    pub(crate) view: String,
    pub(crate) token: Option<String>,
    pub(crate) parent: Option<String>,
}

/// The page: the served document, each boundary's tree, and the controls' state.
pub(crate) struct Dom {
    document: RcDom,
    fragments: HashMap<String, Fragment>,
    controls: HashMap<usize, (Weak<Node>, ControlState)>,
    snapshot: Option<Snapshot>,
}

impl std::fmt::Debug for Dom {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dom")
            .field("boundaries", &self.fragments.len())
            .finish()
    }
}

fn key_of(handle: &Handle) -> usize {
    Rc::as_ptr(handle) as usize
}

fn attr(handle: &Handle, wanted: &str) -> Option<String> {
    match &handle.data {
        NodeData::Element { attrs, .. } => attrs
            .borrow()
            .iter()
            .find(|a| &*a.name.local == wanted)
            .map(|a| a.value.to_string()),
        _ => None,
    }
}

fn children_html(handle: &Handle) -> String {
    let mut out = Vec::new();
    let opts = html5ever::serialize::SerializeOpts {
        traversal_scope: html5ever::serialize::TraversalScope::ChildrenOnly(None),
        ..Default::default()
    };
    let node: SerializableHandle = handle.clone().into();
    if html5ever::serialize(&mut out, &node, opts).is_err() {
        return String::new();
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn boundary_context() -> Context {
    Context::html("div")
}

impl Dom {
    /// Parses a served page; every boundary's tree starts as its inner HTML.
    pub(crate) fn parse(html: &str) -> Dom {
        let document = html5ever::parse_document(RcDom::default(), Default::default()).one(html);
        let mut dom = Dom {
            document,
            fragments: HashMap::new(),
            controls: HashMap::new(),
            snapshot: None,
        };
        let mut stack = vec![dom.document.document.clone()];
        while let Some(node) = stack.pop() {
            if let Some(id) = attr(&node, BOUNDARY) {
                dom.fragments.entry(id).or_insert_with(|| {
                    parse_fragment_in(&children_html(&node), boundary_context())
                });
            }
            stack.extend(node.children.borrow().iter().rev().cloned());
        }
        dom
    }

    /// The boundaries on the page, in document order (nested ones inside their parents').
    pub(crate) fn boundaries(&mut self) -> Vec<Boundary> {
        let page = self.snapshot().clone();
        let mut out = Vec::new();
        for index in page.descendants(0) {
            if let Some(id) = page.attr(index, BOUNDARY) {
                let parent = page.parents[index]
                    .and_then(|p| page.closest(p, |i| page.attr(i, BOUNDARY).is_some()))
                    .and_then(|p| page.attr(p, BOUNDARY).map(str::to_owned));
                out.push(Boundary {
                    id: id.to_owned(),
                    view: page.attr(index, "data-live-view").unwrap_or("").to_owned(),
                    token: page.attr(index, "data-live-token").map(str::to_owned),
                    parent,
                });
            }
        }
        out
    }

    /// The page flattened for selectors, every boundary showing its own tree.
    pub(crate) fn snapshot(&mut self) -> &Snapshot {
        if self.snapshot.is_none() {
            self.snapshot = Some(self.flatten());
        }
        self.snapshot.get_or_insert_with(Snapshot::default)
    }

    fn flatten(&self) -> Snapshot {
        let mut page = Snapshot::default();
        page.push(
            None,
            Item::Element {
                name: String::from("#document"),
                html: true,
                attrs: Vec::new(),
                children: Vec::new(),
                key: 0,
            },
        );
        // (node, parent index); a boundary's children come from its own tree.
        let mut stack: Vec<(Handle, usize)> = self
            .document
            .document
            .children
            .borrow()
            .iter()
            .rev()
            .map(|c| (c.clone(), 0))
            .collect();
        while let Some((node, parent)) = stack.pop() {
            match &node.data {
                NodeData::Element { name, attrs, .. } => {
                    let attrs: Vec<(String, String)> = attrs
                        .borrow()
                        .iter()
                        .map(|a| (a.name.local.to_string(), a.value.to_string()))
                        .collect();
                    let boundary = attrs
                        .iter()
                        .find(|(n, _)| n == BOUNDARY)
                        .and_then(|(_, id)| self.fragments.get(id));
                    let index = page.push(
                        Some(parent),
                        Item::Element {
                            name: name.local.to_string(),
                            html: name.ns == html5ever::ns!(html),
                            attrs,
                            children: Vec::new(),
                            key: key_of(&node),
                        },
                    );
                    let children = match boundary {
                        Some(fragment) => fragment.children(),
                        None => node.children.borrow().clone(),
                    };
                    stack.extend(children.into_iter().rev().map(|c| (c, index)));
                }
                NodeData::Text { contents } => {
                    page.push(Some(parent), Item::Text(contents.borrow().to_string()));
                }
                _ => {}
            }
        }
        page
    }

    /// Applies a `patch` frame's ops to boundary `id`'s tree.
    pub(crate) fn patch(&mut self, id: &str, ops: &[Op]) -> Result<(), String> {
        self.snapshot = None;
        let fragment = self.fragment(id)?;
        apply(fragment, ops).map_err(|error| error.to_string())
    }

    /// Replaces boundary `id`'s tree with an `html` frame's inner HTML.
    pub(crate) fn replace(&mut self, id: &str, html: &str) -> Result<(), String> {
        self.snapshot = None;
        self.fragment(id)?;
        self.fragments
            .insert(id.to_owned(), parse_fragment_in(html, boundary_context()));
        Ok(())
    }

    /// Boundary `id`'s tree; a nested boundary a parent's patch added gets one at its first
    /// frame, from what the parent rendered into it.
    fn fragment(&mut self, id: &str) -> Result<&mut Fragment, String> {
        if !self.fragments.contains_key(id) {
            let element = self
                .find_boundary(id)
                .ok_or_else(|| format!("boundary not found: {id}"))?;
            self.fragments.insert(
                id.to_owned(),
                parse_fragment_in(&children_html(&element), boundary_context()),
            );
        }
        self.fragments
            .get_mut(id)
            .ok_or_else(|| format!("boundary not found: {id}"))
    }

    /// The element of boundary `id`, in the document or in another boundary's tree.
    fn find_boundary(&self, id: &str) -> Option<Handle> {
        let mut stack = vec![self.document.document.clone()];
        stack.extend(self.fragments.values().map(|f| f.root().clone()));
        while let Some(node) = stack.pop() {
            if attr(&node, BOUNDARY).as_deref() == Some(id) {
                return Some(node);
            }
            stack.extend(node.children.borrow().iter().cloned());
        }
        None
    }

    /// A `remount`: boundary `old` is now instance `id` with `token`.
    pub(crate) fn remount(&mut self, old: &str, id: &str, token: &str) {
        self.snapshot = None;
        let Some(element) = self.find_boundary(old) else {
            return;
        };
        if let NodeData::Element { attrs, .. } = &element.data {
            for a in attrs.borrow_mut().iter_mut() {
                match &*a.name.local {
                    BOUNDARY => a.value = id.into(),
                    "data-live-token" => a.value = token.into(),
                    _ => {}
                }
            }
        }
        if let Some(fragment) = self.fragments.remove(old) {
            self.fragments.insert(id.to_owned(), fragment);
        }
    }

    /// What the user set on the control with `key`, if it still exists.
    pub(crate) fn control(&self, key: usize) -> Option<&ControlState> {
        self.controls
            .get(&key)
            .filter(|(node, _)| node.strong_count() > 0)
            .map(|(_, state)| state)
    }

    /// Changes what the user set on the control with `key` (a node of the last snapshot).
    pub(crate) fn set_control(&mut self, key: usize, change: impl FnOnce(&mut ControlState)) {
        let Some(handle) = self.handle_of(key) else {
            return;
        };
        let entry = self
            .controls
            .entry(key)
            .or_insert_with(|| (Rc::downgrade(&handle), ControlState::default()));
        if entry.0.strong_count() == 0 || !Weak::ptr_eq(&entry.0, &Rc::downgrade(&handle)) {
            *entry = (Rc::downgrade(&handle), ControlState::default());
        }
        change(&mut entry.1);
    }

    fn handle_of(&self, key: usize) -> Option<Handle> {
        let mut stack = vec![self.document.document.clone()];
        stack.extend(self.fragments.values().map(|f| f.root().clone()));
        while let Some(node) = stack.pop() {
            if key_of(&node) == key {
                return Some(node);
            }
            stack.extend(node.children.borrow().iter().cloned());
        }
        None
    }

    /// Boundary `id`'s inner HTML as the harness has it.
    pub(crate) fn boundary_html(&self, id: &str) -> Option<String> {
        self.fragments.get(id).map(Fragment::to_html)
    }
}
