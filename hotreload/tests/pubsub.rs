//! Broadcasts in one process, over real sockets on 127.0.0.1: a publish from outside any view
//! (what an axum handler or a task does) patches every subscribed page; messages of a topic
//! arrive in publish order; a subscription ends with its instance; code that is not a view
//! subscribes with a callback. (A stuck subscriber is `pubsub_stuck.rs`: it blocks a worker
//! thread, so it runs in a process of its own.)

mod support;

use hotreload::prelude::*;
use hotreload::pubsub::{self, Topic};
use serde_json::json;
use std::time::Duration;
use support::{open_page, serve, until_shown};

#[derive(Clone, Serialize, Deserialize)]
struct Line(u32);

const ROOM: Topic<Line> = Topic::new("test:room");

/// Shows how many lines it got and whether they came in order.
#[derive(Default, Serialize, Deserialize)]
struct Room {
    seen: u32,
    last: Option<u32>,
    in_order: bool,
}

impl LiveView for Room {
    type Message = ();
    fn mount(&mut self, cx: &mut Mount<'_, Self>) {
        self.in_order = true;
        cx.subscribe(&ROOM);
    }
    fn update(&mut self, (): (), _cx: &mut Context<'_, Self>) {}
    fn render(&self) -> Html {
        let line = format!("seen {} in order {}", self.seen, self.in_order);
        hot_reload_liveview! { <p>{line}</p> }
    }
}

impl HandleInfo<Line> for Room {
    fn handle_info(&mut self, Line(n): Line, _cx: &mut Context<'_, Self>) {
        if let Some(last) = self.last
            && n != last + 1
        {
            self.in_order = false;
        }
        self.last = Some(n);
        self.seen += 1;
    }
}

#[tokio::test]
async fn a_publish_patches_every_subscribed_page_in_order_and_ends_with_the_instance() {
    let addr = serve(axum::Router::new().route("/", live_view::<Room>())).await;
    let (mut first, first_id) = open_page(addr, "/", "Room").await;
    let (mut second, _) = open_page(addr, "/", "Room").await;
    assert_eq!(pubsub::subscribers(&ROOM), 2);

    // From outside any view, as an axum handler or a background task publishes.
    for n in 0..500 {
        assert_eq!(pubsub::publish(&ROOM, Line(n)), 2);
    }
    until_shown(&mut first, "seen 500 in order true").await;
    until_shown(&mut second, "seen 500 in order true").await;

    // The first page navigates away: its instance is dropped, and its subscription with it.
    first
        .send(json!({"v": 1, "type": "leave", "ids": [first_id]}))
        .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while pubsub::subscribers(&ROOM) != 1 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the subscription outlived its instance"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(pubsub::publish(&ROOM, Line(500)), 1);
    until_shown(&mut second, "seen 501 in order true").await;
    first.close().await;
    second.close().await;
}

#[tokio::test]
async fn code_that_is_not_a_view_subscribes_with_a_callback() {
    const NEWS: Topic<String> = Topic::new("test:news");
    let (sender, mut received) = tokio::sync::mpsc::unbounded_channel();
    let subscription = pubsub::subscribe_fn(&NEWS, move |text| {
        let _ = sender.send(text);
    });
    assert_eq!(subscription.topic(), "test:news");
    for word in ["a", "b", "c"] {
        pubsub::publish(&NEWS, word.to_owned());
    }
    for word in ["a", "b", "c"] {
        assert_eq!(received.recv().await.unwrap(), word);
    }
    drop(subscription);
    assert_eq!(pubsub::subscribers(&NEWS), 0);
    assert_eq!(pubsub::publish(&NEWS, "d".to_owned()), 0);
}
