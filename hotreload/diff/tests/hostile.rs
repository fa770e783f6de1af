//! Hostile input: an error or a correct diff, never a panic or a stack overflow.
//!
//! These run in cargo's default test threads (2 MiB stacks) on purpose.

use hotreload_diff::{
    ApplyError, ClientTree, DiffError, Op, UpdateKind, apply, canonical, diff, parse_fragment,
    parse_fragment_bytes, structurally_equal,
};

const DEPTH: usize = 10_000;

fn nested(open: &str, close: &str, depth: usize, inner: &str) -> String {
    let mut s = String::with_capacity((open.len() + close.len()) * depth + inner.len());
    for _ in 0..depth {
        s.push_str(open);
    }
    s.push_str(inner);
    for _ in 0..depth {
        s.push_str(close);
    }
    s
}

fn check_invariant(a: &str, b: &str) -> Vec<Op> {
    let (fa, fb) = (parse_fragment(a), parse_fragment(b));
    let ops = diff(&fa, &fb);
    let mut applied = fa.deep_clone();
    apply(&mut applied, &ops).expect("ops apply");
    assert!(structurally_equal(&applied, &fb));
    ops
}

// Note: html5ever's tree builder is quadratic in nesting depth (scope checks walk the stack
// of open elements): a 10k-level parse takes ~0.25 s in release and ~3 s in a debug build, so
// these tests parse each deep document as few times as they can.

#[test]
fn ten_thousand_nested_divs_diff_correctly() {
    let a = nested("<div>", "</div>", DEPTH, "deep");
    let b = nested("<div>", "</div>", DEPTH, "deeper");
    let ops = check_invariant(&a, &b);
    assert_eq!(ops.len(), 1);
    assert_eq!(ops[0].path().len(), DEPTH + 1);
}

const VARIANTS: [(&str, &str); 7] = [
    ("<b>", "</b>"),
    ("<span>", "</span>"),
    ("<ul><li>", "</li></ul>"),
    ("<svg><g>", "</g></svg>"),
    ("<table><tr><td>", "</td></tr></table>"),
    ("<p>", ""),
    ("<template>", "</template>"),
];

fn nested_variants(depth: usize) {
    for (open, close) in VARIANTS {
        let a = nested(open, close, depth, "x");
        let b = nested(open, close, depth, "y");
        check_invariant(&a, &b);
        check_invariant(&b, "");
        check_invariant("", &a);
    }
}

#[test]
fn deeply_nested_inline_tables_svg_templates() {
    nested_variants(2_000);
}

/// The same at 10k levels: slow in debug builds (html5ever parse time), so opt-in:
/// `cargo test --release -p hotreload-diff --test hostile -- --ignored`.
#[test]
#[ignore]
fn ten_thousand_levels_of_every_variant() {
    nested_variants(DEPTH);
}

#[test]
fn client_tree_depth_limit_is_an_error_not_a_crash() {
    let deep = nested("<div>", "</div>", DEPTH, "x");
    let mut client = ClientTree::new("<p>start</p>").with_max_depth(1_000);
    match client.update(&deep) {
        Err(DiffError::TooDeep { depth, limit }) => {
            assert!(depth >= DEPTH);
            assert_eq!(limit, 1_000);
        }
        other => panic!("expected TooDeep, got {other:?}"),
    }
    // The tree is unchanged after an error, and the default limit accepts 10k levels.
    assert_eq!(client.tree().to_html(), "<p>start</p>");
    let mut client = ClientTree::new("<p>start</p>");
    let ops = client
        .update(&deep)
        .expect("10k levels are within the default limit");
    // The <p> is replaced by the whole 10k-level subtree (checked to survive the round trip).
    assert_eq!(ops.len(), 1);
    let mut applied = parse_fragment("<p>start</p>");
    apply(&mut applied, &ops).expect("ops apply");
    assert!(structurally_equal(&applied, client.tree()));
    // Debug-printing a deep client tree must not recurse either.
    assert!(format!("{client:?}").len() > DEPTH);
}

#[test]
fn one_megabyte_attribute() {
    let big = "v".repeat(1 << 20);
    let a = format!(r#"<div title="{big}">x</div>"#);
    let b = format!(r#"<div title="{big}!">x</div>"#);
    let ops = check_invariant(&a, &b);
    assert_eq!(ops.len(), 1);
    check_invariant("<div>x</div>", &a);
    check_invariant(&a, "");
}

#[test]
fn malformed_markup() {
    let inputs = [
        "<div <p>>text</div>",
        "</>",
        "<a<b>c</a>",
        "<!-->",
        "<!-- unclosed comment",
        "<![CDATA[x]]>",
        "&#xFFFFFFFF;&#0;&bogus;&amp",
        "<table><div>foster</div><tr>x</table>",
        "<p><div></p></div>",
        "<b><i>mis</b>nested</i>",
        "<select><table><select></select></table></select>",
        "<svg><p>breaks out</p><rect/></svg>",
        "\0null\0<di\0v>",
        "<html><body><head></head></body></html>",
        "<frameset><frame></frameset>",
        "<script>if (a < b) { </script>",
        "<textarea>\n\nlead</textarea><pre>\n\nx</pre>",
        "<math><mi><svg><foreignObject><p>x</p></foreignObject></svg></mi></math>",
        "<form><form><input></form></form>",
        "<a href=x><a href=y>nested anchors</a></a>",
        "<template><tr><td>t</td></tr></template>",
        "<",
        "",
    ];
    for a in inputs {
        for b in inputs {
            check_invariant(a, b);
        }
    }
}

#[test]
fn invalid_utf8_is_decoded_lossily() {
    let bytes = b"<p>caf\xe9 \xff\xfe</p>";
    let (fragment, lossy) = parse_fragment_bytes(bytes);
    assert!(lossy);
    assert!(canonical(&fragment).contains('\u{fffd}'));
    let (clean, lossy) = parse_fragment_bytes("<p>café</p>".as_bytes());
    assert!(!lossy);
    let ops = diff(&fragment, &clean);
    let (mut applied, _) = parse_fragment_bytes(bytes);
    apply(&mut applied, &ops).expect("ops apply");
    assert!(structurally_equal(&applied, &clean));
}

#[test]
fn bad_ops_are_errors_not_panics() {
    let html = "<ul><li>a</li><li>b</li></ul>text<!--c-->";
    let bad = [
        Op::Remove { path: vec![9] },
        Op::Remove { path: vec![] },
        Op::Remove {
            path: vec![0, 0, 0, 0],
        },
        Op::Text {
            path: vec![0],
            text: "x".into(),
            prop: false,
        },
        Op::Attr {
            path: vec![1],
            name: "a".into(),
            value: "b".into(),
            ns: None,
            prop: false,
        },
        Op::RemoveAttr {
            path: vec![2],
            name: "a".into(),
            ns: None,
            prop: false,
        },
        Op::Insert {
            path: vec![0],
            index: 99,
            html: "<li>x</li>".into(),
            ctx: None,
        },
        Op::Insert {
            path: vec![1],
            index: 0,
            html: "x".into(),
            ctx: None,
        },
        Op::Insert {
            path: vec![0],
            index: 0,
            html: "x".into(),
            ctx: Some("frameset".into()),
        },
        Op::Move {
            path: vec![0],
            from: 0,
            to: 2,
        },
        Op::Move {
            path: vec![0],
            from: 7,
            to: 0,
        },
        Op::Move {
            path: vec![1],
            from: 0,
            to: 0,
        },
        Op::Replace {
            path: vec![],
            html: "<p>".into(),
        },
        Op::Replace {
            path: vec![5, 5],
            html: "<p>".into(),
        },
        Op::Text {
            path: vec![u32::MAX],
            text: "x".into(),
            prop: false,
        },
    ];
    for op in bad {
        let mut tree = parse_fragment(html);
        let err: Result<(), ApplyError> = apply(&mut tree, std::slice::from_ref(&op));
        let err = err.expect_err(&format!("{op:?} should fail"));
        assert!(!err.to_string().is_empty());
    }
}

/// `ClientTree::update` from `a` to `b`: the client ends equal to `b` and so does the server's
/// tree, whichever path ran; returns which one.
fn check_client(a: &str, b: &str) -> UpdateKind {
    let mut server = ClientTree::new(a);
    let mut client = parse_fragment(a);
    let ops = server.update(b).expect("update");
    apply(&mut client, &ops).expect("ops apply");
    let want = parse_fragment(b);
    assert!(structurally_equal(&client, &want), "{a:?} → {b:?}");
    assert!(structurally_equal(server.tree(), &want), "{a:?} → {b:?}");
    server.last_update()
}

#[test]
fn text_only_path_on_deep_wide_and_huge_pages() {
    // 10k levels: the op path and the rehash walk the whole depth, iteratively.
    let a = nested("<div>", "</div>", DEPTH, "deep");
    let b = nested("<div>", "</div>", DEPTH, "deeper");
    let mut server = ClientTree::new(&a);
    let ops = server.update(&b).unwrap();
    assert_eq!(server.last_update(), UpdateKind::InPlace);
    assert_eq!(ops.len(), 1);
    assert_eq!(ops[0].path().len(), DEPTH + 1);

    // A 1 MB text node, one character changed.
    let big = "t".repeat(1 << 20);
    assert_eq!(
        check_client(&format!("<p>{big}</p>"), &format!("<p>{big}!</p>")),
        UpdateKind::InPlace
    );

    // 50,000 siblings, one changed in the middle.
    let wide = |mid: &str| {
        (0..50_000)
            .map(|i| {
                if i == 25_000 {
                    format!("<i>{mid}</i>")
                } else {
                    "<i>a</i>".to_owned()
                }
            })
            .collect::<String>()
    };
    assert_eq!(check_client(&wide("a"), &wide("b")), UpdateKind::InPlace);
}

#[test]
fn malformed_markup_through_the_client_tree() {
    // Each malformed input with its text changed: whichever path runs, the result is the parse.
    let inputs = [
        "<div <p>>text</div>",
        "<a<b>c</a>",
        "<!-- unclosed comment",
        "&#xFFFFFFFF;&#0;&bogus;&amp text",
        "<table><div>foster</div><tr>text</table>",
        "<table>text<tr><td>cell text</td></tr>text</table>",
        "<p><div>text</p></div>",
        "<b><i>mis</b>nested text</i>",
        "<svg><p>breaks out text</p><rect/></svg>",
        "<script>if (a < b) { text </script>",
        "<textarea>\n\ntext</textarea><pre>\n\ntext</pre>",
        "<select>text<option>text</select>",
        "text<frameset><frame></frameset>",
        "<template><tr><td>text</td></tr></template>",
        "<ul><li>text<li>text</ul>",
        "<title>text</title><style>text{}</style><noscript>text</noscript>",
        "<div title='a > b'>text</div>",
    ];
    for a in inputs {
        for (from, to) in [
            ("text", "txet"),
            ("text", " text"),
            ("text", ""),
            ("text", "t&amp;xt"),
        ] {
            let b = a.replacen(from, to, 1);
            check_client(a, &b);
            check_client(&b, a);
        }
    }
}

#[test]
fn carriage_returns_from_character_references_survive_inserts() {
    // Parsing turns a literal CR into LF, so only `&#13;` puts a CR into a text node or an
    // attribute; an insert op must carry it so that parsing the op's HTML gives the CR back.
    for (a, b) in [
        ("<p>x</p>", "<p>x</p><p>a&#13;b&#13;</p>"),
        ("", "<ul><li>&#13;</li></ul>"),
        (
            "<div></div>",
            "<div><span>1&#13;&#10;2 &lt;&amp;</span></div>",
        ),
        (
            "<ul></ul>",
            "<ul><li data-key=\"a&#13;b\" title=\"&#13;\">x</li></ul>",
        ),
    ] {
        check_invariant(a, b);
        check_client(a, b);
    }
}
