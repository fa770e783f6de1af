//! Nested component boundaries (`data-live-view-id`) are never entered by a diff.

use hotreload_diff::{Op, apply, canonical, diff, parse_fragment};

fn diff_and_apply(a: &str, b: &str) -> (Vec<Op>, String) {
    let ops = diff(&parse_fragment(a), &parse_fragment(b));
    let mut tree = parse_fragment(a);
    apply(&mut tree, &ops).expect("ops apply");
    (ops, canonical(&tree))
}

#[test]
fn same_boundary_id_is_left_alone_even_if_its_content_differs() {
    let a = r#"<h1>Parent</h1><div data-live-view-id="c1" class="old"><p>child state A</p></div>"#;
    let b = r#"<h1>Parent</h1><div data-live-view-id="c1" class="new"><p>child render B</p></div>"#;
    let (ops, result) = diff_and_apply(a, b);
    assert!(ops.is_empty(), "{ops:?}");
    assert_eq!(
        result,
        canonical(&parse_fragment(a)),
        "the inside stays a's"
    );
}

#[test]
fn parent_changes_around_a_boundary_do_not_touch_it() {
    let a = r#"<h1>1</h1><div data-live-view-id="c1"><p>A</p></div><p>x</p>"#;
    let b = r#"<h1>2</h1><div data-live-view-id="c1"><p>B</p></div><p>y</p>"#;
    let (ops, _) = diff_and_apply(a, b);
    assert_eq!(ops.len(), 2);
    assert!(ops.iter().all(|o| o.path().first() != Some(&1)), "{ops:?}");
}

#[test]
fn changed_boundary_id_is_replaced_with_the_new_render() {
    let a = r#"<div data-live-view-id="c1"><p>A</p></div>"#;
    let b = r#"<div data-live-view-id="c2"><p>B</p></div>"#;
    let (ops, result) = diff_and_apply(a, b);
    assert_eq!(
        ops,
        [Op::Replace {
            path: vec![0],
            html: r#"<div data-live-view-id="c2"><p>B</p></div>"#.into()
        }]
    );
    assert_eq!(result, canonical(&parse_fragment(b)));
}

#[test]
fn boundaries_are_never_morphed_into_plain_elements() {
    let (ops, result) = diff_and_apply(r#"<div data-live-view-id="c1">A</div>"#, "<div>A</div>");
    assert!(matches!(ops.as_slice(), [Op::Replace { .. }]), "{ops:?}");
    assert_eq!(result, canonical(&parse_fragment("<div>A</div>")));
}

#[test]
fn keyed_boundaries_move_with_their_content() {
    let a = r#"<div data-live-view-id="a">A state</div><div data-live-view-id="b">B state</div>"#;
    let b = r#"<div data-live-view-id="b">B render</div><div data-live-view-id="a">A render</div>"#;
    let (ops, result) = diff_and_apply(a, b);
    assert_eq!(
        ops,
        [Op::Move {
            path: vec![],
            from: 1,
            to: 0
        }]
    );
    let expected =
        r#"<div data-live-view-id="b">B state</div><div data-live-view-id="a">A state</div>"#;
    assert_eq!(result, canonical(&parse_fragment(expected)));
}

#[test]
fn removed_and_new_boundaries() {
    let a = r#"<p>x</p><div data-live-view-id="gone">G</div>"#;
    let b = r#"<p>x</p><section data-live-view-id="new">N</section><p>y</p>"#;
    let (_, result) = diff_and_apply(a, b);
    assert_eq!(result, canonical(&parse_fragment(b)));
}

/// `live-ignore`: the element's attributes are diffed, its inside never (a widget owns it).
#[test]
fn ignored_elements_change_attributes_but_never_their_inside() {
    let a = r#"<h1>1</h1><div id="chart" live-ignore data-points="1,2"><canvas></canvas></div>"#;
    let b = r#"<h1>2</h1><div id="chart" live-ignore data-points="1,2,3"><p>fresh</p></div>"#;
    let (ops, _) = diff_and_apply(a, b);
    assert_eq!(ops.len(), 2, "{ops:?}");
    assert!(
        ops.iter()
            .all(|op| op.path().first() != Some(&1) || op.path().len() == 1),
        "no op goes inside the ignored element: {ops:?}"
    );
    assert!(
        ops.iter()
            .any(|op| matches!(op, Op::Attr { path, name, value, .. } if path == &[1] && name == "data-points" && value == "1,2,3")),
        "{ops:?}"
    );
}

#[test]
fn client_tree_in_place_updates_skip_the_inside_of_ignored_elements() {
    let a = r#"<p>a</p><div live-ignore title="x"><span>inside 1</span></div>"#;
    let b = r#"<p>b</p><div live-ignore title="y"><span>inside 2</span></div>"#;
    let mut client = hotreload_diff::ClientTree::new(a);
    let ops = client.update(b).expect("diffs");
    assert_eq!(ops.len(), 2, "{ops:?}");
    assert!(
        ops.iter()
            .all(|op| op.path().first() != Some(&1) || op.path().len() == 1),
        "{ops:?}"
    );
    // A newly inserted ignored element comes with its rendered content.
    let c = r#"<p>b</p><div live-ignore title="y"><span>inside 2</span></div><div live-ignore id="w"><i>new</i></div>"#;
    let ops = client.update(c).expect("diffs");
    assert!(
        ops.iter().any(|op| matches!(op, Op::Insert { html, .. } | Op::Replace { html, .. } if html.contains("<i>new</i>"))),
        "{ops:?}"
    );
}
