//! [`SnapshotError`]: everything that can be wrong with a snapshot, one variant per cause.
//!
//! The variants are ordered the way [`decode`](crate::decode) checks a snapshot: framing first
//! (length, magic, version, type name), then the payload (size limits, truncation, checksum),
//! then decompression and finally deserialization. A caller restoring state usually only needs
//! two answers: [`SnapshotError::is_type_changed`] (mount fresh and tell the user the state type
//! changed) or anything else (the snapshot is corrupt or hostile: mount fresh, log the message).

use std::fmt;

/// Why a snapshot could not be encoded or decoded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// Fewer bytes than the smallest possible header.
    #[error("snapshot too short: {len} bytes, a header needs at least {min}")]
    TooShort {
        /// Bytes given.
        len: usize,
        /// Smallest header size.
        min: usize,
    },

    /// The first four bytes are not the snapshot magic: this is not a snapshot at all.
    #[error("not a hotreload snapshot: magic is {found:02x?}, expected {expected:02x?} (\"HRSN\")")]
    BadMagic {
        /// The first four bytes found.
        found: [u8; 4],
        /// The magic this crate writes.
        expected: [u8; 4],
    },

    /// The snapshot was written by an incompatible version of this crate.
    #[error("unsupported snapshot format version {found} (this build reads version {supported})")]
    UnsupportedVersion {
        /// Version in the header.
        found: u16,
        /// The only version this build reads.
        supported: u16,
    },

    /// The type name is longer than [`MAX_TYPE_NAME_LEN`](crate::MAX_TYPE_NAME_LEN) (when
    /// encoding: the name given; when decoding: the length in the header).
    #[error("snapshot type name is {len} bytes long, the limit is {max}")]
    TypeNameTooLong {
        /// Length of the name in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },

    /// The type name in the header is not UTF-8.
    #[error("snapshot type name is not valid UTF-8")]
    TypeNameNotUtf8,

    /// The snapshot holds the state of another type.
    #[error("snapshot holds state of type `{found}`, expected `{expected}`")]
    WrongType {
        /// The type the caller asked for.
        expected: String,
        /// The type named in the header.
        found: String,
    },

    /// The input ends before the header or the payload it declares.
    #[error("snapshot truncated: header and payload need {needed} bytes, got {available}")]
    Truncated {
        /// Bytes the header says the snapshot has (saturating at `u64::MAX`).
        needed: u64,
        /// Bytes given.
        available: u64,
    },

    /// Bytes follow the payload the header declares.
    #[error("snapshot has {extra} unexpected bytes after its payload")]
    TrailingBytes {
        /// How many.
        extra: u64,
    },

    /// The payload is not the one the header was written for: a corrupted file.
    #[error("snapshot checksum mismatch: header says {expected:#010x}, payload has {actual:#010x}")]
    ChecksumMismatch {
        /// CRC-32 stored in the header.
        expected: u32,
        /// CRC-32 of the payload as read.
        actual: u32,
    },

    /// The snapshot is (or would decompress to) more than the [`Limits`](crate::Limits) allow.
    #[error("snapshot too large: {size}, the limit is {limit} bytes")]
    TooLarge {
        /// What was too large.
        size: Oversize,
        /// `Limits::max_decompressed` in force.
        limit: u64,
    },

    /// The payload decompressed to fewer bytes than the header declares.
    #[error("snapshot payload decompressed to {actual} bytes, the header declares {declared}")]
    LengthMismatch {
        /// Uncompressed length in the header.
        declared: u64,
        /// Bytes actually produced.
        actual: u64,
    },

    /// The payload passed its checksum but is not valid zstd data.
    #[error("snapshot payload does not decompress: {0}")]
    Decompress(#[source] std::io::Error),

    /// The state does not deserialize as the type asked for: the type changed since the snapshot
    /// was written (a field renamed, retyped or added without `#[serde(default)]`, an enum
    /// variant gone, ...).
    #[error(
        "the state type `{type_name}` changed since this snapshot was saved, it no longer \
         deserializes: {message}"
    )]
    Deserialize {
        /// The type name (header and caller agree on it).
        type_name: String,
        /// The deserializer's message (which field, what it expected).
        message: String,
    },

    /// The state could not be serialized (a `Serialize` impl returned an error).
    #[error("could not serialize state of type `{type_name}`: {message}")]
    Serialize {
        /// The type name given to [`encode`](crate::encode).
        type_name: String,
        /// The serializer's message.
        message: String,
    },

    /// zstd failed to compress (out of memory, in practice).
    #[error("could not compress snapshot: {0}")]
    Compress(#[source] std::io::Error),
}

impl SnapshotError {
    /// `true` when the snapshot is intact but the state type changed since it was written:
    /// the caller should mount fresh and say so, rather than report corruption.
    pub fn is_type_changed(&self) -> bool {
        matches!(self, Self::Deserialize { .. })
    }
}

/// What exceeded [`Limits::max_decompressed`](crate::Limits::max_decompressed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Oversize {
    /// The header declares this uncompressed length.
    Declared(u64),
    /// The payload kept decompressing past the limit (a lying header or a zstd bomb);
    /// decompression was stopped there. Holds the length the header declared.
    Decompressed {
        /// Uncompressed length in the header.
        declared: u64,
    },
}

impl fmt::Display for Oversize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Declared(n) => write!(f, "the header declares {n} bytes uncompressed"),
            Self::Decompressed { declared } => write!(
                f,
                "the payload decompresses past its declared {declared} bytes (zstd bomb?)"
            ),
        }
    }
}
