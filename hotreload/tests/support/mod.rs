//! Test helpers: a server on 127.0.0.1, a raw HTTP GET, a WebSocket client.

#![allow(dead_code, unreachable_pub)]

pub mod redis;

use axum::Router;
use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;

/// A temporary copy of `tests/fixtures/<fixture>` (in a directory of its own, `tag`-named) and
/// a hot-swap engine that serves the fixture's `file!()` key (`key`) from that copy, as the dev
/// server maps a saved source. The engine is not watching yet.
pub fn engine_on_copy(
    fixture: &str,
    key: &str,
    tag: &str,
) -> (
    std::sync::Arc<hotreload::__testing::HotSwapEngine>,
    std::path::PathBuf,
) {
    let dir = std::env::temp_dir().join(format!("hotreload-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let copy = dir.join(fixture);
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(fixture);
    std::fs::copy(source, &copy).unwrap();
    let engine = hotreload::__testing::HotSwapEngine::new(hotreload::__testing::EngineConfig {
        manifest_dir: dir,
        file_map: vec![(key.to_owned(), copy.clone())],
        ..hotreload::__testing::EngineConfig::default()
    });
    (engine, copy)
}

/// Serves `app` on an ephemeral port of 127.0.0.1.
pub async fn serve(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(hotreload::Listener::from(listener), app)
            .await
            .unwrap();
    });
    addr
}

/// A response from [`get`].
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: String,
    pub body: String,
}

/// Like a browser: the session cookie each server set (sent with later requests and socket
/// upgrades to it), and the token of every boundary seen in a page (sent in `hello`).
static SESSIONS: std::sync::LazyLock<
    std::sync::Mutex<std::collections::HashMap<SocketAddr, String>>,
> = std::sync::LazyLock::new(Default::default);
static TOKENS: std::sync::LazyLock<std::sync::Mutex<std::collections::HashMap<String, String>>> =
    std::sync::LazyLock::new(Default::default);

/// The `Cookie` header a browser would send to `addr`, if it has a session there.
pub fn cookie_for(addr: SocketAddr) -> Option<String> {
    SESSIONS.lock().unwrap().get(&addr).cloned()
}

/// Records a token for boundary `id` of `view` as the server at `addr` would have signed it
/// for this test's browser: a page whose server restarted (same key) still has its tokens.
pub fn restarted_page_token(addr: SocketAddr, id: &str, view: &str) {
    let session = cookie_for(addr)
        .and_then(|c| c.strip_prefix("hotreload_session=").map(str::to_owned))
        .unwrap_or_default();
    let token = hotreload::__testing::token_for(id.parse().unwrap(), view, &session);
    TOKENS.lock().unwrap().insert(id.to_owned(), token);
}

/// The token the page gave boundary `id`, if one was seen.
pub fn token_of(id: &str) -> Option<String> {
    TOKENS.lock().unwrap().get(id).cloned()
}

fn remember(addr: SocketAddr, head: &str, body: &str) {
    for line in head.lines() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        if name.eq_ignore_ascii_case("set-cookie")
            && let Some(pair) = value.trim().split(';').next()
            && pair.starts_with("hotreload_session=")
        {
            SESSIONS.lock().unwrap().insert(addr, pair.to_owned());
        }
    }
    let mut rest = body;
    while let Some(at) = rest.find("data-live-view-id=\"") {
        rest = &rest[at + "data-live-view-id=\"".len()..];
        let id = &rest[..16.min(rest.len())];
        let after = &rest[16.min(rest.len())..];
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

/// `GET path` over a fresh connection, HTTP/1.1, `Connection: close`, with the session cookie
/// of `addr` if one was set (unless `extra_headers` has a `Cookie`).
pub async fn get(addr: SocketAddr, path: &str, extra_headers: &[(&str, &str)]) -> Response {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in extra_headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    if !extra_headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("cookie"))
        && let Some(cookie) = cookie_for(addr)
    {
        request.push_str(&format!("Cookie: {cookie}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut raw))
        .await
        .expect("response in time")
        .unwrap();
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").expect("headers end");
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_owned()
    };
    remember(addr, head, &body);
    Response {
        status,
        headers: head.to_owned(),
        body,
    }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&rest[..size]);
        body = &rest[size + 2..];
    }
    out
}

/// The value of `data-live-view-id` of the first boundary in `page`.
pub fn instance_id(page: &str) -> String {
    let start =
        page.find("data-live-view-id=\"").expect("a boundary") + "data-live-view-id=\"".len();
    page[start..start + 16].to_owned()
}

/// The inner HTML of the first boundary in `page` (boundaries are `<div>`s; assumes no nested
/// `<div>` after the inner content's end marker `</div><script`).
pub fn boundary_inner(page: &str) -> String {
    let open = page.find("data-live-view-id=").unwrap();
    let start = open + page[open..].find('>').unwrap() + 1;
    let end = page
        .rfind("</div><script")
        .expect("boundary followed by the client script");
    page[start..end].to_owned()
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>;

/// A test WebSocket client speaking the live protocol.
pub struct Client {
    socket: Socket,
}

impl Client {
    /// Opens the socket with the session cookie of `addr`, as the page's client would.
    pub async fn connect(addr: SocketAddr, path: &str) -> Client {
        Client::connect_with_cookie(addr, path, cookie_for(addr).as_deref()).await
    }

    /// Opens the socket with `cookie` (or none).
    pub async fn connect_with_cookie(addr: SocketAddr, path: &str, cookie: Option<&str>) -> Client {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let mut request = format!("ws://{addr}{path}").into_client_request().unwrap();
        if let Some(cookie) = cookie {
            request
                .headers_mut()
                .insert("cookie", cookie.parse().unwrap());
        }
        let (socket, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("websocket connects");
        Client { socket }
    }

    pub async fn send_text(&mut self, text: &str) {
        self.socket.send(Message::text(text)).await.unwrap();
    }

    pub async fn send(&mut self, frame: Value) {
        self.send_text(&frame.to_string()).await;
    }

    /// The next text frame as JSON, within 5 s.
    pub async fn recv(&mut self) -> Value {
        self.try_recv(Duration::from_secs(5))
            .await
            .expect("a frame in time")
    }

    /// The next text frame, or `None` after `wait`.
    pub async fn try_recv(&mut self, wait: Duration) -> Option<Value> {
        loop {
            let message = tokio::time::timeout(wait, self.socket.next())
                .await
                .ok()??
                .ok()?;
            if let Message::Text(text) = message {
                return Some(serde_json::from_str(&text).unwrap());
            }
        }
    }

    /// Sends `hello` for the given (id, view) boundaries and returns the `welcome`.
    pub async fn hello(&mut self, instances: &[(&str, &str)], resume: bool) -> Value {
        let ids: Vec<String> = instances.iter().map(|(id, _)| (*id).to_owned()).collect();
        let instances: Vec<Value> = instances
            .iter()
            .map(|(id, view)| {
                let mut entry = serde_json::json!({"id": id, "view": view});
                match token_of(id) {
                    Some(token) => entry["token"] = Value::String(token),
                    None => {
                        if let Some(parent) = parent_among(id, &ids) {
                            entry["parent"] = Value::String(parent);
                        }
                    }
                }
                entry
            })
            .collect();
        self.send(
            serde_json::json!({"v": 1, "type": "hello", "instances": instances, "resume": resume}),
        )
        .await;
        // Dev frames (broadcast to every socket while another test edits files or logs) may
        // come first.
        let dev_frames = [
            "swapped",
            "rebuild_needed",
            "overlay",
            "overlay_clear",
            "css",
            "toast",
            "progress",
            "log",
        ];
        loop {
            let frame = self.recv().await;
            if dev_frames.iter().any(|kind| frame["type"] == *kind) {
                continue;
            }
            assert_eq!(frame["type"], "welcome", "{frame}");
            return frame;
        }
    }

    /// Sends `hello` exactly as given (tokens and parents as the test wrote them).
    pub async fn hello_raw(&mut self, instances: Value, resume: bool) {
        self.send(
            serde_json::json!({"v": 1, "type": "hello", "instances": instances, "resume": resume}),
        )
        .await;
    }

    pub async fn event(&mut self, id: &str, event: &str, msg: Value) {
        self.send(
            serde_json::json!({"v": 1, "type": "event", "id": id, "event": event, "msg": msg}),
        )
        .await;
    }

    pub async fn close(mut self) {
        let _ = self.socket.close(None).await;
    }
}

/// The parent of nested boundary `id` among `ids` and the boundaries of pages seen: the one
/// whose child ids include it (a browser knows it from the DOM).
fn parent_among(id: &str, ids: &[String]) -> Option<String> {
    let target: hotreload::InstanceId = id.parse().ok()?;
    let known: Vec<String> = TOKENS.lock().unwrap().keys().cloned().collect();
    ids.iter().chain(known.iter()).find_map(|candidate| {
        let parent: hotreload::InstanceId = candidate.parse().ok()?;
        (0..64)
            .any(|n| hotreload::__testing::child_id(parent, n) == target)
            .then(|| candidate.clone())
    })
}

/// Reads frames until one shows `text` as a whole text node (in an `html` frame or a `text`
/// op; not a prefix of a longer number), within 10 s.
pub async fn until_shown(client: &mut Client, text: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let mut last = String::new();
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let frame: Value = client
            .try_recv(left)
            .await
            .unwrap_or_else(|| panic!("never saw {text:?}; last: {last}"));
        last = frame.to_string();
        // The whole text, in an `html` frame or a `text` op (not a prefix of a larger number).
        if last.contains(&format!("{text}<")) || last.contains(&format!("{text}\"")) {
            return;
        }
    }
}

/// GETs `path`, opens its socket and says hello for its (first) boundary of `view`.
pub async fn open_page(addr: std::net::SocketAddr, path: &str, view: &str) -> (Client, String) {
    let page = get(addr, path, &[]).await;
    let id = instance_id(&page.body);
    let mut client = Client::connect(addr, path).await;
    let welcome = client.hello(&[(&id, view)], false).await;
    assert_eq!(welcome["type"], "welcome");
    (client, id)
}
