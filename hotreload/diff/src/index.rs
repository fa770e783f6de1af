//! A flat, read-only index over an rcdom tree: what the differ needs per node, computed once.
//!
//! Nodes are stored in breadth-first order, so a node's children are a contiguous id range and
//! every child has a larger id than its parent. Walking the ids backwards therefore visits
//! children before parents, which gives subtree hashes and id sets without recursion.
//!
//! Per node: the rcdom handle, a 64-bit subtree hash (equal hashes mean "identical subtree,
//! skip"), its kind (text, comment, element name), its key (`data-key`, else `id`; a
//! boundary's key is its `data-live-view-id`), and its id set (keys found below it, capped,
//! used to pair unkeyed parents whose keyed descendants match, as idiomorph does).
//!
//! The index for the client's current tree is kept by [`crate::ClientTree`] between updates,
//! so each update only parses and indexes the new HTML.

use std::hash::{BuildHasher, DefaultHasher, Hash, Hasher, RandomState};
use std::sync::OnceLock;

use html5ever::{LocalName, Namespace, ns};
use markup5ever_rcdom::{Handle, NodeData};

use crate::boundary::{BOUNDARY_ATTR, IGNORE_ATTR, SOURCE_ATTR};
use crate::tree::child_container;

/// At most this many keys are remembered per node's id set (it only guides matching).
const MAX_IDS: usize = 32;

/// What kind of node this is, as far as matching cares: only nodes of the same kind can be
/// morphed into each other.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    Text,
    Comment,
    Element(Namespace, LocalName),
    Other,
}

pub(crate) struct INode {
    pub(crate) handle: Handle,
    pub(crate) hash: u64,
    /// The subtree hash without [`SOURCE_ATTR`] attributes: what pairs identical subtrees
    /// (an element that only moved in the source is still the same element), while `hash`
    /// decides whether a pair needs diffing at all (the new position must reach the client).
    pub(crate) shape: u64,
    /// Whether this node or one below it has a [`SOURCE_ATTR`]: only then is `shape` hashed
    /// on its own (otherwise it is `hash`, and pages without annotations hash once).
    has_source: bool,
    pub(crate) kind: Kind,
    pub(crate) key: Option<u64>,
    pub(crate) boundary: bool,
    /// A `live-ignore` element: its attributes are diffed, its children are not indexed (the
    /// DOM inside belongs to client-side code; see [`crate::boundary::IGNORE_ATTR`]).
    pub(crate) ignored: bool,
    /// The parent's id (the root's is 0, its own).
    pub(crate) parent: u32,
    /// First child id and child count (children are contiguous in BFS order).
    pub(crate) first_child: u32,
    pub(crate) child_count: u32,
    ids_start: u32,
    ids_len: u32,
}

/// The index of one tree.
pub(crate) struct Index {
    pub(crate) nodes: Vec<INode>,
    ids: Vec<u64>,
    /// Depth of the deepest node (the root's children are at depth 1).
    pub(crate) max_depth: usize,
}

impl std::fmt::Debug for Index {
    // Not derived: rcdom's `Debug` for a node recurses into its children, which would
    // overflow the stack on a deep tree.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index")
            .field("nodes", &self.nodes.len())
            .field("max_depth", &self.max_depth)
            .finish()
    }
}

impl Index {
    /// Indexes the tree under `root` (the root itself is node 0).
    pub(crate) fn build(root: &Handle) -> Index {
        let mut nodes = vec![new_inode(root.clone())];
        let mut depths: Vec<u32> = vec![0];
        let mut max_depth = 0usize;
        let mut i = 0;
        while i < nodes.len() {
            if !nodes[i].opaque() {
                let container = child_container(&nodes[i].handle);
                let children = container.children.borrow();
                let first = nodes.len() as u32;
                let depth = depths[i] + 1;
                for child in children.iter() {
                    let mut inode = new_inode(child.clone());
                    inode.parent = i as u32;
                    nodes.push(inode);
                    depths.push(depth);
                }
                if !children.is_empty() {
                    max_depth = max_depth.max(depth as usize);
                }
                nodes[i].first_child = first;
                nodes[i].child_count = children.len() as u32;
            }
            i += 1;
        }

        let mut ids: Vec<u64> = Vec::new();
        let mut scratch: Vec<u64> = Vec::new();
        for i in (0..nodes.len()).rev() {
            let (first, count) = (nodes[i].first_child as usize, nodes[i].child_count as usize);
            (nodes[i].hash, nodes[i].shape, nodes[i].has_source) = subtree_hash(&nodes, i);
            scratch.clear();
            for child in &nodes[first..first + count] {
                if let Some(k) = child.key {
                    scratch.push(k);
                }
                let (s, l) = (child.ids_start as usize, child.ids_len as usize);
                scratch.extend_from_slice(&ids[s..s + l]);
            }
            if !scratch.is_empty() {
                scratch.sort_unstable();
                scratch.dedup();
                scratch.truncate(MAX_IDS);
                nodes[i].ids_start = ids.len() as u32;
                nodes[i].ids_len = scratch.len() as u32;
                ids.extend_from_slice(&scratch);
            }
        }
        Index {
            nodes,
            ids,
            max_depth,
        }
    }

    /// The ids of `node`'s children.
    pub(crate) fn children(&self, node: u32) -> std::ops::Range<u32> {
        let n = &self.nodes[node as usize];
        n.first_child..n.first_child + n.child_count
    }

    /// The id set of `node` (sorted keys of keyed descendants, capped).
    pub(crate) fn ids(&self, node: u32) -> &[u64] {
        let n = &self.nodes[node as usize];
        &self.ids[n.ids_start as usize..(n.ids_start + n.ids_len) as usize]
    }

    pub(crate) fn node(&self, node: u32) -> &INode {
        &self.nodes[node as usize]
    }

    /// Recomputes the subtree hashes of `changed` nodes (whose own content changed in place)
    /// and of all their ancestors, children before parents.
    pub(crate) fn rehash(&mut self, changed: &[u32]) {
        let mut dirty: Vec<u32> = Vec::new();
        for &id in changed {
            let mut id = id;
            loop {
                dirty.push(id);
                if id == 0 {
                    break;
                }
                id = self.nodes[id as usize].parent;
            }
        }
        // Children have larger ids than their parents (BFS order).
        dirty.sort_unstable_by(|a, b| b.cmp(a));
        dirty.dedup();
        for id in dirty {
            let node = id as usize;
            (
                self.nodes[node].hash,
                self.nodes[node].shape,
                self.nodes[node].has_source,
            ) = subtree_hash(&self.nodes, node);
        }
    }

    /// The op path of node `id`: child positions from the root down.
    pub(crate) fn path(&self, id: u32) -> Vec<u32> {
        let mut path = Vec::new();
        let mut id = id;
        while id != 0 {
            let parent = self.nodes[id as usize].parent;
            path.push(id - self.nodes[parent as usize].first_child);
            id = parent;
        }
        path.reverse();
        path
    }
}

/// Node `i`'s hash and shape hash (what it is, then its children's hashes in order), and
/// whether its subtree has a source annotation.
fn subtree_hash(nodes: &[INode], i: usize) -> (u64, u64, bool) {
    let (first, count) = (nodes[i].first_child as usize, nodes[i].child_count as usize);
    let children = &nodes[first..first + count];
    let has_source = nodes[i].has_source_attr() || children.iter().any(|c| c.has_source);
    let mut h = hasher();
    nodes[i].hash_own_into(&mut h, true);
    for child in children {
        h.write_u64(child.hash);
    }
    let hash = h.finish();
    if !has_source {
        return (hash, hash, false);
    }
    let mut s = hasher();
    nodes[i].hash_own_into(&mut s, false);
    for child in children {
        s.write_u64(child.shape);
    }
    (hash, s.finish(), true)
}

impl INode {
    /// Whether the differ never looks inside: a nested boundary or a `live-ignore` element.
    pub(crate) fn opaque(&self) -> bool {
        self.boundary || self.ignored
    }

    /// Whether this element has a [`SOURCE_ATTR`] attribute (a boundary's never counts: it is
    /// hashed by its key alone).
    fn has_source_attr(&self) -> bool {
        match &self.handle.data {
            NodeData::Element { attrs, .. } if !self.boundary => {
                attrs.borrow().iter().any(|a| &*a.name.local == SOURCE_ATTR)
            }
            _ => false,
        }
    }

    /// Hashes what this node is, not counting its children; without [`SOURCE_ATTR`]
    /// attributes unless `sources`.
    fn hash_own_into(&self, h: &mut DefaultHasher, sources: bool) {
        match &self.handle.data {
            NodeData::Element {
                name,
                attrs,
                template_contents,
                ..
            } => {
                h.write_u8(1);
                name.ns.hash(h);
                name.local.hash(h);
                if self.boundary {
                    // A boundary is opaque: only its identity counts (its key).
                    h.write_u64(self.key.unwrap_or(0));
                    return;
                }
                h.write_u8(template_contents.borrow().is_some() as u8);
                // Attribute order does not matter: combine per-attribute hashes commutatively.
                let mut sum = 0u64;
                let mut counted = 0usize;
                let attrs = attrs.borrow();
                for a in attrs.iter() {
                    if !sources && &*a.name.local == SOURCE_ATTR {
                        continue;
                    }
                    counted += 1;
                    let mut ah = hasher();
                    a.name.ns.hash(&mut ah);
                    a.name.local.hash(&mut ah);
                    a.value.hash(&mut ah);
                    sum = sum.wrapping_add(ah.finish());
                }
                h.write_usize(counted);
                h.write_u64(sum);
            }
            NodeData::Text { contents } => {
                h.write_u8(2);
                contents.borrow().hash(h);
            }
            NodeData::Comment { contents } => {
                h.write_u8(3);
                contents.hash(h);
            }
            _ => h.write_u8(4),
        }
    }
}

fn new_inode(handle: Handle) -> INode {
    let mut ignored = false;
    let (kind, key, boundary) = match &handle.data {
        NodeData::Element { name, attrs, .. } => {
            let mut boundary = None;
            let mut data_key = None;
            let mut id = None;
            for a in attrs.borrow().iter() {
                if a.name.ns != ns!() {
                    continue;
                }
                match &*a.name.local {
                    BOUNDARY_ATTR => boundary = Some(key_hash(b'b', &a.value)),
                    "data-key" => data_key = Some(key_hash(b'k', &a.value)),
                    "id" => id = Some(key_hash(b'k', &a.value)),
                    IGNORE_ATTR => ignored = true,
                    _ => {}
                }
            }
            (
                Kind::Element(name.ns.clone(), name.local.clone()),
                boundary.or(data_key).or(id),
                boundary.is_some(),
            )
        }
        NodeData::Text { .. } => (Kind::Text, None, false),
        NodeData::Comment { .. } => (Kind::Comment, None, false),
        _ => (Kind::Other, None, false),
    };
    INode {
        handle,
        hash: 0,
        shape: 0,
        has_source: false,
        kind,
        key,
        boundary,
        ignored,
        parent: 0,
        first_child: 0,
        child_count: 0,
        ids_start: 0,
        ids_len: 0,
    }
}

/// SipHash with per-process random keys: the same for every tree of this process (so hashes
/// of old and new trees compare), but not predictable, so nobody can craft content whose
/// subtree hash collides with another's to get a change silently skipped.
fn hasher() -> DefaultHasher {
    static KEYS: OnceLock<RandomState> = OnceLock::new();
    KEYS.get_or_init(RandomState::new).build_hasher()
}

fn key_hash(tag: u8, value: &str) -> u64 {
    let mut h = hasher();
    h.write_u8(tag);
    value.hash(&mut h);
    h.finish()
}
