//! A real zstd bomb: 200 MiB of zeros compressed to a few KiB, behind headers that lie.
//! Decoding must fail with `TooLarge` quickly and without allocating anywhere near 200 MiB.
//! (Its own test binary, so the process's peak memory measures this test alone.)

use std::io::Write;
use std::time::{Duration, Instant};

use hotreload_state::{Limits, Oversize, SnapshotError, decode, header};

const BOMB: u64 = 200 * 1024 * 1024;

/// 200 MiB of zeros, streamed through the compressor 1 MiB at a time.
fn bomb_payload() -> Vec<u8> {
    let zeros = vec![0_u8; 1024 * 1024];
    let mut enc = zstd::stream::write::Encoder::new(Vec::new(), 3).unwrap();
    for _ in 0..BOMB / zeros.len() as u64 {
        enc.write_all(&zeros).unwrap();
    }
    enc.finish().unwrap()
}

/// A snapshot frame around `payload` that declares `declared` uncompressed bytes.
fn frame(type_name: &str, declared: u64, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&header::MAGIC);
    out.extend_from_slice(&header::FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(type_name.len() as u16).to_le_bytes());
    out.extend_from_slice(type_name.as_bytes());
    out.extend_from_slice(&declared.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// Peak resident memory of this process so far (Linux only).
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[test]
fn zstd_bomb_is_too_large_quickly_and_cheaply() {
    let t = Instant::now();
    let payload = bomb_payload();
    eprintln!(
        "bomb: 200 MiB -> {} bytes compressed in {:?}",
        payload.len(),
        t.elapsed()
    );
    assert!(
        payload.len() < 64 * 1024,
        "not much of a bomb: {}",
        payload.len()
    );
    let limits = Limits::default();
    let before = peak_rss();

    // 1. The header lies small: decompression stops one byte past the declared length.
    let t = Instant::now();
    let lying_small = frame("Bomb", 1024, &payload);
    let err = decode::<Vec<u8>>("Bomb", &lying_small, &limits).unwrap_err();
    assert!(
        matches!(
            err,
            SnapshotError::TooLarge {
                size: Oversize::Decompressed { declared: 1024 },
                ..
            }
        ),
        "{err:?}"
    );
    assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());

    // 2. The header tells the truth: rejected before decompressing anything.
    let t = Instant::now();
    let honest = frame("Bomb", BOMB, &payload);
    let err = decode::<Vec<u8>>("Bomb", &honest, &limits).unwrap_err();
    assert!(
        matches!(
            err,
            SnapshotError::TooLarge {
                size: Oversize::Declared(BOMB),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        t.elapsed() < Duration::from_millis(100),
        "{:?}",
        t.elapsed()
    );

    // 3. The header lies just under the limit: decompression stops at the limit.
    let t = Instant::now();
    let at_limit = frame("Bomb", limits.max_decompressed, &payload);
    let err = decode::<Vec<u8>>("Bomb", &at_limit, &limits).unwrap_err();
    assert!(
        matches!(
            err,
            SnapshotError::TooLarge {
                size: Oversize::Decompressed { .. },
                ..
            }
        ),
        "{err:?}"
    );
    eprintln!("stopped at the 64 MiB limit in {:?}", t.elapsed());
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());

    // 4. A small limit stops it as early.
    let small = Limits::with_max_decompressed(1024 * 1024);
    let err = decode::<Vec<u8>>("Bomb", &frame("Bomb", 1024 * 1024, &payload), &small).unwrap_err();
    assert!(matches!(err, SnapshotError::TooLarge { .. }), "{err:?}");

    if let (Some(before), Some(after)) = (before, peak_rss()) {
        eprintln!(
            "peak RSS: {} MiB before decoding, {} MiB after",
            before >> 20,
            after >> 20
        );
        // The only large allocation allowed is the 64 MiB (+1) of case 3.
        assert!(
            after < before + 100 * 1024 * 1024,
            "decoding a bomb took {} MiB",
            (after - before) >> 20
        );
    }
}
