#![no_main]
//! The template parser (the macro's and the re-parser's) on arbitrary token streams: a
//! compiled template or a syntax error, never a panic; and the same answer twice.

use hotreload_syntax::compile_tokens;
use libfuzzer_sys::fuzz_target;
use std::str::FromStr;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(tokens) = proc_macro2::TokenStream::from_str(&text) else {
        return;
    };
    let first = compile_tokens(tokens.clone())
        .map(|c| format!("{c:?}"))
        .map_err(|e| e.to_string());
    let again = compile_tokens(tokens)
        .map(|c| format!("{c:?}"))
        .map_err(|e| e.to_string());
    assert_eq!(first, again);
});
