//! The registry: swapping a template's layout changes what renders, versions count, revert goes
//! back, bad layouts are refused, swaps may precede the first render, and render scopes record
//! which instance used which template.
//!
//! Each test uses its own templates (the registry is global and tests run in parallel).

use crate::prelude::*;
use crate::template::layout::LayoutError;
use crate::template::registry::RegistryError;
use crate::template::{InstanceId, Layout, LayoutHole, RenderScope, TemplateId, registry};

/// The id of the first template (index 0) invoked at or after `line` of this file; the
/// helpers below return `line!()` from just before their macro call.
fn id_on_line(line: u32) -> TemplateId {
    registry()
        .templates_in_file(file!())
        .into_iter()
        .map(|info| info.id)
        .filter(|id| id.line() >= line && id.index() == 0)
        .min_by_key(|id| id.line())
        .expect("template registered")
}

fn hole(compiled: usize) -> LayoutHole {
    LayoutHole {
        compiled,
        attribute: None,
    }
}

fn attribute(compiled: usize, name: &str) -> LayoutHole {
    LayoutHole {
        compiled,
        attribute: Some(name.to_owned()),
    }
}

fn statics(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| (*s).to_owned()).collect()
}

fn counter(count: i64, id: &str) -> (u32, Html) {
    (
        line!(),
        hot_reload_liveview! { <p id={id}>"Count: " {count}</p> },
    )
}

#[test]
fn swap_reorders_duplicates_and_renames_then_reverts() {
    let (line, html) = counter(7, "c");
    assert_eq!(html.as_str(), "<p id=\"c\">Count: 7</p>");
    let id = id_on_line(line);
    assert_eq!(registry().get(&id).unwrap().version, 0);

    // Text changed, holes reordered and duplicated, attribute renamed.
    let layout = Layout::new(
        statics(&["<div", "><b>", "</b> is the count (", ")</div>"]),
        vec![attribute(0, "data-id"), hole(1), hole(1)],
    )
    .unwrap();
    assert_eq!(registry().swap(&id, layout).unwrap(), 1);
    assert_eq!(
        counter(7, "c").1.as_str(),
        "<div data-id=\"c\"><b>7</b> is the count (7)</div>"
    );
    let info = registry().get(&id).unwrap();
    assert!(info.swapped && info.version == 1);

    // A hole removed.
    let layout = Layout::new(statics(&["<h2>Total: ", "</h2>"]), vec![hole(1)]).unwrap();
    assert_eq!(registry().swap(&id, layout).unwrap(), 2);
    assert_eq!(counter(8, "c").1.as_str(), "<h2>Total: 8</h2>");

    // Revert walks back one version at a time, to the compiled template.
    assert_eq!(registry().revert(&id).unwrap(), 3);
    assert_eq!(
        counter(9, "c").1.as_str(),
        "<div data-id=\"c\"><b>9</b> is the count (9)</div>"
    );
    assert_eq!(registry().revert(&id).unwrap(), 4);
    assert_eq!(counter(9, "c").1.as_str(), "<p id=\"c\">Count: 9</p>");
    assert!(!registry().get(&id).unwrap().swapped);
    assert_eq!(
        registry().revert(&id),
        Err(RegistryError::NothingToRevert { id: id.clone() })
    );
}

fn guarded(name: &str) -> (u32, Html) {
    (line!(), hot_reload_liveview! { <a title={name}>{name}</a> })
}

#[test]
fn layouts_that_do_not_fit_are_refused_and_change_nothing() {
    let (line, _) = guarded("x");
    let id = id_on_line(line);
    let unknown = Layout::new(statics(&["", ""]), vec![hole(9)]).unwrap();
    assert!(matches!(
        registry().swap(&id, unknown),
        Err(RegistryError::Layout {
            source: LayoutError::UnknownHole { compiled: 9, .. },
            ..
        })
    ));
    // The attribute hole used in child position (no name) is refused.
    let misuse = Layout::new(statics(&["<p>", "</p>"]), vec![hole(0)]).unwrap();
    assert!(matches!(
        registry().swap(&id, misuse),
        Err(RegistryError::Layout {
            source: LayoutError::KindMismatch { .. },
            ..
        })
    ));
    // An attribute name that would break out of the tag is refused.
    let hostile = Layout::new(statics(&["<p", "></p>"]), vec![attribute(0, "x><script")]).unwrap();
    assert!(registry().swap(&id, hostile).is_err());
    assert_eq!(registry().get(&id).unwrap().version, 0);
    assert_eq!(
        guarded("<y>").1.as_str(),
        "<a title=\"&lt;y&gt;\">&lt;y&gt;</a>"
    );
}

fn late(flag: bool) -> (u32, Html) {
    (
        line!(),
        hot_reload_liveview! { <div>{if flag { <em>"late branch"</em> }}</div> },
    )
}

#[test]
fn a_swap_before_the_first_render_applies_when_it_renders() {
    let (line, html) = late(false);
    assert_eq!(html.as_str(), "<div></div>");
    // The `if` body (index 1) has never rendered, so it is not registered yet.
    let branch = id_on_line(line).with_index(1);
    assert!(registry().get(&branch).is_none());
    let layout = Layout::new(statics(&["<strong>swapped early</strong>"]), vec![]).unwrap();
    registry().swap(&branch, layout).unwrap();
    assert_eq!(
        late(true).1.as_str(),
        "<div><strong>swapped early</strong></div>"
    );
    assert!(registry().get(&branch).unwrap().rendered);
}

fn late_and_wrong(flag: bool) -> (u32, Html) {
    (
        line!(),
        hot_reload_liveview! { <div>{if flag { <em>"compiled"</em> }}</div> },
    )
}

#[test]
fn an_early_swap_that_does_not_fit_is_dropped_at_first_render() {
    let (line, _) = late_and_wrong(false);
    let branch = id_on_line(line).with_index(1);
    // Refers to a hole the branch does not have; cannot be checked until it registers.
    let layout = Layout::new(statics(&["<i>", "</i>"]), vec![hole(0)]).unwrap();
    registry().swap(&branch, layout).unwrap();
    assert_eq!(
        late_and_wrong(true).1.as_str(),
        "<div><em>compiled</em></div>"
    );
    assert!(!registry().get(&branch).unwrap().swapped);
}

fn rows(items: &[&str]) -> (u32, Html) {
    (
        line!(),
        hot_reload_liveview! { <ul>{for item in items { <li>{item}</li> }}</ul> },
    )
}

#[test]
fn nested_bodies_swap_on_their_own() {
    let (line, _) = rows(&["a"]);
    let body = id_on_line(line).with_index(1);
    let layout = Layout::new(statics(&["<li class=\"row\">• ", "</li>"]), vec![hole(0)]).unwrap();
    registry().swap(&body, layout).unwrap();
    assert_eq!(
        rows(&["a", "b"]).1.as_str(),
        "<ul><li class=\"row\">• a</li><li class=\"row\">• b</li></ul>"
    );
}

fn widget(n: u32) -> (u32, Html) {
    (
        line!(),
        hot_reload_liveview! { <section>{for i in 0..n { <span>{i}</span> }}</section> },
    )
}

fn other() -> (u32, Html) {
    (line!(), hot_reload_liveview! { <aside>"other"</aside> })
}

#[test]
fn render_scopes_record_which_instance_used_which_template() {
    let first = InstanceId(9_001);
    let second = InstanceId(9_002);

    let scope = RenderScope::enter(first);
    let (line, _) = widget(2);
    let used = scope.finish();
    let root = id_on_line(line);
    assert_eq!(used, vec![root.clone(), root.with_index(1)]);

    let scope = RenderScope::enter(second);
    let (other_line, _) = other();
    // A nested scope (a child component rendered inline) records separately.
    let inner = RenderScope::enter(InstanceId(9_003));
    widget(1);
    inner.finish();
    scope.finish();
    let other_id = id_on_line(other_line);

    assert_eq!(
        registry().instances_using(&root),
        vec![first, InstanceId(9_003)]
    );
    assert_eq!(registry().instances_using(&other_id), vec![second]);
    assert_eq!(registry().templates_of(second), vec![other_id]);
    assert!(registry().instances_using_file(file!()).contains(&first));

    registry().forget_instance(first);
    assert_eq!(registry().instances_using(&root), vec![InstanceId(9_003)]);
}

fn annotated_counter(count: i64) -> (u32, Html) {
    (
        line!(),
        hot_reload_liveview! { <p class="n">"Count: " {count}</p> },
    )
}

#[test]
fn annotations_render_only_for_the_layout_they_were_made_from_and_come_back_with_a_revert() {
    let (line, html) = annotated_counter(1);
    assert_eq!(html.as_str(), "<p class=\"n\">Count: 1</p>");
    let id = id_on_line(line);
    let compiled = registry().layout(&id).unwrap();
    let mark =
        |layout: &Layout, line: u32| layout.with_source_attributes("a.rs", &[(0, 2, line, 5)]);

    // On the compiled layout: rendered with it.
    assert!(
        registry()
            .annotate(&id, &compiled, mark(&compiled, 10))
            .unwrap()
    );
    assert!(
        !registry()
            .annotate(&id, &compiled, mark(&compiled, 10))
            .unwrap(),
        "unchanged"
    );
    assert_eq!(
        annotated_counter(2).1.as_str(),
        "<p data-hr-src=\"a.rs:10:5\" class=\"n\">Count: 2</p>"
    );
    assert_eq!(registry().info(&id).unwrap().first_element, Some((10, 5)));

    // Positions made from other markup are refused, and the annotation there stays.
    let other = Layout::new(statics(&["<p>Total: ", "</p>"]), vec![hole(0)]).unwrap();
    assert!(matches!(
        registry().annotate(&id, &other, mark(&other, 99)),
        Err(RegistryError::NotLive { .. })
    ));
    assert!(annotated_counter(3).1.as_str().contains("a.rs:10:5"));

    // A swap with its own annotation; a revert brings the earlier one back.
    let swapped = Layout::new(statics(&["<p>Total: ", "</p>"]), vec![hole(0)]).unwrap();
    let swapped_mark = mark(&swapped, 20);
    registry()
        .swap_annotated(&id, swapped, Some(swapped_mark))
        .unwrap();
    assert_eq!(
        annotated_counter(4).1.as_str(),
        "<p data-hr-src=\"a.rs:20:5\">Total: 4</p>"
    );
    registry().revert(&id).unwrap();
    assert_eq!(
        annotated_counter(5).1.as_str(),
        "<p data-hr-src=\"a.rs:10:5\" class=\"n\">Count: 5</p>"
    );
}
