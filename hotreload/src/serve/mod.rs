//! Serving an app: the listener and the shutdown future, the same in release and debug builds.
//!
//! - `bind.rs`: [`bind()`], a listening socket that survives the dev server's in-place restarts;
//! - `listener.rs`: [`Listener`], which turns Nagle's algorithm off on every connection;
//! - `shutdown.rs`: [`shutdown_signal`], graceful shutdown that keeps the dev state.

mod bind;
mod listener;
mod shutdown;

pub use bind::bind;
pub use listener::Listener;
pub use shutdown::shutdown_signal;

#[cfg(feature = "hot-reload")]
pub(crate) use bind::LISTEN_STDIN_ENV;
#[cfg(all(unix, feature = "hot-reload"))]
pub(crate) use bind::listening_socket;
