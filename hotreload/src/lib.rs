//! `hotreload`: LiveView components for axum whose templates hot-reload in the running server,
//! in place, with component state kept.
//!
//! # Finding your way
//!
//! - Write markup with [`hot_reload_liveview!`]; it compiles to an [`Html`] value. Values in
//!   `{braces}` render through [`Render`] (escaped) and [`AttributeValue`]; [`raw`] opts out of
//!   escaping. The syntax is documented in the `hotreload-syntax` crate.
//! - [`template`]: the compiled form ([`template::Template`]), template ids, the global
//!   [`template::Registry`] that holds hot-swapped versions, and render scopes that track which
//!   component instance used which template.
//! - [`live`]: the LiveView runtime: the [`LiveView`] trait, the [`live_view`] axum route, the
//!   WebSocket protocol ([`live::protocol`]), instances on worker threads, patches from the
//!   differ (`hotreload-diff`).
//! - [`dev`] (debug builds): [`enable_hot_reload!`] adds dev routes under `/_hotreload/` and a
//!   layer that injects the client into HTML, and (feature `hot-reload`) starts the hot-swap
//!   engine: watch → re-parse → classify → swap → re-render, and for Rust edits a rebuild with
//!   an in-place restart ([`dev::bind`] keeps the listening socket).
//! - `state` (feature `hot-reload`): component state snapshotted behind updates and restored
//!   after a restart; `preserve`/`restore` by key for app data.
//! - [`recovery`]: the per-connection circuit breaker (resend the boundary, then reload once
//!   per cooldown).
//!
//! The wire protocol is in `docs/PROTOCOL.md`; the README has the architecture and data flow.
//!
//! In release builds ([`template::HOT_RELOAD`] is `false`) rendering is straight-line string
//! building: no registry, no locks, no thread-locals.
#![warn(clippy::unwrap_used, clippy::expect_used)]

// Lets the macro's `::hotreload::...` paths work inside this crate's own tests and docs.
#[allow(unused_extern_crates)]
extern crate self as hotreload;

pub mod dev;
pub mod live;
pub mod recovery;
#[cfg(feature = "hot-reload")]
pub mod state;
pub mod template;

pub use hotreload_macros::{enable_hot_reload, hot_reload_liveview};
pub use live::{Child, Event, LiveHandle, LiveView, Mount, live_view};
pub use template::{AttributeValue, Html, Raw, Render, display, raw};

/// The names most components need: `use hotreload::prelude::*;`.
pub mod prelude {
    pub use crate::live::{Child, Event, LiveHandle, LiveView, Mount, live_view};
    pub use crate::template::{Html, Render, display, raw};
    pub use crate::{enable_hot_reload, hot_reload_liveview};
    pub use serde::{Deserialize, Serialize};
}

/// Used by macro-generated code; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::template::{
        AttributeValue, HoleKind, HoleMeta, Location, Template, buffer, finish, render,
        render_event,
    };
}
