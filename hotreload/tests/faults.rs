//! Fault tests: the server under abuse. Correctness only, no timing assertions.
//!
//! - `an_edit_storm_keeps_the_server_alive_and_the_state`: 1,000 saves in about 10 s on a copy
//!   of `fixtures/storm_counter.rs` mixing valid template edits, half-written files, broken
//!   templates, Rust-code edits and new expressions, while clients keep clicking, pinging and
//!   fetching the page. Afterwards one valid edit: every client's DOM (kept with the reference
//!   applier) is a fresh render of the final template, the counts are intact, the overlay is
//!   cleared.
//! - `vanished_clients_are_noticed_at_once`: WebSocket clients that disappear without a close
//!   frame (TCP reset, plain FIN, cut mid-frame) leave `connections_open` at its baseline again
//!   long before the idle timeout.
//!
//! `STORM_SEED=N` replays one storm (the seed is printed).

mod support;

#[path = "fixtures/storm_counter.rs"]
mod storm_counter;

use futures_util::SinkExt;
use hotreload::HotReload;
use hotreload::live_view;
use hotreload::prelude::*;
use hotreload_diff::{Fragment, Op, apply, canonical, parse_fragment_in};
use serde_json::{Value, json};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use storm_counter::StormCounter;
use support::{Client, boundary_inner, engine_on_copy, get, instance_id, serve};
use tokio::io::AsyncWriteExt;
use tokio_tungstenite::tungstenite::Message;

/// Both tests read process-wide state (the dev bus, the connection counters): one at a time.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const SAVES: usize = 1_000;

fn div() -> hotreload_diff::Context {
    hotreload_diff::Context::html("div")
}

/// A view outside the storm: its events must keep being answered while the storm rages.
#[derive(Default, Serialize, Deserialize)]
struct Other {
    clicks: u64,
}

#[derive(Serialize, Deserialize)]
enum OtherMsg {
    Click,
}

impl LiveView for Other {
    type Message = OtherMsg;

    fn update(&mut self, msg: OtherMsg, _cx: &mut Context<'_, Self>) {
        match msg {
            OtherMsg::Click => self.clicks += 1,
        }
    }

    fn render(&self) -> Html<OtherMsg> {
        hot_reload_liveview! {
            <p>"Clicks: " {self.clicks}</p>
        }
    }
}

/// A connected page: a client plus its DOM kept with the reference applier.
struct Page {
    client: Client,
    id: String,
    dom: Fragment,
    /// The last overlay frame seen: `Some(true)` shown, `Some(false)` cleared.
    overlay: Option<bool>,
    /// Pongs received, by `n`.
    pongs: Vec<u64>,
}

impl Page {
    async fn open(addr: SocketAddr, path: &str, view: &str) -> Page {
        let body = get(addr, path, &[]).await.body;
        let id = instance_id(&body);
        let mut client = Client::connect(addr, path).await;
        client.hello(&[(&id, view)], false).await;
        Page {
            client,
            id,
            dom: parse_fragment_in(&boundary_inner(&body), div()),
            overlay: None,
            pongs: Vec::new(),
        }
    }

    /// The next frame within `wait`, applied to the DOM if it is a patch or html frame.
    async fn next(&mut self, wait: Duration) -> Option<Value> {
        let frame = self.client.try_recv(wait).await?;
        match frame["type"].as_str() {
            Some("patch") => {
                let ops: Vec<Op> = serde_json::from_value(frame["ops"].clone()).unwrap();
                if let Err(error) = apply(&mut self.dom, &ops) {
                    panic!(
                        "patch does not apply: {error:?}\n{frame}\nto {}",
                        self.text()
                    );
                }
            }
            Some("html") => {
                self.dom = parse_fragment_in(frame["html"].as_str().unwrap(), div());
            }
            Some("overlay") => self.overlay = Some(true),
            Some("overlay_clear") => self.overlay = Some(false),
            Some("pong") => self.pongs.push(frame["n"].as_u64().unwrap()),
            Some("error") => panic!("an error frame: {frame}"),
            _ => {}
        }
        Some(frame)
    }

    /// Reads frames until `done` holds for the page, within 10 s.
    async fn until(&mut self, what: &str, done: impl Fn(&Page) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !done(self) {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || self.next(left).await.is_none() {
                panic!("no {what} within 10 s; the page shows {}", self.text());
            }
        }
    }

    /// Reads frames until none arrives for `quiet`.
    async fn drain(&mut self, quiet: Duration) {
        while self.next(quiet).await.is_some() {}
    }

    async fn click(&mut self, msg: Value) {
        let id = self.id.clone();
        self.client.event(&id, "click", msg).await;
    }

    fn text(&self) -> String {
        canonical(&self.dom)
    }

    /// The DOM equals a fresh render of `state` with the live template.
    fn assert_fresh(&self, state: &impl LiveView) {
        let fresh = parse_fragment_in(state.render().as_str(), div());
        assert_eq!(self.text(), canonical(&fresh));
    }
}

/// xorshift64*: a reproducible storm without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The template edits a save may combine; every combination is a valid, swappable template.
fn valid_edit(base: &str, rng: &mut Rng, i: usize) -> String {
    let mut text = base.to_owned();
    let mut edit = |from: &str, to: String| {
        assert!(text.contains(from), "`{from}` not in the fixture");
        text = text.replacen(from, &to, 1);
    };
    if rng.below(3) != 0 {
        edit("\"Count: \"", format!("\"Edit {i}: \""));
    }
    if rng.below(3) == 0 {
        edit("class=\"storm\"", format!("class=\"storm s{i}\""));
    }
    if rng.below(4) == 0 {
        edit(
            "</h1>\n",
            format!("</h1>\n                <em>\"new {i}\"</em>\n"),
        );
    }
    if rng.below(4) == 0 {
        edit(
            "{&self.name} \" / \" {self.count * 2}",
            "{self.count * 2} \" / \" {&self.name} {&self.name}".to_owned(),
        );
    }
    if rng.below(4) == 0 {
        edit("<b>\"big\"</b>", format!("<b>\"big {i}\"</b>"));
    }
    if rng.below(8) == 0 {
        edit(
            "use hotreload::prelude::*;",
            format!("// saved {i}\n\nuse hotreload::prelude::*;"),
        );
    }
    text
}

/// `text` cut at a random character boundary.
fn truncated(text: &str, rng: &mut Rng) -> String {
    let mut at = rng.below(text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    text[..at].to_owned()
}

/// What the storm wrote, by kind.
#[derive(Debug, Default)]
struct Storm {
    valid: usize,
    truncated: usize,
    broken: usize,
    rust: usize,
    new_expression: usize,
    damaged: usize,
}

/// 1,000 saves in about 10 s, then the final valid template.
fn storm(copy: &Path, base: &str, seed: u64, last: &str) -> Storm {
    let mut rng = Rng(seed | 1);
    let mut counts = Storm::default();
    for i in 0..SAVES {
        let valid = valid_edit(base, &mut rng, i);
        let (text, settle) = match rng.below(100) {
            0..40 => {
                counts.valid += 1;
                (valid, None)
            }
            40..55 => {
                counts.truncated += 1;
                // Half the time the rest of the file follows at once, as an editor's second
                // write would; otherwise the half-written file stays until the next save.
                let settle = (rng.below(2) == 0).then(|| valid.clone());
                (truncated(&valid, &mut rng), settle)
            }
            55..70 => {
                counts.broken += 1;
                let broken = match rng.below(5) {
                    0 => valid.replacen("</h1>", "</h2>", 1),
                    1 => valid.replacen("{self.count}</h1>", "{self.count</h1>", 1),
                    2 => valid.replacen("live-click", "live-clik", 1),
                    3 => valid.replacen("<i>\"small\"</i>", "<i>small</i>", 1),
                    _ => valid.replacen("</button>", "</button></div></div>", 1),
                };
                (broken, None)
            }
            70..80 => {
                counts.rust += 1;
                let rust = if rng.below(2) == 0 {
                    valid.replacen("self.count += 1", "self.count += 2", 1)
                } else {
                    format!("{valid}\nfn helper_{i}() -> u32 {{ {i} }}\n")
                };
                (rust, None)
            }
            80..90 => {
                counts.new_expression += 1;
                let new = valid.replacen(
                    "{self.count}</h1>",
                    "{self.count} {self.count + 100}</h1>",
                    1,
                );
                (new, None)
            }
            _ => {
                counts.damaged += 1;
                let mut bytes = valid.into_bytes();
                let at = rng.below(bytes.len());
                let len = (rng.below(12) + 1).min(bytes.len() - at);
                for b in &mut bytes[at..at + len] {
                    *b = b"{}<>/\"=;#!x "[rng.below(12)];
                }
                (String::from_utf8_lossy(&bytes).into_owned(), None)
            }
        };
        std::fs::write(copy, text).unwrap();
        if let Some(rest) = settle {
            std::fs::write(copy, rest).unwrap();
        }
        // About 10 ms apart on average, with bursts of back-to-back saves.
        let pause = if rng.below(10) == 0 {
            0
        } else {
            rng.below(21) as u64
        };
        std::thread::sleep(Duration::from_millis(pause));
    }
    std::fs::write(copy, last).unwrap();
    counts
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_storm_keeps_the_server_alive_and_the_state() {
    let _serial = SERIAL.lock().await;
    let (engine, copy) = engine_on_copy("storm_counter.rs", storm_counter::FILE, "faults");
    engine.start_watching().unwrap();
    let app = HotReload::new().watch(false).apply(
        axum::Router::new()
            .route("/", live_view::<StormCounter>())
            .route("/other", live_view::<Other>()),
    );
    let addr = serve(app).await;
    let opened_before = open_connections();

    // The client counts to 7.
    let mut page = Page::open(addr, "/", "StormCounter").await;
    for n in 1..=7 {
        page.click(json!("Inc")).await;
        page.until("the click's patch", |p| {
            p.text().contains(&format!("Count: {n}"))
        })
        .await;
    }
    let state = StormCounter {
        count: 7,
        name: "storm".into(),
    };
    page.assert_fresh(&state);

    // The storm, on a thread of its own.
    let seed = std::env::var("STORM_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    println!("storm seed: {seed} (STORM_SEED={seed} replays it)");
    let base = std::fs::read_to_string(&copy).unwrap();
    let last = base.replacen("\"Count: \"", "\"Final: \"", 1).replacen(
        "class=\"storm\"",
        "class=\"storm final\"",
        1,
    );
    let started = Instant::now();
    let writer = {
        let (copy, base, last) = (copy.clone(), base.clone(), last.clone());
        tokio::task::spawn_blocking(move || storm(&copy, &base, seed, &last))
    };

    // Meanwhile, in this task (pages are not `Send`): the first page takes whatever comes,
    // answering pings on the way; page fetches, a second storm page clicking, and a page
    // outside the storm whose every click must be answered.
    let done = AtomicBool::new(false);
    let first = async {
        let mut pings = 0;
        while !writer.is_finished() {
            pings += 1;
            page.client
                .send(json!({"v": 1, "type": "ping", "n": pings}))
                .await;
            let until = Instant::now() + Duration::from_millis(100);
            while let Some(left) = until.checked_duration_since(Instant::now()) {
                if page.next(left).await.is_none() {
                    break;
                }
            }
        }
        done.store(true, Ordering::Relaxed);
        pings
    };
    let checker = async {
        let mut second = Page::open(addr, "/", "StormCounter").await;
        let mut other = Page::open(addr, "/other", "Other").await;
        let (mut rounds, mut clicks) = (0u64, 0i64);
        while !done.load(Ordering::Relaxed) {
            rounds += 1;
            let page = get(addr, "/", &[]).await;
            assert_eq!(page.status, 200, "page during the storm");
            assert!(page.body.contains("data-live-view-id="));
            other.click(json!("Click")).await;
            other
                .until("an answer to an event during the storm", |p| {
                    p.text().contains(&format!("Clicks: {rounds}"))
                })
                .await;
            if rounds % 3 == 0 {
                second.click(json!("Inc")).await;
                clicks += 1;
            }
            let until = Instant::now() + Duration::from_millis(50);
            while let Some(left) = until.checked_duration_since(Instant::now()) {
                if second.next(left).await.is_none() {
                    break;
                }
            }
        }
        (second, clicks, rounds)
    };
    let (pings, (mut second, clicks, rounds)) = tokio::join!(first, checker);
    let counts = writer.await.unwrap();
    let storm_time = started.elapsed();

    // The final, valid edit settles: its markup everywhere, no error left on show.
    page.until("the final template", |p| p.text().contains("Final: 7"))
        .await;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !engine.shown_errors().is_empty() {
        assert!(Instant::now() < deadline, "{:?}", engine.shown_errors());
        page.next(Duration::from_millis(50)).await;
    }
    page.drain(Duration::from_millis(500)).await;
    second.drain(Duration::from_millis(100)).await;

    let stats = engine.stats.snapshot();
    println!(
        "{SAVES} saves in {storm_time:?}: {counts:?}; engine {stats:?}; \
         {rounds} page fetches + answered events, {clicks} clicks on the second page, {pings} pings"
    );
    assert!(
        stats.swaps > 0 && stats.parse_errors > 0 && stats.rebuild_needed > 0,
        "the storm exercised every path: {stats:?}"
    );
    assert_eq!(engine.shown_errors(), vec![]);
    assert_eq!(page.overlay, Some(false), "the overlay ends cleared");
    assert_eq!(
        page.pongs,
        (1..=pings).collect::<Vec<u64>>(),
        "every ping answered"
    );
    assert!(page.text().contains("storm final"), "{}", page.text());
    page.assert_fresh(&state);
    second.assert_fresh(&StormCounter {
        count: clicks,
        name: "storm".into(),
    });
    assert_eq!(get(addr, "/", &[]).await.status, 200);

    // Still counting from 7 with the final template.
    page.click(json!("Inc")).await;
    page.until("the click's patch", |p| p.text().contains("Final: 8"))
        .await;
    page.assert_fresh(&StormCounter {
        count: 8,
        name: "storm".into(),
    });
    // Leave no connection behind for the next test.
    page.client.close().await;
    second.client.close().await;
    wait_for_open(opened_before, "after the storm's clients closed").await;
    let _ = std::fs::remove_dir_all(copy.parent().unwrap());
}

type RawSocket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

fn tcp(socket: &RawSocket) -> &tokio::net::TcpStream {
    match socket.get_ref() {
        tokio_tungstenite::MaybeTlsStream::Plain(stream) => stream,
        _ => unreachable!("plain ws://"),
    }
}

fn open_connections() -> u64 {
    hotreload::stats().connections_open
}

/// Polls until `connections_open` is `target`; returns how long that took.
async fn wait_for_open(target: u64, what: &str) -> Duration {
    let start = Instant::now();
    // Far below the 45 s idle timeout: a vanished peer must be noticed from the socket.
    let limit = hotreload::__testing::IDLE_TIMEOUT / 4;
    while open_connections() != target {
        assert!(
            start.elapsed() < limit,
            "{what}: connections_open is {} after {:?}, expected {target}",
            open_connections(),
            start.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    start.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vanished_clients_are_noticed_at_once() {
    const CLIENTS: usize = 60;
    let _serial = SERIAL.lock().await;
    let app = HotReload::new()
        .watch(false)
        .apply(axum::Router::new().route("/other", live_view::<Other>()));
    let addr = serve(app).await;
    let baseline = open_connections();

    // Connect, half of them with a live instance attached (hello), the rest bare.
    let mut sockets = Vec::new();
    for i in 0..CLIENTS {
        let (mut socket, _) = tokio_tungstenite::connect_async(format!("ws://{addr}/other"))
            .await
            .unwrap();
        if i % 2 == 0 {
            let id = instance_id(&get(addr, "/other", &[]).await.body);
            let hello =
                json!({"v": 1, "type": "hello", "instances": [{"id": id, "view": "Other"}]});
            socket.send(Message::text(hello.to_string())).await.unwrap();
        }
        sockets.push(socket);
    }
    wait_for_open(baseline + CLIENTS as u64, "connecting").await;

    // Vanish without a close frame, three ways: a TCP reset (SO_LINGER 0), a plain FIN, and
    // a reset in the middle of a frame (header sent, payload never).
    for (i, mut socket) in sockets.into_iter().enumerate() {
        match i % 3 {
            0 => tcp(&socket).set_zero_linger().unwrap(),
            1 => {}
            _ => {
                let tokio_tungstenite::MaybeTlsStream::Plain(stream) = socket.get_mut() else {
                    unreachable!("plain ws://")
                };
                // FIN + masked text frame of 126+ bytes: the length and the rest never come.
                stream.write_all(&[0x81, 0xfe]).await.unwrap();
                stream.flush().await.unwrap();
                tcp(&socket).set_zero_linger().unwrap();
            }
        }
        drop(socket);
    }
    let took = wait_for_open(baseline, "after the clients vanished").await;
    println!("{CLIENTS} vanished clients noticed within {took:?}");

    // The stats endpoint agrees, and the server still serves.
    let stats: Value =
        serde_json::from_str(&get(addr, "/_hotreload/stats", &[]).await.body).unwrap();
    assert_eq!(stats["live"]["connections_open"], baseline);
    let mut client = Client::connect(addr, "/other").await;
    let id = instance_id(&get(addr, "/other", &[]).await.body);
    client.hello(&[(&id, "Other")], false).await;
    client.close().await;
    wait_for_open(baseline, "after the last client closed").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_dropped_with_their_runtime_are_uncounted() {
    let _serial = SERIAL.lock().await;
    let baseline = open_connections();
    // A server on a runtime of its own, shut down under its open connections: their tasks are
    // dropped mid-await, never returning.
    let server = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    let app = HotReload::new()
        .watch(false)
        .apply(axum::Router::new().route("/other", live_view::<Other>()));
    server.spawn(async move {
        let listener = tokio::net::TcpListener::from_std(listener).unwrap();
        axum::serve(hotreload::Listener::from(listener), app).await
    });
    let mut clients = Vec::new();
    for _ in 0..3 {
        let mut client = Client::connect(addr, "/other").await;
        let id = instance_id(&get(addr, "/other", &[]).await.body);
        client.hello(&[(&id, "Other")], false).await;
        clients.push(client);
    }
    wait_for_open(baseline + 3, "connecting").await;
    server.shutdown_background();
    wait_for_open(baseline, "after the server's runtime was dropped").await;
    drop(clients);
}
