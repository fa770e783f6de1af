//! File uploads over the live socket: what a view allows ([`UploadConfig`] through
//! [`Mount::allow_upload`](crate::Mount::allow_upload)), the handle it keeps and renders
//! ([`Upload`]: entries with progress and errors, cancel, consume), and the registry the
//! connection writes the bytes through (`docs/PROTOCOL.md`, "Uploads").
//!
//! Limits are the server's: a file's declared size, count and type are checked when the client
//! announces it, and no byte beyond the declared size (itself within the limit) is ever
//! written. Files go to a temporary directory per instance, removed when the view consumes
//! them, when the instance goes away, and (for files not complete yet) when the connection
//! that was sending them closes.

use crate::live::runtime::ConnectionId;
use crate::template::InstanceId;
use dashmap::DashMap;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

/// The size of the binary chunks the client sends.
pub(crate) const CHUNK_BYTES: usize = 64 * 1024;

/// What a view accepts for one upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadConfig {
    accept: Vec<String>,
    max_entries: usize,
    max_file_size: u64,
}

impl Default for UploadConfig {
    fn default() -> Self {
        UploadConfig {
            accept: Vec::new(),
            max_entries: 1,
            max_file_size: 8 * 1024 * 1024,
        }
    }
}

impl UploadConfig {
    /// One file of any type, at most 8 MiB.
    pub fn new() -> Self {
        UploadConfig::default()
    }

    /// Accepted types, as in an `accept` attribute: extensions (`".png"`), MIME types
    /// (`"image/png"`) or families (`"image/*"`). Empty: anything.
    pub fn accept<S: Into<String>>(mut self, types: impl IntoIterator<Item = S>) -> Self {
        self.accept = types.into_iter().map(Into::into).collect();
        self
    }

    /// How many files at once.
    pub fn max_entries(mut self, n: usize) -> Self {
        self.max_entries = n.max(1);
        self
    }

    /// The largest file, in bytes.
    pub fn max_file_size(mut self, bytes: u64) -> Self {
        self.max_file_size = bytes;
        self
    }

    fn accepts(&self, name: &str, content_type: &str) -> bool {
        self.accept.is_empty()
            || self.accept.iter().any(|rule| {
                let rule = rule.trim().to_ascii_lowercase();
                if rule.starts_with('.') {
                    name.to_ascii_lowercase().ends_with(&rule)
                } else if let Some(family) = rule.strip_suffix("/*") {
                    content_type
                        .to_ascii_lowercase()
                        .split_once('/')
                        .is_some_and(|(f, _)| f == family)
                } else {
                    content_type.eq_ignore_ascii_case(&rule)
                }
            })
    }
}

/// One file of an upload, as the view renders it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadEntry {
    /// The client's reference for it (for [`Upload::cancel`] and `live-preview`).
    pub reference: String,
    /// The file's name on the user's machine.
    pub name: String,
    /// Its declared MIME type.
    pub content_type: String,
    /// Its declared size.
    pub size: u64,
    /// Bytes received so far.
    pub received: u64,
    /// Why it was refused or stopped, if it was.
    pub error: Option<String>,
}

impl UploadEntry {
    /// Progress in percent (100 once complete).
    pub fn progress(&self) -> u8 {
        if self.size == 0 {
            return if self.error.is_none() { 100 } else { 0 };
        }
        u8::try_from(self.received.saturating_mul(100) / self.size).unwrap_or(100)
    }

    /// Every byte arrived.
    pub fn done(&self) -> bool {
        self.error.is_none() && self.received == self.size
    }
}

/// A finished file handed to [`Upload::consume`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadedFile {
    /// Where it is now (a temporary file, removed after `consume`: move or copy it).
    pub path: PathBuf,
    /// The file's name on the user's machine.
    pub name: String,
    /// Its declared MIME type.
    pub content_type: String,
    /// Its size.
    pub size: u64,
}

/// A view's upload: keep it in the state, render [`entries`](Self::entries) and the input
/// (`<input type="file" live-upload="NAME">`), take the files in `update` with
/// [`consume`](Self::consume). Serializes as its instance and name only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Upload {
    instance: InstanceId,
    name: String,
}

struct Entry {
    public: UploadEntry,
    path: PathBuf,
    file: Option<std::fs::File>,
    connection: ConnectionId,
}

struct Slot {
    config: UploadConfig,
    entries: Vec<Entry>,
}

/// Every instance's uploads.
static REGISTRY: LazyLock<DashMap<InstanceId, HashMap<String, Slot>>> = LazyLock::new(DashMap::new);

/// Files written so far (for names within an instance's directory).
static FILES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The directory uploads are written under (each instance's files in a directory of their
/// own): `$HOTRELOAD_UPLOAD_DIR`, else `hotreload-uploads` in the system's temporary directory.
pub fn upload_dir() -> PathBuf {
    std::env::var_os("HOTRELOAD_UPLOAD_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("hotreload-uploads"))
}

fn instance_dir(instance: InstanceId) -> PathBuf {
    upload_dir().join(format!("{}-{instance}", std::process::id()))
}

fn remove(path: &Path) {
    if let Err(error) = std::fs::remove_file(path)
        && error.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!(path = %path.display(), %error, "hotreload: cannot remove an upload");
    }
}

impl Upload {
    /// Registers upload `name` of `instance` (again, after a restart: entries start empty).
    pub(crate) fn register(instance: InstanceId, name: &str, config: UploadConfig) -> Upload {
        REGISTRY
            .entry(instance)
            .or_default()
            .entry(name.to_owned())
            .and_modify(|slot| slot.config = config.clone())
            .or_insert_with(|| Slot {
                config,
                entries: Vec::new(),
            });
        Upload {
            instance,
            name: name.to_owned(),
        }
    }

    /// The name the markup binds it with: `live-upload="NAME"`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its `accept` list, for the input's `accept` attribute.
    pub fn accept(&self) -> String {
        self.with(|slot| slot.config.accept.join(","))
            .unwrap_or_default()
    }

    /// Its files, in the order chosen.
    pub fn entries(&self) -> Vec<UploadEntry> {
        self.with(|slot| slot.entries.iter().map(|e| e.public.clone()).collect())
            .unwrap_or_default()
    }

    /// Drops file `reference` (its bytes stop being written, its file is removed).
    pub fn cancel(&self, reference: &str) {
        self.with_mut(|slot| {
            slot.entries.retain(|entry| {
                let keep = entry.public.reference != reference;
                if !keep {
                    remove(&entry.path);
                }
                keep
            });
        });
    }

    /// Hands every finished file to `take` (move or copy it from `file.path`), then removes
    /// them; refused and unfinished ones stay (clear refused ones with
    /// [`cancel`](Self::cancel)).
    pub fn consume<T>(&self, mut take: impl FnMut(&UploadedFile) -> T) -> Vec<T> {
        let done: Vec<Entry> = self
            .with_mut(|slot| {
                let (done, rest): (Vec<Entry>, Vec<Entry>) = std::mem::take(&mut slot.entries)
                    .into_iter()
                    .partition(|e| e.public.done());
                slot.entries = rest;
                done
            })
            .unwrap_or_default();
        done.into_iter()
            .map(|entry| {
                let file = UploadedFile {
                    path: entry.path.clone(),
                    name: entry.public.name.clone(),
                    content_type: entry.public.content_type.clone(),
                    size: entry.public.size,
                };
                let value = take(&file);
                remove(&entry.path);
                value
            })
            .collect()
    }

    fn with<T>(&self, f: impl FnOnce(&Slot) -> T) -> Option<T> {
        REGISTRY
            .get(&self.instance)
            .and_then(|slots| slots.get(&self.name).map(f))
    }

    fn with_mut<T>(&self, f: impl FnOnce(&mut Slot) -> T) -> Option<T> {
        REGISTRY
            .get_mut(&self.instance)
            .and_then(|mut slots| slots.get_mut(&self.name).map(f))
    }
}

/// A file the client announces in an `upload` frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Announced {
    /// The client's reference for it (at most 64 bytes).
    #[serde(rename = "ref")]
    pub reference: String,
    /// The file's name.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its MIME type, as the browser says.
    #[serde(rename = "type", default)]
    pub content_type: String,
}

/// The client chose `files` for upload `name` of `instance` over `connection`: each gets an
/// entry (with its error if refused); returns the references to send bytes for.
pub(crate) fn announce(
    connection: ConnectionId,
    instance: InstanceId,
    name: &str,
    files: Vec<Announced>,
) -> Result<Vec<String>, String> {
    let mut slots = REGISTRY
        .get_mut(&instance)
        .ok_or_else(|| format!("this view allows no upload `{name}`"))?;
    let slot = slots
        .get_mut(name)
        .ok_or_else(|| format!("this view allows no upload `{name}`"))?;
    let mut accepted = Vec::new();
    // Refused files stay as entries (the view shows why) until cancelled: bounded, so a page
    // announcing files in a loop cannot grow the server's memory.
    let most = slot.config.max_entries.saturating_mul(2).saturating_add(16);
    for file in files {
        if slot.entries.len() >= most {
            break;
        }
        if file.reference.is_empty()
            || file.reference.len() > 64
            || slot
                .entries
                .iter()
                .any(|e| e.public.reference == file.reference)
        {
            continue;
        }
        let live = slot
            .entries
            .iter()
            .filter(|e| e.public.error.is_none())
            .count();
        let error = if live >= slot.config.max_entries {
            Some(format!(
                "too many files (at most {})",
                slot.config.max_entries
            ))
        } else if file.size > slot.config.max_file_size {
            Some(format!(
                "too large ({} bytes; at most {})",
                file.size, slot.config.max_file_size
            ))
        } else if !slot.config.accepts(&file.name, &file.content_type) {
            Some(format!(
                "not an accepted type (accepted: {})",
                slot.config.accept.join(", ")
            ))
        } else {
            None
        };
        let n = FILES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = instance_dir(instance).join(format!("{n}.upload"));
        let file_handle = if error.is_none() {
            std::fs::create_dir_all(instance_dir(instance))
                .and_then(|()| std::fs::File::create(&path))
                .map_err(|e| tracing::warn!(error = %e, "hotreload: cannot create an upload file"))
                .ok()
        } else {
            None
        };
        let error = error.or_else(|| {
            file_handle
                .is_none()
                .then(|| String::from("the server could not store it"))
        });
        if error.is_none() {
            accepted.push(file.reference.clone());
        }
        slot.entries.push(Entry {
            public: UploadEntry {
                reference: file.reference,
                name: file.name.chars().take(255).collect(),
                content_type: file.content_type.chars().take(255).collect(),
                size: file.size,
                received: 0,
                error,
            },
            path,
            file: file_handle,
            connection,
        });
    }
    Ok(accepted)
}

/// What a chunk did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Chunked {
    /// Written; whether the entry's progress (percent) changed, so the view re-renders.
    Written(bool),
    /// Not written: the client must stop sending this file (the reason is for it).
    Stop(String),
}

/// Writes `bytes` of file `reference` of `instance`, sent over `connection`.
pub(crate) fn chunk(
    connection: ConnectionId,
    instance: InstanceId,
    reference: &str,
    bytes: &[u8],
) -> Chunked {
    let Some(mut slots) = REGISTRY.get_mut(&instance) else {
        return Chunked::Stop(String::from("no such upload"));
    };
    let Some(entry) = slots.values_mut().find_map(|slot| {
        slot.entries
            .iter_mut()
            .find(|e| e.public.reference == reference)
    }) else {
        return Chunked::Stop(String::from("cancelled"));
    };
    if entry.connection != connection || entry.public.error.is_some() {
        return Chunked::Stop(String::from("not being uploaded"));
    }
    let before = entry.public.progress();
    let received = entry.public.received.saturating_add(bytes.len() as u64);
    if received > entry.public.size {
        entry.public.error = Some(String::from("more bytes than announced"));
        entry.file = None;
        remove(&entry.path);
        return Chunked::Stop(String::from("more bytes than announced"));
    }
    let written = entry
        .file
        .as_mut()
        .map(|file| file.write_all(bytes))
        .unwrap_or_else(|| Err(std::io::Error::other("closed")));
    if let Err(error) = written {
        tracing::warn!(%error, "hotreload: cannot write an upload");
        entry.public.error = Some(String::from("the server could not store it"));
        entry.file = None;
        remove(&entry.path);
        return Chunked::Stop(String::from("the server could not store it"));
    }
    entry.public.received = received;
    if received == entry.public.size {
        entry.file = None; // closed: complete
    }
    Chunked::Written(entry.public.progress() != before)
}

/// `connection` closed: files it had not finished sending are removed (their entries too).
pub(crate) fn connection_closed(connection: ConnectionId) {
    for mut slots in REGISTRY.iter_mut() {
        for slot in slots.values_mut() {
            slot.entries.retain(|entry| {
                let unfinished = entry.connection == connection
                    && entry.public.error.is_none()
                    && entry.public.received < entry.public.size;
                if unfinished {
                    remove(&entry.path);
                }
                !unfinished
            });
        }
    }
}

/// The instance went away: its uploads and their directory are removed.
pub(crate) fn forget_instance(instance: InstanceId) {
    if let Some((_, slots)) = REGISTRY.remove(&instance) {
        for slot in slots.values() {
            for entry in &slot.entries {
                remove(&entry.path);
            }
        }
        let _ = std::fs::remove_dir(instance_dir(instance));
    }
}

/// A binary upload frame (what the browser client sends; the test harness sends it too).
/// `reference` is at most 64 bytes (longer ones are refused when announced).
#[cfg(feature = "testing")]
pub(crate) fn chunk_frame(instance: InstanceId, reference: &str, bytes: &[u8]) -> Vec<u8> {
    let reference = &reference.as_bytes()[..reference.len().min(64)];
    let mut frame = Vec::with_capacity(10 + reference.len() + bytes.len());
    frame.push(1);
    frame.extend_from_slice(&instance.0.to_be_bytes());
    frame.push(reference.len() as u8);
    frame.extend_from_slice(reference);
    frame.extend_from_slice(bytes);
    frame
}

/// Splits a binary upload frame: `[1][instance id, 8 bytes big-endian][ref length][ref][bytes]`.
pub(crate) fn parse_chunk(frame: &[u8]) -> Option<(InstanceId, &str, &[u8])> {
    let (&kind, rest) = frame.split_first()?;
    if kind != 1 || rest.len() < 9 {
        return None;
    }
    let (id, rest) = rest.split_at(8);
    let id = InstanceId(u64::from_be_bytes(id.try_into().ok()?));
    let (&len, rest) = rest.split_first()?;
    let len = usize::from(len);
    if rest.len() < len || rest.len() - len > CHUNK_BYTES {
        return None;
    }
    let (reference, bytes) = rest.split_at(len);
    Some((id, std::str::from_utf8(reference).ok()?, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_rules_match_extensions_types_and_families() {
        let config = UploadConfig::new().accept([".png", "image/jpeg", "text/*"]);
        assert!(config.accepts("A.PNG", ""));
        assert!(config.accepts("x", "image/jpeg"));
        assert!(config.accepts("notes", "text/plain"));
        assert!(!config.accepts("x.gif", "image/gif"));
        assert!(UploadConfig::new().accepts("anything", ""));
    }

    #[test]
    fn chunk_frames_parse_and_bad_ones_do_not() {
        let mut frame = vec![1];
        frame.extend_from_slice(&7u64.to_be_bytes());
        frame.push(2);
        frame.extend_from_slice(b"r1hello");
        assert_eq!(
            parse_chunk(&frame),
            Some((InstanceId(7), "r1", &b"hello"[..]))
        );
        assert_eq!(parse_chunk(&[2, 0, 0]), None);
        assert_eq!(parse_chunk(&frame[..10]), None);
        let mut huge = frame.clone();
        huge.extend(std::iter::repeat_n(0, CHUNK_BYTES));
        assert_eq!(parse_chunk(&huge), None);
    }
}
