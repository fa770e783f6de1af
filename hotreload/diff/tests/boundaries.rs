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
