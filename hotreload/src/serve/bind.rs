//! [`bind`]: the listening socket that survives an in-place restart of the dev server, so no
//! connection attempt fails while a new build starts.
//!
//! [`bind`] remembers a duplicate of the listening socket. To restart, the dev layer replaces
//! the process with the new binary (`exec`, same PID, `dev/restart.rs`) and hands the socket
//! over as the new process's standard input; [`bind`] in the new process finds it there
//! (`HOTRELOAD_LISTEN_STDIN=1`) instead of binding again. Connections that arrive meanwhile wait
//! in the socket's backlog. All of this is plain `std` (`Stdio::from(OwnedFd)`,
//! `CommandExt::exec`): no `unsafe`. In release builds `bind` is a plain bind with
//! `TCP_NODELAY` on accepted connections.

use std::io;
use std::sync::{Mutex, PoisonError};

use super::Listener;

/// Set in the environment of a restarted process whose listening socket is its stdin.
pub(crate) const LISTEN_STDIN_ENV: &str = "HOTRELOAD_LISTEN_STDIN";

#[cfg(unix)]
static LISTENER: Mutex<Option<std::os::fd::OwnedFd>> = Mutex::new(None);

/// Binds `addr`, or after an in-place restart takes over the listening socket it left behind.
/// Use it instead of `tokio::net::TcpListener::bind` so a rebuild can restart the server
/// without refusing a single connection. Accepted connections have `TCP_NODELAY` set (see
/// [`Listener`]).
///
/// ```no_run
/// # async fn run(app: axum::Router) -> std::io::Result<()> {
/// let listener = hotreload::bind("127.0.0.1:3000").await?;
/// axum::serve(listener, app)
///     .with_graceful_shutdown(hotreload::shutdown_signal())
///     .await
/// # }
/// ```
pub async fn bind(addr: impl tokio::net::ToSocketAddrs) -> io::Result<Listener> {
    #[cfg(unix)]
    if std::env::var(LISTEN_STDIN_ENV).as_deref() == Ok("1") {
        use std::os::fd::AsFd;
        let fd = io::stdin().as_fd().try_clone_to_owned()?;
        let listener = std::net::TcpListener::from(fd);
        listener.set_nonblocking(true)?;
        // Not a listening TCP socket (someone set the variable by hand): bind normally.
        if listener.local_addr().is_ok() {
            remember(&listener)?;
            return tokio::net::TcpListener::from_std(listener).map(Listener::from);
        }
    }
    let listener = tokio::net::TcpListener::bind(addr).await?;
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        let fd = listener.as_fd().try_clone_to_owned()?;
        *LISTENER.lock().unwrap_or_else(PoisonError::into_inner) = Some(fd);
    }
    Ok(Listener::from(listener))
}

#[cfg(unix)]
fn remember(listener: &std::net::TcpListener) -> io::Result<()> {
    use std::os::fd::AsFd;
    let fd = listener.as_fd().try_clone_to_owned()?;
    *LISTENER.lock().unwrap_or_else(PoisonError::into_inner) = Some(fd);
    Ok(())
}

/// A duplicate of the listening socket [`bind`] made, to hand to a restarted process; `None`
/// if the server did not bind through [`bind`].
#[cfg(feature = "hot-reload")]
#[cfg(unix)]
pub(crate) fn listening_socket() -> Option<io::Result<std::os::fd::OwnedFd>> {
    LISTENER
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .as_ref()
        .map(std::os::fd::OwnedFd::try_clone)
}
