//! State across restarts, in process: a snapshot written behind updates restores the instance
//! when a page reconnects with an id this process does not know (what a restarted server
//! sees); a snapshot whose type changed, or a corrupt one, mounts fresh with a toast saying why.
//! (The SIGKILL-and-restart version with a real browser is in client-js/test/e2e.test.mjs.)

mod support;

use hotreload::HotReload;
use hotreload::prelude::*;
use hotreload_state::{SnapshotStore, encode};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::sync::OnceLock;
use support::{Client, get, instance_id, serve};

#[derive(Default, Serialize, Deserialize)]
struct Counter {
    count: i64,
}

#[derive(Serialize, Deserialize)]
enum Msg {
    Inc,
}

impl LiveView for Counter {
    type Message = Msg;
    fn update(&mut self, Msg::Inc: Msg, _cx: &mut Context<'_, Self>) {
        self.count += 1;
    }
    fn render(&self) -> Html<Msg> {
        hot_reload_liveview! { <h1>"Count: " {self.count}</h1> }
    }
}

/// Saves in the background: `update` starts the work, its result comes back to `handle_info`.
/// `Save` uses the context; `SaveKept` the handle kept in the state since `mount` (the
/// pattern that used to hang after a restart).
#[derive(Default, Serialize, Deserialize)]
struct Saver {
    saved: u32,
    saving: bool,
    handle: Option<LiveHandle<Saver>>,
}

#[derive(Serialize, Deserialize)]
enum SaverMsg {
    Save,
    SaveKept,
}

struct Done;

async fn save() -> Done {
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    Done
}

impl LiveView for Saver {
    type Message = SaverMsg;
    fn mount(&mut self, cx: &mut Mount<'_, Self>) {
        self.handle = Some(cx.handle());
    }
    fn update(&mut self, msg: SaverMsg, cx: &mut Context<'_, Self>) {
        self.saving = true;
        match msg {
            SaverMsg::Save => cx.start(save()),
            SaverMsg::SaveKept => {
                if let Some(handle) = &self.handle {
                    handle.start(save());
                }
            }
        }
    }
    fn render(&self) -> Html<SaverMsg> {
        hot_reload_liveview! { <p>"saved " {self.saved} {if self.saving { " (saving…)" }}</p> }
    }
}

impl HandleInfo<Done> for Saver {
    fn handle_info(&mut self, Done: Done, _cx: &mut Context<'_, Self>) {
        self.saving = false;
        self.saved += 1;
    }
}

/// The app, with hot reload (and so state keeping) enabled for a temporary "crate".
fn setup() -> (axum::Router, PathBuf) {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    let dir = DIR
        .get_or_init(|| {
            let dir = std::env::temp_dir().join(format!("hotreload-state-{}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            dir
        })
        .clone();
    let app = HotReload::new().manifest_dir(&dir).watch(false).apply(
        axum::Router::new()
            .route("/", live_view::<Counter>())
            .route("/saver", live_view::<Saver>()),
    );
    (app, hotreload_state::default_dir(&dir))
}

/// Frames until one of `kind` for `id`; returns all of them.
async fn until(client: &mut Client, kind: &str, id: &str) -> Vec<Value> {
    let mut seen = Vec::new();
    loop {
        let frame = client.recv().await;
        // A tiny boundary often travels whole: `html` stands in for `patch`.
        let kind_matches = frame["type"] == kind || (kind == "patch" && frame["type"] == "html");
        let done = kind_matches && (frame["id"] == id || kind == "toast");
        seen.push(frame);
        if done {
            return seen;
        }
    }
}

#[tokio::test]
async fn a_reconnecting_page_gets_its_state_back_from_the_snapshot() {
    let (app, store_dir) = setup();
    let addr = serve(app).await;
    let id = instance_id(&get(addr, "/", &[]).await.body);
    let mut client = Client::connect(addr, "/").await;
    client.hello(&[(&id, "Counter")], false).await;
    for _ in 0..7 {
        client.event(&id, "click", json!("Inc")).await;
        until(&mut client, "patch", &id).await;
    }
    hotreload::state::flush();
    let stats = hotreload::__testing::state_stats().expect("state keeping is on");
    assert!(
        // Seven quick updates are serialized far fewer times (coalesced), but at least once.
        stats["snapshots"].as_u64() >= Some(1)
            && stats["snapshots"].as_u64() < Some(7)
            && stats["snapshot_bytes"].as_u64() > Some(0),
        "{stats:?}"
    );

    // A restarted server has no instance with this id, only its snapshot: here, the same
    // snapshot under an id this process never issued.
    let store = SnapshotStore::open(&store_dir).unwrap();
    let snapshot = store.load(&id).unwrap().expect("the snapshot was written");
    let reborn = "00000000c0ffee07";
    store.save(reborn, &snapshot).unwrap();
    support::restarted_page_token(addr, reborn, "Counter");
    let mut page = Client::connect(addr, "/").await;
    page.hello(&[(reborn, "Counter")], true).await;
    let frames = until(&mut page, "html", reborn).await;
    assert!(
        frames.last().unwrap()["html"]
            .as_str()
            .unwrap()
            .contains("Count: 7"),
        "{frames:#?}"
    );
    assert!(hotreload::__testing::state_stats().unwrap()["restores"].as_u64() >= Some(1));
    // It is live: the next click counts from 7.
    page.event(reborn, "click", json!("Inc")).await;
    let patch = until(&mut page, "patch", reborn).await;
    assert!(patch.last().unwrap().to_string().contains("Count: 8"));
}

#[derive(Serialize)]
struct OldCounter {
    count: String,
}

#[tokio::test]
async fn a_changed_type_or_a_corrupt_snapshot_mounts_fresh_with_a_toast() {
    let (app, store_dir) = setup();
    let addr = serve(app).await;
    let store = SnapshotStore::open(&store_dir).unwrap();
    let changed = "00000000000abc01";
    store
        .save(
            changed,
            &encode(
                std::any::type_name::<Counter>(),
                &OldCounter {
                    count: "seven".into(),
                },
            )
            .unwrap(),
        )
        .unwrap();
    let corrupt = "00000000000abc02";
    store.save(corrupt, b"HRSN\x01\x00garbage").unwrap();

    for (id, expected) in [(changed, "changed"), (corrupt, "")] {
        support::restarted_page_token(addr, id, "Counter");
        let mut page = Client::connect(addr, "/").await;
        page.hello(&[(id, "Counter")], true).await;
        let frames = until(&mut page, "html", id).await;
        let toast = frames
            .iter()
            .find(|f| f["type"] == "toast")
            .unwrap_or_else(|| panic!("a toast for {id}: {frames:#?}"));
        let message = toast["message"].as_str().unwrap();
        assert_eq!(toast["level"], "warn");
        assert!(
            message.contains("Counter") && message.contains("started fresh"),
            "{message}"
        );
        assert!(message.contains(expected), "{message}");
        assert!(
            frames.last().unwrap()["html"]
                .as_str()
                .unwrap()
                .contains("Count: 0")
        );
    }
    assert!(hotreload::__testing::state_stats().unwrap()["restore_failures"].as_u64() >= Some(2));
}

#[tokio::test]
async fn apps_can_preserve_their_own_data_by_key() {
    let _ = setup();
    hotreload::state::preserve("todos", &vec!["milk".to_owned(), "eggs".to_owned()]).unwrap();
    hotreload::state::flush();
    let back: Option<Vec<String>> = hotreload::state::restore("todos").unwrap();
    assert_eq!(back, Some(vec!["milk".to_owned(), "eggs".to_owned()]));
    assert_eq!(
        hotreload::state::restore::<Vec<String>>("nothing-here").unwrap(),
        None
    );
    assert!(hotreload::state::preserve("../escape", &1).is_err());
}

/// Background work started from `update` works the same after a restart: the restored
/// instance has a live handle (the context's), so nothing waits forever on a handle that a
/// `#[serde(skip)]` field lost.
#[tokio::test]
async fn async_work_from_update_works_after_a_restart() {
    let (app, store_dir) = setup();
    let addr = serve(app).await;
    let id = instance_id(&get(addr, "/saver", &[]).await.body);
    let mut client = Client::connect(addr, "/saver").await;
    client.hello(&[(&id, "Saver")], false).await;
    client.event(&id, "click", json!("Save")).await;
    let mut text = String::new();
    while !text.contains("saved 1") || text.contains("saving") {
        text = until(&mut client, "patch", &id)
            .await
            .last()
            .unwrap()
            .to_string();
    }
    hotreload::state::flush();

    // The restarted server knows the page only from its snapshot.
    let store = SnapshotStore::open(&store_dir).unwrap();
    let snapshot = store.load(&id).unwrap().expect("the snapshot was written");
    let reborn = "00000000c0ffee09";
    store.save(reborn, &snapshot).unwrap();
    support::restarted_page_token(addr, reborn, "Saver");
    let mut page = Client::connect(addr, "/saver").await;
    page.hello(&[(reborn, "Saver")], true).await;
    let frames = until(&mut page, "html", reborn).await;
    assert!(
        frames.last().unwrap().to_string().contains("saved 1"),
        "{frames:#?}"
    );

    for (msg, expected) in [("Save", "saved 2"), ("SaveKept", "saved 3")] {
        page.event(reborn, "click", json!(msg)).await;
        let mut text = String::new();
        while !text.contains(expected) {
            let frames = tokio::time::timeout(
                std::time::Duration::from_secs(10),
                until(&mut page, "patch", reborn),
            )
            .await
            .unwrap_or_else(|_| panic!("{msg} finishes after the restart, too"));
            text = frames.last().unwrap().to_string();
        }
        assert!(!text.contains("saving"), "{text}");
    }
}
