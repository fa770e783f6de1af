//! The short, correctness-only version of the load bench (`benches/load.rs`): one hot swap
//! reaches every one of 100 connected pages, each with its own state.

mod support;

#[path = "fixtures/hot_counter.rs"]
mod hot_counter;

use hot_counter::HotCounter;
use hotreload::HotReload;
use hotreload::live_view;
use serde_json::json;
use std::time::Duration;
use support::{Client, engine_on_copy, get, instance_id, serve};

const PAGES: usize = 100;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_swap_patches_every_open_page() {
    let (engine, copy) = engine_on_copy("hot_counter.rs", hot_counter::FILE, "fanout");
    engine.start_watching().unwrap();
    let app = HotReload::new()
        .watch(false)
        .apply(axum::Router::new().route("/", live_view::<HotCounter>()));
    let addr = serve(app).await;

    let mut pages = Vec::with_capacity(PAGES);
    for n in 0..PAGES {
        let id = instance_id(&get(addr, "/", &[]).await.body);
        let mut client = Client::connect(addr, "/").await;
        client.hello(&[(&id, "HotCounter")], false).await;
        // Every page has its own state: page n clicked n % 3 times.
        for _ in 0..n % 3 {
            client.event(&id, "click", json!("Inc")).await;
            client.recv().await;
        }
        pages.push((client, n % 3));
    }
    assert_eq!(hotreload::stats().connections_open, PAGES as u64);

    let text = std::fs::read_to_string(&copy).unwrap();
    std::fs::write(&copy, text.replacen("\"Count: \"", "\"Fanned out: \"", 1)).unwrap();
    for (client, count) in &mut pages {
        let patch = loop {
            let frame = client
                .try_recv(Duration::from_secs(20))
                .await
                .expect("every page gets the swap");
            if frame["type"] == "patch" || frame["type"] == "html" {
                break frame;
            }
        };
        assert!(
            patch.to_string().contains(&format!("Fanned out: {count}")),
            "{patch}"
        );
    }
    assert_eq!(engine.stats.snapshot().swaps, 1);
    let _ = std::fs::remove_dir_all(copy.parent().unwrap());
}
