//! Which templates a component instance renders.
//!
//! The LiveView runtime wraps each instance's `render()` in a [`RenderScope`]. While it is
//! open, every template rendered on this thread is noted (cheaply: a pointer comparison against
//! the few templates seen so far), and [`RenderScope::finish`] hands the set to the registry.
//! A hot swap then knows exactly which instances to re-render.
//!
//! Only active with `HOT_RELOAD` (`compiled.rs`); otherwise scopes record nothing.

use crate::template::compiled::HOT_RELOAD;
use crate::template::id::TemplateId;
use crate::template::registry::{Entry, registry};
use std::cell::{Cell, RefCell};
use std::sync::Arc;

/// A live component instance's id, unique within the process and hard to guess. It is
/// written the same way everywhere (markup, frames, snapshot keys, logs): 16 lowercase hex
/// digits, which is also how it serializes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InstanceId(pub u64);

impl std::fmt::Display for InstanceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

/// A string that is not 16 hex digits, where an [`InstanceId`] was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("instance id must be 16 hex digits")]
pub struct BadInstanceId;

impl std::str::FromStr for InstanceId {
    type Err = BadInstanceId;

    fn from_str(text: &str) -> Result<Self, BadInstanceId> {
        if text.len() != 16 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(BadInstanceId);
        }
        u64::from_str_radix(text, 16)
            .map(InstanceId)
            .map_err(|_| BadInstanceId)
    }
}

impl serde::Serialize for InstanceId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for InstanceId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

thread_local! {
    static RECORDING: RefCell<Option<Vec<Arc<Entry>>>> = const { RefCell::new(None) };
    /// The instance whose render is open on this thread (with `HOT_RELOAD`).
    static RENDERING: Cell<Option<InstanceId>> = const { Cell::new(None) };
}

/// The instance whose render is running on this thread, if any (with `HOT_RELOAD` only):
/// what reads of hot-reloadable values (config files) note, so a change re-renders exactly
/// the instances that read it.
pub(crate) fn rendering_instance() -> Option<InstanceId> {
    if HOT_RELOAD {
        RENDERING.with(Cell::get)
    } else {
        None
    }
}

/// Notes that `entry`'s template is being rendered, if a scope is open on this thread.
#[inline]
pub(crate) fn record(entry: &Arc<Entry>) {
    RECORDING.with(|recording| {
        if let Ok(mut recording) = recording.try_borrow_mut()
            && let Some(seen) = recording.as_mut()
            && !seen.iter().any(|e| Arc::ptr_eq(e, entry))
        {
            seen.push(Arc::clone(entry));
        }
    });
}

/// Records the templates rendered on this thread until [`finish`](Self::finish) or drop.
///
/// Scopes nest: an inner scope (a child component rendered inline) records its own set, and
/// the outer one resumes afterwards.
#[derive(Debug)]
pub(crate) struct RenderScope {
    instance: InstanceId,
    outer: Option<Vec<Arc<Entry>>>,
    outer_instance: Option<InstanceId>,
    done: bool,
}

impl RenderScope {
    /// Opens a scope for `instance` on this thread.
    pub(crate) fn enter(instance: InstanceId) -> Self {
        let (outer, outer_instance) = if HOT_RELOAD {
            (
                RECORDING.with(|r| r.borrow_mut().replace(Vec::new())),
                RENDERING.with(|r| r.replace(Some(instance))),
            )
        } else {
            (None, None)
        };
        RenderScope {
            instance,
            outer,
            outer_instance,
            done: false,
        }
    }

    /// Closes the scope, stores the set in the registry and returns it.
    pub(crate) fn finish(mut self) -> Vec<TemplateId> {
        self.close()
    }

    fn close(&mut self) -> Vec<TemplateId> {
        if self.done || !HOT_RELOAD {
            self.done = true;
            return Vec::new();
        }
        self.done = true;
        RENDERING.with(|r| r.set(self.outer_instance));
        let outer = self.outer.take();
        let seen = RECORDING.with(|r| std::mem::replace(&mut *r.borrow_mut(), outer));
        let ids: Vec<TemplateId> = seen
            .unwrap_or_default()
            .iter()
            .map(|e| e.id().clone())
            .collect();
        registry().record_instance(self.instance, ids.clone());
        ids
    }
}

impl Drop for RenderScope {
    fn drop(&mut self) {
        // A render that panicked still leaves the thread's recording state as it found it.
        self.close();
    }
}
