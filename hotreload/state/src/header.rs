//! The snapshot frame: a small fixed header in front of the compressed payload.
//!
//! All integers are little-endian.
//!
//! | offset      | size | field                                            |
//! |-------------|------|--------------------------------------------------|
//! | 0           | 4    | magic `b"HRSN"`                                  |
//! | 4           | 2    | format version (`u16`, currently 1)              |
//! | 6           | 2    | type name length `n` (`u16`, at most 512)        |
//! | 8           | n    | type name, UTF-8                                 |
//! | 8 + n       | 8    | uncompressed payload length (`u64`)              |
//! | 16 + n      | 8    | compressed payload length (`u64`)                |
//! | 24 + n      | 4    | CRC-32 (IEEE) of the compressed payload (`u32`)  |
//! | 28 + n      | ...  | payload: zstd frame of the MessagePack state     |
//!
//! The snapshot is exactly `28 + n + compressed length` bytes long; anything else is an error.

use crate::error::SnapshotError;

/// The four bytes every snapshot starts with.
pub const MAGIC: [u8; 4] = *b"HRSN";

/// The format version this build writes and reads.
pub const FORMAT_VERSION: u16 = 1;

/// Longest type name a snapshot may carry, in bytes.
pub const MAX_TYPE_NAME_LEN: usize = 512;

/// Header size without the type name: magic, version, name length, two lengths, checksum.
pub(crate) const FIXED_LEN: usize = 4 + 2 + 2 + 8 + 8 + 4;

/// The decoded header of a snapshot, as returned by [`peek_header`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotHeader {
    /// Format version (always [`FORMAT_VERSION`] for a header that parsed).
    pub version: u16,
    /// Name of the state type the snapshot was written for.
    pub type_name: String,
    /// Length of the MessagePack state after decompression, as declared.
    pub uncompressed_len: u64,
    /// Length of the zstd payload that follows the header, as declared.
    pub compressed_len: u64,
    /// CRC-32 of the compressed payload, as declared.
    pub checksum: u32,
    /// Length of the header itself (where the payload starts).
    pub header_len: usize,
}

impl SnapshotHeader {
    /// Total snapshot length the header declares (header plus payload), saturating.
    pub fn total_len(&self) -> u64 {
        (self.header_len as u64).saturating_add(self.compressed_len)
    }
}

/// Reads the header of a snapshot without touching the payload.
///
/// Checks the magic, the version and the type name; does not check that the payload is all
/// there, nor its checksum (that is [`decode`](crate::decode)'s job). Useful to tell which type
/// a snapshot is for, or how large it claims to be, before deciding to decode it.
///
/// ```
/// let bytes = hotreload_state::encode("app::Counter", &42_u32)?;
/// let header = hotreload_state::peek_header(&bytes)?;
/// assert_eq!(header.type_name, "app::Counter");
/// assert_eq!(header.total_len(), bytes.len() as u64);
/// # Ok::<(), hotreload_state::SnapshotError>(())
/// ```
pub fn peek_header(bytes: &[u8]) -> Result<SnapshotHeader, SnapshotError> {
    if bytes.len() < FIXED_LEN {
        return Err(SnapshotError::TooShort {
            len: bytes.len(),
            min: FIXED_LEN,
        });
    }
    let magic: [u8; 4] = field(bytes, 0);
    if magic != MAGIC {
        return Err(SnapshotError::BadMagic {
            found: magic,
            expected: MAGIC,
        });
    }
    let version = u16::from_le_bytes(field(bytes, 4));
    if version != FORMAT_VERSION {
        return Err(SnapshotError::UnsupportedVersion {
            found: version,
            supported: FORMAT_VERSION,
        });
    }
    let name_len = usize::from(u16::from_le_bytes(field(bytes, 6)));
    if name_len > MAX_TYPE_NAME_LEN {
        return Err(SnapshotError::TypeNameTooLong {
            len: name_len,
            max: MAX_TYPE_NAME_LEN,
        });
    }
    let header_len = FIXED_LEN + name_len;
    if bytes.len() < header_len {
        return Err(SnapshotError::Truncated {
            needed: header_len as u64,
            available: bytes.len() as u64,
        });
    }
    let name = &bytes[8..8 + name_len];
    let type_name = std::str::from_utf8(name)
        .map_err(|_| SnapshotError::TypeNameNotUtf8)?
        .to_owned();
    let at = 8 + name_len;
    Ok(SnapshotHeader {
        version,
        type_name,
        uncompressed_len: u64::from_le_bytes(field(bytes, at)),
        compressed_len: u64::from_le_bytes(field(bytes, at + 8)),
        checksum: u32::from_le_bytes(field(bytes, at + 16)),
        header_len,
    })
}

/// `N` bytes at `at`. The caller has checked that `bytes` holds the whole header, so the
/// zero-filled fallback is never used; it keeps this function panic-free regardless.
fn field<const N: usize>(bytes: &[u8], at: usize) -> [u8; N] {
    let mut a = [0; N];
    if let Some(s) = at.checked_add(N).and_then(|end| bytes.get(at..end)) {
        a.copy_from_slice(s);
    }
    a
}

/// Appends a header to `out`. The caller has checked the type name's length.
pub(crate) fn write(
    out: &mut Vec<u8>,
    type_name: &str,
    uncompressed_len: u64,
    compressed_len: u64,
    checksum: u32,
) {
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    // Cannot truncate: the caller checked `type_name.len() <= MAX_TYPE_NAME_LEN`.
    out.extend_from_slice(&(type_name.len() as u16).to_le_bytes());
    out.extend_from_slice(type_name.as_bytes());
    out.extend_from_slice(&uncompressed_len.to_le_bytes());
    out.extend_from_slice(&compressed_len.to_le_bytes());
    out.extend_from_slice(&checksum.to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_then_peek() {
        let mut out = Vec::new();
        write(&mut out, "a::B", 1 << 40, 77, 0xdead_beef);
        assert_eq!(out.len(), FIXED_LEN + 4);
        assert_eq!(&out[..4], b"HRSN");
        assert_eq!(&out[4..6], &[1, 0]);
        assert_eq!(&out[6..8], &[4, 0]);
        assert_eq!(&out[8..12], b"a::B");
        let h = peek_header(&out).unwrap();
        assert_eq!(
            h,
            SnapshotHeader {
                version: 1,
                type_name: "a::B".into(),
                uncompressed_len: 1 << 40,
                compressed_len: 77,
                checksum: 0xdead_beef,
                header_len: 32,
            }
        );
        assert_eq!(h.total_len(), 32 + 77);
    }

    #[test]
    fn peek_checks_in_order() {
        assert!(matches!(
            peek_header(b"HRSN"),
            Err(SnapshotError::TooShort { len: 4, min: 28 })
        ));
        let mut out = Vec::new();
        write(&mut out, "name", 0, 0, 0);
        out[0] = b'X';
        assert!(
            matches!(peek_header(&out), Err(SnapshotError::BadMagic { found, .. }) if &found == b"XRSN")
        );
        out[0] = b'H';
        out[8] = 0xff;
        assert!(matches!(
            peek_header(&out),
            Err(SnapshotError::TypeNameNotUtf8)
        ));
        out[6] = 40;
        assert!(matches!(
            peek_header(&out),
            Err(SnapshotError::Truncated {
                needed: 68,
                available: 32
            })
        ));
    }

    #[test]
    fn field_never_panics() {
        assert_eq!(field::<4>(b"ab", 0), [0; 4]);
        assert_eq!(field::<2>(b"abc", usize::MAX), [0; 2]);
    }
}
