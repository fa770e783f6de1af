//! Dev-time machinery (feature `hot-reload`; only ever used in debug builds).
//!
//! - `reparse.rs`: finds `hot_reload_liveview!` invocations in a source file and compiles them
//!   with the same syntax crate the macro uses, keyed exactly as the macro keys them.

pub mod reparse;
