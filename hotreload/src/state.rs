//! State across restarts (dev): every live instance's state is snapshotted behind its updates,
//! and restored when the browser reconnects to a restarted server.
//!
//! Snapshots (`hotreload-state`: MessagePack with field names, zstd, a checked header) are
//! taken 100 ms after an update (a burst of updates is serialized once) and written by a
//! coalescing background writer under `<target>/hotreload-state/`, keyed by
//! instance id, and flushed on SIGINT/SIGTERM. After a restart the page's `hello` names ids this
//! process never issued: each is restored from its snapshot (or, if the state type changed in a
//! way that no longer deserializes, mounted fresh with a toast saying why). Views opt out with
//! `const PRESERVE_STATE: bool = false`.
//!
//! Apps can keep their own data across restarts too: [`preserve`] and [`restore`] by key.
//!
//! Active only after hot reload is enabled (debug builds with `enable_hot_reload!`); otherwise
//! nothing is written or read.

use hotreload_state::{
    Limits, SnapshotError, SnapshotStore, StoreError, WriteBehind, decode, encode,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::path::Path;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use thiserror::Error;

/// How long after an update its snapshot is written (updates within it coalesce).
const WRITE_DELAY: Duration = Duration::from_millis(100);

/// Snapshots older than this are removed when the dev server starts.
const MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// Prefix of keys saved with [`preserve`], so they never clash with instance ids.
const USER_PREFIX: &str = "app-";

/// Errors of [`preserve`] and [`restore`].
#[derive(Debug, Error)]
pub enum StateError {
    /// Hot reload (and so the state store) is not enabled in this process.
    #[error("state is only kept across restarts when hot reload is enabled")]
    Disabled,
    /// The value could not be encoded or decoded.
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    /// The store could not read or write.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Counters for the stats endpoint.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct StateStats {
    /// Snapshots scheduled.
    pub snapshots: u64,
    /// Bytes of snapshots scheduled.
    pub snapshot_bytes: u64,
    /// Instances restored after a restart.
    pub restores: u64,
    /// Snapshots that could not be restored (type changed, corrupt).
    pub restore_failures: u64,
}

/// The process's snapshot writer.
#[derive(Debug)]
pub(crate) struct StateManager {
    writer: WriteBehind,
    limits: Limits,
    snapshots: AtomicU64,
    snapshot_bytes: AtomicU64,
    restores: AtomicU64,
    restore_failures: AtomicU64,
}

static MANAGER: OnceLock<StateManager> = OnceLock::new();

/// Starts keeping state under `dir` (once per process): cleans old snapshots, starts the
/// writer, flushes on SIGINT/SIGTERM.
pub(crate) fn enable(dir: &Path) {
    if MANAGER.get().is_some() {
        return;
    }
    let store = match SnapshotStore::open(dir) {
        Ok(store) => store,
        Err(error) => {
            tracing::warn!(%error, "hotreload: state will not survive restarts");
            return;
        }
    };
    if let Ok(removed) = store.cleanup(MAX_AGE)
        && removed > 0
    {
        tracing::debug!(removed, "hotreload: removed old snapshots");
    }
    let writer = match WriteBehind::new(store, WRITE_DELAY) {
        Ok(writer) => writer,
        Err(error) => {
            tracing::warn!(%error, "hotreload: state will not survive restarts");
            return;
        }
    };
    let _ = MANAGER.set(StateManager {
        writer,
        limits: Limits::default(),
        snapshots: AtomicU64::new(0),
        snapshot_bytes: AtomicU64::new(0),
        restores: AtomicU64::new(0),
        restore_failures: AtomicU64::new(0),
    });
    flush_on_signals();
    tracing::debug!(dir = %dir.display(), "hotreload: keeping state across restarts");
}

pub(crate) fn manager() -> Option<&'static StateManager> {
    MANAGER.get()
}

/// Snapshots every changed instance and writes every pending snapshot now (before a restart
/// or exit).
pub fn flush() {
    if let Some(manager) = manager() {
        crate::live::runtime().snapshot_now(Duration::from_secs(5));
        manager.writer.flush();
    }
}

/// The counters, if state keeping is enabled.
pub fn stats() -> Option<StateStats> {
    manager().map(|m| StateStats {
        snapshots: m.snapshots.load(Ordering::Relaxed),
        snapshot_bytes: m.snapshot_bytes.load(Ordering::Relaxed),
        restores: m.restores.load(Ordering::Relaxed),
        restore_failures: m.restore_failures.load(Ordering::Relaxed),
    })
}

/// Saves `value` under `key` (letters, digits, `-`, `_`; at most 60) for [`restore`] after a
/// restart. Written in the background, coalesced with later saves of the same key.
pub fn preserve<T: Serialize + ?Sized>(key: &str, value: &T) -> Result<(), StateError> {
    let manager = manager().ok_or(StateError::Disabled)?;
    let bytes = encode(std::any::type_name::<T>(), value)?;
    manager
        .writer
        .schedule(&format!("{USER_PREFIX}{key}"), bytes)?;
    Ok(())
}

/// The value last [`preserve`]d under `key`, if any.
pub fn restore<T: DeserializeOwned>(key: &str) -> Result<Option<T>, StateError> {
    let manager = manager().ok_or(StateError::Disabled)?;
    let Some(bytes) = manager.writer.load(&format!("{USER_PREFIX}{key}"))? else {
        return Ok(None);
    };
    Ok(Some(decode(
        std::any::type_name::<T>(),
        &bytes,
        &manager.limits,
    )?))
}

impl StateManager {
    /// Schedules a snapshot of instance `key`'s state.
    pub(crate) fn save<T: Serialize>(&self, key: &str, state: &T) {
        match encode(std::any::type_name::<T>(), state) {
            Ok(bytes) => {
                self.snapshots.fetch_add(1, Ordering::Relaxed);
                self.snapshot_bytes
                    .fetch_add(bytes.len() as u64, Ordering::Relaxed);
                if let Err(error) = self.writer.schedule(key, bytes) {
                    tracing::warn!(%error, "hotreload: snapshot not saved");
                }
            }
            Err(error) => tracing::warn!(%error, "hotreload: state does not serialize; not saved"),
        }
    }

    /// The state saved for instance `key`: `None` if there is none, `Err` (a message for the
    /// user) if it no longer restores.
    pub(crate) fn restore<T: DeserializeOwned>(&self, key: &str) -> Option<Result<T, String>> {
        let bytes = match self.writer.load(key) {
            Ok(bytes) => bytes?,
            Err(error) => return Some(Err(error.to_string())),
        };
        let result =
            decode(std::any::type_name::<T>(), &bytes, &self.limits).map_err(|e| e.to_string());
        let counter = if result.is_ok() {
            &self.restores
        } else {
            &self.restore_failures
        };
        counter.fetch_add(1, Ordering::Relaxed);
        Some(result)
    }

    /// Forgets instance `key`'s snapshot (it went away for good).
    pub(crate) fn forget(&self, key: &str) {
        let _ = self.writer.remove(key);
    }
}

/// Flushes snapshots when the process is asked to stop, then exits as the signal would have.
fn flush_on_signals() {
    let Some(tokio) = crate::live::runtime().tokio() else {
        return;
    };
    tokio.spawn(async {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let (Ok(mut interrupt), Ok(mut terminate)) = (
                signal(SignalKind::interrupt()),
                signal(SignalKind::terminate()),
            ) else {
                return;
            };
            let code = tokio::select! {
                _ = interrupt.recv() => 130,
                _ = terminate.recv() => 143,
            };
            flush();
            std::process::exit(code);
        }
        #[cfg(not(unix))]
        {
            if tokio::signal::ctrl_c().await.is_ok() {
                flush();
                std::process::exit(130);
            }
        }
    });
}
