//! What the tests that `cargo run` a fixture app share: where the workspace and its target
//! directory are, starting the app, and talking to it over HTTP and its live socket.

#![allow(dead_code, unreachable_pub)]

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;

/// The hotreload workspace.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The target directory this test was built into (shared, so a fixture reuses its deps).
pub fn target_dir() -> PathBuf {
    std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The cargo that runs this test.
pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

/// Replaces the first `from` in `path` with `to` (as an editor would save it).
pub fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "`{from}` not in {}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `cargo build -q` of `args` in `dir`, into the shared target directory.
pub fn cargo_build(dir: &Path, args: &[&str]) {
    let built = Command::new(cargo())
        .arg("build")
        .arg("-q")
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .status()
        .expect("cargo builds the fixture");
    assert!(built.success(), "the fixture builds");
}

/// `cargo run -q <args>` in `dir` on `port`, as a developer would start the app; waits for its
/// first line, `pid=N listening on ...`, and returns the cargo process and the server's PID.
pub fn cargo_run(dir: &Path, args: &[&str], port: u16) -> (Child, u32) {
    let mut child = Command::new(cargo())
        .args(["run", "-q"])
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .env("PORT", port.to_string())
        .env("RUST_LOG", "hotreload=info")
        .env_remove("HOTRELOAD_REBUILD")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("cargo runs");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let line = lines
        .next()
        .expect("the fixture prints its URL")
        .expect("utf-8 output");
    let pid = line
        .strip_prefix("pid=")
        .and_then(|rest| rest.split(' ').next())
        .and_then(|pid| pid.parse().ok())
        .unwrap_or_else(|| panic!("unexpected first line: {line}"));
    // Keep draining stdout so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, pid)
}

/// Stops what [`cargo_run`] started.
pub fn stop(mut cargo_run: Child, pid: u32) {
    let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
    let _ = cargo_run.kill();
    let _ = cargo_run.wait();
}

/// Like a browser: the session cookie each server (port) set, sent with later requests and
/// socket upgrades, and every boundary's token seen in a page, sent in `hello`.
static SESSIONS: std::sync::LazyLock<std::sync::Mutex<std::collections::HashMap<u16, String>>> =
    std::sync::LazyLock::new(Default::default);
static TOKENS: std::sync::LazyLock<std::sync::Mutex<std::collections::HashMap<String, String>>> =
    std::sync::LazyLock::new(Default::default);

/// `GET path` over a plain TCP connection, with the session cookie of `port` if it set one;
/// the whole response, headers included.
pub async fn get(port: u16, path: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let cookie = SESSIONS
        .lock()
        .unwrap()
        .get(&port)
        .map(|c| format!("Cookie: {c}\r\n"))
        .unwrap_or_default();
    stream
        .write_all(
            format!(
                "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n{cookie}\r\n"
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let mut page = String::new();
    stream.read_to_string(&mut page).await.unwrap();
    remember(port, &page);
    page
}

fn remember(port: u16, response: &str) {
    for line in response.lines().take_while(|line| !line.is_empty()) {
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("set-cookie")
            && let Some(pair) = value.trim().split(';').next()
            && pair.starts_with("hotreload_session=")
        {
            SESSIONS.lock().unwrap().insert(port, pair.to_owned());
        }
    }
    let marker = "data-live-view-id=\"";
    for (at, _) in response.match_indices(marker) {
        let rest = &response[at + marker.len()..];
        let (id, after) = rest.split_at(16.min(rest.len()));
        if let Some(token) = after.strip_prefix("\" data-live-token=\"")
            && let Some(end) = token.find('"')
        {
            TOKENS
                .lock()
                .unwrap()
                .insert(id.to_owned(), token[..end].to_owned());
        }
    }
}

/// The parent of nested boundary `id` among `ids`: the one whose child ids include it (a
/// browser knows it from the DOM).
fn parent_among(id: &str, ids: &[&str]) -> Option<String> {
    let target: hotreload::InstanceId = id.parse().ok()?;
    ids.iter().find_map(|candidate| {
        let parent: hotreload::InstanceId = candidate.parse().ok()?;
        (0..64)
            .any(|n| hotreload::__testing::child_id(parent, n) == target)
            .then(|| (*candidate).to_owned())
    })
}

/// The boundary ids (`data-live-view-id`) in a page, in document order.
pub fn instance_ids(page: &str) -> Vec<String> {
    page.match_indices("data-live-view-id=\"")
        .map(|(at, m)| page[at + m.len()..at + m.len() + 16].to_owned())
        .collect()
}

/// A live socket.
pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens the live socket at `/` and says hello for `instances` (`(id, view)`).
pub async fn connect(port: u16, instances: &[(&str, &str)], resume: bool) -> Socket {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut request = format!("ws://127.0.0.1:{port}/")
        .into_client_request()
        .unwrap();
    if let Some(cookie) = SESSIONS.lock().unwrap().get(&port) {
        request
            .headers_mut()
            .insert("cookie", cookie.parse().unwrap());
    }
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.expect("ws");
    let ids: Vec<&str> = instances.iter().map(|(id, _)| *id).collect();
    let instances: Vec<Value> = instances
        .iter()
        .map(|(id, view)| {
            let mut entry = json!({"id": id, "view": view});
            match TOKENS.lock().unwrap().get(*id) {
                Some(token) => entry["token"] = Value::String(token.clone()),
                None => {
                    if let Some(parent) = parent_among(id, &ids) {
                        entry["parent"] = Value::String(parent);
                    }
                }
            }
            entry
        })
        .collect();
    let hello = json!({"v": 1, "type": "hello", "instances": instances, "resume": resume});
    send(&mut socket, hello).await;
    socket
}

/// Sends one frame.
pub async fn send(socket: &mut Socket, frame: Value) {
    socket.send(Message::text(frame.to_string())).await.unwrap();
}

/// The next text frame within `wait`, `None` on timeout or when the socket closed.
pub async fn next(socket: &mut Socket, wait: Duration) -> Option<Value> {
    loop {
        match tokio::time::timeout(wait, socket.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => return serde_json::from_str(&text).ok(),
            Ok(Some(Ok(_))) => continue,
            _ => return None,
        }
    }
}

/// Frames until one for which `done` holds (within `wait` each); all of them, that one last.
pub async fn until(
    socket: &mut Socket,
    wait: Duration,
    done: impl Fn(&Value) -> bool,
) -> Vec<Value> {
    let mut frames = Vec::new();
    loop {
        let frame = next(socket, wait).await.unwrap_or_else(|| {
            panic!("the socket closed or went quiet; frames so far: {frames:#?}")
        });
        let finished = done(&frame);
        frames.push(frame);
        if finished {
            return frames;
        }
    }
}
