//! What the server remembers about one client's copy of one component.

use crate::differ::diff_indexed;
use crate::index::Index;
use crate::ops::Op;
use crate::text_update::{TextMap, may_change_in_place};
use crate::tree::{Context, Fragment, parse_fragment_in};

/// Default limit on tree depth accepted by [`ClientTree::update`].
///
/// Everything in this crate is iterative, so the limit is not about our stack: it bounds the
/// size of op paths (a path is as long as the tree is deep) and matches no real page. Note
/// that browsers flatten much deeper trees themselves (Blink stops nesting at 512 levels), so
/// paths into such trees would not match the client's DOM anyway.
pub const DEFAULT_MAX_DEPTH: usize = 16_384;

/// Why an update was refused. The client tree is left unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DiffError {
    /// The new HTML nests deeper than the configured limit.
    #[error("new HTML nests {depth} levels deep, more than the limit of {limit}")]
    TooDeep {
        /// Depth of the new tree.
        depth: usize,
        /// The limit.
        limit: usize,
    },
}

/// The tree one client currently has for one component, with its index cached, so each
/// update parses and indexes only the new HTML.
///
/// ```
/// use hotreload_diff::ClientTree;
/// let mut client = ClientTree::new("<h1>Count: 6</h1>");
/// let ops = client.update("<h1>Count: 7</h1>").unwrap();
/// assert_eq!(ops[0].to_json(), r#"{"op":"text","path":[0,0],"text":"Count: 7"}"#);
/// ```
#[derive(Debug)]
pub struct ClientTree {
    tree: Fragment,
    index: Index,
    max_depth: usize,
    /// The HTML the tree was parsed from (kept up to date by in-place updates), if known.
    html: Option<String>,
    /// Where `html`'s text runs sit in the tree: built on the first update that needs it,
    /// `Some(None)` when `html` is not something the in-place path understands.
    text_map: Option<Option<TextMap>>,
    last_update: UpdateKind,
}

/// How [`ClientTree::update`] found its ops, for tracing and stats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateKind {
    /// No update yet.
    None,
    /// Only text and attribute values changed: applied in place without parsing the new HTML
    /// (see `text_update.rs`).
    InPlace,
    /// The new HTML was parsed and diffed against the tree.
    Reparsed,
}

impl ClientTree {
    /// Starts from the HTML the client was sent, parsed in a `<body>` context.
    pub fn new(html: &str) -> ClientTree {
        ClientTree::with_context(html, Context::body())
    }

    /// Starts from HTML parsed as the children of an element named `context` (the boundary
    /// element's name, e.g. `tbody` when a component renders table rows).
    pub fn with_context(html: &str, context: Context) -> ClientTree {
        let mut tree = ClientTree::from_fragment(parse_fragment_in(html, context));
        tree.html = Some(html.to_owned());
        tree
    }

    /// Starts from an already parsed fragment.
    pub fn from_fragment(tree: Fragment) -> ClientTree {
        let index = Index::build(tree.root());
        ClientTree {
            tree,
            index,
            max_depth: DEFAULT_MAX_DEPTH,
            html: None,
            text_map: None,
            last_update: UpdateKind::None,
        }
    }

    /// Sets the depth limit for new HTML (default [`DEFAULT_MAX_DEPTH`]).
    pub fn with_max_depth(mut self, max_depth: usize) -> ClientTree {
        self.max_depth = max_depth;
        self
    }

    /// The tree the client has now.
    ///
    /// Inside retained nested boundaries this holds the last *rendered* HTML, which may differ
    /// from what the client shows there; that content belongs to the child's own tree.
    pub fn tree(&self) -> &Fragment {
        &self.tree
    }

    /// Diffs `new_html` against the client's tree, returns the ops to send, and remembers the
    /// new tree as the client's. On error nothing changes.
    ///
    /// When only text and attribute values changed, the tree is updated in place without
    /// parsing `new_html` at all (microseconds instead of milliseconds on a large page);
    /// otherwise `new_html` is parsed and diffed. Both give the same tree; [`ClientTree::last_update`] tells which ran.
    pub fn update(&mut self, new_html: &str) -> Result<Vec<Op>, DiffError> {
        if let Some(ops) = self.try_text_update(new_html) {
            self.last_update = UpdateKind::InPlace;
            return Ok(ops);
        }
        let new_tree = parse_fragment_in(new_html, self.tree.context().clone());
        let ops = self.update_with(new_tree)?;
        self.html = Some(new_html.to_owned());
        Ok(ops)
    }

    /// How the last successful update found its ops.
    pub fn last_update(&self) -> UpdateKind {
        self.last_update
    }

    fn try_text_update(&mut self, new_html: &str) -> Option<Vec<Op>> {
        let html = self.html.as_mut()?;
        if *html == new_html {
            return Some(Vec::new());
        }
        if self.text_map.is_none() && !may_change_in_place(html, new_html) {
            return None; // markup changed: not worth mapping the text runs for this update
        }
        let map = self
            .text_map
            .get_or_insert_with(|| TextMap::build(html, &self.index))
            .as_mut()?;
        let ops = map.update(html, new_html, &mut self.index)?;
        new_html.clone_into(html);
        Some(ops)
    }

    /// Like [`ClientTree::update`] with an already parsed new tree (same context).
    pub fn update_with(&mut self, new_tree: Fragment) -> Result<Vec<Op>, DiffError> {
        let new_index = Index::build(new_tree.root());
        if new_index.max_depth > self.max_depth {
            return Err(DiffError::TooDeep {
                depth: new_index.max_depth,
                limit: self.max_depth,
            });
        }
        let ops = diff_indexed(&self.index, &new_index, self.tree.context().qual());
        self.tree = new_tree;
        self.index = new_index;
        self.html = None;
        self.text_map = None;
        self.last_update = UpdateKind::Reparsed;
        Ok(ops)
    }
}
