//! Which source files the dev server watches, what each one's `file!()` key is, and the
//! version of each that the running binary was built from.
//!
//! `file!()` is relative to the directory rustc ran in: the workspace root for workspace
//! members (cargo runs rustc there), the package root for a lone package. So a file's key is
//! its path relative to the workspace root found above the app's manifest directory, with `/`
//! separators. Tests and tools can map a key to another path ([`SourceSet::map_file`]) to edit a
//! copy instead of the real file.
//!
//! Only files that are part of the running binary's build matter: cargo's dep-info file next to
//! the executable (`target/debug/examples/counter.d`) lists them, so edits to other crates'
//! files, scratch files or files another tool creates are ignored. Without a dep-info file
//! (a binary not built by cargo), every `.rs` file of the workspace's packages is watched.
//!
//! The as-built text of every watched `.rs` file is read when watching starts: the binary was
//! just built from those files. (The engine cross-checks this against the templates the binary
//! actually registered and asks for a rebuild if they disagree.)

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Directories never watched or scanned.
const SKIP_DIRS: &[&str] = &["target", ".git", "node_modules", ".hotreload"];

/// Subdirectories of each package that hold Rust sources.
const SOURCE_DIRS: &[&str] = &["src", "examples", "tests", "benches"];

/// One watched source file.
#[derive(Debug, Clone)]
pub(crate) struct SourceFile {
    /// The `file!()` key.
    pub(crate) key: String,
    /// The text the binary was built from.
    pub(crate) as_built: String,
}

/// The watched sources.
#[derive(Debug, Default)]
pub(crate) struct SourceSet {
    root: PathBuf,
    files: HashMap<PathBuf, SourceFile>,
    dirs: Vec<PathBuf>,
}

impl SourceSet {
    /// Finds the workspace root above `manifest_dir`, every package below it, and snapshots
    /// their sources. `extra_dirs` are watched too (e.g. stylesheet directories).
    pub(crate) fn scan(manifest_dir: &Path) -> Self {
        let root = workspace_root(manifest_dir);
        let inputs = build_inputs(&root);
        let mut set = SourceSet {
            root: root.clone(),
            ..SourceSet::default()
        };
        for package in packages(&root) {
            for sub in SOURCE_DIRS {
                let dir = package.join(sub);
                if dir.is_dir() {
                    let mut any = false;
                    for file in rust_files(&dir) {
                        if inputs
                            .as_ref()
                            .is_none_or(|inputs| inputs.contains(&canonical(&file)))
                        {
                            set.snapshot(&file);
                            any = true;
                        }
                    }
                    if any {
                        set.dirs.push(dir.clone());
                    }
                }
            }
        }
        set
    }

    /// The workspace root keys are relative to.
    pub(crate) fn root(&self) -> &Path {
        &self.root
    }

    /// Directories to watch recursively.
    pub(crate) fn dirs(&self) -> &[PathBuf] {
        &self.dirs
    }

    fn snapshot(&mut self, path: &Path) {
        let Some(key) = relative_key(&self.root, path) else {
            return;
        };
        if let Ok(text) = std::fs::read_to_string(path) {
            self.files.insert(
                canonical(path),
                SourceFile {
                    key,
                    as_built: text,
                },
            );
        }
    }

    /// Serves `key` from `path` (a copy being edited); its current text is taken as built.
    pub(crate) fn map_file(&mut self, key: &str, path: &Path) {
        let key = crate::template::normalize_path(key);
        self.files.retain(|_, f| f.key != key);
        if let Ok(text) = std::fs::read_to_string(path) {
            self.files.insert(
                canonical(path),
                SourceFile {
                    key,
                    as_built: text,
                },
            );
        }
        if let Some(parent) = path.parent() {
            self.dirs.push(parent.to_path_buf());
        }
    }

    /// The watched file at `path`, if it is one.
    pub(crate) fn get(&self, path: &Path) -> Option<&SourceFile> {
        self.files.get(&canonical(path))
    }

    /// Every watched file.
    pub(crate) fn files(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.values()
    }

    /// Where the watched file with `file!()` key `key` is, if the build has one.
    pub(crate) fn path_of(&self, key: &str) -> Option<&Path> {
        let key = crate::template::normalize_path(key);
        self.files
            .iter()
            .find(|(_, f)| f.key == key)
            .map(|(path, _)| path.as_path())
    }

    /// How many files are watched.
    pub(crate) fn len(&self) -> usize {
        self.files.len()
    }
}

/// The source files of the running binary's build, from the dep-info file beside it (cargo's
/// has absolute paths; rustc's, under `deps/`, paths relative to the workspace `root`).
pub(crate) fn build_inputs(root: &Path) -> Option<HashSet<PathBuf>> {
    let exe = std::env::current_exe().ok()?;
    let text = std::fs::read_to_string(exe.with_extension("d")).ok()?;
    parse_dep_info(&text, root)
}

/// The prerequisites of the first rule of a Makefile-style dep-info file (`target: a b\ c`),
/// relative ones resolved against `root`.
fn parse_dep_info(text: &str, root: &Path) -> Option<HashSet<PathBuf>> {
    let resolve = |file: &str| canonical(&root.join(file));
    let line = text.lines().next()?;
    let (_, deps) = line.split_once(": ")?;
    let mut files = HashSet::new();
    let mut current = String::new();
    let mut chars = deps.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&' ') => {
                current.push(' ');
                chars.next();
            }
            ' ' => {
                if !current.is_empty() {
                    files.insert(resolve(&std::mem::take(&mut current)));
                }
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        files.insert(resolve(&current));
    }
    Some(files)
}

/// `path` made absolute without requiring it to exist (a deleted file keeps its key).
fn canonical(path: &Path) -> PathBuf {
    if let Ok(path) = path.canonicalize() {
        return path;
    }
    match (
        path.parent().and_then(|p| p.canonicalize().ok()),
        path.file_name(),
    ) {
        (Some(parent), Some(name)) => parent.join(name),
        _ => path.to_path_buf(),
    }
}

/// `path` relative to `root` with `/` separators: the `file!()` key.
pub(crate) fn relative_key(root: &Path, path: &Path) -> Option<String> {
    let root = canonical(root);
    let path = canonical(path);
    let relative = path.strip_prefix(&root).ok()?;
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

/// The workspace root above `manifest_dir` (see [`hotreload_state::workspace_root`]: the same
/// rule the snapshot directory uses), or `manifest_dir` itself.
pub(crate) fn workspace_root(manifest_dir: &Path) -> PathBuf {
    hotreload_state::workspace_root(manifest_dir)
        .unwrap_or(manifest_dir)
        .to_path_buf()
}

/// Directories under `root` (itself included) that have a `Cargo.toml`, a few levels deep.
fn packages(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![(root.to_path_buf(), 0)];
    while let Some((dir, depth)) = stack.pop() {
        if dir.join("Cargo.toml").is_file() {
            found.push(dir.clone());
        }
        if depth >= 4 {
            continue;
        }
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            let skip = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_none_or(|n| SKIP_DIRS.contains(&n) || n.starts_with('.'));
            if path.is_dir() && !skip {
                stack.push((path, depth + 1));
            }
        }
    }
    found.sort();
    found
}

/// Every `.rs` file below `dir`.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                let skip = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_none_or(|n| SKIP_DIRS.contains(&n));
                if !skip {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push(path);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dep_info_lists_the_build_inputs() {
        let files = parse_dep_info(
            "/t/app: /w/src/main.rs /w/src/my\\ file.rs src/lib.rs\n\n/w/src/main.rs:\n",
            Path::new("/r"),
        )
        .unwrap();
        assert!(files.contains(Path::new("/w/src/main.rs")));
        assert!(files.contains(Path::new("/w/src/my file.rs")));
        assert!(files.contains(Path::new("/r/src/lib.rs")));
        assert_eq!(files.len(), 3);
        // This test binary's own dep-info lists this file.
        let root = workspace_root(Path::new(env!("CARGO_MANIFEST_DIR")));
        let inputs = build_inputs(&root).expect("cargo wrote a dep-info file for this test binary");
        assert!(inputs.contains(&canonical(&root.join(file!()))));
    }

    #[test]
    fn this_workspace_is_found_and_keys_match_file_macro() {
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
        let root = workspace_root(manifest);
        assert!(root.join("hotreload").is_dir(), "{root:?}");
        let this_file = root.join(file!());
        assert_eq!(relative_key(&root, &this_file).as_deref(), Some(file!()));
        let set = SourceSet::scan(manifest);
        let entry = set.get(&this_file).expect("this file is watched");
        assert_eq!(entry.key, file!());
        assert!(entry.as_built.contains("this_workspace_is_found"));
        // Only the build's inputs are watched: this crate's sources, not the examples'.
        assert!(set.dirs().iter().any(|d| d.ends_with("hotreload/src")));
        assert!(!set.dirs().iter().any(|d| d.ends_with("examples")));
    }
}
