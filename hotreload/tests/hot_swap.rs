//! Hot swap end to end over real files and a real WebSocket: a copy of
//! `fixtures/hot_counter.rs` is edited on disk while a client is connected with its counter at
//! 7; every edit must arrive as a patch (or a rebuild-needed / overlay frame), the count must
//! stay 7, and the client's DOM must always equal a fresh render.

mod support;

#[path = "fixtures/hot_counter.rs"]
mod hot_counter;

use hot_counter::HotCounter;
use hotreload::__testing::{EngineConfig, HotSwapEngine};
use hotreload::HotReload;
use hotreload::live_view;
use hotreload::prelude::LiveView;
use hotreload_diff::{Fragment, Op, apply, canonical, parse_fragment_in};
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;
use support::{Client, boundary_inner, engine_on_copy, get, instance_id, serve};

fn div() -> hotreload_diff::Context {
    hotreload_diff::Context::html("div")
}

/// The connected page: a client socket plus our copy of its DOM, kept with the reference applier.
struct Page {
    client: Client,
    id: String,
    dom: Fragment,
}

impl Page {
    /// Reads frames until one satisfies `done`, applying every patch/html frame on the way.
    /// Returns every frame read.
    async fn until(&mut self, what: &str, done: impl Fn(&Value) -> bool) -> Vec<Value> {
        let mut seen = Vec::new();
        loop {
            let frame = self
                .client
                .try_recv(Duration::from_secs(10))
                .await
                .unwrap_or_else(|| panic!("no `{what}` within 10 s; frames so far: {seen:#?}"));
            match frame["type"].as_str() {
                Some("patch") => {
                    let ops: Vec<Op> = serde_json::from_value(frame["ops"].clone()).unwrap();
                    apply(&mut self.dom, &ops).unwrap();
                }
                Some("html") => {
                    self.dom = parse_fragment_in(frame["html"].as_str().unwrap(), div());
                }
                _ => {}
            }
            let stop = done(&frame);
            seen.push(frame);
            if stop {
                return seen;
            }
        }
    }

    /// The client's DOM equals a fresh render of `state` with the live template.
    fn assert_fresh(&self, state: &HotCounter) {
        let fresh = parse_fragment_in(state.render().as_str(), div());
        assert_eq!(canonical(&self.dom), canonical(&fresh));
    }

    fn text(&self) -> String {
        canonical(&self.dom)
    }
}

/// The dev bus is process-wide: tests that watch its frames take turns.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn is(kind: &'static str) -> impl Fn(&Value) -> bool {
    move |frame| frame["type"] == kind
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "`{from}` not in the file");
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_on_disk_patch_the_open_page_and_keep_state() {
    let _serial = SERIAL.lock().await;
    let (engine, copy) = engine_on_copy("hot_counter.rs", hot_counter::FILE, "hot-swap");
    engine.start_watching().unwrap();
    let app = HotReload::new()
        .watch(false)
        .apply(axum::Router::new().route("/", live_view::<HotCounter>()));
    let addr = serve(app).await;

    let body = get(addr, "/", &[]).await.body;
    let id = instance_id(&body);
    let mut page = Page {
        client: Client::connect(addr, "/").await,
        id: id.clone(),
        dom: parse_fragment_in(&boundary_inner(&body), div()),
    };
    page.client.hello(&[(&id, "HotCounter")], false).await;
    for _ in 0..7 {
        page.client.event(&page.id, "click", json!("Inc")).await;
        page.until("patch", is("patch")).await;
    }
    let state = HotCounter {
        count: 7,
        name: "hot".into(),
    };
    page.assert_fresh(&state);

    // 1. Static text.
    edit(&copy, "\"Count: \"", "\"Total: \"");
    page.until("patch", is("patch")).await;
    assert!(page.text().contains("Total: 7"), "{}", page.text());
    page.assert_fresh(&state);

    // 2. An attribute.
    edit(&copy, "class=\"counter\"", "class=\"counter big\"");
    page.until("patch", is("patch")).await;
    assert!(page.text().contains("counter big"));
    page.assert_fresh(&state);

    // 3. An element added.
    edit(
        &copy,
        "</h1>\n",
        "</h1>\n                <em>\"a new element\"</em>\n",
    );
    page.until("patch", is("patch")).await;
    assert!(page.text().contains("a new element"));
    page.assert_fresh(&state);

    // 4. Holes reordered.
    edit(
        &copy,
        "{&self.name} \" / \" {self.count * 2}",
        "{self.count * 2} \" / \" {&self.name}",
    );
    page.until("patch", is("patch")).await;
    assert!(page.text().contains("14 / hot"), "{}", page.text());
    page.assert_fresh(&state);

    // 5. Lines added above the template (comments are not code): still hot afterwards. The
    //    save itself changes nothing, so the next frame is the text edit's patch.
    edit(
        &copy,
        "use hotreload::prelude::*;",
        "// two lines added\n// above everything\nuse hotreload::prelude::*;",
    );
    edit(&copy, "\"Total: \"", "\"Sum: \"");
    page.until("patch", is("patch")).await;
    assert!(page.text().contains("Sum: 7"));
    page.assert_fresh(&state);

    // 6. A new expression needs a rebuild; the page is told which file and line.
    edit(
        &copy,
        "{self.count * 2} \" / \"",
        "{self.count * 2} {self.count + 100} \" / \"",
    );
    let frames = page.until("rebuild_needed", is("rebuild_needed")).await;
    let notice = frames.last().unwrap();
    assert_eq!(notice["file"], hot_counter::FILE);
    assert!(
        notice["reason"]
            .as_str()
            .unwrap()
            .contains("{self.count + 100}"),
        "{notice}"
    );
    assert!(notice["line"].as_u64().unwrap() > 30);
    edit(&copy, " {self.count + 100}", "");

    // 7. A syntax error shows the overlay with file:line:col; the last good template stays.
    edit(&copy, "{self.count}</h1>", "{self.count}</h2>");
    let frames = page.until("overlay", is("overlay")).await;
    let error = &frames.last().unwrap()["errors"][0];
    assert_eq!(error["file"], hot_counter::FILE);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("mismatched closing tag")
    );
    assert!(error["source"].as_str().unwrap().contains("</h2>"));
    assert!(error["line"].as_u64().unwrap() > 30 && error["column"].as_u64().unwrap() > 1);
    page.assert_fresh(&state);
    //    Fixing it clears the overlay and the fix's markup arrives.
    edit(&copy, "{self.count}</h2>", "{self.count}</h1>");
    edit(&copy, "\"Sum: \"", "\"Fixed: \"");
    page.until("overlay_clear", is("overlay_clear")).await;
    if !page.text().contains("Fixed: 7") {
        page.until("patch", is("patch")).await;
    }
    assert!(page.text().contains("Fixed: 7"), "{}", page.text());
    page.assert_fresh(&state);

    // 8. An editor that saves by writing a temp file and renaming it over the source.
    let text = std::fs::read_to_string(&copy)
        .unwrap()
        .replacen("\"Fixed: \"", "\"Renamed: \"", 1);
    let temp = copy.with_extension("rs.tmp");
    std::fs::write(&temp, text).unwrap();
    std::fs::rename(&temp, &copy).unwrap();
    page.until("patch", is("patch")).await;
    assert!(page.text().contains("Renamed: 7"));

    // 9. 200 rapid saves: the last one wins, state intact.
    let base = std::fs::read_to_string(&copy).unwrap();
    for i in 0..200 {
        std::fs::write(
            &copy,
            base.replacen("\"Renamed: \"", &format!("\"Save {i}: \""), 1),
        )
        .unwrap();
    }
    loop {
        page.until("patch", is("patch")).await;
        if page.text().contains("Save 199: 7") {
            break;
        }
    }
    // Nothing after the last save changes it again.
    if let Some(frame) = page.client.try_recv(Duration::from_millis(300)).await {
        assert_ne!(
            frame["type"], "patch",
            "a stale patch after the last save: {frame}"
        );
    }
    page.assert_fresh(&state);
    assert_eq!(engine.shown_errors(), vec![]);
    let stats = engine.stats.snapshot();
    assert!(
        stats.swaps >= 8 && stats.rebuild_needed >= 1 && stats.parse_errors >= 1,
        "{stats:?}"
    );

    // The counter still counts from 7 with the swapped template.
    page.client.event(&page.id, "click", json!("Inc")).await;
    page.until("patch", is("patch")).await;
    assert!(page.text().contains("Save 199: 8"));
    let _ = std::fs::remove_dir_all(copy.parent().unwrap());
}

#[tokio::test]
async fn a_stylesheet_edit_is_pushed_as_a_css_swap() {
    let _serial = SERIAL.lock().await;
    let dir = std::env::temp_dir().join(format!("hotreload-css-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("themes")).unwrap();
    let sheet = dir.join("themes/app.css");
    std::fs::write(&sheet, "body { color: black }").unwrap();
    let engine = HotSwapEngine::new(EngineConfig {
        manifest_dir: dir.clone(),
        css_dirs: vec![(dir.clone(), "/static".to_owned())],
        ..EngineConfig::default()
    });
    engine.start_watching().unwrap();
    let mut frames = hotreload::__testing::dev_frames();
    std::fs::write(&sheet, "body { color: red }").unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let frame = tokio::time::timeout_at(deadline, frames.recv())
            .await
            .expect("a css frame in time")
            .unwrap();
        let frame: Value = serde_json::from_str(&frame).unwrap();
        if frame["type"] == "css" && frame["path"] == "/static/themes/app.css" {
            break;
        }
    }
    assert_eq!(engine.stats.snapshot().css, 1);
    let _ = std::fs::remove_dir_all(dir);
}

#[path = "fixtures/fragile.rs"]
mod fragile;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_swap_whose_render_panics_is_reverted_and_reported() {
    let _serial = SERIAL.lock().await;
    let (engine, copy) = engine_on_copy("fragile.rs", fragile::FILE, "fragile");
    let dir = copy.parent().unwrap().to_path_buf();
    let app = HotReload::new()
        .watch(false)
        .apply(axum::Router::new().route("/fragile", live_view::<fragile::Fragile>()));
    let addr = serve(app).await;
    let body = get(addr, "/fragile", &[]).await.body;
    let id = instance_id(&body);
    let mut page = Page {
        client: Client::connect(addr, "/fragile").await,
        id: id.clone(),
        dom: parse_fragment_in(&boundary_inner(&body), div()),
    };
    page.client.hello(&[(&id, "Fragile")], false).await;

    // A harmless edit first: swapped.
    edit(&copy, "\"Value: \"", "\"Now: \"");
    let report = engine.handle_path(&copy, std::time::Instant::now());
    assert_eq!(
        (report.swapped, report.rerendered, report.reverted.len()),
        (1, 1, 0),
        "{report:?}"
    );
    page.until("patch", |f| f["type"] == "patch" || f["type"] == "html")
        .await;
    assert!(page.text().contains("Now: taken"));

    // Repeating the fragile hole makes the render panic: the swap is reverted and reported.
    edit(
        &copy,
        "{self.take()}</p>",
        "{self.take()} {self.take()}</p>",
    );
    let report = engine.handle_path(&copy, std::time::Instant::now());
    assert_eq!(report.reverted.len(), 1, "{report:?}");
    assert!(
        report
            .errors
            .iter()
            .any(|e| e.message.contains("reverted") && e.message.contains("evaluated twice")),
        "{report:?}"
    );
    let frames = page.until("overlay", is("overlay")).await;
    assert!(
        frames
            .last()
            .unwrap()
            .to_string()
            .contains("evaluated twice")
    );
    // The page still shows (and renders with) the last good version.
    assert!(page.text().contains("Now: taken"), "{}", page.text());
    assert!(
        fragile::Fragile::default()
            .render()
            .as_str()
            .contains("Now: taken")
    );
    assert_eq!(engine.stats.snapshot().reverts, 1);

    // Fixing the template clears the error and swaps again.
    edit(
        &copy,
        "{self.take()} {self.take()}</p>",
        "{self.take()} \"!\"</p>",
    );
    let report = engine.handle_path(&copy, std::time::Instant::now());
    assert_eq!(
        (report.swapped, report.reverted.len()),
        (1, 0),
        "{report:?}"
    );
    page.until("overlay_clear", is("overlay_clear")).await;
    let _ = std::fs::remove_dir_all(dir);
}
