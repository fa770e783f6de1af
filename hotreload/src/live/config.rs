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
    pub(crate) token_max_age: Option<std::time::Duration>,
}

impl LiveConfig {
    /// The defaults.
    pub fn new() -> Self {
        LiveConfig::default()
    }

    /// How long a page's instance tokens stay good (default one day): a page that reconnects
    /// later gets its views mounted fresh (what the user typed in `live-change` forms is sent
    /// again by the client).
    pub fn token_max_age(mut self, max_age: std::time::Duration) -> Self {
        self.token_max_age = Some(max_age);
        self
    }

    /// The token lifetime, default or set.
    pub(crate) fn token_max_age_or_default(&self) -> std::time::Duration {
        self.token_max_age
            .unwrap_or(crate::live::token::DEFAULT_MAX_AGE)
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
