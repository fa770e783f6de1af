//! Reading templates back out of a source file, as the running server sees an edit.
//!
//! The file is lexed once and checked as a whole with `syn` (a `syn::File`), then its tokens are scanned for invocations of
//! the template macro by the last segment of their path (`hot_reload_liveview!`, or an alias
//! the user configures), including invocations nested in other macros' arguments and in other
//! templates' holes, which `syn`'s visitor would not enter. Each body is compiled with
//! `hotreload-syntax`, the crate the macro itself uses.
//!
//! Keys: the macro stamps `line!()`/`column!()` of its invocation, i.e. of the first token of
//! the macro path. proc-macro2 (with `span-locations`) reports the same position with a 0-based
//! column, so the re-parser adds one. Both count columns in characters, not bytes.
//!
//! Results are plain owned data: proc-macro2's fallback keeps every parsed file in a
//! thread-local source map, which this module frees after each file so a long dev session that
//! re-parses on every save does not grow without bound.

use crate::dev::delimiters::find_unbalanced;
use hotreload_syntax::{CompiledTemplate, HoleTag};
use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use std::str::FromStr;
use thiserror::Error;

/// The macro name the re-parser looks for by default.
pub(crate) const MACRO_NAME: &str = "hot_reload_liveview";

/// A position in a source file, 1-based line and column (characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Position {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, counted in characters.
    pub column: u32,
}

impl Position {
    fn of(span: Span) -> Self {
        let start = span.start();
        Position {
            line: u32::try_from(start.line).unwrap_or(u32::MAX),
            column: u32::try_from(start.column + 1).unwrap_or(u32::MAX),
        }
    }
}

impl std::fmt::Display for Position {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A source file that does not parse as Rust.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{position}: {message}")]
pub(crate) struct SourceError {
    /// Where the parser stopped.
    pub position: Position,
    /// The parser's message.
    pub message: String,
    /// A note explaining the error before it (syn's combined errors after the first).
    pub note: bool,
}

/// Every template invocation found in one source file, in source order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReparsedFile {
    /// The invocations.
    pub invocations: Vec<Invocation>,
    /// The file's tokens with every template body left out: if two versions of a file have
    /// different skeletons, Rust code outside the templates changed. Comments other than doc
    /// comments are not tokens, so editing them changes nothing.
    pub skeleton: Vec<SkeletonToken>,
}

/// One token of a [`ReparsedFile::skeleton`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SkeletonToken {
    /// The token's text; delimiters are tokens of their own; a template body is `{template}`.
    pub text: String,
    /// Its 1-based line.
    pub line: u32,
}

impl ReparsedFile {
    /// The line (in `self`) of the first skeleton difference from `other`, if any: where Rust
    /// code outside templates changed.
    pub(crate) fn first_rust_difference(&self, other: &ReparsedFile) -> Option<u32> {
        let mut ours = self.skeleton.iter();
        let mut theirs = other.skeleton.iter();
        loop {
            match (ours.next(), theirs.next()) {
                (None, None) => return None,
                (Some(a), Some(b)) if a.text == b.text => {}
                (Some(a), _) => return Some(a.line),
                (None, Some(_)) => return Some(self.skeleton.last().map_or(1, |t| t.line)),
            }
        }
    }
}

/// One macro invocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Invocation {
    /// Position of the first token of the macro path: the macro's `line!()`/`column!()`.
    pub position: Position,
    /// The macro name as written (last path segment).
    pub macro_name: String,
    /// The compiled templates (root first), or the template's syntax errors.
    pub templates: Result<Vec<ReparsedTemplate>, Vec<SourceError>>,
}

/// One template (root or nested body) of an invocation, as owned data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReparsedTemplate {
    /// 0 for the root, then nested bodies depth-first.
    pub index: u32,
    /// Escaped statics, one more than holes.
    pub statics: Vec<String>,
    /// The holes in render order.
    pub holes: Vec<ReparsedHole>,
    /// Where each element's opening tag is (click-to-source annotations).
    pub elements: Vec<ElementPosition>,
}

/// One element of a [`ReparsedTemplate`]: where its opening tag's name ends in the statics,
/// and where its `<` is in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ElementPosition {
    /// Index of the static string holding the opening tag.
    pub static_index: usize,
    /// Byte offset in it just after the tag name.
    pub offset: usize,
    /// The `<` of the opening tag.
    pub position: Position,
}

/// One hole of a [`ReparsedTemplate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReparsedHole {
    /// Its kind.
    pub tag: HoleTag,
    /// Normalized expression text or block header: what it is matched by.
    pub text: String,
    /// Attribute name for attribute and event holes.
    pub attribute: Option<String>,
    /// Where the hole is.
    pub position: Position,
}

/// Finds and compiles every invocation of `MACRO_NAME` or one of `aliases` in `source`.
///
/// Fails only if the file as a whole is not valid Rust; a template that does not parse is
/// reported in its [`Invocation::templates`].
pub(crate) fn reparse_source(source: &str, aliases: &[&str]) -> Result<ReparsedFile, SourceError> {
    reparse_against(source, aliases, None)
}

/// [`reparse_source`] of an edit of `built` (the version the running binary was compiled
/// from). When the edit changed nothing outside template bodies (the same skeleton), the file
/// is valid Rust because `built` compiled, so the whole-file `syn` parse (most of a save's
/// re-parse time in a debug build, where `syn` is not optimised) is skipped.
pub(crate) fn reparse_against(
    source: &str,
    aliases: &[&str],
    built: Option<&ReparsedFile>,
) -> Result<ReparsedFile, SourceError> {
    let result = reparse_inner(source, aliases, built);
    // Every span from this parse has been turned into a Position by now.
    proc_macro2::extra::invalidate_current_thread_spans();
    result
}

fn reparse_inner(
    source: &str,
    aliases: &[&str],
    built: Option<&ReparsedFile>,
) -> Result<ReparsedFile, SourceError> {
    // Lex once: the same tokens are checked as a whole file and then scanned for templates.
    // Like rustc (and `syn::parse_file`), skip a byte-order mark and a `#!` line; the shebang
    // is blanked rather than removed so line and column numbers stay those of the file.
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let blanked;
    let source = if source.starts_with("#!") && !source.starts_with("#![") {
        let end = source.find('\n').unwrap_or(source.len());
        blanked = format!("{}{}", " ".repeat(end), &source[end..]);
        blanked.as_str()
    } else {
        source
    };
    let tokens = TokenStream::from_str(source).map_err(|error| {
        // The lexer's position for an unbalanced delimiter is the outermost group that failed;
        // point at the brace that is most likely missing its partner instead.
        match find_unbalanced(source) {
            Some(unbalanced) => SourceError {
                position: Position {
                    line: unbalanced.line,
                    column: unbalanced.column,
                },
                message: unbalanced.message,
                note: false,
            },
            None => SourceError {
                position: Position::of(error.span()),
                message: error.to_string(),
                note: false,
            },
        }
    })?;
    let whole = tokens.clone();
    let mut found = Vec::new();
    let mut skeleton = Vec::new();
    scan(tokens, aliases, &mut found, &mut skeleton);
    // The same tokens outside template bodies (lines may have moved): the same Rust.
    let same_rust_as_built = built.is_some_and(|built| {
        built
            .skeleton
            .iter()
            .map(|t| &t.text)
            .eq(skeleton.iter().map(|t| &t.text))
    });
    if !same_rust_as_built && let Err(error) = syn::parse2::<syn::File>(whole) {
        return Err(SourceError {
            position: Position::of(error.span()),
            message: error.to_string(),
            note: false,
        });
    }
    found.sort_by_key(|(position, _, _)| *position);
    let invocations = found
        .into_iter()
        .map(|(position, macro_name, body)| Invocation {
            position,
            macro_name,
            templates: compile_body(body),
        })
        .collect();
    Ok(ReparsedFile {
        invocations,
        skeleton,
    })
}

/// Collects `(position, name, body)` of every invocation in `tokens`, recursing into groups,
/// and the skeleton: every token except the bodies of invocations.
fn scan(
    tokens: TokenStream,
    aliases: &[&str],
    found: &mut Vec<(Position, String, TokenStream)>,
    skeleton: &mut Vec<SkeletonToken>,
) {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    let mut skip_group = None;
    for (i, tree) in trees.iter().enumerate() {
        let line = Position::of(tree.span()).line;
        if let TokenTree::Group(group) = tree {
            let (open, close) = match group.delimiter() {
                Delimiter::Parenthesis => ("(", ")"),
                Delimiter::Brace => ("{", "}"),
                Delimiter::Bracket => ("[", "]"),
                Delimiter::None => ("", ""),
            };
            skeleton.push(SkeletonToken {
                text: open.to_owned(),
                line,
            });
            if skip_group == Some(i) {
                skeleton.push(SkeletonToken {
                    text: "{template}".to_owned(),
                    line,
                });
                // Templates nested in this body's holes are found too, but their tokens are
                // part of the template, not of the skeleton.
                scan(group.stream(), aliases, found, &mut Vec::new());
            } else {
                scan(group.stream(), aliases, found, skeleton);
            }
            let end = Position::of(group.span_close()).line;
            skeleton.push(SkeletonToken {
                text: close.to_owned(),
                line: end,
            });
            continue;
        }
        skeleton.push(SkeletonToken {
            text: tree.to_string(),
            line,
        });
        let TokenTree::Ident(ident) = tree else {
            continue;
        };
        let name = ident.to_string();
        if name != MACRO_NAME && !aliases.contains(&name.as_str()) {
            continue;
        }
        let is_bang = matches!(trees.get(i + 1), Some(TokenTree::Punct(p)) if p.as_char() == '!');
        let body = match trees.get(i + 2) {
            Some(TokenTree::Group(g)) if g.delimiter() != Delimiter::None => g.stream(),
            _ => continue,
        };
        if !is_bang {
            continue;
        }
        skip_group = Some(i + 2);
        let start = path_start(&trees, i);
        found.push((Position::of(trees[start].span()), name, body));
    }
}

/// Index of the first token of the path ending at `last`: walks back over `segment ::`.
fn path_start(trees: &[TokenTree], last: usize) -> usize {
    let is_colon =
        |i: usize| matches!(trees.get(i), Some(TokenTree::Punct(p)) if p.as_char() == ':');
    let mut start = last;
    while start >= 2 && is_colon(start - 1) && is_colon(start - 2) {
        if start >= 3 && matches!(trees[start - 3], TokenTree::Ident(_)) {
            start -= 3;
        } else {
            // A leading `::`, as in `::hotreload::hot_reload_liveview!`.
            start -= 2;
            break;
        }
    }
    start
}

fn compile_body(body: TokenStream) -> Result<Vec<ReparsedTemplate>, Vec<SourceError>> {
    match hotreload_syntax::compile_tokens(body) {
        Ok(compiled) => Ok(compiled.templates.iter().map(owned_template).collect()),
        // The template parser combines an error with notes that point at related places
        // (`<p>` opened here): the first is the error.
        Err(error) => Err(error
            .into_iter()
            .enumerate()
            .map(|(n, e)| SourceError {
                position: Position::of(e.span()),
                message: e.to_string(),
                note: n > 0,
            })
            .collect()),
    }
}

fn owned_template(template: &CompiledTemplate) -> ReparsedTemplate {
    ReparsedTemplate {
        index: template.index,
        statics: template.statics.clone(),
        holes: template
            .holes
            .iter()
            .map(|hole| ReparsedHole {
                tag: hole.kind.tag(),
                text: hole.text.clone(),
                attribute: hole.kind.attribute_name().map(str::to_owned),
                position: Position::of(hole.span),
            })
            .collect(),
        elements: template
            .elements
            .iter()
            .map(|mark| {
                let name = Position::of(mark.span);
                ElementPosition {
                    static_index: mark.static_index,
                    offset: mark.offset,
                    // `Position::of` counts from 1, so the name's column is the `<`'s plus one.
                    position: Position {
                        line: name.line,
                        column: name.column.saturating_sub(1).max(1),
                    },
                }
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_edit_of_templates_only_skips_the_whole_file_parse_but_a_rust_edit_does_not() {
        let built = reparse_source(
            "fn f() -> Html {\n    hot_reload_liveview! { <p>\"a\"</p> }\n}\n",
            &[],
        )
        .unwrap();
        let markup = reparse_against(
            "fn f() -> Html {\n    hot_reload_liveview! { <p>\"b\"</p> }\n}\n",
            &[],
            Some(&built),
        )
        .unwrap();
        assert_eq!(markup.skeleton, built.skeleton);
        // Rust that does not parse (but lexes) outside the template is still an error.
        let broken = reparse_against(
            "fn f() -> Html {\n    let = ;\n    hot_reload_liveview! { <p>\"b\"</p> }\n}\n",
            &[],
            Some(&built),
        );
        assert!(broken.is_err(), "{broken:?}");
    }

    #[test]
    fn an_unclosed_brace_in_a_template_is_reported_at_the_brace() {
        // What a new user saved: `{count " entries, "` without its `}`. The lexer alone blames
        // the `impl` line; the report must point at the brace and say what is unbalanced.
        let source = "\
use hotreload::prelude::*;

impl LiveView for Guestbook {
    type Message = Msg;

    fn render(&self) -> Html<Msg> {
        hot_reload_liveview! {
            <p>{self.count \" entries, \"</p>
            <ul>{for e in &self.entries { <li>{e}</li> }}</ul>
        }
    }
}
";
        let error = reparse_source(source, &[]).unwrap_err();
        assert_eq!(
            (error.position.line, error.position.column),
            (8, 16),
            "{error}"
        );
        assert!(
            error.message.contains("this `{` is never closed"),
            "{error}"
        );
        assert!(!error.note);
    }

    #[test]
    fn a_mismatched_tag_comes_with_a_note_where_it_opened() {
        let source = "fn f() -> Html {\n    hot_reload_liveview! { <div><p>\"a\"</div> }\n}\n";
        let file = reparse_source(source, &[]).unwrap();
        let errors = file.invocations[0].templates.as_ref().unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(!errors[0].note && errors[0].message.contains("mismatched closing tag"));
        assert!(errors[1].note && errors[1].message.contains("opened here"));
    }

    #[test]
    fn finds_invocations_with_paths_nesting_and_aliases() {
        let source = r#"
fn a() -> Html { hot_reload_liveview! { <p>"a"</p> } }
fn b() -> Html { ::hotreload::hot_reload_liveview!(<p>{x}</p>) }
fn c() -> Vec<Html> { vec![hotreload::hot_reload_liveview!{ <i>{ y.iter().map(|z| hot_reload_liveview!{<b>{z}</b>}).collect::<Vec<_>>() }</i> }] }
fn d() -> Html { view! { <br/> } }
"#;
        let file = reparse_source(source, &["view"]).unwrap();
        let found: Vec<(u32, u32, &str)> = file
            .invocations
            .iter()
            .map(|i| (i.position.line, i.position.column, i.macro_name.as_str()))
            .collect();
        assert_eq!(
            found,
            vec![
                (2, 18, "hot_reload_liveview"),
                (3, 18, "hot_reload_liveview"),
                (4, 28, "hot_reload_liveview"),
                (4, 83, "hot_reload_liveview"),
                (5, 18, "view"),
            ]
        );
        let b = file.invocations[1].templates.as_ref().unwrap();
        assert_eq!(b[0].holes[0].text, "x");
        assert_eq!(b[0].statics, vec!["<p>", "</p>"]);
    }

    #[test]
    fn skeleton_ignores_template_edits_and_moves_but_not_rust_edits() {
        let before = reparse_source(
            "fn f() -> Html {\n    hot_reload_liveview! { <p>\"a\" {x}</p> }\n}\n",
            &[],
        )
        .unwrap();
        let markup = reparse_source("// comment\n\nfn f() -> Html {\n    hot_reload_liveview! { <p>\"b\" {y} {x}</p> }\n}\n", &[]).unwrap();
        let rust = reparse_source(
            "fn f() -> Html {\n    let z = 1;\n    hot_reload_liveview! { <p>\"a\" {x}</p> }\n}\n",
            &[],
        )
        .unwrap();
        assert_eq!(markup.first_rust_difference(&before), None);
        assert_eq!(rust.first_rust_difference(&before), Some(2));
    }

    #[test]
    fn byte_order_mark_and_shebang_are_skipped_like_rustc() {
        for (source, line) in [
            (
                "\u{feff}fn f() -> Html {\n    hot_reload_liveview! { <p>\"a\"</p> }\n}\n",
                2,
            ),
            (
                "#!/usr/bin/env run-cargo-script\nfn f() -> Html {\n    hot_reload_liveview! { <p>\"a\"</p> }\n}\n",
                3,
            ),
        ] {
            let file = reparse_source(source, &[]).unwrap();
            let position = file.invocations[0].position;
            assert_eq!((position.line, position.column), (line, 5), "{source:?}");
        }
        // `#![...]` is an inner attribute, not a shebang.
        assert!(reparse_source("#![allow(dead_code)]\nfn f() {}\n", &[]).is_ok());
    }

    #[test]
    fn broken_file_and_broken_template_are_reported_with_positions() {
        let error = reparse_source("fn main() {\n  let x = ;\n}", &[]).unwrap_err();
        assert_eq!(error.position.line, 2);
        let file =
            reparse_source("fn f() { hot_reload_liveview! { <p>\"a\"</span> } }", &[]).unwrap();
        let errors = file.invocations[0].templates.as_ref().unwrap_err();
        assert!(
            errors[0].message.contains("mismatched closing tag"),
            "{errors:?}"
        );
        assert_eq!(
            errors[0].position,
            Position {
                line: 1,
                column: 41
            }
        );
    }
}
