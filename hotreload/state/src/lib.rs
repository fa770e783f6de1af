//! `hotreload-state`: component state that survives a rebuild and restart of the dev server.
//!
//! Each live component's state is turned into a *snapshot* (MessagePack with field names, zstd,
//! a checked header), saved under the cargo target directory behind updates and on shutdown, and
//! restored when the browser reconnects after a restart. A snapshot whose type changed since it
//! was saved is reported as such ([`SnapshotError::is_type_changed`]), so the component mounts
//! fresh with a toast; a corrupt or oversized one is rejected with a specific error. Nothing in
//! this crate panics on bad input.
//!
//! # Where to look
//!
//! | concept | module | main items |
//! |---------|--------|------------|
//! | state to bytes and back | `snapshot` | [`encode`], [`decode`], [`Limits`]; [`encode_payload`], [`decode_payload`] for MessagePack made elsewhere |
//! | the frame in front of the payload, byte by byte | [`header`] | [`peek_header`], [`SnapshotHeader`] |
//! | what can be wrong with a snapshot | `error` | [`SnapshotError`], [`Oversize`] |
//! | files on disk, atomic saves, cleanup | `store` | [`SnapshotStore`], [`StoreError`] |
//! | which names may be stored | `key` | [`is_valid_key`] |
//! | where the files go by default | `dirs` | [`default_dir`] |
//! | saving in the background, coalesced | `write_behind` | [`WriteBehind`], [`WriteBehindStats`] |
//!
//! # Public API
//!
//! ```text
//! encode<T: Serialize + ?Sized>(type_name: &str, state: &T) -> Result<Vec<u8>, SnapshotError>
//! decode<T: DeserializeOwned>(expected_type: &str, bytes: &[u8], limits: &Limits) -> Result<T, SnapshotError>
//! peek_header(bytes: &[u8]) -> Result<SnapshotHeader, SnapshotError>
//!
//! SnapshotStore::open(dir) -> Result<SnapshotStore, StoreError>
//!     .with_max_file_size(u64) .dir() .max_file_size() .path_of(key)
//!     .save(key, &[u8]) -> Result<(), StoreError>                 // temp file + fsync + rename
//!     .load(key) -> Result<Option<Vec<u8>>, StoreError>           // size-capped
//!     .remove(key) -> Result<bool, StoreError>
//!     .keys() -> Result<Vec<String>, StoreError>
//!     .cleanup(max_age: Duration) -> Result<usize, StoreError>    // old snapshots, stray temps
//! default_dir(manifest_dir: &Path) -> PathBuf                     // <target>/hotreload-state
//!
//! WriteBehind::new(store, delay: Duration) -> io::Result<WriteBehind>
//!     .schedule(key, Vec<u8>) -> Result<(), StoreError>   .remove(key)   .load(key)
//!     .flush()   .stats() -> WriteBehindStats   .pending()    // Drop flushes
//! ```
//!
//! # Use
//!
//! ```
//! use std::time::Duration;
//! use hotreload_state::{Limits, SnapshotStore, WriteBehind, decode, encode};
//!
//! #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
//! struct Todo { items: Vec<String>, filter: String }
//!
//! # let dir = std::env::temp_dir().join(format!("hrsn-lib-doc-{}", std::process::id()));
//! // let dir = hotreload_state::default_dir(env!("CARGO_MANIFEST_DIR").as_ref());
//! let store = SnapshotStore::open(&dir)?;
//! let writer = WriteBehind::new(store.clone(), Duration::from_millis(200))?;
//!
//! // After each update of instance "todo-7":
//! let state = Todo { items: vec!["milk".into()], filter: "all".into() };
//! writer.schedule("todo-7", encode("app::Todo", &state)?)?;
//!
//! // On shutdown (dropping the writer does the same):
//! writer.flush();
//!
//! // After the restart, when the browser reconnects with "todo-7":
//! let restored: Option<Todo> = match store.load("todo-7")? {
//!     Some(bytes) => match decode("app::Todo", &bytes, &Limits::default()) {
//!         Ok(state) => Some(state),
//!         Err(e) if e.is_type_changed() => None, // mount fresh, toast "state type changed"
//!         Err(e) => return Err(e.into()),        // corrupt: log, mount fresh
//!     },
//!     None => None,
//! };
//! assert_eq!(restored, Some(state));
//! # drop(writer);
//! # std::fs::remove_dir_all(&dir).ok();
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Guarantees
//!
//! - [`decode`] returns an error, never panics, for any input; its memory use is bounded by
//!   [`Limits::max_decompressed`] whatever the header claims (no zstd bombs).
//! - Every payload bit flip is caught by the CRC-32; every header field is validated.
//! - [`SnapshotStore::save`] is atomic: a crash leaves the old snapshot or the new one.
//! - Keys are plain file names (`[A-Za-z0-9_-]{1,64}`): no path traversal.

#![warn(clippy::unwrap_used)]

mod dirs;
mod error;
pub mod header;
mod key;
mod snapshot;
mod store;
mod write_behind;

pub use dirs::{STATE_DIR_NAME, default_dir, default_dir_with, workspace_root};
pub use error::{Oversize, SnapshotError};
pub use header::{FORMAT_VERSION, MAGIC, MAX_TYPE_NAME_LEN, SnapshotHeader, peek_header};
pub use key::{MAX_KEY_LEN, is_valid_key};
pub use snapshot::{COMPRESSION_LEVEL, Limits, decode, decode_payload, encode, encode_payload};
pub use store::{SnapshotStore, StoreError, TEMP_GRACE};
pub use write_behind::{WriteBehind, WriteBehindStats};
