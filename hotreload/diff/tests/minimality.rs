//! The differ sends small patches: exact op counts for the cases that matter most.

use hotreload_diff::{ClientTree, Op, apply, diff, parse_fragment, structurally_equal};

/// Diffs, checks the invariant, returns the ops.
fn ops_between(a: &str, b: &str) -> Vec<Op> {
    let (fa, fb) = (parse_fragment(a), parse_fragment(b));
    let ops = diff(&fa, &fb);
    let mut applied = parse_fragment(a);
    apply(&mut applied, &ops).expect("ops apply");
    assert!(
        structurally_equal(&applied, &fb),
        "invariant broken for {ops:?}"
    );
    ops
}

fn table(rows: usize, changed: Option<usize>) -> String {
    let mut s = String::from("<table><thead><tr><th>#</th><th>name</th></tr></thead><tbody>\n");
    for i in 0..rows {
        let name = if Some(i) == changed {
            "CHANGED".to_owned()
        } else {
            format!("row {i}")
        };
        s.push_str(&format!(
            "  <tr class=\"r\"><td>{i}</td><td>{name}</td></tr>\n"
        ));
    }
    s.push_str("</tbody></table>");
    s
}

fn keyed_list(keys: impl Iterator<Item = usize>) -> String {
    let items: String = keys
        .map(|k| format!("<li data-key=\"{k}\"><input value=\"{k}\"> item {k}</li>"))
        .collect();
    format!("<ul>{items}</ul>")
}

fn count(ops: &[Op], pred: impl Fn(&Op) -> bool) -> usize {
    ops.iter().filter(|o| pred(o)).count()
}

#[test]
fn one_changed_text_in_a_1000_row_table_is_one_op() {
    let ops = ops_between(&table(1000, None), &table(1000, Some(637)));
    assert_eq!(ops.len(), 1, "{ops:?}");
    // table > tbody (child 1, after thead) > row 637: the tbody starts with a "\n  " text
    // node, then rows and separators alternate.
    assert_eq!(
        ops[0],
        Op::Text {
            path: vec![0, 1, 1 + 637 * 2, 1, 0],
            text: "CHANGED".into(),
            prop: false
        }
    );
}

#[test]
fn unchanged_tree_is_zero_ops() {
    assert!(ops_between(&table(1000, None), &table(1000, None)).is_empty());
    let page = "<p>a<b>b</b><!--c--><svg><circle r=1 /></svg><template><i>t</i></template>";
    assert!(ops_between(page, page).is_empty());
    assert!(ops_between("", "").is_empty());
}

#[test]
fn reversed_keyed_list_is_moves_only() {
    let n = 100;
    let ops = ops_between(&keyed_list(0..n), &keyed_list((0..n).rev()));
    let moves = count(&ops, |o| matches!(o, Op::Move { .. }));
    assert_eq!(moves, n - 1, "a reversal needs n - 1 moves");
    assert_eq!(ops.len(), moves, "nothing re-created: {ops:?}");
}

#[test]
fn rotated_keyed_list_is_one_move() {
    let n = 50;
    let ops = ops_between(&keyed_list(0..n), &keyed_list((1..n).chain([0])));
    assert_eq!(
        ops,
        [Op::Move {
            path: vec![0],
            from: 0,
            to: (n - 1) as u32
        }]
    );
}

#[test]
fn keyed_list_insert_and_remove_touch_only_those_items() {
    let ops = ops_between(
        &keyed_list(0..20),
        &keyed_list((0..20).filter(|&k| k != 7).chain([99])),
    );
    assert_eq!(
        count(&ops, |o| matches!(o, Op::Remove { .. })),
        1,
        "{ops:?}"
    );
    assert_eq!(
        count(&ops, |o| matches!(o, Op::Insert { .. })),
        1,
        "{ops:?}"
    );
    assert_eq!(ops.len(), 2, "{ops:?}");
}

#[test]
fn insert_at_top_of_unkeyed_list_is_one_insert() {
    let items =
        |from: usize| -> String { (from..30).map(|i| format!("<li>item {i}</li>")).collect() };
    let ops = ops_between(
        &format!("<ul>{}</ul>", items(1)),
        &format!("<ul>{}</ul>", items(0)),
    );
    assert_eq!(
        ops,
        [Op::Insert {
            path: vec![0],
            index: 0,
            html: "<li>item 0</li>".into(),
            ctx: None
        }]
    );
}

#[test]
fn keyed_nodes_under_unkeyed_wrappers_are_kept_via_id_sets() {
    let a =
        r#"<div class="w"><span id="x">X</span></div><div class="w"><span id="y">Y</span></div>"#;
    let b =
        r#"<div class="w"><span id="y">Y</span></div><div class="w"><span id="x">X</span></div>"#;
    let ops = ops_between(a, b);
    assert_eq!(
        ops,
        [Op::Move {
            path: vec![],
            from: 1,
            to: 0
        }]
    );
}

#[test]
fn tag_change_is_a_replace_and_text_element_swap_too() {
    let ops = ops_between("<p>a</p><div>b</div>", "<p>a</p><section>b</section>");
    assert_eq!(
        ops,
        [Op::Replace {
            path: vec![1],
            html: "<section>b</section>".into()
        }]
    );
    let ops = ops_between("<p>a</p>text", "<p>a</p><b>text</b>");
    assert_eq!(
        ops,
        [Op::Replace {
            path: vec![1],
            html: "<b>text</b>".into()
        }]
    );
}

#[test]
fn form_properties_are_marked() {
    let ops = ops_between(
        r#"<input value="a"><input type="checkbox"><select><option>1</option><option selected>2</option></select><textarea>old</textarea>"#,
        r#"<input value="b"><input type="checkbox" checked><select><option selected>1</option><option>2</option></select><textarea>new</textarea>"#,
    );
    let json: Vec<String> = ops.iter().map(Op::to_json).collect();
    assert_eq!(
        json,
        [
            r#"{"op":"attr","path":[0],"name":"value","value":"b","prop":true}"#,
            r#"{"op":"attr","path":[1],"name":"checked","value":"","prop":true}"#,
            r#"{"op":"attr","path":[2,0],"name":"selected","value":"","prop":true}"#,
            r#"{"op":"rmattr","path":[2,1],"name":"selected","prop":true}"#,
            r#"{"op":"text","path":[3,0],"text":"new","prop":true}"#,
        ]
    );
}

#[test]
fn namespaced_attributes_carry_their_namespace() {
    let ops = ops_between(
        r##"<svg><use xlink:href="#a"/></svg>"##,
        r##"<svg><use xlink:href="#b"/></svg>"##,
    );
    assert_eq!(
        ops[0].to_json(),
        r##"{"op":"attr","path":[0,0],"name":"xlink:href","value":"#b","ns":"http://www.w3.org/1999/xlink"}"##
    );
}

#[test]
fn rows_inserted_into_a_tbody_parse_in_its_context() {
    let ops = ops_between(
        "<table><tbody><tr><td>1</td></tr></tbody></table>",
        "<table><tbody><tr><td>1</td></tr><tr><td>2</td></tr></tbody></table>",
    );
    assert_eq!(
        ops,
        [Op::Insert {
            path: vec![0, 0],
            index: 1,
            html: "<tr><td>2</td></tr>".into(),
            ctx: None
        }]
    );
}

#[test]
fn client_tree_counter_edit_is_one_text_op() {
    let render = |n: i64| {
        format!(
            r#"<div class="counter"><h1>Count: {n}</h1><button live-click="Inc">+</button><button live-click="Dec">-</button></div>"#
        )
    };
    let mut client = ClientTree::new(&render(6));
    let ops = client.update(&render(7)).expect("update");
    assert_eq!(ops.len(), 1);
    assert_eq!(
        ops[0].to_json(),
        r#"{"op":"text","path":[0,0,0],"text":"Count: 7"}"#
    );
    assert!(client.update(&render(7)).expect("update").is_empty());
}

/// With source annotations (`data-hr-src`, a dev server's click-to-source), an element added
/// above others shifts every later element's line: still one insert and attribute updates,
/// never a morph of each element into the one before it (which would replace the input).
#[test]
fn an_element_added_above_annotated_siblings_is_inserted_and_the_rest_only_updated() {
    let before = "<div data-hr-src=\"a.rs:1:1\"><p data-hr-src=\"a.rs:2:5\">intro</p>\
                  <p data-hr-src=\"a.rs:3:5\"><input data-hr-src=\"a.rs:3:8\" name=\"q\"></p></div>";
    let after = "<div data-hr-src=\"a.rs:1:1\"><p data-hr-src=\"a.rs:2:5\">intro</p>\
                 <p data-hr-src=\"a.rs:3:5\" class=\"added\">new</p>\
                 <p data-hr-src=\"a.rs:4:5\"><input data-hr-src=\"a.rs:4:8\" name=\"q\"></p></div>";
    let ops = ops_between(before, after);
    assert_eq!(
        count(&ops, |o| matches!(o, Op::Insert { .. })),
        1,
        "{ops:?}"
    );
    assert_eq!(
        count(&ops, |o| matches!(
            o,
            Op::Remove { .. } | Op::Replace { .. }
        )),
        0,
        "the paragraph with the input is kept: {ops:?}"
    );
    assert_eq!(count(&ops, |o| matches!(o, Op::Attr { .. })), 2, "{ops:?}");
}
