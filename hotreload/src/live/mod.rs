//! The LiveView runtime: components with server-side state, driven over a WebSocket.
//!
//! - `view.rs`: the [`LiveView`] trait, [`Mount`], [`Event`];
//! - `route.rs`: [`live_view`], the axum route (page, socket, client script);
//! - `connection.rs`: one socket: frames in, frames out;
//! - `protocol.rs`: the wire format ([`protocol`]) and its validation;
//! - `runtime.rs`, `worker.rs`, `instance.rs`: instances live on worker threads (the differ's
//!   tree is not `Send`); an event runs `update` → `render` → diff → `patch` frame;
//! - `handle.rs`: [`LiveHandle`], messages from timers and tasks;
//! - `child.rs`: [`Child`], nested views with boundaries of their own;
//! - `page.rs`: boundary element and script tag; `origin.rs`: same-origin check;
//! - `stats.rs`: counters.

mod child;
mod connection;
mod handle;
mod instance;
mod origin;
mod outbound;
pub(crate) mod page;
pub mod protocol;
mod route;
mod runtime;
mod stats;
mod view;
mod worker;

pub use child::Child;
pub use connection::{IDLE_TIMEOUT, MAX_FRAME_BYTES};
pub use handle::{Gone, LiveHandle};
pub use outbound::set_breaker_config;
pub use page::{CLIENT_JS, CLIENT_MARKER};
pub use route::{live_view, live_view_with_state};
pub use runtime::{LiveRuntime, runtime};
pub use stats::{LiveStats, LiveStatsSnapshot};
pub use view::{Event, LiveView, Mount, default_page};

pub(crate) use route::{client_js, upgrade_socket};
