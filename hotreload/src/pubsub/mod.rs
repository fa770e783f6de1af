//! Broadcasts: topic-based publish/subscribe between live views, handlers and background tasks.
//!
//! A view subscribes to a [`Topic`] when it mounts ([`Mount::subscribe`](crate::Mount::subscribe));
//! any code publishes to it with [`publish`]; every subscribed instance gets the message in its
//! [`HandleInfo::handle_info`](crate::HandleInfo::handle_info) and its page is patched. A
//! subscription ends with its instance.
//!
//! ```
//! use hotreload::prelude::*;
//! use hotreload::pubsub::{self, Topic};
//!
//! #[derive(Clone, Serialize, Deserialize)]
//! struct Said(String);
//!
//! /// Every chat page of every server (with [`connect_redis`](pubsub) across servers).
//! const LOBBY: Topic<Said> = Topic::new("chat:lobby");
//!
//! #[derive(Default, Serialize, Deserialize)]
//! struct Chat { lines: Vec<String> }
//!
//! #[derive(Serialize, Deserialize)]
//! enum Msg { Say }
//!
//! impl LiveView for Chat {
//!     type Message = Msg;
//!     fn mount(&mut self, cx: &mut Mount<'_, Self>) {
//!         cx.subscribe(&LOBBY);
//!     }
//!     fn update(&mut self, Msg::Say: Msg, cx: &mut Context<'_, Self>) {
//!         pubsub::publish(&LOBBY, Said(cx.event().field("text").unwrap_or("").to_owned()));
//!     }
//!     fn render(&self) -> Html<Msg> {
//!         hot_reload_liveview! { <ul>{for line in &self.lines { <li>{line}</li> }}</ul> }
//!     }
//! }
//!
//! impl HandleInfo<Said> for Chat {
//!     fn handle_info(&mut self, Said(line): Said, _cx: &mut Context<'_, Self>) {
//!         self.lines.push(line);
//!     }
//! }
//! ```
//!
//! **Order and back-pressure.** Messages of one topic reach every subscriber in the order they
//! were published in this process. Publishing never waits for a subscriber: each subscription
//! has a queue of at most [`SUBSCRIBER_QUEUE`] messages not yet handled; a message published
//! while a subscriber's queue is full is dropped *for that subscriber only* (the others get
//! it), counted in [`PubSubStats::dropped`] and logged. A view that must not miss anything
//! reloads what it shows from the source of truth; broadcasts say *that* something changed.
//!
//! **Across servers** (feature `redis`): `connect_redis` relays every publish through Redis
//! pub/sub to the other servers, whose subscribers get it as if it had been published there.
//! See `redis.rs` for what happens while Redis is away.
//!
//! - `topic.rs`: [`Topic`] and the [`Broadcast`] bound;
//! - `registry.rs`: the process's subscriptions and the in-process fan-out;
//! - `redis.rs`: the Redis relay (it hands what other servers publish to the registry);
//! - here: [`publish`] (the registry's fan-out, then the relay) and [`stats`].

pub(crate) mod held;
#[cfg(feature = "redis")]
mod redis;
pub(crate) mod registry;
mod topic;

#[cfg(feature = "redis")]
pub use redis::{RELAY_QUEUE, RedisError, RedisStatus, connect_redis, redis_status};
pub use registry::{PubSubStats, SUBSCRIBER_QUEUE, Subscription, subscribe_fn, subscribers};
pub use topic::{Broadcast, Topic};

pub(crate) use registry::subscribe_raw;

/// Publishes `message` to `topic`: every subscriber in this process gets it (in publish order
/// per topic), and with [`connect_redis`](crate::pubsub) every subscriber on the other
/// servers too. Never waits for a subscriber. Returns how many subscribers in this process it
/// was queued for.
///
/// Callable from anywhere: a view's `update`, an axum handler, a background task, another
/// thread. (While the inspector replays a view's recorded messages, what its `update`
/// publishes is not sent again: `held.rs`.)
pub fn publish<T: Broadcast>(topic: &Topic<T>, message: T) -> usize {
    if held::hold_broadcast() {
        return 0;
    }
    let queued = registry::fan_out(topic.name(), std::any::TypeId::of::<T>(), &message);
    #[cfg(feature = "redis")]
    crate::pubsub::redis::relay(topic.name(), &message);
    queued
}

/// The broadcast counters now.
pub fn stats() -> PubSubStats {
    #[allow(
        unused_mut,
        reason = "only the Redis relay adds to the registry's counters"
    )]
    let mut stats = registry::counters();
    #[cfg(feature = "redis")]
    {
        stats.relay_dropped = redis::relay_dropped();
    }
    stats
}
