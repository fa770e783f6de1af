//! Render speed: the same 100-row table rendered by `hot_reload_liveview!`, by maud (baseline)
//! and by hand-written `push_str`/`write!` code, in one run.
//!
//! `cargo bench -p hotreload-benches --bench render` measures the release render path.
//! With `--features registry-in-release` it also measures the dev path (registry lookups, as in
//! debug builds) against the release path in the same optimized binary.
//!
//! After criterion's report, an interleaved timing pass prints each variant as a ratio to maud,
//! the figure the project tracks (target: hotreload within 1.2x of maud; registry path +10% at
//! most over the release path).

use criterion::Criterion;
use hotreload::prelude::*;
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::{Duration, Instant};

struct Row {
    id: u32,
    name: String,
    email: String,
    url: String,
    score: f64,
    active: bool,
}

fn rows() -> Vec<Row> {
    (0..100)
        .map(|i| Row {
            id: i,
            name: format!("User <{i}> & co"),
            email: format!("user{i}@example.com"),
            url: format!("/users/{i}?tab=profile&view=full"),
            score: f64::from(i) * 1.5,
            active: i % 3 != 0,
        })
        .collect()
}

fn with_hotreload(rows: &[Row]) -> Html {
    hot_reload_liveview! {
        <table class="users">
            <thead><tr><th>"ID"</th><th>"Name"</th><th>"Email"</th><th>"Score"</th></tr></thead>
            <tbody>
                {for row in rows {
                    <tr data-key={row.id} class={if row.active { "active" } else { "inactive" }}>
                        <td>{row.id}</td>
                        <td><a href={&row.url}>{&row.name}</a></td>
                        <td>{&row.email}</td>
                        <td>{row.score}</td>
                    </tr>
                }}
            </tbody>
        </table>
    }
}

fn with_maud(rows: &[Row]) -> maud::Markup {
    maud::html! {
        table class="users" {
            thead { tr { th { "ID" } th { "Name" } th { "Email" } th { "Score" } } }
            tbody {
                @for row in rows {
                    tr data-key=(row.id) class=(if row.active { "active" } else { "inactive" }) {
                        td { (row.id) }
                        td { a href=(row.url) { (row.name) } }
                        td { (row.email) }
                        td { (row.score) }
                    }
                }
            }
        }
    }
}

fn with_write(rows: &[Row]) -> String {
    let escape = hotreload::__testing::escape_into;
    let mut out = String::with_capacity(16 * 1024);
    out.push_str("<table class=\"users\"><thead><tr><th>ID</th><th>Name</th><th>Email</th><th>Score</th></tr></thead><tbody>");
    for row in rows {
        let class = if row.active { "active" } else { "inactive" };
        let _ = write!(
            out,
            "<tr data-key=\"{}\" class=\"{class}\"><td>{}</td><td><a href=\"",
            row.id, row.id
        );
        escape(&row.url, &mut out);
        out.push_str("\">");
        escape(&row.name, &mut out);
        out.push_str("</a></td><td>");
        escape(&row.email, &mut out);
        let _ = write!(out, "</td><td>{}</td></tr>", row.score);
    }
    out.push_str("</tbody></table>");
    out
}

fn set_registry(on: bool) {
    #[cfg(feature = "registry-in-release")]
    hotreload::__testing::set_bypass_registry(!on);
    #[cfg(not(feature = "registry-in-release"))]
    let _ = on;
}

type Variant<'a> = (&'static str, Box<dyn Fn() -> usize + 'a>);

fn variants(rows: &[Row]) -> Vec<Variant<'_>> {
    let mut variants: Vec<Variant<'_>> = vec![
        (
            "maud",
            Box::new(|| black_box(with_maud(black_box(rows))).0.len()),
        ),
        (
            "hotreload (release path)",
            Box::new(|| {
                set_registry(false);
                black_box(with_hotreload(black_box(rows))).len()
            }),
        ),
        (
            "hand-written write!",
            Box::new(|| black_box(with_write(black_box(rows))).len()),
        ),
    ];
    if cfg!(feature = "registry-in-release") {
        variants.push((
            "hotreload (registry path)",
            Box::new(|| {
                set_registry(true);
                let len = black_box(with_hotreload(black_box(rows))).len();
                set_registry(false);
                len
            }),
        ));
    }
    variants
}

/// Times every variant in interleaved rounds and prints medians as ratios to the first (maud).
fn print_ratios(rows: &[Row]) {
    let variants = variants(rows);
    let rounds = 41;
    let iterations = 300;
    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); variants.len()];
    for _ in 0..rounds {
        for (i, (_, run)) in variants.iter().enumerate() {
            let start = Instant::now();
            for _ in 0..iterations {
                black_box(run());
            }
            samples[i].push(start.elapsed() / iterations);
        }
    }
    let medians: Vec<Duration> = samples
        .iter_mut()
        .map(|s| {
            s.sort_unstable();
            s[s.len() / 2]
        })
        .collect();
    println!("\nrender of a 100-row table, median of {rounds} interleaved rounds:");
    for ((name, _), median) in variants.iter().zip(&medians) {
        let ratio = median.as_secs_f64() / medians[0].as_secs_f64();
        println!(
            "  {name:<28} {:>9.2} µs   {ratio:.3}x maud",
            median.as_secs_f64() * 1e6
        );
    }
    if variants.len() > 3 {
        let overhead = medians[3].as_secs_f64() / medians[1].as_secs_f64();
        println!("  registry path / release path: {overhead:.3}x");
    }
}

fn main() {
    let rows = rows();
    let ours = with_hotreload(&rows).into_string();
    assert_eq!(ours, with_maud(&rows).into_string(), "same markup as maud");
    assert_eq!(
        ours,
        with_write(&rows),
        "same markup as the hand-written baseline"
    );

    let mut criterion = Criterion::default()
        .configure_from_args()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    {
        let mut group = criterion.benchmark_group("render_100_row_table");
        for (name, run) in variants(&rows) {
            group.bench_function(name, |b| b.iter(&run));
        }
        group.finish();
    }
    criterion.final_summary();
    print_ratios(&rows);
}
