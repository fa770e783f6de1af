//! [`Outbound`]: an instance's line to its connection: the frame queue plus the connection's
//! circuit breaker, which decides how patch failures are answered.

use crate::recovery::{Breaker, BreakerConfig, BreakerState, Recovery};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Instant;
use tokio::sync::mpsc::Sender;
use tokio::sync::mpsc::error::TrySendError;

/// Frames that may wait for a slow client before its connection is dropped (it reconnects and
/// is sent whole boundaries): a stalled tab cannot make the server's memory grow.
pub(crate) const QUEUE_FRAMES: usize = 1024;

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
    sender: Sender<String>,
    breaker: Arc<Mutex<Breaker>>,
    overflowed: Arc<AtomicBool>,
}

impl Outbound {
    /// A connection's outbound side, with a fresh breaker.
    pub(crate) fn new(sender: Sender<String>) -> Self {
        Outbound {
            sender,
            breaker: Arc::new(Mutex::new(Breaker::new(breaker_config()))),
            overflowed: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Queues a frame; false if the connection is gone or its queue is full (then the
    /// connection is closed, see [`overflowed`](Self::overflowed)).
    pub(crate) fn send(&self, json: String) -> bool {
        match self.sender.try_send(json) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) => {
                if !self.overflowed.swap(true, Ordering::Relaxed) {
                    tracing::warn!(
                        frames = QUEUE_FRAMES,
                        "hotreload: a client is not reading its frames; dropping its connection"
                    );
                }
                false
            }
            Err(TrySendError::Closed(_)) => false,
        }
    }

    /// Whether frames were dropped because the client fell behind: the connection must close
    /// so the client reconnects and resyncs.
    pub(crate) fn overflowed(&self) -> bool {
        self.overflowed.load(Ordering::Relaxed)
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
