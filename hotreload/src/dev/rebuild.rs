//! Rebuilding the running binary from the dev server when a Rust edit needs it.
//!
//! When an edit is classified "rebuild needed", the [`Rebuilder`] runs `cargo build` for exactly
//! the binary or example that is running (same package, target and profile, found from the
//! executable's path and the variables `cargo run` sets), streams progress to every browser,
//! and then either shows the compiler's errors in the overlay (the old binary keeps serving) or
//! flushes state snapshots and restarts in place (see `restart.rs`). A newer edit cancels a
//! build that is still running and starts over.
//!
//! `--message-format=json` is used rather than `json-render-diagnostics`: the latter makes cargo
//! print diagnostics as text on stderr, and the overlay needs their spans (file:line:col) and
//! source lines as data. Each diagnostic's `rendered` text is shown as rustc wrote it.
//!
//! Self-rebuild needs a server started by cargo (the `CARGO` variable), a Unix system, and a
//! listener bound with [`bind`](crate::bind); it is off under an external watcher
//! (cargo-watch, watchexec and bacon restart the server themselves: two rebuilds would race)
//! and with `HOTRELOAD_REBUILD=0`. Otherwise the page just says "rebuild needed".

use crate::dev::bus::{DevFrame, OverlayError, OverlayKind, Severity, ToastLevel, publish};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

/// The shortest time between two progress frames of a build.
const PROGRESS_EVERY: std::time::Duration = std::time::Duration::from_millis(250);

/// Units in the last complete build: the progress bar's total.
static LAST_TOTAL: AtomicU64 = AtomicU64::new(0);

/// How to rebuild the running binary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BuildTarget {
    /// The cargo binary (`$CARGO`).
    pub cargo: PathBuf,
    /// The package (`-p`).
    pub package: String,
    /// `--bin NAME` or `--example NAME`.
    pub target: Vec<String>,
    /// `--release` / `--profile NAME`, or nothing for the dev profile.
    pub profile: Vec<String>,
    /// Where to run cargo (the package's manifest directory).
    pub dir: PathBuf,
}

impl BuildTarget {
    /// The target of this process, if it was started by `cargo run` (or `cargo test`).
    pub(crate) fn of_current_process() -> Result<Self, String> {
        if std::env::var_os("HOTRELOAD_REBUILD").is_some_and(|v| v == "0") {
            return Err("rebuilding is turned off (HOTRELOAD_REBUILD=0)".to_owned());
        }
        if let Some(watcher) = external_watcher() {
            return Err(format!(
                "running under {watcher}, which rebuilds and restarts the server itself"
            ));
        }
        if !cfg!(unix) {
            return Err("restarting in place needs a Unix system".to_owned());
        }
        let cargo = std::env::var_os("CARGO")
            .map(PathBuf::from)
            .ok_or("the server was not started by cargo (no CARGO variable)")?;
        let package = std::env::var("CARGO_PKG_NAME")
            .map_err(|_| "the server was not started by cargo (no CARGO_PKG_NAME)".to_owned())?;
        let dir = std::env::var_os("CARGO_MANIFEST_DIR")
            .map(PathBuf::from)
            .ok_or("the server was not started by cargo (no CARGO_MANIFEST_DIR)")?;
        let exe =
            std::env::current_exe().map_err(|e| format!("cannot find this executable: {e}"))?;
        let (target, profile) = target_of(&exe)?;
        Ok(BuildTarget {
            cargo,
            package,
            target,
            profile,
            dir,
        })
    }

    fn command(&self) -> Command {
        let mut command = Command::new(&self.cargo);
        command
            .arg("build")
            .arg("--message-format=json")
            .arg("-p")
            .arg(&self.package)
            .args(&self.target)
            .args(&self.profile)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        command
    }
}

/// `target/<profile>/examples/<name>` → `--example name`; `target/<profile>/<name>` →
/// `--bin name`; the profile from the directory (`debug` is the dev profile).
fn target_of(exe: &Path) -> Result<(Vec<String>, Vec<String>), String> {
    let name = exe
        .file_stem()
        .and_then(|n| n.to_str())
        .ok_or("this executable has no name")?
        .to_owned();
    let parent = exe.parent().ok_or("this executable has no directory")?;
    let parent_name = parent.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let (target, profile_dir) = match parent_name {
        "examples" => (vec!["--example".to_owned(), name], parent.parent()),
        "deps" => return Err("test binaries are not rebuilt in place".to_owned()),
        _ => (vec!["--bin".to_owned(), name], Some(parent)),
    };
    let profile = match profile_dir
        .and_then(|d| d.file_name())
        .and_then(|n| n.to_str())
    {
        Some("debug") => Vec::new(),
        Some("release") => vec!["--release".to_owned()],
        Some(other) => vec!["--profile".to_owned(), other.to_owned()],
        None => Vec::new(),
    };
    Ok((target, profile))
}

/// The external watcher this process runs under, if any.
fn external_watcher() -> Option<&'static str> {
    if std::env::vars_os().any(|(k, _)| k.to_string_lossy().starts_with("WATCHEXEC_")) {
        return Some("watchexec/cargo-watch");
    }
    if std::env::var_os("BACON").is_some() {
        return Some("bacon");
    }
    None
}

/// Runs rebuilds, one at a time; a new request cancels the running one.
#[derive(Debug)]
pub(crate) struct Rebuilder {
    target: BuildTarget,
    running: Mutex<Option<Arc<Mutex<Child>>>>,
    generation: AtomicU64,
}

impl Rebuilder {
    /// A rebuilder for `target`.
    pub(crate) fn new(target: BuildTarget) -> Arc<Self> {
        Arc::new(Rebuilder {
            target,
            running: Mutex::new(None),
            generation: AtomicU64::new(0),
        })
    }

    /// Starts a build (cancelling one that is running); on success the process restarts.
    pub(crate) fn request(self: &Arc<Self>, reason: &str) {
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        if self.kill_running() {
            tracing::info!("hotreload: a newer edit cancels the running build");
        }
        tracing::info!(%reason, "hotreload: rebuilding");
        let this = Arc::clone(self);
        let spawned = std::thread::Builder::new()
            .name("hotreload-rebuild".to_owned())
            .spawn(move || this.build(generation));
        if let Err(error) = spawned {
            tracing::error!(%error, "hotreload: cannot start a rebuild");
        }
    }

    /// Cancels the running build, if any: the sources are back to what the running binary was
    /// built from. Its result (errors or a restart) is dropped. True if one was running.
    pub(crate) fn cancel(&self) -> bool {
        self.generation.fetch_add(1, Ordering::SeqCst);
        let killed = self.kill_running();
        if killed {
            tracing::info!("hotreload: the sources match the running build again; build cancelled");
        }
        killed
    }

    fn kill_running(&self) -> bool {
        let running = self
            .running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        match running {
            Some(child) => {
                let _ = child.lock().unwrap_or_else(PoisonError::into_inner).kill();
                true
            }
            None => false,
        }
    }

    fn build(&self, generation: u64) {
        let started = std::time::Instant::now();
        let mut child = match self.target.command().spawn() {
            Ok(child) => child,
            Err(error) => {
                toast(ToastLevel::Error, format!("could not run cargo: {error}"));
                return;
            }
        };
        let Some(stdout) = child.stdout.take() else {
            return;
        };
        let child = Arc::new(Mutex::new(child));
        *self.running.lock().unwrap_or_else(PoisonError::into_inner) = Some(Arc::clone(&child));
        if self.generation.load(Ordering::SeqCst) != generation {
            // Cancelled (or superseded) while cargo was starting: stop it now, report nothing.
            let _ = child.lock().unwrap_or_else(PoisonError::into_inner).kill();
            return;
        }

        let label = format!("{} {}", self.target.target.join(" "), self.target.package);
        let total = LAST_TOTAL.load(Ordering::Relaxed);
        publish(&DevFrame::Progress {
            done: 0,
            total: total.max(1),
            label: label.clone(),
        });
        let mut build = BuildOutput::default();
        // One frame per compiled unit would be ~150 frames for a small app: a few a second
        // move the bar just as well.
        let mut last_progress = std::time::Instant::now();
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            let Ok(message) = serde_json::from_str::<Value>(&line) else {
                continue;
            };
            build.read(&message, &self.target);
            if message["reason"] == "compiler-artifact"
                && last_progress.elapsed() >= PROGRESS_EVERY
                && self.generation.load(Ordering::SeqCst) == generation
            {
                last_progress = std::time::Instant::now();
                publish(&DevFrame::Progress {
                    done: build.units,
                    total: total.max(build.units + 1),
                    label: label.clone(),
                });
            }
        }
        let status = child.lock().unwrap_or_else(PoisonError::into_inner).wait();
        self.running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if self.generation.load(Ordering::SeqCst) != generation {
            return; // cancelled by a newer edit; that build reports
        }
        publish(&DevFrame::Progress {
            done: 1,
            total: 1,
            label: label.clone(),
        });
        let succeeded = build.success.unwrap_or(false) && status.is_ok_and(|s| s.success());
        if !succeeded {
            let mut errors = build.errors;
            if errors.is_empty() {
                errors.push(OverlayError {
                    file: self.target.package.clone(),
                    line: 0,
                    column: 0,
                    message: "cargo build failed (see the terminal for details)".to_owned(),
                    source: None,
                    severity: Severity::Error,
                });
            }
            tracing::warn!(
                errors = errors.len(),
                "hotreload: the rebuild failed; the running server keeps serving"
            );
            publish(&DevFrame::Overlay {
                kind: OverlayKind::Compile,
                errors,
            });
            return;
        }
        LAST_TOTAL.store(build.units, Ordering::Relaxed);
        let Some(binary) = build.executable else {
            toast(
                ToastLevel::Error,
                "the build finished but produced no executable to restart".to_owned(),
            );
            return;
        };
        tracing::info!(elapsed = ?started.elapsed(), "hotreload: rebuilt");
        publish(&DevFrame::OverlayClear);
        toast(
            ToastLevel::Info,
            format!(
                "Rebuilt in {:.1} s, restarting",
                started.elapsed().as_secs_f64()
            ),
        );
        let error = crate::dev::restart::exec_in_place(&binary);
        toast(ToastLevel::Error, format!("could not restart: {error}"));
    }
}

fn toast(level: ToastLevel, message: String) {
    publish(&DevFrame::Toast { level, message });
}

/// What cargo's JSON messages said.
#[derive(Debug, Default)]
struct BuildOutput {
    units: u64,
    executable: Option<PathBuf>,
    errors: Vec<OverlayError>,
    success: Option<bool>,
}

impl BuildOutput {
    fn read(&mut self, message: &Value, target: &BuildTarget) {
        match message["reason"].as_str() {
            Some("compiler-artifact") => {
                self.units += 1;
                let name = message["target"]["name"].as_str();
                if let (Some(executable), Some(name)) = (message["executable"].as_str(), name)
                    && target.target.get(1).is_some_and(|t| t == name)
                {
                    self.executable = Some(PathBuf::from(executable));
                }
            }
            Some("compiler-message") => {
                let diagnostic = &message["message"];
                let level = diagnostic["level"].as_str().unwrap_or("");
                if level != "error" {
                    return;
                }
                let primary = diagnostic["spans"]
                    .as_array()
                    .and_then(|spans| spans.iter().find(|s| s["is_primary"] == true));
                let number = |v: &Value| u32::try_from(v.as_u64().unwrap_or(0)).unwrap_or(0);
                self.errors.push(OverlayError {
                    file: primary
                        .and_then(|s| s["file_name"].as_str())
                        .unwrap_or("")
                        .to_owned(),
                    line: primary.map_or(0, |s| number(&s["line_start"])),
                    column: primary.map_or(0, |s| number(&s["column_start"])),
                    message: diagnostic["rendered"]
                        .as_str()
                        .or(diagnostic["message"].as_str())
                        .unwrap_or("error")
                        .to_owned(),
                    // `rendered` already quotes the source lines, underlined; a second copy
                    // would only repeat them.
                    source: None,
                    severity: Severity::Error,
                });
            }
            Some("build-finished") => self.success = message["success"].as_bool(),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_and_profiles_come_from_the_executable_path() {
        let (target, profile) = target_of(Path::new("/w/target/debug/examples/counter")).unwrap();
        assert_eq!(
            (target, profile),
            (vec!["--example".into(), "counter".into()], vec![])
        );
        let (target, profile) = target_of(Path::new("/w/target/release/server")).unwrap();
        assert_eq!(
            (target, profile),
            (
                vec!["--bin".into(), "server".into()],
                vec!["--release".into()]
            )
        );
        let (_, profile) = target_of(Path::new("/w/target/profiling/server")).unwrap();
        assert_eq!(
            profile,
            vec!["--profile".to_owned(), "profiling".to_owned()]
        );
        assert!(target_of(Path::new("/w/target/debug/deps/live-0123")).is_err());
    }

    #[test]
    fn compiler_errors_become_overlay_errors_with_spans() {
        let target = BuildTarget {
            cargo: "cargo".into(),
            package: "app".into(),
            target: vec!["--bin".into(), "app".into()],
            profile: vec![],
            dir: ".".into(),
        };
        let mut output = BuildOutput::default();
        let error = serde_json::json!({
            "reason": "compiler-message",
            "message": {
                "level": "error",
                "message": "expected expression, found `;`",
                "rendered": "error: expected expression, found `;`\n --> src/main.rs:12:27\n",
                "spans": [{"file_name": "src/main.rs", "line_start": 12, "column_start": 27, "is_primary": true,
                           "text": [{"text": "        self.count += ;"}]}]
            }
        });
        output.read(&error, &target);
        output.read(&serde_json::json!({"reason": "compiler-message", "message": {"level": "warning", "spans": []}}), &target);
        output.read(&serde_json::json!({"reason": "compiler-artifact", "target": {"name": "app"}, "executable": "/t/app"}), &target);
        output.read(
            &serde_json::json!({"reason": "build-finished", "success": false}),
            &target,
        );
        assert_eq!(output.errors.len(), 1);
        let e = &output.errors[0];
        assert_eq!((e.file.as_str(), e.line, e.column), ("src/main.rs", 12, 27));
        // rustc's rendered text quotes the source itself: no second copy.
        assert!(e.message.contains("expected expression") && e.source.is_none());
        assert_eq!(e.severity, Severity::Error);
        assert_eq!(output.executable, Some(PathBuf::from("/t/app")));
        assert_eq!((output.units, output.success), (1, Some(false)));
    }
}
