//! Updates that only change text and attribute values, found without parsing the new HTML.
//!
//! Most re-renders change a few text nodes or attribute values and nothing else: a counter, a
//! clock, a cell of a table, a status class, a word edited in a template. Re-parsing and
//! re-indexing a 100 KB page to find that out costs milliseconds (html5ever builds ~13 000
//! nodes); comparing the new HTML with the old one byte by byte costs microseconds. So
//! [`ClientTree`](crate::ClientTree) keeps the HTML it last parsed and a [`TextMap`]: where
//! each text run sits in that HTML and which text node html5ever made of it, and which element
//! each start tag made. An update whose markup is byte-identical except for the values of
//! attributes is applied to the tree in place and yields `text` and `attr` ops.
//!
//! Why that is exactly what a full parse would give:
//! - the tokenizer is deterministic: with identical bytes before a run, it is in the same
//!   state at the run; a run without `<`, NUL or CR leaves it in the data state again, and a
//!   start tag that still reads as one tag with the same name and attribute names leaves it
//!   where it was;
//! - the tree builder only looks at character data to tell whitespace from the rest (table
//!   text, `frameset-ok`, whitespace splitting in some insertion modes), so if the old and new
//!   text of each run agree on being empty, starting with whitespace, being all whitespace and
//!   starting with a newline, it makes the same decisions and the same tree, with new text;
//!   it reads only a few attribute values (`type` of `<input>`, `encoding`, `<font>`'s), and
//!   those, keys (`id`, `data-key`) and boundary ids never change in place;
//! - the map is only trusted after checking it against the tree html5ever built: the runs, in
//!   source order, must match the tree's text nodes in document order, by content and by
//!   parent element (this rules out foster-parented table text, merged runs and the like);
//!   start tags must match the elements in document order by name (else attribute changes
//!   are not applied in place: an implied `<tbody>`, say), and each changed tag's old
//!   attributes must equal its element's.
//!
//! Anything else (a new element, an added or removed attribute, a page the scanner does not
//! understand) falls back to the full parse and diff. Property tests and a fuzz target compare
//! both paths.

use std::cell::RefCell;

use html5ever::LocalName;
use html5ever::tendril::StrTendril;
use std::ops::Range;

use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use markup5ever_rcdom::{Handle, NodeData};

use crate::boundary::{BOUNDARY_ATTR, IGNORE_ATTR};
use crate::differ::{attr_ns, is_prop};
use crate::index::{Index, Kind};
use crate::ops::Op;
use crate::scan::{markup_item, scan, start_tag_name};
use crate::tree::{attr_wire_name, child_container, element_name};

/// Where the text node made from a run lives.
enum Target {
    /// A node of the index: changes produce ops and rehash its ancestors.
    Indexed(u32),
    /// Inside a nested component boundary, which the differ never enters: the tree is
    /// updated (it holds the last rendered HTML) but no op is sent.
    Unindexed(Handle),
}

impl Target {
    fn handle<'a>(&'a self, index: &'a Index) -> &'a Handle {
        match self {
            Target::Indexed(id) => &index.node(*id).handle,
            Target::Unindexed(handle) => handle,
        }
    }
}

struct MappedRun {
    /// Byte range in the current HTML.
    range: Range<usize>,
    frozen: bool,
    target: Target,
    /// Start tags before the run in the source: the markup segment before run `i` holds start
    /// tags `runs[i - 1].tags_before..runs[i].tags_before`.
    tags_before: u32,
}

/// The text runs of the client tree's HTML, each paired with its text node, and (when the
/// start tags pair one to one with the tree's elements) the element of every start tag.
pub(crate) struct TextMap {
    runs: Vec<MappedRun>,
    /// Per start tag in source order, its element; `None` when the tags and the elements do
    /// not pair up (an implied `<tbody>`, say): then attribute changes are not applied in place.
    elements: Option<Vec<Target>>,
}

impl std::fmt::Debug for TextMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextMap")
            .field("runs", &self.runs.len())
            .field("elements", &self.elements.as_ref().map(Vec::len))
            .finish()
    }
}

/// A start tag whose attribute values changed: tag number, old and new byte ranges.
struct TagChange {
    tag: u32,
    old: Range<usize>,
    new: Range<usize>,
}

impl TextMap {
    /// Maps the runs of `html` onto the tree indexed by `index`, or `None` if the scanner does
    /// not understand `html` or the runs do not match the tree's text nodes one to one.
    pub(crate) fn build(html: &str, index: &Index) -> Option<TextMap> {
        let scan = scan(html)?;
        let texts = nodes_in_order(index, NodeKind::Text);
        if scan.runs.len() != texts.len() {
            return None;
        }
        let mut mapped = Vec::with_capacity(scan.runs.len());
        for (run, (target, parent)) in scan.runs.into_iter().zip(texts) {
            let handle = target.handle(index);
            let same_parent = match (&run.parent, &parent) {
                (None, None) => true,
                (Some(a), Some(b)) => html[a.clone()].eq_ignore_ascii_case(b),
                _ => false,
            };
            let source = &html[run.range.clone()];
            let same_text = match &handle.data {
                NodeData::Text { contents } => {
                    let contents = contents.borrow();
                    if run.frozen || !source.contains('&') {
                        **contents == *source
                    } else {
                        decode(source).is_some_and(|d| **contents == *d)
                    }
                }
                _ => false,
            };
            if !same_parent || !same_text || source.contains(['\0', '\r']) {
                return None;
            }
            mapped.push(MappedRun {
                range: run.range,
                frozen: run.frozen,
                target,
                tags_before: run.tags_before,
            });
        }
        let elements = nodes_in_order(index, NodeKind::Element);
        let paired = elements.len() == scan.tags.len()
            && elements.iter().zip(&scan.tags).all(|((_, name), tag)| {
                name.as_ref()
                    .is_some_and(|n| (**n).eq_ignore_ascii_case(&html[tag.clone()]))
            });
        Some(TextMap {
            runs: mapped,
            elements: paired.then(|| elements.into_iter().map(|(t, _)| t).collect()),
        })
    }

    /// Applies `new_html` to the tree if it differs from `old_html` only inside text runs and
    /// attribute values. Returns the ops (`text` and `attr`), or `None` without touching
    /// anything.
    pub(crate) fn update(
        &mut self,
        old_html: &str,
        new_html: &str,
        index: &mut Index,
    ) -> Option<Vec<Op>> {
        // Pass 1: find the changed runs and tags, touching nothing.
        let mut changes: Vec<(usize, Range<usize>)> = Vec::new();
        let mut tag_changes: Vec<TagChange> = Vec::new();
        let mut new_ranges: Vec<Range<usize>> = Vec::with_capacity(self.runs.len());
        let (mut old_at, mut new_at) = (0usize, 0usize);
        let mut first_tag = 0u32;
        for (i, mapped) in self.runs.iter().enumerate() {
            let range = &mapped.range;
            new_at = self.markup(
                old_html,
                old_at..range.start,
                new_html,
                new_at,
                first_tag,
                &mut tag_changes,
            )?;
            let old_run = &old_html[range.clone()];
            let new_end = if mapped.frozen {
                // Raw text must not change at all.
                if !new_html[new_at..].starts_with(old_run) {
                    return None;
                }
                new_at + old_run.len()
            } else {
                new_html[new_at..]
                    .find('<')
                    .map_or(new_html.len(), |p| new_at + p)
            };
            if &new_html[new_at..new_end] != old_run {
                changes.push((i, new_at..new_end));
            }
            new_ranges.push(new_at..new_end);
            new_at = new_end;
            old_at = range.end;
            first_tag = mapped.tags_before;
        }
        new_at = self.markup(
            old_html,
            old_at..old_html.len(),
            new_html,
            new_at,
            first_tag,
            &mut tag_changes,
        )?;
        if new_at != new_html.len() {
            return None;
        }

        // Pass 2: decode and check every change before changing anything.
        let mut texts: Vec<(usize, String)> = Vec::new();
        for (i, range) in changes {
            let source = &new_html[range];
            if source.contains(['\0', '\r']) {
                return None;
            }
            let text = if source.contains('&') {
                decode(source)?
            } else {
                source.to_owned()
            };
            let NodeData::Text { contents } = &self.runs[i].target.handle(index).data else {
                return None;
            };
            if TextClass::of(&contents.borrow()) != TextClass::of(&text) {
                return None;
            }
            texts.push((i, text));
        }
        let mut attrs: Vec<(u32, usize, String)> = Vec::new();
        for change in &tag_changes {
            let elements = self.elements.as_ref()?;
            let target = elements.get(change.tag as usize)?;
            attrs.extend(attr_changes(
                change.tag,
                &old_html[change.old.clone()],
                &new_html[change.new.clone()],
                target.handle(index),
            )?);
        }

        // Pass 3: apply.
        let mut ops = Vec::new();
        let mut rehash = Vec::new();
        for (tag, at, value) in attrs {
            let Some(target) = self.elements.as_ref().and_then(|e| e.get(tag as usize)) else {
                continue;
            };
            let handle = target.handle(index).clone();
            let NodeData::Element { name, attrs, .. } = &handle.data else {
                continue;
            };
            let Some(attr_name) = attrs.borrow().get(at).map(|a| a.name.clone()) else {
                continue;
            };
            if let Some(attr) = attrs.borrow_mut().get_mut(at) {
                attr.value = StrTendril::from_slice(&value);
            }
            if let Target::Indexed(id) = target {
                rehash.push(*id);
                ops.push(Op::Attr {
                    path: index.path(*id),
                    name: attr_wire_name(&attr_name),
                    ns: attr_ns(&attr_name),
                    prop: is_prop(name, &attr_name),
                    value,
                });
            }
        }
        for (i, text) in &texts {
            let handle = self.runs[*i].target.handle(index).clone();
            if let NodeData::Text { contents } = &handle.data {
                if **contents.borrow() == **text {
                    continue; // the same text, spelled differently (`&amp;` vs `&#38;`)
                }
                *contents.borrow_mut() = StrTendril::from_slice(text);
            }
            if let Target::Indexed(id) = self.runs[*i].target {
                rehash.push(id);
                ops.push(Op::Text {
                    path: index.path(id),
                    text: text.clone(),
                    prop: false,
                });
            }
        }
        index.rehash(&rehash);
        for (mapped, range) in self.runs.iter_mut().zip(new_ranges) {
            mapped.range = range;
        }
        Some(ops)
    }

    /// Matches the markup `old_html[old]` (tags and comments between two runs) at `new_at` in
    /// `new_html`: identical, or start tags whose attribute values differ (recorded in
    /// `changes`; the segment's first start tag is number `first_tag`). Returns where the
    /// segment ends in `new_html`.
    fn markup(
        &self,
        old_html: &str,
        old: Range<usize>,
        new_html: &str,
        new_at: usize,
        first_tag: u32,
        changes: &mut Vec<TagChange>,
    ) -> Option<usize> {
        let segment = &old_html[old.clone()];
        if new_html[new_at..].starts_with(segment) {
            return Some(new_at + segment.len());
        }
        self.elements.as_ref()?;
        let (mut at, mut new_at, mut tag) = (old.start, new_at, first_tag);
        while at < old.end {
            let (end, start_tag) = markup_item(old_html, at)?;
            let item = &old_html[at..end];
            if new_html[new_at..].starts_with(item) {
                new_at += item.len();
            } else if start_tag {
                let (old_name, _) = start_tag_name(old_html, at)?;
                let (new_name, new_end) = start_tag_name(new_html, new_at)?;
                if old_name != new_name {
                    return None;
                }
                changes.push(TagChange {
                    tag,
                    old: at..end,
                    new: new_at..new_end,
                });
                new_at = new_end;
            } else {
                return None;
            }
            tag += u32::from(start_tag);
            at = end;
        }
        Some(new_at)
    }
}

/// Attributes that must not change in place: keys and boundary ids (the index pairs nodes by
/// them), and those the tree builder reads (`<input type=hidden>` in tables, `<annotation-xml
/// encoding>`); namespace declarations to be safe.
fn frozen_attr(name: &str) -> bool {
    matches!(
        name,
        "id" | "data-key" | BOUNDARY_ATTR | IGNORE_ATTR | "type" | "encoding"
    ) || name.starts_with("xmlns")
}

/// The attribute values that differ between two spellings of one start tag of `element`,
/// as (tag number, attribute index, new value), or `None` if anything but values differs (or
/// the element or attribute may not change in place).
fn attr_changes(
    tag: u32,
    old: &str,
    new: &str,
    element: &Handle,
) -> Option<Vec<(u32, usize, String)>> {
    let NodeData::Element { name, attrs, .. } = &element.data else {
        return None;
    };
    if matches!(&*name.local, "template" | "font") {
        return None;
    }
    let (old_name, old_attrs) = tokenize_start_tag(old)?;
    let (new_name, new_attrs) = tokenize_start_tag(new)?;
    let attrs = attrs.borrow();
    if old_name != new_name || old_attrs.len() != new_attrs.len() || attrs.len() != old_attrs.len()
    {
        return None;
    }
    if attrs.iter().any(|a| &*a.name.local == BOUNDARY_ATTR) {
        return None; // the differ never touches a boundary
    }
    let mut out = Vec::new();
    for (i, ((old_attr, new_attr), tree_attr)) in old_attrs
        .iter()
        .zip(&new_attrs)
        .zip(attrs.iter())
        .enumerate()
    {
        // The tree holds what the tokenizer read (names maybe adjusted for SVG/MathML).
        if old_attr.0 != new_attr.0
            || *tree_attr.value != *old_attr.1
            || !(*tree_attr.name.local).eq_ignore_ascii_case(old_attr.0.rsplit(':').next()?)
        {
            return None;
        }
        if old_attr.1 != new_attr.1 {
            if frozen_attr(&old_attr.0) || new_attr.1.contains('\0') {
                return None;
            }
            out.push((tag, i, new_attr.1.clone()));
        }
    }
    Some(out)
}

/// The tag name and attributes (names as the tokenizer reads them, values decoded) of a
/// single start tag, read by html5ever's tokenizer.
fn tokenize_start_tag(source: &str) -> Option<(String, Vec<(String, String)>)> {
    let tokens = tokenize(source);
    let mut tags = tokens.into_iter().filter_map(|t| match t {
        Token::TagToken(tag) => Some(tag),
        _ => None,
    });
    let tag = tags.next()?;
    if tags.next().is_some() || tag.kind != TagKind::StartTag {
        return None;
    }
    Some((
        tag.name.to_string(),
        tag.attrs
            .iter()
            .map(|a| (a.name.local.to_string(), a.value.to_string()))
            .collect(),
    ))
}

/// A quick filter before [`TextMap::build`] (which costs about a quarter of a parse): whether
/// `old` and `new` differ only where text or attribute values could be, i.e. after a `>` and
/// before the next `<`, or inside a double-quoted attribute value (not a key or a boundary
/// id). It can be fooled, never the other way round: `false` means the update certainly
/// changes markup.
pub(crate) fn may_change_in_place(old: &str, new: &str) -> bool {
    let (a, b) = (old.as_bytes(), new.as_bytes());
    let (mut i, mut j) = (0, 0);
    loop {
        let same = a[i..]
            .iter()
            .zip(&b[j..])
            .take_while(|(x, y)| x == y)
            .count();
        i += same;
        j += same;
        if i == a.len() && j == b.len() {
            return true;
        }
        let opened = a[..i].iter().rposition(|&c| c == b'<' || c == b'>');
        let stop = match opened {
            Some(lt) if a[lt] == b'<' => {
                // Inside a tag: only a quoted value may differ, up to its closing quote.
                let quotes = a[lt..i].iter().filter(|&&c| c == b'"').count();
                let open_quote = a[lt..i].iter().rposition(|&c| c == b'"').map(|q| lt + q);
                let Some(q) = open_quote.filter(|_| quotes % 2 == 1) else {
                    return false;
                };
                let name_end = q.checked_sub(1).filter(|&e| a[e] == b'=');
                let Some(name_end) = name_end else {
                    return false;
                };
                let name_start = a[..name_end]
                    .iter()
                    .rposition(|c| c.is_ascii_whitespace())
                    .map_or(0, |p| p + 1);
                if frozen_attr(&old[name_start..name_end]) {
                    return false;
                }
                b'"'
            }
            _ => b'<',
        };
        let (next_i, next_j) = (
            a[i..]
                .iter()
                .position(|&c| c == stop)
                .map_or(a.len(), |p| i + p),
            b[j..]
                .iter()
                .position(|&c| c == stop)
                .map_or(b.len(), |p| j + p),
        );
        if (next_i, next_j) == (i, j) {
            return false; // they differ at a tag, not in text or a value
        }
        (i, j) = (next_i, next_j);
    }
}

/// What the tree builder can tell apart about a run of text (see the module docs).
#[derive(PartialEq, Eq)]
struct TextClass {
    empty: bool,
    leading_space: bool,
    all_space: bool,
    leading_newline: bool,
}

impl TextClass {
    fn of(text: &str) -> TextClass {
        let space = |c: char| matches!(c, '\t' | '\n' | '\x0C' | '\r' | ' ');
        TextClass {
            empty: text.is_empty(),
            leading_space: text.starts_with(space),
            all_space: text.chars().all(space),
            leading_newline: text.starts_with('\n'),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum NodeKind {
    Text,
    Element,
}

/// The text nodes (with their parent element's name, `None` at the fragment's top level) or
/// the elements (with their own name) of the tree in document order, descending into nested
/// boundaries through the tree itself (the index stops at them).
fn nodes_in_order(index: &Index, kind: NodeKind) -> Vec<(Target, Option<LocalName>)> {
    let mut out = Vec::new();
    let name_of = |handle: &Handle| element_name(handle).map(|n| n.local.clone());
    let mut stack: Vec<u32> = index.children(0).rev().collect();
    while let Some(id) = stack.pop() {
        let node = index.node(id);
        match node.kind {
            Kind::Text if kind == NodeKind::Text => {
                let parent = (node.parent != 0)
                    .then(|| name_of(&index.node(node.parent).handle))
                    .flatten();
                out.push((Target::Indexed(id), parent));
            }
            Kind::Element(..) => {
                if kind == NodeKind::Element {
                    out.push((Target::Indexed(id), name_of(&node.handle)));
                }
                if !node.opaque() {
                    stack.extend(index.children(id).rev());
                    continue;
                }
                let mut inner: Vec<(Handle, Handle)> = child_container(&node.handle)
                    .children
                    .borrow()
                    .iter()
                    .rev()
                    .map(|c| (c.clone(), node.handle.clone()))
                    .collect();
                while let Some((child, parent)) = inner.pop() {
                    match &child.data {
                        NodeData::Text { .. } if kind == NodeKind::Text => {
                            out.push((Target::Unindexed(child.clone()), name_of(&parent)));
                        }
                        NodeData::Element { .. } => {
                            if kind == NodeKind::Element {
                                out.push((Target::Unindexed(child.clone()), name_of(&child)));
                            }
                            let kids = child_container(&child).children.borrow().clone();
                            inner.extend(kids.into_iter().rev().map(|k| (k, child.clone())));
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Every token html5ever's tokenizer reads from `source` (in the data state).
fn tokenize(source: &str) -> Vec<Token> {
    struct Tokens(RefCell<Vec<Token>>);
    impl TokenSink for Tokens {
        type Handle = ();
        fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
            self.0.borrow_mut().push(token);
            TokenSinkResult::Continue
        }
    }
    let tokenizer = Tokenizer::new(Tokens(RefCell::new(Vec::new())), TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(source));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.0.into_inner()
}

/// Decodes character references in a run of text exactly as html5ever's tokenizer does in the
/// data state, or `None` if the run turns out to hold anything but characters.
fn decode(source: &str) -> Option<String> {
    let mut text = String::new();
    for token in tokenize(source) {
        match token {
            Token::CharacterTokens(t) => text.push_str(&t),
            Token::ParseError(_) | Token::EOFToken => {}
            _ => return None,
        }
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_lets_text_changes_through_and_stops_markup_changes() {
        assert!(may_change_in_place("<p>a</p><p>b</p>", "<p>xx</p><p>b</p>"));
        assert!(may_change_in_place("<p>a</p><p>b</p>", "<p>a</p><p></p>"));
        assert!(may_change_in_place("a<p>b</p>c", "z<p>b</p>zz"));
        assert!(may_change_in_place(
            r#"<p class="a">x</p>"#,
            r#"<p class="bb">y</p>"#
        ));
        assert!(!may_change_in_place("<p>a</p>", "<p class=x>a</p>"));
        assert!(!may_change_in_place(
            r#"<p id="a">x</p>"#,
            r#"<p id="b">x</p>"#
        ));
        assert!(!may_change_in_place(
            r#"<li data-key="1">"#,
            r#"<li data-key="2">"#
        ));
        assert!(!may_change_in_place("<p>a</p>", "<p>a</p><p>b</p>"));
        assert!(!may_change_in_place(
            "<p>a</p><!-- c -->",
            "<p>a</p><!-- d -->"
        ));
    }

    #[test]
    fn decodes_like_the_tokenizer() {
        assert_eq!(
            decode("a &amp; b &lt;&#x41;&bogus; &notit;").unwrap(),
            "a & b <A&bogus; ¬it;"
        );
        assert!(decode("x <b>").is_none());
    }
}
