//! The Redis relay: broadcasts across servers through Redis pub/sub.
//!
//! Every publish is delivered in this process right away (the registry) and handed to this
//! relay, which `PUBLISH`es it on the Redis channel `hotreload:<topic>`; every server's relay
//! `PSUBSCRIBE`s `hotreload:*` and hands what the others published to its local subscribers.
//! A message carries the id of the process that published it, so a server does not deliver
//! its own messages twice.
//!
//! **While Redis is away** nothing stops: publishing in this process still reaches local
//! subscribers; messages for the other servers wait in a bounded queue
//! ([`RELAY_QUEUE`], beyond which they are dropped and counted in
//! [`PubSubStats::relay_dropped`](crate::pubsub::PubSubStats)) and go out once the relay is
//! back. The relay reconnects with exponential backoff (100 ms to 5 s, with jitter) and logs
//! when the connection was lost and how long the gap lasted: Redis pub/sub keeps nothing, so
//! what the *other* servers published during the gap is not received here.
//!
//! Wire format of a message: 8 bytes of the publishing process's id (big-endian), then the
//! message as MessagePack with field names.

use crate::pubsub::registry::deliver_remote;
use crate::pubsub::topic::Broadcast;
use futures_util::StreamExt;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};
use thiserror::Error;
use tokio::sync::mpsc;

/// Messages waiting to be relayed while Redis is slow or away.
pub const RELAY_QUEUE: usize = 4096;

/// The Redis channels are the topics' names under this prefix.
const CHANNEL_PREFIX: &str = "hotreload:";

const BACKOFF_MIN: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(5);
/// How long connecting or one command may take before the connection is considered lost.
const TIMEOUT: Duration = Duration::from_secs(3);
/// How many times one message is tried on fresh connections before it is dropped.
const MAX_ATTEMPTS: u32 = 3;
/// A connection must last this long before a loss starts the backoff from its minimum again
/// (a server that accepts connections and then fails every command is not hammered).
const HEALTHY_AFTER: Duration = Duration::from_secs(10);

/// Why [`connect_redis`] refused.
#[derive(Debug, Error)]
pub enum RedisError {
    /// The URL is not a Redis URL.
    #[error("not a Redis URL ({url}): {source}")]
    BadUrl {
        /// What was given.
        url: String,
        /// What the client said.
        #[source]
        source: redis::RedisError,
    },
    /// A relay is already running in this process.
    #[error("broadcasts are already relayed through Redis in this process")]
    AlreadyConnected,
    /// Not inside a tokio runtime.
    #[error("connect_redis must be called inside a tokio runtime")]
    NoRuntime,
}

/// The relay's connection, for health checks and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedisStatus {
    /// Connecting for the first time.
    Connecting,
    /// Connected: publishes reach the other servers.
    Connected,
    /// The connection was lost (or never made) this long ago; reconnecting.
    Disconnected {
        /// Since when.
        since: Instant,
    },
}

struct Relay {
    origin: u64,
    outgoing: mpsc::Sender<(String, Vec<u8>)>,
    status: Mutex<RedisStatus>,
    dropped: AtomicU64,
}

static RELAY: OnceLock<Relay> = OnceLock::new();

/// Relays this process's broadcasts to every other server connected to the Redis at `url`
/// (`redis://127.0.0.1:6379`, typically from `REDIS_URL`), and theirs to this one. Returns at
/// once: the connection is made (and remade, whenever it is lost) in the background, so a
/// server starts even while Redis is down. Call it once, inside the tokio runtime that serves
/// the app.
pub fn connect_redis(url: &str) -> Result<(), RedisError> {
    let bad_url = |source| RedisError::BadUrl {
        url: url.to_owned(),
        source,
    };
    let info = redis::IntoConnectionInfo::into_connection_info(url).map_err(bad_url)?;
    // Nagle off: a PUBLISH written in more than one segment would otherwise wait for the
    // server's delayed ACK (up to 40 ms) before its second part goes out.
    let tcp = info.tcp_settings().clone().set_nodelay(true);
    let client = redis::Client::open(info.set_tcp_settings(tcp)).map_err(bad_url)?;
    let tokio = tokio::runtime::Handle::try_current().map_err(|_| RedisError::NoRuntime)?;
    let (outgoing, receiver) = mpsc::channel(RELAY_QUEUE);
    let origin = RandomState::new().hash_one(std::process::id());
    RELAY
        .set(Relay {
            origin,
            outgoing,
            status: Mutex::new(RedisStatus::Connecting),
            dropped: AtomicU64::new(0),
        })
        .map_err(|_| RedisError::AlreadyConnected)?;
    tokio.spawn(run(client, receiver));
    Ok(())
}

/// The relay's connection, or `None` if [`connect_redis`] was not called.
pub fn redis_status() -> Option<RedisStatus> {
    RELAY
        .get()
        .map(|relay| *relay.status.lock().unwrap_or_else(PoisonError::into_inner))
}

/// Messages the relay's full queue dropped.
pub(crate) fn relay_dropped() -> u64 {
    RELAY
        .get()
        .map_or(0, |relay| relay.dropped.load(Ordering::Relaxed))
}

/// Queues `message`, published to `topic` here, for the other servers (if a relay runs).
pub(crate) fn relay<T: Broadcast>(topic: &str, message: &T) {
    let Some(relay) = RELAY.get() else {
        return;
    };
    let mut bytes = relay.origin.to_be_bytes().to_vec();
    if let Err(error) = rmp_serde::encode::write_named(&mut bytes, message) {
        tracing::warn!(topic, %error, "hotreload: a broadcast does not serialize; not relayed");
        return;
    }
    let channel = format!("{CHANNEL_PREFIX}{topic}");
    if relay.outgoing.try_send((channel, bytes)).is_err()
        && relay.dropped.fetch_add(1, Ordering::Relaxed) == 0
    {
        tracing::warn!(
            queue = RELAY_QUEUE,
            "hotreload: the Redis relay's queue is full; broadcasts to other servers are being dropped"
        );
    }
}

fn set_status(status: RedisStatus) {
    if let Some(relay) = RELAY.get() {
        *relay.status.lock().unwrap_or_else(PoisonError::into_inner) = status;
    }
}

/// Connects, relays until the connection is lost, and again, forever (until the process ends).
async fn run(client: redis::Client, mut outgoing: mpsc::Receiver<(String, Vec<u8>)>) {
    let mut backoff = BACKOFF_MIN;
    let mut retry = None;
    let mut lost_at: Option<Instant> = None;
    loop {
        match connect(&client).await {
            Ok((publisher, subscriber)) => {
                match lost_at.take() {
                    Some(at) => tracing::warn!(
                        gap_ms = at.elapsed().as_millis() as u64,
                        "hotreload: reconnected to Redis; broadcasts from other servers during the gap were missed"
                    ),
                    None => tracing::info!("hotreload: broadcasts relayed through Redis"),
                }
                set_status(RedisStatus::Connected);
                let connected_at = Instant::now();
                let reason =
                    relay_until_lost(publisher, subscriber, &mut outgoing, &mut retry).await;
                if connected_at.elapsed() >= HEALTHY_AFTER {
                    backoff = BACKOFF_MIN;
                }
                let Some(reason) = reason else {
                    return; // every sender is gone: the process is ending
                };
                tracing::warn!(%reason, "hotreload: lost the connection to Redis; broadcasts stay in this server until it is back");
                let now = Instant::now();
                lost_at = Some(now);
                set_status(RedisStatus::Disconnected { since: now });
            }
            Err(error) => {
                let now = Instant::now();
                if lost_at.is_none() {
                    tracing::warn!(%error, "hotreload: cannot reach Redis; retrying");
                    lost_at = Some(now);
                    set_status(RedisStatus::Disconnected { since: now });
                }
            }
        }
        tokio::time::sleep(jittered(backoff)).await;
        backoff = (backoff * 2).min(BACKOFF_MAX);
    }
}

/// `backoff` plus up to a quarter of it, so servers that lost Redis together do not all come
/// back in the same millisecond.
fn jittered(backoff: Duration) -> Duration {
    let spread = u64::try_from(backoff.as_millis() / 4).unwrap_or(0).max(1);
    let nanos = u64::from(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos()),
    );
    backoff + Duration::from_millis(nanos % spread)
}

async fn connect(
    client: &redis::Client,
) -> redis::RedisResult<(redis::aio::MultiplexedConnection, redis::aio::PubSub)> {
    let config = redis::AsyncConnectionConfig::new()
        .set_connection_timeout(Some(TIMEOUT))
        .set_response_timeout(Some(TIMEOUT));
    let publisher = client
        .get_multiplexed_async_connection_with_config(&config)
        .await?;
    let mut subscriber = tokio::time::timeout(TIMEOUT, client.get_async_pubsub())
        .await
        .map_err(|_| {
            redis::RedisError::from(std::io::Error::from(std::io::ErrorKind::TimedOut))
        })??;
    tokio::time::timeout(TIMEOUT, subscriber.psubscribe(format!("{CHANNEL_PREFIX}*")))
        .await
        .map_err(|_| {
            redis::RedisError::from(std::io::Error::from(std::io::ErrorKind::TimedOut))
        })??;
    Ok((publisher, subscriber))
}

/// Relays both ways until the connection fails (`Some(why)`) or the outgoing queue closes
/// (`None`). `retry` is the message being published (kept when its `PUBLISH` fails).
async fn relay_until_lost(
    mut publisher: redis::aio::MultiplexedConnection,
    subscriber: redis::aio::PubSub,
    outgoing: &mut mpsc::Receiver<(String, Vec<u8>)>,
    retry: &mut Option<(String, Vec<u8>, u32)>,
) -> Option<String> {
    let origin = RELAY.get().map_or(0, |relay| relay.origin);
    let mut incoming = subscriber.into_on_message();
    loop {
        // A message whose PUBLISH failed on a lost connection goes out first once it is back,
        // up to MAX_ATTEMPTS times; a refusal by the server itself (an ACL, an error reply)
        // drops it at once: sending it again would fail again and hold up the rest.
        if let Some((channel, bytes, attempts)) = retry.take()
            && let Err(error) = publish(&mut publisher, &channel, &bytes).await
        {
            let lost = error.is_io_error() || error.is_connection_dropped() || error.is_timeout();
            if lost && attempts + 1 < MAX_ATTEMPTS {
                *retry = Some((channel, bytes, attempts + 1));
                return Some(format!("PUBLISH failed: {error}"));
            }
            if let Some(relay) = RELAY.get() {
                relay.dropped.fetch_add(1, Ordering::Relaxed);
            }
            tracing::warn!(channel, %error, attempts = attempts + 1, "hotreload: a broadcast could not be relayed; dropped");
            if lost {
                return Some(format!("PUBLISH failed: {error}"));
            }
        }
        tokio::select! {
            message = incoming.next() => {
                let Some(message) = message else {
                    return Some(String::from("the subscription ended"));
                };
                receive(origin, message.get_channel_name(), message.get_payload_bytes());
            }
            next = outgoing.recv() => {
                let (channel, bytes) = next?;
                *retry = Some((channel, bytes, 0));
            }
        }
    }
}

async fn publish(
    publisher: &mut redis::aio::MultiplexedConnection,
    channel: &str,
    bytes: &[u8],
) -> redis::RedisResult<i64> {
    redis::cmd("PUBLISH")
        .arg(channel)
        .arg(bytes)
        .query_async(publisher)
        .await
}

/// A message from Redis: delivered here unless this process published it.
fn receive(origin: u64, channel: &str, payload: &[u8]) {
    let Some(topic) = channel.strip_prefix(CHANNEL_PREFIX) else {
        return;
    };
    let Some((sender, message)) = payload.split_first_chunk::<8>() else {
        tracing::warn!(
            channel,
            "hotreload: a Redis broadcast without its header; dropped"
        );
        return;
    };
    if u64::from_be_bytes(*sender) == origin {
        return;
    }
    deliver_remote(topic, message);
}
