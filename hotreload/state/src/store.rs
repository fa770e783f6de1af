//! [`SnapshotStore`]: snapshots as files in one directory, one file per key, written atomically.
//!
//! Layout of the directory:
//!
//! - `<key>.hrsn`: the snapshot for `key` (bytes as given to [`SnapshotStore::save`]).
//! - `.<key>.<pid>-<n>.tmp`: a save in progress. [`SnapshotStore::save`] writes the temp file,
//!   fsyncs it, then renames it over `<key>.hrsn`, so a crash at any point leaves either the old
//!   snapshot or the new one, never a torn file. A temp file left by a crash is ignored by
//!   [`load`](SnapshotStore::load) and [`keys`](SnapshotStore::keys) and removed by
//!   [`cleanup`](SnapshotStore::cleanup).
//!
//! Anything else in the directory is left alone.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use crate::key;

/// Extension of snapshot files.
const EXT: &str = "hrsn";

/// Suffix of in-progress (or crashed) saves.
const TMP_SUFFIX: &str = ".tmp";

/// A temp file younger than this is assumed to be a save in progress by another thread or
/// process, and [`SnapshotStore::cleanup`] leaves it alone even when `max_age` is shorter.
pub const TEMP_GRACE: Duration = Duration::from_secs(60);

/// Makes temp file names unique within this process.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The key is not 1 to 64 characters of `A-Z a-z 0-9 _ -` (see
    /// [`is_valid_key`](crate::is_valid_key)).
    #[error("invalid snapshot key {key:?}: keys are 1 to 64 characters from A-Z a-z 0-9 _ -")]
    InvalidKey {
        /// The key (shortened if long).
        key: String,
    },

    /// The snapshot file (or the bytes to save) exceeds the store's size cap.
    #[error("snapshot file {} is {size} bytes, over the store's cap of {limit}", path.display())]
    TooLarge {
        /// The snapshot file.
        path: PathBuf,
        /// Its size (at least; the file may still be growing).
        size: u64,
        /// [`SnapshotStore::max_file_size`].
        limit: u64,
    },

    /// A filesystem operation failed.
    #[error("could not {op} {}: {source}", path.display())]
    Io {
        /// What was being done ("create directory", "write", "rename", ...).
        op: &'static str,
        /// The path it was done to.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: io::Error,
    },
}

impl StoreError {
    fn io<'a>(op: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> Self + 'a {
        move |source| Self::Io {
            op,
            path: path.to_owned(),
            source,
        }
    }
}

/// A directory of snapshots, one file per key. Cheap to clone; safe to share between threads
/// (each operation is a self-contained filesystem call).
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("hrsn-doc-{}", std::process::id()));
/// use hotreload_state::SnapshotStore;
///
/// let store = SnapshotStore::open(&dir)?;
/// store.save("counter-1", b"snapshot bytes")?;
/// assert_eq!(store.load("counter-1")?.as_deref(), Some(&b"snapshot bytes"[..]));
/// assert_eq!(store.keys()?, ["counter-1"]);
/// assert!(store.remove("counter-1")?);
/// assert_eq!(store.load("counter-1")?, None);
/// assert!(store.load("../escape").is_err());
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), hotreload_state::StoreError>(())
/// ```
#[derive(Debug, Clone)]
pub struct SnapshotStore {
    dir: PathBuf,
    max_file_size: u64,
}

impl SnapshotStore {
    /// Default [`max_file_size`](Self::max_file_size): 64 MiB.
    pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;

    /// Opens the store in `dir`, creating the directory (and its parents) if needed.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self, StoreError> {
        let dir = dir.into();
        fs::create_dir_all(&dir).map_err(StoreError::io("create directory", &dir))?;
        Ok(Self {
            dir,
            max_file_size: Self::DEFAULT_MAX_FILE_SIZE,
        })
    }

    /// Sets the largest snapshot file [`save`](Self::save) writes and [`load`](Self::load)
    /// reads.
    pub fn with_max_file_size(mut self, bytes: u64) -> Self {
        self.max_file_size = bytes;
        self
    }

    /// The directory snapshots live in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The size cap for one snapshot file.
    pub fn max_file_size(&self) -> u64 {
        self.max_file_size
    }

    /// The file that holds `key`'s snapshot (whether or not it exists).
    pub fn path_of(&self, key: &str) -> Result<PathBuf, StoreError> {
        key::check(key)?;
        Ok(self.dir.join(format!("{key}.{EXT}")))
    }

    /// Stores `bytes` under `key`, replacing any previous snapshot atomically: write a temp file
    /// in the same directory, fsync it, rename it over the old one, fsync the directory.
    pub fn save(&self, key: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let path = self.path_of(key)?;
        if bytes.len() as u64 > self.max_file_size {
            return Err(StoreError::TooLarge {
                path,
                size: bytes.len() as u64,
                limit: self.max_file_size,
            });
        }
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = self
            .dir
            .join(format!(".{key}.{}-{n}{TMP_SUFFIX}", std::process::id()));
        let written = write_synced(&tmp, bytes)
            .and_then(|()| fs::rename(&tmp, &path).map_err(StoreError::io("rename", &tmp)));
        if let Err(e) = written {
            // Best effort: a leftover is also removed by `cleanup`.
            let _ = fs::remove_file(&tmp);
            return Err(e);
        }
        sync_dir(&self.dir);
        Ok(())
    }

    /// The snapshot stored under `key`, or `None` if there is none.
    ///
    /// A file over [`max_file_size`](Self::max_file_size) is rejected from its metadata, without
    /// reading it; reading is bounded too, in case the file grows meanwhile.
    pub fn load(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let path = self.path_of(key)?;
        let file = match File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(StoreError::io("open", &path)(e)),
        };
        let len = file
            .metadata()
            .map_err(StoreError::io("read metadata of", &path))?
            .len();
        let limit = self.max_file_size;
        if len > limit {
            return Err(StoreError::TooLarge {
                path,
                size: len,
                limit,
            });
        }
        let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
        file.take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(StoreError::io("read", &path))?;
        if bytes.len() as u64 > limit {
            return Err(StoreError::TooLarge {
                path,
                size: bytes.len() as u64,
                limit,
            });
        }
        Ok(Some(bytes))
    }

    /// Removes `key`'s snapshot. `Ok(false)` if there was none.
    pub fn remove(&self, key: &str) -> Result<bool, StoreError> {
        let path = self.path_of(key)?;
        match fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(StoreError::io("remove", &path)(e)),
        }
    }

    /// The keys that have a snapshot, sorted.
    pub fn keys(&self) -> Result<Vec<String>, StoreError> {
        let mut keys: Vec<String> = self
            .entries()?
            .into_iter()
            .filter_map(|(name, _)| match classify(&name) {
                Entry::Snapshot(key) => Some(key.to_owned()),
                _ => None,
            })
            .collect();
        keys.sort_unstable();
        Ok(keys)
    }

    /// Removes snapshots last written more than `max_age` ago, and temp files left by crashed
    /// saves (older than `max_age` or [`TEMP_GRACE`], whichever is shorter). Returns how many
    /// files were removed. Files that vanish meanwhile or cannot be removed are skipped.
    pub fn cleanup(&self, max_age: Duration) -> Result<usize, StoreError> {
        let now = SystemTime::now();
        let mut removed = 0;
        for (name, path) in self.entries()? {
            let max = match classify(&name) {
                Entry::Snapshot(_) => max_age,
                Entry::Temp => max_age.min(TEMP_GRACE),
                Entry::Other => continue,
            };
            let Ok(modified) = fs::metadata(&path).and_then(|m| m.modified()) else {
                continue;
            };
            // A timestamp in the future (clock skew) counts as fresh.
            let age = now.duration_since(modified).unwrap_or(Duration::ZERO);
            if age >= max {
                match fs::remove_file(&path) {
                    Ok(()) => removed += 1,
                    Err(e) => {
                        tracing::debug!(path = %path.display(), error = %e, "cleanup skipped a file");
                    }
                }
            }
        }
        Ok(removed)
    }

    /// File names (UTF-8 only; nothing this store writes is anything else) and paths in the
    /// directory.
    fn entries(&self) -> Result<Vec<(String, PathBuf)>, StoreError> {
        let read = fs::read_dir(&self.dir).map_err(StoreError::io("list", &self.dir))?;
        let mut out = Vec::new();
        for entry in read {
            let entry = entry.map_err(StoreError::io("list", &self.dir))?;
            if let Ok(name) = entry.file_name().into_string() {
                out.push((name, entry.path()));
            }
        }
        Ok(out)
    }
}

/// What a file in the store directory is.
enum Entry<'a> {
    Snapshot(&'a str),
    Temp,
    Other,
}

fn classify(name: &str) -> Entry<'_> {
    if let Some(key) = name.strip_suffix(EXT).and_then(|s| s.strip_suffix('.'))
        && key::is_valid_key(key)
    {
        return Entry::Snapshot(key);
    }
    if name.starts_with('.') && name.ends_with(TMP_SUFFIX) {
        return Entry::Temp;
    }
    Entry::Other
}

/// Creates `path` (which must not exist), writes `bytes`, and fsyncs it.
fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(StoreError::io("create", path))?;
    file.write_all(bytes)
        .map_err(StoreError::io("write", path))?;
    file.sync_all().map_err(StoreError::io("fsync", path))
}

/// Makes a rename durable by fsyncing its directory. Best effort: not every platform lets a
/// directory be opened or synced, and the rename itself is already atomic.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Err(e) = File::open(dir).and_then(|d| d.sync_all()) {
        tracing::debug!(dir = %dir.display(), error = %e, "could not fsync snapshot directory");
    }
    #[cfg(not(unix))]
    let _ = dir;
}
