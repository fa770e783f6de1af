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
//! - [`dev`] (feature `hot-reload`, debug builds): the re-parser that reads templates back out of
//!   edited source files.
//!
//! In release builds ([`template::HOT_RELOAD`] is `false`) rendering is straight-line string
//! building: no registry, no locks, no thread-locals.

// Lets the macro's `::hotreload::...` paths work inside this crate's own tests and docs.
#[allow(unused_extern_crates)]
extern crate self as hotreload;

#[cfg(feature = "hot-reload")]
pub mod dev;
pub mod template;

pub use hotreload_macros::hot_reload_liveview;
pub use template::{AttributeValue, Html, Raw, Render, display, raw};

/// The names most components need: `use hotreload::prelude::*;`.
pub mod prelude {
    pub use crate::hot_reload_liveview;
    pub use crate::template::{Html, Render, display, raw};
}

/// Used by macro-generated code; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::template::{
        AttributeValue, HoleKind, HoleMeta, Location, Template, buffer, finish, render,
        render_event,
    };
}
