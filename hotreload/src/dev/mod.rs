//! The dev layer: everything hot reload adds on top of the live runtime. Only ever active in
//! debug builds: [`enable_hot_reload!`] expands to the router unchanged in release builds, and
//! rendering never consults the registry there.
//!
//! - [`HotReload`]: the settings; `apply` adds the dev routes under `/_hotreload/` (runtime and
//!   dev client, WebSocket, stats), the layer that injects the client into HTML responses
//!   (`inject.rs`), and installs [`DevHooks`] (`hooks.rs`) in the runtime: the
//!   one way this layer reaches `live/`;
//! - `bus.rs`: frames for every connected browser;
//! - `state.rs`: the state manager (snapshots behind updates, restore after a restart);
//! - feature `hot-reload` (default): the hot-swap pipeline, one module per step:
//!   `watch.rs` (notify, millisecond debounce) → `sources.rs` (watched files, `file!()` keys,
//!   as-built snapshots) → `reparse.rs` (templates back out of a file) → `classify.rs` (swap,
//!   rebuild needed, or broken) → `engine.rs` (swap in the registry, re-render instances,
//!   revert on panic, dev frames) with counters in `stats.rs`; for Rust edits `rebuild.rs`
//!   (cargo build, progress, compiler errors) and `restart.rs` (`exec` in place, handing over
//!   the socket [`bind`](crate::bind) keeps).
//!
//! [`enable_hot_reload!`]: crate::enable_hot_reload

// Without the watcher (feature `hot-reload` off) nothing publishes swaps, overlays or builds.
#[cfg(feature = "hot-reload")]
mod annotate;
#[cfg_attr(not(feature = "hot-reload"), allow(dead_code, unreachable_pub))]
pub(crate) mod bus;
#[cfg(feature = "hot-reload")]
pub(crate) mod classify;
mod console;
#[cfg(feature = "hot-reload")]
mod delimiters;
#[cfg(feature = "hot-reload")]
mod editor;
#[cfg(feature = "hot-reload")]
mod engine;
mod hooks;
mod inject;
#[cfg(feature = "hot-reload")]
mod rebuild;
#[cfg(feature = "hot-reload")]
pub(crate) mod reparse;
#[cfg(feature = "hot-reload")]
mod restart;
#[cfg(feature = "hot-reload")]
mod sources;
#[cfg(feature = "hot-reload")]
pub(crate) mod state;
#[cfg(feature = "hot-reload")]
mod stats;
#[cfg(all(test, feature = "hot-reload"))]
mod template_ids_tests;
#[cfg(feature = "hot-reload")]
mod watch;

pub use console::BrowserConsole;
#[cfg(feature = "hot-reload")]
pub use engine::{EditReport, EngineConfig, HotSwapEngine};

use crate::dev::hooks::DevHooks;
use crate::live::page::client_script;
use crate::live::runtime::runtime;
use axum::Router;
use axum::extract::WebSocketUpgrade;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use inject::InjectClientLayer;
use std::sync::{Arc, OnceLock};

/// The dev client (status dot, toasts, overlay, shortcuts, stylesheet swaps, stats), served
/// under the dev prefix only; the runtime client loads it on pages that say they are in dev.
/// Generated like the runtime client (`hotreload/client/`).
const DEV_CLIENT: &str = include_str!("../../client/dist/dev.js");

/// The default prefix of the dev routes.
pub(crate) const DEFAULT_PREFIX: &str = "/_hotreload";

/// The process's dev layer, once hot reload is enabled (the same object the runtime holds as
/// its hooks).
static DEV: OnceLock<Arc<DevHooks>> = OnceLock::new();

/// Whether hot reload is enabled in this process (`HotReload::apply` ran).
pub(crate) fn enabled() -> bool {
    DEV.get().is_some()
}

/// The dev state manager, once hot reload is enabled with a manifest dir.
#[cfg(feature = "hot-reload")]
pub(crate) fn state_manager() -> Option<&'static state::StateManager> {
    DEV.get().and_then(|dev| dev.state())
}

/// Adds hot reload to `router` with the default settings, watching the workspace around
/// `manifest_dir`; what `enable_hot_reload!` calls in debug builds (with the calling crate's
/// `CARGO_MANIFEST_DIR`).
#[doc(hidden)]
pub fn enable<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    manifest_dir: &str,
) -> Router<S> {
    HotReload::new().manifest_dir(manifest_dir).apply(router)
}

/// Hot reload settings, for apps that want more than `enable_hot_reload!(router)` (which is
/// `HotReload::new().manifest_dir(env!("CARGO_MANIFEST_DIR")).apply(router)` in debug builds
/// and the router unchanged in release builds).
///
/// ```no_run
/// use hotreload::HotReload;
/// # let router: axum::Router = axum::Router::new();
/// #[cfg(debug_assertions)]
/// let router = HotReload::new()
///     .manifest_dir(env!("CARGO_MANIFEST_DIR"))
///     .css_dir("styles", "/styles")
///     .apply(router);
/// ```
///
/// Environment overrides: `HOTRELOAD_WATCH=0` turns the file watcher off;
/// `HOTRELOAD_FILE_MAP="key=path;key=path"` serves a source's `file!()` key from another path
/// (tests and tools edit a copy that way).
#[derive(Debug, Clone)]
pub struct HotReload {
    prefix: String,
    inject: bool,
    manifest_dir: Option<std::path::PathBuf>,
    aliases: Vec<String>,
    css_dirs: Vec<(std::path::PathBuf, String)>,
    file_map: Vec<(String, std::path::PathBuf)>,
    watch: bool,
    rebuild: bool,
    annotate: bool,
    inspector: bool,
    source_key: SourceKey,
}

/// The modifier key that, held while clicking an element, opens its template in the editor
/// (and, held while hovering, shows where the element comes from).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SourceKey {
    /// Alt (Option on macOS); the default.
    #[default]
    Alt,
    /// Control.
    Ctrl,
    /// Meta (Command on macOS, the Windows key elsewhere).
    Meta,
    /// Shift.
    Shift,
}

impl SourceKey {
    /// The name the dev client reads (`data-source-key`).
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKey::Alt => "alt",
            SourceKey::Ctrl => "ctrl",
            SourceKey::Meta => "meta",
            SourceKey::Shift => "shift",
        }
    }
}

impl Default for HotReload {
    fn default() -> Self {
        Self::new()
    }
}

impl HotReload {
    /// Default settings: routes under `/_hotreload`, script injection on.
    pub fn new() -> Self {
        HotReload {
            prefix: DEFAULT_PREFIX.to_owned(),
            inject: true,
            manifest_dir: None,
            aliases: Vec::new(),
            css_dirs: Vec::new(),
            file_map: Vec::new(),
            watch: std::env::var("HOTRELOAD_WATCH").map_or(true, |v| v != "0"),
            rebuild: true,
            annotate: annotate_by_env(),
            inspector: std::env::var("HOTRELOAD_INSPECTOR").map_or(true, |v| v != "0"),
            source_key: SourceKey::default(),
        }
    }

    /// The app crate's manifest directory: the workspace around it is watched, and its
    /// `assets/`, `static/` and `public/` directories (if any) are watched for stylesheets. A
    /// stylesheet edit re-points the page's `<link>` at `/assets/<file>` (`/static/..`,
    /// `/public/..`) with a cache-buster, so the app serves those folders at those paths, in
    /// every build; hotreload does not serve them (a dev-only route would hide a missing one
    /// until release). With `tower-http`'s `ServeDir`:
    ///
    /// ```ignore
    /// let app = app.nest_service(
    ///     "/assets",
    ///     tower_http::services::ServeDir::new(concat!(env!("CARGO_MANIFEST_DIR"), "/assets")),
    /// );
    /// ```
    ///
    /// In a workspace, the folders that count are those of the crate that calls
    /// `enable_hot_reload!` (its `CARGO_MANIFEST_DIR`): a bin crate's `assets/`, not a views
    /// crate's. Other folders: [`css_dir`](Self::css_dir).
    pub fn manifest_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        let dir = dir.into();
        for name in ["assets", "static", "public"] {
            let css = dir.join(name);
            if css.is_dir() && !self.css_dirs.iter().any(|(d, _)| *d == css) {
                self.css_dirs.push((css, format!("/{name}")));
            }
        }
        self.manifest_dir = Some(dir);
        self
    }

    /// Also treats `name!` as the template macro (for `use ... as name` aliases).
    pub fn macro_alias(mut self, name: &str) -> Self {
        self.aliases.push(name.to_owned());
        self
    }

    /// Watches `dir` for stylesheet edits, served under the URL path `url_prefix`.
    pub fn css_dir(mut self, dir: impl Into<std::path::PathBuf>, url_prefix: &str) -> Self {
        self.css_dirs.push((dir.into(), url_prefix.to_owned()));
        self
    }

    /// Serves the source with `file!()` key `key` from `path` instead (an edited copy).
    pub fn map_file(mut self, key: &str, path: impl Into<std::path::PathBuf>) -> Self {
        self.file_map.push((key.to_owned(), path.into()));
        self
    }

    /// Whether a Rust edit rebuilds and restarts the server (default on, where possible; also
    /// `HOTRELOAD_REBUILD=0`).
    pub fn rebuild(mut self, rebuild: bool) -> Self {
        self.rebuild = rebuild;
        self
    }

    /// Whether every element rendered carries `data-hr-src="FILE:LINE:COLUMN"` (default on;
    /// also `HOTRELOAD_ANNOTATE=0`): the positions click-to-source and the inspector use.
    /// Needs watching on.
    pub fn source_annotations(mut self, on: bool) -> Self {
        self.annotate = on;
        self
    }

    /// Whether live views record their states and messages for the inspector (default on;
    /// also `HOTRELOAD_INSPECTOR=0`): up to 200 states (8 MiB) per view, written beside the
    /// state snapshots so they survive restarts. Time travel and replay need it.
    pub fn inspector(mut self, on: bool) -> Self {
        self.inspector = on;
        self
    }

    /// The key that, held while clicking an element, opens its template in the editor
    /// (default Alt). The editor is `HOTRELOAD_EDITOR` (`code -g {file}:{line}:{column}`), else
    /// `$VISUAL`/`$EDITOR`; see the README's "Dev tools".
    pub fn source_key(mut self, key: SourceKey) -> Self {
        self.source_key = key;
        self
    }

    /// Whether to watch files at all (default on; `HOTRELOAD_WATCH=0` turns it off).
    pub fn watch(mut self, watch: bool) -> Self {
        self.watch = watch;
        self
    }

    /// Serves the dev routes under another prefix (e.g. if `/_hotreload` is taken).
    #[track_caller]
    pub fn prefix(mut self, prefix: &str) -> Self {
        assert!(
            prefix.starts_with('/') && !prefix.ends_with('/') && prefix.len() > 1,
            "hot reload prefix must start with `/` and not end with one, got `{prefix}`"
        );
        self.prefix = prefix.to_owned();
        self
    }

    /// Whether to inject the client into HTML responses (default on). Without injection,
    /// add the tag from [`HotReload::script_tag`] to your pages yourself.
    pub fn inject_client(mut self, inject: bool) -> Self {
        self.inject = inject;
        self
    }

    /// The `<script>` tag that loads the client on a page that is not a live view (with
    /// [`inject_client(false)`](Self::inject_client), add it to your pages yourself).
    pub fn script_tag(&self) -> String {
        client_script(
            &format!("{}/client.js", self.prefix),
            &format!("{}/ws", self.prefix),
            Some((&format!("{}/dev.js", self.prefix), self.source_key.as_str())),
        )
    }

    /// The layer that injects the client into HTML responses.
    fn layer(&self) -> InjectClientLayer {
        InjectClientLayer::new(self.script_tag())
    }

    /// The dev routes, nested under the prefix.
    fn routes<S: Clone + Send + Sync + 'static>(&self) -> Router<S> {
        Router::new()
            .route("/client.js", get(|| async { crate::live::client_js() }))
            .route(
                "/dev.js",
                get(|| async { crate::live::script_response(DEV_CLIENT) }),
            )
            .route("/ws", get(dev_socket))
            .route("/stats", get(stats))
    }

    /// Adds the dev routes and the injection layer to `router`, marks hot reload enabled and
    /// starts the file watcher (once per process).
    pub fn apply<S: Clone + Send + Sync + 'static>(self, router: Router<S>) -> Router<S> {
        tracing::info!(prefix = %self.prefix, "hotreload: dev routes enabled");
        if DEV.get().is_none() {
            #[cfg(feature = "hot-reload")]
            let (state, token_key) = {
                let dir = self
                    .manifest_dir
                    .as_ref()
                    .map(|dir| hotreload_state::default_dir(dir));
                let state = dir.as_deref().and_then(state::StateManager::open);
                let key = dir
                    .as_deref()
                    .filter(|_| state.is_some())
                    .and_then(hooks::dev_token_key);
                (state, key)
            };
            #[cfg(not(feature = "hot-reload"))]
            let (state, token_key) = (None, None);
            let dev = Arc::new(DevHooks::new(
                &self.prefix,
                state,
                token_key,
                self.inspector,
                self.source_key.as_str(),
            ));
            if DEV.set(Arc::clone(&dev)).is_ok() {
                runtime().install_hooks(dev);
            }
        }
        #[cfg(feature = "hot-reload")]
        self.start_engine();
        let router = router.nest(&self.prefix, self.routes());
        if self.inject {
            router.layer(self.layer())
        } else {
            router
        }
    }
}

#[cfg(feature = "hot-reload")]
static ENGINE: std::sync::OnceLock<std::sync::Arc<HotSwapEngine>> = std::sync::OnceLock::new();

/// The process's hot-swap engine, once hot reload is enabled with watching on.
#[cfg(feature = "hot-reload")]
pub(crate) fn engine() -> Option<&'static std::sync::Arc<HotSwapEngine>> {
    ENGINE.get()
}

#[cfg(feature = "hot-reload")]
impl HotReload {
    fn start_engine(&self) {
        if !self.watch || ENGINE.get().is_some() {
            return;
        }
        let Some(manifest_dir) = self.manifest_dir.clone() else {
            tracing::warn!("hotreload: no manifest dir given; not watching sources");
            return;
        };
        let mut file_map = self.file_map.clone();
        if let Ok(map) = std::env::var("HOTRELOAD_FILE_MAP") {
            for pair in map.split(';').filter(|p| !p.is_empty()) {
                if let Some((key, path)) = pair.split_once('=') {
                    file_map.push((key.to_owned(), path.into()));
                }
            }
        }
        let engine = HotSwapEngine::new(EngineConfig {
            manifest_dir,
            aliases: self.aliases.clone(),
            css_dirs: self.css_dirs.clone(),
            file_map,
            self_rebuild: self.rebuild,
            annotate: self.annotate,
        });
        match engine.start_watching() {
            Ok(()) => {
                let annotating = std::sync::Arc::clone(&engine);
                let watching = std::sync::Arc::downgrade(&engine);
                let _ = ENGINE.set(engine);
                crate::config_file::watched::on_register(move |path| {
                    if let Some(engine) = watching.upgrade() {
                        engine.watch_config(path);
                    }
                });
                let spawned = std::thread::Builder::new()
                    .name("hotreload-annotate".into())
                    .spawn(move || annotating.annotate_sources());
                if let Err(error) = spawned {
                    tracing::warn!(%error, "hotreload: no source annotations");
                    if let Some(engine) = ENGINE.get() {
                        engine.annotation_abandoned();
                    }
                }
            }
            Err(error) => tracing::warn!(%error, "hotreload: cannot watch sources"),
        }
    }
}

async fn dev_socket(parts: Parts, upgrade: WebSocketUpgrade) -> Response {
    crate::live::upgrade_socket(upgrade, parts, Some(bus::subscribe()), None)
}

async fn stats() -> Response {
    let runtime = runtime();
    let live = runtime.stats.snapshot();
    let templates = crate::template::registry().templates();
    let swapped = templates.iter().filter(|t| t.swapped).count();
    #[cfg(feature = "hot-reload")]
    let (dev, state) = (
        engine().map(|e| e.stats.snapshot()),
        state_manager().map(state::StateManager::stats),
    );
    #[cfg(not(feature = "hot-reload"))]
    let (dev, state): (Option<()>, Option<()>) = (None, None);
    let mut breakers = std::collections::BTreeMap::<String, usize>::new();
    for entry in runtime.breakers.iter() {
        let state = serde_json::to_value(entry.value().state()).unwrap_or_default();
        *breakers
            .entry(state.as_str().unwrap_or("unknown").to_owned())
            .or_default() += 1;
    }
    axum::Json(serde_json::json!({
        "boot": runtime.boot_id(),
        "live": live,
        "dev": dev,
        "state": state,
        "breakers": breakers,
        "inspector": crate::live::history::memory(),
        "templates": { "known": templates.len(), "swapped": swapped },
    }))
    .into_response()
}

/// `HOTRELOAD_ANNOTATE=0` turns source annotations off.
fn annotate_by_env() -> bool {
    std::env::var("HOTRELOAD_ANNOTATE").map_or(true, |v| v != "0")
}
