//! [`LiveConfig`]: settings of the live routes of one router, given as a layer, so that two
//! routers in one process can differ and nothing is a process-wide setter.

use crate::live::breaker::BreakerConfig;
use tower_layer::Layer;

/// Settings of the live views served by a router: `router.layer(LiveConfig::new()...)`.
///
/// ```
/// use hotreload::prelude::*;
/// use hotreload::{BreakerConfig, LiveConfig};
/// # #[derive(Default, Serialize, Deserialize)] struct Counter;
/// # impl LiveView for Counter { type Message = (); fn update(&mut self, _: (), _cx: &mut Context<'_, Self>) {}
/// #     fn render(&self) -> Html { hot_reload_liveview! { <p>"x"</p> } } }
///
/// let app: axum::Router = axum::Router::new()
///     .route("/", live_view::<Counter>())
///     .layer(LiveConfig::new().breaker(BreakerConfig { threshold: 5, ..BreakerConfig::default() }));
/// ```
///
/// Routes without the layer use the defaults ([`BreakerConfig::default`], or
/// `HOTRELOAD_BREAKER="threshold,window_ms,cooldown_ms"` from the environment).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LiveConfig {
    pub(crate) breaker: Option<BreakerConfig>,
}

impl LiveConfig {
    /// The defaults.
    pub fn new() -> Self {
        LiveConfig::default()
    }

    /// When a connection whose patches keep failing reloads its page, and how often.
    pub fn breaker(mut self, config: BreakerConfig) -> Self {
        self.breaker = Some(config);
        self
    }
}

impl<S> Layer<S> for LiveConfig {
    type Service = axum::middleware::AddExtension<S, LiveConfig>;

    fn layer(&self, inner: S) -> Self::Service {
        axum::Extension(*self).layer(inner)
    }
}
