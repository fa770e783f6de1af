//! Templates: what the macro compiles to, how it renders, and the registry that lets a running
//! server swap a template's markup.
//!
//! - `compiled.rs`: the `static` [`Template`] each macro call emits and the [`render()`] entry;
//! - `render.rs`: [`Render`] / [`AttributeValue`] (how values become escaped markup);
//! - `html.rs`: the [`Html`] value; `escape.rs`: escaping;
//! - `id.rs`: [`TemplateId`] and resolving `file!()` paths;
//! - `layout.rs`: [`Layout`], a template's statics over the compiled holes (what a swap installs);
//! - `registry.rs`: the global registry; `scope.rs`: which instance rendered which template.

mod compiled;
mod escape;
mod html;
mod id;
mod layout;
// Swaps, reverts and the lookups behind them are the dev layer's; without `hot-reload` only
// what rendering needs is used.
#[cfg_attr(not(feature = "hot-reload"), allow(dead_code))]
mod registry;
#[cfg(test)]
mod registry_tests;
mod render;
mod scope;

#[cfg(feature = "registry-in-release")]
pub use compiled::set_bypass_registry;
pub use compiled::{
    HoleKind, HoleMeta, Location, Messages, Template, buffer, finish, render, typed,
};
pub use escape::escape_into;
pub use html::Html;
pub use id::resolve_source_path;
#[cfg(feature = "hot-reload")]
pub(crate) use id::{TemplateId, normalize_path};
#[cfg(feature = "hot-reload")]
pub(crate) use layout::{Layout, LayoutHole};
pub(crate) use registry::registry;
pub use render::{AttributeValue, Displayed, Raw, Render, display, raw, render_event};
pub use scope::{BadInstanceId, InstanceId};
pub(crate) use scope::{RenderScope, rendering_instance};

/// Whether `instance` rendered and has not gone away since.
pub(crate) fn instance_alive(instance: InstanceId) -> bool {
    registry().knows_instance(instance)
}
