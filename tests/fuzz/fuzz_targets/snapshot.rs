#![no_main]
//! The snapshot decoder: a value or an error, never a panic, never unbounded memory (zstd
//! output is capped), for
//! - the input as a file (a corrupt or hostile `target/hotreload-state` entry), and
//! - the input read as JSON, encoded as a valid snapshot and decoded into a view's state type:
//!   an intact snapshot whose contents no longer fit the type (what a changed struct meets
//!   after a restart) must be a `Deserialize` error.

use hotreload_state::{Limits, decode, encode};
use libfuzzer_sys::fuzz_target;

#[derive(Debug, serde::Deserialize)]
#[allow(dead_code)]
struct State {
    count: i64,
    items: Vec<(String, bool)>,
    note: Option<String>,
}

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    let _ = decode::<State>("fuzz::State", data, &limits);
    let _ = decode::<serde_json::Value>("fuzz::State", data, &limits);
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data)
        && let Ok(bytes) = encode("fuzz::State", &value)
    {
        let back = decode::<serde_json::Value>("fuzz::State", &bytes, &limits);
        assert!(back.is_ok(), "an intact snapshot must decode: {back:?}");
        let _ = decode::<State>("fuzz::State", &bytes, &limits);
    }
});
