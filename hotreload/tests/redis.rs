//! Broadcasts across servers through a real `redis-server` (started by the test on a free
//! 127.0.0.1 port): what this process publishes reaches another server's connection to Redis
//! and what another server publishes reaches this process's subscribers, each once; Redis
//! killed mid-test: publishing here still reaches local subscribers, the relay reconnects
//! when Redis is back and broadcasts flow both ways again; garbage on the channel is dropped.
//!
//! "Another server" is a plain Redis client speaking the relay's wire format (the browser test
//! `chat.test.mjs` runs two real servers).

mod support;

use futures_util::StreamExt;
use hotreload::pubsub::{self, RedisStatus, Topic};
use serde::{Deserialize, Serialize};
use std::time::Duration;
use support::redis::RedisServer;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Said {
    who: String,
    text: String,
}

const ROOM: Topic<Said> = Topic::new("test:redis-room");

fn said(who: &str, text: &str) -> Said {
    Said {
        who: who.into(),
        text: text.into(),
    }
}

async fn wait_for(status: fn(&RedisStatus) -> bool, what: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !pubsub::redis_status().as_ref().is_some_and(status) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the relay never got {what}: {:?}",
            pubsub::redis_status()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Another server: subscribes like a relay does and publishes in its format.
struct OtherServer {
    publisher: redis::aio::MultiplexedConnection,
    incoming: redis::aio::PubSubStream,
}

impl OtherServer {
    async fn connect(url: &str) -> OtherServer {
        let client = redis::Client::open(url).unwrap();
        let mut subscriber = client.get_async_pubsub().await.unwrap();
        subscriber.psubscribe("hotreload:*").await.unwrap();
        OtherServer {
            publisher: client.get_multiplexed_async_connection().await.unwrap(),
            incoming: subscriber.into_on_message(),
        }
    }

    async fn publish(&mut self, payload: Vec<u8>) {
        let _: i64 = redis::cmd("PUBLISH")
            .arg("hotreload:test:redis-room")
            .arg(payload)
            .query_async(&mut self.publisher)
            .await
            .unwrap();
    }

    async fn say(&mut self, message: &Said) {
        let mut payload = 0xfeed_u64.to_be_bytes().to_vec();
        payload.extend(rmp_serde::to_vec_named(message).unwrap());
        self.publish(payload).await;
    }

    /// The next message this process relayed (its own are skipped, as a relay does).
    async fn next(&mut self) -> Said {
        loop {
            let message = tokio::time::timeout(Duration::from_secs(10), self.incoming.next())
                .await
                .expect("a relayed message in time")
                .expect("the subscription is open");
            assert_eq!(message.get_channel_name(), "hotreload:test:redis-room");
            let payload = message.get_payload_bytes();
            if payload.len() < 8
                || payload[..8] == 0xfeed_u64.to_be_bytes()
                || payload[..8] == [9u8; 8]
            {
                continue;
            }
            return rmp_serde::from_slice(&payload[8..]).unwrap();
        }
    }
}

async fn next_here(here: &mut tokio::sync::mpsc::UnboundedReceiver<Said>) -> Said {
    tokio::time::timeout(Duration::from_secs(10), here.recv())
        .await
        .expect("a message here in time")
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broadcasts_cross_servers_and_outlive_redis_going_away() {
    let mut redis = RedisServer::start();
    pubsub::connect_redis(&redis.url()).unwrap();
    assert!(matches!(
        pubsub::connect_redis(&redis.url()),
        Err(pubsub::RedisError::AlreadyConnected)
    ));
    wait_for(|s| *s == RedisStatus::Connected, "connected").await;
    let mut other = OtherServer::connect(&redis.url()).await;

    let (sender, mut here) = tokio::sync::mpsc::unbounded_channel();
    let _subscription = pubsub::subscribe_fn(&ROOM, move |message| {
        let _ = sender.send(message);
    });

    // Ours reaches the other server; theirs reaches us; ours is not delivered here twice (the
    // echo from Redis is dropped): after ours comes theirs, nothing between.
    assert_eq!(pubsub::publish(&ROOM, said("a", "hello from here")), 1);
    assert_eq!(other.next().await, said("a", "hello from here"));
    other.say(&said("b", "hello from there")).await;
    assert_eq!(next_here(&mut here).await, said("a", "hello from here"));
    assert_eq!(next_here(&mut here).await, said("b", "hello from there"));

    // Garbage on the channel: dropped, nothing breaks.
    other.publish(b"short".to_vec()).await;
    other
        .publish([9u8; 8].iter().copied().chain(*b"\xc1\xc1").collect())
        .await;
    other.say(&said("b", "still here")).await;
    assert_eq!(next_here(&mut here).await, said("b", "still here"));

    // Redis goes away: the relay notices, local delivery goes on.
    redis.kill();
    wait_for(
        |s| matches!(s, RedisStatus::Disconnected { .. }),
        "disconnected",
    )
    .await;
    assert_eq!(pubsub::publish(&ROOM, said("a", "while redis is down")), 1);
    assert_eq!(next_here(&mut here).await, said("a", "while redis is down"));

    // Back on the same port: the relay reconnects (backoff) and broadcasts resume both ways.
    redis.restart();
    wait_for(|s| *s == RedisStatus::Connected, "reconnected").await;
    let mut other = OtherServer::connect(&redis.url()).await;
    other.say(&said("b", "after the restart")).await;
    assert_eq!(next_here(&mut here).await, said("b", "after the restart"));
    pubsub::publish(&ROOM, said("a", "after the restart too"));
    // What was queued while Redis was away may come first.
    loop {
        let relayed = other.next().await;
        if relayed == said("a", "after the restart too") {
            break;
        }
        assert_eq!(relayed, said("a", "while redis is down"));
    }
    assert_eq!(
        next_here(&mut here).await,
        said("a", "after the restart too")
    );
}

#[test]
fn a_bad_url_is_refused_with_a_clear_error() {
    let error = pubsub::connect_redis("not a url").unwrap_err();
    assert!(error.to_string().contains("not a Redis URL"), "{error}");
}
