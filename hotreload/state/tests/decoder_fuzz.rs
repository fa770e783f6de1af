//! The decoder on hostile input: random bytes, truncations, bit flips, lying headers.
//! Every case must be an `Err`, never a panic (a panic fails the test).
//!
//! Default run: ~5,000 proptest cases plus exhaustive truncation and bit-flip sweeps.
//! `PROPTEST_CASES=100000 cargo test -p hotreload-state --test decoder_fuzz` for a long run.

mod common;

use common::{Filter, Item, TODO, TodoList, cases, todo_list};
use hotreload_state::{
    FORMAT_VERSION, Limits, MAGIC, Oversize, SnapshotError, decode, encode, peek_header,
};
use proptest::prelude::*;

fn limits() -> Limits {
    Limits::default()
}

/// Decodes as the fixture type; also decodes as an untyped value, which accepts any
/// MessagePack, so a corrupt snapshot must be caught by the frame, not by luck in serde.
fn decode_both(
    bytes: &[u8],
) -> (
    Result<TodoList, SnapshotError>,
    Result<AnyValue, SnapshotError>,
) {
    (
        decode(TODO, bytes, &limits()),
        decode(TODO, bytes, &limits()),
    )
}

/// Accepts any MessagePack value (serde's `IgnoredAny`).
type AnyValue = serde::de::IgnoredAny;

fn small_snapshot() -> Vec<u8> {
    encode(TODO, &todo_list(3)).unwrap()
}

/// Byte offsets of the header fields, for a snapshot of `TODO`.
const NAME_AT: usize = 8;
const LENGTHS_AT: usize = NAME_AT + TODO.len();
const CRC_AT: usize = LENGTHS_AT + 16;
const PAYLOAD_AT: usize = CRC_AT + 4;

#[test]
fn valid_snapshot_decodes_both_ways() {
    let bytes = small_snapshot();
    let (typed, untyped) = decode_both(&bytes);
    assert_eq!(typed.unwrap(), todo_list(3));
    untyped.unwrap();
    assert_eq!(peek_header(&bytes).unwrap().header_len, PAYLOAD_AT);
}

#[test]
fn every_truncation_is_an_error() {
    let bytes = small_snapshot();
    for len in 0..bytes.len() {
        let cut = &bytes[..len];
        let (typed, untyped) = decode_both(cut);
        let err = typed.unwrap_err();
        untyped.unwrap_err();
        let expected = if len < 28 {
            matches!(err, SnapshotError::TooShort { .. })
        } else {
            matches!(err, SnapshotError::Truncated { available, .. } if available == len as u64)
        };
        assert!(expected, "cut at {len}: {err:?}");
    }
}

#[test]
fn every_single_bit_flip_is_an_error() {
    let bytes = small_snapshot();
    let mut checksum_catches = 0;
    for bit in 0..bytes.len() * 8 {
        let mut flipped = bytes.clone();
        flipped[bit / 8] ^= 1 << (bit % 8);
        let (typed, untyped) = decode_both(&flipped);
        let err = typed.unwrap_err();
        untyped.unwrap_err();
        let at = bit / 8;
        let ok = match at {
            0..4 => matches!(err, SnapshotError::BadMagic { .. }),
            4..6 => matches!(err, SnapshotError::UnsupportedVersion { .. }),
            6..NAME_AT => matches!(
                err,
                SnapshotError::WrongType { .. }
                    | SnapshotError::TypeNameTooLong { .. }
                    | SnapshotError::TypeNameNotUtf8
                    | SnapshotError::Truncated { .. }
            ),
            NAME_AT..LENGTHS_AT => matches!(
                err,
                SnapshotError::WrongType { .. } | SnapshotError::TypeNameNotUtf8
            ),
            // Uncompressed length: too small stops decompression early, too big is over the
            // limit or more than the payload produces.
            LENGTHS_AT..CRC_AT if at < LENGTHS_AT + 8 => matches!(
                err,
                SnapshotError::TooLarge { .. } | SnapshotError::LengthMismatch { .. }
            ),
            LENGTHS_AT..CRC_AT => matches!(
                err,
                SnapshotError::Truncated { .. } | SnapshotError::TrailingBytes { .. }
            ),
            CRC_AT..PAYLOAD_AT => matches!(err, SnapshotError::ChecksumMismatch { .. }),
            _ => {
                checksum_catches += 1;
                matches!(err, SnapshotError::ChecksumMismatch { .. })
            }
        };
        assert!(ok, "bit {bit} (byte {at}): {err:?}");
    }
    assert_eq!(checksum_catches, (bytes.len() - PAYLOAD_AT) * 8);
}

#[test]
fn header_fields_rewritten_to_huge_values() {
    let bytes = small_snapshot();
    let with = |at: usize, field: &[u8]| {
        let mut b = bytes.clone();
        b[at..at + field.len()].copy_from_slice(field);
        decode::<TodoList>(TODO, &b, &limits()).unwrap_err()
    };
    assert!(matches!(
        with(4, &u16::MAX.to_le_bytes()),
        SnapshotError::UnsupportedVersion {
            found: u16::MAX,
            supported: FORMAT_VERSION
        }
    ));
    assert!(matches!(
        with(6, &u16::MAX.to_le_bytes()),
        SnapshotError::TypeNameTooLong { len: 65535, .. }
    ));
    for huge in [
        u64::MAX,
        u64::MAX / 2,
        1 << 40,
        limits().max_decompressed + 1,
    ] {
        let err = with(LENGTHS_AT, &huge.to_le_bytes());
        assert!(
            matches!(err, SnapshotError::TooLarge { size: Oversize::Declared(n), .. } if n == huge),
            "uncompressed {huge}: {err:?}"
        );
        let err = with(LENGTHS_AT + 8, &huge.to_le_bytes());
        assert!(
            matches!(err, SnapshotError::Truncated { .. }),
            "compressed {huge}: {err:?}"
        );
    }
    let err = with(CRC_AT, &u32::MAX.to_le_bytes());
    assert!(
        matches!(
            err,
            SnapshotError::ChecksumMismatch {
                expected: u32::MAX,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn trailing_bytes_are_an_error() {
    let mut bytes = small_snapshot();
    bytes.extend_from_slice(b"junk");
    let err = decode::<TodoList>(TODO, &bytes, &limits()).unwrap_err();
    assert!(
        matches!(err, SnapshotError::TrailingBytes { extra: 4 }),
        "{err:?}"
    );
}

/// A frame with a correct checksum around an arbitrary payload.
fn frame(declared: u64, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(TODO.len() as u16).to_le_bytes());
    out.extend_from_slice(TODO.as_bytes());
    out.extend_from_slice(&declared.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

#[test]
fn checksummed_garbage_is_a_decompress_error() {
    let err = decode::<TodoList>(TODO, &frame(100, b"not zstd at all"), &limits()).unwrap_err();
    assert!(matches!(err, SnapshotError::Decompress(_)), "{err:?}");
    // A valid zstd frame cut short.
    let z = zstd::bulk::compress(&[7_u8; 5000], 3).unwrap();
    let err = decode::<TodoList>(TODO, &frame(5000, &z[..z.len() - 3]), &limits()).unwrap_err();
    assert!(
        matches!(
            err,
            SnapshotError::Decompress(_) | SnapshotError::LengthMismatch { .. }
        ),
        "{err:?}"
    );
}

#[test]
fn checksummed_hostile_messagepack_is_a_deserialize_error() {
    // Arrays nested far deeper than any state: refused by depth, not by a stack overflow.
    let mut deep = vec![0x91_u8; 100_000]; // fixarray of length 1, nested
    deep.push(0x01);
    let z = zstd::bulk::compress(&deep, 3).unwrap();
    let err = decode::<AnyValue>(TODO, &frame(deep.len() as u64, &z), &limits()).unwrap_err();
    assert!(err.is_type_changed(), "{err:?}");
    assert!(err.to_string().contains("depth"), "{err}");
    // An array that claims 4 billion elements.
    let claims = [0xdd, 0xff, 0xff, 0xff, 0xff, 0x01];
    let z = zstd::bulk::compress(&claims, 3).unwrap();
    let err = decode::<Vec<u64>>(TODO, &frame(claims.len() as u64, &z), &limits()).unwrap_err();
    assert!(err.is_type_changed(), "{err:?}");
}

fn arb_item() -> impl Strategy<Value = Item> {
    (
        any::<u64>(),
        ".{0,40}",
        any::<bool>(),
        prop::collection::vec("[a-z]{0,8}", 0..4),
        any::<Option<i64>>(),
    )
        .prop_map(|(id, text, done, tags, due)| Item {
            id,
            text,
            done,
            tags,
            due,
        })
}

fn arb_todo() -> impl Strategy<Value = TodoList> {
    (
        ".{0,30}",
        prop::collection::vec(arb_item(), 0..20),
        prop_oneof![
            Just(Filter::All),
            Just(Filter::Done),
            ".*".prop_map(Filter::Tagged),
            (any::<i64>(), any::<i64>()).prop_map(|(from, to)| Filter::Range { from, to }),
        ],
        any::<Option<String>>(),
        any::<u64>(),
        -1e6..1e6_f64,
        prop::collection::btree_map("[a-z]{1,5}", any::<u32>(), 0..5),
        any::<(u32, u32)>(),
    )
        .prop_map(
            |(title, items, filter, draft, next_id, zoom, counts, selection)| TodoList {
                title,
                items,
                filter,
                draft,
                next_id,
                zoom,
                counts,
                selection,
            },
        )
}

proptest! {
    #![proptest_config(cases(2000))]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let (typed, untyped) = decode_both(&bytes);
        prop_assert!(typed.is_err());
        prop_assert!(untyped.is_err());
        let _ = peek_header(&bytes);
    }
}

proptest! {
    #![proptest_config(cases(1000))]

    /// Random bytes after a valid magic and version, so the deeper checks get exercised.
    #[test]
    fn random_bytes_after_a_valid_prefix_never_panic(
        name_len in 0_u16..40,
        rest in prop::collection::vec(any::<u8>(), 0..400),
    ) {
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        bytes.extend_from_slice(&name_len.to_le_bytes());
        bytes.extend_from_slice(&rest);
        let _ = decode::<TodoList>(TODO, &bytes, &limits());
        let _ = decode::<AnyValue>(TODO, &bytes, &limits());
    }

    /// Random (checksummed) payloads behind a correct header: zstd and serde get the garbage.
    #[test]
    fn random_checksummed_payloads_never_panic(
        declared in 0_u64..10_000,
        payload in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        let bytes = frame(declared, &payload);
        prop_assert!(decode::<TodoList>(TODO, &bytes, &limits()).is_err());
        let _ = decode::<AnyValue>(TODO, &bytes, &limits());
    }
}

proptest! {
    #![proptest_config(cases(300))]

    #[test]
    fn random_state_round_trips(state in arb_todo()) {
        let bytes = encode(TODO, &state).unwrap();
        let back: TodoList = decode(TODO, &bytes, &limits()).unwrap();
        prop_assert_eq!(back, state);
    }

    /// One flipped bit anywhere in a random snapshot: an error; in the payload, the checksum's.
    #[test]
    fn random_bit_flips_are_errors(state in arb_todo(), pick in any::<prop::sample::Index>()) {
        let mut bytes = encode(TODO, &state).unwrap();
        let bit = pick.index(bytes.len() * 8);
        bytes[bit / 8] ^= 1 << (bit % 8);
        let err = decode::<TodoList>(TODO, &bytes, &limits()).unwrap_err();
        if bit / 8 >= PAYLOAD_AT {
            prop_assert!(matches!(err, SnapshotError::ChecksumMismatch { .. }), "{:?}", err);
        }
        prop_assert!(decode::<AnyValue>(TODO, &bytes, &limits()).is_err());
    }

    /// A random prefix of a random snapshot: an error.
    #[test]
    fn random_truncations_are_errors(state in arb_todo(), pick in any::<prop::sample::Index>()) {
        let bytes = encode(TODO, &state).unwrap();
        let cut = &bytes[..pick.index(bytes.len())];
        prop_assert!(decode::<TodoList>(TODO, cut, &limits()).is_err());
        prop_assert!(decode::<AnyValue>(TODO, cut, &limits()).is_err());
    }

    /// Random 8-byte values written over the length fields.
    #[test]
    fn rewritten_lengths_are_errors(uncompressed in any::<u64>(), compressed in any::<u64>()) {
        let valid = small_snapshot();
        let header = peek_header(&valid).unwrap();
        prop_assume!(uncompressed != header.uncompressed_len || compressed != header.compressed_len);
        let mut bytes = valid.clone();
        bytes[LENGTHS_AT..LENGTHS_AT + 8].copy_from_slice(&uncompressed.to_le_bytes());
        bytes[LENGTHS_AT + 8..CRC_AT].copy_from_slice(&compressed.to_le_bytes());
        prop_assert!(decode::<TodoList>(TODO, &bytes, &limits()).is_err());
    }
}
