//! The key the macro stamps (`file!()`, `line!()`, `column!()`, index) must equal the key the
//! runtime re-parser computes from the source file, or hot swaps would never find their
//! template. This file renders every template in it, then re-parses itself and compares.

use crate::prelude::*;
use crate::template::{TemplateId, registry};

fn plain() -> Html {
    hot_reload_liveview! { <p>"plain"</p> }
}

fn full_path() -> Html {
    ::hotreload::hot_reload_liveview!(<p>"full path"</p>)
}

fn two_on_one_line() -> (Html, Html) {
    (
        hot_reload_liveview! { <i>"a"</i> },
        hotreload::hot_reload_liveview! { <b>"b"</b> },
    )
}

fn after_unicode() -> Html {
    let _label = "ünïcödé → 🌍";
    let html = hot_reload_liveview! { <p>"after unicode"</p> };
    html
}

fn after_tab() -> Html {
    hot_reload_liveview! { <p>"after a tab"</p> }
}

fn inside_another_macro() -> Vec<Html> {
    vec![
        hot_reload_liveview! { <p>"in vec!"</p> },
        hot_reload_liveview! { <p>"second"</p> },
    ]
}

fn nested_blocks(items: &[u32], flag: bool) -> Html {
    hot_reload_liveview! {
        <ul>
            {for item in items {
                <li>
                    {if *item % 2 == 0 { "even" } else { "odd" }}
                    {match item { 1 => { <b>"one"</b> } _ => { {item} } }}
                </li>
            }}
            {if flag { "flag" }}
        </ul>
    }
}

fn nested_macro_in_hole(items: &[u32]) -> Html {
    hot_reload_liveview! {
        <ol>{items.iter().map(|i| hot_reload_liveview! { <li>{i}</li> }).collect::<Vec<Html>>()}</ol>
    }
}

#[test]
fn macro_keys_equal_reparser_keys() {
    plain();
    full_path();
    two_on_one_line();
    after_unicode();
    after_tab();
    inside_another_macro();
    nested_blocks(&[1, 2, 3], true);
    nested_macro_in_hole(&[1]);

    let source = std::fs::read_to_string(
        crate::template::resolve_source_path(file!(), env!("CARGO_MANIFEST_DIR"))
            .expect("this test file resolves from file!()"),
    )
    .expect("source readable");
    let reparsed = crate::dev::reparse::reparse_source(&source, &[]).expect("file parses");

    let mut from_source: Vec<TemplateId> = Vec::new();
    for invocation in &reparsed.invocations {
        let templates = invocation.templates.as_ref().expect("templates compile");
        for template in templates {
            from_source.push(TemplateId::new(
                file!(),
                invocation.position.line,
                invocation.position.column,
                template.index,
            ));
        }
    }
    from_source.sort();

    let from_macro: Vec<TemplateId> = registry()
        .templates_in_file(file!())
        .into_iter()
        .map(|info| info.id)
        .collect();

    assert_eq!(
        from_source.len(),
        17,
        "every template in this file: {from_source:#?}"
    );
    assert_eq!(from_macro, from_source);
}

#[test]
fn reparsed_statics_and_holes_match_the_compiled_ones() {
    nested_blocks(&[1, 2], true);
    let source = std::fs::read_to_string(
        crate::template::resolve_source_path(file!(), env!("CARGO_MANIFEST_DIR")).unwrap(),
    )
    .unwrap();
    let reparsed = crate::dev::reparse::reparse_source(&source, &[]).unwrap();
    for info in registry().templates_in_file(file!()) {
        let invocation = reparsed
            .invocations
            .iter()
            .find(|i| i.position.line == info.id.line() && i.position.column == info.id.column())
            .expect("invocation found");
        let template = &invocation.templates.as_ref().unwrap()[info.id.index() as usize];
        let layout = registry().layout(&info.id).unwrap();
        assert_eq!(layout.statics(), template.statics.as_slice(), "{}", info.id);
        let compiled_holes = info.holes.unwrap();
        let texts: Vec<&str> = compiled_holes.iter().map(|h| h.text).collect();
        let reparsed_texts: Vec<&str> = template.holes.iter().map(|h| h.text.as_str()).collect();
        assert_eq!(texts, reparsed_texts, "{}", info.id);
    }
}
