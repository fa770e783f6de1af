//! Templates: what the macro compiles to, how it renders, and the registry that lets a running
//! server swap a template's markup.
//!
//! - `compiled.rs`: the `static` [`Template`] each macro call emits and the [`render`] entry;
//! - `render.rs`: [`Render`] / [`AttributeValue`] (how values become escaped markup);
//! - `html.rs`: the [`Html`] value; `escape.rs`: escaping;
//! - `id.rs`: [`TemplateId`] and resolving `file!()` paths;
//! - `layout.rs`: [`Layout`], a template's statics over the compiled holes (what a swap installs);
//! - `registry.rs`: the global [`Registry`]; `scope.rs`: which instance rendered which template.

mod compiled;
mod escape;
mod html;
mod id;
mod layout;
mod registry;
mod render;
mod scope;

#[cfg(feature = "registry-in-release")]
pub use compiled::set_bypass_registry;
pub use compiled::{HOT_RELOAD, HoleKind, HoleMeta, Location, Template, buffer, finish, render};
pub use escape::escape_into;
pub use html::Html;
pub use id::{TemplateId, normalize_path, resolve_source_path};
pub use layout::{Layout, LayoutError, LayoutHole};
pub use registry::{Entry, Registry, RegistryError, TemplateInfo, registry};
pub use render::{AttributeValue, Displayed, Raw, Render, display, raw, render_event};
pub use scope::{InstanceId, RenderScope};
