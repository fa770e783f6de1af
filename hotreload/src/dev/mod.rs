//! Dev-time machinery. Only ever active in debug builds: [`enable_hot_reload!`] expands to the
//! router unchanged in release builds, and rendering never consults the registry there.
//!
//! - [`enable`] / [`HotReload`]: adds the dev routes under `/_hotreload/` (client script,
//!   WebSocket, stats) and the layer that injects the client into HTML responses;
//! - `bus.rs`: frames for every connected browser;
//! - `inject.rs`: [`InjectClientLayer`], usable on its own as a `tower::Layer`;
//! - `reparse.rs` (feature `hot-reload`): reading templates back out of edited source files.
//!
//! [`enable_hot_reload!`]: crate::enable_hot_reload

pub mod bus;
mod inject;
#[cfg(feature = "hot-reload")]
pub mod reparse;

pub use inject::{InjectClient, InjectClientLayer, MAX_INJECT_BYTES};

use crate::live::page::client_script;
use axum::Router;
use axum::extract::WebSocketUpgrade;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use std::sync::atomic::{AtomicBool, Ordering};

/// The default prefix of the dev routes.
pub const DEFAULT_PREFIX: &str = "/_hotreload";

static ENABLED: AtomicBool = AtomicBool::new(false);

/// Whether hot reload was enabled in this process (then live pages get the dev UI and their
/// sockets carry dev frames).
pub fn is_enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// Adds hot reload to `router` with the default settings; what `enable_hot_reload!` calls in
/// debug builds.
pub fn enable<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    HotReload::new().apply(router)
}

/// Hot reload settings, for users who want more than [`enable`].
#[derive(Debug, Clone)]
pub struct HotReload {
    prefix: String,
    inject: bool,
}

impl Default for HotReload {
    fn default() -> Self {
        Self::new()
    }
}

impl HotReload {
    /// Default settings: routes under [`DEFAULT_PREFIX`], script injection on.
    pub fn new() -> Self {
        HotReload {
            prefix: DEFAULT_PREFIX.to_owned(),
            inject: true,
        }
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

    /// The `<script>` tag that loads the dev client.
    pub fn script_tag(&self) -> String {
        client_script(
            &format!("{}/client.js", self.prefix),
            &format!("{}/ws", self.prefix),
            true,
        )
    }

    /// The layer that injects the client into HTML responses.
    pub fn layer(&self) -> InjectClientLayer {
        InjectClientLayer::new(self.script_tag())
    }

    /// The dev routes, to nest under the prefix yourself.
    pub fn routes<S: Clone + Send + Sync + 'static>(&self) -> Router<S> {
        Router::new()
            .route("/client.js", get(|| async { crate::live::client_js() }))
            .route("/ws", get(dev_socket))
            .route("/stats", get(stats))
    }

    /// Adds the dev routes and the injection layer to `router` and marks hot reload enabled.
    pub fn apply<S: Clone + Send + Sync + 'static>(self, router: Router<S>) -> Router<S> {
        ENABLED.store(true, Ordering::Relaxed);
        tracing::info!(prefix = %self.prefix, "hotreload: dev routes enabled");
        let router = router.nest(&self.prefix, self.routes());
        if self.inject {
            router.layer(self.layer())
        } else {
            router
        }
    }
}

async fn dev_socket(parts: Parts, upgrade: WebSocketUpgrade) -> Response {
    crate::live::upgrade_socket(upgrade, parts, Some(bus::subscribe()))
}

async fn stats() -> Response {
    let live = crate::live::runtime().stats.snapshot();
    let templates = crate::template::registry().templates();
    let swapped = templates.iter().filter(|t| t.swapped).count();
    axum::Json(serde_json::json!({
        "boot": crate::live::runtime().boot_id(),
        "live": live,
        "templates": { "known": templates.len(), "swapped": swapped },
    }))
    .into_response()
}
