//! The compiled form of a template as the macro emits it, and the render entry point.
//!
//! Each template in a macro call becomes a `static` [`Template`]: its [`Location`], its statics
//! and its holes' signatures. Rendering goes through [`render`], which in release builds is the
//! macro's straight-line code and nothing else; with hot reload active it first asks the
//! template's registry entry for a hot-swapped layout.

use crate::template::html::Html;
use crate::template::id::{TemplateId, resolve_source_path};
use crate::template::layout::Layout;
use crate::template::registry::{Entry, registry};
use crate::template::scope;
use std::marker::PhantomData;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

/// Whether this build consults the template registry while rendering: debug builds with the
/// `hot-reload` feature (on by default). In release builds it is `false` and rendering never
/// touches the registry, a lock or a thread-local.
pub(crate) const HOT_RELOAD: bool = cfg!(any(
    all(feature = "hot-reload", debug_assertions),
    feature = "registry-in-release"
));

/// Where a template was written, as stamped by the macro in the user's crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    /// `file!()` at the invocation (relative to where rustc ran, unnormalised).
    pub file: &'static str,
    /// `line!()`.
    pub line: u32,
    /// `column!()`.
    pub column: u32,
    /// Nested template index (0 = root).
    pub index: u32,
    /// `CARGO_MANIFEST_DIR` of the crate the template is in.
    pub manifest_dir: &'static str,
}

impl Location {
    /// Used by the macro.
    pub const fn new(
        file: &'static str,
        line: u32,
        column: u32,
        index: u32,
        manifest_dir: &'static str,
    ) -> Self {
        Location {
            file,
            line,
            column,
            index,
            manifest_dir,
        }
    }

    /// The registry key.
    pub fn id(&self) -> TemplateId {
        TemplateId::new(self.file, self.line, self.column, self.index)
    }

    /// The source file on disk, if it can be found.
    pub fn source_path(&self) -> Option<PathBuf> {
        resolve_source_path(self.file, self.manifest_dir)
    }
}

/// What a hole renders; a hot-swapped layout may only use a hole as the kind it was compiled as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HoleKind {
    /// `{expr}` in child position.
    Child,
    /// `name={expr}`.
    Attribute,
    /// `live-event={msg}`.
    Event,
    /// A `for`/`if`/`match` block.
    Block,
}

impl HoleKind {
    /// Whether holes of this kind render a whole attribute (and so need a name).
    pub fn is_attribute(self) -> bool {
        matches!(self, HoleKind::Attribute | HoleKind::Event)
    }
}

/// A compiled hole's signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HoleMeta {
    /// Its kind.
    pub kind: HoleKind,
    /// Normalized expression text (or block header), used to match edited templates.
    pub text: &'static str,
    /// Attribute name for attribute and event holes, `""` otherwise.
    pub attribute: &'static str,
}

impl HoleMeta {
    /// Used by the macro.
    pub const fn new(kind: HoleKind, text: &'static str, attribute: &'static str) -> Self {
        HoleMeta {
            kind,
            text,
            attribute,
        }
    }
}

/// A template as compiled into the binary. Created by the macro as a `static`.
#[derive(Debug)]
pub struct Template {
    location: Location,
    statics: &'static [&'static str],
    holes: &'static [HoleMeta],
    /// Size of the last render, to pre-size the next buffer.
    size_hint: AtomicUsize,
    /// This template's registry entry, looked up once (only with [`HOT_RELOAD`]).
    entry: OnceLock<Arc<Entry>>,
}

impl Template {
    /// Used by the macro.
    pub const fn new(
        location: Location,
        statics: &'static [&'static str],
        holes: &'static [HoleMeta],
    ) -> Self {
        let mut static_len = 0;
        let mut i = 0;
        while i < statics.len() {
            static_len += statics[i].len();
            i += 1;
        }
        Template {
            location,
            statics,
            holes,
            size_hint: AtomicUsize::new(static_len + 16 * holes.len()),
            entry: OnceLock::new(),
        }
    }

    /// Where it was written.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// Its statics: one more than holes.
    pub fn statics(&self) -> &'static [&'static str] {
        self.statics
    }

    /// Its holes' signatures.
    pub fn holes(&self) -> &'static [HoleMeta] {
        self.holes
    }

    /// The layout this template was compiled with.
    pub fn compiled_layout(&self) -> Layout {
        Layout::compiled(self)
    }

    /// The registry entry, registering the template on first use.
    pub(crate) fn entry(&'static self) -> &'static Arc<Entry> {
        self.entry.get_or_init(|| registry().register(self))
    }
}

/// Renders one template into `out`. Called by macro-generated code.
///
/// `holes(i, attribute_name, out)` renders hole `i`; `fast` is the compiled layout as
/// straight-line code. With `HOT_RELOAD` off this is exactly `fast(&holes, out)`.
#[inline(always)]
pub fn render<H, F>(template: &'static Template, out: &mut String, holes: H, fast: F)
where
    H: Fn(usize, &str, &mut String),
    F: FnOnce(&H, &mut String),
{
    if HOT_RELOAD && !bypass_registry() {
        let entry = template.entry();
        scope::record(entry);
        if let Some(layout) = entry.live_layout() {
            layout.render(&holes, out);
            return;
        }
    }
    fast(&holes, out);
}

/// With the bench-only `registry-in-release` feature, lets a benchmark switch the registry path
/// off and on within one run, so both are measured against the same baseline.
#[cfg(feature = "registry-in-release")]
static BYPASS_REGISTRY: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Bench-only (feature `registry-in-release`): render as release builds do, without the registry.
#[cfg(feature = "registry-in-release")]
pub fn set_bypass_registry(bypass: bool) {
    BYPASS_REGISTRY.store(bypass, Ordering::Relaxed);
}

#[inline(always)]
fn bypass_registry() -> bool {
    #[cfg(feature = "registry-in-release")]
    return BYPASS_REGISTRY.load(Ordering::Relaxed);
    #[cfg(not(feature = "registry-in-release"))]
    false
}

/// A buffer sized for `template`'s last render. Called by macro-generated code.
#[inline]
pub fn buffer(template: &Template) -> String {
    String::with_capacity(template.size_hint.load(Ordering::Relaxed))
}

/// Finishes a root render: remembers its size for the next buffer. Called by generated code.
#[inline]
pub fn finish<M>(template: &Template, out: String, _: Messages<M>) -> Html<M> {
    // A little headroom, so a render that grows slightly does not reallocate.
    template
        .size_hint
        .store(out.len() + out.len() / 8, Ordering::Relaxed);
    Html::typed(out)
}

/// The message type of the template being expanded, as a value generated code can pass
/// around: every event binding's expression is checked against it, and the template's value
/// is `Html<M>`. Zero-sized.
pub struct Messages<M>(PhantomData<fn() -> M>);

impl<M> Messages<M> {
    /// The marker for message type `M`.
    pub(crate) fn new() -> Self {
        Messages(PhantomData)
    }
}

impl<M> Clone for Messages<M> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M> Copy for Messages<M> {}

impl<M> std::fmt::Debug for Messages<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Messages")
    }
}

/// Runs a template's generated code with its message type `M` known up front: taken from
/// where the template is used (`render`'s `Html<Self::Message>`), so a binding of another type
/// is reported at the binding, not at the template (or, worse, at a correct binding that came
/// after it). Called by generated code.
///
/// How: rustc deduces a closure's signature from the expected type of the argument it is
/// passed as, and the expected type of a `&dyn Fn` argument, unlike that of a type parameter,
/// carries the `M` of the expected `Html<M>`. So `expected` (a closure that is never called)
/// fixes `M` before `template`, checked next, is: `template` stays a generic closure, inlined
/// as before, and `expected` costs nothing.
#[inline(always)]
pub fn typed<M, F>(expected: &dyn Fn(Messages<M>) -> Html<M>, template: F) -> Html<M>
where
    F: FnOnce(Messages<M>) -> Html<M>,
{
    let _ = expected;
    template(Messages::new())
}
