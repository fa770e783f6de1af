//! One hot swap, and one broadcast (in process, and from another process through Redis),
//! each fanned out to 1,000 WebSocket clients on 127.0.0.1.
//!
//! `cargo bench -p hotreload-benches --bench load --features registry-in-release` (optimized,
//! with the template registry that hot swaps need; add `--profile dev` for a debug build).
//!
//! Setup, as browsers do it: each client GETs the page (mounting its own instance; 32 requests
//! in flight at a time), opens the page's WebSocket and sends `hello` for its boundary. Then
//! the bench edits a copy of the hot-swap fixture on disk once (a static-text change) and
//! measures, per client, the time from the file write until that client has received its
//! `patch`; it reports p50/p99/max and the time until every client had it (target tracked by
//! the project: p99 ≤ 100 ms). Then the same fan-out twice more as broadcasts (every instance
//! subscribes to one topic when it mounts): one `publish` in this process, then one `publish`
//! in another process (this binary, `HOTRELOAD_LOAD_PUBLISH=<redis url>`) relayed through a
//! `redis-server` the bench starts on a free port (that round is left out, said so, when
//! `redis-server` is not installed). The broadcasts are reported as ratios against the hot
//! swap measured in the same run. Timings are reported, never asserted.
//!
//! The server runs in the bench process; the 1,000 clients run in a child process (this same
//! binary, re-executed with `HOTRELOAD_LOAD_CLIENT=<addr>`) so that the server's memory per
//! client, RSS from `/proc/self/status` before vs after connecting the clients divided by their
//! number, counts the server's side only. Both processes use the realtime clock, on the same
//! machine, to time the write and each receipt; the clients compete with the server for the
//! same cores, so the latencies are upper bounds.
//!
//! Each process needs an fd per connection plus some: if the soft limit (see
//! `/proc/self/limits`) is below 1,200 the bench says so and stops; run it from a shell after
//! `ulimit -n 4096`. Bounded: 1,000 clients (`HOTRELOAD_LOAD_CLIENTS=N` for another count), and
//! everything is given up after 60 s with a clear message.

#[path = "fixtures/hot_board.rs"]
mod hot_board;

#[path = "support/page.rs"]
mod page;

#[allow(
    dead_code,
    unreachable_pub,
    reason = "shared with the tests, which also kill and restart it"
)]
#[path = "../hotreload/tests/support/redis.rs"]
mod redis_server;

use futures_util::{SinkExt, StreamExt};
use hot_board::{BOARD, HotBoard, Notice};
use hotreload::__testing::{EngineConfig, HotSwapEngine};
use hotreload::HotReload;
use hotreload::live_view;
use redis_server::RedisServer;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio_tungstenite::tungstenite::Message;

const DEFAULT_CLIENTS: usize = 1_000;
const GETS_IN_FLIGHT: usize = 32;
const DEADLINE: Duration = Duration::from_secs(60);
const MIN_FDS: u64 = 1_200;
const CLIENT_ENV: &str = "HOTRELOAD_LOAD_CLIENT";
const PUBLISH_ENV: &str = "HOTRELOAD_LOAD_PUBLISH";
/// Fan-outs each client waits for: the hot swap, the local broadcast, the relayed broadcast.
const ROUNDS: usize = 3;

fn clients() -> usize {
    std::env::var("HOTRELOAD_LOAD_CLIENTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(DEFAULT_CLIENTS)
}

/// Nanoseconds since the Unix epoch (comparable across processes on one machine).
fn now_nanos() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// A field of `/proc/self/<file>` (first number after `label`).
fn proc_number(file: &str, label: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/self/{file}")).ok()?;
    let line = text.lines().find(|l| l.starts_with(label))?;
    line[label.len()..]
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
}

fn rss_kib() -> Option<u64> {
    proc_number("status", "VmRSS:")
}

fn check_fd_limit() -> Result<(), String> {
    match proc_number("limits", "Max open files") {
        Some(soft) if soft < MIN_FDS => Err(format!(
            "the open-files soft limit is {soft}; this bench needs at least {MIN_FDS} per \
             process. Run it from a shell after `ulimit -n 4096`."
        )),
        _ => Ok(()),
    }
}

fn main() -> ExitCode {
    if let Err(why) = check_fd_limit() {
        eprintln!("load bench: {why}");
        return ExitCode::FAILURE;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("load bench: no tokio runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let result = match (std::env::var(CLIENT_ENV), std::env::var(PUBLISH_ENV)) {
        (Ok(addr), _) => runtime.block_on(client_process(&addr)),
        (_, Ok(url)) => runtime.block_on(publisher_process(&url)),
        _ => runtime.block_on(server_process()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("load bench: {why}");
            ExitCode::FAILURE
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The server side (the bench process).

async fn server_process() -> Result<(), String> {
    let clients = clients();
    let dir = std::env::temp_dir().join(format!("hotreload-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("temp dir: {e}"))?;
    let result = serve_and_measure(&dir, clients).await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

async fn serve_and_measure(dir: &std::path::Path, clients: usize) -> Result<(), String> {
    let copy = dir.join("hot_board.rs");
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/hot_board.rs");
    std::fs::copy(&fixture, &copy).map_err(|e| format!("copying the fixture: {e}"))?;
    let engine = HotSwapEngine::new(EngineConfig {
        manifest_dir: dir.to_path_buf(),
        file_map: vec![(hot_board::FILE.to_owned(), copy.clone())],
        ..EngineConfig::default()
    });
    engine
        .start_watching()
        .map_err(|e| format!("watching: {e}"))?;
    let app = HotReload::new()
        .watch(false)
        .apply(axum::Router::new().route("/", live_view::<HotBoard>()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("bind: {e}"))?;
    let addr = listener.local_addr().map_err(|e| format!("addr: {e}"))?;
    let listener = hotreload::Listener::from(listener);
    tokio::spawn(async move { axum::serve(listener, app).await });

    // Warm up (first render, first socket), so the baseline RSS has the code paths loaded.
    warm_up(addr).await?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let stats = || hotreload::stats();
    let (rss_before, open_before, instances_before) =
        (rss_kib(), stats().connections_open, stats().instances);

    let exe = std::env::current_exe().map_err(|e| format!("current exe: {e}"))?;
    let mut child = tokio::process::Command::new(exe)
        .env(CLIENT_ENV, addr.to_string())
        .env("HOTRELOAD_LOAD_CLIENTS", clients.to_string())
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("starting the client process: {e}"))?;
    let Some(from_child) = child.stdout.take() else {
        return Err("the client process has no stdout pipe".to_owned());
    };
    let mut lines = BufReader::new(from_child).lines();
    let deadline = tokio::time::Instant::now() + DEADLINE;
    let mut next_line = async |what: &str| -> Result<String, String> {
        match tokio::time::timeout_at(deadline, lines.next_line()).await {
            Ok(Ok(Some(line))) => Ok(line),
            Ok(Ok(None)) | Ok(Err(_)) => Err(format!("the client process ended before {what}")),
            Err(_) => Err(format!("no {what} within {DEADLINE:?}; giving up")),
        }
    };

    let started = tokio::time::Instant::now();
    let ready = next_line("the clients' setup").await?;
    if ready != "ready" {
        return Err(format!("client process: {ready}"));
    }
    let setup = started.elapsed();
    // Let the attach jobs (hello → instance on its worker) finish before measuring memory.
    let settle = tokio::time::Instant::now() + Duration::from_secs(5);
    while stats().connections_open < open_before + clients as u64
        && tokio::time::Instant::now() < settle
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (rss_after, open_after, instances_after) =
        (rss_kib(), stats().connections_open, stats().instances);

    // The one hot swap.
    let base = std::fs::read_to_string(&copy).map_err(|e| format!("reading the copy: {e}"))?;
    let edited = base.replacen("\"Count: \"", "\"Load: \"", 1);
    let written_at = now_nanos();
    std::fs::write(&copy, edited).map_err(|e| format!("saving: {e}"))?;
    let swap_round = Round::read(
        &next_line("the hot swap's patches").await?,
        written_at,
        clients,
    )?;
    let swap = engine.stats.snapshot();

    // The same fan-out as a broadcast in this process.
    let published_at = now_nanos();
    hotreload::pubsub::publish(&BOARD, Notice(1));
    let local_round = Round::read(
        &next_line("the broadcast's patches").await?,
        published_at,
        clients,
    )?;

    // And from another process, through Redis.
    let relayed = match RedisServer::try_start() {
        Ok(redis) => {
            let relayed = relayed_round(&redis.url(), &mut next_line, clients).await;
            drop(redis);
            Some(relayed?)
        }
        Err(why) => {
            println!("  (the broadcast through Redis is left out: {why})");
            None
        }
    };
    let _ = child.kill().await;

    println!("\nfan-out to {clients} WebSocket clients (127.0.0.1, 2-core machine):");
    println!(
        "  setup: {clients} page GETs ({GETS_IN_FLIGHT} in flight) + sockets + hello in {:.2} s; \
         connections open {open_before} → {open_after}, instances {instances_before} → {instances_after}",
        setup.as_secs_f64()
    );
    swap_round.print("hot swap: file write → patch received", None);
    println!(
        "    (engine: first watcher event → all {clients} instances re-rendered and patches queued: {:.2} ms; target p99 ≤ 100 ms)",
        swap.last_latency_micros as f64 / 1000.0
    );
    local_round.print(
        "broadcast in this process: publish → patch received",
        Some(&swap_round),
    );
    if let Some(relayed) = &relayed {
        relayed.print(
            "broadcast from another process through Redis: publish → patch received",
            Some(&swap_round),
        );
    }
    match (rss_before, rss_after) {
        (Some(before), Some(after)) => println!(
            "  server RSS {:.1} MiB → {:.1} MiB with the clients: {:.1} KiB per client \
             (instance + socket + page render + subscription; clients live in another process)",
            before as f64 / 1024.0,
            after as f64 / 1024.0,
            after.saturating_sub(before) as f64 / clients as f64
        ),
        _ => println!("  server RSS: /proc/self/status not readable"),
    }
    Ok(())
}

/// One fan-out's per-client latencies, from the clients' `done` line.
struct Round {
    latencies: Vec<Duration>,
}

impl Round {
    /// Reads `done <round> <nanos|-> ...` against `started_at`; every client must have a frame.
    fn read(line: &str, started_at: u128, clients: usize) -> Result<Round, String> {
        let (mut missing, mut early) = (0, 0);
        let mut latencies = Vec::new();
        for field in line.split_whitespace().skip(2) {
            match field.parse::<u128>() {
                Ok(at) if at < started_at => early += 1,
                Ok(at) => latencies.push(Duration::from_nanos(
                    u64::try_from(at - started_at).unwrap_or(u64::MAX),
                )),
                Err(_) => missing += 1,
            }
        }
        if early > 0 {
            return Err(format!(
                "{early} clients got a frame before the fan-out started"
            ));
        }
        if missing > 0 || latencies.len() != clients {
            return Err(format!(
                "{missing} of {clients} clients got no frame within the deadline ({} did): {line:.200}",
                latencies.len()
            ));
        }
        latencies.sort_unstable();
        Ok(Round { latencies })
    }

    fn at(&self, q: f64) -> Duration {
        self.latencies[((self.latencies.len() as f64 - 1.0) * q).round() as usize]
    }

    /// Prints p50/p99/max (and their ratios to `baseline`'s).
    fn print(&self, what: &str, baseline: Option<&Round>) {
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        let ratio = |q: f64| {
            baseline.map_or(String::new(), |b| {
                format!(
                    " ({:.2}x the hot swap)",
                    ms(self.at(q)) / ms(b.at(q)).max(1e-6)
                )
            })
        };
        println!("  {what}, per client:");
        println!(
            "    p50 {:.2} ms{}  p99 {:.2} ms{}  every client: {:.2} ms{}",
            ms(self.at(0.5)),
            ratio(0.5),
            ms(self.at(0.99)),
            ratio(0.99),
            ms(self.at(1.0)),
            ratio(1.0)
        );
    }
}

/// The relayed round: this process relays through Redis at `url`; a publisher process
/// publishes once there and prints when.
async fn relayed_round(
    url: &str,
    next_line: &mut impl AsyncFnMut(&str) -> Result<String, String>,
    clients: usize,
) -> Result<Round, String> {
    hotreload::pubsub::connect_redis(url).map_err(|e| e.to_string())?;
    wait_connected().await?;
    let exe = std::env::current_exe().map_err(|e| format!("current exe: {e}"))?;
    let publisher = tokio::process::Command::new(exe)
        .env(PUBLISH_ENV, url)
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(DEADLINE, publisher)
        .await
        .map_err(|_| "the publisher process did not finish".to_owned())?
        .map_err(|e| format!("the publisher process: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    let published_at: u128 = text
        .lines()
        .find_map(|l| l.strip_prefix("published "))
        .and_then(|n| n.trim().parse().ok())
        .ok_or_else(|| format!("the publisher process said: {text}"))?;
    Round::read(
        &next_line("the relayed broadcast's patches").await?,
        published_at,
        clients,
    )
}

async fn wait_connected() -> Result<(), String> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while hotreload::pubsub::redis_status() != Some(hotreload::pubsub::RedisStatus::Connected) {
        if tokio::time::Instant::now() > deadline {
            return Err("the Redis relay did not connect".to_owned());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Ok(())
}

/// The other server: connects its relay, publishes once, prints when, lets it go out.
async fn publisher_process(url: &str) -> Result<(), String> {
    hotreload::pubsub::connect_redis(url).map_err(|e| e.to_string())?;
    wait_connected().await?;
    // The subscription of the bench process's relay is already in place (it connected first).
    let at = now_nanos();
    hotreload::pubsub::publish(&BOARD, Notice(2));
    println!("published {at}");
    tokio::time::sleep(Duration::from_millis(500)).await;
    Ok(())
}

async fn warm_up(addr: SocketAddr) -> Result<(), String> {
    let page = page::fetch(addr).await?;
    let mut socket = page::connect(addr, &page).await?;
    let hello = page::hello(&page, "HotBoard");
    socket
        .send(Message::text(hello.to_string()))
        .await
        .map_err(|e| format!("warm-up hello: {e}"))?;
    let _ = tokio::time::timeout(Duration::from_secs(5), socket.next()).await;
    let _ = socket.close(None).await;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The client side (the child process). Protocol on stdout: it prints `ready` once every client
// has its `welcome` (the server process then saves the file), then `done` followed by each
// client's receipt time of its first patch (nanoseconds since the epoch) or `-` for a client
// that got none in time.

async fn client_process(addr: &str) -> Result<(), String> {
    let addr: SocketAddr = addr.parse().map_err(|e| format!("bad address: {e}"))?;
    let clients = clients();
    let deadline = tokio::time::Instant::now() + DEADLINE;
    let gets = Arc::new(tokio::sync::Semaphore::new(GETS_IN_FLIGHT));
    let (ready_sender, mut ready) = tokio::sync::mpsc::channel::<Result<(), String>>(clients);
    let (round_sender, mut rounds) =
        tokio::sync::mpsc::channel::<(usize, Option<u128>)>(clients * ROUNDS);
    let mut tasks = Vec::with_capacity(clients);
    for _ in 0..clients {
        let (gets, ready) = (Arc::clone(&gets), ready_sender.clone());
        let round_done = round_sender.clone();
        tasks.push(tokio::spawn(async move {
            let socket = async {
                let page = {
                    let _permit = gets.acquire().await.map_err(|e| e.to_string())?;
                    page::fetch(addr).await?
                };
                let mut socket = page::connect(addr, &page).await?;
                let hello = page::hello(&page, "HotBoard");
                socket
                    .send(Message::text(hello.to_string()))
                    .await
                    .map_err(|e| format!("hello: {e}"))?;
                // Until the welcome: the boundary is attached.
                loop {
                    match socket.next().await {
                        Some(Ok(Message::Text(text))) if text.contains("\"welcome\"") => break,
                        Some(Ok(_)) => {}
                        Some(Err(e)) => return Err(format!("before welcome: {e}")),
                        None => return Err("closed before welcome".to_owned()),
                    }
                }
                Ok(socket)
            };
            let mut socket = match tokio::time::timeout_at(deadline, socket).await {
                Ok(Ok(socket)) => {
                    let _ = ready.send(Ok(())).await;
                    socket
                }
                Ok(Err(why)) => {
                    let _ = ready.send(Err(why)).await;
                    return None;
                }
                Err(_) => {
                    let _ = ready.send(Err("setup timed out".to_owned())).await;
                    return None;
                }
            };
            // No event is sent: each frame is one fan-out's (patch or whole html).
            let mut times = Vec::with_capacity(ROUNDS);
            for _ in 0..ROUNDS {
                let receipt = async {
                    loop {
                        match socket.next().await {
                            Some(Ok(Message::Text(text)))
                                if text.contains("\"type\":\"patch\"")
                                    || text.contains("\"type\":\"html\"") =>
                            {
                                return Some(now_nanos());
                            }
                            Some(Ok(_)) => {}
                            Some(Err(_)) | None => return None,
                        }
                    }
                };
                let at = tokio::time::timeout_at(deadline, receipt)
                    .await
                    .ok()
                    .flatten();
                let _ = round_done.send((times.len(), at)).await;
                times.push(at);
            }
            let _ = socket.close(None).await;
            Some(times)
        }));
    }
    drop(ready_sender);
    for _ in 0..clients {
        match tokio::time::timeout_at(deadline, ready.recv()).await {
            Ok(Some(Ok(()))) => {}
            Ok(Some(Err(why))) => {
                println!("a client failed to set up: {why}");
                return Ok(());
            }
            Ok(None) | Err(_) => {
                println!("the clients were not set up within {DEADLINE:?}");
                return Ok(());
            }
        }
    }
    println!("ready");
    drop(round_sender);
    // One line per fan-out, once every client has had its frame (or given up).
    let mut received: Vec<Vec<Option<u128>>> =
        (0..ROUNDS).map(|_| Vec::with_capacity(clients)).collect();
    let mut printed = 0;
    while printed < ROUNDS {
        let Some((round, at)) = rounds.recv().await else {
            break;
        };
        received[round].push(at);
        while printed < ROUNDS && received[printed].len() == clients {
            let mut line = format!("done {printed}");
            for at in &received[printed] {
                match at {
                    Some(at) => line.push_str(&format!(" {at}")),
                    None => line.push_str(" -"),
                }
            }
            println!("{line}");
            printed += 1;
        }
    }
    drop(tasks);
    Ok(())
}
