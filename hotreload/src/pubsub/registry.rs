//! The process's subscriptions and the in-process fan-out.
//!
//! Each topic holds its subscribers behind one lock, taken for the whole fan-out of a publish:
//! that is what makes delivery follow publish order per topic. The fan-out only queues (a job
//! for a view's worker, a message on a callback's channel), so the lock is held for
//! microseconds and no subscriber's speed reaches the publisher.

use crate::pubsub::topic::{Broadcast, Topic};
use dashmap::DashMap;
use serde::Serialize;
use std::any::{Any, TypeId};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

/// How many published messages one subscriber may have queued and not yet handled; beyond
/// that, new messages are dropped for that subscriber (see the module docs).
pub const SUBSCRIBER_QUEUE: usize = 1024;

/// A message on its way, typed as its topic's `T` behind `Any`.
pub(crate) type Payload = dyn Any + Send + Sync;

/// What handing a message to one subscriber did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delivery {
    /// Queued for the subscriber.
    Queued,
    /// The subscriber's queue is full: dropped for it.
    Full,
    /// The subscriber is gone (its instance closed); it is unsubscribed.
    Gone,
}

/// Hands a message (a `&T` as [`Payload`]) to one subscriber.
pub(crate) type Deliver = Box<dyn Fn(&Payload) -> Delivery + Send + Sync>;

/// A message from another server, decoded into the subscriber's `T`.
type Decode = fn(&[u8]) -> Result<Box<Payload>, String>;

struct Subscriber {
    id: u64,
    message_type: TypeId,
    type_name: &'static str,
    deliver: Deliver,
    decode: Decode,
    /// Some messages were dropped for it since it last took one (logged once per gap).
    lagging: AtomicBool,
}

type Subscribers = Arc<Mutex<Vec<Arc<Subscriber>>>>;

#[derive(Default)]
struct Registry {
    topics: DashMap<Arc<str>, Subscribers>,
    next_id: AtomicU64,
    published: AtomicU64,
    delivered: AtomicU64,
    dropped: AtomicU64,
    remote_received: AtomicU64,
}

fn registry() -> &'static Registry {
    static REGISTRY: LazyLock<Registry> = LazyLock::new(Registry::default);
    &REGISTRY
}

/// A subscription; unsubscribes when dropped. A view's subscriptions are kept by its instance
/// and end with it; one from [`subscribe_fn`] lasts as long as this value.
#[must_use = "the subscription ends when this is dropped"]
pub struct Subscription {
    topic: Arc<str>,
    id: u64,
}

impl std::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Subscription({:?})", self.topic)
    }
}

impl Subscription {
    /// The topic's name.
    pub fn topic(&self) -> &str {
        &self.topic
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        let registry = registry();
        let Some(subscribers) = registry.topics.get(&self.topic).map(|s| Arc::clone(&s)) else {
            return;
        };
        let empty = {
            let mut list = subscribers.lock().unwrap_or_else(PoisonError::into_inner);
            list.retain(|s| s.id != self.id);
            list.is_empty()
        };
        if empty {
            registry.topics.remove_if(&self.topic, |_, s| {
                s.lock().unwrap_or_else(PoisonError::into_inner).is_empty()
            });
        }
    }
}

/// Subscribes `deliver` to `topic` (messages of type `T`).
pub(crate) fn subscribe_raw<T: Broadcast>(topic: &Topic<T>, deliver: Deliver) -> Subscription {
    let registry = registry();
    let id = registry.next_id.fetch_add(1, Ordering::Relaxed);
    let name: Arc<str> = Arc::from(topic.name());
    let subscriber = Arc::new(Subscriber {
        id,
        message_type: TypeId::of::<T>(),
        type_name: std::any::type_name::<T>(),
        deliver,
        decode: decode_as::<T>,
        lagging: AtomicBool::new(false),
    });
    // Pushed while the map's entry is held: the last subscription of the topic, dropped at the
    // same time, removes the topic under that same shard lock, so it cannot remove the list
    // this one is being added to (lock order everywhere: shard, then list).
    registry
        .topics
        .entry(Arc::clone(&name))
        .or_default()
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(subscriber);
    Subscription { topic: name, id }
}

fn decode_as<T: Broadcast>(bytes: &[u8]) -> Result<Box<Payload>, String> {
    rmp_serde::from_slice::<T>(bytes)
        .map(|message| Box::new(message) as Box<Payload>)
        .map_err(|e| e.to_string())
}

/// Calls `callback` with every message published to `topic` (here or, with Redis, on another
/// server) until the returned [`Subscription`] is dropped: for code that is not a view (a
/// cache, a log). `callback` runs on a task of the current tokio runtime, one message at a
/// time, in publish order; at most [`SUBSCRIBER_QUEUE`] messages wait for it.
///
/// # Panics
/// Outside a tokio runtime.
pub fn subscribe_fn<T: Broadcast>(
    topic: &Topic<T>,
    callback: impl Fn(T) + Send + Sync + 'static,
) -> Subscription {
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<T>(SUBSCRIBER_QUEUE);
    tokio::spawn(async move {
        while let Some(message) = receiver.recv().await {
            if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| callback(message))).is_err()
            {
                tracing::error!("hotreload: a broadcast callback panicked; it keeps receiving");
            }
        }
    });
    subscribe_raw(
        topic,
        Box::new(move |payload| {
            let Some(message) = payload.downcast_ref::<T>() else {
                return Delivery::Queued;
            };
            match sender.try_send(message.clone()) {
                Ok(()) => Delivery::Queued,
                Err(tokio::sync::mpsc::error::TrySendError::Full(_)) => Delivery::Full,
                Err(tokio::sync::mpsc::error::TrySendError::Closed(_)) => Delivery::Gone,
            }
        }),
    )
}

/// Hands `message` (a `T` with type id `message_type`) to every local subscriber of `topic`;
/// returns how many it was queued for.
pub(crate) fn fan_out(topic: &str, message_type: TypeId, message: &Payload) -> usize {
    let registry = registry();
    registry.published.fetch_add(1, Ordering::Relaxed);
    let Some(subscribers) = registry.topics.get(topic).map(|s| Arc::clone(&s)) else {
        return 0;
    };
    let mut list = subscribers.lock().unwrap_or_else(PoisonError::into_inner);
    let mut queued = 0;
    list.retain(|subscriber| {
        if subscriber.message_type != message_type {
            tracing::warn!(
                topic,
                expected = subscriber.type_name,
                "hotreload: a broadcast of another type on this topic was not delivered"
            );
            return true;
        }
        deliver_one(registry, topic, subscriber, message, &mut queued)
    });
    queued
}

/// Hands `message` to `subscriber`; false if it is gone (to be removed).
fn deliver_one(
    registry: &Registry,
    topic: &str,
    subscriber: &Subscriber,
    message: &Payload,
    queued: &mut usize,
) -> bool {
    match (subscriber.deliver)(message) {
        Delivery::Queued => {
            *queued += 1;
            registry.delivered.fetch_add(1, Ordering::Relaxed);
            if subscriber.lagging.swap(false, Ordering::Relaxed) {
                tracing::info!(topic, "hotreload: a slow broadcast subscriber caught up");
            }
            true
        }
        Delivery::Full => {
            registry.dropped.fetch_add(1, Ordering::Relaxed);
            if !subscriber.lagging.swap(true, Ordering::Relaxed) {
                tracing::warn!(
                    topic,
                    queue = SUBSCRIBER_QUEUE,
                    "hotreload: a broadcast subscriber is not keeping up; dropping its messages until it does"
                );
            }
            true
        }
        Delivery::Gone => false,
    }
}

/// Hands a message published on another server (MessagePack `bytes`) to the local subscribers
/// of `topic`, decoded once per message type.
#[cfg_attr(
    not(feature = "redis"),
    allow(dead_code, reason = "only the Redis relay receives remote messages")
)]
pub(crate) fn deliver_remote(topic: &str, bytes: &[u8]) -> usize {
    let registry = registry();
    registry.remote_received.fetch_add(1, Ordering::Relaxed);
    let Some(subscribers) = registry.topics.get(topic).map(|s| Arc::clone(&s)) else {
        return 0;
    };
    let mut list = subscribers.lock().unwrap_or_else(PoisonError::into_inner);
    let mut decoded: Vec<(TypeId, Option<Box<Payload>>)> = Vec::new();
    let mut queued = 0;
    list.retain(|subscriber| {
        let at = match decoded.iter().position(|(t, _)| *t == subscriber.message_type) {
            Some(at) => at,
            None => {
                let message = (subscriber.decode)(bytes)
                    .map_err(|error| {
                        tracing::warn!(topic, expected = subscriber.type_name, %error, "hotreload: a broadcast from another server does not decode; dropped");
                    })
                    .ok();
                decoded.push((subscriber.message_type, message));
                decoded.len() - 1
            }
        };
        match &decoded[at].1 {
            Some(message) => deliver_one(registry, topic, subscriber, message.as_ref(), &mut queued),
            None => true,
        }
    });
    queued
}

/// How many subscribers `topic` has in this process.
pub fn subscribers<T>(topic: &Topic<T>) -> usize {
    registry().topics.get(topic.name()).map_or(0, |s| {
        s.lock().unwrap_or_else(PoisonError::into_inner).len()
    })
}

/// The registry's counters now (the relay's are added by [`stats`](crate::pubsub::stats)).
pub(crate) fn counters() -> PubSubStats {
    let registry = registry();
    let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
    PubSubStats {
        published: get(&registry.published),
        delivered: get(&registry.delivered),
        dropped: get(&registry.dropped),
        remote_received: get(&registry.remote_received),
        relay_dropped: 0,
        topics: registry.topics.len() as u64,
    }
}

/// Counters of the broadcasts of this process.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct PubSubStats {
    /// Messages published in this process.
    pub published: u64,
    /// Messages queued for a subscriber here (one per subscriber reached).
    pub delivered: u64,
    /// Messages dropped for a subscriber whose queue was full.
    pub dropped: u64,
    /// Messages received from other servers.
    pub remote_received: u64,
    /// Messages that could not be relayed to other servers (the relay's queue was full while
    /// Redis was away).
    pub relay_dropped: u64,
    /// Topics with at least one subscriber here.
    pub topics: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pubsub::publish;
    use std::sync::atomic::AtomicUsize;

    fn counting(count: &Arc<AtomicUsize>, answer: Delivery) -> Deliver {
        let count = Arc::clone(count);
        Box::new(move |payload| {
            assert!(payload.downcast_ref::<u32>().is_some());
            count.fetch_add(1, Ordering::Relaxed);
            answer
        })
    }

    #[test]
    fn a_subscription_ends_when_dropped_and_the_topic_goes_with_its_last() {
        let topic = Topic::<u32>::new("registry-test:drop");
        let count = Arc::new(AtomicUsize::new(0));
        let first = subscribe_raw(&topic, counting(&count, Delivery::Queued));
        let second = subscribe_raw(&topic, counting(&count, Delivery::Queued));
        assert_eq!(publish(&topic, 1), 2);
        drop(first);
        assert_eq!(publish(&topic, 2), 1);
        assert_eq!(count.load(Ordering::Relaxed), 3);
        drop(second);
        assert_eq!(subscribers(&topic), 0);
        assert!(!registry().topics.contains_key("registry-test:drop"));
    }

    #[test]
    fn a_gone_subscriber_is_removed_and_a_full_one_kept() {
        let topic = Topic::<u32>::new("registry-test:gone");
        let count = Arc::new(AtomicUsize::new(0));
        let _gone = subscribe_raw(&topic, counting(&count, Delivery::Gone));
        let _full = subscribe_raw(&topic, counting(&count, Delivery::Full));
        assert_eq!(publish(&topic, 1), 0);
        assert_eq!(subscribers(&topic), 1);
        assert_eq!(publish(&topic, 2), 0);
        assert_eq!(count.load(Ordering::Relaxed), 3);
    }

    #[test]
    fn another_type_on_the_same_name_is_not_delivered() {
        let numbers = Topic::<u32>::new("registry-test:types");
        let words = Topic::<String>::new("registry-test:types");
        let count = Arc::new(AtomicUsize::new(0));
        let _sub = subscribe_raw(&numbers, counting(&count, Delivery::Queued));
        assert_eq!(publish(&words, "x".to_owned()), 0);
        assert_eq!(count.load(Ordering::Relaxed), 0);
        assert_eq!(
            deliver_remote(
                "registry-test:types",
                &rmp_serde::to_vec_named(&7u32).unwrap()
            ),
            1
        );
        assert_eq!(
            deliver_remote("registry-test:types", b"\xc1 not msgpack"),
            0
        );
        assert_eq!(count.load(Ordering::Relaxed), 1);
    }
}
