//! A client that stops reading cannot make the server's memory grow: its frames queue up to a
//! bound, then its connection is dropped (a real browser would reconnect and resync), while
//! other clients keep being served.

mod support;

use hotreload::prelude::*;
use serde_json::json;
use std::time::{Duration, Instant};
use support::{Client, get, instance_id, serve};

/// Re-renders 64 KB of fresh markup every millisecond.
#[derive(Default, Serialize, Deserialize)]
struct Firehose {
    tick: u64,
}

struct Tick;

impl HandleInfo<Tick> for Firehose {
    fn handle_info(&mut self, Tick: Tick, _cx: &mut Context<'_, Self>) {
        self.tick += 1;
    }
}

impl LiveView for Firehose {
    type Message = ();

    fn mount(&mut self, context: &mut Mount<'_, Self>) {
        context.handle().every(Duration::from_millis(1), || Tick);
    }

    fn update(&mut self, (): (), _cx: &mut Context<'_, Self>) {}

    fn render(&self) -> Html {
        let text = format!("{:064}", self.tick).repeat(1024);
        hot_reload_liveview! { <pre>{text}</pre> }
    }
}

#[derive(Default, Serialize, Deserialize)]
struct Quiet {
    n: u32,
}

impl LiveView for Quiet {
    type Message = ();
    fn update(&mut self, _: (), _cx: &mut Context<'_, Self>) {
        self.n += 1;
    }
    fn render(&self) -> Html {
        hot_reload_liveview! { <p>"n = " {self.n} " and some more text to keep patches small"</p> }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_stops_reading_is_dropped_and_others_are_served() {
    let app = axum::Router::new()
        .route("/firehose", live_view::<Firehose>())
        .route("/quiet", live_view::<Quiet>());
    let addr = serve(app).await;
    let stats = || hotreload::stats();

    let id = instance_id(&get(addr, "/firehose", &[]).await.body);
    let mut stalled = Client::connect(addr, "/firehose").await;
    stalled.hello(&[(&id, "Firehose")], false).await;
    assert_eq!(stats().connections_open, 1);
    // From here on the stalled client reads nothing.

    let quiet_id = instance_id(&get(addr, "/quiet", &[]).await.body);
    let mut quiet = Client::connect(addr, "/quiet").await;
    quiet.hello(&[(&quiet_id, "Quiet")], false).await;

    let deadline = Instant::now() + Duration::from_secs(60);
    while stats().connections_open > 1 {
        assert!(
            Instant::now() < deadline,
            "the stalled connection was never dropped: {:?}",
            stats()
        );
        // The other client is served all along.
        quiet.event(&quiet_id, "click", json!(null)).await;
        let frame = quiet.recv().await;
        assert!(
            frame["type"] == "patch" || frame["type"] == "html",
            "{frame}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    quiet.event(&quiet_id, "click", json!(null)).await;
    assert!(quiet.recv().await.to_string().contains("n = "));
    drop(stalled);
}
