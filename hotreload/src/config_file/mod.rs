//! Typed configuration files that hot-reload: [`ConfigFile`] (its docs are the user guide);
//! `parse.rs` reads TOML and JSON with positions, `watched.rs` is the list the dev watcher asks.

mod parse;
// Only the dev layer's watcher asks about changed files; without `hot-reload` nothing does.
#[cfg_attr(not(feature = "hot-reload"), allow(dead_code))]
pub(crate) mod watched;

pub use parse::Format;

use crate::template::InstanceId;
use serde::de::DeserializeOwned;
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use thiserror::Error;

/// Why a config file could not be used.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The extension names no format this crate reads.
    #[error("{path}: unknown config format (use .toml or .json)")]
    UnknownFormat {
        /// The file.
        path: String,
    },
    /// The text does not parse into the config's type.
    #[error("{path}:{line}:{column}: {message}")]
    Parse {
        /// The file.
        path: String,
        /// 1-based line.
        line: u32,
        /// 1-based column.
        column: u32,
        /// The parser's message.
        message: String,
    },
    /// The validation function refused the value.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// What the validation said.
        message: String,
    },
}

impl ConfigError {
    /// The position of the error in the file (1:1 when it has none).
    pub fn position(&self) -> (u32, u32) {
        match self {
            ConfigError::Parse { line, column, .. } => (*line, *column),
            _ => (1, 1),
        }
    }
}

/// How many readers a file notes before those that went away are pruned.
const PRUNE_READERS: usize = 256;

/// A validation function: `Err(message)` refuses the value (shown in the overlay).
pub type Validate<T> = fn(&T) -> Result<(), String>;

/// Typed configuration files that hot-reload: [`ConfigFile`].
///
/// An app declares a file and the `serde` type it reads into, once, as a `static`:
///
/// ```no_run
/// use hotreload::ConfigFile;
///
/// #[derive(Debug, Default, serde::Deserialize)]
/// struct Dashboard {
///     title: String,
///     refresh_ms: u64,
/// }
///
/// fn check(config: &Dashboard) -> Result<(), String> {
///     if config.refresh_ms < 100 {
///         return Err(format!("refresh_ms must be at least 100, got {}", config.refresh_ms));
///     }
///     Ok(())
/// }
///
/// static DASHBOARD: ConfigFile<Dashboard> =
///     ConfigFile::new(concat!(env!("CARGO_MANIFEST_DIR"), "/dashboard.toml")).validate(check);
///
/// # fn main() -> Result<(), hotreload::ConfigError> {
/// // At start-up: read, parse and validate once (fail early, in every build).
/// DASHBOARD.load()?;
/// // Anywhere, e.g. in `render`: the config now.
/// let title = DASHBOARD.get().title.clone();
/// # let _ = title; Ok(()) }
/// ```
///
/// The format comes from the extension: `.toml` (the `toml` crate) or `.json` (`serde_json`).
///
/// **Debug builds with hot reload** watch the file (the watcher of `enable_hot_reload!`).
/// On a save it is parsed and validated again and, if good, swapped in atomically: a `get`
/// returns either the old value or the new one, never a mix. Every live view whose last
/// render read it (a `get` inside `render`) re-renders with its state kept, so the page shows
/// the change in about the time of a template swap. A syntax error or a failed validation
/// shows the error overlay at the file's line and column with the parser's message, and the
/// last good config stays live until the file is fixed, which clears the overlay.
///
/// - *modified*: parsed, validated and swapped as above;
/// - *deleted*: the last good config stays, with a warning toast (a deleted file is most often
///   the first half of an editor's save, or a `git checkout` in progress);
/// - *created* (again, after it was missing): read as a modification, with a toast.
///
/// **Release builds** (and apps without hot reload) read the file once, at the first `load`
/// or `get`; nothing watches it.
///
/// Declare it as a `static`.
#[derive(Debug)]
pub struct ConfigFile<T: 'static> {
    path: &'static str,
    /// An environment variable that names another path.
    env: Option<&'static str>,
    validate: Option<Validate<T>>,
    current: RwLock<Option<Arc<T>>>,
    /// Registered with the watcher (once).
    watched: AtomicBool,
    /// Instances whose last render read it.
    readers: Mutex<BTreeSet<InstanceId>>,
    /// Whether the file was there at the last look (to tell "created" from "modified").
    present: AtomicBool,
}

impl<T> ConfigFile<T>
where
    T: DeserializeOwned + Send + Sync + 'static,
{
    /// The config in file `path` (relative paths are relative to the working directory when
    /// it is first loaded).
    pub const fn new(path: &'static str) -> Self {
        ConfigFile {
            path,
            env: None,
            validate: None,
            current: RwLock::new(None),
            watched: AtomicBool::new(false),
            readers: Mutex::new(BTreeSet::new()),
            present: AtomicBool::new(false),
        }
    }

    /// Checks every value read (at start-up and after each edit) with `validate`; a refused
    /// value is an error like a parse error.
    pub const fn validate(mut self, validate: Validate<T>) -> Self {
        self.validate = Some(validate);
        self
    }

    /// Reads the file named by environment variable `var` instead, when it is set (a deployed
    /// app's config elsewhere, a test's copy); the path given to [`new`](Self::new) otherwise.
    pub const fn env(mut self, var: &'static str) -> Self {
        self.env = Some(var);
        self
    }

    /// The file: the environment variable's value if [`env`](Self::env) names one that is
    /// set, else the path given.
    pub fn path(&self) -> String {
        self.env
            .and_then(|var| std::env::var(var).ok())
            .filter(|path| !path.is_empty())
            .unwrap_or_else(|| self.path.to_owned())
    }

    /// Reads, parses and validates the file, makes it the current value and (debug builds
    /// with hot reload) watches it. Call it at start-up to fail early on a bad file.
    pub fn load(&'static self) -> Result<Arc<T>, ConfigError> {
        let value = Arc::new(self.read()?);
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::clone(&value));
        self.present.store(true, Ordering::Release);
        self.watch();
        Ok(value)
    }

    /// The current value. Loads the file on first use; if that fails, logs the error and
    /// returns `T::default()` (call [`load`](Self::load) at start-up to fail instead).
    /// Inside a live view's `render`, notes the view as a reader: a change re-renders it.
    pub fn get(&'static self) -> Arc<T>
    where
        T: Default,
    {
        if let Some(instance) = crate::template::rendering_instance()
            && watched::is_watching()
        {
            let mut readers = self.readers.lock().unwrap_or_else(PoisonError::into_inner);
            if readers.insert(instance) && readers.len() > PRUNE_READERS {
                // Instances that went away since (a long session without edits).
                readers.retain(|id| crate::template::instance_alive(*id));
            }
        }
        if let Some(value) = self
            .current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .as_ref()
        {
            return Arc::clone(value);
        }
        match self.load() {
            Ok(value) => value,
            Err(error) => {
                tracing::error!(%error, "hotreload: config not loaded; using the default");
                // There but broken is not missing: fixing it is a modification.
                self.present
                    .store(self.absolute().exists(), Ordering::Release);
                self.watch();
                let value = Arc::new(T::default());
                *self.current.write().unwrap_or_else(PoisonError::into_inner) =
                    Some(Arc::clone(&value));
                value
            }
        }
    }

    /// The file's path, absolute.
    fn absolute(&self) -> PathBuf {
        let path = PathBuf::from(self.path());
        if path.is_absolute() {
            path
        } else {
            std::env::current_dir().map_or_else(|_| path.clone(), |dir| dir.join(&path))
        }
    }

    fn read(&self) -> Result<T, ConfigError> {
        let path = self.absolute();
        let shown = || self.path();
        let format =
            Format::of(&path).ok_or_else(|| ConfigError::UnknownFormat { path: shown() })?;
        let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
            path: shown(),
            source,
        })?;
        let value: T = parse::parse(format, &text).map_err(|failure| ConfigError::Parse {
            path: shown(),
            line: failure.line,
            column: failure.column,
            message: failure.message,
        })?;
        if let Some(validate) = self.validate {
            validate(&value).map_err(|message| ConfigError::Invalid {
                path: shown(),
                message,
            })?;
        }
        Ok(value)
    }

    fn watch(&'static self) {
        if !self.watched.swap(true, Ordering::AcqRel) {
            watched::register(self);
        }
    }
}

impl<T> watched::Watched for ConfigFile<T>
where
    T: DeserializeOwned + Send + Sync + 'static,
{
    fn location(&self) -> PathBuf {
        watched::canonical(&self.absolute())
    }

    fn shown(&self) -> String {
        self.path()
    }

    fn reload(&self) -> watched::Reloaded {
        if !self.absolute().exists() {
            let was_there = self.present.swap(false, Ordering::AcqRel);
            return if was_there {
                watched::Reloaded::Deleted
            } else {
                watched::Reloaded::Unchanged
            };
        }
        let created = !self.present.swap(true, Ordering::AcqRel);
        // An editor that truncates before writing: give it a moment rather than read an
        // empty file (which a config of all-default fields would accept).
        for _ in 0..10 {
            if std::fs::metadata(self.absolute()).is_ok_and(|m| m.len() > 0) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        match self.read() {
            Ok(value) => {
                *self.current.write().unwrap_or_else(PoisonError::into_inner) =
                    Some(Arc::new(value));
                let readers = std::mem::take(
                    &mut *self.readers.lock().unwrap_or_else(PoisonError::into_inner),
                );
                watched::Reloaded::Swapped {
                    readers: readers.into_iter().collect(),
                    created,
                }
            }
            Err(error) => watched::Reloaded::Failed(error),
        }
    }
}
