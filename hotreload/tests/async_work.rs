//! Named async work over a real socket: the loading state is patched at once, the result
//! follows; a newer start of the same name cancels the older one and its result never shows;
//! a panicking future comes back as a failure while the instance keeps working; the work ends
//! with the instance.

mod support;

use hotreload::prelude::*;
use hotreload::{Async, TaskResult};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use support::{Client, get, instance_id, serve};

#[derive(Default, Serialize, Deserialize)]
struct Search {
    hits: Async<Vec<String>>,
}

#[derive(Serialize, Deserialize)]
enum Msg {
    Query,
}

/// Set when the never-ending search's future is dropped (aborted).
static ABORTED: AtomicBool = AtomicBool::new(false);

struct OnDrop;
impl Drop for OnDrop {
    fn drop(&mut self) {
        ABORTED.store(true, Ordering::SeqCst);
    }
}

async fn search(query: String) -> Vec<String> {
    match query.as_str() {
        "slow" => tokio::time::sleep(Duration::from_millis(400)).await,
        "panic" => panic!("the index is gone"),
        "forever" => {
            let _guard = OnDrop;
            std::future::pending::<()>().await;
        }
        _ => tokio::time::sleep(Duration::from_millis(10)).await,
    }
    vec![format!("hit for {query}")]
}

impl LiveView for Search {
    type Message = Msg;
    fn update(&mut self, Msg::Query: Msg, cx: &mut Context<'_, Self>) {
        let query = cx.event().value().to_owned();
        self.hits = Async::Loading;
        cx.start_async("search", search(query));
    }
    fn render(&self) -> Html<Msg> {
        let status = match &self.hits {
            Async::Idle => "idle".to_owned(),
            Async::Loading => "loading".to_owned(),
            Async::Ready(hits) => format!("ready: {}", hits.join(",")),
            Async::Failed(reason) => format!("failed: {reason}"),
        };
        hot_reload_liveview! { <p>{status}</p> }
    }
}

impl HandleInfo<TaskResult<Vec<String>>> for Search {
    fn handle_info(&mut self, done: TaskResult<Vec<String>>, _cx: &mut Context<'_, Self>) {
        assert_eq!(done.name, "search");
        self.hits.finish(done.result);
    }
}

/// Loads in `mount` (Phoenix's `assign_async`) with work that is ready at once: its result can
/// arrive before the instance is installed on its worker, and must not be lost.
#[derive(Default, Serialize, Deserialize)]
struct Preloaded {
    hits: Async<Vec<String>>,
}

impl LiveView for Preloaded {
    type Message = ();
    fn mount(&mut self, cx: &mut Mount<'_, Self>) {
        self.hits = Async::Loading;
        cx.start_async("preload", async { vec!["ready at once".to_owned()] });
    }
    fn update(&mut self, (): (), _cx: &mut Context<'_, Self>) {}
    fn render(&self) -> Html {
        let status = match &self.hits {
            Async::Ready(hits) => hits.join(","),
            _ => "loading".to_owned(),
        };
        hot_reload_liveview! { <p>{status}</p> }
    }
}

impl HandleInfo<TaskResult<Vec<String>>> for Preloaded {
    fn handle_info(&mut self, done: TaskResult<Vec<String>>, _cx: &mut Context<'_, Self>) {
        self.hits.finish(done.result);
    }
}

async fn query(client: &mut Client, id: &str, text: &str) {
    client
        .send(json!({"v": 1, "type": "event", "id": id, "event": "input", "msg": "Query", "value": text}))
        .await;
}

/// The frames until one shows `text`; panics on `never` or after 5 s.
async fn until(client: &mut Client, text: &str, never: Option<&str>) -> Vec<Value> {
    let mut frames = Vec::new();
    loop {
        let frame = client
            .try_recv(Duration::from_secs(5))
            .await
            .unwrap_or_else(|| panic!("never saw {text:?}: {frames:?}"));
        let shown = frame.to_string();
        if let Some(never) = never {
            assert!(!shown.contains(never), "{never:?} showed: {shown}");
        }
        frames.push(frame);
        if shown.contains(text) {
            return frames;
        }
    }
}

#[tokio::test]
// One test: the runtime spawns tasks on the tokio runtime that last served a request, and
// each `#[tokio::test]` has its own, which ends with its test (one app has one runtime).
async fn loading_then_result_a_newer_start_cancels_the_older_and_all_ends_with_the_instance() {
    let app = axum::Router::new()
        .route("/", live_view::<Search>())
        .route("/preloaded", live_view::<Preloaded>());
    let addr = serve(app).await;

    // Work started in `mount` that finishes before the instance is installed still lands.
    for _ in 0..20 {
        let page = get(addr, "/preloaded", &[]).await.body;
        let id = instance_id(&page);
        let mut client = Client::connect(addr, "/preloaded").await;
        client.hello(&[(&id, "Preloaded")], false).await;
        if !page.contains("ready at once") {
            until(&mut client, "ready at once", None).await;
        }
        client.close().await;
    }

    let id = instance_id(&get(addr, "/", &[]).await.body);
    let mut client = Client::connect(addr, "/").await;
    client.hello(&[(&id, "Search")], false).await;

    query(&mut client, &id, "rust").await;
    let frames = until(&mut client, "ready: hit for rust", None).await;
    assert!(
        frames[0].to_string().contains("loading"),
        "the loading state first: {frames:?}"
    );

    // A slow query, then a fast one: only the fast one's hits ever show, also well after the
    // slow one would have finished.
    query(&mut client, &id, "slow").await;
    query(&mut client, &id, "fast").await;
    until(&mut client, "ready: hit for fast", Some("hit for slow")).await;
    assert!(client.try_recv(Duration::from_millis(600)).await.is_none());

    // A panic is a failure the view shows; the instance goes on.
    query(&mut client, &id, "panic").await;
    until(
        &mut client,
        "failed: the task panicked: the index is gone",
        None,
    )
    .await;
    query(&mut client, &id, "again").await;
    until(&mut client, "ready: hit for again", None).await;

    // The work ends with the instance.
    query(&mut client, &id, "forever").await;
    until(&mut client, "loading", None).await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(!ABORTED.load(Ordering::SeqCst));
    client
        .send(json!({"v": 1, "type": "leave", "ids": [id]}))
        .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !ABORTED.load(Ordering::SeqCst) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the task outlived its instance"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
