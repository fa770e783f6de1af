//! Where snapshots go by default: under the cargo target directory, so `cargo clean` clears them
//! and they are never committed.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};

/// Name of the snapshot directory inside the target directory.
pub const STATE_DIR_NAME: &str = "hotreload-state";

/// The default snapshot directory for the crate whose manifest directory is `manifest_dir`
/// (pass `env!("CARGO_MANIFEST_DIR")` from the application crate):
///
/// 1. `$CARGO_TARGET_DIR/hotreload-state` if `CARGO_TARGET_DIR` is set (and not empty);
/// 2. else `<workspace root>/target/hotreload-state`, where the workspace root is the nearest
///    ancestor of `manifest_dir` (itself included) whose `Cargo.toml` has a `[workspace]` line;
/// 3. else `<manifest_dir>/target/hotreload-state`.
///
/// A relative `CARGO_TARGET_DIR` is kept relative (to the current directory, as cargo reads it).
pub fn default_dir(manifest_dir: &Path) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR");
    default_dir_with(manifest_dir, target.as_deref())
}

/// [`default_dir`] with the value of `CARGO_TARGET_DIR` given explicitly (`None`: unset).
///
/// ```
/// use std::path::Path;
/// use hotreload_state::default_dir_with;
///
/// let dir = default_dir_with(Path::new("/nonexistent/app"), Some("/tmp/tgt".as_ref()));
/// assert_eq!(dir, Path::new("/tmp/tgt/hotreload-state"));
/// let dir = default_dir_with(Path::new("/nonexistent/app"), None);
/// assert_eq!(dir, Path::new("/nonexistent/app/target/hotreload-state"));
/// ```
pub fn default_dir_with(manifest_dir: &Path, cargo_target_dir: Option<&OsStr>) -> PathBuf {
    if let Some(target) = cargo_target_dir.filter(|t| !t.is_empty()) {
        return Path::new(target).join(STATE_DIR_NAME);
    }
    let root = workspace_root(manifest_dir).unwrap_or(manifest_dir);
    root.join("target").join(STATE_DIR_NAME)
}

/// The nearest ancestor of `dir` (itself included) whose `Cargo.toml` declares `[workspace]`.
pub fn workspace_root(dir: &Path) -> Option<&Path> {
    dir.ancestors()
        .find(|d| declares_workspace(&d.join("Cargo.toml")))
}

/// Whether the manifest at `path` has a `[workspace]` table header. Manifests are small; one
/// that cannot be read (missing, not UTF-8) does not declare a workspace.
fn declares_workspace(path: &Path) -> bool {
    fs::read_to_string(path).is_ok_and(|text| {
        text.lines().any(|line| {
            let line = line.trim_start();
            line.strip_prefix("[workspace]").is_some_and(|rest| {
                let rest = rest.trim_start();
                rest.is_empty() || rest.starts_with('#')
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, text: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    #[test]
    fn target_dir_env_wins() {
        let dir = default_dir_with(Path::new("/x/y"), Some(OsStr::new("rel/tgt")));
        assert_eq!(dir, Path::new("rel/tgt/hotreload-state"));
        // Empty means unset.
        let dir = default_dir_with(Path::new("/nonexistent-hrsn/y"), Some(OsStr::new("")));
        assert_eq!(dir, Path::new("/nonexistent-hrsn/y/target/hotreload-state"));
    }

    #[test]
    fn finds_the_nearest_workspace_root() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        write(
            &root.join("Cargo.toml"),
            "[workspace]\nmembers = [\"crates/app\"]\n",
        );
        write(
            &root.join("crates/app/Cargo.toml"),
            "[package]\nname = \"app\"\n[workspace.dependencies]\n",
        );
        let app = root.join("crates/app");
        assert_eq!(
            default_dir_with(&app, None),
            root.join("target/hotreload-state")
        );
        // The root itself is its own workspace root.
        assert_eq!(
            default_dir_with(root, None),
            root.join("target/hotreload-state")
        );
    }

    #[test]
    fn workspace_line_must_be_the_table_header() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        // `[workspace.lints]` alone, or `[workspace]` inside a string, is not a root.
        write(
            &root.join("Cargo.toml"),
            "[package]\ndescription = \"x [workspace] y\"\n[workspace.lints]\n",
        );
        write(&root.join("app/Cargo.toml"), "[package]\n");
        assert_eq!(
            default_dir_with(&root.join("app"), None),
            root.join("app/target/hotreload-state")
        );
        write(&root.join("Cargo.toml"), "  [workspace] # root\n");
        assert_eq!(
            default_dir_with(&root.join("app"), None),
            root.join("target/hotreload-state")
        );
    }
}
