//! Save → patch latency of a template hot swap, measured end to end on 127.0.0.1.
//!
//! `cargo bench -p hotreload-benches --bench hot_swap --features registry-in-release` (an
//! optimized build that still consults the template registry, as debug builds do). A copy of the hot-swap test fixture is
//! edited 150 times (each a static-text change); for each save we time the write until the
//! connected WebSocket client has the patch, and read the engine's own figure (first watcher
//! event → patches handed to the sockets). The baseline, measured in the same run, is a live
//! event round trip (click → patch) on the same page.

#[path = "../hotreload/tests/fixtures/hot_counter.rs"]
mod hot_counter;

#[path = "support/page.rs"]
mod page;

use futures_util::{SinkExt, StreamExt};
use hot_counter::HotCounter;
use hotreload::__testing::{EngineConfig, HotSwapEngine};
use hotreload::HotReload;
use hotreload::live_view;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

use tokio_tungstenite::tungstenite::Message;

const EDITS: usize = 150;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn next_patch(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a frame within 10 s")
            .expect("socket open")
            .expect("frame");
        if let Message::Text(text) = message {
            let frame: Value = serde_json::from_str(&text).expect("JSON frame");
            if frame["type"] == "patch" {
                return frame;
            }
        }
    }
}

fn percentiles(name: &str, mut samples: Vec<Duration>) -> Duration {
    samples.sort_unstable();
    let at = |q: f64| samples[((samples.len() as f64 - 1.0) * q).round() as usize];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "  {name:<44} p50 {:>7.2} ms  p95 {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms",
        ms(at(0.5)),
        ms(at(0.95)),
        ms(at(0.99)),
        ms(at(1.0))
    );
    at(0.5)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let dir = std::env::temp_dir().join(format!("hotreload-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let copy = dir.join("hot_counter.rs");
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../hotreload/tests/fixtures/hot_counter.rs");
    std::fs::copy(&fixture, &copy).expect("fixture copied");
    let engine = HotSwapEngine::new(EngineConfig {
        manifest_dir: dir.clone(),
        file_map: vec![(hot_counter::FILE.to_owned(), copy.clone())],
        ..EngineConfig::default()
    });
    engine.start_watching().expect("watching");
    let app = HotReload::new()
        .watch(false)
        .apply(axum::Router::new().route("/", live_view::<HotCounter>()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let listener = hotreload::Listener::from(listener);
    tokio::spawn(async move { axum::serve(listener, app).await });

    let page = page::fetch(addr).await.expect("page");
    let id = page.id.clone();
    let mut socket = page::connect(addr, &page).await.expect("ws");
    let hello = page::hello(&page, "HotCounter");
    socket
        .send(Message::text(hello.to_string()))
        .await
        .expect("hello");

    // Baseline: event round trips.
    let mut events = Vec::new();
    for _ in 0..EDITS {
        let click = json!({"v": 1, "type": "event", "id": id, "event": "click", "msg": "Inc"});
        let start = Instant::now();
        socket
            .send(Message::text(click.to_string()))
            .await
            .expect("event");
        next_patch(&mut socket).await;
        events.push(start.elapsed());
    }

    // Hot swaps.
    let base = std::fs::read_to_string(&copy).expect("copy readable");
    let mut saves = Vec::new();
    let mut engine_side = Vec::new();
    for i in 0..EDITS {
        let text = base.replacen("\"Count: \"", &format!("\"Edit {i}: \""), 1);
        let start = Instant::now();
        std::fs::write(&copy, text).expect("save");
        let patch = next_patch(&mut socket).await;
        saves.push(start.elapsed());
        assert!(
            patch.to_string().contains(&format!("Edit {i}: ")),
            "patch for edit {i}: {patch}"
        );
        engine_side.push(Duration::from_micros(
            engine.stats.snapshot().last_latency_micros,
        ));
        // Let the watcher's burst window close, so edits are measured one by one.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    println!("\nhot swap latency over {EDITS} template edits (127.0.0.1, 2-core machine):");
    let save_p50 = percentiles("save → patch received by the client", saves);
    percentiles("watcher event → patches sent (engine)", engine_side);
    let event_p50 = percentiles("baseline: click → patch received", events);
    println!(
        "  ratio, p50 save→patch / p50 click→patch: {:.2}x",
        save_p50.as_secs_f64() / event_p50.as_secs_f64()
    );
    let _ = std::fs::remove_dir_all(dir);
}
