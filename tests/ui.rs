//! Compile errors of `hot_reload_liveview!`: each `ui/*.rs` must fail to compile with exactly the
//! diagnostics in the `.stderr` beside it (span of the offending token, what was expected).
//!
//! The `.stderr` files are pinned to one compiler minor version, because rustc's own wording and
//! layout around our messages change between releases. On another version this test does not
//! compare (it would fail for reasons that are not ours) and says so loudly; regenerate with
//! `TRYBUILD=overwrite cargo test -p hotreload-tests --test ui`, review the diff, and bump
//! `PINNED_RUSTC`.

/// The rustc minor version the `.stderr` snapshots were written with.
const PINNED_RUSTC: &str = "rustc 1.95.";

#[test]
fn template_compile_errors() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let version = std::process::Command::new(&rustc)
        .arg("--version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    if !version.starts_with(PINNED_RUSTC) {
        eprintln!(
            "\n*** UI snapshot test NOT compared: snapshots are pinned to `{PINNED_RUSTC}x`, \
             this is `{version}`. Regenerate with TRYBUILD=overwrite and review. ***\n"
        );
        return;
    }
    let cases = trybuild::TestCases::new();
    cases.compile_fail("ui/*.rs");
}
