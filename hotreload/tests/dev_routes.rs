//! `enable_hot_reload!` in debug builds adds the dev routes, injects the client into HTML and
//! refuses foreign origins on the dev socket; in release builds
//! (`cargo test --release -p hotreload --test dev_routes`) it is the router unchanged: the dev
//! routes are 404 and nothing is injected. The test suite runs this file in both profiles.
//! The dev tools too: source annotations, the inspector, click-to-source and server logs in
//! the browser console exist in debug builds only.

mod support;

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get as route_get;
use hotreload::prelude::*;
use serde_json::json;
use support::{Client, get, instance_id, serve};

#[derive(Default, Serialize, Deserialize)]
struct Hello;

impl LiveView for Hello {
    type Message = ();
    fn update(&mut self, _: (), _cx: &mut Context<'_, Self>) {}
    fn render(&self) -> Html {
        hot_reload_liveview! { <p>"hello"</p> }
    }
}

/// Publishes a broadcast and sends itself a value (through a handle kept outside its state,
/// as an app keeps handles in a registry) on every post: what a replay must not do again.
#[derive(Default, Serialize, Deserialize)]
struct Poster {
    posts: u32,
    pings: u32,
}

const POSTED: hotreload::pubsub::Topic<u32> = hotreload::pubsub::Topic::new("dev-routes:posted");

struct Ping;

static POSTER: std::sync::OnceLock<LiveHandle<Poster>> = std::sync::OnceLock::new();

#[derive(Serialize, Deserialize)]
enum PosterMsg {
    Post,
}

impl LiveView for Poster {
    type Message = PosterMsg;
    fn mount(&mut self, cx: &mut Mount<'_, Self>) {
        let _ = POSTER.set(cx.handle());
    }
    fn update(&mut self, PosterMsg::Post: PosterMsg, _cx: &mut Context<'_, Self>) {
        self.posts += 1;
        hotreload::pubsub::publish(&POSTED, self.posts);
        if let Some(poster) = POSTER.get() {
            let _ = poster.send(Ping);
        }
    }
    fn render(&self) -> Html<PosterMsg> {
        hot_reload_liveview! { <p>{format!("posts {} pings {}", self.posts, self.pings)}</p> }
    }
}

impl HandleInfo<Ping> for Poster {
    fn handle_info(&mut self, Ping: Ping, _cx: &mut Context<'_, Self>) {
        self.pings += 1;
    }
}

/// A config file in a directory that is not there when the app starts.
#[derive(Debug, Default, Deserialize)]
struct Titles {
    title: String,
}

static LATER: hotreload::ConfigFile<Titles> = hotreload::ConfigFile::new(concat!(
    env!("CARGO_TARGET_TMPDIR"),
    "/dev-routes-config-later/conf/app.toml"
));

#[derive(Default, Serialize, Deserialize)]
struct Configured;

impl LiveView for Configured {
    type Message = ();
    fn update(&mut self, _: (), _cx: &mut Context<'_, Self>) {}
    fn render(&self) -> Html {
        hot_reload_liveview! { <h2>{format!("title: {}", LATER.get().title)}</h2> }
    }
}

fn app() -> axum::Router {
    let router = axum::Router::new()
        .route("/", live_view::<Hello>())
        .route("/configured", live_view::<Configured>())
        .route("/poster", live_view::<Poster>())
        .route(
            "/plain",
            route_get(|| async { axum::response::Html("<html><body><p>plain</p></body></html>") }),
        )
        .route(
            "/json",
            route_get(|| async { axum::Json(json!({"html": "</body>"})) }),
        )
        .route(
            "/gzipped",
            route_get(|| async {
                (
                    [
                        (header::CONTENT_TYPE, "text/html"),
                        (header::CONTENT_ENCODING, "gzip"),
                    ],
                    vec![0x1f_u8, 0x8b, 0x08],
                )
                    .into_response()
            }),
        );
    enable_hot_reload!(router)
}

const DEV_SCRIPT: &str = "<script type=\"module\" src=\"/_hotreload/client.js\"";

#[tokio::test]
async fn dev_routes_exist_only_in_debug_builds() {
    let addr = serve(app()).await;
    let client = get(addr, "/_hotreload/client.js", &[]).await;
    let stats = get(addr, "/_hotreload/stats", &[]).await;
    let socket = get(addr, "/_hotreload/ws", &[]).await;
    let dev_client = get(addr, "/_hotreload/dev.js", &[]).await;
    let page = get(addr, "/", &[]).await;
    let runtime_client = get(addr, "/?_hotreload=client.js", &[]).await;
    // Live routes serve the runtime client in every build; it never holds the dev UI.
    assert_eq!(runtime_client.status, 200);
    assert_eq!(runtime_client.body, hotreload::__testing::RUNTIME_CLIENT);
    assert!(!runtime_client.body.contains("attachShadow"));
    if cfg!(debug_assertions) {
        assert_eq!(client.status, 200);
        assert_eq!(client.body, hotreload::__testing::RUNTIME_CLIENT);
        assert_eq!(dev_client.status, 200);
        assert!(
            dev_client.body.contains("attachShadow"),
            "the dev client has the dev UI"
        );
        assert!(
            page.body
                .contains(" data-dev data-dev-client=\"/_hotreload/dev.js\""),
            "{}",
            page.body
        );
        assert_eq!(stats.status, 200);
        let stats: serde_json::Value = serde_json::from_str(&stats.body).unwrap();
        assert!(stats["live"]["connections_open"].is_u64(), "{stats}");
        // Without an upgrade, the socket route refuses the plain GET.
        assert_ne!(socket.status, 404);
    } else {
        assert_eq!(client.status, 404);
        assert_eq!(dev_client.status, 404);
        assert!(!page.body.contains("data-dev"), "{}", page.body);
        assert_eq!(stats.status, 404);
        assert_eq!(socket.status, 404);
    }
}

#[tokio::test]
async fn the_client_is_injected_only_in_debug_builds_and_only_into_plain_html() {
    let addr = serve(app()).await;
    let plain = get(addr, "/plain", &[]).await;
    assert_eq!(plain.status, 200);
    if cfg!(debug_assertions) {
        assert!(plain.body.contains(DEV_SCRIPT), "{}", plain.body);
        assert!(
            plain.body.ends_with("</script></body></html>"),
            "{}",
            plain.body
        );
        let length = format!("content-length: {}", plain.body.len());
        assert!(
            plain.headers.to_ascii_lowercase().contains(&length),
            "{}",
            plain.headers
        );
    } else {
        assert_eq!(plain.body, "<html><body><p>plain</p></body></html>");
    }
    // Never: JSON, compressed HTML.
    assert_eq!(get(addr, "/json", &[]).await.body, r#"{"html":"</body>"}"#);
    // (The three gzip bytes read back lossily as "\u{1f}\u{fffd}\u{8}".)
    assert_eq!(get(addr, "/gzipped", &[]).await.body, "\u{1f}\u{fffd}\u{8}");

    // A live page carries its own client tag exactly once; dev mode only in debug builds.
    let live = get(addr, "/", &[]).await.body;
    assert_eq!(live.matches("data-hotreload-client").count(), 1, "{live}");
    assert!(!live.contains(DEV_SCRIPT));
    assert_eq!(live.contains(" data-dev"), cfg!(debug_assertions), "{live}");
}

#[tokio::test]
async fn the_dev_socket_refuses_foreign_origins_and_carries_dev_frames() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    if !cfg!(debug_assertions) {
        return; // No dev socket in release builds; the 404 is asserted above.
    }
    let addr = serve(app()).await;
    let mut request = format!("ws://{addr}/_hotreload/ws")
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("Origin", "http://attacker.example".parse().unwrap());
    match tokio_tungstenite::connect_async(request).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 403);
        }
        other => panic!("expected 403, got {other:?}"),
    }

    // Same origin: welcome says dev, and dev frames arrive.
    let id = instance_id(&get(addr, "/", &[]).await.body);
    let mut client = Client::connect(addr, "/_hotreload/ws").await;
    let welcome = client.hello(&[(&id, "Hello")], false).await;
    assert_eq!(welcome["dev"], true);
    hotreload::__testing::publish_warning("from the test");
    loop {
        let frame = client.recv().await;
        if frame["type"] == "toast" && frame["message"] == "from the test" {
            break;
        }
    }
}

/// After an edit, a dev client fetches a live page's shell again (`X-Hotreload-Shell: 1`): in
/// debug builds that renders the page around a placeholder and mounts nothing (a mount would
/// render the view); release builds
/// ignore the header and serve the page as always.
#[tokio::test]
async fn a_shell_fetch_renders_the_page_without_mounting_in_debug_builds() {
    let addr = serve(app()).await;
    let shell = get(addr, "/", &[("x-hotreload-shell", "1")]).await;
    assert_eq!(shell.status, 200);
    if cfg!(debug_assertions) {
        assert!(
            shell
                .body
                .contains("<div data-live-view-shell=\"\" data-live-view=\"Hello\"></div>"),
            "{}",
            shell.body
        );
        assert!(!shell.body.contains("data-live-view-id"), "{}", shell.body);
        assert!(!shell.body.contains("<p>hello</p>"), "{}", shell.body);
        assert!(
            shell.body.contains("data-hotreload-client"),
            "{}",
            shell.body
        );
    } else {
        assert!(shell.body.contains("data-live-view-id"), "{}", shell.body);
        assert!(shell.body.contains("<p>hello</p>"), "{}", shell.body);
    }
}

/// Debug builds annotate elements with their template position, answer the inspector and
/// click-to-source over the live socket and forward server logs; a release build does none
/// of it: no `data-hr-src`, every `dev` frame is `dev_off`, no `log` frame.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dev_tools_exist_only_in_debug_builds() {
    let addr = serve(app()).await;
    // Annotations are made on a thread of their own when watching starts; the first pages
    // wait for them.
    let page = get(addr, "/", &[]).await.body;
    assert_eq!(
        page.contains("<p data-hr-src=\"hotreload/tests/dev_routes.rs:"),
        cfg!(debug_assertions),
        "{page}"
    );
    let id = instance_id(&page);
    let mut client = Client::connect(addr, "/").await;
    client.hello(&[(&id, "Hello")], false).await;

    client
        .send(json!({"v": 1, "type": "dev", "action": "inspect", "ids": [id]}))
        .await;
    let inspected = next_answer(&mut client, "inspect").await;
    client
        .send(json!({"v": 1, "type": "dev", "action": "open", "src": "/etc/passwd:1:1"}))
        .await;
    let opened = next_answer(&mut client, "source_opened").await;
    if cfg!(debug_assertions) {
        assert_eq!(inspected["type"], "inspect", "{inspected}");
        assert_eq!(inspected["views"][0]["view"], "Hello", "{inspected}");
        assert_eq!(inspected["views"][0]["history"]["len"], 1, "{inspected}");
        assert_eq!(
            inspected["views"][0]["log"][0]["kind"], "mount",
            "{inspected}"
        );
        assert_eq!(opened["type"], "source_opened", "{opened}");
        assert_eq!(opened["ok"], false, "{opened}");
        assert!(
            opened["message"]
                .as_str()
                .unwrap()
                .contains("not a source file of the running build"),
            "{opened}"
        );
    } else {
        for refused in [&inspected, &opened] {
            assert_eq!(refused["type"], "error", "{refused}");
            assert_eq!(refused["code"], "dev_off", "{refused}");
        }
    }

    // Server logs: a `log` frame in debug builds, nothing at all in release builds (the
    // ping's pong comes first).
    use tracing_subscriber::layer::SubscriberExt as _;
    // The process's default subscriber, as an app sets it (a scoped `with_default` races with
    // tracing's callsite cache when other tests run on other threads).
    let subscriber =
        tracing_subscriber::registry().with(hotreload::BrowserConsole::new(tracing::Level::INFO));
    let _ = tracing::subscriber::set_global_default(subscriber);
    tracing::info!(target: "my_app", user = 7, "hello from the server");
    client.send(json!({"v": 1, "type": "ping", "n": 99})).await;
    let debug = cfg!(debug_assertions);
    let (mut logged, mut ponged) = (None, false);
    // The log frame (dev bus) and the pong (the socket's own queue) may come in either order.
    while !(ponged && (logged.is_some() || !debug)) {
        let frame = client.recv().await;
        if frame["type"] == "log" && frame["message"] == "hello from the server" {
            logged = Some(frame);
        } else if frame["type"] == "pong" && frame["n"] == 99 {
            ponged = true;
        }
    }
    assert_eq!(
        logged.is_some(),
        debug,
        "a log frame in debug builds only: {logged:?}"
    );
    if let Some(frame) = logged {
        assert_eq!(frame["level"], "info");
        assert_eq!(frame["target"], "my_app");
        assert_eq!(frame["fields"]["user"], "7");
    }
}

/// Replaying a view's recorded messages through `update` runs its code again, but what that
/// code publishes or sends to views does not go out a second time: the subscriber heard three
/// broadcasts and hears no more, the view's own values (`pings`) are not sent again, and each
/// replayed entry says what was held back.
#[cfg(debug_assertions)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replay_sends_no_broadcast_and_no_value_again() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;
    let heard = Arc::new(AtomicUsize::new(0));
    let _subscription = {
        let heard = Arc::clone(&heard);
        hotreload::pubsub::subscribe_fn(&POSTED, move |_| {
            heard.fetch_add(1, Ordering::SeqCst);
        })
    };
    let addr = serve(app()).await;
    let id = instance_id(&get(addr, "/poster", &[]).await.body);
    let mut client = Client::connect(addr, "/poster").await;
    client.hello(&[(&id, "Poster")], false).await;
    for _ in 0..3 {
        client.event(&id, "click", json!("Post")).await;
    }
    support::until_shown(&mut client, "posts 3 pings 3").await;
    for _ in 0..100 {
        if heard.load(Ordering::SeqCst) == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        heard.load(Ordering::SeqCst),
        3,
        "the three posts were broadcast"
    );

    // From the mount: the three posts run again, the pings (server-sent) are not replayed.
    client
        .send(json!({"v": 1, "type": "dev", "action": "replay", "id": id, "from": 0}))
        .await;
    let replayed = next_answer(&mut client, "inspect").await;
    let view = &replayed["views"][0];
    assert_eq!(view["state"], json!({"posts": 3, "pings": 0}), "{replayed}");
    let notes: Vec<&serde_json::Value> = view["log"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["kind"] == "replay")
        .map(|entry| &entry["note"])
        .collect();
    assert_eq!(notes.len(), 3, "{replayed}");
    for note in notes {
        assert_eq!(
            note, "1 broadcast and 1 message held back (a replay sends nothing again)",
            "{replayed}"
        );
    }
    // Nothing arrives later either: no broadcast, no ping.
    tokio::time::sleep(Duration::from_millis(300)).await;
    client
        .send(json!({"v": 1, "type": "dev", "action": "inspect", "ids": [id]}))
        .await;
    let later = next_answer(&mut client, "inspect").await;
    assert_eq!(
        later["views"][0]["state"],
        json!({"posts": 3, "pings": 0}),
        "{later}"
    );
    assert_eq!(
        heard.load(Ordering::SeqCst),
        3,
        "no broadcast went out again"
    );
}

/// A config file whose directory is made after start-up is watched from when the directory
/// appears: writing the file there re-renders the view that read it (before, only files in
/// directories present at start-up were seen).
#[cfg(debug_assertions)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_config_file_in_a_directory_made_later_is_loaded_when_written() {
    const LATER_DIR: &str = concat!(env!("CARGO_TARGET_TMPDIR"), "/dev-routes-config-later");
    let _ = std::fs::remove_dir_all(LATER_DIR);
    std::fs::create_dir_all(LATER_DIR).unwrap();
    let addr = serve(app()).await;
    let page = get(addr, "/configured", &[]).await.body;
    assert!(
        page.contains("title: <"),
        "no file yet: the default: {page}"
    );
    let id = instance_id(&page);
    let mut client = Client::connect(addr, "/configured").await;
    client.hello(&[(&id, "Configured")], false).await;
    let dir = std::path::Path::new(LATER_DIR).join("conf");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("app.toml"), "title = \"made later\"\n").unwrap();
    support::until_shown(&mut client, "title: made later").await;
    // Watched from now on: an edit shows too.
    std::fs::write(dir.join("app.toml"), "title = \"edited\"\n").unwrap();
    support::until_shown(&mut client, "title: edited").await;
}

/// The next frame of type `wanted`, or an `error` frame: whatever else comes meanwhile (a
/// re-render after annotations arrived, other tests' dev frames) is skipped.
async fn next_answer(client: &mut Client, wanted: &str) -> serde_json::Value {
    loop {
        let frame = client.recv().await;
        if frame["type"] == wanted || frame["type"] == "error" {
            return frame;
        }
    }
}
