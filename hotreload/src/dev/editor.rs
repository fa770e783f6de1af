//! Click-to-source: opening the developer's editor at a template position the page asked for.
//!
//! The page sends `{"type":"dev","action":"open","src":"FILE:LINE:COLUMN"}` over its live
//! socket (same-origin, checked when the socket opened; there is no URL that opens files).
//! The position comes from the element's `data-hr-src` (`annotate.rs`), but the request is
//! treated as hostile all the same: only a file of the running build (a watched source,
//! named by its `file!()` key) can be opened, at a line that exists in it.
//!
//! Which editor, in order:
//! 1. `HOTRELOAD_EDITOR`: a command template with `{file}`, `{line}` and `{column}`
//!    (`code -g {file}:{line}:{column}`, `idea --line {line} {file}`), split like a shell
//!    would (quotes, no expansion); without placeholders the file is appended.
//! 2. `$VISUAL`, then `$EDITOR`, with the usual conventions of known editors: `-g
//!    file:line:col` (VS Code and its forks), `file:line:col` (Sublime, Zed, Helix),
//!    `--line N file` (JetBrains), `+line file` (everything else).
//!    Terminal editors (vim, nano, emacs -nw, ...) are not started: they would take over
//!    the server's terminal. The page shows the command to run instead.
//! 3. Otherwise the location is printed (log and toast).
//!
//! The editor runs detached (no stdin, output discarded); a thread waits for it so it never
//! becomes a zombie, and logs a failing exit status.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use thiserror::Error;

/// A template position the page asked to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SourceLocation {
    /// The `file!()` key (`examples/counter.rs`).
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

/// Why a source could not be opened.
#[derive(Debug, Error)]
pub(crate) enum EditorError {
    /// Not `FILE:LINE:COLUMN`.
    #[error("`{0}` is not FILE:LINE:COLUMN")]
    BadLocation(String),
    /// The sources are not watched, so none is known to be part of the build.
    #[error("the sources are not watched (HOTRELOAD_WATCH=0), so none can be opened")]
    NotWatching,
    /// The file is not one the running build was compiled from.
    #[error("`{0}` is not a source file of the running build; only those can be opened")]
    NotInBuild(String),
    /// The line is past the end of the file.
    #[error("{file} has no line {line}")]
    NoSuchLine {
        /// The file key.
        file: String,
        /// The line asked for.
        line: u32,
    },
    /// The command could not be split or is empty.
    #[error("the editor command `{0}` cannot be read (unbalanced quotes, or empty)")]
    BadCommand(String),
    /// Starting the editor failed.
    #[error("could not start `{program}`: {source}")]
    Spawn {
        /// The program.
        program: String,
        /// Why.
        source: std::io::Error,
    },
}

impl SourceLocation {
    /// Reads `FILE:LINE:COLUMN` (the file may itself contain `:`, as on Windows).
    pub(crate) fn parse(src: &str) -> Result<Self, EditorError> {
        let bad = || EditorError::BadLocation(src.chars().take(200).collect());
        let mut parts = src.rsplitn(3, ':');
        let column = parts.next().and_then(|c| c.parse::<u32>().ok());
        let line = parts.next().and_then(|l| l.parse::<u32>().ok());
        let file = parts.next().filter(|f| !f.is_empty());
        match (file, line, column) {
            (Some(file), Some(line), Some(column)) if line > 0 && column > 0 => {
                Ok(SourceLocation {
                    file: crate::template::normalize_path(file),
                    line,
                    column,
                })
            }
            _ => Err(bad()),
        }
    }
}

impl std::fmt::Display for SourceLocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// What opening did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Opened {
    /// The editor was started with these arguments.
    Started(Vec<String>),
    /// No editor to start: the location (and a command to run, for a terminal editor).
    Printed(String),
}

/// The editor settings, read from the server's environment at each request.
#[derive(Debug, Clone, Default)]
pub(crate) struct EditorSettings {
    /// `HOTRELOAD_EDITOR`.
    pub template: Option<String>,
    /// `$VISUAL`, else `$EDITOR`.
    pub editor: Option<String>,
}

impl EditorSettings {
    /// From the process environment.
    pub(crate) fn from_env() -> Self {
        let non_empty = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        EditorSettings {
            template: non_empty("HOTRELOAD_EDITOR"),
            editor: non_empty("VISUAL").or_else(|| non_empty("EDITOR")),
        }
    }
}

/// Opens `location` (already checked) at `path` with the editor `settings` name.
pub(crate) fn open(
    location: &SourceLocation,
    path: &Path,
    settings: &EditorSettings,
) -> Result<Opened, EditorError> {
    let file = path.display().to_string();
    let (line, column) = (location.line.to_string(), location.column.to_string());
    let argv = if let Some(template) = &settings.template {
        template_command(template, &file, &line, &column)?
    } else if let Some(editor) = &settings.editor {
        let mut argv =
            shlex::split(editor).ok_or_else(|| EditorError::BadCommand(editor.clone()))?;
        let program = argv.first().cloned().unwrap_or_default();
        let name = program_name(&program);
        let args = conventional_args(&name, &file, &line, &column);
        if is_terminal_editor(&name, &argv) {
            argv.extend(args);
            return Ok(Opened::Printed(format!(
                "{location} (run `{}`: {name} is a terminal editor, so it is not started from the server)",
                shlex::try_join(argv.iter().map(String::as_str)).unwrap_or_default()
            )));
        }
        argv.extend(args);
        argv
    } else {
        return Ok(Opened::Printed(format!(
            "{location} (set HOTRELOAD_EDITOR, e.g. `code -g {{file}}:{{line}}:{{column}}`, to open it)"
        )));
    };
    spawn_detached(&argv)?;
    Ok(Opened::Started(argv))
}

/// Checks `location` against the build: its file must be a watched source (`path_of`
/// finds it) and have the line. Returns the file's path.
pub(crate) fn check(
    location: &SourceLocation,
    path_of: impl FnOnce(&str) -> Option<PathBuf>,
) -> Result<PathBuf, EditorError> {
    let path =
        path_of(&location.file).ok_or_else(|| EditorError::NotInBuild(location.file.clone()))?;
    let lines = std::fs::read_to_string(&path)
        .map(|text| text.lines().count())
        .unwrap_or(0);
    if location.line as usize > lines.max(1) {
        return Err(EditorError::NoSuchLine {
            file: location.file.clone(),
            line: location.line,
        });
    }
    Ok(path)
}

/// `HOTRELOAD_EDITOR` with its placeholders filled in.
fn template_command(
    template: &str,
    file: &str,
    line: &str,
    column: &str,
) -> Result<Vec<String>, EditorError> {
    let words = shlex::split(template).ok_or_else(|| EditorError::BadCommand(template.into()))?;
    if words.is_empty() {
        return Err(EditorError::BadCommand(template.into()));
    }
    let placeholders = template.contains("{file}");
    let mut argv: Vec<String> = words
        .iter()
        .map(|w| {
            fill(
                w,
                &[("{file}", file), ("{line}", line), ("{column}", column)],
            )
        })
        .collect();
    if !placeholders {
        argv.push(file.to_owned());
    }
    Ok(argv)
}

/// `word` with each placeholder replaced, in one pass: a value is never searched for another
/// placeholder (a file named `{line}.rs` stays as it is).
fn fill(word: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(word.len());
    let mut rest = word;
    'scan: while !rest.is_empty() {
        for (name, value) in values {
            if let Some(after) = rest.strip_prefix(name) {
                out.push_str(value);
                rest = after;
                continue 'scan;
            }
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            out.push(c);
        }
        rest = chars.as_str();
    }
    out
}

/// The file name of `program` without extension (`/usr/bin/code` → `code`).
fn program_name(program: &str) -> String {
    Path::new(program)
        .file_stem()
        .map(|s| s.to_string_lossy().to_lowercase())
        .unwrap_or_default()
}

/// The arguments that open `file` at `line:column` in editor `name`.
fn conventional_args(name: &str, file: &str, line: &str, column: &str) -> Vec<String> {
    let at = format!("{file}:{line}:{column}");
    match name {
        "code" | "code-insiders" | "codium" | "vscodium" | "cursor" | "windsurf" => {
            vec!["-g".into(), at]
        }
        "subl" | "sublime_text" | "zed" | "zeditor" | "hx" | "helix" | "lapce" => vec![at],
        "idea" | "idea64" | "clion" | "rustrover" | "webstorm" | "pycharm" | "goland" => vec![
            "--line".into(),
            line.into(),
            "--column".into(),
            column.into(),
            file.into(),
        ],
        "mate" => vec!["-l".into(), format!("{line}:{column}"), file.into()],
        "emacs" | "emacsclient" | "kak" | "micro" => vec![format!("+{line}:{column}"), file.into()],
        _ => vec![format!("+{line}"), file.into()],
    }
}

/// Whether `name` runs in the terminal it is started from (so not from the server).
fn is_terminal_editor(name: &str, argv: &[String]) -> bool {
    match name {
        "vi" | "vim" | "nvim" | "nano" | "pico" | "micro" | "hx" | "helix" | "kak" | "joe"
        | "ne" | "ed" | "mg" | "jed" => true,
        "emacs" => argv.iter().any(|a| a == "-nw" || a == "--no-window-system"),
        "emacsclient" => argv.iter().any(|a| a == "-t" || a == "-nw" || a == "--tty"),
        _ => false,
    }
}

/// Starts `argv` with no stdin and its output discarded; a thread reaps it.
fn spawn_detached(argv: &[String]) -> Result<(), EditorError> {
    let Some((program, args)) = argv.split_first() else {
        return Err(EditorError::BadCommand(String::new()));
    };
    let mut command = Command::new(program);
    command
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // Its own process group: Ctrl+C in the server's terminal does not close the editor.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child = command.spawn().map_err(|source| EditorError::Spawn {
        program: program.clone(),
        source,
    })?;
    let program = program.clone();
    let reaper = std::thread::Builder::new()
        .name("hotreload-editor".into())
        .spawn(move || match child.wait() {
            Ok(status) if !status.success() => {
                tracing::warn!(%program, %status, "hotreload: the editor command failed");
            }
            Ok(_) => {}
            Err(error) => tracing::debug!(%error, "hotreload: editor not reaped"),
        });
    if let Err(error) = reaper {
        tracing::debug!(%error, "hotreload: editor not reaped");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_parse_and_refuse_junk() {
        assert_eq!(
            SourceLocation::parse("examples/counter.rs:36:13").unwrap(),
            SourceLocation {
                file: "examples/counter.rs".into(),
                line: 36,
                column: 13
            }
        );
        assert_eq!(
            SourceLocation::parse(r"C:\src\a.rs:1:2").unwrap().file,
            "C:/src/a.rs"
        );
        for junk in [
            "",
            "a.rs",
            "a.rs:1",
            ":1:2",
            "a.rs:0:1",
            "a.rs:x:1",
            "a.rs:1:-1",
        ] {
            assert!(SourceLocation::parse(junk).is_err(), "{junk}");
        }
    }

    #[test]
    fn templates_fill_placeholders_or_append_the_file() {
        assert_eq!(
            template_command("code -g '{file}:{line}:{column}'", "/a b.rs", "3", "4").unwrap(),
            ["code", "-g", "/a b.rs:3:4"]
        );
        assert_eq!(
            template_command("my-editor --wait", "/a.rs", "3", "4").unwrap(),
            ["my-editor", "--wait", "/a.rs"]
        );
        assert!(template_command("'unbalanced", "/a.rs", "1", "1").is_err());
        // A path with a placeholder's name in it is not filled in again.
        assert_eq!(
            template_command("ed {file} {line}", "/w/{line}.rs", "3", "4").unwrap(),
            ["ed", "/w/{line}.rs", "3"]
        );
    }

    #[test]
    fn known_editors_get_their_conventions_and_terminal_ones_are_printed() {
        assert_eq!(
            conventional_args("code", "/a.rs", "3", "4"),
            ["-g", "/a.rs:3:4"]
        );
        assert_eq!(conventional_args("zed", "/a.rs", "3", "4"), ["/a.rs:3:4"]);
        assert_eq!(
            conventional_args("rustrover", "/a.rs", "3", "4"),
            ["--line", "3", "--column", "4", "/a.rs"]
        );
        assert_eq!(
            conventional_args("gedit", "/a.rs", "3", "4"),
            ["+3", "/a.rs"]
        );
        let settings = EditorSettings {
            template: None,
            editor: Some("nvim".into()),
        };
        let location = SourceLocation::parse("src/a.rs:3:4").unwrap();
        match open(&location, Path::new("/w/src/a.rs"), &settings).unwrap() {
            Opened::Printed(text) => assert!(text.contains("nvim +3 /w/src/a.rs"), "{text}"),
            started => panic!("a terminal editor was started: {started:?}"),
        }
        let none = EditorSettings::default();
        assert!(matches!(
            open(&location, Path::new("/w/src/a.rs"), &none).unwrap(),
            Opened::Printed(text) if text.starts_with("src/a.rs:3:4")
        ));
    }

    #[test]
    fn only_build_files_with_that_line_are_accepted() {
        let dir = std::env::temp_dir().join(format!("hotreload-editor-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("a.rs");
        std::fs::write(&file, "fn a() {}\nfn b() {}\n").unwrap();
        let lookup = |key: &str| (key == "src/a.rs").then(|| file.clone());
        let at = |src: &str| SourceLocation::parse(src).unwrap();
        assert_eq!(check(&at("src/a.rs:2:1"), lookup).unwrap(), file);
        assert!(matches!(
            check(&at("src/a.rs:3:1"), lookup),
            Err(EditorError::NoSuchLine { line: 3, .. })
        ));
        assert!(matches!(
            check(&at("/etc/passwd:1:1"), lookup),
            Err(EditorError::NotInBuild(_))
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
