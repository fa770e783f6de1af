//! The dev state manager: every live instance's state, snapshotted behind its updates, and
//! restored when the browser reconnects to a restarted server.
//!
//! The runtime hands over each state as MessagePack (through the
//! [`RuntimeHooks`](crate::live::hooks::RuntimeHooks) seam); this module frames it
//! (`hotreload-state`: zstd, a checked header naming the type) and a coalescing background
//! writer puts it under `<target>/hotreload-state/`, keyed by instance id. After a restart the
//! page's `hello` names ids this process never issued: each is restored from its snapshot (or,
//! if the state type changed in a way that no longer deserializes, mounted fresh with a toast
//! saying why). Apps keep their own data the same way with `state::preserve`/`restore`.

use crate::state::StateError;
use crate::template::InstanceId;
use hotreload_state::{Limits, SnapshotStore, WriteBehind};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How long after an update its snapshot is written (updates within it coalesce).
const WRITE_DELAY: Duration = Duration::from_millis(100);

/// Snapshots older than this are removed when the dev server starts.
const MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// Prefix of keys saved with [`preserve`](crate::state::preserve), so they never clash with instance ids.
const USER_PREFIX: &str = "app-";

/// Counters for the stats endpoint.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) struct StateStats {
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

impl StateManager {
    /// Opens the store under `dir`, removes old snapshots and starts the writer; `None` (with a
    /// warning) if the directory cannot be used: state then simply does not survive restarts.
    pub(crate) fn open(dir: &Path) -> Option<Self> {
        let store = match SnapshotStore::open(dir) {
            Ok(store) => store,
            Err(error) => {
                tracing::warn!(%error, "hotreload: state will not survive restarts");
                return None;
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
                return None;
            }
        };
        tracing::debug!(dir = %dir.display(), "hotreload: keeping state across restarts");
        Some(StateManager {
            writer,
            limits: Limits::default(),
            snapshots: AtomicU64::new(0),
            snapshot_bytes: AtomicU64::new(0),
            restores: AtomicU64::new(0),
            restore_failures: AtomicU64::new(0),
        })
    }

    /// Writes every pending snapshot now.
    pub(crate) fn flush(&self) {
        self.writer.flush();
    }

    /// The counters.
    pub(crate) fn stats(&self) -> StateStats {
        StateStats {
            snapshots: self.snapshots.load(Ordering::Relaxed),
            snapshot_bytes: self.snapshot_bytes.load(Ordering::Relaxed),
            restores: self.restores.load(Ordering::Relaxed),
            restore_failures: self.restore_failures.load(Ordering::Relaxed),
        }
    }

    /// Saves app data (`state::preserve`) under `key`.
    pub(crate) fn preserve<T: Serialize + ?Sized>(
        &self,
        key: &str,
        value: &T,
    ) -> Result<(), StateError> {
        let bytes = hotreload_state::encode(std::any::type_name::<T>(), value)?;
        self.writer
            .schedule(&format!("{USER_PREFIX}{key}"), bytes)?;
        Ok(())
    }

    /// App data saved under `key` (`state::restore`).
    pub(crate) fn restore_value<T: DeserializeOwned>(
        &self,
        key: &str,
    ) -> Result<Option<T>, StateError> {
        let Some(bytes) = self.writer.load(&format!("{USER_PREFIX}{key}"))? else {
            return Ok(None);
        };
        Ok(Some(hotreload_state::decode(
            std::any::type_name::<T>(),
            &bytes,
            &self.limits,
        )?))
    }

    /// App data saved under `key` as an older version of `T`, migrated field by field if it
    /// no longer reads as `T` (`state::restore_migrating`).
    pub(crate) fn restore_migrating<T>(
        &self,
        key: &str,
    ) -> Result<Option<(T, Option<crate::state::Migration>)>, StateError>
    where
        T: Default + Serialize + DeserializeOwned,
    {
        let Some(bytes) = self.writer.load(&format!("{USER_PREFIX}{key}"))? else {
            return Ok(None);
        };
        let payload =
            hotreload_state::decode_payload(std::any::type_name::<T>(), &bytes, &self.limits)?;
        if let Ok(value) = crate::live::snapshot::from_bytes::<T>(&payload) {
            return Ok(Some((value, None)));
        }
        match crate::live::migrate::migrate::<T>(&payload) {
            Ok((value, migration)) => Ok(Some((value, Some(migration)))),
            Err(error) => {
                tracing::warn!(key, %error, "hotreload: saved value not restored");
                Ok(None)
            }
        }
    }

    /// Schedules a snapshot of instance `id`'s state (MessagePack of type `type_name`).
    pub(crate) fn save(&self, id: InstanceId, type_name: &str, state: &[u8]) {
        match hotreload_state::encode_payload(type_name, state) {
            Ok(bytes) => {
                self.snapshots.fetch_add(1, Ordering::Relaxed);
                self.snapshot_bytes
                    .fetch_add(bytes.len() as u64, Ordering::Relaxed);
                if let Err(error) = self.writer.schedule(&id.to_string(), bytes) {
                    tracing::warn!(%error, "hotreload: snapshot not saved");
                }
            }
            Err(error) => tracing::warn!(%error, "hotreload: snapshot not saved"),
        }
    }

    /// The MessagePack state saved for instance `id`: `Ok(None)` if there is none, `Err` (a
    /// message for the user) if it cannot be read as `type_name`.
    pub(crate) fn load(&self, id: InstanceId, type_name: &str) -> Result<Option<Vec<u8>>, String> {
        let bytes = match self.writer.load(&id.to_string()) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return Ok(None),
            Err(error) => return Err(error.to_string()),
        };
        match hotreload_state::decode_payload(type_name, &bytes, &self.limits) {
            Ok(payload) => Ok(Some(payload)),
            Err(error) => {
                self.count_restore(false);
                Err(error.to_string())
            }
        }
    }

    /// Counts a restore's outcome.
    pub(crate) fn count_restore(&self, restored: bool) {
        let counter = if restored {
            &self.restores
        } else {
            &self.restore_failures
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Forgets instance `id`'s snapshot and history (it went away for good).
    pub(crate) fn forget(&self, id: InstanceId) {
        let _ = self.writer.remove(&id.to_string());
        let _ = self.writer.remove(&history_key(id));
    }

    /// Schedules instance `id`'s inspector history (MessagePack, see `live/history.rs`).
    pub(crate) fn save_history(&self, id: InstanceId, type_name: &str, history: &[u8]) {
        match hotreload_state::encode_payload(type_name, history) {
            Ok(bytes) => {
                if let Err(error) = self.writer.schedule(&history_key(id), bytes) {
                    tracing::debug!(%error, "hotreload: history not saved");
                }
            }
            Err(error) => tracing::debug!(%error, "hotreload: history not saved"),
        }
    }

    /// Instance `id`'s saved history, if there is one that reads as `type_name`'s.
    pub(crate) fn load_history(&self, id: InstanceId, type_name: &str) -> Option<Vec<u8>> {
        let bytes = self.writer.load(&history_key(id)).ok()??;
        hotreload_state::decode_payload(type_name, &bytes, &self.limits)
            .map_err(|error| tracing::debug!(%error, "hotreload: history not restored"))
            .ok()
    }
}

/// The store key of instance `id`'s history, beside its snapshot's.
fn history_key(id: InstanceId) -> String {
    format!("{id}-history")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Serialize)]
    struct Before {
        entries: Vec<String>,
        hits: String,
        stale: bool,
    }

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct Cache {
        entries: Vec<String>,
        hits: u64,
        limit: u32,
    }

    /// An app value saved by an older build (same type name, other fields) comes back migrated.
    #[test]
    fn app_data_of_an_older_struct_is_migrated_field_by_field() {
        let dir = std::env::temp_dir().join(format!("hotreload-state-test-{}", std::process::id()));
        let manager = StateManager::open(&dir).unwrap();
        let old = rmp_serde::to_vec_named(&Before {
            entries: vec!["a".into()],
            hits: "many".into(),
            stale: true,
        })
        .unwrap();
        let framed = hotreload_state::encode_payload(std::any::type_name::<Cache>(), &old).unwrap();
        manager
            .writer
            .schedule(&format!("{USER_PREFIX}cache"), framed)
            .unwrap();
        manager.flush();
        let (cache, migration) = manager
            .restore_migrating::<Cache>("cache")
            .unwrap()
            .unwrap();
        assert_eq!(
            cache,
            Cache {
                entries: vec!["a".into()],
                hits: 0,
                limit: 0
            }
        );
        let migration = migration.expect("a migration ran");
        assert_eq!(migration.kept, ["entries"]);
        assert_eq!(migration.retyped, ["hits"]);
        assert_eq!(migration.added, ["limit"]);
        assert_eq!(migration.removed, ["stale"]);
        // A value that reads as it is needs none.
        manager.preserve("fresh", &cache).unwrap();
        manager.flush();
        let (again, none) = manager
            .restore_migrating::<Cache>("fresh")
            .unwrap()
            .unwrap();
        assert_eq!((again, none), (cache, None));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
