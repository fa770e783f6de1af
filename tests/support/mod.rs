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

/// `GET path` over a plain TCP connection; the whole response, headers included.
pub async fn get(port: u16, path: &str) -> String {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .await
        .unwrap();
    let mut page = String::new();
    stream.read_to_string(&mut page).await.unwrap();
    page
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
    let (mut socket, _) = tokio_tungstenite::connect_async(format!("ws://127.0.0.1:{port}/"))
        .await
        .expect("ws");
    let instances: Vec<Value> = instances
        .iter()
        .map(|(id, view)| json!({"id": id, "view": view}))
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
