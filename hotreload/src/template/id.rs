//! Template identity: where a template was written, as stamped by the macro.
//!
//! The macro emits `file!()`, `line!()`, `column!()` (and `CARGO_MANIFEST_DIR`) in the user's
//! crate. `file!()` is relative to the directory rustc ran in: the workspace root for workspace
//! members, the package root for a lone package, and may be absolute for path dependencies
//! outside the workspace. On Windows it uses `\`. [`TemplateId`] normalises the separator so
//! keys compare equal across platforms, and [`resolve_source_path`] finds the file on disk by
//! trying the manifest directory and each of its ancestors (one of which is the workspace root).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The key of one template: `file:line:column#index`.
///
/// `line` and `column` are 1-based (as `line!()`/`column!()`) and name the first character of
/// the macro invocation's path; `index` is 0 for the macro's root template and numbers nested
/// `for`/`if`/`match` bodies depth-first.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TemplateId {
    file: Arc<str>,
    line: u32,
    column: u32,
    index: u32,
}

impl TemplateId {
    /// Builds a key; `file` is normalised with [`normalize_path`].
    pub fn new(file: &str, line: u32, column: u32, index: u32) -> Self {
        TemplateId {
            file: normalize_path(file).into(),
            line,
            column,
            index,
        }
    }

    /// The normalised `file!()` path.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// 1-based line of the macro invocation.
    pub fn line(&self) -> u32 {
        self.line
    }

    /// 1-based column of the macro invocation.
    pub fn column(&self) -> u32 {
        self.column
    }

    /// 0 for the root template of the invocation, otherwise the nested body's number.
    pub fn index(&self) -> u32 {
        self.index
    }

    /// The same invocation's template with another index.
    pub fn with_index(&self, index: u32) -> Self {
        TemplateId {
            index,
            ..self.clone()
        }
    }
}

impl fmt::Display for TemplateId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)?;
        if self.index != 0 {
            write!(f, "#{}", self.index)?;
        }
        Ok(())
    }
}

impl fmt::Debug for TemplateId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TemplateId({self})")
    }
}

/// Normalises a `file!()` path for use as a key: `\\` becomes `/`, `.` segments are dropped and
/// `dir/..` pairs are resolved (a `#[path = "../x.rs"]` module's `file!()` keeps them).
pub(crate) fn normalize_path(file: &str) -> String {
    let file = file.replace('\\', "/");
    let absolute = file.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in file.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

/// Finds the source file a `file!()` path names.
///
/// An absolute path is taken as is. A relative one is tried against `manifest_dir` and then
/// each of its ancestors, since rustc runs in the workspace root (an ancestor of every member's
/// manifest directory) or in the package root. Returns `None` if no candidate exists.
pub fn resolve_source_path(file: &str, manifest_dir: &str) -> Option<PathBuf> {
    let normalized = normalize_path(file);
    let relative = Path::new(&normalized);
    if relative.is_absolute() || looks_like_windows_absolute(&normalized) {
        let path = PathBuf::from(&normalized);
        return path.exists().then_some(path);
    }
    Path::new(manifest_dir)
        .ancestors()
        .map(|root| root.join(relative))
        .find(|candidate| candidate.is_file())
}

/// `C:/...` after normalisation: absolute on Windows even when this code runs elsewhere.
fn looks_like_windows_absolute(path: &str) -> bool {
    let bytes = path.as_bytes();
    bytes.len() > 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' && bytes[2] == b'/'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_separators_normalise() {
        let a = TemplateId::new("examples\\counter.rs", 10, 9, 0);
        let b = TemplateId::new("examples/counter.rs", 10, 9, 0);
        assert_eq!(a, b);
        assert_eq!(a.to_string(), "examples/counter.rs:10:9");
        assert_eq!(a.with_index(2).to_string(), "examples/counter.rs:10:9#2");
        assert_eq!(normalize_path("./src/main.rs"), "src/main.rs");
        assert_eq!(
            normalize_path("benches/../hotreload/x.rs"),
            "hotreload/x.rs"
        );
        assert_eq!(normalize_path("/abs/./a//b.rs"), "/abs/a/b.rs");
        assert_eq!(normalize_path("../up.rs"), "../up.rs");
        assert_eq!(
            normalize_path("C:\\work\\src\\main.rs"),
            "C:/work/src/main.rs"
        );
    }

    #[test]
    fn workspace_relative_paths_resolve_through_ancestors() {
        // This crate's own sources: `file!()` is relative to the workspace root, which is an
        // ancestor of CARGO_MANIFEST_DIR.
        let manifest = env!("CARGO_MANIFEST_DIR");
        let resolved = resolve_source_path(file!(), manifest).expect("this file resolves");
        assert!(
            resolved.ends_with("hotreload/src/template/id.rs"),
            "{resolved:?}"
        );
        let backslashed = file!().replace('/', "\\");
        assert_eq!(resolve_source_path(&backslashed, manifest), Some(resolved));
        assert_eq!(resolve_source_path("no/such/file.rs", manifest), None);
    }

    #[test]
    fn windows_absolute_paths_are_not_joined() {
        assert!(looks_like_windows_absolute("C:/work/src/main.rs"));
        assert!(!looks_like_windows_absolute("src/main.rs"));
        assert_eq!(resolve_source_path("C:\\nope\\main.rs", "/tmp"), None);
    }
}
