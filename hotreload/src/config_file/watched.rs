//! The config files this process loaded, for the dev layer's watcher: it asks
//! [`changed`] about every path it sees change, and is told of each new file's directory
//! through the callback set with [`on_register`].
//!
//! Nothing here watches anything by itself: without hot reload (release builds) files are
//! registered and never asked about.

use super::ConfigError;
use crate::template::InstanceId;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock, PoisonError};

/// What a config file did when its path changed.
#[derive(Debug)]
pub(crate) enum Reloaded {
    /// The file parsed and validated: the new value is live; `readers` should re-render.
    Swapped {
        /// Instances whose last render read it.
        readers: Vec<InstanceId>,
        /// The file had been missing (it was created again).
        created: bool,
    },
    /// The file does not parse or validate; the last good value stays.
    Failed(ConfigError),
    /// The file is gone; the last good value stays.
    Deleted,
    /// Nothing to do (still missing).
    Unchanged,
}

/// A loaded config file, whatever its type.
pub(crate) trait Watched: Send + Sync + 'static {
    /// Its absolute, canonical path.
    fn location(&self) -> PathBuf;
    /// Its path as the app gave it (for messages).
    fn shown(&self) -> String;
    /// Reads it again after a change.
    fn reload(&self) -> Reloaded;
}

static FILES: Mutex<Vec<&'static dyn Watched>> = Mutex::new(Vec::new());

type OnRegister = Box<dyn Fn(&Path) + Send + Sync>;
static ON_REGISTER: OnceLock<OnRegister> = OnceLock::new();

/// Whether a watcher asks about changed files (hot reload is enabled): only then do reads
/// note their readers.
pub(crate) fn is_watching() -> bool {
    ON_REGISTER.get().is_some()
}

/// Adds `file` to the watched files (and tells the watcher, if one is running).
pub(crate) fn register(file: &'static dyn Watched) {
    FILES
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(file);
    if let Some(on_register) = ON_REGISTER.get() {
        on_register(&file.location());
    }
}

/// Sets what to do for each config file registered from now on, and does it for those
/// already registered (the dev watcher watches their directories). Once per process.
pub(crate) fn on_register(callback: impl Fn(&Path) + Send + Sync + 'static) {
    if ON_REGISTER.set(Box::new(callback)).is_err() {
        return;
    }
    let paths: Vec<PathBuf> = files().iter().map(|f| f.location()).collect();
    if let Some(on_register) = ON_REGISTER.get() {
        for path in paths {
            on_register(&path);
        }
    }
}

fn files() -> Vec<&'static dyn Watched> {
    FILES.lock().unwrap_or_else(PoisonError::into_inner).clone()
}

/// Where the config files registered are (absolute, directory canonicalized if it exists).
pub(crate) fn locations() -> Vec<PathBuf> {
    files().iter().map(|file| file.location()).collect()
}

/// The config files at `path` (usually one), each reloaded: `(shown path, outcome)`.
pub(crate) fn changed(path: &Path) -> Vec<(String, Reloaded)> {
    let path = canonical(path);
    files()
        .into_iter()
        .filter(|file| file.location() == path)
        .map(|file| (file.shown(), file.reload()))
        .collect()
}

/// `path` with its directory canonicalized (the file itself may be gone).
pub(crate) fn canonical(path: &Path) -> PathBuf {
    match (path.parent(), path.file_name()) {
        (Some(dir), Some(name)) => dir
            .canonicalize()
            .map_or_else(|_| path.to_path_buf(), |dir| dir.join(name)),
        _ => path.to_path_buf(),
    }
}
