//! `hotreload-diff`: a morphdom/idiomorph-style differ over html5ever trees.
//!
//! Each re-render of a component is turned into a short list of patch [`Op`]s that a browser
//! applies to its DOM in place (focus, caret and scroll survive because untouched nodes are
//! never recreated).
//!
//! # Where to look
//!
//! | concept | module |
//! |---------|--------|
//! | parsing HTML fragments as a browser does (`<tbody>` implied, `<p>` auto-closed, SVG, `<template>`) | [`tree`] ([`parse_fragment`]) |
//! | the ops and their JSON / MessagePack encoding (the wire format a JS client implements) | [`ops`] |
//! | computing ops: the walk ([`diff`]) and how children are paired (keys, id sets, position) | `differ`, `matching`, `index` |
//! | nested components: `data-live-view-id` boundaries are never entered | [`boundary`] |
//! | applying ops to a tree: the executable spec for the JS client | [`apply()`] |
//! | the server's copy of a client's tree, so each update parses only new HTML | [`ClientTree`] |
//! | in-place updates without parsing (only text and attribute values changed): source runs and start tags mapped to the tree's nodes, checked against it | `scan`, `text_update` |
//! | structural equality / canonical form used by tests and the `diff` example | [`canonical()`] |
//!
//! # Use
//!
//! ```
//! use hotreload_diff::{ClientTree, apply, parse_fragment, structurally_equal};
//!
//! let old = r#"<ul><li id="a">A</li><li id="b">B</li></ul>"#;
//! let new = r#"<ul><li id="b">B</li><li id="a">A!</li></ul>"#;
//! let mut client = ClientTree::new(old);
//! let ops = client.update(new).unwrap();
//! // One move (keyed nodes are moved, not recreated) and one text change.
//! assert_eq!(ops.len(), 2);
//!
//! // The invariant: applying the ops to the old tree yields the new tree.
//! let mut tree = parse_fragment(old);
//! apply(&mut tree, &ops).unwrap();
//! assert!(structurally_equal(&tree, &parse_fragment(new)));
//! ```
//!
//! # Guarantees
//!
//! - `apply(diff(a, b), a)` is structurally equal to `b`, except inside nested component
//!   boundaries that both trees share, which keep `a`'s content (see [`boundary`]).
//! - [`ClientTree::update`] ends with the same tree whether it took the in-place path (no
//!   parse; see `text_update.rs` for why that is exact) or parsed; property tests and a fuzz
//!   target run both.
//! - Nothing recurses per tree level: parsing, indexing, diffing, serializing, applying and
//!   dropping a 10 000-level-deep tree works on a 2 MiB thread stack.
//! - Identical subtrees are skipped by a 64-bit subtree hash (SipHash, random keys per
//!   process, so collisions cannot be crafted). Two different subtrees with the same hash
//!   (odds about 2⁻⁶⁴ per compared pair) would be missed; nothing else depends on hashes
//!   being unique (key hashes only guide pairing, boundary ids are compared as strings).
//! - html5ever's tree builder is quadratic in nesting depth (its scope checks walk the stack
//!   of open elements): 10 000 levels parse in ~0.25 s (release). Bound the size of HTML you
//!   accept from untrusted sources; [`ClientTree`] also refuses trees deeper than
//!   [`DEFAULT_MAX_DEPTH`] after parsing.
//!
//! # Tests
//!
//! `cargo test -p hotreload-diff` runs the property tests (over 10 000 generated cases in
//! total). Set `PROPTEST_CASES=N` to run N cases *per property* instead, e.g.
//! `PROPTEST_CASES=200000 cargo test --release -p hotreload-diff --test invariant` for a long
//! run. `cargo run --example diff -- a.html b.html` shows the ops between two files and checks
//! them; `cargo bench -p hotreload-diff` prints diff time relative to parse time.
#![warn(clippy::unwrap_used)]

mod apply;
pub mod boundary;
pub mod canonical;
mod client_tree;
mod differ;
mod index;
mod insert;
mod matching;
pub mod ops;
mod scan;
mod serialize;
mod text_update;
pub mod tree;

pub use apply::{ApplyError, apply};
pub use boundary::{BOUNDARY_ATTR, IGNORE_ATTR, SOURCE_ATTR, boundary_id};
pub use canonical::{CanonicalOptions, canonical, canonical_with, structurally_equal};
pub use client_tree::{ClientTree, DEFAULT_MAX_DEPTH, DiffError, UpdateKind};
pub use differ::diff;
pub use ops::{Op, Path};
pub use tree::{Context, Fragment, parse_fragment, parse_fragment_bytes, parse_fragment_in};
