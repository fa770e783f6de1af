//! The hot-swap engine: a saved file → re-parse → classify → swap → re-render → patches.
//!
//! Edits are handled one at a time, on the watcher's thread, always reading the file as it is
//! on disk *now*: an edit that arrives while another is being handled is handled next, so the
//! last save always wins and the final DOM is a fresh render of the last valid file.
//!
//! After a swap, every live instance whose last render used a swapped template re-renders
//! with its in-memory state and its client gets a patch. If any of those renders panics, the
//! swap is reverted (the registry keeps the previous version) and the error is shown.

use crate::config_file::ConfigError;
use crate::config_file::watched::Reloaded;
use crate::dev::annotate;
use crate::dev::bus::{DevFrame, OverlayError, OverlayKind, Severity, ToastLevel, publish};
use crate::dev::classify::{Classification, PlannedSwap, RebuildNeeded, classify};
use crate::dev::rebuild::{BuildTarget, Rebuilder};
use crate::dev::reparse::{ReparsedFile, SourceError, reparse_against, reparse_source};
use crate::dev::sources::{SourceSet, relative_key};
use crate::dev::stats::DevStats;
use crate::dev::watch::{Batch, WatchHandle, watch};
use crate::live::runtime::runtime;
use crate::template::{InstanceId, TemplateId, registry};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long a swap waits for instances to re-render before reporting.
const RERENDER_TIMEOUT: Duration = Duration::from_secs(5);

/// Marks the startup annotation pass over when dropped.
struct MarkAnnotated<'a>(&'a tokio::sync::watch::Sender<bool>);

impl Drop for MarkAnnotated<'_> {
    fn drop(&mut self) {
        self.0.send_replace(true);
    }
}

/// What the engine watches and how it names things.
#[derive(Debug, Clone, Default)]
pub struct EngineConfig {
    /// The app's `CARGO_MANIFEST_DIR`; the workspace above it is watched.
    pub manifest_dir: PathBuf,
    /// Extra macro names to treat as `hot_reload_liveview!` (aliases).
    pub aliases: Vec<String>,
    /// Stylesheet directories and the URL prefix each is served under.
    pub css_dirs: Vec<(PathBuf, String)>,
    /// `file!()` keys served from other paths (an edited copy), for tests and tools.
    pub file_map: Vec<(String, PathBuf)>,
    /// Rebuild and restart on Rust edits, where the process can (see `rebuild.rs`).
    pub self_rebuild: bool,
    /// Write `data-hr-src` source positions into every element rendered (click-to-source;
    /// `annotate.rs`).
    pub annotate: bool,
}

/// What one edit did; also returned to tests.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EditReport {
    /// The `file!()` key, or the path for files that are not sources.
    pub file: String,
    /// Templates swapped.
    pub swapped: usize,
    /// Instances re-rendered.
    pub rerendered: usize,
    /// Why a rebuild is needed, if it is.
    pub rebuild: Vec<RebuildNeeded>,
    /// Errors shown in the overlay for this file.
    pub errors: Vec<OverlayError>,
    /// Templates reverted because their renders panicked.
    pub reverted: Vec<TemplateId>,
    /// The stylesheet URL path pushed, for CSS edits.
    pub css: Option<String>,
    /// A config file ([`ConfigFile`](crate::ConfigFile)) was read again and swapped in.
    pub config: bool,
}

/// Watches sources and hot-swaps templates. One per process is started by
/// [`HotReload::apply`](crate::dev::HotReload::apply); tests may make their own.
#[derive(Debug)]
pub struct HotSwapEngine {
    sources: Mutex<SourceSet>,
    aliases: Vec<String>,
    css_dirs: Vec<(PathBuf, String)>,
    as_built: Mutex<HashMap<String, Arc<ReparsedFile>>>,
    /// Errors currently shown, by file key.
    errors: Mutex<BTreeMap<String, Vec<OverlayError>>>,
    /// Files whose Rust code differs from the running build (a rebuild was asked for). When the
    /// last of them is saved back as it was built, the rebuild is cancelled.
    stale: Mutex<BTreeSet<String>>,
    watcher: Mutex<Option<WatchHandle>>,
    /// Rebuilds on Rust edits, or why it cannot.
    rebuilder: Result<Arc<Rebuilder>, String>,
    /// Source annotations on (`EngineConfig::annotate`).
    annotate: bool,
    /// Held while an edit is handled, and by the startup annotation pass per file, so the
    /// pass never writes as-built positions over an edit's.
    editing: Mutex<()>,
    /// Files edited since watching started (the startup pass leaves them to the edits).
    edited: Mutex<BTreeSet<String>>,
    /// `true` once the startup annotation pass is over (or there is none): pages served
    /// before then wait for it a moment (see [`annotated`](Self::annotated)).
    annotated: tokio::sync::watch::Sender<bool>,
    /// Counters.
    pub stats: DevStats,
}

impl HotSwapEngine {
    /// Snapshots the sources (taken as the built version) without watching yet.
    pub fn new(config: EngineConfig) -> Arc<Self> {
        let mut sources = SourceSet::scan(&config.manifest_dir);
        for (key, path) in &config.file_map {
            sources.map_file(key, path);
        }
        tracing::debug!(files = sources.len(), root = %sources.root().display(), "hotreload: sources");
        Arc::new(HotSwapEngine {
            sources: Mutex::new(sources),
            aliases: config.aliases,
            css_dirs: config.css_dirs,
            as_built: Mutex::new(HashMap::new()),
            errors: Mutex::new(BTreeMap::new()),
            stale: Mutex::new(BTreeSet::new()),
            watcher: Mutex::new(None),
            rebuilder: if config.self_rebuild {
                BuildTarget::of_current_process().map(Rebuilder::new)
            } else {
                Err("self-rebuild is turned off".to_owned())
            },
            stats: DevStats::default(),
            annotate: config.annotate,
            editing: Mutex::new(()),
            edited: Mutex::new(BTreeSet::new()),
            annotated: tokio::sync::watch::Sender::new(!config.annotate),
        })
    }

    /// Annotates every template of the build with its source positions (see `annotate.rs`)
    /// and re-renders the instances already showing them; run once, on a thread of its own,
    /// when watching starts, since it parses every source file that has templates.
    pub(crate) fn annotate_sources(&self) {
        if !self.annotate {
            return;
        }
        // Marked done however the pass ends, so no page waits for one that panicked.
        let _done = MarkAnnotated(&self.annotated);
        let started = Instant::now();
        let files: Vec<(String, String)> = lock(&self.sources)
            .files()
            .filter(|f| self.mentions_macro(&f.as_built))
            .map(|f| (f.key.clone(), f.as_built.clone()))
            .collect();
        let mut changed = Vec::new();
        for (key, text) in &files {
            let Some(parsed) = self.as_built(key, text) else {
                continue;
            };
            let _editing = lock(&self.editing);
            if !lock(&self.edited).contains(key) {
                changed.extend(annotate::annotate_built(key, &parsed));
            }
        }
        let instances = instances_using(&changed);
        let _ = runtime().rerender(&instances, RERENDER_TIMEOUT);
        tracing::debug!(files = files.len(), templates = changed.len(), elapsed = ?started.elapsed(), "hotreload: source annotations");
    }

    /// Becomes `true` when the startup annotation pass is over. The first pages served after
    /// start wait for it (briefly: `route.rs`), so they carry their source positions from the
    /// first load and the socket's first render matches the page (no second copy of the page
    /// sent to every tab opened during start-up).
    pub(crate) fn annotated(&self) -> tokio::sync::watch::Receiver<bool> {
        self.annotated.subscribe()
    }

    /// No startup annotation pass will run (its thread could not start): pages stop waiting.
    pub(crate) fn annotation_abandoned(&self) {
        self.annotated.send_replace(true);
    }

    /// The path of the source with `file!()` key `key`, if the running build has one.
    pub(crate) fn source_path(&self, key: &str) -> Option<PathBuf> {
        lock(&self.sources).path_of(key).map(Path::to_path_buf)
    }

    /// Whether `text` may hold a template (the macro's name or an alias appears in it).
    fn mentions_macro(&self, text: &str) -> bool {
        text.contains(crate::dev::reparse::MACRO_NAME)
            || self
                .aliases
                .iter()
                .any(|alias| text.contains(alias.as_str()))
    }

    /// Starts watching; edits are handled on the watcher's thread until the engine is dropped.
    pub fn start_watching(self: &Arc<Self>) -> Result<(), notify::Error> {
        let mut dirs: Vec<PathBuf> = lock(&self.sources).dirs().to_vec();
        dirs.extend(self.css_dirs.iter().map(|(dir, _)| dir.clone()));
        dirs.sort();
        dirs.dedup();
        let engine = Arc::downgrade(self);
        let handle = watch(&dirs, move |batch: Batch| {
            let Some(engine) = engine.upgrade() else {
                return;
            };
            for path in &batch.paths {
                engine.handle_path(path, batch.first_event);
            }
        })?;
        *lock(&self.watcher) = Some(handle);
        Ok(())
    }

    /// Handles a change to `path` (saved at `saved_at`): swaps, rebuild notices, overlay.
    pub fn handle_path(&self, path: &Path, saved_at: Instant) -> EditReport {
        self.load_appeared_configs(saved_at);
        if path.extension().is_some_and(|e| e == "css") {
            return self.handle_css(path);
        }
        let configs = crate::config_file::watched::changed(path);
        if !configs.is_empty() {
            return self.handle_config(path, configs, saved_at);
        }
        let source = lock(&self.sources).get(path).cloned();
        let Some(source) = source else {
            // Not part of the running build (another crate, a new or scratch file).
            return EditReport {
                file: path.display().to_string(),
                ..EditReport::default()
            };
        };
        let _span = tracing::debug_span!("hot_swap", file = %source.key).entered();
        let _editing = lock(&self.editing);
        lock(&self.edited).insert(source.key.clone());
        DevStats::bump(&self.stats.edits, 1);
        let mut report = EditReport {
            file: source.key.clone(),
            ..EditReport::default()
        };
        let Some(text) = read_settled(path, !source.as_built.is_empty()) else {
            report.rebuild.push(RebuildNeeded {
                line: 1,
                reason: "the file was deleted".to_owned(),
            });
            self.publish_rebuild(&report);
            return report;
        };
        // The as-built version first (parsed once, cached): an edit that leaves the Rust
        // outside templates as built needs no whole-file parse.
        let built = self.as_built(&source.key, &source.as_built);
        let edited = {
            let _span = tracing::debug_span!("parse").entered();
            reparse_against(&text, &self.alias_refs(), built.as_deref())
        };
        let edited = match edited {
            Ok(edited) => edited,
            Err(error) => {
                DevStats::bump(&self.stats.parse_errors, 1);
                report.errors = vec![overlay_error(&source.key, &text, &error)];
                self.show_errors(&source.key, report.errors.clone());
                return report;
            }
        };
        let Some(as_built) = built else {
            report.rebuild.push(RebuildNeeded {
                line: 1,
                reason: "the built version of this file could not be read back".to_owned(),
            });
            self.publish_rebuild(&report);
            return report;
        };
        if let Some(reason) = self.built_differs(&source.key, &as_built) {
            report.rebuild.push(RebuildNeeded { line: 1, reason });
            self.publish_rebuild(&report);
            return report;
        }
        let classification = {
            let _span = tracing::debug_span!("classify").entered();
            classify(&source.key, &as_built, &edited)
        };
        self.apply(&mut report, classification, &text, saved_at);
        report
    }

    fn apply(&self, report: &mut EditReport, c: Classification, text: &str, saved_at: Instant) {
        if !c.errors.is_empty() {
            DevStats::bump(&self.stats.parse_errors, 1);
        }
        let mut errors: Vec<OverlayError> = c
            .errors
            .iter()
            .map(|e| overlay_error(&report.file, text, e))
            .collect();
        // Templates that only moved: their new positions, shown by a silent re-render. (Those
        // about to be swapped are not live yet and are skipped; the swap carries theirs.)
        let moved = if self.annotate {
            annotate::annotate_edited(&report.file, &c.swaps)
        } else {
            Vec::new()
        };
        let swapped = {
            let _span = tracing::debug_span!("swap", templates = c.swaps.len()).entered();
            swap_changed(c.swaps, &report.file, self.annotate)
        };
        report.swapped = swapped.len();
        if swapped.is_empty() && !moved.is_empty() {
            let _ = runtime().rerender(&instances_using(&moved), RERENDER_TIMEOUT);
        }
        if !swapped.is_empty() {
            // The instances of templates that only moved re-render in the same pass.
            let touched: Vec<TemplateId> = swapped.iter().chain(&moved).cloned().collect();
            let instances = instances_using(&touched);
            report.rerendered = instances.len();
            let outcomes = {
                let _span = tracing::debug_span!("rerender", instances = instances.len()).entered();
                runtime().rerender(&instances, RERENDER_TIMEOUT)
            };
            if let Some((_, Err(panic))) = outcomes.iter().find(|(_, r)| r.is_err()) {
                for id in &swapped {
                    let _ = registry().revert(id);
                }
                let _ = runtime().rerender(&instances, RERENDER_TIMEOUT);
                DevStats::bump(&self.stats.reverts, swapped.len() as u64);
                report.reverted = swapped.clone();
                errors.push(OverlayError {
                    file: report.file.clone(),
                    line: swapped[0].line(),
                    column: swapped[0].column(),
                    message: format!(
                        "rendering the edited template panicked, so the swap was reverted: {panic}"
                    ),
                    source: None,
                    severity: Severity::Error,
                });
            } else {
                DevStats::bump(&self.stats.swaps, swapped.len() as u64);
                let latency = self.note_latency(saved_at);
                tracing::info!(file = %report.file, templates = swapped.len(), instances = instances.len(), ?latency, "hotreload: swapped");
                publish(&DevFrame::Swapped {
                    file: report.file.clone(),
                    templates: swapped.len(),
                    ms: latency.as_secs_f64() * 1000.0,
                });
            }
        }
        report.rebuild = c.rebuild;
        if report.rebuild.is_empty() {
            self.back_in_sync(&report.file);
        } else {
            self.publish_rebuild(report);
        }
        report.errors = errors.clone();
        self.show_errors(&report.file, errors);
    }

    /// A config file changed: swapped (its readers re-render), refused (overlay, the last
    /// good value stays) or deleted (a warning, the last good value stays).
    fn handle_config(
        &self,
        path: &Path,
        configs: Vec<(String, Reloaded)>,
        saved_at: Instant,
    ) -> EditReport {
        let mut report = EditReport {
            file: path.display().to_string(),
            ..EditReport::default()
        };
        for (shown, outcome) in configs {
            report.file.clone_from(&shown);
            match outcome {
                Reloaded::Swapped { readers, created } => {
                    self.show_errors(&shown, Vec::new());
                    let outcomes = runtime().rerender(&readers, RERENDER_TIMEOUT);
                    report.config = true;
                    report.rerendered = readers.len();
                    DevStats::bump(&self.stats.configs, 1);
                    let latency = self.note_latency(saved_at);
                    tracing::info!(file = %shown, instances = readers.len(), ?latency, "hotreload: config reloaded");
                    if let Some((_, Err(panic))) = outcomes.iter().find(|(_, r)| r.is_err()) {
                        tracing::warn!(file = %shown, %panic, "hotreload: a view panicked rendering the new config");
                    }
                    if created {
                        publish(&DevFrame::Toast {
                            level: ToastLevel::Info,
                            message: format!("{shown} was created: loaded"),
                        });
                    }
                    publish(&DevFrame::Swapped {
                        file: shown,
                        templates: 0,
                        ms: latency.as_secs_f64() * 1000.0,
                    });
                }
                Reloaded::Failed(error) => {
                    DevStats::bump(&self.stats.parse_errors, 1);
                    let (line, column) = error.position();
                    let source = std::fs::read_to_string(path).ok().and_then(|text| {
                        text.lines()
                            .nth(line.saturating_sub(1) as usize)
                            .map(str::to_owned)
                    });
                    let message = match &error {
                        ConfigError::Parse { message, .. }
                        | ConfigError::Invalid { message, .. } => message.clone(),
                        other => other.to_string(),
                    };
                    report.errors = vec![OverlayError {
                        file: shown.clone(),
                        line,
                        column,
                        message: format!("{message} (the last good config stays live)"),
                        source,
                        severity: Severity::Error,
                    }];
                    self.show_errors(&shown, report.errors.clone());
                }
                Reloaded::Deleted => {
                    tracing::warn!(file = %shown, "hotreload: config file deleted; keeping the last good config");
                    publish(&DevFrame::Toast {
                        level: ToastLevel::Warn,
                        message: format!("{shown} was deleted: keeping the last good config"),
                    });
                }
                Reloaded::Unchanged => {}
            }
        }
        report
    }

    /// Records save → patches sent for the stats (what the end-to-end bench compares the
    /// browser's clock with); returns it.
    fn note_latency(&self, saved_at: Instant) -> Duration {
        let latency = saved_at.elapsed();
        self.stats.last_latency_micros.store(
            u64::try_from(latency.as_micros()).unwrap_or(u64::MAX),
            std::sync::atomic::Ordering::Relaxed,
        );
        let event_at = std::time::SystemTime::now()
            .checked_sub(latency)
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX));
        self.stats
            .last_event_unix_micros
            .store(event_at, std::sync::atomic::Ordering::Relaxed);
        latency
    }

    /// Also watches the directory of config file `path` (see [`WatchHandle::watch_files_in`]).
    pub(crate) fn watch_config(&self, path: &Path) {
        if let (Some(dir), Some(watcher)) = (path.parent(), lock(&self.watcher).as_mut()) {
            watcher.watch_files_in(dir);
        }
    }

    /// A config file's directory that was missing exists now (made after start-up): it is
    /// watched from now on, and a config file already written into it is loaded, since its
    /// own creation came before the watch and was not seen.
    fn load_appeared_configs(&self, saved_at: Instant) {
        let appeared = lock(&self.watcher)
            .as_mut()
            .map(WatchHandle::appeared)
            .unwrap_or_default();
        let appeared: Vec<PathBuf> = appeared
            .iter()
            .filter_map(|dir| dir.canonicalize().ok())
            .collect();
        if appeared.is_empty() {
            return;
        }
        for location in crate::config_file::watched::locations() {
            if location
                .parent()
                .is_some_and(|dir| appeared.iter().any(|a| a == dir))
                && location.exists()
            {
                let configs = crate::config_file::watched::changed(&location);
                if !configs.is_empty() {
                    self.handle_config(&location, configs, saved_at);
                }
            }
        }
    }

    fn handle_css(&self, path: &Path) -> EditReport {
        let mut report = EditReport {
            file: path.display().to_string(),
            ..EditReport::default()
        };
        for (dir, prefix) in &self.css_dirs {
            if let Some(relative) = relative_key(dir, path) {
                let url = format!("{}/{relative}", prefix.trim_end_matches('/'));
                DevStats::bump(&self.stats.css, 1);
                publish(&DevFrame::Css { path: url.clone() });
                report.css = Some(url);
                break;
            }
        }
        report
    }

    fn alias_refs(&self) -> Vec<&str> {
        self.aliases.iter().map(String::as_str).collect()
    }

    fn as_built(&self, key: &str, text: &str) -> Option<Arc<ReparsedFile>> {
        if let Some(parsed) = lock(&self.as_built).get(key) {
            return Some(Arc::clone(parsed));
        }
        let parsed = Arc::new(reparse_source(text, &self.alias_refs()).ok()?);
        lock(&self.as_built).insert(key.to_owned(), Arc::clone(&parsed));
        Some(parsed)
    }

    /// Whether the snapshot taken as "built" disagrees with what the binary registered (the
    /// file was edited between the build and the start of watching).
    fn built_differs(&self, key: &str, as_built: &ReparsedFile) -> Option<String> {
        for info in registry().templates_in_file(key) {
            let Some(compiled) = registry().compiled(&info.id) else {
                continue;
            };
            let matching = as_built
                .invocations
                .iter()
                .find(|i| {
                    i.position.line == info.id.line() && i.position.column == info.id.column()
                })
                .and_then(|i| i.templates.as_ref().ok())
                .and_then(|t| t.get(info.id.index() as usize));
            let same = matching.is_some_and(|t| {
                t.statics
                    .iter()
                    .map(String::as_str)
                    .eq(compiled.statics().iter().copied())
                    && t.holes
                        .iter()
                        .map(|h| h.text.as_str())
                        .eq(compiled.holes().iter().map(|h| h.text))
            });
            if !same {
                return Some(format!(
                    "this file changed between the build and the server start (template {} differs); rebuild to hot-reload it",
                    info.id
                ));
            }
        }
        None
    }

    /// `file`'s Rust code is what the running binary was built from (again). If it was the
    /// last file that needed a rebuild, the pending build is cancelled and the browsers drop
    /// "rebuild needed" and the compile error.
    fn back_in_sync(&self, file: &str) {
        let mut stale = lock(&self.stale);
        if !stale.remove(file) || !stale.is_empty() {
            return;
        }
        drop(stale);
        if let Ok(rebuilder) = &self.rebuilder {
            rebuilder.cancel();
        }
        tracing::info!(%file, "hotreload: the sources match the running build again");
        publish(&DevFrame::RebuildCleared);
    }

    fn publish_rebuild(&self, report: &EditReport) {
        let Some(first) = report.rebuild.first() else {
            return;
        };
        lock(&self.stale).insert(report.file.clone());
        DevStats::bump(&self.stats.rebuild_needed, 1);
        tracing::info!(file = %report.file, line = first.line, reason = %first.reason, "hotreload: rebuild needed");
        let reason = match &self.rebuilder {
            Ok(_) => format!("{}; rebuilding", first.reason),
            Err(why) => format!("{}; restart your server ({why})", first.reason),
        };
        publish(&DevFrame::RebuildNeeded {
            file: report.file.clone(),
            line: first.line,
            reason,
        });
        if let Ok(rebuilder) = &self.rebuilder {
            rebuilder.request(&first.reason);
        }
    }

    /// Replaces the errors shown for `file` and updates every browser's overlay.
    fn show_errors(&self, file: &str, errors: Vec<OverlayError>) {
        let mut shown = lock(&self.errors);
        let had_any = !shown.is_empty();
        if errors.is_empty() {
            shown.remove(file);
        } else {
            for error in &errors {
                tracing::warn!(file = %error.file, line = error.line, column = error.column, message = %error.message, "hotreload: template error");
            }
            shown.insert(file.to_owned(), errors);
        }
        if shown.is_empty() {
            if had_any {
                publish(&DevFrame::OverlayClear);
            }
        } else {
            publish(&DevFrame::Overlay {
                kind: OverlayKind::Template,
                errors: shown.values().flatten().cloned().collect(),
            });
        }
    }

    /// The errors currently shown, by file (for tests and the stats endpoint).
    pub fn shown_errors(&self) -> Vec<OverlayError> {
        lock(&self.errors).values().flatten().cloned().collect()
    }
}

/// Installs the layouts that differ from what is live, each with its source annotation if
/// `annotate`; returns the ids swapped.
fn swap_changed(swaps: Vec<PlannedSwap>, file: &str, annotate: bool) -> Vec<TemplateId> {
    let mut swapped = Vec::new();
    for PlannedSwap {
        id,
        layout,
        as_built,
        elements,
    } in swaps
    {
        let unchanged = match registry().layout(&id) {
            Some(live) => live == layout,
            // Never rendered and never swapped: only a real change is worth installing.
            None => as_built,
        };
        if unchanged {
            continue;
        }
        let annotated = annotate.then(|| annotate::annotated(file, &layout, &elements));
        match registry().swap_annotated(&id, layout, annotated) {
            Ok(_) => swapped.push(id),
            Err(error) => tracing::warn!(%error, "hotreload: swap refused"),
        }
    }
    swapped
}

fn instances_using(ids: &[TemplateId]) -> Vec<InstanceId> {
    let set: BTreeSet<InstanceId> = ids
        .iter()
        .flat_map(|id| registry().instances_using(id))
        .collect();
    set.into_iter().collect()
}

/// Reads `path`, giving an editor that truncates before writing a moment to finish: an empty
/// read of a file that had content is retried briefly. `None` if the file is gone.
fn read_settled(path: &Path, had_content: bool) -> Option<String> {
    let mut text = std::fs::read_to_string(path).ok()?;
    if text.is_empty() && had_content {
        // The write usually lands within a millisecond of the truncate: poll finely, so a save
        // caught in between costs about that much, not a coarse sleep (up to 50 ms in all).
        for _ in 0..50 {
            std::thread::sleep(Duration::from_millis(1));
            text = std::fs::read_to_string(path).ok()?;
            if !text.is_empty() {
                break;
            }
        }
    }
    Some(text)
}

fn overlay_error(file: &str, text: &str, error: &SourceError) -> OverlayError {
    OverlayError {
        file: file.to_owned(),
        line: error.position.line,
        column: error.position.column,
        message: error.message.clone(),
        source: text
            .lines()
            .nth(error.position.line.saturating_sub(1) as usize)
            .map(str::to_owned),
        severity: if error.note {
            Severity::Note
        } else {
            Severity::Error
        },
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
