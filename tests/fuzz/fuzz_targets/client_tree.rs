#![no_main]
//! `ClientTree::update` must end with exactly the parse of the new HTML, on the server and on a
//! client applying the ops, whichever path ran (in place or parse + diff).
//!
//! The input is two fragments separated by U+0001 (or cut in half). Besides that pair, the
//! first fragment is also updated to a copy of itself whose text (between `>` and `<`) and
//! quoted attribute values have their letters shifted, so the in-place path runs on most
//! inputs.

use hotreload_diff::{ClientTree, apply, canonical, parse_fragment};
use libfuzzer_sys::fuzz_target;

fn check(a: &str, b: &str) {
    let mut server = ClientTree::new(a);
    let mut client = parse_fragment(a);
    let Ok(ops) = server.update(b) else { return };
    apply(&mut client, &ops).expect("ops apply");
    let want = canonical(&parse_fragment(b));
    assert_eq!(
        canonical(server.tree()),
        want,
        "server tree ({:?})",
        server.last_update()
    );
    // Nested boundaries keep the client's old content by design; compare only without them.
    if !a.contains("data-live-view-id") && !b.contains("data-live-view-id") {
        assert_eq!(
            canonical(&client),
            want,
            "client ({:?})",
            server.last_update()
        );
    }
}

/// `html` with the ASCII letters of its text runs and double-quoted attribute values shifted
/// by one (`a` → `b`, `z` → `a`).
fn shift_text(html: &str) -> String {
    let (mut in_tag, mut in_quote) = (false, false);
    html.chars()
        .map(|c| {
            match c {
                '<' if !in_quote => in_tag = true,
                '>' if !in_quote => in_tag = false,
                '"' if in_tag => in_quote = !in_quote,
                _ => {}
            }
            match c {
                'a'..='y' | 'A'..='Y' if !in_tag || in_quote => (c as u8 + 1) as char,
                'z' if !in_tag || in_quote => 'a',
                _ => c,
            }
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (a, b) = match text.split_once('\u{1}') {
        Some(pair) => pair,
        None => text.split_at(text.floor_char_boundary(text.len() / 2)),
    };
    check(a, b);
    check(a, &shift_text(a));
});
