//! Fuzzing the template parser as long property tests (cargo-fuzz needs a nightly toolchain;
//! see `docs/FUZZING.md`).
//!
//! - `token_soups_never_panic`: text assembled from template-ish fragments (tags, attributes,
//!   braces, string literals, blocks, punctuation, garbage) is lexed with proc-macro2 (inputs
//!   that do not lex are skipped) and compiled: an error is fine, a panic is not.
//! - `valid_templates_compile_deterministically`: templates printed from a small grammar model
//!   must compile; compiling the same text twice, and compiling the printed tokens again, give
//!   the same statics and hole texts.
//!
//! Default case counts run in a few seconds in debug; `PROPTEST_CASES=N` runs N cases per
//! property.

use hotreload_syntax::{CompiledTemplates, compile_tokens};
use proc_macro2::TokenStream;
use proptest::prelude::*;
use proptest::test_runner::Config;
use std::str::FromStr;

fn config(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    Config {
        cases,
        max_shrink_iters: 2_000,
        // Failures print their minimal input; no regression files in the source tree.
        failure_persistence: None,
        ..Config::default()
    }
}

/// Pieces of template-like text; a soup is a few dozen of them joined by spaces (or not).
const FRAGMENTS: &[&str] = &[
    "<",
    ">",
    "</",
    "/>",
    "<>",
    "</>",
    "<!DOCTYPE html>",
    "<!",
    "<!doctype",
    "div",
    "p",
    "br",
    "input",
    "script",
    "style",
    "textarea",
    "svg",
    "my-el",
    "x:y",
    "h1",
    "</div>",
    "</p>",
    "<div>",
    "<p>",
    "<br>",
    "<br/>",
    "<input",
    "class",
    "id",
    "disabled",
    "data-x",
    "data-1",
    "live-click",
    "live-input",
    "live-key",
    "live-debounce",
    "live-bogus",
    "r#type",
    "=",
    "==",
    "\"text\"",
    "\"\"",
    "\"a \\\" quote\"",
    "\"<&>\"",
    "r\"raw\"",
    "'c'",
    "b\"bytes\"",
    "42",
    "1.5",
    "true",
    "{",
    "}",
    "{}",
    "{self.count}",
    "{x}",
    "{&self.name}",
    "{Msg::Inc}",
    "{raw(s)}",
    "{ for x in xs {",
    "{for (i, x) in xs.iter().enumerate() {",
    "{if a {",
    "{ if let Some(x) = o {",
    "} else {",
    "} else if b {",
    "{match e {",
    "Tab::A =>",
    "_ =>",
    "Some(x) if x > 1 =>",
    ",",
    ";",
    ":",
    "::",
    ".",
    "..",
    "#",
    "!",
    "?",
    "@",
    "$",
    "%",
    "^",
    "&",
    "*",
    "-",
    "+",
    "|",
    "||",
    "=>",
    "->",
    "(",
    ")",
    "[",
    "]",
    "'a",
    "self",
    "fn",
    "let",
    "in",
    "é",
    "ünïcode",
    "_",
    "0x1f",
    "1e9",
    "// comment\n",
    "/* c */",
];

fn soup() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        40 => proptest::sample::select(FRAGMENTS).prop_map(str::to_owned),
        4 => "[a-z]{1,6}",
        4 => "\"[^\"\\\\\r]{0,8}\"",
        1 => "\\PC{1,3}",
    ];
    (
        proptest::collection::vec((piece, any::<bool>()), 0..60),
        any::<u8>(),
    )
        .prop_map(|(pieces, balance)| {
            let mut text = String::new();
            for (piece, space) in pieces {
                text.push_str(&piece);
                if space {
                    text.push(' ');
                }
            }
            // Mostly balance the delimiters, so most soups lex and reach the parser.
            if balance % 4 != 0 {
                text = balanced(&text);
            }
            text
        })
}

/// Drops closing delimiters that close nothing and closes what is left open (outside string
/// literals, roughly).
fn balanced(text: &str) -> String {
    let mut out = String::new();
    let mut open = Vec::new();
    let (mut in_string, mut escaped) = (false, false);
    for c in text.chars() {
        if in_string {
            in_string = escaped || c != '"';
            escaped = !escaped && c == '\\';
            out.push(c);
            continue;
        }
        match c {
            '"' => in_string = true,
            '(' => open.push(')'),
            '[' => open.push(']'),
            '{' => open.push('}'),
            ')' | ']' | '}' if open.last() == Some(&c) => {
                open.pop();
            }
            ')' | ']' | '}' => continue,
            _ => {}
        }
        out.push(c);
    }
    if in_string {
        out.push('"');
    }
    out.extend(open.iter().rev());
    out
}

/// A small model of a valid template.
#[derive(Clone, Debug)]
enum N {
    Text(String),
    Expr(&'static str),
    El {
        tag: &'static str,
        attrs: Vec<A>,
        kids: Vec<N>,
    },
    Void(&'static str, Vec<A>),
    For(Vec<N>),
    If(Vec<N>, Option<Vec<N>>),
    Match(Vec<N>, Vec<N>),
}

#[derive(Clone, Debug)]
enum A {
    Static(&'static str, String),
    Dynamic(&'static str, &'static str),
    Boolean(&'static str),
    Event(&'static str, &'static str),
}

const TAGS: &[&str] = &[
    "div",
    "p",
    "span",
    "ul",
    "li",
    "h1",
    "section",
    "my-widget",
    "em",
];
const VOIDS: &[&str] = &["br", "hr", "input", "img"];
const ATTR_NAMES: &[&str] = &["class", "id", "title", "data-x", "aria-label", "xml:lang"];
const EXPRS: &[&str] = &[
    "self.count",
    "&self.name",
    "self.count * 2",
    "raw(s)",
    "display(x)",
    "(if a { 1 } else { 2 })",
    "items.len()",
    "format!(\"{}-{}\", a, b)",
    "x",
];
const EVENTS: &[&str] = &["live-click", "live-input", "live-submit", "live-keydown"];
const MESSAGES: &[&str] = &["Msg::Inc", "Msg::Set(x)", "Msg::Named { id: 3 }"];

fn attr() -> impl Strategy<Value = A> {
    prop_oneof![
        (proptest::sample::select(ATTR_NAMES), "[a-z <>&\"']{0,6}")
            .prop_map(|(n, v)| A::Static(n, v)),
        (
            proptest::sample::select(ATTR_NAMES),
            proptest::sample::select(EXPRS)
        )
            .prop_map(|(n, e)| A::Dynamic(n, e)),
        proptest::sample::select(&["disabled", "checked", "hidden"][..]).prop_map(A::Boolean),
        (
            proptest::sample::select(EVENTS),
            proptest::sample::select(MESSAGES)
        )
            .prop_map(|(n, m)| A::Event(n, m)),
    ]
}

/// Attributes with distinct names (duplicates are a compile error by design).
fn attrs() -> impl Strategy<Value = Vec<A>> {
    proptest::collection::vec(attr(), 0..4).prop_map(|mut attrs| {
        let mut seen = Vec::new();
        attrs.retain(|a| {
            let name = match a {
                A::Static(n, _) | A::Dynamic(n, _) | A::Boolean(n) | A::Event(n, _) => *n,
            };
            let fresh = !seen.contains(&name);
            seen.push(name);
            fresh
        });
        attrs
    })
}

fn node() -> impl Strategy<Value = N> {
    let leaf = prop_oneof![
        "[a-zA-Z0-9 <>&\"'é]{0,10}".prop_map(N::Text),
        proptest::sample::select(EXPRS).prop_map(N::Expr),
        (proptest::sample::select(VOIDS), attrs()).prop_map(|(t, a)| N::Void(t, a)),
    ];
    leaf.prop_recursive(4, 40, 5, |inner| {
        let kids = proptest::collection::vec(inner, 0..5);
        prop_oneof![
            4 => (proptest::sample::select(TAGS), attrs(), kids.clone())
                .prop_map(|(tag, attrs, kids)| N::El { tag, attrs, kids }),
            1 => kids.clone().prop_map(N::For),
            1 => (kids.clone(), proptest::option::of(kids.clone())).prop_map(|(a, b)| N::If(a, b)),
            1 => (kids.clone(), kids).prop_map(|(a, b)| N::Match(a, b)),
        ]
    })
}

fn print_attrs(attrs: &[A], out: &mut String) {
    for a in attrs {
        match a {
            A::Static(n, v) => out.push_str(&format!(" {n}={v:?}")),
            A::Dynamic(n, e) => out.push_str(&format!(" {n}={{{e}}}")),
            A::Boolean(n) => out.push_str(&format!(" {n}")),
            A::Event(n, m) => out.push_str(&format!(" {n}={{{m}}}")),
        }
    }
}

fn print(nodes: &[N], out: &mut String) {
    for n in nodes {
        match n {
            N::Text(t) => out.push_str(&format!("{t:?} ")),
            N::Expr(e) => out.push_str(&format!("{{{e}}} ")),
            N::El { tag, attrs, kids } => {
                out.push('<');
                out.push_str(tag);
                print_attrs(attrs, out);
                out.push('>');
                print(kids, out);
                out.push_str(&format!("</{tag}>"));
            }
            N::Void(tag, attrs) => {
                out.push('<');
                out.push_str(tag);
                print_attrs(attrs, out);
                out.push_str("/>");
            }
            N::For(kids) => {
                out.push_str("{for item in &self.items { ");
                print(kids, out);
                out.push_str("}}");
            }
            N::If(yes, no) => {
                out.push_str("{if self.count > 0 { ");
                print(yes, out);
                out.push('}');
                if let Some(no) = no {
                    out.push_str(" else { ");
                    print(no, out);
                    out.push('}');
                }
                out.push('}');
            }
            N::Match(a, b) => {
                out.push_str("{match self.tab { Tab::A => { ");
                print(a, out);
                out.push_str("} Tab::B(x) if x > 1 => { ");
                print(b, out);
                out.push_str("} }}");
            }
        }
    }
}

fn template() -> impl Strategy<Value = String> {
    (any::<bool>(), proptest::collection::vec(node(), 1..4)).prop_map(|(doctype, nodes)| {
        let mut out = String::new();
        if doctype {
            out.push_str("<!DOCTYPE html>");
        }
        print(&nodes, &mut out);
        out
    })
}

/// What must be identical between two compilations: per template, statics and hole texts.
fn shape(compiled: &CompiledTemplates) -> Vec<(u32, Vec<String>, Vec<String>)> {
    compiled
        .templates
        .iter()
        .map(|t| {
            (
                t.index,
                t.statics.clone(),
                t.holes.iter().map(|h| h.text.clone()).collect(),
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(config(4_000))]
    #[test]
    fn token_soups_never_panic(text in soup()) {
        let Ok(tokens) = TokenStream::from_str(&text) else {
            return Ok(());
        };
        // An error is a fine answer; a panic fails the property.
        let first = compile_tokens(tokens).map(|c| shape(&c)).map_err(|e| e.to_string());
        let again = TokenStream::from_str(&text).map_err(|e| e.to_string());
        let again = again.and_then(|t| compile_tokens(t).map(|c| shape(&c)).map_err(|e| e.to_string()));
        prop_assert_eq!(first, again);
    }
}

proptest! {
    #![proptest_config(config(2_000))]
    #[test]
    fn valid_templates_compile_deterministically(text in template()) {
        let tokens = TokenStream::from_str(&text).expect("generated templates lex");
        let compiled = match compile_tokens(tokens.clone()) {
            Ok(compiled) => compiled,
            Err(error) => return Err(TestCaseError::fail(format!("{error} in {text}"))),
        };
        let first = shape(&compiled);
        for t in &compiled.templates {
            prop_assert_eq!(t.statics.len(), t.holes.len() + 1);
        }
        let again = compile_tokens(TokenStream::from_str(&text).expect("lexes")).expect("compiles");
        prop_assert_eq!(&first, &shape(&again));
        // The tokens printed back to text (proc-macro2's spacing) compile to the same thing.
        let printed = tokens.to_string();
        let reprinted = compile_tokens(TokenStream::from_str(&printed).expect("printed tokens lex"))
            .expect("printed tokens compile");
        prop_assert_eq!(&first, &shape(&reprinted));
    }
}

/// Guards the generator: enough soups lex to exercise the parser, and some even compile.
#[test]
fn soups_reach_the_parser() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut lexed, mut compiled) = (0, 0);
    for _ in 0..1_000 {
        let text = soup().new_tree(&mut runner).expect("a soup").current();
        if let Ok(tokens) = TokenStream::from_str(&text) {
            lexed += 1;
            compiled += usize::from(compile_tokens(tokens).is_ok());
        }
    }
    println!("of 1000 soups: {lexed} lex, {compiled} compile");
    assert!(lexed >= 400, "only {lexed} of 1000 soups lex");
    assert!(compiled >= 10, "only {compiled} of 1000 soups compile");
}
