//! Instance tokens on a live socket: a page attaches only the instances it was served. A
//! forged token, a token of another browser (its session cookie), a missing token and an
//! expired one each get a `bad_token` error and a fresh instance under a new id, never the
//! state of the instance the id names; a nested boundary is taken only under its parent.

mod support;

use hotreload::LiveConfig;
use hotreload::prelude::*;
use serde_json::{Value, json};
use std::time::Duration;
use support::{Client, get, instance_id, serve, token_of};

/// State worth stealing.
#[derive(Default, Serialize, Deserialize)]
struct Account {
    secret: String,
}

#[derive(Serialize, Deserialize)]
enum Msg {
    Set(String),
}

impl LiveView for Account {
    type Message = Msg;
    fn update(&mut self, Msg::Set(secret): Msg, _cx: &mut Context<'_, Self>) {
        self.secret = secret;
    }
    fn render(&self) -> Html<Msg> {
        hot_reload_liveview! { <p>"secret: " {&self.secret}</p> }
    }
}

/// The victim: a page whose instance holds a secret, attached and then disconnected (as when
/// the tab reconnects, or a leaked id is tried while it is away).
async fn victim(addr: std::net::SocketAddr) -> (String, String) {
    let page = get(addr, "/", &[]).await;
    let id = instance_id(&page.body);
    let token = token_of(&id).expect("the boundary carries a token");
    let mut client = Client::connect(addr, "/").await;
    client.hello(&[(&id, "Account")], false).await;
    client.event(&id, "click", json!({"Set": "hunter2"})).await;
    let patch = client.recv().await;
    assert!(patch.to_string().contains("hunter2"), "{patch}");
    client.close().await;
    (id, token)
}

/// Sends `hello` for `id` with `token` (or none) and checks the refusal: `bad_token` for `id`,
/// `remount` to a new id, whose whole boundary is a fresh instance's.
async fn expect_refused(client: &mut Client, id: &str, token: Option<&str>) {
    let mut entry = json!({"id": id, "view": "Account"});
    if let Some(token) = token {
        entry["token"] = Value::String(token.to_owned());
    }
    client.hello_raw(json!([entry]), true).await;
    let mut frames = Vec::new();
    let mut fresh = None;
    while fresh.is_none() || !frames.iter().any(|f: &Value| f["type"] == "html") {
        let frame = client
            .try_recv(Duration::from_secs(5))
            .await
            .unwrap_or_else(|| panic!("refusal incomplete: {frames:?}"));
        assert!(
            !frame.to_string().contains("hunter2"),
            "another browser's state leaked: {frame}"
        );
        if frame["type"] == "remount" {
            assert_eq!(frame["old"], id);
            assert_ne!(frame["id"], id);
            assert!(frame["token"].as_str().is_some_and(|t| !t.is_empty()));
            fresh = Some(frame["id"].as_str().unwrap().to_owned());
        }
        frames.push(frame);
    }
    assert!(
        frames
            .iter()
            .any(|f| f["type"] == "error" && f["code"] == "bad_token" && f["id"] == id),
        "{frames:?}"
    );
    let html = frames.iter().find(|f| f["type"] == "html").unwrap();
    assert_eq!(html["id"].as_str(), fresh.as_deref(), "{frames:?}");
    assert!(
        html["html"].as_str().unwrap().contains("secret: </p>"),
        "{html}"
    );
}

#[tokio::test]
async fn forged_foreign_and_missing_tokens_get_a_fresh_instance_never_the_named_one() {
    let addr = serve(axum::Router::new().route("/", live_view::<Account>())).await;
    let (id, token) = victim(addr).await;

    // Another browser (no cookie of the victim's) that knows the id: no token, a made-up
    // one, and the victim's real token (leaked with the HTML) all fail.
    let mut thief = Client::connect_with_cookie(
        addr,
        "/",
        Some("hotreload_session=0123456789abcdef0123456789abcdef"),
    )
    .await;
    expect_refused(&mut thief, &id, None).await;
    expect_refused(
        &mut thief,
        &id,
        Some("99999999999.00112233445566778899aabbccddeeff"),
    )
    .await;
    expect_refused(&mut thief, &id, Some(&token)).await;
    let mut cookieless = Client::connect_with_cookie(addr, "/", None).await;
    expect_refused(&mut cookieless, &id, Some(&token)).await;

    // A nested boundary named under a parent this connection was not given is refused too.
    let child = hotreload::__testing::child_id(id.parse().unwrap(), 0).to_string();
    thief
        .hello_raw(
            json!([{"id": child, "view": "Account", "parent": id}]),
            true,
        )
        .await;
    let frames = [thief.recv().await, thief.recv().await];
    assert!(
        frames
            .iter()
            .any(|f| f["type"] == "error" && f["code"] == "unknown_instance" && f["id"] == child),
        "{frames:?}"
    );
    assert!(frames.iter().any(|f| f["type"] == "welcome"), "{frames:?}");

    // The victim's own browser still gets its instance back.
    let mut owner = Client::connect(addr, "/").await;
    owner.hello(&[(&id, "Account")], true).await;
    let frame = owner.recv().await;
    assert_eq!(frame["type"], "html", "{frame}");
    assert!(frame.to_string().contains("hunter2"), "{frame}");
}

/// A view no route of this test serves a socket for: only reachable through its own route.
#[derive(Default, Serialize, Deserialize)]
struct Admin;

impl LiveView for Admin {
    type Message = ();
    fn update(&mut self, (): (), _cx: &mut Context<'_, Self>) {}
    fn render(&self) -> Html {
        hot_reload_liveview! { <p>"admin console"</p> }
    }
}

#[tokio::test]
async fn a_socket_never_mounts_a_view_its_route_does_not_serve() {
    // `/admin` has its own route (behind whatever middleware the app puts there); the thief
    // opens a socket on `/` and names `Admin` with a made-up id: no mount, a reload instead.
    let app = axum::Router::new()
        .route("/", live_view::<Account>())
        .route("/admin", live_view::<Admin>());
    let addr = serve(app).await;
    let (id, _) = victim(addr).await;
    let mut thief = Client::connect(addr, "/").await;
    thief
        .hello_raw(json!([{"id": "00000000000000a1", "view": "Admin"}]), true)
        .await;
    let frames = frames_until(&mut thief, |f| f["type"] == "reload", "admin console").await;
    assert!(
        frames.iter().any(|f| f["code"] == "bad_token"),
        "{frames:?}"
    );
    assert!(
        !frames
            .iter()
            .any(|f| f["type"] == "remount" || f["type"] == "html"),
        "{frames:?}"
    );

    // Nor as a "child" of an instance it was given: the parent has no such child.
    let mut owner = Client::connect(addr, "/").await;
    owner.hello(&[(&id, "Account")], true).await;
    let child = hotreload::__testing::child_id(id.parse().unwrap(), 0).to_string();
    owner
        .hello_raw(
            json!([{"id": id, "view": "Account", "token": token_of(&id)},
                   {"id": child, "view": "Admin", "parent": id}]),
            true,
        )
        .await;
    frames_until(
        &mut owner,
        |f| f["type"] == "error" && f["id"] == child,
        "admin console",
    )
    .await;
}

/// The frames up to and including the first that `last` accepts (within 5 s each); none of
/// them may show `never`.
async fn frames_until(
    client: &mut Client,
    last: impl Fn(&Value) -> bool,
    never: &str,
) -> Vec<Value> {
    let mut frames = Vec::new();
    while !frames.iter().any(&last) {
        let frame = client
            .try_recv(Duration::from_secs(5))
            .await
            .unwrap_or_else(|| panic!("{frames:?}"));
        assert!(!frame.to_string().contains(never), "shown: {frame}");
        frames.push(frame);
    }
    frames
}

#[tokio::test]
async fn an_expired_token_gets_a_fresh_instance() {
    let app = axum::Router::new()
        .route("/", live_view::<Account>())
        .layer(LiveConfig::new().token_max_age(Duration::from_secs(1)));
    let addr = serve(app).await;
    let (id, token) = victim(addr).await;
    // Expiry is in whole seconds: past it for sure after a little more than two.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let mut owner = Client::connect(addr, "/").await;
    expect_refused(&mut owner, &id, Some(&token)).await;
}
