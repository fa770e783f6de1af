//! Diff cost relative to html5ever parse cost, and patch size.
//!
//! `cargo bench -p hotreload-diff` runs criterion on a ~10k-node page for three updates (one
//! changed text, 1% of the rows changed, all keyed rows reversed), measuring
//!
//! - `parse`: html5ever parsing the new HTML (the yardstick),
//! - `diff`: indexing the already parsed new tree + diffing against the cached old tree,
//! - `update`: what one `ClientTree::update` costs on a fresh tree: parse + index + diff, or,
//!   when only text changed, mapping the old HTML's text runs + patching in place,
//! - `warm`: a later `ClientTree::update` (the text map already built), which is what a live
//!   page pays per re-render,
//!
//! then prints a table of medians and ratios to parse (measured again with plain `Instant`
//! loops in the same process, so the numbers are comparable), and the patch size of a one-word
//! edit in a 100 KB page. Targets: diff ≤ 1.5× parse; patch ≤ 300 B.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion};
use hotreload_diff::{ClientTree, Op, UpdateKind, parse_fragment};
use markup5ever_rcdom::Handle;

const ROWS: usize = 1_000;

/// A page of ~10k nodes: a header, a keyed table of `ROWS` rows (each with text cells, a
/// link and an input) and a footer. `edit(i)` returns Some(text) to change row i's label;
/// `order` gives the row order.
fn page(order: &[usize], edit: &dyn Fn(usize) -> Option<String>) -> String {
    let mut s = String::with_capacity(ROWS * 200);
    s.push_str(
        r#"<header class="top"><h1>Inventory</h1><nav><a href="/">Home</a> <a href="/items">Items</a></nav></header>
<main><table class="grid"><thead><tr><th>#</th><th>Name</th><th>Qty</th><th>Edit</th></tr></thead><tbody>"#,
    );
    for &i in order {
        let label = edit(i).unwrap_or_else(|| format!("Item number {i}"));
        s.push_str(&format!(
            r#"<tr data-key="{i}" class="row"><td>{i}</td><td><a href="/items/{i}">{label}</a></td><td class="qty">{}</td><td><input name="q{i}" value="{}"></td></tr>"#,
            i * 7 % 100,
            i % 13
        ));
    }
    s.push_str(r#"</tbody></table></main><footer><p>That is all.</p></footer>"#);
    s
}

fn node_count(root: &Handle) -> usize {
    let mut stack = vec![root.clone()];
    let mut n = 0;
    while let Some(node) = stack.pop() {
        n += 1;
        stack.extend(node.children.borrow().iter().cloned());
    }
    n - 1
}

struct Scenario {
    name: &'static str,
    old: String,
    new: String,
}

fn scenarios() -> Vec<Scenario> {
    let order: Vec<usize> = (0..ROWS).collect();
    let reversed: Vec<usize> = (0..ROWS).rev().collect();
    let base = page(&order, &|_| None);
    vec![
        Scenario {
            name: "one_change",
            old: base.clone(),
            new: page(&order, &|i| {
                (i == ROWS / 2).then(|| "Renamed item".to_owned())
            }),
        },
        Scenario {
            name: "one_percent",
            old: base.clone(),
            // 10 nodes per row, so 1% of the nodes = every 10th row's label.
            new: page(&order, &|i| (i % 10 == 3).then(|| format!("Changed {i}"))),
        },
        Scenario {
            name: "keyed_reorder",
            old: base.clone(),
            new: page(&reversed, &|_| None),
        },
    ]
}

fn bench(c: &mut Criterion, scenarios: &[Scenario]) {
    for s in scenarios {
        let mut group = c.benchmark_group(s.name);
        group.bench_function("parse", |b| {
            b.iter(|| parse_fragment(black_box(&s.new)));
        });
        group.bench_function("diff", |b| {
            b.iter_batched(
                || (ClientTree::new(&s.old), parse_fragment(&s.new)),
                // Return the client so dropping it is not timed (the old tree's drop is).
                |(mut client, new)| {
                    let ops = client.update_with(new);
                    (client, ops)
                },
                BatchSize::LargeInput,
            );
        });
        group.bench_function("update", |b| {
            b.iter_batched(
                || ClientTree::new(&s.old),
                |mut client| {
                    let ops = client.update(black_box(&s.new));
                    (client, ops)
                },
                BatchSize::LargeInput,
            );
        });
        group.finish();
    }
}

/// Median of `runs` timings of `f` (setup excluded).
fn median<S, T>(runs: usize, mut setup: impl FnMut() -> S, mut f: impl FnMut(S) -> T) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let input = setup();
            let start = Instant::now();
            let out = f(input);
            let elapsed = start.elapsed();
            drop(black_box(out));
            elapsed
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn json_bytes(ops: &[Op]) -> usize {
    ops.iter().map(|o| o.to_json().len()).sum()
}

fn report(scenarios: &[Scenario]) {
    println!();
    println!(
        "page: {} nodes, {} KB",
        node_count(parse_fragment(&scenarios[0].old).root()),
        scenarios[0].old.len() / 1024
    );
    println!(
        "{:<14} {:>10} {:>10} {:>10} {:>10} {:>11} {:>13} {:>11} {:>10} {:>6} {:>9}",
        "scenario",
        "parse",
        "diff",
        "update",
        "warm",
        "diff/parse",
        "update/parse",
        "warm/parse",
        "path",
        "ops",
        "op bytes"
    );
    for s in scenarios {
        let runs = 31;
        let parse = median(runs, || (), |_| parse_fragment(&s.new));
        let diff = median(
            runs,
            || (ClientTree::new(&s.old), parse_fragment(&s.new)),
            |(mut client, new)| {
                let ops = client.update_with(new);
                (client, ops)
            },
        );
        let update = median(
            runs,
            || ClientTree::new(&s.old),
            |mut client| {
                let ops = client.update(&s.new);
                (client, ops)
            },
        );
        // Warm: the tree has done one update already, the timed one goes back to `old`.
        let warm = median(
            runs,
            || {
                let mut client = ClientTree::new(&s.old);
                let _ = client.update(&s.new);
                client
            },
            |mut client| {
                let ops = client.update(&s.old);
                (client, ops)
            },
        );
        let mut client = ClientTree::new(&s.old);
        let ops = client.update(&s.new).unwrap_or_default();
        let path = match client.last_update() {
            UpdateKind::InPlace => "in place",
            _ => "reparse",
        };
        println!(
            "{:<14} {:>10.2?} {:>10.2?} {:>10.2?} {:>10.2?} {:>10.3}x {:>12.3}x {:>10.3}x {:>10} {:>6} {:>9}",
            s.name,
            parse,
            diff,
            update,
            warm,
            diff.as_secs_f64() / parse.as_secs_f64(),
            update.as_secs_f64() / parse.as_secs_f64(),
            warm.as_secs_f64() / parse.as_secs_f64(),
            path,
            ops.len(),
            json_bytes(&ops),
        );
    }

    // One-word edit in a ~100 KB page of prose.
    let para = |i: usize, word: &str| {
        format!(
            "<p class=\"para\" id=\"p{i}\">Paragraph {i} says {word} about the quick brown fox that jumps over the lazy dog, again and again, until the page is long enough.</p>\n"
        )
    };
    let mut old = String::from("<article>");
    let mut new = String::from("<article>");
    let mut i = 0;
    while old.len() < 100 * 1024 {
        old.push_str(&para(i, "something"));
        new.push_str(&para(i, if i == 300 { "nothing" } else { "something" }));
        i += 1;
    }
    old.push_str("</article>");
    new.push_str("</article>");
    let ops = ClientTree::new(&old).update(&new).unwrap_or_default();
    let bytes = json_bytes(&ops);
    println!(
        "one-word edit in a {} KB page: {} op(s), {} bytes of JSON (target <= 300): {}",
        old.len() / 1024,
        ops.len(),
        bytes,
        ops.iter().map(Op::to_json).collect::<Vec<_>>().join(" ")
    );
}

fn main() {
    let scenarios = scenarios();
    let mut c = Criterion::default()
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1))
        .sample_size(20)
        .configure_from_args();
    bench(&mut c, &scenarios);
    c.final_summary();
    report(&scenarios);
}
