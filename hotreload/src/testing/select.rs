//! CSS selectors over the harness's copy of the page, with servo's `selectors` crate (what
//! Firefox and Servo match with): [`Snapshot`] is the page flattened into an arena, so an
//! element is a copyable index and no `unsafe` is needed to walk to parents and siblings.

use cssparser::ToCss;
use precomputed_hash::PrecomputedHash;
use selectors::attr::{AttrSelectorOperation, CaseSensitivity, NamespaceConstraint};
use selectors::bloom::BloomFilter;
use selectors::matching::{self, MatchingContext, SelectorCaches};
use selectors::parser::{self, ParseRelative, SelectorList, SelectorParseErrorKind};
use selectors::{Element, OpaqueElement};
use std::fmt;

/// One node of the flattened page.
#[derive(Debug, Clone)]
pub(crate) enum Item {
    Element {
        /// Lower-case tag name.
        name: String,
        /// In the HTML namespace (not SVG or MathML).
        html: bool,
        attrs: Vec<(String, String)>,
        children: Vec<usize>,
        /// The harness's key for the live node (form values the user set are kept by it).
        key: usize,
    },
    Text(String),
}

/// The page flattened into an arena: node 0 is the document; parents and children by index.
#[derive(Debug, Default, Clone)]
pub(crate) struct Snapshot {
    pub(crate) items: Vec<Item>,
    pub(crate) parents: Vec<Option<usize>>,
}

impl Snapshot {
    /// Adds `item` under `parent` and returns its index.
    pub(crate) fn push(&mut self, parent: Option<usize>, item: Item) -> usize {
        let index = self.items.len();
        self.items.push(item);
        self.parents.push(parent);
        if let Some(Item::Element { children, .. }) = parent.and_then(|p| self.items.get_mut(p)) {
            children.push(index);
        }
        index
    }

    pub(crate) fn children(&self, index: usize) -> &[usize] {
        match &self.items[index] {
            Item::Element { children, .. } => children,
            Item::Text(_) => &[],
        }
    }

    pub(crate) fn attr(&self, index: usize, wanted: &str) -> Option<&str> {
        match &self.items[index] {
            Item::Element { attrs, .. } => attrs
                .iter()
                .find(|(name, _)| name == wanted)
                .map(|(_, value)| value.as_str()),
            Item::Text(_) => None,
        }
    }

    pub(crate) fn name(&self, index: usize) -> Option<&str> {
        match &self.items[index] {
            Item::Element { name, .. } => Some(name),
            Item::Text(_) => None,
        }
    }

    pub(crate) fn key(&self, index: usize) -> Option<usize> {
        match &self.items[index] {
            Item::Element { key, .. } => Some(*key),
            Item::Text(_) => None,
        }
    }

    /// The closest element from `index` up (itself included) that `accept`s.
    pub(crate) fn closest(&self, index: usize, accept: impl Fn(usize) -> bool) -> Option<usize> {
        let mut at = Some(index);
        while let Some(i) = at {
            if matches!(self.items[i], Item::Element { .. }) && accept(i) {
                return Some(i);
            }
            at = self.parents[i];
        }
        None
    }

    /// The text inside `index`, in document order.
    pub(crate) fn text(&self, index: usize) -> String {
        let mut out = String::new();
        let mut stack = vec![index];
        while let Some(i) = stack.pop() {
            match &self.items[i] {
                Item::Text(text) => out.push_str(text),
                Item::Element { children, name, .. } => {
                    if name != "script" && name != "style" && name != "template" {
                        stack.extend(children.iter().rev());
                    }
                }
            }
        }
        out
    }

    /// Every element under `root` (itself excluded), in document order.
    pub(crate) fn descendants(&self, root: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut stack: Vec<usize> = self.children(root).iter().rev().copied().collect();
        while let Some(i) = stack.pop() {
            if matches!(self.items[i], Item::Element { .. }) {
                out.push(i);
                stack.extend(self.children(i).iter().rev());
            }
        }
        out
    }

    /// The elements under `root` that match `selector`, in document order.
    pub(crate) fn select(&self, root: usize, selector: &Selector) -> Vec<usize> {
        let mut caches = SelectorCaches::default();
        self.descendants(root)
            .into_iter()
            .filter(|&index| selector.matches(Node { page: self, index }, &mut caches))
            .collect()
    }
}

/// A parsed CSS selector list (`li.done > a`, `input[name=title]`, `:is(h1, h2)`, `:has(p)`).
#[derive(Debug, Clone)]
pub(crate) struct Selector(SelectorList<Simple>);

impl Selector {
    /// Parses `text`; the error says where it stopped.
    pub(crate) fn parse(text: &str) -> Result<Selector, String> {
        let mut parser = cssparser::Parser::new(text);
        SelectorList::parse(&Parse, &mut parser, ParseRelative::No)
            .map(Selector)
            .map_err(|error| format!("{:?}", error.kind))
    }

    fn matches(&self, node: Node<'_>, caches: &mut SelectorCaches) -> bool {
        let mut context = MatchingContext::new(
            matching::MatchingMode::Normal,
            None,
            caches,
            matching::QuirksMode::NoQuirks,
            matching::NeedsSelectorFlags::No,
            matching::MatchingForInvalidation::No,
        );
        self.0
            .slice()
            .iter()
            .any(|s| matching::matches_selector(s, 0, None, node, &mut context))
    }
}

/// An element of a [`Snapshot`], as `selectors` sees it.
#[derive(Clone, Copy)]
struct Node<'a> {
    page: &'a Snapshot,
    index: usize,
}

impl fmt::Debug for Node<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "<{}> #{}",
            self.page.name(self.index).unwrap_or("?"),
            self.index
        )
    }
}

impl<'a> Node<'a> {
    fn at(&self, index: usize) -> Node<'a> {
        Node {
            page: self.page,
            index,
        }
    }

    fn element(&self, index: Option<usize>) -> Option<Node<'a>> {
        index
            .filter(|&i| matches!(self.page.items[i], Item::Element { .. }) && i != 0)
            .map(|i| self.at(i))
    }

    fn siblings(&self) -> &'a [usize] {
        self.page.parents[self.index].map_or(&[], |p| self.page.children(p))
    }

    fn position(&self) -> Option<usize> {
        self.siblings().iter().position(|&i| i == self.index)
    }

    fn is_element(&self, index: usize) -> bool {
        matches!(self.page.items[index], Item::Element { .. })
    }
}

impl Element for Node<'_> {
    type Impl = Simple;

    fn opaque(&self) -> OpaqueElement {
        OpaqueElement::new(&self.page.items[self.index])
    }

    fn parent_element(&self) -> Option<Self> {
        self.element(self.page.parents[self.index])
    }

    fn parent_node_is_shadow_root(&self) -> bool {
        false
    }

    fn containing_shadow_host(&self) -> Option<Self> {
        None
    }

    fn is_pseudo_element(&self) -> bool {
        false
    }

    fn prev_sibling_element(&self) -> Option<Self> {
        let siblings = self.siblings();
        let at = self.position()?;
        siblings[..at]
            .iter()
            .rev()
            .find(|&&i| self.is_element(i))
            .map(|&i| self.at(i))
    }

    fn next_sibling_element(&self) -> Option<Self> {
        let siblings = self.siblings();
        let at = self.position()?;
        siblings[at + 1..]
            .iter()
            .find(|&&i| self.is_element(i))
            .map(|&i| self.at(i))
    }

    fn first_element_child(&self) -> Option<Self> {
        self.page
            .children(self.index)
            .iter()
            .find(|&&i| self.is_element(i))
            .map(|&i| self.at(i))
    }

    fn is_html_element_in_html_document(&self) -> bool {
        matches!(
            self.page.items[self.index],
            Item::Element { html: true, .. }
        )
    }

    fn has_local_name(&self, name: &CssName) -> bool {
        self.page.name(self.index) == Some(name.0.as_str())
    }

    fn has_namespace(&self, _ns: &CssName) -> bool {
        true
    }

    fn is_same_type(&self, other: &Self) -> bool {
        self.page.name(self.index) == other.page.name(other.index)
    }

    fn attr_matches(
        &self,
        _ns: &NamespaceConstraint<&CssName>,
        local_name: &CssName,
        operation: &AttrSelectorOperation<&CssName>,
    ) -> bool {
        match &self.page.items[self.index] {
            Item::Element { attrs, .. } => attrs
                .iter()
                .any(|(name, value)| *name == local_name.0 && operation.eval_str(value)),
            Item::Text(_) => false,
        }
    }

    fn match_non_ts_pseudo_class(
        &self,
        pc: &PseudoClass,
        _context: &mut MatchingContext<'_, Simple>,
    ) -> bool {
        match *pc {}
    }

    fn match_pseudo_element(
        &self,
        pe: &PseudoElement,
        _context: &mut MatchingContext<'_, Simple>,
    ) -> bool {
        match *pe {}
    }

    fn apply_selector_flags(&self, _flags: matching::ElementSelectorFlags) {}

    fn is_link(&self) -> bool {
        matches!(self.page.name(self.index), Some("a" | "area" | "link"))
            && self.page.attr(self.index, "href").is_some()
    }

    fn is_html_slot_element(&self) -> bool {
        false
    }

    fn has_id(&self, id: &CssName, case_sensitivity: CaseSensitivity) -> bool {
        self.page
            .attr(self.index, "id")
            .is_some_and(|value| case_sensitivity.eq(value.as_bytes(), id.0.as_bytes()))
    }

    fn has_class(&self, name: &CssName, case_sensitivity: CaseSensitivity) -> bool {
        self.page.attr(self.index, "class").is_some_and(|classes| {
            classes
                .split_ascii_whitespace()
                .any(|class| case_sensitivity.eq(class.as_bytes(), name.0.as_bytes()))
        })
    }

    fn has_custom_state(&self, _name: &CssName) -> bool {
        false
    }

    fn imported_part(&self, _name: &CssName) -> Option<CssName> {
        None
    }

    fn is_part(&self, _name: &CssName) -> bool {
        false
    }

    fn is_empty(&self) -> bool {
        self.page
            .children(self.index)
            .iter()
            .all(|&i| matches!(&self.page.items[i], Item::Text(text) if text.is_empty()))
    }

    fn is_root(&self) -> bool {
        self.page.parents[self.index] == Some(0)
    }

    fn add_element_unique_hashes(&self, _filter: &mut BloomFilter) -> bool {
        false
    }
}

/// The parser: `:is()`, `:where()` and `:has()` on.
struct Parse;

impl<'i> parser::Parser<'i> for Parse {
    type Impl = Simple;
    type Error = SelectorParseErrorKind;

    fn parse_is_and_where(&self) -> bool {
        true
    }

    fn parse_has(&self) -> bool {
        true
    }
}

/// Selectors over plain strings: no pseudo-classes beyond the structural ones
/// (`:first-child`, `:nth-of-type(2)`, `:not(...)`), no pseudo-elements.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Simple;

impl parser::SelectorImpl for Simple {
    type ExtraMatchingData<'a> = ();
    type AttrValue = CssName;
    type Identifier = CssName;
    type LocalName = CssName;
    type NamespaceUrl = CssName;
    type NamespacePrefix = CssName;
    type BorrowedNamespaceUrl = CssName;
    type BorrowedLocalName = CssName;
    type NonTSPseudoClass = PseudoClass;
    type PseudoElement = PseudoElement;
}

/// A name or value in a selector.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct CssName(String);

impl From<&str> for CssName {
    fn from(value: &str) -> Self {
        CssName(value.to_owned())
    }
}

impl AsRef<str> for CssName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl ToCss for CssName {
    fn to_css<W: fmt::Write>(&self, dest: &mut W) -> fmt::Result {
        cssparser::serialize_identifier(&self.0, dest)
    }
}

impl PrecomputedHash for CssName {
    fn precomputed_hash(&self) -> u32 {
        // FNV-1a: only for the bloom filter, which is not used here.
        self.0.bytes().fold(0x811c_9dc5_u32, |h, b| {
            (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
        })
    }
}

/// No non-structural pseudo-classes (`:hover`, `:checked`, ... parse as errors).
#[derive(Debug, Clone, PartialEq, Eq)]
enum PseudoClass {}

impl parser::NonTSPseudoClass for PseudoClass {
    fn is_active_or_hover(&self) -> bool {
        match *self {}
    }

    fn is_user_action_state(&self) -> bool {
        match *self {}
    }
}

impl ToCss for PseudoClass {
    fn to_css<W: fmt::Write>(&self, _dest: &mut W) -> fmt::Result {
        match *self {}
    }
}

/// No pseudo-elements.
#[derive(Debug, Clone, PartialEq, Eq)]
enum PseudoElement {}

impl parser::PseudoElement for PseudoElement {}

impl ToCss for PseudoElement {
    fn to_css<W: fmt::Write>(&self, _dest: &mut W) -> fmt::Result {
        match *self {}
    }
}
