//! Restarting the dev server in place: the listening socket survives, so no connection attempt
//! fails while the new binary starts.
//!
//! [`bind`] remembers a duplicate of the listening socket. To restart, the process replaces
//! itself with the new binary (`exec`, same PID) and hands the socket over as the new process's
//! standard input; [`bind`] in the new process finds it there (`HOTRELOAD_LISTEN_STDIN=1`) instead
//! of binding again. Connections that arrive meanwhile wait in the socket's backlog. All of this
//! is plain `std` (`Stdio::from(OwnedFd)`, `CommandExt::exec`): no `unsafe`.

use std::io;
use std::net::SocketAddr;
use std::sync::{Mutex, PoisonError};

use super::Listener;

/// Set in the environment of a restarted process whose listening socket is its stdin.
pub const LISTEN_STDIN_ENV: &str = "HOTRELOAD_LISTEN_STDIN";

#[cfg(unix)]
static LISTENER: Mutex<Option<std::os::fd::OwnedFd>> = Mutex::new(None);

/// Binds `addr`, or after an in-place restart takes over the listening socket it left behind.
/// Use it instead of `tokio::net::TcpListener::bind` so a rebuild can restart the server
/// without refusing a single connection. Accepted connections have `TCP_NODELAY` set (see
/// [`Listener`]).
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

/// The address the remembered listener is bound to, if [`bind`] was used.
pub fn bound_addr() -> Option<SocketAddr> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        let guard = LISTENER.lock().unwrap_or_else(PoisonError::into_inner);
        let fd = guard.as_ref()?.as_fd().try_clone_to_owned().ok()?;
        std::net::TcpListener::from(fd).local_addr().ok()
    }
    #[cfg(not(unix))]
    None
}

/// Why the process could not replace itself.
#[derive(Debug, thiserror::Error)]
pub enum RestartError {
    /// The server did not bind through [`bind`], so there is no socket to hand over.
    #[error("the server's listener was not bound with hotreload::dev::bind; restart it yourself")]
    NoListener,
    /// Not supported on this platform.
    #[error("restarting in place needs a Unix system; restart the server yourself")]
    Unsupported,
    /// `exec` failed.
    #[error("could not start {binary}: {source}")]
    Exec {
        /// The new binary.
        binary: String,
        /// The OS error.
        source: io::Error,
    },
}

/// Replaces this process with `binary` (same arguments, same PID), handing over the listening
/// socket. Returns only if that fails.
pub fn exec_in_place(binary: &std::path::Path) -> RestartError {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let fd = match LISTENER
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
        {
            Some(fd) => fd.try_clone(),
            None => return RestartError::NoListener,
        };
        let fd = match fd {
            Ok(fd) => fd,
            Err(source) => {
                return RestartError::Exec {
                    binary: binary.display().to_string(),
                    source,
                };
            }
        };
        #[cfg(feature = "hot-reload")]
        crate::state::flush();
        tracing::info!(binary = %binary.display(), "hotreload: restarting with the new build");
        let source = std::process::Command::new(binary)
            .args(std::env::args_os().skip(1))
            .env(LISTEN_STDIN_ENV, "1")
            .stdin(std::process::Stdio::from(fd))
            .exec();
        RestartError::Exec {
            binary: binary.display().to_string(),
            source,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = binary;
        RestartError::Unsupported
    }
}
