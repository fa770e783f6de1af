//! State across dev-server restarts, for app data: [`preserve`], [`restore`], [`flush`].
//!
//! Every live view's own state is kept for you (debug builds with hot reload: snapshotted
//! 100 ms after its updates, restored when the page reconnects to a restarted server; opt out
//! with `const PRESERVE_STATE: bool = false`). This module is for data that lives outside
//! views: a cache, an in-memory store, a session table.
//!
//! ```no_run
//! // At start-up:
//! let todos: Vec<String> = hotreload::state::restore("todos").ok().flatten().unwrap_or_default();
//! // After each change:
//! let _ = hotreload::state::preserve("todos", &todos);
//! ```
//!
//! Nothing is written or read unless hot reload is enabled in this process
//! (`enable_hot_reload!` in a debug build with a manifest dir): [`preserve`] and [`restore`]
//! then return [`StateError::Disabled`].

pub use crate::{MigrateError, Migration};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::time::Duration;
use thiserror::Error;

/// Errors of [`preserve`] and [`restore`].
#[derive(Debug, Error)]
pub enum StateError {
    /// Hot reload (and so the state store) is not enabled in this process.
    #[error("state is only kept across restarts when hot reload is enabled")]
    Disabled,
    /// The value could not be encoded or decoded (for [`restore`]: it was saved as another
    /// type, or is corrupt).
    #[error(transparent)]
    Snapshot(#[from] hotreload_state::SnapshotError),
    /// The store could not read or write.
    #[error(transparent)]
    Store(#[from] hotreload_state::StoreError),
}

/// Saves `value` under `key` (letters, digits, `-`, `_`; at most 60) for [`restore`] after a
/// restart. Written in the background, coalesced with later saves of the same key.
pub fn preserve<T: Serialize + ?Sized>(key: &str, value: &T) -> Result<(), StateError> {
    let manager = crate::dev::state_manager().ok_or(StateError::Disabled)?;
    manager.preserve(key, value)
}

/// The value last [`preserve`]d under `key`, if any.
pub fn restore<T: DeserializeOwned>(key: &str) -> Result<Option<T>, StateError> {
    let manager = crate::dev::state_manager().ok_or(StateError::Disabled)?;
    manager.restore_value(key)
}

/// [`restore`] for a type that may have changed since the value was saved (a field added,
/// removed, renamed with `#[serde(alias)]`, or retyped): a value that no longer reads as `T`
/// is migrated field by field (new fields from `T::default()`, see [`Migration`]), as live
/// views' own state is after a rebuild. `Ok(None)` if nothing was saved under `key` or
/// nothing of it fits `T`.
///
/// ```no_run
/// # #[derive(Default, serde::Serialize, serde::Deserialize)] struct Cache { entries: Vec<String> }
/// if let Ok(Some((cache, migration))) = hotreload::state::restore_migrating::<Cache>("cache") {
///     if let Some(migration) = migration {
///         eprintln!("cache migrated: {migration}");
///     }
/// #   let _ = cache;
/// }
/// ```
pub fn restore_migrating<T>(key: &str) -> Result<Option<(T, Option<Migration>)>, StateError>
where
    T: Default + Serialize + DeserializeOwned,
{
    let manager = crate::dev::state_manager().ok_or(StateError::Disabled)?;
    manager.restore_migrating(key)
}

/// Snapshots every live view whose state changed and writes every pending snapshot now. Call
/// it from your own graceful-shutdown path ([`shutdown_signal`](crate::shutdown_signal) does);
/// the in-place restart after a rebuild calls it itself. Does nothing when hot reload is off.
pub fn flush() {
    if let Some(manager) = crate::dev::state_manager() {
        crate::live::runtime::runtime().snapshot_now(Duration::from_secs(5));
        manager.flush();
    }
}
