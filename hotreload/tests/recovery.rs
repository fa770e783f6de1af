//! The circuit breaker over a real socket: a client that fails to apply every patch gets the
//! boundary resent, then exactly one full refresh per cooldown, and recovers when its patches
//! apply again.

mod support;

use hotreload::BreakerConfig;
use hotreload::prelude::*;
use serde_json::{Value, json};
use std::time::Duration;
use support::{Client, get, instance_id, serve};

#[derive(Default, Serialize, Deserialize)]
struct Ticker {
    n: u64,
}

#[derive(Serialize, Deserialize)]
struct Bump;

impl LiveView for Ticker {
    type Message = Bump;
    fn update(&mut self, _: Bump, _cx: &mut Context<'_, Self>) {
        self.n += 1;
    }
    fn render(&self) -> Html<Bump> {
        hot_reload_liveview! { <p>"n = " {self.n}</p><i>"a longer static tail so that patches stay smaller than the whole boundary"</i> }
    }
}

const COOLDOWN: Duration = Duration::from_millis(1500);

/// Frames until none arrives for `wait`, acking each patch/html frame: with an error where
/// `fails(frame)`; returns them.
async fn frames(
    client: &mut Client,
    id: &str,
    fails: impl Fn(&Value) -> bool,
    wait: Duration,
) -> Vec<Value> {
    let mut seen = Vec::new();
    while let Some(frame) = client.try_recv(wait).await {
        if frame["type"] == "patch" || frame["type"] == "html" {
            let mut ack = json!({"v": 1, "type": "ack", "id": id, "seq": frame["seq"]});
            if fails(&frame) {
                ack["error"] = json!("path not found: [0,0]");
            }
            client.send(ack).await;
        }
        seen.push(frame);
    }
    seen
}

fn count(frames: &[Value], kind: &str) -> usize {
    frames.iter().filter(|f| f["type"] == kind).count()
}

#[tokio::test]
async fn a_failing_client_gets_resends_then_one_refresh_per_cooldown_then_recovers() {
    let breaker = BreakerConfig {
        threshold: 3,
        window: Duration::from_secs(10),
        cooldown: COOLDOWN,
    };
    let addr = serve(
        axum::Router::new()
            .route("/", live_view::<Ticker>())
            .layer(hotreload::LiveConfig::new().breaker(breaker)),
    )
    .await;
    let id = instance_id(&get(addr, "/", &[]).await.body);
    let mut client = Client::connect(addr, "/").await;
    client.hello(&[(&id, "Ticker")], false).await;
    let bump = json!(null);

    // Every frame fails: patch → resend whole → resend whole → reload, once.
    client.event(&id, "click", bump.clone()).await;
    let first = frames(&mut client, &id, |_| true, Duration::from_millis(200)).await;
    assert_eq!(
        (
            count(&first, "patch"),
            count(&first, "html"),
            count(&first, "reload")
        ),
        (1, 2, 1),
        "{first:#?}"
    );

    // While open (within the cooldown): nothing is sent, no second reload.
    for _ in 0..5 {
        client.event(&id, "click", bump.clone()).await;
    }
    let quiet = frames(&mut client, &id, |_| true, Duration::from_millis(150)).await;
    assert!(
        quiet.is_empty(),
        "nothing while the breaker is open: {quiet:#?}"
    );

    // After the cooldown (half-open) patches flow; failing again asks for one more reload.
    tokio::time::sleep(COOLDOWN).await;
    client.event(&id, "click", bump.clone()).await;
    let second = frames(&mut client, &id, |_| true, Duration::from_millis(200)).await;
    assert_eq!(
        (count(&second, "patch"), count(&second, "reload")),
        (1, 1),
        "{second:#?}"
    );

    // Recovery: after the next cooldown, patches apply; the breaker closes.
    tokio::time::sleep(COOLDOWN).await;
    client.event(&id, "click", bump.clone()).await;
    let recovered = frames(&mut client, &id, |_| false, Duration::from_millis(200)).await;
    assert_eq!(
        (count(&recovered, "patch"), count(&recovered, "reload")),
        (1, 0),
        "{recovered:#?}"
    );
    // Closed again: a single failure is answered with a resend (which applies), not a reload.
    client.event(&id, "click", bump.clone()).await;
    let after = frames(
        &mut client,
        &id,
        |f| f["type"] == "patch",
        Duration::from_millis(200),
    )
    .await;
    assert_eq!(
        (
            count(&after, "patch"),
            count(&after, "html"),
            count(&after, "reload")
        ),
        (1, 1, 0),
        "{after:#?}"
    );
    assert_eq!(hotreload::stats().refreshes, 2);
}
