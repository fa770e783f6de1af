//! Property tests of the diff invariant: `apply(diff(a, b), a)` is structurally `b`
//! (except inside retained nested component boundaries, which keep `a`'s content).
//!
//! Trees are generated as a small model, rendered to HTML (sometimes with malformed bits
//! mixed in) and parsed, so `a` and `b` are exactly what html5ever builds. `b` is usually a
//! mutation of `a` (edits, moves, reorders, swaps) so the diffs are interesting.
//!
//! Case counts below add up to more than 10 000. `PROPTEST_CASES=N` runs N cases per property.

use hotreload_diff::{
    BOUNDARY_ATTR, CanonicalOptions, ClientTree, Fragment, Op, UpdateKind, apply, boundary_id,
    canonical, canonical_with, diff, ops, parse_fragment,
};
use markup5ever_rcdom::{Handle, NodeData};
use proptest::prelude::*;
use proptest::test_runner::Config;

/// A tree model rendered to HTML.
#[derive(Clone, Debug)]
enum N {
    Text(String),
    Comment(String),
    /// Raw markup pasted as is (possibly malformed).
    Raw(&'static str),
    El(&'static str, Vec<(&'static str, String)>, Vec<N>),
}

fn render(nodes: &[N], raw_text: bool, out: &mut String) {
    for n in nodes {
        match n {
            N::Text(t) if raw_text => out.push_str(t),
            N::Text(t) => out.push_str(&t.replace('&', "&amp;").replace('<', "&lt;")),
            N::Comment(c) => {
                out.push_str("<!--");
                out.push_str(c);
                out.push_str("-->");
            }
            N::Raw(r) => out.push_str(r),
            N::El(tag, attrs, kids) => {
                out.push('<');
                out.push_str(tag);
                for (k, v) in attrs {
                    out.push(' ');
                    out.push_str(k);
                    out.push_str("=\"");
                    out.push_str(&v.replace('&', "&amp;").replace('"', "&quot;"));
                    out.push('"');
                }
                out.push('>');
                let raw = matches!(*tag, "script" | "style");
                if raw {
                    // Raw text elements: only text inside, never a closing tag.
                    for k in kids {
                        if let N::Text(t) = k {
                            out.push_str(t);
                        }
                    }
                } else {
                    render(kids, false, out);
                }
                out.push_str("</");
                out.push_str(tag);
                out.push('>');
            }
        }
    }
}

fn html(nodes: &[N]) -> String {
    let mut s = String::new();
    render(nodes, false, &mut s);
    s
}

/// What a generator draws from.
#[derive(Clone, Copy)]
struct Pool {
    tags: &'static [&'static str],
    attrs: &'static [(&'static str, &'static [&'static str])],
    texts: &'static [&'static str],
    raws: &'static [&'static str],
}

const GENERIC: Pool = Pool {
    tags: &[
        "div", "span", "p", "ul", "li", "li", "b", "i", "a", "section", "em", "pre", "button",
    ],
    attrs: &[
        ("class", &["x", "y", "x y"]),
        ("id", &["k1", "k2", "k3", "k4", "k5"]),
        ("data-key", &["1", "2", "3", "4", "5", "6"]),
        ("title", &["t", "ü & \"q\""]),
        ("hidden", &[""]),
    ],
    texts: &[
        "a", "b", "hello", " ", "\n  ", "x<y&z", "Count: 7", "\u{a0}nb", "\nlead",
    ],
    raws: &[
        "<p>",
        "</div>",
        "<b><i>x</b>",
        "</p>",
        "<li>",
        "<br>",
        "&amp;&lt;&#x41;&bogus;",
    ],
};

const TABLES_FORMS: Pool = Pool {
    tags: &[
        "table", "tr", "td", "th", "tbody", "thead", "caption", "form", "input", "select",
        "option", "textarea", "label", "div", "p", "fieldset",
    ],
    attrs: &[
        ("value", &["", "v1", "v 2"]),
        ("checked", &[""]),
        ("selected", &[""]),
        ("type", &["text", "checkbox", "radio"]),
        ("name", &["n1", "n2"]),
        ("id", &["r1", "r2", "r3"]),
        ("data-key", &["1", "2", "3", "4"]),
        ("colspan", &["2"]),
    ],
    texts: &["cell", " ", "\n", "typed text", "\nx", "1"],
    raws: &["<tr>", "<td>", "</table>", "<table>", "</tr>", "<option>o"],
};

const SVG_TEMPLATE: Pool = Pool {
    tags: &[
        "svg",
        "g",
        "circle",
        "rect",
        "a",
        "text",
        "foreignObject",
        "template",
        "div",
        "span",
        "math",
        "mi",
        "script",
        "style",
        "title",
    ],
    attrs: &[
        ("xlink:href", &["#a", "#b"]),
        ("viewBox", &["0 0 1 1", "0 0 2 2"]),
        ("fill", &["red", "blue"]),
        ("id", &["s1", "s2", "s3"]),
        ("xml:lang", &["en"]),
        ("class", &["c"]),
    ],
    texts: &["t", "a<b", " ", "x && y", "\n"],
    raws: &["<svg>", "</svg>", "<p>", "<template>", "<![CDATA[x]]>"],
};

fn leaf(pool: Pool) -> BoxedStrategy<N> {
    prop_oneof![
        6 => proptest::sample::select(pool.texts).prop_map(|t| N::Text(t.to_owned())),
        1 => proptest::sample::select(&["c", "d", ""][..]).prop_map(|c| N::Comment(c.to_owned())),
        1 => proptest::sample::select(pool.raws).prop_map(N::Raw),
    ]
    .boxed()
}

fn attrs(pool: Pool) -> BoxedStrategy<Vec<(&'static str, String)>> {
    proptest::collection::vec(
        proptest::sample::select(pool.attrs).prop_flat_map(|(name, values)| {
            proptest::sample::select(values).prop_map(move |v| (name, v.to_owned()))
        }),
        0..3,
    )
    .prop_map(|mut list| {
        // Duplicate attribute names: the parser keeps the first; keep the model honest.
        let mut seen = Vec::new();
        list.retain(|(k, _)| {
            let fresh = !seen.contains(k);
            seen.push(*k);
            fresh
        });
        list
    })
    .boxed()
}

fn tree(pool: Pool, boundaries: bool) -> BoxedStrategy<N> {
    leaf(pool)
        .prop_recursive(4, 40, 6, move |inner| {
            let el = (
                proptest::sample::select(pool.tags),
                attrs(pool),
                proptest::collection::vec(inner.clone(), 0..6),
            )
                .prop_map(|(t, a, k)| N::El(t, a, k));
            if boundaries {
                let boundary = (
                    proptest::sample::select(&["lv1", "lv2", "lv3", "lv4"][..]),
                    proptest::sample::select(&["div", "section", "span"][..]),
                    proptest::collection::vec(inner, 0..3),
                )
                    .prop_map(|(id, tag, kids)| {
                        N::El(tag, vec![(BOUNDARY_ATTR, id.to_owned())], kids)
                    });
                prop_oneof![3 => el, 1 => boundary].boxed()
            } else {
                el.boxed()
            }
        })
        .boxed()
}

fn forest(pool: Pool, boundaries: bool) -> BoxedStrategy<Vec<N>> {
    proptest::collection::vec(tree(pool, boundaries), 0..5).boxed()
}

/// One edit: (what, which node, argument).
type Edit = (u8, u16, u16);

fn count(nodes: &[N]) -> usize {
    nodes
        .iter()
        .map(|n| match n {
            N::El(_, _, kids) => 1 + count(kids),
            _ => 1,
        })
        .sum()
}

/// Runs `f` on the `k`-th node's child list (the top level counts as node 0).
fn with_nth_kids(nodes: &mut Vec<N>, k: &mut usize, f: &mut dyn FnMut(&mut Vec<N>)) -> bool {
    if *k == 0 {
        f(nodes);
        return true;
    }
    *k -= 1;
    for n in nodes.iter_mut() {
        if let N::El(_, _, kids) = n {
            if with_nth_kids(kids, k, f) {
                return true;
            }
        } else if *k == 0 {
            return false;
        } else {
            *k -= 1;
        }
    }
    false
}

fn mutate(mut nodes: Vec<N>, edits: &[Edit], subs: &[N], pool: Pool) -> Vec<N> {
    for (i, &(what, which, arg)) in edits.iter().enumerate() {
        let total = count(&nodes) + 1;
        let mut k = which as usize % total;
        let arg = arg as usize;
        let sub = subs
            .get(i % subs.len().max(1))
            .cloned()
            .unwrap_or(N::Text("s".into()));
        with_nth_kids(&mut nodes, &mut k, &mut |kids: &mut Vec<N>| {
            edit(kids, what, arg, sub.clone(), pool);
        });
    }
    nodes
}

fn edit(kids: &mut Vec<N>, what: u8, arg: usize, sub: N, pool: Pool) {
    let len = kids.len();
    match what % 10 {
        0 if len > 0 => match &mut kids[arg % len] {
            N::Text(t) => *t = format!("{t}!"),
            N::Comment(c) => c.push('~'),
            N::El(_, attrs, _) => attrs.retain(|(k, _)| *k == BOUNDARY_ATTR),
            N::Raw(_) => {}
        },
        1 if len > 0 => {
            if let N::El(_, attrs, _) = &mut kids[arg % len] {
                let (name, values) = pool.attrs[arg % pool.attrs.len()];
                match attrs.iter().position(|(k, _)| *k == name) {
                    Some(p) => {
                        attrs.remove(p);
                    }
                    None => attrs.push((name, values[arg % values.len()].to_owned())),
                }
            }
        }
        2 => kids.reverse(),
        3 if len > 0 => kids.rotate_left(arg % len),
        4 if len > 0 => {
            kids.remove(arg % len);
        }
        5 => kids.insert(arg % (len + 1), sub),
        6 if len > 0 => kids[arg % len] = sub,
        7 if len > 0 => {
            let slot = &mut kids[arg % len];
            *slot = match slot {
                N::Text(t) => N::El("span", vec![], vec![N::Text(t.clone())]),
                _ => N::Text("swapped".into()),
            };
        }
        8 if len > 0 => {
            if let N::El(tag, _, _) = &mut kids[arg % len] {
                *tag = pool.tags[arg % pool.tags.len()];
            }
        }
        9 if len > 1 => kids.swap(arg % len, (arg / 7) % len),
        _ => {}
    }
}

fn pair(pool: Pool, boundaries: bool) -> BoxedStrategy<(String, String)> {
    let mutated = (
        forest(pool, boundaries),
        proptest::collection::vec((0u8..10, any::<u16>(), any::<u16>()), 1..6),
        proptest::collection::vec(tree(pool, boundaries), 1..3),
    )
        .prop_map(move |(a, edits, subs)| {
            let b = mutate(a.clone(), &edits, &subs, pool);
            (html(&a), html(&b))
        });
    let independent = (forest(pool, boundaries), forest(pool, boundaries))
        .prop_map(|(a, b)| (html(&a), html(&b)));
    prop_oneof![3 => mutated, 1 => independent].boxed()
}

/// Checks the invariant for one pair, also through the JSON wire format.
fn check(a_html: &str, b_html: &str) -> Result<(), TestCaseError> {
    let a = parse_fragment(a_html);
    let b = parse_fragment(b_html);
    let ops = diff(&a, &b);
    let wire = ops::ops_to_json(&ops);
    let decoded = ops::ops_from_json(&wire).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(&decoded, &ops);
    let mut result = parse_fragment(a_html);
    apply(&mut result, &decoded).map_err(|e| TestCaseError::fail(format!("{e}\nops: {wire}")))?;
    check_result(&a, &b, &result, &wire)
}

/// `result` equals `b`, except retained boundaries, whose content must be `a`'s.
fn check_result(
    a: &Fragment,
    b: &Fragment,
    result: &Fragment,
    wire: &str,
) -> Result<(), TestCaseError> {
    let opaque = CanonicalOptions {
        opaque_boundaries: true,
    };
    prop_assert_eq!(
        canonical_with(result, opaque),
        canonical_with(b, opaque),
        "ops: {}",
        wire
    );
    let got = boundaries(result);
    let want = boundaries(b);
    let before = boundaries(a);
    prop_assert_eq!(got.len(), want.len());
    for ((id, content), (_, wanted)) in got.iter().zip(&want) {
        if content != wanted {
            prop_assert!(
                before.iter().any(|(i, c)| i == id && c == content),
                "boundary {} has content from neither a nor b: {}\nops: {}",
                id,
                content,
                wire
            );
        }
    }
    Ok(())
}

/// (id, canonical form of the whole boundary element) for every outermost boundary.
fn boundaries(f: &Fragment) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack: Vec<Handle> = f.children().into_iter().rev().collect();
    while let Some(node) = stack.pop() {
        if let Some(id) = boundary_id(&node) {
            out.push((
                id,
                hotreload_diff::canonical::canonical_nodes(
                    std::slice::from_ref(&node),
                    CanonicalOptions::default(),
                ),
            ));
            continue;
        }
        let kids = match &node.data {
            NodeData::Element {
                template_contents, ..
            } => match template_contents.borrow().as_ref() {
                Some(t) => t.children.borrow().clone(),
                None => node.children.borrow().clone(),
            },
            _ => Vec::new(),
        };
        stack.extend(kids.into_iter().rev());
    }
    out
}

fn config(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    Config {
        cases,
        max_shrink_iters: 2_000,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config(3_000))]
    #[test]
    fn generic_lists_moves_and_swaps((a, b) in pair(GENERIC, false)) {
        check(&a, &b)?;
    }
}

proptest! {
    #![proptest_config(config(2_000))]
    #[test]
    fn tables_and_forms((a, b) in pair(TABLES_FORMS, false)) {
        check(&a, &b)?;
    }
}

proptest! {
    #![proptest_config(config(2_000))]
    #[test]
    fn svg_mathml_templates_raw_text((a, b) in pair(SVG_TEMPLATE, false)) {
        check(&a, &b)?;
    }
}

proptest! {
    #![proptest_config(config(2_500))]
    #[test]
    fn nested_boundaries((a, b) in pair(GENERIC, true)) {
        check(&a, &b)?;
    }
}

proptest! {
    #![proptest_config(config(1_000))]
    #[test]
    fn client_tree_sequence_of_updates(
        trees in proptest::collection::vec(forest(GENERIC, false), 2..5)
    ) {
        let htmls: Vec<String> = trees.iter().map(|t| html(t)).collect();
        let mut server = ClientTree::new(&htmls[0]);
        let mut client = parse_fragment(&htmls[0]);
        for next in &htmls[1..] {
            let ops = server.update(next).map_err(|e| TestCaseError::fail(e.to_string()))?;
            apply(&mut client, &ops).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(canonical(&client), canonical(&parse_fragment(next)));
            prop_assert_eq!(canonical(&client), canonical(server.tree()));
        }
    }
}

/// Changes only text and attribute values in the model: append, replace from the pool, add an
/// `&` (an entity in the HTML), prefix or double, so most pairs take the in-place path of
/// `ClientTree::update` (keys, boundary ids and `type` values still make it parse).
fn mutate_texts(nodes: &mut [N], edits: &[(u16, u8)], pool: Pool) {
    // Text nodes and attribute values alike (the model escapes both when rendering).
    fn texts<'a>(nodes: &'a mut [N], out: &mut Vec<&'a mut String>) {
        for n in nodes {
            match n {
                N::Text(t) => out.push(t),
                N::El(_, attrs, kids) => {
                    out.extend(attrs.iter_mut().map(|(_, v)| v));
                    texts(kids, out);
                }
                _ => {}
            }
        }
    }
    let mut all = Vec::new();
    texts(nodes, &mut all);
    if all.is_empty() {
        return;
    }
    for &(which, how) in edits {
        let len = all.len();
        let t = &mut all[which as usize % len];
        match how % 6 {
            0 | 5 => t.push('!'),
            1 => **t = pool.texts[which as usize % pool.texts.len()].to_owned(),
            2 => t.push_str(" & co"),
            3 => t.insert(0, 'x'),
            _ => **t = t.repeat(2),
        }
    }
}

fn text_edits(pool: Pool, boundaries: bool) -> BoxedStrategy<(String, String, String)> {
    (
        forest(pool, boundaries),
        proptest::collection::vec((any::<u16>(), any::<u8>()), 1..4),
        proptest::collection::vec((0u8..10, any::<u16>(), any::<u16>()), 1..3),
        proptest::collection::vec(tree(pool, boundaries), 1..2),
    )
        .prop_map(move |(a, text_edits, edits, subs)| {
            let mut b = a.clone();
            mutate_texts(&mut b, &text_edits, pool);
            let c = mutate(b.clone(), &edits, &subs, pool);
            (html(&a), html(&b), html(&c))
        })
        .boxed()
}

/// a → b (text only: usually applied in place without parsing) → c (any change, parsed and
/// diffed against the tree the text-only path left) → a again. Every step must give exactly
/// what parsing gives; stale subtree hashes after an in-place update would show up as a step
/// that misses a change.
fn check_text_path(a: &str, b: &str, c: &str) -> Result<(usize, usize), TestCaseError> {
    let (mut in_place, mut attr_ops) = (0, 0);
    let mut server = ClientTree::new(a);
    let mut client = parse_fragment(a);
    for next in [b, c, a, b] {
        let ops = server
            .update(next)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let wire = ops::ops_to_json(&ops);
        apply(&mut client, &ops).map_err(|e| TestCaseError::fail(format!("{e}\nops: {wire}")))?;
        let want = parse_fragment(next);
        let opaque = CanonicalOptions {
            opaque_boundaries: true,
        };
        prop_assert_eq!(
            canonical_with(&client, opaque),
            canonical_with(&want, opaque),
            "{:?} update to {:?}, ops: {}",
            server.last_update(),
            next,
            wire
        );
        // The server's tree is exactly the parse, boundaries included (it holds the last
        // rendered HTML everywhere).
        prop_assert_eq!(canonical(server.tree()), canonical(&want));
        if server.last_update() == UpdateKind::InPlace {
            in_place += 1;
            attr_ops += ops
                .iter()
                .filter(|op| matches!(op, Op::Attr { .. }))
                .count();
        }
    }
    Ok((in_place, attr_ops))
}

/// The generated edits must often take the in-place path, attribute changes included, or the
/// properties above would only be testing the parser again.
#[test]
fn in_place_path_is_exercised() {
    for (pool, boundaries, at_least) in [
        (GENERIC, false, 0.35),
        (TABLES_FORMS, false, 0.25),
        (SVG_TEMPLATE, false, 0.3),
        (GENERIC, true, 0.35),
    ] {
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let strategy = text_edits(pool, boundaries);
        let (mut taken, mut attr_ops, mut total) = (0, 0, 0);
        for _ in 0..300 {
            let (a, b, c) = strategy.new_tree(&mut runner).unwrap().current();
            let (n, attrs) = check_text_path(&a, &b, &c).unwrap();
            taken += n;
            attr_ops += attrs;
            total += 4;
        }
        let share = taken as f64 / total as f64;
        eprintln!("in-place updates: {taken} of {total}, {attr_ops} attr ops among them");
        assert!(
            share >= at_least,
            "only {taken} of {total} updates took the in-place path"
        );
        assert!(attr_ops > 0, "no attribute changed in place");
    }
}

proptest! {
    #![proptest_config(config(1_500))]
    #[test]
    fn in_place_updates_generic((a, b, c) in text_edits(GENERIC, false)) {
        check_text_path(&a, &b, &c)?;
    }
}

proptest! {
    #![proptest_config(config(1_000))]
    #[test]
    fn in_place_updates_tables_forms((a, b, c) in text_edits(TABLES_FORMS, false)) {
        check_text_path(&a, &b, &c)?;
    }
}

proptest! {
    #![proptest_config(config(1_000))]
    #[test]
    fn in_place_updates_svg_templates_raw_text((a, b, c) in text_edits(SVG_TEMPLATE, false)) {
        check_text_path(&a, &b, &c)?;
    }
}

proptest! {
    #![proptest_config(config(1_000))]
    #[test]
    fn in_place_updates_nested_boundaries((a, b, c) in text_edits(GENERIC, true)) {
        check_text_path(&a, &b, &c)?;
    }
}

/// The text-only path must actually run on pages like the examples' (not fall back every
/// time): a table of keyed rows, a heading, a counter, entities, a nested component.
#[test]
fn text_only_path_takes_template_output() {
    let row = |i: u32, load: u32| {
        format!(
            r#"<tr data-key="{i}"><td>node-{i:04}</td><td>eu &amp; us</td><td>{load}%</td><td class="ok">healthy</td></tr>"#
        )
    };
    let page = |title: &str, load: u32, child: &str| {
        let rows: String = (0..50)
            .map(|i| row(i, if i == 7 { load } else { i }))
            .collect();
        format!(
            r#"<header><h1>{title}</h1><p class="summary">50 nodes · <strong>0 unhealthy</strong></p><button live-click="&quot;Inc&quot;">+</button></header><table><thead><tr><th>Node</th></tr></thead><tbody>{rows}</tbody></table><div data-live-view-id="c1"><span>{child}</span></div><svg viewBox="0 0 1 1"><path d="M0"/><text>s</text></svg><!-- c -->"#
        )
    };
    let a = page("Fleet", 10, "child 1");
    let mut server = ClientTree::new(&a);
    let mut client = parse_fragment(&a);
    let steps = [
        (page("Fleet dashboard", 10, "child 1"), 1),
        (page("Fleet dashboard", 93, "child 1"), 1),
        (page("Fleet & co", 94, "child 1"), 2),
        // Inside the nested boundary: the tree follows, nothing is sent.
        (page("Fleet & co", 94, "child 2"), 0),
        // Same text, spelled differently.
        (page("Fleet &amp; co", 94, "child 2"), 0),
    ];
    for (html, want_ops) in &steps {
        let ops = server.update(html).unwrap();
        assert_eq!(server.last_update(), UpdateKind::InPlace, "{html}");
        assert_eq!(ops.len(), *want_ops, "{ops:?}");
        apply(&mut client, &ops).unwrap();
        assert_eq!(canonical(server.tree()), canonical(&parse_fragment(html)));
    }
    // Attribute values change in place too: every row's class, an SVG attribute (its name is
    // case-adjusted in the tree), and the same together with text.
    let opaque = CanonicalOptions {
        opaque_boundaries: true,
    };
    let classes = steps[4].0.replace(r#"class="ok""#, r#"class="warn""#);
    let svg = classes.replace(r#"viewBox="0 0 1 1""#, r#"viewBox="0 0 2 2""#);
    let both = svg.replace("<th>Node</th>", "<th>Host</th>");
    for (html, want_ops) in [(&classes, 50), (&svg, 1), (&both, 1)] {
        let ops = server.update(html).unwrap();
        assert_eq!(server.last_update(), UpdateKind::InPlace, "{html}");
        assert_eq!(ops.len(), want_ops, "{ops:?}");
        apply(&mut client, &ops).unwrap();
        assert_eq!(canonical(server.tree()), canonical(&parse_fragment(html)));
        assert_eq!(
            canonical_with(&client, opaque),
            canonical_with(&parse_fragment(html), opaque)
        );
    }
    // Keys, new elements and removed attributes are parsed and diffed.
    for html in [
        both.replace(r#"data-key="7""#, r#"data-key="x7""#),
        both.replace("<th>Host</th>", "<th>Host</th><th>Load</th>"),
        both.replace(r#" class="summary""#, ""),
    ] {
        let ops = server.update(&html).unwrap();
        assert_eq!(server.last_update(), UpdateKind::Reparsed, "{html}");
        apply(&mut client, &ops).unwrap();
        assert_eq!(
            canonical_with(&client, opaque),
            canonical_with(&parse_fragment(&html), opaque)
        );
    }
}
