//! Updates that only change text, found without parsing the new HTML.
//!
//! Most re-renders change a few text nodes and nothing else: a counter, a clock, a cell of a
//! table, a word edited in a template. Re-parsing and re-indexing a 100 KB page to find that
//! out costs milliseconds (html5ever builds ~13 000 nodes); comparing the new HTML with the
//! old one byte by byte costs microseconds. So [`ClientTree`](crate::ClientTree) keeps the
//! HTML it last parsed and a [`TextMap`]: where each text run sits in that HTML and which
//! text node html5ever made of it. An update whose markup (everything outside the text runs)
//! is byte-identical is applied to the tree in place and yields `text` ops only.
//!
//! Why that is exactly what a full parse would give:
//! - the tokenizer is deterministic: with identical bytes before a run, it is in the same
//!   state at the run; a run without `<`, NUL or CR leaves it in the data state again;
//! - the tree builder only looks at character data to tell whitespace from the rest (table
//!   text, `frameset-ok`, whitespace splitting in some insertion modes), so if the old and new
//!   text of each run agree on being empty, starting with whitespace, being all whitespace and
//!   starting with a newline, it makes the same decisions and the same tree, with new text;
//! - the map is only trusted after checking it against the tree html5ever built: the runs, in
//!   source order, must match the tree's text nodes in document order, by content and by
//!   parent element (this rules out foster-parented table text, merged runs and the like).
//!
//! Anything else (a changed attribute, a new element, a page the scanner does not understand)
//! falls back to the full parse and diff. Property tests compare both paths.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use markup5ever_rcdom::{Handle, NodeData};

use crate::index::{Index, Kind};
use crate::ops::Op;
use crate::scan::scan;
use crate::tree::{child_container, element_name};

/// Where the text node made from a run lives.
enum Target {
    /// A node of the index: changes produce ops and rehash its ancestors.
    Indexed(u32),
    /// Inside a nested component boundary, which the differ never enters: the tree is
    /// updated (it holds the last rendered HTML) but no op is sent.
    Unindexed(Handle),
}

struct MappedRun {
    /// Byte range in the current HTML.
    range: std::ops::Range<usize>,
    frozen: bool,
    target: Target,
}

/// The text runs of the client tree's HTML, each paired with its text node.
pub(crate) struct TextMap {
    runs: Vec<MappedRun>,
}

impl std::fmt::Debug for TextMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextMap")
            .field("runs", &self.runs.len())
            .finish()
    }
}

impl TextMap {
    /// Maps the runs of `html` onto the tree indexed by `index`, or `None` if the scanner does
    /// not understand `html` or the runs do not match the tree's text nodes one to one.
    pub(crate) fn build(html: &str, index: &Index) -> Option<TextMap> {
        let runs = scan(html)?;
        let texts = text_nodes(index);
        if runs.len() != texts.len() {
            return None;
        }
        let mut mapped = Vec::with_capacity(runs.len());
        for (run, (target, parent)) in runs.into_iter().zip(texts) {
            let handle = match &target {
                Target::Indexed(id) => &index.node(*id).handle,
                Target::Unindexed(handle) => handle,
            };
            let same_parent = match (&run.parent, &parent) {
                (None, None) => true,
                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
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
            });
        }
        Some(TextMap { runs: mapped })
    }

    /// Applies `new_html` to the tree if it differs from `old_html` only inside text runs.
    /// Returns the `text` ops (document order), or `None` without touching anything.
    pub(crate) fn update(
        &mut self,
        old_html: &str,
        new_html: &str,
        index: &mut Index,
    ) -> Option<Vec<Op>> {
        // Pass 1: find the changed runs, touching nothing.
        let mut changes: Vec<(usize, std::ops::Range<usize>)> = Vec::new();
        let (mut old_at, mut new_at) = (0usize, 0usize);
        for (i, mapped) in self.runs.iter().enumerate() {
            let range = &mapped.range;
            let markup = &old_html[old_at..range.start];
            if !new_html[new_at..].starts_with(markup) {
                return None;
            }
            new_at += markup.len();
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
            new_at = new_end;
            old_at = range.end;
        }
        if new_html[new_at..] != old_html[old_at..] {
            return None;
        }

        // Pass 2: decode and check every changed run before changing anything.
        let mut decoded: Vec<(usize, std::ops::Range<usize>, String)> = Vec::new();
        for (i, range) in changes {
            let source = &new_html[range.clone()];
            if source.contains(['\0', '\r']) {
                return None;
            }
            let text = if source.contains('&') {
                decode(source)?
            } else {
                source.to_owned()
            };
            let handle = self.handle(i, index);
            let NodeData::Text { contents } = &handle.data else {
                return None;
            };
            if TextClass::of(&contents.borrow()) != TextClass::of(&text) {
                return None;
            }
            decoded.push((i, range, text));
        }

        // Pass 3: apply.
        let mut ops = Vec::new();
        let mut rehash = Vec::new();
        for (i, _, text) in &decoded {
            let handle = self.handle(*i, index).clone();
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
        // Shift the runs to their places in the new HTML.
        let mut changed = decoded.into_iter().peekable();
        let mut shift: isize = 0;
        for (i, mapped) in self.runs.iter_mut().enumerate() {
            let range = &mut mapped.range;
            if changed.peek().is_some_and(|(c, _, _)| *c == i) {
                if let Some((_, new_range, _)) = changed.next() {
                    shift = new_range.end as isize - range.end as isize;
                    *range = new_range;
                }
            } else {
                range.start = (range.start as isize + shift) as usize;
                range.end = (range.end as isize + shift) as usize;
            }
        }
        Some(ops)
    }

    fn handle<'a>(&'a self, i: usize, index: &'a Index) -> &'a Handle {
        match &self.runs[i].target {
            Target::Indexed(id) => &index.node(*id).handle,
            Target::Unindexed(handle) => handle,
        }
    }
}

/// A quick filter before [`TextMap::build`] (which costs about a quarter of a parse): whether
/// `old` and `new` differ only where text could be, i.e. after a `>` and before the next `<`.
/// It can be fooled (a `>` inside an attribute value), never the other way round: `false`
/// means the update certainly changes markup.
pub(crate) fn may_be_text_only(old: &str, new: &str) -> bool {
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
        if opened.is_some_and(|p| a[p] == b'<') {
            return false; // inside a tag or comment
        }
        let (next_i, next_j) = (
            a[i..]
                .iter()
                .position(|&c| c == b'<')
                .map_or(a.len(), |p| i + p),
            b[j..]
                .iter()
                .position(|&c| c == b'<')
                .map_or(b.len(), |p| j + p),
        );
        if (next_i, next_j) == (i, j) {
            return false; // they differ at a tag, not in text
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

/// The text nodes of the tree in document order, with their parent element's name (`None`
/// for the fragment's top level), descending into nested boundaries through the tree itself.
fn text_nodes(index: &Index) -> Vec<(Target, Option<String>)> {
    let mut out = Vec::new();
    let parent_name = |handle: &Handle| element_name(handle).map(|n| n.local.to_string());
    let mut stack: Vec<u32> = index.children(0).rev().collect();
    while let Some(id) = stack.pop() {
        let node = index.node(id);
        match node.kind {
            Kind::Text => {
                let parent = (node.parent != 0)
                    .then(|| parent_name(&index.node(node.parent).handle))
                    .flatten();
                out.push((Target::Indexed(id), parent));
            }
            Kind::Element(..) if node.boundary => {
                // The index stops at boundaries; walk the rcdom subtree.
                let mut inner: Vec<(Handle, Handle)> = child_container(&node.handle)
                    .children
                    .borrow()
                    .iter()
                    .rev()
                    .map(|c| (c.clone(), node.handle.clone()))
                    .collect();
                while let Some((child, parent)) = inner.pop() {
                    match &child.data {
                        NodeData::Text { .. } => {
                            out.push((Target::Unindexed(child.clone()), parent_name(&parent)));
                        }
                        NodeData::Element { .. } => {
                            let kids = child_container(&child).children.borrow().clone();
                            inner.extend(kids.into_iter().rev().map(|k| (k, child.clone())));
                        }
                        _ => {}
                    }
                }
            }
            _ => stack.extend(index.children(id).rev()),
        }
    }
    out
}

/// Decodes character references in a run of text exactly as html5ever's tokenizer does in the
/// data state, or `None` if the run turns out to hold anything but characters.
fn decode(source: &str) -> Option<String> {
    struct Chars {
        text: RefCell<String>,
        other: RefCell<bool>,
    }
    impl TokenSink for Chars {
        type Handle = ();
        fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
            match token {
                Token::CharacterTokens(t) => self.text.borrow_mut().push_str(&t),
                Token::NullCharacterToken => *self.other.borrow_mut() = true,
                Token::TagToken(_) | Token::CommentToken(_) | Token::DoctypeToken(_) => {
                    *self.other.borrow_mut() = true;
                }
                Token::ParseError(_) | Token::EOFToken => {}
            }
            TokenSinkResult::Continue
        }
    }
    let sink = Chars {
        text: RefCell::new(String::new()),
        other: RefCell::new(false),
    };
    let tokenizer = Tokenizer::new(sink, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(source));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let sink = tokenizer.sink;
    if sink.other.into_inner() {
        return None;
    }
    Some(sink.text.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_lets_text_changes_through_and_stops_markup_changes() {
        assert!(may_be_text_only("<p>a</p><p>b</p>", "<p>xx</p><p>b</p>"));
        assert!(may_be_text_only("<p>a</p><p>b</p>", "<p>a</p><p></p>"));
        assert!(may_be_text_only("a<p>b</p>c", "z<p>b</p>zz"));
        assert!(!may_be_text_only("<p>a</p>", "<p class=x>a</p>"));
        assert!(!may_be_text_only("<p>a</p>", "<p>a</p><p>b</p>"));
        assert!(!may_be_text_only(
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
