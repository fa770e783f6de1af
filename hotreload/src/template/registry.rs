//! The global template registry: which version of each template is live, and which live
//! component instances rendered which templates.
//!
//! Every template registers itself on its first render (with hot reload active; release builds
//! never get here). A hot swap installs a [`Layout`] for a [`TemplateId`]; the next render of
//! that template anywhere uses it. Swaps may arrive before the template's first render (an
//! `if` branch nobody has seen yet): the layout waits in the entry and is checked against the
//! compiled holes when the template registers.
//!
//! Each entry keeps a version counter (bumped by every swap and revert) and a short history, so
//! a swap whose renders fail can be [reverted](Registry::revert) to the last good version.

use crate::template::compiled::{HoleMeta, Template};
use crate::template::id::TemplateId;
use crate::template::layout::{Layout, LayoutError};
use crate::template::scope::InstanceId;
use dashmap::DashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, OnceLock, PoisonError, RwLock};
use thiserror::Error;

/// How many earlier versions an entry remembers for [`Registry::revert`].
const HISTORY: usize = 16;

/// Errors from registry operations.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub(crate) enum RegistryError {
    /// The layout does not fit the compiled template.
    #[error("cannot swap template {id}: {source}")]
    Layout {
        /// The template.
        id: TemplateId,
        /// What does not fit.
        source: LayoutError,
    },
    /// Revert asked for, but the template runs its compiled version.
    #[error("template {id} has no earlier version to revert to")]
    NothingToRevert {
        /// The template.
        id: TemplateId,
    },
    /// The id names no template the registry has heard of.
    #[error("unknown template {id}")]
    UnknownTemplate {
        /// The template.
        id: TemplateId,
    },
    /// The layout an annotation was made from is not the one the template renders.
    #[error("template {id} does not render the layout its annotation was made from")]
    NotLive {
        /// The template.
        id: TemplateId,
    },
}

/// The process-wide registry used by rendering.
pub(crate) fn registry() -> &'static Registry {
    static REGISTRY: LazyLock<Registry> = LazyLock::new(Registry::new);
    &REGISTRY
}

/// Templates by id, and templates by instance.
#[derive(Debug, Default)]
pub(crate) struct Registry {
    templates: DashMap<TemplateId, Arc<Entry>>,
    instances: DashMap<InstanceId, Vec<TemplateId>>,
}

/// One template's live state.
#[derive(Debug)]
pub(crate) struct Entry {
    id: TemplateId,
    compiled: OnceLock<&'static Template>,
    /// Fast check on the render path: is a swapped layout active?
    swapped: AtomicBool,
    /// Whether `versions.annotated` is set: renders then use it (dev tools' source
    /// annotations), so the common path stays one atomic load.
    annotated: AtomicBool,
    versions: RwLock<Versions>,
}

#[derive(Debug, Default)]
struct Versions {
    version: u64,
    /// `None` means the compiled layout.
    active: Option<Arc<Layout>>,
    /// Earlier versions (layout and annotation), oldest first.
    history: Vec<Earlier>,
    /// The live layout (active or compiled) with `data-hr-src` on every element, set by the
    /// dev layer; a swap drops it (the dev layer installs the new one with the swap), a revert
    /// brings back the one of the version it reverts to.
    annotated: Option<Arc<Layout>>,
    /// The layout `annotated` was made from, checked against the compiled one when the
    /// template registers after it was annotated.
    annotated_base: Option<Arc<Layout>>,
}

/// A version a swap replaced: its layout and its source annotation, for a revert.
#[derive(Debug, Default)]
struct Earlier {
    /// `None` means the compiled layout.
    active: Option<Arc<Layout>>,
    annotated: Option<Arc<Layout>>,
    annotated_base: Option<Arc<Layout>>,
}

/// A snapshot of one template's state, for tools and the stats endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TemplateInfo {
    /// The key.
    pub id: TemplateId,
    /// Bumped by every swap and revert; 0 = never changed.
    pub version: u64,
    /// Whether a hot-swapped layout is live.
    pub swapped: bool,
    /// Whether the compiled template has rendered (and so registered) in this process.
    pub rendered: bool,
    /// The compiled holes, once registered.
    pub holes: Option<&'static [HoleMeta]>,
    /// Where its first element is in the source now (line, column), from its source
    /// annotation: after edits above it, this has moved while `id` keeps the as-built place.
    pub first_element: Option<(u32, u32)>,
}

impl Entry {
    fn new(id: TemplateId) -> Self {
        Entry {
            id,
            compiled: OnceLock::new(),
            swapped: AtomicBool::new(false),
            annotated: AtomicBool::new(false),
            versions: RwLock::new(Versions::default()),
        }
    }

    /// The key.
    pub(crate) fn id(&self) -> &TemplateId {
        &self.id
    }

    /// The layout to render instead of the compiled one, if any: the annotated one when the
    /// dev layer set it, else the active hot-swapped one. Two atomic loads when there is none.
    #[inline]
    pub(crate) fn live_layout(&self) -> Option<Arc<Layout>> {
        if self.annotated.load(Ordering::Acquire) {
            let versions = self.read();
            if let Some(annotated) = &versions.annotated {
                return Some(Arc::clone(annotated));
            }
            return versions.active.clone();
        }
        if !self.swapped.load(Ordering::Acquire) {
            return None;
        }
        self.read().active.clone()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Versions> {
        // A panic while holding the lock cannot leave `Versions` half-updated (every update is
        // a few assignments), so a poisoned lock is still consistent.
        self.versions.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Versions> {
        self.versions
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn info(&self) -> TemplateInfo {
        let versions = self.read();
        TemplateInfo {
            id: self.id.clone(),
            version: versions.version,
            swapped: versions.active.is_some(),
            rendered: self.compiled.get().is_some(),
            holes: self.compiled.get().map(|t| t.holes()),
            first_element: versions
                .annotated
                .as_deref()
                .and_then(first_source_position),
        }
    }

    fn check(&self, layout: &Layout) -> Result<(), RegistryError> {
        match self.compiled.get() {
            Some(template) => {
                layout
                    .check_against(template.holes())
                    .map_err(|source| RegistryError::Layout {
                        id: self.id.clone(),
                        source,
                    })
            }
            None => Ok(()),
        }
    }

    fn install(&self, versions: &mut Versions, active: Option<Arc<Layout>>) -> u64 {
        let previous = Earlier {
            active: std::mem::replace(&mut versions.active, active),
            annotated: versions.annotated.clone(),
            annotated_base: versions.annotated_base.clone(),
        };
        versions.history.push(previous);
        if versions.history.len() > HISTORY {
            versions.history.remove(0);
        }
        versions.version += 1;
        self.swapped
            .store(versions.active.is_some(), Ordering::Release);
        self.set_annotated(versions, None);
        versions.version
    }

    fn set_annotated(&self, versions: &mut Versions, annotated: Option<Arc<Layout>>) {
        self.annotated.store(annotated.is_some(), Ordering::Release);
        if annotated.is_none() {
            versions.annotated_base = None;
        }
        versions.annotated = annotated;
    }
}

impl Registry {
    /// An empty registry. Rendering uses the global one, [`registry()`].
    pub(crate) fn new() -> Self {
        Self::default()
    }

    fn entry(&self, id: &TemplateId) -> Arc<Entry> {
        if let Some(entry) = self.templates.get(id) {
            return Arc::clone(&entry);
        }
        Arc::clone(
            &self
                .templates
                .entry(id.clone())
                .or_insert_with(|| Arc::new(Entry::new(id.clone()))),
        )
    }

    /// Registers a compiled template (on its first render). A layout swapped in before this
    /// point is checked now and dropped, with a warning, if it does not fit.
    pub(crate) fn register(&self, template: &'static Template) -> Arc<Entry> {
        let entry = self.entry(&template.location().id());
        if entry.compiled.set(template).is_ok() {
            let mut versions = entry.write();
            if let Some(active) = versions.active.clone()
                && let Err(error) = entry.check(&active)
            {
                tracing::warn!(%error, "hotreload: dropping a swapped layout that does not fit");
                entry.install(&mut versions, None);
            }
            if versions.active.is_none()
                && let Some(base) = versions.annotated_base.clone()
                && !same_statics(template, &base)
            {
                entry.set_annotated(&mut versions, None);
            }
        }
        entry
    }

    /// Makes `layout` the live version of `id`; returns the new version number.
    #[cfg(test)]
    pub(crate) fn swap(&self, id: &TemplateId, layout: Layout) -> Result<u64, RegistryError> {
        self.swap_annotated(id, layout, None)
    }

    /// [`swap`](Self::swap), with the annotated version of `layout` installed in the same
    /// step, so no render in between shows the markup without its source positions.
    pub(crate) fn swap_annotated(
        &self,
        id: &TemplateId,
        layout: Layout,
        annotated: Option<Layout>,
    ) -> Result<u64, RegistryError> {
        let entry = self.entry(id);
        entry.check(&layout)?;
        let mut versions = entry.write();
        let version = entry.install(&mut versions, Some(Arc::new(layout)));
        entry.set_annotated(&mut versions, annotated.map(Arc::new));
        Ok(version)
    }

    /// Sets `annotated` (`base` with source attributes) as what template `id` renders while
    /// `base` is its live layout; `Ok(false)` if nothing changed. Refused (the annotation
    /// there is kept) when `base` is not the live layout, the swapped one or, before any
    /// swap, the compiled one: the positions would describe other markup. A template not
    /// rendered yet is checked when it registers.
    pub(crate) fn annotate(
        &self,
        id: &TemplateId,
        base: &Layout,
        annotated: Layout,
    ) -> Result<bool, RegistryError> {
        let entry = self.entry(id);
        entry.check(&annotated)?;
        let mut versions = entry.write();
        let live = match (&versions.active, entry.compiled.get()) {
            (Some(active), _) => Some(active.statics() == base.statics()),
            (None, Some(compiled)) => Some(same_statics(compiled, base)),
            (None, None) => None,
        };
        if live == Some(false) {
            // Stale positions (a startup pass that lost a race with an edit): the annotation
            // already there, if any, is the newer one.
            return Err(RegistryError::NotLive { id: id.clone() });
        }
        if versions.annotated.as_deref() == Some(&annotated) {
            return Ok(false);
        }
        versions.annotated_base = Some(Arc::new(base.clone()));
        entry.set_annotated(&mut versions, Some(Arc::new(annotated)));
        Ok(true)
    }

    /// Goes back to the version before the current one (ultimately the compiled template);
    /// returns the new version number.
    pub(crate) fn revert(&self, id: &TemplateId) -> Result<u64, RegistryError> {
        let Some(entry) = self.templates.get(id).map(|e| Arc::clone(&e)) else {
            return Err(RegistryError::UnknownTemplate { id: id.clone() });
        };
        let mut versions = entry.write();
        let Some(previous) = versions.history.pop() else {
            return Err(RegistryError::NothingToRevert { id: id.clone() });
        };
        versions.active = previous.active;
        versions.version += 1;
        entry
            .swapped
            .store(versions.active.is_some(), Ordering::Release);
        // The version reverted to comes back with its source annotation.
        entry.set_annotated(&mut versions, previous.annotated);
        versions.annotated_base = previous.annotated_base;
        Ok(versions.version)
    }

    /// The state of one template.
    #[cfg(test)]
    pub(crate) fn get(&self, id: &TemplateId) -> Option<TemplateInfo> {
        self.templates.get(id).map(|e| e.info())
    }

    /// The active layout of a template: the swapped one, or the compiled one once registered.
    pub(crate) fn layout(&self, id: &TemplateId) -> Option<Layout> {
        let entry = self.templates.get(id)?;
        if let Some(active) = entry.read().active.clone() {
            return Some((*active).clone());
        }
        entry.compiled.get().map(|t| t.compiled_layout())
    }

    /// The compiled template behind `id`, once it has rendered in this process.
    pub(crate) fn compiled(&self, id: &TemplateId) -> Option<&'static Template> {
        self.templates
            .get(id)
            .and_then(|e| e.compiled.get().copied())
    }

    /// Every known template, sorted by id.
    pub(crate) fn templates(&self) -> Vec<TemplateInfo> {
        let mut all: Vec<TemplateInfo> = self.templates.iter().map(|e| e.info()).collect();
        all.sort_by(|a, b| a.id.cmp(&b.id));
        all
    }

    /// Known templates whose normalised `file!()` path is `file`, sorted by id.
    pub(crate) fn templates_in_file(&self, file: &str) -> Vec<TemplateInfo> {
        let file = crate::template::id::normalize_path(file);
        let mut found: Vec<TemplateInfo> = self
            .templates
            .iter()
            .filter(|e| e.id.file() == file)
            .map(|e| e.info())
            .collect();
        found.sort_by(|a, b| a.id.cmp(&b.id));
        found
    }

    /// Records the templates an instance's latest render used (replacing the previous set).
    pub(crate) fn record_instance(&self, instance: InstanceId, templates: Vec<TemplateId>) {
        self.instances.insert(instance, templates);
    }

    /// Instances whose latest render used template `id`, sorted.
    pub(crate) fn instances_using(&self, id: &TemplateId) -> Vec<InstanceId> {
        let mut found: Vec<InstanceId> = self
            .instances
            .iter()
            .filter(|e| e.value().contains(id))
            .map(|e| *e.key())
            .collect();
        found.sort_unstable();
        found
    }

    /// Instances whose latest render used any template from source file `file`, sorted.
    #[cfg(test)]
    pub(crate) fn instances_using_file(&self, file: &str) -> Vec<InstanceId> {
        let file = crate::template::id::normalize_path(file);
        let mut found: Vec<InstanceId> = self
            .instances
            .iter()
            .filter(|e| e.value().iter().any(|t| t.file() == file))
            .map(|e| *e.key())
            .collect();
        found.sort_unstable();
        found
    }

    /// What the registry knows of template `id`.
    pub(crate) fn info(&self, id: &TemplateId) -> Option<TemplateInfo> {
        self.templates.get(id).map(|e| e.info())
    }

    /// The templates an instance's latest render used.
    pub(crate) fn templates_of(&self, instance: InstanceId) -> Vec<TemplateId> {
        self.instances
            .get(&instance)
            .map(|e| e.value().clone())
            .unwrap_or_default()
    }

    /// Whether `instance` rendered and has not gone away since.
    pub(crate) fn knows_instance(&self, instance: InstanceId) -> bool {
        self.instances.contains_key(&instance)
    }

    /// Forgets an instance (it unmounted).
    pub(crate) fn forget_instance(&self, instance: InstanceId) {
        self.instances.remove(&instance);
    }
}

/// The line and column of the first source annotation in `layout` (`data-hr-src="F:L:C"`).
fn first_source_position(layout: &Layout) -> Option<(u32, u32)> {
    const MARK: &str = "data-hr-src=\"";
    let text = layout.statics().iter().find_map(|s| {
        let start = s.find(MARK)? + MARK.len();
        let len = s[start..].find('"')?;
        Some(&s[start..start + len])
    })?;
    let mut parts = text.rsplitn(3, ':');
    let column = parts.next()?.parse().ok()?;
    let line = parts.next()?.parse().ok()?;
    Some((line, column))
}

/// Whether `layout` has `template`'s compiled statics.
fn same_statics(template: &Template, layout: &Layout) -> bool {
    template
        .statics()
        .iter()
        .copied()
        .eq(layout.statics().iter().map(String::as_str))
}
