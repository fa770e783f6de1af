//! The listener [`bind`](crate::bind) returns: a `tokio` TCP listener whose accepted
//! connections have `TCP_NODELAY` set.
//!
//! A LiveView connection writes small frames back to back (a dev toast, then a patch a few
//! milliseconds later). With Nagle's algorithm on (the default for sockets axum accepts), the
//! second write waits until the browser acknowledges the first, and browsers delay that
//! acknowledgement by up to 40 ms: on the dashboard example that was the whole p99 of save → DOM
//! (60 ms with Nagle, 32 ms without). Every serious WebSocket server turns it off.

use std::io;
use std::net::SocketAddr;

use tokio::net::{TcpListener, TcpStream};

/// A TCP listener for `axum::serve` whose connections send small frames immediately
/// (`TCP_NODELAY`). Made by [`bind`](crate::bind); `Listener::from(tcp_listener)` wraps one
/// you bound yourself.
#[derive(Debug)]
pub struct Listener {
    inner: TcpListener,
}

impl Listener {
    /// The address this listener is bound to.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    /// The plain `tokio` listener (accepted sockets then keep the OS default, Nagle on).
    pub fn into_inner(self) -> TcpListener {
        self.inner
    }
}

impl From<TcpListener> for Listener {
    fn from(inner: TcpListener) -> Self {
        Self { inner }
    }
}

impl axum::serve::Listener for Listener {
    type Io = TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (TcpStream, SocketAddr) {
        // axum's own accept loop: retries and backs off on errors such as EMFILE.
        let (stream, addr) = axum::serve::Listener::accept(&mut self.inner).await;
        if let Err(error) = stream.set_nodelay(true) {
            // Only costs latency; the connection still works.
            tracing::debug!(%error, %addr, "hotreload: could not set TCP_NODELAY");
        }
        (stream, addr)
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn accepted_connections_have_nodelay() {
        let mut listener = Listener::from(TcpListener::bind("127.0.0.1:0").await.unwrap());
        let addr = listener.local_addr().unwrap();
        let client = TcpStream::connect(addr).await.unwrap();
        let (server_side, peer) = axum::serve::Listener::accept(&mut listener).await;
        assert_eq!(peer, client.local_addr().unwrap());
        assert!(server_side.nodelay().unwrap());
        // The plain listener leaves Nagle on: the wrapper is what changes it.
        let mut plain = listener.into_inner();
        let _client = TcpStream::connect(addr).await.unwrap();
        let (plain_side, _) = axum::serve::Listener::accept(&mut plain).await;
        assert!(!plain_side.nodelay().unwrap());
    }
}
