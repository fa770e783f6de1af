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
//! Time is passed in, so the state machine is tested without sleeping.

use serde::Serialize;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Thresholds of a [`Breaker`].
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

/// The breaker's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakerState {
    /// Normal operation.
    Closed,
    /// Failing: reload asked for, patches held back until the cooldown ends.
    Open,
    /// Trying again after the cooldown.
    HalfOpen,
}

/// What to do about a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recovery {
    /// Resend the whole boundary as HTML.
    ResendBoundary,
    /// Tell the client to reload the page.
    Reload,
    /// Nothing: a reload was already asked for.
    Wait,
}

/// One connection's breaker.
#[derive(Debug, Clone)]
pub struct Breaker {
    config: BreakerConfig,
    state: BreakerState,
    failures: VecDeque<Instant>,
    opened_at: Option<Instant>,
    last_reload: Option<Instant>,
}

impl Breaker {
    /// A closed breaker.
    pub fn new(config: BreakerConfig) -> Self {
        Breaker {
            config,
            state: BreakerState::Closed,
            failures: VecDeque::new(),
            opened_at: None,
            last_reload: None,
        }
    }

    /// The state at `now` (an open breaker turns half-open once its cooldown is over).
    pub fn state(&mut self, now: Instant) -> BreakerState {
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
    pub fn allows_patches(&mut self, now: Instant) -> bool {
        self.state(now) != BreakerState::Open
    }

    /// A failure happened at `now`: what to do about it.
    pub fn failure(&mut self, now: Instant) -> Recovery {
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
    pub fn success(&mut self, now: Instant) {
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
