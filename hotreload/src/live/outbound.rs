//! [`Outbound`]: an instance's line to its connection: the frame queue plus the connection's
//! circuit breaker, which decides how patch failures are answered.

use crate::recovery::{Breaker, BreakerConfig, BreakerState, Recovery};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Instant;
use tokio::sync::mpsc::UnboundedSender;

/// Breaker thresholds for connections opened from now on.
static CONFIG: RwLock<Option<BreakerConfig>> = RwLock::new(None);

/// Sets the circuit-breaker thresholds used by connections opened after this call (tests and
/// apps that want other numbers). Also read once from `HOTRELOAD_BREAKER="threshold,window_ms,cooldown_ms"`.
pub fn set_breaker_config(config: BreakerConfig) {
    *CONFIG.write().unwrap_or_else(PoisonError::into_inner) = Some(config);
}

fn breaker_config() -> BreakerConfig {
    if let Some(config) = *CONFIG.read().unwrap_or_else(PoisonError::into_inner) {
        return config;
    }
    let from_env = std::env::var("HOTRELOAD_BREAKER").ok().and_then(|text| {
        let numbers: Vec<u64> = text
            .split(',')
            .filter_map(|n| n.trim().parse().ok())
            .collect();
        match numbers[..] {
            [threshold, window, cooldown] => Some(BreakerConfig {
                threshold: usize::try_from(threshold).unwrap_or(usize::MAX).max(1),
                window: std::time::Duration::from_millis(window),
                cooldown: std::time::Duration::from_millis(cooldown),
            }),
            _ => None,
        }
    });
    from_env.unwrap_or_default()
}

/// Where an instance's frames go, and how its failures are answered.
#[derive(Debug, Clone)]
pub(crate) struct Outbound {
    sender: UnboundedSender<String>,
    breaker: Arc<Mutex<Breaker>>,
}

impl Outbound {
    /// A connection's outbound side, with a fresh breaker.
    pub(crate) fn new(sender: UnboundedSender<String>) -> Self {
        Outbound {
            sender,
            breaker: Arc::new(Mutex::new(Breaker::new(breaker_config()))),
        }
    }

    /// Queues a frame; false if the connection is gone.
    pub(crate) fn send(&self, json: String) -> bool {
        self.sender.send(json).is_ok()
    }

    fn breaker(&self) -> std::sync::MutexGuard<'_, Breaker> {
        self.breaker.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A patch failed to apply, a render panicked or a send failed.
    pub(crate) fn failure(&self) -> Recovery {
        self.breaker().failure(Instant::now())
    }

    /// A patch applied.
    pub(crate) fn success(&self) {
        self.breaker().success(Instant::now());
    }

    /// Whether patches may be sent (the breaker is not open).
    pub(crate) fn allows_patches(&self) -> bool {
        self.breaker().allows_patches(Instant::now())
    }

    /// The breaker's state now.
    pub(crate) fn state(&self) -> BreakerState {
        self.breaker().state(Instant::now())
    }
}
