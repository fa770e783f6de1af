//! Restarting the dev server in place with a new build: the process replaces itself (`exec`,
//! same PID) and hands over the listening socket that [`bind`](crate::bind) remembered.

use crate::serve::LISTEN_STDIN_ENV;
use std::io;

/// Why the process could not replace itself.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RestartError {
    /// The server did not bind through [`bind`](crate::bind), so there is no socket to hand over.
    #[error("the server's listener was not bound with hotreload::bind; restart it yourself")]
    NoListener,
    /// Not supported on this platform.
    #[cfg(not(unix))]
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
pub(crate) fn exec_in_place(binary: &std::path::Path) -> RestartError {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let Some(fd) = crate::serve::listening_socket() else {
            return RestartError::NoListener;
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
