//! Upload throughput over the live socket on loopback, against a baseline measured in the same
//! run: a plain HTTP `multipart/form-data` POST of the same file to an axum handler
//! (`axum::extract::Multipart`). Both write the file to disk as it arrives.
//!
//! `cargo bench -p hotreload-benches --bench uploads`: prints MB/s for both (the best of five
//! interleaved runs of a 32 MiB file) and the socket's ratio to the baseline.

#[path = "support/page.rs"]
mod page;

use axum::extract::{DefaultBodyLimit, Multipart};
use futures_util::{SinkExt, StreamExt};
use hotreload::prelude::*;
use hotreload::{Upload, UploadConfig};
use std::io::Write as _;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::Message;

const SIZE: usize = 32 * 1024 * 1024;
const CHUNK: usize = 64 * 1024;

/// Takes one file, renders how much arrived.
#[derive(Default, Serialize, Deserialize)]
struct Sink {
    file: Option<Upload>,
}

#[derive(Serialize, Deserialize)]
enum SinkMsg {
    Clear,
}

impl LiveView for Sink {
    type Message = SinkMsg;
    fn mount(&mut self, cx: &mut Mount<'_, Self>) {
        self.file = Some(cx.allow_upload("file", UploadConfig::new().max_file_size(SIZE as u64)));
    }
    fn update(&mut self, SinkMsg::Clear: SinkMsg, _cx: &mut Context<'_, Self>) {
        if let Some(file) = &self.file {
            file.consume(|_| ());
        }
    }
    fn render(&self) -> Html<SinkMsg> {
        let entries = self.file.as_ref().map(Upload::entries).unwrap_or_default();
        hot_reload_liveview! {
            {for entry in &entries { <p>{if entry.done() { "all-done" } else { "sending " }} {entry.progress()}</p> }}
            <button live-click={SinkMsg::Clear}>"clear"</button>
        }
    }
}

async fn multipart_handler(mut multipart: Multipart) -> &'static str {
    let path =
        std::env::temp_dir().join(format!("hotreload-bench-multipart-{}", std::process::id()));
    let Ok(mut file) = std::fs::File::create(&path) else {
        return "no file";
    };
    while let Ok(Some(mut field)) = multipart.next_field().await {
        while let Ok(Some(bytes)) = field.chunk().await {
            if file.write_all(&bytes).is_err() {
                return "write failed";
            }
        }
    }
    let _ = std::fs::remove_file(&path);
    "ok"
}

async fn serve() -> SocketAddr {
    let app = axum::Router::new().route("/", live_view::<Sink>()).route(
        "/multipart",
        axum::routing::post(multipart_handler).layer(DefaultBodyLimit::disable()),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    addr
}

async fn over_the_socket(addr: SocketAddr, data: &[u8]) -> Duration {
    let page = page::fetch(addr).await.expect("page");
    let mut socket = page::connect(addr, &page).await.expect("socket");
    let text = |frame: serde_json::Value| Message::Text(frame.to_string().into());
    socket
        .send(text(page::hello(&page, "Sink")))
        .await
        .expect("hello");
    let started = Instant::now();
    socket
        .send(text(serde_json::json!({"v": 1, "type": "upload", "id": page.id, "name": "file",
            "files": [{"ref": "f", "name": "f.bin", "size": data.len(), "type": "application/octet-stream"}]})))
        .await
        .expect("upload");
    // Wait for upload_ready.
    while let Some(Ok(frame)) = socket.next().await {
        if frame.to_text().is_ok_and(|t| t.contains("upload_ready")) {
            break;
        }
    }
    let id = u64::from_str_radix(&page.id, 16).expect("hex id");
    for chunk in data.chunks(CHUNK) {
        let mut frame = Vec::with_capacity(chunk.len() + 11);
        frame.push(1);
        frame.extend_from_slice(&id.to_be_bytes());
        frame.push(1);
        frame.push(b'f');
        frame.extend_from_slice(chunk);
        socket
            .feed(Message::Binary(frame.into()))
            .await
            .expect("chunk");
    }
    socket.flush().await.expect("flush");
    while let Some(Ok(frame)) = socket.next().await {
        if frame.to_text().is_ok_and(|t| t.contains("all-done")) {
            break;
        }
    }
    let took = started.elapsed();
    let clear = serde_json::json!({"v": 1, "type": "event", "id": page.id, "event": "click", "msg": "Clear"});
    let _ = socket.send(text(clear)).await;
    let _ = socket.close(None).await;
    took
}

async fn multipart_post(addr: SocketAddr, data: &[u8]) -> Duration {
    let boundary = "hotreloadbenchboundary";
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    );
    let tail = format!("\r\n--{boundary}--\r\n");
    let started = Instant::now();
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    let request = format!(
        "POST /multipart HTTP/1.1\r\nHost: {addr}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        head.len() + data.len() + tail.len()
    );
    stream.write_all(request.as_bytes()).await.expect("request");
    stream.write_all(head.as_bytes()).await.expect("head");
    stream.write_all(data).await.expect("body");
    stream.write_all(tail.as_bytes()).await.expect("tail");
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .await
        .expect("response");
    assert!(response.ends_with("ok"), "{response}");
    started.elapsed()
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let data: Vec<u8> = (0..SIZE).map(|i| (i % 251) as u8).collect();
    rt.block_on(async {
        let addr = serve().await;
        // Warm up both paths once.
        over_the_socket(addr, &data).await;
        multipart_post(addr, &data).await;
        let (mut socket, mut multipart) = (Duration::MAX, Duration::MAX);
        for _ in 0..5 {
            socket = socket.min(over_the_socket(addr, &data).await);
            multipart = multipart.min(multipart_post(addr, &data).await);
        }
        let mbps = |d: Duration| SIZE as f64 / 1e6 / d.as_secs_f64();
        println!(
            "upload of {} MiB on loopback: live socket {:.0} MB/s, HTTP multipart (baseline) {:.0} MB/s; socket/baseline {:.2}x",
            SIZE / (1024 * 1024),
            mbps(socket),
            mbps(multipart),
            mbps(socket) / mbps(multipart)
        );
    });
}
