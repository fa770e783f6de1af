//! A broadcast subscriber that stops handling messages (its `handle_info` blocks) holds up
//! neither the publisher nor the subscribers on other worker threads; what does not fit in its
//! queue is dropped for it alone and counted, as `pubsub` documents; it takes messages again
//! once it catches up. In a process of its own: it blocks one of the runtime's worker threads.

mod support;

use hotreload::prelude::*;
use hotreload::pubsub::{self, SUBSCRIBER_QUEUE, Topic};
use serde_json::json;
use std::sync::Mutex;
use std::time::Duration;
use support::{open_page, serve, until_shown};

#[derive(Clone, Serialize, Deserialize)]
struct Tick(u32);

const TICKS: Topic<Tick> = Topic::new("test:ticks");

/// Hands each tick's instance id to the test, and blocks on the first tick until released:
/// a subscriber that stopped taking messages.
static BLOCKED: Mutex<Option<(std::sync::mpsc::Sender<()>, std::sync::mpsc::Receiver<()>)>> =
    Mutex::new(None);

#[derive(Default, Serialize, Deserialize)]
struct Slow {
    seen: u32,
}

impl LiveView for Slow {
    type Message = ();
    fn mount(&mut self, cx: &mut Mount<'_, Self>) {
        cx.subscribe(&TICKS);
    }
    fn update(&mut self, (): (), _cx: &mut Context<'_, Self>) {}
    fn render(&self) -> Html {
        let line = format!("slow {}", self.seen);
        hot_reload_liveview! { <p>{line}</p> }
    }
}

impl HandleInfo<Tick> for Slow {
    fn handle_info(&mut self, _: Tick, _cx: &mut Context<'_, Self>) {
        if self.seen == 0 {
            let channels = BLOCKED.lock().unwrap().take();
            if let Some((started, release)) = channels {
                started.send(()).unwrap();
                release.recv().unwrap();
            }
        }
        self.seen += 1;
    }
}

#[derive(Default, Serialize, Deserialize)]
struct Fast {
    seen: u32,
}

impl LiveView for Fast {
    type Message = ();
    fn mount(&mut self, cx: &mut Mount<'_, Self>) {
        cx.subscribe(&TICKS);
    }
    fn update(&mut self, (): (), _cx: &mut Context<'_, Self>) {}
    fn render(&self) -> Html {
        let line = format!("fast {}", self.seen);
        hot_reload_liveview! { <p>{line}</p> }
    }
}

impl HandleInfo<Tick> for Fast {
    fn handle_info(&mut self, _: Tick, _cx: &mut Context<'_, Self>) {
        self.seen += 1;
    }
}

// Multi-threaded: the server's connection tasks write the fast page's frames to its socket
// while this test publishes (on one thread they would queue up until the publishing ends).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stuck_subscriber_holds_up_neither_the_publisher_nor_the_others() {
    let app = axum::Router::new()
        .route("/slow", live_view::<Slow>())
        .route("/fast", live_view::<Fast>());
    let addr = serve(app).await;
    let (started, started_rx) = std::sync::mpsc::channel();
    let (release, release_rx) = std::sync::mpsc::channel();
    *BLOCKED.lock().unwrap() = Some((started, release_rx));

    let (mut slow, slow_id) = open_page(addr, "/slow", "Slow").await;
    // The fast subscriber must live on another worker thread than the stuck one (a stuck
    // `handle_info` holds its whole thread, as a slow `update` does).
    let (mut fast, fast_id) = loop {
        let (client, id) = open_page(addr, "/fast", "Fast").await;
        let worker = |id: &str| hotreload::__testing::worker_of(id.parse().unwrap());
        if worker(&id).0 != worker(&slow_id).0 {
            break (client, id);
        }
        // On the stuck thread: gone at once, with its subscription, before anything is published.
        let mut client = client;
        client
            .send(json!({"v": 1, "type": "leave", "ids": [id]}))
            .await;
        client.close().await;
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while pubsub::subscribers(&TICKS) != 2 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "left instances keep their subscriptions"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let _ = fast_id;
    let dropped_before = pubsub::stats().dropped;

    pubsub::publish(&TICKS, Tick(0));
    tokio::task::spawn_blocking(move || started_rx.recv_timeout(Duration::from_secs(10)))
        .await
        .unwrap()
        .expect("the slow subscriber took the first tick");
    // It is stuck now. Its queue takes SUBSCRIBER_QUEUE more; the rest is dropped for it only.
    // (Published in steps the fast subscriber keeps up with: a tight loop of more than its
    // queue would outrun it too, and it would drop some as well, as documented.)
    let extra = 50;
    let total = SUBSCRIBER_QUEUE as u32 + extra + 1;
    let mut published = 1;
    while published < total {
        let step = (total - published).min(500);
        for n in published..published + step {
            pubsub::publish(&TICKS, Tick(n));
        }
        published += step;
        until_shown(&mut fast, &format!("fast {published}")).await;
    }
    assert_eq!(
        pubsub::stats().dropped - dropped_before,
        u64::from(extra),
        "exactly what did not fit in the stuck subscriber's queue is dropped"
    );

    release.send(()).unwrap();
    until_shown(&mut slow, &format!("slow {}", SUBSCRIBER_QUEUE + 1)).await;
    // And it takes messages again once it has caught up.
    pubsub::publish(&TICKS, Tick(total));
    until_shown(&mut slow, &format!("slow {}", SUBSCRIBER_QUEUE + 2)).await;
    slow.close().await;
    fast.close().await;
}
