//! The LiveView runtime: components with server-side state, driven over a WebSocket.
//!
//! This layer is closed: it runs the same in release and debug builds and names nothing of
//! the dev layer. What development adds (dev frames, state snapshots, the dev client) comes in
//! through one seam, [`hooks::RuntimeHooks`], installed by `HotReload::apply`.
//!
//! - `view.rs`: the [`LiveView`] trait, [`Mount`], [`Event`];
//! - `route.rs`: [`live_view`], the axum route (page, socket, client script);
//! - `connection.rs`: one socket: frames in, frames out;
//! - `protocol.rs`: the wire format and its validation (`docs/PROTOCOL.md`);
//! - `runtime.rs`, `worker.rs`, `instance.rs`: instances live on worker threads (the differ's
//!   tree is not `Send`); an event runs `update` → `render` → diff → `patch` frame;
//! - `handle.rs`: [`LiveHandle`], messages from timers and tasks; `async_work.rs`: named
//!   tasks with loading states ([`Async`], [`TaskResult`]);
//! - `child.rs`: [`Child`], nested views with boundaries of their own;
//! - `outbound.rs` + `breaker.rs`: an instance's line to its connection and the connection's
//!   circuit breaker ([`BreakerConfig`]);
//! - `config.rs`: [`LiveConfig`], per-router settings given as a layer;
//! - `hooks.rs`: the seam to the dev layer; `snapshot.rs`: state as the bytes that cross it;
//!   `migrate/`: a snapshot of an older struct read field by field into the new one;
//! - `history.rs` + `inspect.rs`: the inspector (dev hooks only): each instance's recorded
//!   states and event log, time travel and replay, the `inspect` frame;
//! - `page.rs`: boundary element and script tag; `origin.rs`: same-origin check;
//! - `params.rs`: [`Params`], the URL as state; `effects.rs`: navigation and flash asked for
//!   by a call; `flash.rs`: [`Flash`] messages and [`redirect_with_flash`];
//! - `form.rs` + `form_decode.rs`: [`Form`], typed form decoding with an error per field,
//!   errors shown for used fields only;
//! - `token.rs`: instance tokens (a page attaches only what it was served);
//! - `upload.rs`: [`Upload`]s over the socket (limits, temporary files, progress);
//! - `stats.rs`: counters.

mod app_state;
pub(crate) mod async_work;
mod breaker;
pub(crate) mod child;
mod config;
pub(crate) mod connection;
mod effects;
pub(crate) mod flash;
mod form;
mod form_decode;
mod handle;
pub(crate) mod history;
pub(crate) mod hooks;
pub(crate) mod inspect;
mod instance;
pub(crate) mod migrate;
mod origin;
mod outbound;
pub(crate) mod page;
pub(crate) mod params;
pub(crate) mod protocol;
mod route;
pub(crate) mod runtime;
pub(crate) mod snapshot;
mod stats;
pub(crate) mod token;
pub(crate) mod upload;
mod view;
mod worker;

pub use async_work::{Async, TaskError, TaskResult};
pub use breaker::BreakerConfig;
pub use child::Child;
pub use config::LiveConfig;
pub use flash::{Flash, redirect_with_flash};
pub use form::Form;
pub use handle::{Gone, LiveHandle};
pub use migrate::{MigrateError, Migration};
pub use params::Params;
pub use protocol::{EventKind, FlashKind};
pub use route::{live_view, live_view_with_state};
pub use stats::{LiveStats, stats};
pub use token::{SecretKeyError, set_secret_key};
pub use upload::{Upload, UploadConfig, UploadEntry, UploadedFile, upload_dir};
pub use view::{Context, Event, HandleInfo, LiveView, Mount, default_page};

#[cfg(feature = "testing")]
pub(crate) use route::TestSocket;
pub(crate) use route::{client_js, script_response, upgrade_socket};
