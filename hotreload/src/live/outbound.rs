//! [`Outbound`]: an instance's line to its connection: the frame queue plus the connection's
//! circuit breaker, which decides how patch failures are answered.

use crate::live::breaker::{Breaker, BreakerConfig, BreakerState, Recovery};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;
use tokio::sync::mpsc::Sender;
use tokio::sync::mpsc::error::TrySendError;

/// Frames that may wait for a slow client before its connection is dropped (it reconnects and
/// is sent whole boundaries): a stalled tab cannot make the server's memory grow.
pub(crate) const QUEUE_FRAMES: usize = 1024;

/// Where an instance's frames go, and how its failures are answered.
#[derive(Debug, Clone)]
pub(crate) struct Outbound {
    sender: Sender<String>,
    breaker: Arc<Mutex<Breaker>>,
    overflowed: Arc<AtomicBool>,
}

impl Outbound {
    /// A connection's outbound side, with a fresh breaker.
    pub(crate) fn new(sender: Sender<String>, breaker: BreakerConfig) -> Self {
        Outbound {
            sender,
            breaker: Arc::new(Mutex::new(Breaker::new(breaker))),
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
