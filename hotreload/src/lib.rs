//! `hotreload`: LiveView components for axum whose templates hot-reload in the running server,
//! in place, with component state kept.
//!
//! A component is a struct that implements [`LiveView`]: its fields are its state, `update`
//! applies a message, `render` returns markup written with [`hot_reload_liveview!`]. Serve it
//! with [`live_view`]; in debug builds add [`enable_hot_reload!`]:
//!
//! ```
//! use hotreload::prelude::*;
//!
//! #[derive(Default, Serialize, Deserialize)]
//! struct Counter { count: i64 }
//!
//! #[derive(Serialize, Deserialize)]
//! enum Msg { Inc, Dec }
//!
//! impl LiveView for Counter {
//!     type Message = Msg;
//!     fn update(&mut self, msg: Msg, _cx: &mut Context<'_, Self>) {
//!         match msg { Msg::Inc => self.count += 1, Msg::Dec => self.count -= 1 }
//!     }
//!     fn render(&self) -> Html<Msg> {
//!         hot_reload_liveview! {
//!             <h1>"Count: " {self.count}</h1>
//!             <button live-click={Msg::Inc}>"+"</button>
//!             <button live-click={Msg::Dec}>"-"</button>
//!         }
//!     }
//! }
//!
//! // A unit test of `update` needs no server: a detached context.
//! let mut counter = Counter { count: 6 };
//! counter.update(Msg::Inc, &mut Context::detached(&Event::default()));
//! assert!(counter.render().as_str().starts_with("<h1>Count: 7</h1>"));
//!
//! let app: axum::Router = axum::Router::new().route("/", live_view::<Counter>());
//! let app = enable_hot_reload!(app); // debug builds only; release: the router unchanged
//! # drop(app);
//! ```
//!
//! Serve it with [`bind`] (the socket survives dev restarts) and [`shutdown_signal`]:
//!
//! ```no_run
//! # async fn run(app: axum::Router) -> std::io::Result<()> {
//! let listener = hotreload::bind("127.0.0.1:3000").await?;
//! axum::serve(listener, app)
//!     .with_graceful_shutdown(hotreload::shutdown_signal())
//!     .await
//! # }
//! ```
//!
//! # Where to start
//!
//! - [`LiveView`], with [`Mount`] (what `mount` gets: the request, a [`LiveHandle`] for timers
//!   and tasks, nested views as [`Child`]) and [`Context`] (what `update` gets: the [`Event`]
//!   the browser sent, background work with [`Context::start`]). What the page sends is the
//!   view's `Message`; what only the server sends (task results, timer ticks) goes to
//!   [`HandleInfo`], so the page cannot forge it.
//! - [`Html<M>`](Html): a template's value; `M` is the message type of its event bindings,
//!   checked at compile time against the view's `Message` (`fn render(&self) -> Html<Msg>`).
//! - [`hot_reload_liveview!`]: the template syntax (in the `hotreload-syntax` crate's docs);
//!   values render through [`Render`] (escaped) and [`AttributeValue`]; [`raw`] opts out of
//!   escaping, [`display`] renders any `Display`. The same macro renders plain pages: a handler
//!   returning [`Html`] is an axum response.
//! - [`bind`], [`Listener`], [`shutdown_signal`]: serving (the socket survives dev restarts,
//!   `TCP_NODELAY` on every connection, graceful shutdown that keeps the dev state).
//! - [`HotReload`]: dev settings beyond `enable_hot_reload!`; [`LiveConfig`] with
//!   [`BreakerConfig`]: when a page whose patches keep failing is reloaded; [`state`]: app data kept across dev restarts.
//! - Real apps (`docs/APPS.md`): [`Params`] and [`LiveView::handle_params`] (the URL as
//!   state; `live-patch` / `live-navigate` links, [`Context::push_patch`]), [`pubsub`]
//!   (broadcasts between views, across servers with feature `redis`),
//!   [`Context::start_async`] with [`Async`] (named work with a loading state), [`Flash`]
//!   ([`Context::put_flash`], [`redirect_with_flash`]), [`Form`] (typed decoding, errors for
//!   used fields), [`Mount::allow_upload`] with [`Upload`] (files over the socket, limits
//!   enforced, temporary files cleaned up), [`Context::push_event`] (to the page's JavaScript hooks: `live-hook`,
//!   `live-ignore`), [`set_secret_key`] (instance tokens: a page attaches only what it was
//!   served).
//! - [`stats`]: the runtime's counters.
//! - `testing` (feature `testing`): test views in `cargo test` without a browser: a client
//!   that goes through your router, pages driven by CSS selector, patches applied to the
//!   harness's own DOM.
//!
//! # Layers
//!
//! `template` (compiled templates, rendering, the registry the macros stamp ids into) ←
//! `live` (the runtime: views, sockets, instances on worker threads, diff → patch; closed: it
//! names nothing above it) ← `dev` (watcher, re-parser, swaps, rebuilds, dev client, state
//! snapshots; reaches the runtime only through one hooks object) and `serve` (listener,
//! shutdown). The wire protocol is `docs/PROTOCOL.md`; the architecture and data flow are
//! `docs/ARCHITECTURE.md`.
//!
//! In release builds rendering is straight-line string building (no registry, no locks, no
//! thread-locals), and none of the dev layer is compiled into the app's code paths.
#![warn(clippy::unwrap_used, clippy::expect_used)]

// Lets the macro's `::hotreload::...` paths work inside this crate's own tests and docs.
#[allow(unused_extern_crates)]
extern crate self as hotreload;

mod config_file;
mod dev;
mod live;
pub mod pubsub;
mod serve;
#[cfg(feature = "hot-reload")]
pub mod state;
mod template;
#[cfg(feature = "testing")]
pub mod testing;

pub use config_file::{ConfigError, ConfigFile, Format as ConfigFormat, Validate};
pub use dev::{BrowserConsole, HotReload, SourceKey};
pub use hotreload_macros::{enable_hot_reload, hot_reload_liveview};
pub use live::{
    Async, BreakerConfig, Child, Context, Event, EventKind, Flash, FlashKind, Form, Gone,
    HandleInfo, LiveConfig, LiveHandle, LiveStats, LiveView, Mount, Params, SecretKeyError,
    TaskError, TaskResult, Upload, UploadConfig, UploadEntry, UploadedFile, default_page,
    live_view, live_view_with_state, redirect_with_flash, set_secret_key, stats, upload_dir,
};
pub use live::{MigrateError, Migration};
pub use serve::{Listener, bind, shutdown_signal};
pub use template::{
    AttributeValue, BadInstanceId, Displayed, Html, InstanceId, Raw, Render, display, raw,
};

/// The names most components need: `use hotreload::prelude::*;`.
pub mod prelude {
    pub use crate::live::{
        Child, Context, Event, FlashKind, HandleInfo, LiveHandle, LiveView, Mount, Params,
        live_view,
    };
    pub use crate::template::{Html, Render, display, raw};
    pub use crate::{enable_hot_reload, hot_reload_liveview};
    pub use serde::{Deserialize, Serialize};
}

/// Used by macro-generated code; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::dev::enable;
    pub use crate::template::{
        AttributeValue, HoleKind, HoleMeta, Location, Messages, Template, buffer, finish, render,
        render_event, typed,
    };
}

/// Reach into the runtime for this workspace's own integration tests, benches and fuzz
/// targets, which need a process of their own each (the runtime and the registry are process
/// singletons, so they cannot all run as unit tests in one binary). Not an API: it may change
/// in any release.
#[doc(hidden)]
pub mod __testing {
    #[cfg(feature = "hot-reload")]
    pub use crate::dev::{EditReport, EngineConfig, HotSwapEngine};
    pub use crate::live::connection::IDLE_TIMEOUT;
    pub use crate::live::protocol::{ClientFrame, ErrorCode, decode_client_frame};
    #[cfg(feature = "registry-in-release")]
    pub use crate::template::set_bypass_registry;
    pub use crate::template::{escape_into, resolve_source_path};

    /// The id nested view number `n` (in mount order) of instance `parent` gets: the same in
    /// every process, which is how a page's children find their state after a restart.
    pub fn child_id(parent: crate::InstanceId, n: u32) -> crate::InstanceId {
        crate::live::child::child_id(parent, n)
    }

    /// Which worker thread instance `id` lives on, and how many there are (tests that need
    /// two instances on different threads).
    pub fn worker_of(id: crate::InstanceId) -> (usize, usize) {
        crate::live::runtime::runtime().worker_of(id)
    }

    /// A valid token for instance `id` of `view` in the browser whose session cookie is
    /// `session` (`""`: none), as a page served by this process would carry: for tests that
    /// play a page whose server restarted.
    pub fn token_for(id: crate::InstanceId, view: &str, session: &str) -> String {
        let runtime = crate::live::runtime::runtime();
        crate::live::token::sign(
            runtime.token_key(),
            id,
            view,
            session,
            crate::live::token::DEFAULT_MAX_AGE,
        )
    }

    /// The runtime client as served.
    pub const RUNTIME_CLIENT: &str = crate::live::page::RUNTIME_CLIENT;

    /// A client frame in the protocol's envelope, as a browser would send it.
    pub fn client_frame_json(frame: &ClientFrame) -> String {
        crate::live::protocol::frame_json(frame)
    }

    /// Dev frames as every browser gets them.
    pub fn dev_frames() -> tokio::sync::broadcast::Receiver<std::sync::Arc<str>> {
        crate::dev::bus::subscribe()
    }

    /// Sends every dev page a warning toast; returns how many sockets get it.
    pub fn publish_warning(message: &str) -> usize {
        crate::dev::bus::publish(&crate::dev::bus::DevFrame::Toast {
            level: crate::dev::bus::ToastLevel::Warn,
            message: message.to_owned(),
        })
    }

    /// The dev state manager's counters (snapshots, restores, restore failures) as JSON, if
    /// state is kept.
    #[cfg(feature = "hot-reload")]
    pub fn state_stats() -> Option<serde_json::Value> {
        crate::dev::state_manager()
            .map(|manager| serde_json::to_value(manager.stats()).unwrap_or_default())
    }
}
