//! A circuit breaker for one client connection: decides how to answer patch failures.
//!
//! - **Closed** (normal): a failure is answered by resending the whole boundary for the client
//!   to morph in. When [`BreakerConfig::threshold`] failures happen within
//!   [`BreakerConfig::window`], the breaker opens.
//! - **Open**: the client is told to reload the page, once; further failures are ignored and
//!   no patches are sent until [`BreakerConfig::cooldown`] has passed.
//! - **Half-open**: patches flow again; the next success closes the breaker, the next failure
//!   opens it again (and may ask for one more reload, a cooldown after the last).
//!
//! Time is passed in, so the state machine is tested without sleeping. Recovery beyond the
//! breaker: renders that panic are caught per instance (`instance.rs`); hot-swapped templates
//! whose renders panic are reverted by the dev engine (`dev/engine.rs`).
//!
//! Set other thresholds with [`LiveConfig`](crate::LiveConfig) (or `HOTRELOAD_BREAKER=threshold,window_ms,cooldown_ms`
//! in the environment, read once at start).

use serde::Serialize;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// How many patch failures a connection may have before the page is reloaded, and how often.
///
/// The default: 3 failures within 10 s open the breaker; the page is then reloaded at most
/// once per 5 s cooldown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BreakerConfig {
    /// Failures within `window` that open the breaker.
    pub threshold: usize,
    /// How far back failures count.
    pub window: Duration,
    /// How long the breaker stays open (and the least time between two reloads).
    pub cooldown: Duration,
}

impl Default for BreakerConfig {
    fn default() -> Self {
        BreakerConfig {
            threshold: 3,
            window: Duration::from_secs(10),
            cooldown: Duration::from_secs(5),
        }
    }
}

impl BreakerConfig {
    /// `HOTRELOAD_BREAKER="threshold,window_ms,cooldown_ms"`, if set and well formed.
    pub(crate) fn from_env() -> Option<Self> {
        let text = std::env::var("HOTRELOAD_BREAKER").ok()?;
        let numbers: Vec<u64> = text
            .split(',')
            .filter_map(|n| n.trim().parse().ok())
            .collect();
        match numbers[..] {
            [threshold, window, cooldown] => Some(BreakerConfig {
                threshold: usize::try_from(threshold).unwrap_or(usize::MAX).max(1),
                window: Duration::from_millis(window),
                cooldown: Duration::from_millis(cooldown),
            }),
            _ => None,
        }
    }
}

/// The breaker's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum BreakerState {
    /// Normal operation.
    Closed,
    /// Failing: reload asked for, patches held back until the cooldown ends.
    Open,
    /// Trying again after the cooldown.
    HalfOpen,
}

/// What to do about a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Recovery {
    /// Resend the whole boundary as HTML.
    ResendBoundary,
    /// Tell the client to reload the page.
    Reload,
    /// Nothing: a reload was already asked for.
    Wait,
}

/// One connection's breaker.
#[derive(Debug, Clone)]
pub(crate) struct Breaker {
    config: BreakerConfig,
    state: BreakerState,
    failures: VecDeque<Instant>,
    opened_at: Option<Instant>,
    last_reload: Option<Instant>,
}

impl Breaker {
    /// A closed breaker.
    pub(crate) fn new(config: BreakerConfig) -> Self {
        Breaker {
            config,
            state: BreakerState::Closed,
            failures: VecDeque::new(),
            opened_at: None,
            last_reload: None,
        }
    }

    /// The state at `now` (an open breaker turns half-open once its cooldown is over).
    pub(crate) fn state(&mut self, now: Instant) -> BreakerState {
        if self.state == BreakerState::Open
            && self
                .opened_at
                .is_some_and(|at| now.duration_since(at) >= self.config.cooldown)
        {
            self.state = BreakerState::HalfOpen;
        }
        self.state
    }

    /// Whether patches may be sent at `now`.
    pub(crate) fn allows_patches(&mut self, now: Instant) -> bool {
        self.state(now) != BreakerState::Open
    }

    /// A failure happened at `now`: what to do about it.
    pub(crate) fn failure(&mut self, now: Instant) -> Recovery {
        match self.state(now) {
            BreakerState::Open => Recovery::Wait,
            BreakerState::HalfOpen => self.open(now),
            BreakerState::Closed => {
                self.failures.push_back(now);
                while self
                    .failures
                    .front()
                    .is_some_and(|t| now.duration_since(*t) > self.config.window)
                {
                    self.failures.pop_front();
                }
                if self.failures.len() >= self.config.threshold {
                    self.open(now)
                } else {
                    Recovery::ResendBoundary
                }
            }
        }
    }

    /// A patch applied at `now`.
    pub(crate) fn success(&mut self, now: Instant) {
        if self.state(now) == BreakerState::HalfOpen {
            self.state = BreakerState::Closed;
            self.failures.clear();
            self.opened_at = None;
        }
    }

    fn open(&mut self, now: Instant) -> Recovery {
        self.state = BreakerState::Open;
        self.opened_at = Some(now);
        self.failures.clear();
        let reload_allowed = self
            .last_reload
            .is_none_or(|at| now.duration_since(at) >= self.config.cooldown);
        if reload_allowed {
            self.last_reload = Some(now);
            Recovery::Reload
        } else {
            Recovery::Wait
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> BreakerConfig {
        BreakerConfig {
            threshold: 3,
            window: Duration::from_secs(10),
            cooldown: Duration::from_secs(5),
        }
    }

    #[test]
    fn first_failures_resend_then_the_breaker_opens_with_one_reload() {
        let t0 = Instant::now();
        let mut breaker = Breaker::new(config());
        assert_eq!(breaker.failure(t0), Recovery::ResendBoundary);
        assert_eq!(
            breaker.failure(t0 + Duration::from_secs(1)),
            Recovery::ResendBoundary
        );
        assert_eq!(
            breaker.failure(t0 + Duration::from_secs(2)),
            Recovery::Reload
        );
        assert_eq!(
            breaker.state(t0 + Duration::from_secs(2)),
            BreakerState::Open
        );
        assert!(!breaker.allows_patches(t0 + Duration::from_secs(3)));
        for s in 3..7 {
            assert_eq!(breaker.failure(t0 + Duration::from_secs(s)), Recovery::Wait);
        }
    }

    #[test]
    fn failures_outside_the_window_do_not_add_up() {
        let t0 = Instant::now();
        let mut breaker = Breaker::new(config());
        for s in [0, 11, 22, 33] {
            assert_eq!(
                breaker.failure(t0 + Duration::from_secs(s)),
                Recovery::ResendBoundary
            );
        }
        assert_eq!(
            breaker.state(t0 + Duration::from_secs(40)),
            BreakerState::Closed
        );
    }

    #[test]
    fn half_open_after_cooldown_success_closes_failure_reopens_with_at_most_one_reload_per_cooldown()
     {
        let t0 = Instant::now();
        let mut breaker = Breaker::new(config());
        for s in 0..3 {
            breaker.failure(t0 + Duration::from_millis(s));
        }
        let later = t0 + Duration::from_secs(6);
        assert_eq!(breaker.state(later), BreakerState::HalfOpen);
        assert!(breaker.allows_patches(later));
        // A failure while half-open reopens; a reload is allowed, a cooldown after the last.
        assert_eq!(breaker.failure(later), Recovery::Reload);
        assert_eq!(
            breaker.failure(later + Duration::from_secs(1)),
            Recovery::Wait
        );
        let recovered = later + Duration::from_secs(6);
        assert_eq!(breaker.state(recovered), BreakerState::HalfOpen);
        breaker.success(recovered);
        assert_eq!(breaker.state(recovered), BreakerState::Closed);
        assert_eq!(breaker.failure(recovered), Recovery::ResendBoundary);
    }
}
