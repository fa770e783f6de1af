//! The snapshot codec: state to bytes ([`encode`]) and back ([`decode`]).
//!
//! State is serialized as MessagePack with field names (`rmp_serde::to_vec_named`), so a field
//! added with `#[serde(default)]` restores from an older snapshot and a renamed field is reported
//! rather than silently shifted; then compressed with zstd and framed (see [`crate::header`]).
//!
//! [`decode`] never trusts the header: sizes are checked against [`Limits`], the payload's
//! checksum is verified before it is decompressed, and decompression is bounded by
//! `min(declared length, limit)` so a lying header or a zstd bomb costs at most that much memory.

use std::io::Read;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Oversize, SnapshotError};
use crate::header::{self, MAX_TYPE_NAME_LEN, peek_header};

/// zstd level used by [`encode`]: fast, and ~all of the gain on state-shaped data.
pub const COMPRESSION_LEVEL: i32 = 3;

/// Largest zstd window (as a power of two) [`decode`] accepts: 16 MiB. [`encode`]'s level never
/// uses more than 2 MiB; the cap stops a crafted frame from making the decoder allocate 128 MiB.
const MAX_WINDOW_LOG: u32 = 24;

/// Deepest nesting of the MessagePack state [`decode`] follows (rmp-serde's default is 1024;
/// real state is far shallower, and each level costs stack).
const MAX_DEPTH: usize = 256;

/// Limits that [`decode`] enforces on untrusted snapshots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest decompressed state accepted, in bytes. Default 64 MiB.
    pub max_decompressed: u64,
}

impl Limits {
    /// Default [`Limits::max_decompressed`]: 64 MiB.
    pub const DEFAULT_MAX_DECOMPRESSED: u64 = 64 * 1024 * 1024;

    /// Limits with the given decompressed size cap.
    pub const fn with_max_decompressed(max_decompressed: u64) -> Self {
        Self { max_decompressed }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::with_max_decompressed(Self::DEFAULT_MAX_DECOMPRESSED)
    }
}

/// Serializes `state` into a snapshot tagged with `type_name`.
///
/// `type_name` is what [`decode`] compares against; use a name that is stable across builds
/// (e.g. the component's path), at most [`MAX_TYPE_NAME_LEN`] bytes.
///
/// ```
/// #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
/// struct Counter { count: i64 }
///
/// let bytes = hotreload_state::encode("app::Counter", &Counter { count: 7 })?;
/// let back: Counter =
///     hotreload_state::decode("app::Counter", &bytes, &hotreload_state::Limits::default())?;
/// assert_eq!(back, Counter { count: 7 });
/// # Ok::<(), hotreload_state::SnapshotError>(())
/// ```
pub fn encode<T: Serialize + ?Sized>(type_name: &str, state: &T) -> Result<Vec<u8>, SnapshotError> {
    let raw = rmp_serde::to_vec_named(state).map_err(|e| SnapshotError::Serialize {
        type_name: type_name.to_owned(),
        message: e.to_string(),
    })?;
    encode_payload(type_name, &raw)
}

/// [`encode`] for a state that is already MessagePack with field names (what
/// `rmp_serde::to_vec_named` writes): compresses and frames `payload`. The hotreload runtime
/// serializes its views' states itself and hands the bytes over.
///
/// ```
/// let raw = rmp_serde::to_vec_named(&7_i64).unwrap();
/// let bytes = hotreload_state::encode_payload("app::Counter", &raw)?;
/// assert_eq!(bytes, hotreload_state::encode("app::Counter", &7_i64)?);
/// # Ok::<(), hotreload_state::SnapshotError>(())
/// ```
pub fn encode_payload(type_name: &str, payload: &[u8]) -> Result<Vec<u8>, SnapshotError> {
    if type_name.len() > MAX_TYPE_NAME_LEN {
        return Err(SnapshotError::TypeNameTooLong {
            len: type_name.len(),
            max: MAX_TYPE_NAME_LEN,
        });
    }
    let compressed =
        zstd::bulk::compress(payload, COMPRESSION_LEVEL).map_err(SnapshotError::Compress)?;
    let mut out = Vec::with_capacity(header::FIXED_LEN + type_name.len() + compressed.len());
    header::write(
        &mut out,
        type_name,
        payload.len() as u64,
        compressed.len() as u64,
        crc32fast::hash(&compressed),
    );
    out.extend_from_slice(&compressed);
    Ok(out)
}

/// Restores state of type `T` from a snapshot written by [`encode`] for `expected_type`.
///
/// Every malformed input is an error, never a panic: see [`SnapshotError`] for the checks, in
/// order. A snapshot that is intact but no longer fits `T` gives
/// [`SnapshotError::Deserialize`] (see [`SnapshotError::is_type_changed`]).
///
/// ```
/// use hotreload_state::{Limits, SnapshotError, decode, encode};
///
/// let bytes = encode("app::Counter", &1_i64)?;
/// let err = decode::<i64>("app::Todo", &bytes, &Limits::default()).unwrap_err();
/// assert!(matches!(err, SnapshotError::WrongType { .. }));
/// # Ok::<(), SnapshotError>(())
/// ```
pub fn decode<T: DeserializeOwned>(
    expected_type: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<T, SnapshotError> {
    let raw = decode_payload(expected_type, bytes, limits)?;
    let mut de = rmp_serde::Deserializer::from_read_ref(&raw);
    de.set_max_depth(MAX_DEPTH);
    T::deserialize(&mut de).map_err(|e| SnapshotError::Deserialize {
        type_name: expected_type.to_owned(),
        message: e.to_string(),
    })
}

/// Checks a snapshot's frame (type, sizes, checksum) and returns its decompressed MessagePack
/// payload, for callers that deserialize it themselves; [`decode`] is this plus
/// deserialization. Every check of [`decode`] except the last (does it fit `T`) applies.
pub fn decode_payload(
    expected_type: &str,
    bytes: &[u8],
    limits: &Limits,
) -> Result<Vec<u8>, SnapshotError> {
    let header = peek_header(bytes)?;
    if header.type_name != expected_type {
        return Err(SnapshotError::WrongType {
            expected: expected_type.to_owned(),
            found: header.type_name,
        });
    }
    let limit = limits.max_decompressed;
    if header.uncompressed_len > limit {
        return Err(SnapshotError::TooLarge {
            size: Oversize::Declared(header.uncompressed_len),
            limit,
        });
    }
    let available = bytes.len() as u64;
    let needed = header.total_len();
    if available < needed {
        return Err(SnapshotError::Truncated { needed, available });
    }
    if available > needed {
        return Err(SnapshotError::TrailingBytes {
            extra: available - needed,
        });
    }
    let payload = bytes.get(header.header_len..).unwrap_or_default();
    let actual = crc32fast::hash(payload);
    if actual != header.checksum {
        return Err(SnapshotError::ChecksumMismatch {
            expected: header.checksum,
            actual,
        });
    }
    decompress_bounded(payload, header.uncompressed_len, limit)
}

/// Decompresses `payload`, producing at most `declared` bytes (already checked `<= limit`).
///
/// Reads one byte past `declared` to tell "exactly as declared" from "keeps going": the most
/// memory a hostile payload can take is `declared + 1` bytes, whatever it would expand to.
fn decompress_bounded(payload: &[u8], declared: u64, limit: u64) -> Result<Vec<u8>, SnapshotError> {
    let mut decoder =
        zstd::stream::read::Decoder::with_buffer(payload).map_err(SnapshotError::Decompress)?;
    decoder
        .window_log_max(MAX_WINDOW_LOG)
        .map_err(SnapshotError::Decompress)?;
    // Pre-size for the honest case, but not blindly: a lying header gets a small start.
    let initial = declared.min(payload.len() as u64 * 64 + 4096);
    let mut out = Vec::with_capacity(usize::try_from(initial).unwrap_or(0));
    decoder
        .take(declared.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(SnapshotError::Decompress)?;
    let actual = out.len() as u64;
    if actual > declared {
        return Err(SnapshotError::TooLarge {
            size: Oversize::Decompressed { declared },
            limit,
        });
    }
    if actual < declared {
        return Err(SnapshotError::LengthMismatch { declared, actual });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_decompression_stops_one_byte_past_the_declared_length() {
        let z = zstd::bulk::compress(&[0; 10_000], 3).unwrap();
        assert_eq!(
            decompress_bounded(&z, 10_000, 10_000).unwrap().len(),
            10_000
        );
        assert!(matches!(
            decompress_bounded(&z, 9_999, 1 << 20),
            Err(SnapshotError::TooLarge { size: Oversize::Decompressed { declared: 9_999 }, limit }) if limit == 1 << 20
        ));
        assert!(matches!(
            decompress_bounded(&z, 10_001, 1 << 20),
            Err(SnapshotError::LengthMismatch {
                declared: 10_001,
                actual: 10_000
            })
        ));
    }

    #[test]
    fn limits_default_is_64_mib() {
        assert_eq!(Limits::default().max_decompressed, 64 << 20);
    }
}
