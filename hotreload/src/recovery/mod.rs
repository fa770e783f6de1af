//! Error recovery: what the server does when a client's copy of a page goes wrong.
//!
//! - `breaker.rs`: the per-connection circuit breaker (resend the boundary → reload the page,
//!   at most once per cooldown → try again).
//!
//! Renders that panic are caught per instance (`live/instance.rs`); hot-swapped templates whose
//! renders panic are reverted by the dev engine (`dev/engine.rs`).

mod breaker;

pub use breaker::{Breaker, BreakerConfig, BreakerState, Recovery};
