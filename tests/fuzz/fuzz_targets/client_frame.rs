#![no_main]
//! The WebSocket frame decoder on arbitrary text: a frame or a protocol error with a code,
//! never a panic.

use hotreload::__testing::decode_client_frame;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = decode_client_frame(&text, 64 * 1024);
});
