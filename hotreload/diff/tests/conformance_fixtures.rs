//! Generates the fixtures of the browser client's conformance test
//! (`client-js/test/conformance.test.mjs`): for each `(a, b)` pair, the ops this crate's
//! differ produces and the canonical tree its reference applier gives. The JS client applies
//! the same ops in Chromium and must produce the same canonical tree.
//!
//! Pairs come from `client-js/test/fixtures/conformance-cases.json` (hand-written edge cases)
//! plus seeded random pairs generated here. The test fails if the committed
//! `conformance.json` is stale; `UPDATE_FIXTURES=1 cargo test -p hotreload-diff --test
//! conformance_fixtures` rewrites it.

use hotreload_diff::{apply, canonical, diff, parse_fragment};
use serde_json::{Value, json};
use std::path::PathBuf;

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../client-js/test/fixtures")
}

/// A tiny deterministic generator, so the fixture file is stable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// A random page fragment: keyed and unkeyed lists, tables, forms, SVG, text and comments.
fn page(rng: &mut Rng, depth: u32) -> String {
    let words = ["alpha", "beta", "γάμμα", "delta & co", "<eps>", "zeta", ""];
    let mut out = String::new();
    for _ in 0..rng.below(4) + 1 {
        match rng.below(if depth > 2 { 3 } else { 9 }) {
            0 => out.push_str(rng.pick(&words)),
            1 => out.push_str(&format!("<!--{}-->", rng.pick(&words))),
            2 => out.push_str(&format!("<b class=\"{}\">{}</b>", rng.pick(&["a", "b", "a b"]), rng.pick(&words))),
            3 => {
                let mut keys: Vec<u64> = (0..rng.below(6)).collect();
                for i in (1..keys.len()).rev() {
                    keys.swap(i, rng.below(i as u64 + 1) as usize);
                }
                out.push_str("<ul>");
                for key in keys {
                    out.push_str(&format!("<li data-key=\"k{key}\">{}</li>", rng.pick(&words)));
                }
                out.push_str("</ul>");
            }
            4 => {
                out.push_str("<table>");
                for r in 0..rng.below(4) {
                    out.push_str(&format!("<tr id=\"r{r}\"><td>{}</td><td>{}</td></tr>", rng.pick(&words), r));
                }
                out.push_str("</table>");
            }
            5 => out.push_str(&format!(
                "<form><input name=\"q\" value=\"{}\"{}><select><option{}>x</option><option>y</option></select><textarea>{}</textarea></form>",
                rng.pick(&words).replace(['<', '>', '&'], ""),
                if rng.below(2) == 0 { " checked" } else { "" },
                if rng.below(2) == 0 { " selected" } else { "" },
                rng.pick(&words).replace(['<', '>', '&'], ""),
            )),
            6 => out.push_str(&format!(
                "<svg viewBox=\"0 0 10 10\"><g><circle r=\"{}\"/><use xlink:href=\"#{}\"/></g></svg>",
                rng.below(9),
                rng.pick(&["a", "b"])
            )),
            7 => out.push_str(&format!("<p>{}<span>{}</span></p>", rng.pick(&words), page(rng, depth + 1))),
            _ => out.push_str(&format!("<div id=\"d{}\">{}</div>", rng.below(3), page(rng, depth + 1))),
        }
    }
    out
}

fn case(name: &str, a: &str, b: &str) -> Value {
    let old = parse_fragment(a);
    let ops = diff(&old, &parse_fragment(b));
    let mut applied = parse_fragment(a);
    apply(&mut applied, &ops).expect("ops apply");
    json!({"name": name, "a": a, "b": b, "ops": ops, "rust": canonical(&applied)})
}

#[test]
fn conformance_fixtures_are_up_to_date() {
    let dir = fixtures_dir();
    let cases: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(dir.join("conformance-cases.json")).expect("cases file"),
    )
    .expect("cases JSON");
    let mut fixtures: Vec<Value> = cases
        .iter()
        .map(|c| {
            case(
                c["name"].as_str().unwrap(),
                c["a"].as_str().unwrap(),
                c["b"].as_str().unwrap(),
            )
        })
        .collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for i in 0..60 {
        let (a, b) = (page(&mut rng, 0), page(&mut rng, 0));
        fixtures.push(case(&format!("random pair {i}"), &a, &b));
    }
    let generated = serde_json::to_string_pretty(&fixtures).unwrap() + "\n";
    let path = dir.join("conformance.json");
    if std::env::var_os("UPDATE_FIXTURES").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "client-js/test/fixtures/conformance.json is stale: run \
         `UPDATE_FIXTURES=1 cargo test -p hotreload-diff --test conformance_fixtures`"
    );
}
