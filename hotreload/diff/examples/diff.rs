//! Debug a patch: show the ops between two HTML files and check that they work.
//!
//! ```text
//! cargo run --example diff -- a.html b.html
//! ```
//!
//! Both files are parsed as `<body>` fragments (the inner HTML of a component boundary). The
//! ops are printed as JSON, one per line, then `ops=N bytes=M` (M = total JSON bytes of the
//! ops). The ops are then applied to `a`; if the result is not structurally `b` (retained
//! nested boundaries excepted), the first difference is shown and the exit code is 1. A file
//! that cannot be read is exit code 2. Invalid UTF-8 is decoded lossily (U+FFFD), with a
//! warning on stderr naming the file.

use std::process::ExitCode;

use hotreload_diff::{
    CanonicalOptions, Fragment, apply, canonical_with, diff, parse_fragment_bytes,
};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [a_path, b_path] = args.as_slice() else {
        eprintln!("usage: cargo run --example diff -- <old.html> <new.html>");
        return ExitCode::from(2);
    };
    let (a, b) = match (load(a_path), load(b_path)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };

    let ops = diff(&a.1, &b.1);
    let mut bytes = 0;
    for op in &ops {
        let line = op.to_json();
        bytes += line.len();
        println!("{line}");
    }
    println!("ops={} bytes={bytes}", ops.len());

    let mut patched = a.0;
    if let Err(e) = apply(&mut patched, &ops) {
        eprintln!("error: the ops do not apply to {a_path}: {e}");
        return ExitCode::from(1);
    }
    // Retained nested boundaries keep a's content by design: compare them as opaque.
    let opaque = CanonicalOptions {
        opaque_boundaries: true,
    };
    let (got, want) = (
        canonical_with(&patched, opaque),
        canonical_with(&b.1, opaque),
    );
    if got != want {
        let at = got
            .bytes()
            .zip(want.bytes())
            .position(|(x, y)| x != y)
            .unwrap_or(got.len().min(want.len()));
        let from = floor_char_boundary(&got, at.saturating_sub(60));
        let from_w = floor_char_boundary(&want, at.saturating_sub(60));
        eprintln!("error: applying the ops to {a_path} does not give {b_path}");
        eprintln!("  first difference at byte {at} of the canonical form:");
        eprintln!("  got:  …{}", excerpt(&got, from));
        eprintln!("  want: …{}", excerpt(&want, from_w));
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}

/// Reads and parses a file twice (one copy to patch, one to diff).
fn load(path: &str) -> Result<(Fragment, Fragment), String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let (first, lossy) = parse_fragment_bytes(&bytes);
    if lossy {
        eprintln!(
            "warning: {path} is not valid UTF-8; decoded lossily (invalid bytes became U+FFFD)"
        );
    }
    let (second, _) = parse_fragment_bytes(&bytes);
    Ok((first, second))
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn excerpt(s: &str, from: usize) -> String {
    s[from..].chars().take(140).collect()
}
