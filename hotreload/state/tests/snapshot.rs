//! The codec on well-formed input: round trips, schema evolution, type mismatches.

mod common;

use common::{Filter, TODO, TodoList, todo_list};
use hotreload_state::{
    FORMAT_VERSION, Limits, MAX_TYPE_NAME_LEN, SnapshotError, decode, encode, peek_header,
};
use serde::{Deserialize, Serialize};

#[test]
fn realistic_state_round_trips() {
    let state = todo_list(50);
    let bytes = encode(TODO, &state).unwrap();
    let back: TodoList = decode(TODO, &bytes, &Limits::default()).unwrap();
    assert_eq!(back, state);

    let header = peek_header(&bytes).unwrap();
    assert_eq!(header.version, FORMAT_VERSION);
    assert_eq!(header.type_name, TODO);
    assert_eq!(header.header_len, 28 + TODO.len());
    assert_eq!(header.total_len(), bytes.len() as u64);
    assert!(
        header.compressed_len < header.uncompressed_len,
        "zstd should shrink repetitive state: {header:?}"
    );
}

#[test]
fn every_filter_variant_round_trips() {
    for filter in [
        Filter::All,
        Filter::Active,
        Filter::Done,
        Filter::Tagged("x".into()),
        Filter::Range {
            from: i64::MIN,
            to: i64::MAX,
        },
    ] {
        let mut state = todo_list(0);
        state.filter = filter;
        state.draft = None;
        let back: TodoList =
            decode(TODO, &encode(TODO, &state).unwrap(), &Limits::default()).unwrap();
        assert_eq!(back, state);
    }
}

/// The same type before and after an edit, saved under the same name.
mod v1 {
    use super::*;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    pub(crate) struct Counter {
        pub(crate) count: i64,
        pub(crate) label: String,
        pub(crate) mode: Mode,
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    pub(crate) enum Mode {
        Up,
        Down,
    }

    pub(crate) fn sample() -> Counter {
        Counter {
            count: 41,
            label: "clicks".into(),
            mode: Mode::Down,
        }
    }
}

const COUNTER: &str = "app::Counter";

fn v1_snapshot() -> Vec<u8> {
    encode(COUNTER, &v1::sample()).unwrap()
}

#[test]
fn added_field_with_serde_default_restores() {
    #[derive(Debug, Serialize, Deserialize)]
    struct Counter {
        count: i64,
        label: String,
        mode: v1::Mode,
        #[serde(default)]
        step: u32,
        #[serde(default = "default_color")]
        color: String,
    }
    fn default_color() -> String {
        "blue".into()
    }
    let c: Counter = decode(COUNTER, &v1_snapshot(), &Limits::default()).unwrap();
    assert_eq!(
        (c.count, c.label.as_str(), c.step, c.color.as_str()),
        (41, "clicks", 0, "blue")
    );
    assert_eq!(c.mode, v1::Mode::Down);
}

#[test]
fn removed_and_reordered_fields_restore() {
    #[derive(Debug, Serialize, Deserialize)]
    struct Counter {
        mode: v1::Mode,
        count: i64,
    }
    let c: Counter = decode(COUNTER, &v1_snapshot(), &Limits::default()).unwrap();
    assert_eq!((c.count, c.mode), (41, v1::Mode::Down));
}

/// Decodes the v1 snapshot as `T` and returns the error, which must say the type changed.
fn type_change_error<T: serde::de::DeserializeOwned + std::fmt::Debug>() -> String {
    let err = decode::<T>(COUNTER, &v1_snapshot(), &Limits::default()).unwrap_err();
    assert!(err.is_type_changed(), "{err:?}");
    let SnapshotError::Deserialize { type_name, message } = &err else {
        panic!("expected Deserialize, got {err:?}");
    };
    assert_eq!(type_name, COUNTER);
    assert!(!message.is_empty());
    let shown = err.to_string();
    assert!(shown.contains("`app::Counter` changed"), "{shown}");
    shown
}

#[test]
fn renamed_field_is_a_type_change() {
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Counter {
        clicks: i64, // was `count`
        label: String,
        mode: v1::Mode,
    }
    let msg = type_change_error::<Counter>();
    assert!(msg.contains("clicks"), "names the missing field: {msg}");
}

#[test]
fn retyped_field_is_a_type_change() {
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Counter {
        count: String, // was i64
        label: String,
        mode: v1::Mode,
    }
    let msg = type_change_error::<Counter>();
    assert!(msg.contains("invalid type"), "{msg}");
}

#[test]
fn different_enum_is_a_type_change() {
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    enum Mode {
        Up,
        Sideways, // `Down` is gone
    }
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Counter {
        count: i64,
        label: String,
        mode: Mode,
    }
    let msg = type_change_error::<Counter>();
    assert!(msg.contains("Down"), "names the unknown variant: {msg}");
}

#[test]
fn a_different_shape_altogether_is_a_type_change() {
    type_change_error::<Vec<u64>>();
    type_change_error::<(i64, String)>();
}

#[test]
fn wrong_type_name_is_wrong_type() {
    let err = decode::<v1::Counter>("app::Todo", &v1_snapshot(), &Limits::default()).unwrap_err();
    match &err {
        SnapshotError::WrongType { expected, found } => {
            assert_eq!(expected, "app::Todo");
            assert_eq!(found, COUNTER);
        }
        other => panic!("expected WrongType, got {other:?}"),
    }
    assert!(!err.is_type_changed());
    assert_eq!(
        err.to_string(),
        "snapshot holds state of type `app::Counter`, expected `app::Todo`"
    );
}

#[test]
fn type_name_length_is_capped() {
    let long = "x".repeat(MAX_TYPE_NAME_LEN + 1);
    let err = encode(&long, &1_u8).unwrap_err();
    assert!(
        matches!(err, SnapshotError::TypeNameTooLong { .. }),
        "{err:?}"
    );
    let longest = "x".repeat(MAX_TYPE_NAME_LEN);
    let bytes = encode(&longest, &1_u8).unwrap();
    assert_eq!(
        decode::<u8>(&longest, &bytes, &Limits::default()).unwrap(),
        1
    );
    // Empty and non-ASCII names are fine.
    for name in ["", "état::Zähler<'_>"] {
        assert_eq!(
            decode::<u8>(name, &encode(name, &7_u8).unwrap(), &Limits::default()).unwrap(),
            7
        );
    }
}

#[test]
fn serialize_errors_are_reported() {
    struct Failing;
    impl Serialize for Failing {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(serde::ser::Error::custom("nope"))
        }
    }
    let err = encode("app::Failing", &Failing).unwrap_err();
    assert!(
        matches!(&err, SnapshotError::Serialize { type_name, .. } if type_name == "app::Failing")
    );
    assert!(err.to_string().contains("nope"), "{err}");
}

#[test]
fn state_over_the_limit_is_too_large() {
    let bytes = encode(TODO, &todo_list(100)).unwrap();
    let declared = peek_header(&bytes).unwrap().uncompressed_len;
    let err =
        decode::<TodoList>(TODO, &bytes, &Limits::with_max_decompressed(declared - 1)).unwrap_err();
    assert!(matches!(err, SnapshotError::TooLarge { .. }), "{err:?}");
    // Exactly at the limit is fine.
    decode::<TodoList>(TODO, &bytes, &Limits::with_max_decompressed(declared)).unwrap();
}

#[test]
fn errors_have_useful_messages() {
    let bytes = v1_snapshot();
    let mut corrupt = bytes.clone();
    *corrupt.last_mut().unwrap() ^= 1;
    let msg = decode::<v1::Counter>(COUNTER, &corrupt, &Limits::default())
        .unwrap_err()
        .to_string();
    assert!(
        msg.starts_with("snapshot checksum mismatch: header says 0x"),
        "{msg}"
    );
    let msg = decode::<v1::Counter>(
        COUNTER,
        b"{\"json\": true, \"padding\": 1234}",
        &Limits::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(msg.starts_with("not a hotreload snapshot"), "{msg}");
}
