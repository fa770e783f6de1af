//! Snapshot codec throughput on a ~1 MB state, against plain `serde_json` as a baseline.
//!
//! `cargo bench -p hotreload-state --bench snapshot` runs criterion (short settings: 1 s warm-up,
//! 3 s measurement, 20 samples), then an interleaved `Instant` loop that prints MB/s for encode,
//! decode and the round trip, and the ratio to JSON. MB/s are of the MessagePack state size
//! (the same bytes for every codec, so the numbers compare directly).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use hotreload_state::{Limits, decode, encode};
use serde::{Deserialize, Serialize};

const TYPE: &str = "bench::Table";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Table {
    name: String,
    version: u32,
    rows: Vec<Row>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Row {
    id: u64,
    name: String,
    email: String,
    score: f64,
    active: bool,
    tags: Vec<String>,
}

fn table() -> Table {
    const WORDS: [&str; 8] = [
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel",
    ];
    // A small LCG: varied, reproducible data (compresses like real state, not like zeros).
    let mut seed = 0x2545_f491_u64;
    let mut next = move || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        seed >> 33
    };
    let rows = (0..10_000)
        .map(|id| {
            let w = |n: u64| WORDS[(n % 8) as usize];
            Row {
                id,
                name: format!("{} {} {}", w(next()), w(next()), next() % 1000),
                email: format!("{}.{}@example.com", w(next()), next() % 100_000),
                score: next() as f64 / 1024.0,
                active: next() % 2 == 0,
                tags: (0..next() % 3).map(|_| w(next()).to_owned()).collect(),
            }
        })
        .collect();
    Table {
        name: "customers".into(),
        version: 3,
        rows,
    }
}

fn main() {
    let state = table();
    let snapshot = encode(TYPE, &state).expect("encode");
    let header = hotreload_state::peek_header(&snapshot).expect("header");
    let json = serde_json::to_vec(&state).expect("json");
    let size = header.uncompressed_len;
    let limits = Limits::default();
    println!(
        "state: {} rows, MessagePack {:.2} MB, snapshot {:.2} MB (zstd {:.1}x), JSON {:.2} MB",
        state.rows.len(),
        size as f64 / 1e6,
        snapshot.len() as f64 / 1e6,
        size as f64 / header.compressed_len as f64,
        json.len() as f64 / 1e6
    );
    assert_eq!(
        decode::<Table>(TYPE, &snapshot, &limits).expect("decode"),
        state
    );

    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20)
        .configure_from_args();
    {
        let mut g = c.benchmark_group("snapshot_1mb");
        g.throughput(Throughput::Bytes(size));
        g.bench_function("encode", |b| b.iter(|| encode(TYPE, black_box(&state))));
        g.bench_function("decode", |b| {
            b.iter(|| decode::<Table>(TYPE, black_box(&snapshot), &limits));
        });
        g.bench_function("round_trip", |b| {
            b.iter(|| {
                decode::<Table>(
                    TYPE,
                    &encode(TYPE, black_box(&state)).expect("encode"),
                    &limits,
                )
            });
        });
        g.bench_function("json_to_vec", |b| {
            b.iter(|| serde_json::to_vec(black_box(&state)));
        });
        g.bench_function("json_from_slice", |b| {
            b.iter(|| serde_json::from_slice::<Table>(black_box(&json)));
        });
        g.bench_function("json_round_trip", |b| {
            b.iter(|| {
                serde_json::from_slice::<Table>(
                    &serde_json::to_vec(black_box(&state)).expect("json"),
                )
            });
        });
        g.finish();
    }
    c.final_summary();

    // Under `cargo test` (no `--bench`), criterion runs each bench once; skip the timing loop.
    if std::env::args().any(|a| a == "--bench") {
        interleaved(&state, &snapshot, &json, size);
    }
}

/// Times every operation in turn, round after round, so that machine noise (another build on
/// the same cores) hits them all alike; prints MB/s and ratios to JSON.
fn interleaved(state: &Table, snapshot: &[u8], json: &[u8], size: u64) {
    let limits = Limits::default();
    let mut t = [Duration::ZERO; 6];
    let mut rounds = 0_u32;
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(6) || rounds < 5 {
        let mut time = |i: usize, f: &mut dyn FnMut()| {
            let s = Instant::now();
            f();
            t[i] += s.elapsed();
        };
        time(0, &mut || drop(black_box(encode(TYPE, black_box(state)))));
        time(1, &mut || {
            drop(black_box(decode::<Table>(
                TYPE,
                black_box(snapshot),
                &limits,
            )));
        });
        time(2, &mut || {
            let bytes = encode(TYPE, black_box(state)).expect("encode");
            drop(black_box(decode::<Table>(TYPE, &bytes, &limits)));
        });
        time(3, &mut || {
            drop(black_box(serde_json::to_vec(black_box(state))));
        });
        time(4, &mut || {
            drop(black_box(serde_json::from_slice::<Table>(black_box(json))));
        });
        time(5, &mut || {
            let bytes = serde_json::to_vec(black_box(state)).expect("json");
            drop(black_box(serde_json::from_slice::<Table>(&bytes)));
        });
        rounds += 1;
    }
    let mbps = |d: Duration| size as f64 * f64::from(rounds) / d.as_secs_f64() / 1e6;
    println!(
        "\ninterleaved, {rounds} rounds, MB/s of the {:.2} MB state:",
        size as f64 / 1e6
    );
    for (name, snap, json) in [("encode", 0, 3), ("decode", 1, 4), ("round trip", 2, 5)] {
        println!(
            "  {name:<10} snapshot {:>7.1} MB/s   json {:>7.1} MB/s   snapshot/json {:.2}x",
            mbps(t[snap]),
            mbps(t[json]),
            t[json].as_secs_f64() / t[snap].as_secs_f64()
        );
    }
}
