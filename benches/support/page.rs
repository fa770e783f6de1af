//! What a browser takes from a live page to attach it: the first boundary's id and token, and
//! the session cookie the page set (its tokens are bound to it).

use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A served live page, as its socket needs it.
#[derive(Debug, Clone)]
pub(crate) struct Page {
    /// `data-live-view-id`.
    pub(crate) id: String,
    /// `data-live-token`.
    pub(crate) token: String,
    /// `hotreload_session=...`, for the socket's `Cookie` header.
    pub(crate) cookie: String,
}

/// GETs `/` from `addr` and reads its first boundary.
pub(crate) async fn fetch(addr: SocketAddr) -> Result<Page, String> {
    let mut stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| format!("connect: {e}"))?;
    stream
        .write_all(
            format!("GET / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await
        .map_err(|e| format!("request: {e}"))?;
    let mut page = String::new();
    stream
        .read_to_string(&mut page)
        .await
        .map_err(|e| format!("page: {e}"))?;
    let after = |marker: &str| -> Result<String, String> {
        let at = page
            .find(marker)
            .ok_or_else(|| format!("the page has no {marker}"))?
            + marker.len();
        let end = page[at..].find(['"', ';', '\r']).ok_or("truncated")? + at;
        Ok(page[at..end].to_owned())
    };
    Ok(Page {
        id: after("data-live-view-id=\"")?,
        token: after("data-live-token=\"")?,
        cookie: format!("hotreload_session={}", after("hotreload_session=")?),
    })
}

/// Opens the page's socket at `ws://addr/` with its cookie.
pub(crate) async fn connect(
    addr: SocketAddr,
    page: &Page,
) -> Result<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    String,
> {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut request = format!("ws://{addr}/")
        .into_client_request()
        .map_err(|e| e.to_string())?;
    request.headers_mut().insert(
        "cookie",
        page.cookie.parse().map_err(|_| "bad cookie".to_owned())?,
    );
    tokio_tungstenite::connect_async(request)
        .await
        .map(|(socket, _)| socket)
        .map_err(|e| format!("socket: {e}"))
}

/// The `hello` frame for the page's boundary of view `view`.
pub(crate) fn hello(page: &Page, view: &str) -> serde_json::Value {
    serde_json::json!({"v": 1, "type": "hello", "instances": [{"id": page.id, "view": view, "token": page.token}]})
}
