//! Rust edits rebuild the running server: a fixture crate is built and started with `cargo run`
//! (as a developer would), a WebSocket client counts to 3, then its source is edited on disk:
//! a logic change (`+= 1` → `+= 2`) streams build progress and restarts the server in place, and
//! the same client, reconnecting, finds its count kept and the new behaviour; a compile (type)
//! error shows in the overlay frames with file:line:col while the old server keeps serving;
//! fixing it restarts again. (Syntax errors never reach cargo: the re-parser reports them at
//! once, see `hotreload/tests/hot_swap.rs`.) A prober connects to the port every few milliseconds throughout: no connect
//! may fail.

mod support;

use serde_json::{Value, json};
use std::path::Path;
use std::process::Child;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;
use support::{Socket, cargo_build, cargo_run, get, instance_ids, next, send, workspace};

const MAIN: &str = r#"use hotreload::prelude::*;

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

    fn update(&mut self, msg: Msg, _cx: &mut Context<'_, Self>) {
        match msg {
            Msg::Inc => self.count += 1,
        }
    }

    fn render(&self) -> Html<Msg> {
        hot_reload_liveview! { <h1>"Count: " {self.count}</h1> }
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let app = axum::Router::new().route("/", live_view::<Counter>());
    let app = enable_hot_reload!(app);
    let port: u16 = std::env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(0);
    let listener = hotreload::bind(("127.0.0.1", port)).await?;
    println!("pid={} listening on http://{}", std::process::id(), listener.local_addr()?);
    axum::serve(listener, app).await
}
"#;

fn write_fixture(dir: &Path) {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let hotreload = workspace().join("hotreload");
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"rebuild-fixture\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\nhotreload = {{ path = {:?} }}\naxum = {{ version = \"0.8.9\", features = [\"ws\"] }}\n\
             tokio = {{ version = \"1.54\", features = [\"full\"] }}\nserde = {{ version = \"1\", features = [\"derive\"] }}\n\n[workspace]\n",
            hotreload.display().to_string()
        ),
    )
    .unwrap();
    std::fs::copy(workspace().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    std::fs::write(dir.join("src/main.rs"), MAIN).unwrap();
}

fn edit(dir: &Path, from: &str, to: &str) {
    support::edit(&dir.join("src/main.rs"), from, to);
}

fn start(dir: &Path, port: u16) -> (Child, u32) {
    cargo_run(dir, &["--bin", "rebuild-fixture"], port)
}

/// The page's instance id. The first page served after start-up already carries its source
/// positions (the server waits for them), so the socket's first render matches it.
async fn page_id(port: u16) -> String {
    let page = get(port, "/").await;
    assert!(
        page.contains("<h1 data-hr-src=\"src/main.rs:"),
        "the first page carries source positions: {page}"
    );
    instance_ids(&page).into_iter().next().expect("a boundary")
}

async fn connect(port: u16, id: &str, resume: bool) -> Socket {
    support::connect(port, &[(id, "Counter")], resume).await
}

/// Clicks and returns the count the server then shows.
async fn click(socket: &mut Socket, id: &str) -> i64 {
    let event = json!({"v": 1, "type": "event", "id": id, "event": "click", "msg": "Inc"});
    send(socket, event).await;
    loop {
        let frame = next(socket, Duration::from_secs(10))
            .await
            .expect("an answer to the click");
        if let Some(count) = count_in(&frame) {
            return count;
        }
    }
}

fn count_in(frame: &Value) -> Option<i64> {
    let text = frame.to_string();
    let at = text.find("Count: ")? + 7;
    text[at..]
        .split(|c: char| !c.is_ascii_digit() && c != '-')
        .next()?
        .parse()
        .ok()
}

/// Reads frames until the socket closes (the server restarted), collecting them with the time
/// each arrived.
async fn until_restart(socket: &mut Socket) -> Vec<Value> {
    let start = std::time::Instant::now();
    let mut frames = Vec::new();
    while let Some(mut frame) = next(socket, Duration::from_secs(300)).await {
        frame["at_ms"] = json!(start.elapsed().as_secs_f64() * 1000.0);
        frames.push(frame);
    }
    frames
}

/// Reconnects with the page's id and returns the socket and the count the restored page shows.
async fn reconnect(port: u16, id: &str) -> (Socket, i64) {
    let mut socket = connect(port, id, true).await;
    loop {
        let frame = next(&mut socket, Duration::from_secs(30))
            .await
            .expect("a frame after reconnecting");
        if frame["type"] == "html" {
            let count = count_in(&frame).expect("the boundary shows a count");
            return (socket, count);
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rust_edits_rebuild_and_restart_in_place_with_state_kept() {
    let dir = std::env::temp_dir().join(format!("hotreload-rebuild-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    write_fixture(&dir);
    cargo_build(&dir, &["--bin", "rebuild-fixture"]);
    let port = support::free_port();
    let (cargo_run, pid) = start(&dir, port);

    let id = page_id(port).await;
    let mut socket = connect(port, &id, false).await;
    for expected in 1..=3 {
        assert_eq!(click(&mut socket, &id).await, expected);
    }
    tokio::time::sleep(Duration::from_millis(400)).await; // snapshots are written behind updates

    // Probe the port all along: every connect must succeed, even across restarts.
    let stop = Arc::new(AtomicBool::new(false));
    let (attempts, failures) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let prober = {
        let (stop, attempts, failures) = (
            Arc::clone(&stop),
            Arc::clone(&attempts),
            Arc::clone(&failures),
        );
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                attempts.fetch_add(1, Ordering::Relaxed);
                if tokio::net::TcpStream::connect(("127.0.0.1", port))
                    .await
                    .is_err()
                {
                    failures.fetch_add(1, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };

    // 1. Logic change: rebuild-needed, progress, restart; the count survives, the step is new.
    let edited = std::time::Instant::now();
    edit(&dir, "self.count += 1", "self.count += 2");
    let frames = until_restart(&mut socket).await;
    let kinds: Vec<&str> = frames.iter().filter_map(|f| f["type"].as_str()).collect();
    assert!(kinds.contains(&"rebuild_needed"), "{kinds:?}");
    assert!(
        frames
            .iter()
            .any(|f| f["type"] == "progress" && f["done"].as_u64() > Some(0)),
        "{frames:#?}"
    );
    let (mut socket, count) = reconnect(port, &id).await;
    let restarted = edited.elapsed();
    assert_eq!(count, 3, "state kept across the restart");
    assert_eq!(click(&mut socket, &id).await, 5, "the new behaviour: += 2");
    let progress: Vec<f64> = frames
        .iter()
        .filter(|f| f["type"] == "progress")
        .filter_map(|f| f["at_ms"].as_f64())
        .collect();
    // Progress is coalesced (a few frames a second), not one frame per compiled unit.
    if let (Some(first), Some(last)) = (progress.first(), progress.last()) {
        let allowed = 3 + ((last - first) / 250.0).ceil() as usize;
        assert!(
            progress.len() <= allowed,
            "{} progress frames over {:.0} ms",
            progress.len(),
            last - first
        );
        eprintln!(
            "edit → new behaviour: {:.0} ms, of which cargo build ≈ {:.0} ms (first to last progress frame)",
            restarted.as_secs_f64() * 1000.0,
            last - first
        );
    }

    // 2. A compile error (a type error: the file still parses, so cargo is what finds it):
    //    overlay frames with file:line:col; the running server keeps serving.
    edit(&dir, "self.count += 2", "self.count += \"two\"");
    let overlay = loop {
        let frame = next(&mut socket, Duration::from_secs(300))
            .await
            .expect("the build's result");
        if frame["type"] == "overlay" {
            break frame;
        }
    };
    assert_eq!(overlay["kind"], "compile");
    let error = &overlay["errors"][0];
    assert!(
        error["file"].as_str().unwrap().ends_with("src/main.rs"),
        "{overlay}"
    );
    assert!(
        error["line"].as_u64().unwrap() > 10 && error["column"].as_u64().unwrap() > 1,
        "{overlay}"
    );
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("mismatched types")
            || error["message"].as_str().unwrap().contains("cannot add"),
        "{overlay}"
    );
    // rustc's rendered text quotes the line (monospace in the overlay); no second copy.
    assert!(
        error["message"].as_str().unwrap().contains("\"two\"") && error.get("source").is_none(),
        "{overlay}"
    );
    assert_eq!(
        click(&mut socket, &id).await,
        7,
        "the old build still serves, += 2"
    );

    // 3. Saving the file back as the running build was compiled from clears the compile error
    //    and "rebuild needed" (no build, no restart), and the old build keeps serving.
    edit(&dir, "self.count += \"two\"", "self.count += 2");
    let cleared = loop {
        let frame = next(&mut socket, Duration::from_secs(20))
            .await
            .expect("a frame saying the sources match the build again");
        assert_ne!(frame["type"], "restarting", "{frame}");
        if frame["type"] == "rebuild_cleared" {
            break frame;
        }
    };
    assert_eq!(cleared["type"], "rebuild_cleared");
    assert_eq!(click(&mut socket, &id).await, 9, "no restart: still += 2");

    // 4. A real fix rebuilds and restarts again, state kept.
    edit(&dir, "self.count += 2", "self.count += 3");
    until_restart(&mut socket).await;
    let (mut socket, count) = reconnect(port, &id).await;
    assert_eq!(count, 9);
    assert_eq!(click(&mut socket, &id).await, 12);

    stop.store(true, Ordering::Relaxed);
    prober.await.unwrap();
    let (attempts, failures) = (
        attempts.load(Ordering::Relaxed),
        failures.load(Ordering::Relaxed),
    );
    assert!(attempts > 100, "the prober ran ({attempts} attempts)");
    assert_eq!(
        failures, 0,
        "{failures} of {attempts} connects failed during the restarts"
    );

    support::stop(cargo_run, pid);
    let _ = std::fs::remove_dir_all(&dir);
}
