//! Deciding what an edit to a source file means: which templates can be hot-swapped, what
//! needs a rebuild, what does not parse.
//!
//! Templates are matched to the compiled ones by their order in the file *as built* (the
//! version the running binary was compiled from), never by line number, so adding lines above
//! a template keeps it hot-reloadable. The swapped template keeps the as-built invocation's
//! [`TemplateId`], which is what the binary renders with.
//!
//! The rules, one test each below:
//! - only statics changed, or holes were reordered, duplicated or removed → swap;
//! - a hole whose expression the binary does not have (new expression, changed block header,
//!   a hole used as another kind) → rebuild needed;
//! - a template or block added or removed → rebuild needed;
//! - Rust code outside templates changed → rebuild needed (templates that can still be swapped
//!   are swapped too, so markup keeps updating while the rebuild is pending);
//! - a template that does not parse → broken, with its errors; the others are still swapped.

use crate::dev::reparse::{ElementPosition, Position, ReparsedFile, ReparsedTemplate, SourceError};
use crate::template::{Layout, LayoutHole, TemplateId};

/// Why an edit needs a rebuild, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RebuildNeeded {
    /// 1-based line in the edited file.
    pub line: u32,
    /// What changed.
    pub reason: String,
}

/// One template of an edited file expressed over its compiled holes: what a swap installs
/// (unless it is what is live already).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PlannedSwap {
    /// The as-built template id.
    pub id: TemplateId,
    /// The edited template's layout.
    pub layout: Layout,
    /// Whether the edited template is identical to the as-built one (nothing to install
    /// unless a swap is live).
    pub as_built: bool,
    /// Where its elements are in the edited file (its source annotations).
    pub elements: Vec<ElementPosition>,
}

/// The outcome of comparing an edited file with its as-built version.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Classification {
    /// Layouts to install, keyed by the as-built template id, each with whether the edited
    /// template is identical to the as-built one (nothing to install unless a swap is live).
    pub swaps: Vec<PlannedSwap>,
    /// Changes the running binary cannot show.
    pub rebuild: Vec<RebuildNeeded>,
    /// Templates that do not parse.
    pub errors: Vec<SourceError>,
}

/// Compares `edited` with `as_built`; `file` is the `file!()` key of the source.
pub(crate) fn classify(
    file: &str,
    as_built: &ReparsedFile,
    edited: &ReparsedFile,
) -> Classification {
    let mut result = Classification::default();
    if let Some(line) = edited.first_rust_difference(as_built) {
        result.rebuild.push(RebuildNeeded {
            line,
            reason: "Rust code outside the templates changed".to_owned(),
        });
    }
    if edited.invocations.len() != as_built.invocations.len() {
        let line = first_unmatched_line(as_built, edited);
        let (verb, count) = if edited.invocations.len() > as_built.invocations.len() {
            (
                "added",
                edited.invocations.len() - as_built.invocations.len(),
            )
        } else {
            (
                "removed",
                as_built.invocations.len() - edited.invocations.len(),
            )
        };
        result.rebuild.push(RebuildNeeded {
            line,
            reason: format!("{count} template(s) {verb}"),
        });
        // Pairing by order no longer holds; nothing in this file can be swapped safely.
        for invocation in &edited.invocations {
            if let Err(errors) = &invocation.templates {
                result.errors.extend(errors.iter().cloned());
            }
        }
        return result;
    }
    for (built, now) in as_built.invocations.iter().zip(&edited.invocations) {
        let now_templates = match &now.templates {
            Ok(templates) => templates,
            Err(errors) => {
                result.errors.extend(errors.iter().cloned());
                continue;
            }
        };
        let Ok(built_templates) = &built.templates else {
            // The as-built version did not compile this template either; cannot happen for a
            // binary that built, so there is nothing to swap against.
            continue;
        };
        if now_templates.len() != built_templates.len() {
            result.rebuild.push(RebuildNeeded {
                line: now.position.line,
                reason: "a `for`/`if`/`match` block was added or removed".to_owned(),
            });
            continue;
        }
        for (built_template, now_template) in built_templates.iter().zip(now_templates) {
            let id = TemplateId::new(
                file,
                built.position.line,
                built.position.column,
                built_template.index,
            );
            let as_built = built_template == now_template;
            match plan_layout(built_template, now_template) {
                Ok(layout) => result.swaps.push(PlannedSwap {
                    id,
                    layout,
                    as_built,
                    elements: now_template.elements.clone(),
                }),
                Err(rebuild) => result.rebuild.push(rebuild),
            }
        }
    }
    result
}

/// Expresses `edited` over the holes of `built`: each edited hole must have a compiled hole of
/// the same kind with the same expression text.
pub(crate) fn plan_layout(
    built: &ReparsedTemplate,
    edited: &ReparsedTemplate,
) -> Result<Layout, RebuildNeeded> {
    let mut holes = Vec::with_capacity(edited.holes.len());
    for hole in &edited.holes {
        let found = built
            .holes
            .iter()
            .position(|b| b.tag == hole.tag && b.text == hole.text);
        let Some(compiled) = found else {
            let reason = if built.holes.iter().any(|b| b.text == hole.text) {
                format!(
                    "`{}` is used as a {} hole but was compiled as another kind",
                    readable(&hole.text),
                    hole.tag.as_str()
                )
            } else if hole.tag == hotreload_syntax::HoleTag::Block {
                format!("new or changed block `{}`", readable(&hole.text))
            } else {
                format!("new expression `{{{}}}`", readable(&hole.text))
            };
            return Err(RebuildNeeded {
                line: hole.position.line,
                reason,
            });
        };
        holes.push(LayoutHole {
            compiled,
            attribute: hole.attribute.clone(),
        });
    }
    Layout::new(edited.statics.clone(), holes).map_err(|error| RebuildNeeded {
        line: 1,
        reason: format!("internal: {error}"),
    })
}

/// An expression as people write it: the token text proc-macro2 prints has a space between
/// every two tokens (`crate :: clock :: Msg :: Tick (1 , 2)`), which reads badly in a reason.
/// Display only: comparisons use the token text.
fn readable(tokens: &str) -> String {
    let chars: Vec<char> = tokens.chars().collect();
    let mut out = String::with_capacity(tokens.len());
    let mut in_string = false;
    for (i, &c) in chars.iter().enumerate() {
        if c == '"' && (i == 0 || chars[i - 1] != '\\') {
            in_string = !in_string;
        }
        if c == ' ' && !in_string && glues(&out, &chars[i + 1..]) {
            continue;
        }
        out.push(c);
    }
    out
}

/// Whether the space between `before` (printed so far) and `after` goes.
fn glues(before: &str, after: &[char]) -> bool {
    let last = before.chars().last();
    // The token before `last` (tokens are printed with a space between them).
    let prev = before
        .get(..before.len() - last.map_or(0, char::len_utf8))
        .and_then(|rest| rest.trim_end().chars().last());
    let next = after.first().copied();
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    // `a :: b`, `a . b`, `( a`, `[ a`, `# [`.
    if before.ends_with("::") || matches!(last, Some('.' | '(' | '[' | '#')) {
        return true;
    }
    // Unary `&` and `!` (`& self`, `! done`), not `a & b`.
    let binary = word(prev) || matches!(prev, Some(')' | ']' | '"' | '&' | '|' | '*'));
    if matches!(last, Some('&' | '!' | '*')) && !binary {
        return true;
    }
    match next {
        Some(',' | ';' | '.' | ')' | ']' | '?') => true,
        Some(':') => after.get(1) == Some(&':'),
        // A call, an index, a macro: `f (x)`, `v [0]`, `format ! (..)`.
        Some('(' | '[') => word(last) || matches!(last, Some('!' | '>')),
        Some('!') => word(last) && after.get(1) != Some(&'='),
        _ => false,
    }
}

fn first_unmatched_line(as_built: &ReparsedFile, edited: &ReparsedFile) -> u32 {
    let built: Vec<Position> = as_built.invocations.iter().map(|i| i.position).collect();
    edited
        .invocations
        .iter()
        .enumerate()
        .find(|(k, i)| built.get(*k).is_none_or(|b| b.column != i.position.column))
        .map_or_else(
            || edited.invocations.last().map_or(1, |i| i.position.line),
            |(_, i)| i.position.line,
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_show_expressions_as_written() {
        assert_eq!(
            readable("crate :: clock :: ClockMsg :: Tick"),
            "crate::clock::ClockMsg::Tick"
        );
        assert_eq!(readable("self . items . len ()"), "self.items.len()");
        assert_eq!(
            readable("format ! (\"{} , {}\" , a , b)"),
            "format!(\"{} , {}\", a, b)"
        );
        assert_eq!(readable("& self . name [0 ..]"), "&self.name[0..]");
        assert_eq!(readable("a + b"), "a + b");
        assert_eq!(readable("a & b != ! c"), "a & b != !c");
        assert_eq!(readable("a && b"), "a && b");
    }
    use crate::dev::reparse::reparse_source;

    fn file(body: &str) -> ReparsedFile {
        reparse_source(
            &format!(
                "fn view(x: i32, y: i32) -> Html {{\n    hot_reload_liveview! {{ {body} }}\n}}\n"
            ),
            &[],
        )
        .unwrap()
    }

    fn classify_bodies(before: &str, after: &str) -> Classification {
        classify("src/view.rs", &file(before), &file(after))
    }

    #[test]
    fn static_text_change_is_a_swap() {
        let c = classify_bodies(
            r#"<p>"Count: " {x}</p>"#,
            r#"<p class="big">"Total: " {x}</p>"#,
        );
        assert!(c.rebuild.is_empty() && c.errors.is_empty(), "{c:?}");
        assert_eq!(c.swaps.len(), 1);
        let PlannedSwap { id, layout, .. } = &c.swaps[0];
        assert_eq!(id.to_string(), "src/view.rs:2:5");
        assert_eq!(layout.statics(), ["<p class=\"big\">Total: ", "</p>"]);
    }

    #[test]
    fn holes_reordered_duplicated_and_removed_are_a_swap() {
        let c = classify_bodies(r#"<p>{x} "and" {y}</p>"#, r#"<p>{y} {y} "only"</p>"#);
        assert!(c.rebuild.is_empty(), "{c:?}");
        let holes: Vec<usize> = c.swaps[0]
            .layout
            .holes()
            .iter()
            .map(|h| h.compiled)
            .collect();
        assert_eq!(holes, vec![1, 1]);
    }

    #[test]
    fn attribute_renamed_keeps_its_hole() {
        let c = classify_bodies(r#"<p id={x}>"a"</p>"#, r#"<p data-id={x}>"a"</p>"#);
        assert!(c.rebuild.is_empty(), "{c:?}");
        assert_eq!(
            c.swaps[0].layout.holes()[0].attribute.as_deref(),
            Some("data-id")
        );
    }

    #[test]
    fn a_new_expression_needs_a_rebuild() {
        let c = classify_bodies(r#"<p>{x}</p>"#, r#"<p>{x} {x + y}</p>"#);
        assert_eq!(c.rebuild.len(), 1);
        assert!(
            c.rebuild[0].reason.contains("new expression `{x + y}`"),
            "{c:?}"
        );
        assert_eq!(c.rebuild[0].line, 2);
        assert!(c.swaps.is_empty());
    }

    #[test]
    fn a_hole_used_as_another_kind_needs_a_rebuild() {
        let c = classify_bodies(r#"<p>{x}</p>"#, r#"<p title={x}></p>"#);
        assert!(c.rebuild[0].reason.contains("another kind"), "{c:?}");
    }

    #[test]
    fn a_changed_block_header_or_added_block_needs_a_rebuild() {
        let c = classify_bodies(
            r#"<ul>{for i in 0..x { <li>{i}</li> }}</ul>"#,
            r#"<ul>{for i in 0..y { <li>{i}</li> }}</ul>"#,
        );
        assert!(
            c.rebuild.iter().any(|r| r.reason.contains("block")),
            "{c:?}"
        );
        let c = classify_bodies(r#"<ul></ul>"#, r#"<ul>{if x > 0 { "pos" }}</ul>"#);
        assert!(
            c.rebuild
                .iter()
                .any(|r| r.reason.contains("added or removed")),
            "{c:?}"
        );
    }

    #[test]
    fn nested_bodies_swap_by_index() {
        let c = classify_bodies(
            r#"<ul>{for i in 0..x { <li>{i}</li> }}</ul>"#,
            r##"<ol>{for i in 0..x { <li class="row">"#" {i}</li> }}</ol>"##,
        );
        assert!(c.rebuild.is_empty(), "{c:?}");
        let ids: Vec<String> = c.swaps.iter().map(|swap| swap.id.to_string()).collect();
        assert_eq!(ids, vec!["src/view.rs:2:5", "src/view.rs:2:5#1"]);
    }

    #[test]
    fn lines_added_above_keep_the_as_built_id() {
        let built = file(r#"<p>"a"</p>"#);
        let edited = reparse_source(
            "\n\n// moved down\nfn view(x: i32, y: i32) -> Html {\n    hot_reload_liveview! { <p>\"b\"</p> }\n}\n",
            &[],
        )
        .unwrap();
        let c = classify("src/view.rs", &built, &edited);
        assert!(c.rebuild.is_empty(), "{c:?}");
        assert_eq!(c.swaps[0].id.to_string(), "src/view.rs:2:5");
    }

    #[test]
    fn rust_edits_outside_templates_need_a_rebuild_and_templates_still_swap() {
        let built = file(r#"<p>"a"</p>"#);
        let edited = reparse_source(
            "fn view(x: i32, y: i32) -> Html {\n    let z = x * 2;\n    hot_reload_liveview! { <p>\"b\"</p> }\n}\n",
            &[],
        )
        .unwrap();
        let c = classify("src/view.rs", &built, &edited);
        assert_eq!(
            c.rebuild,
            vec![RebuildNeeded {
                line: 2,
                reason: "Rust code outside the templates changed".into()
            }]
        );
        assert_eq!(c.swaps.len(), 1);
    }

    #[test]
    fn templates_added_or_removed_need_a_rebuild() {
        let built = file(r#"<p>"a"</p>"#);
        let edited = reparse_source(
            "fn view(x: i32, y: i32) -> Html {\n    hot_reload_liveview! { <p>\"a\"</p> }\n}\nfn more() -> Html { hot_reload_liveview! { <i>\"new\"</i> } }\n",
            &[],
        )
        .unwrap();
        let c = classify("src/view.rs", &built, &edited);
        assert!(
            c.rebuild
                .iter()
                .any(|r| r.reason == "1 template(s) added" && r.line == 4),
            "{c:?}"
        );
        assert!(c.swaps.is_empty());
    }

    #[test]
    fn a_broken_template_reports_errors_and_others_still_swap() {
        let built = reparse_source(
            "fn a() -> Html { hot_reload_liveview! { <p>\"a\"</p> } }\nfn b() -> Html { hot_reload_liveview! { <p>\"b\"</p> } }\n",
            &[],
        )
        .unwrap();
        let edited = reparse_source(
            "fn a() -> Html { hot_reload_liveview! { <p>\"a\"</div> } }\nfn b() -> Html { hot_reload_liveview! { <p>\"B!\"</p> } }\n",
            &[],
        )
        .unwrap();
        let c = classify("src/view.rs", &built, &edited);
        // The mismatch, and where the element was opened.
        assert_eq!(c.errors.len(), 2);
        assert!(c.errors[0].message.contains("mismatched closing tag"));
        assert_eq!(c.swaps.len(), 1);
        assert_eq!(c.swaps[0].id.line(), 2);
    }
}
