//! The LiveView runtime over real sockets on 127.0.0.1: mount → event → patch, where the ops
//! applied by the reference applier to the first render equal a fresh render of the new state;
//! and every kind of bad input gets an error frame while the connection, the other instances
//! and the server keep working.

mod support;

use hotreload::prelude::*;
use hotreload_diff::{Op, apply, canonical, parse_fragment_in};
use serde_json::{Value, json};
use std::time::Duration;
use support::{Client, boundary_inner, get, instance_id, serve};

#[derive(Default, Serialize, Deserialize)]
struct Counter {
    count: i64,
    items: Vec<String>,
}

#[derive(Serialize, Deserialize)]
enum Msg {
    Inc,
    Dec,
    Same,
    Boom,
    Fill(usize),
    Rename(String),
}

impl LiveView for Counter {
    type Message = Msg;

    fn update(&mut self, msg: Msg, cx: &mut Context<'_, Self>) {
        match msg {
            Msg::Inc => self.count += 1,
            Msg::Dec => self.count -= 1,
            Msg::Same => {}
            Msg::Boom => panic!("boom in update (expected by the test)"),
            Msg::Fill(n) => self.items = (0..n).map(|i| format!("{i}:{}", self.count)).collect(),
            Msg::Rename(prefix) => {
                let suffix = cx.event().value();
                for item in &mut self.items {
                    *item = format!("{prefix}{suffix}");
                }
            }
        }
    }

    fn render(&self) -> Html<Msg> {
        hot_reload_liveview! {
            <div class="counter">
                <h1>"Count: " {self.count}</h1>
                <button live-click={Msg::Inc}>"+"</button>
                <button live-click={Msg::Dec}>"-"</button>
                <input type="text" placeholder="not bound"/>
                <ul>{for item in &self.items { <li>{item}</li> }}</ul>
            </div>
        }
    }
}

fn app() -> axum::Router {
    axum::Router::new().route("/", live_view::<Counter>())
}

fn div() -> hotreload_diff::Context {
    hotreload_diff::Context::html("div")
}

fn ops_of(frame: &Value) -> Vec<Op> {
    serde_json::from_value(frame["ops"].clone()).expect("ops decode")
}

/// Applies a patch frame to `client_html` with the reference applier.
fn applied(client_html: &str, frame: &Value) -> String {
    let mut tree = parse_fragment_in(client_html, div());
    apply(&mut tree, &ops_of(frame)).expect("ops apply");
    canonical(&tree)
}

fn fresh(state: &Counter) -> String {
    canonical(&parse_fragment_in(state.render().as_str(), div()))
}

#[tokio::test]
async fn mount_event_patch_equals_a_fresh_render() {
    let addr = serve(app()).await;
    let page = get(addr, "/", &[]).await;
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("<h1>Count: 0</h1>"),
        "works without JS: {}",
        page.body
    );
    assert!(page.body.contains("data-hotreload-client"));
    let id = instance_id(&page.body);
    let first = boundary_inner(&page.body);

    let mut client = Client::connect(addr, "/").await;
    let welcome = client.hello(&[(&id, "Counter")], false).await;
    assert_eq!(welcome["dev"], false);

    client.event(&id, "click", json!("Inc")).await;
    let patch = client.recv().await;
    assert_eq!(patch["type"], "patch", "{patch}");
    assert_eq!(patch["seq"], 1);
    assert_eq!(
        patch["ops"].as_array().unwrap().len(),
        1,
        "one text op: {patch}"
    );
    let expected = Counter {
        count: 1,
        items: vec![],
    };
    assert_eq!(applied(&first, &patch), fresh(&expected));

    // Several events, each patch applied in turn, always equals a fresh render.
    let mut client_tree = parse_fragment_in(&first, div());
    apply(&mut client_tree, &ops_of(&patch)).unwrap();
    let mut state = expected;
    for (msg, step) in [
        (json!("Inc"), 1),
        (json!({"Fill": 5}), 0),
        (json!("Dec"), -1),
    ] {
        client.event(&id, "click", msg.clone()).await;
        let frame = client.recv().await;
        match frame["type"].as_str() {
            Some("patch") => apply(&mut client_tree, &ops_of(&frame)).unwrap(),
            Some("html") => client_tree = parse_fragment_in(frame["html"].as_str().unwrap(), div()),
            other => panic!("unexpected frame {other:?}: {frame}"),
        }
        state.count += step;
        if let Some(n) = msg.get("Fill").and_then(Value::as_u64) {
            state.items = (0..n).map(|i| format!("{i}:{}", state.count)).collect();
        }
        assert_eq!(canonical(&client_tree), fresh(&state));
    }
    client.close().await;
}

#[tokio::test]
async fn nothing_is_sent_when_nothing_changed() {
    let addr = serve(app()).await;
    let id = instance_id(&get(addr, "/", &[]).await.body);
    let mut client = Client::connect(addr, "/").await;
    client.hello(&[(&id, "Counter")], false).await;
    client.event(&id, "click", json!("Same")).await;
    client.send(json!({"v": 1, "type": "ping", "n": 7})).await;
    // The pong is the next frame: no patch was sent for the no-op event.
    let next = client.recv().await;
    assert_eq!(next, json!({"type": "pong", "v": 1, "n": 7}));
}

#[tokio::test]
async fn whole_boundary_html_is_sent_when_ops_would_be_larger() {
    let addr = serve(app()).await;
    let id = instance_id(&get(addr, "/", &[]).await.body);
    let mut client = Client::connect(addr, "/").await;
    client.hello(&[(&id, "Counter")], false).await;
    client.event(&id, "click", json!({"Fill": 60})).await;
    let first = client.recv().await;
    assert_eq!(first["type"], "patch");
    // Every item's text changes: 60 text ops are larger than the whole small boundary.
    client
        .send(json!({"v": 1, "type": "event", "id": id, "event": "input", "msg": {"Rename": "x"}, "value": "y"}))
        .await;
    let frame = client.recv().await;
    assert_eq!(frame["type"], "html", "{frame}");
    assert!(frame["html"].as_str().unwrap().contains("<li>xy</li>"));
    assert_eq!(frame["seq"], 2);
}

async fn expect_error(client: &mut Client, code: &str) -> Value {
    let frame = client.recv().await;
    assert_eq!(frame["type"], "error", "{frame}");
    assert_eq!(frame["code"], code, "{frame}");
    frame
}

#[tokio::test]
async fn every_bad_frame_gets_an_error_and_the_connection_lives() {
    let addr = serve(app()).await;
    let id = instance_id(&get(addr, "/", &[]).await.body);
    let mut client = Client::connect(addr, "/").await;

    client.send_text("{this is not json").await;
    expect_error(&mut client, "bad_json").await;
    client.send(json!({"v": 1, "type": "teleport"})).await;
    expect_error(&mut client, "unknown_type").await;
    client.send(json!({"v": 99, "type": "ping", "n": 1})).await;
    expect_error(&mut client, "bad_version").await;
    client
        .send(json!({"v": 1, "type": "event", "id": "not-an-id"}))
        .await;
    expect_error(&mut client, "bad_frame").await;
    client
        .send_text(&format!(
            r#"{{"v":1,"type":"ping","n":1,"x":"{}"}}"#,
            "a".repeat(2 * 1024 * 1024)
        ))
        .await;
    expect_error(&mut client, "too_large").await;
    // Events for an instance this connection has not said hello for.
    client.event(&id, "click", json!("Inc")).await;
    let frame = expect_error(&mut client, "unknown_instance").await;
    assert_eq!(frame["id"], id);
    client
        .hello(&[("00000000000000aa", "NoSuchView")], false)
        .await;
    expect_error(&mut client, "unknown_view").await;

    client.hello(&[(&id, "Counter")], false).await;
    client.event(&id, "click", json!({"Launch": 1})).await;
    expect_error(&mut client, "bad_message").await;

    // Still alive: a real event works.
    client.event(&id, "click", json!("Inc")).await;
    assert_eq!(client.recv().await["type"], "patch");
}

#[tokio::test]
async fn a_panic_in_update_is_reported_and_other_instances_keep_working() {
    let addr = serve(app()).await;
    let a = instance_id(&get(addr, "/", &[]).await.body);
    let b = instance_id(&get(addr, "/", &[]).await.body);
    let mut client = Client::connect(addr, "/").await;
    client
        .hello(&[(&a, "Counter"), (&b, "Counter")], false)
        .await;

    client.event(&a, "click", json!("Boom")).await;
    let frame = expect_error(&mut client, "panic").await;
    assert_eq!(frame["id"], a);
    assert!(
        frame["message"]
            .as_str()
            .unwrap()
            .contains("boom in update")
    );

    client.event(&b, "click", json!("Inc")).await;
    let patch = client.recv().await;
    assert_eq!(
        (patch["type"].as_str(), patch["id"].as_str()),
        (Some("patch"), Some(b.as_str()))
    );
    // The instance that panicked is still there too.
    client.event(&a, "click", json!("Inc")).await;
    let patch = client.recv().await;
    assert_eq!(
        (patch["type"].as_str(), patch["id"].as_str()),
        (Some("patch"), Some(a.as_str()))
    );

    // And the server still serves pages.
    assert_eq!(get(addr, "/", &[]).await.status, 200);
}

#[tokio::test]
async fn reconnect_resumes_and_unknown_ids_mount_fresh() {
    let addr = serve(app()).await;
    let id = instance_id(&get(addr, "/", &[]).await.body);
    let mut client = Client::connect(addr, "/").await;
    client.hello(&[(&id, "Counter")], false).await;
    client.event(&id, "click", json!("Inc")).await;
    client.recv().await;
    client.close().await;

    // Same page reconnects: the instance (count 1) is resent whole.
    let mut client = Client::connect(addr, "/").await;
    client.hello(&[(&id, "Counter")], true).await;
    let frame = client.recv().await;
    assert_eq!(frame["type"], "html", "{frame}");
    assert!(frame["html"].as_str().unwrap().contains("Count: 1"));

    // An id this server never issued (it restarted, same key): a fresh mount, sent whole.
    support::restarted_page_token(addr, "0123456789abcdef", "Counter");
    client.hello(&[("0123456789abcdef", "Counter")], true).await;
    let frame = client.recv().await;
    assert_eq!(
        (frame["type"].as_str(), frame["id"].as_str()),
        (Some("html"), Some("0123456789abcdef"))
    );
    assert!(frame["html"].as_str().unwrap().contains("Count: 0"));
}

#[tokio::test]
async fn foreign_origin_is_refused() {
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let addr = serve(app()).await;
    let mut request = format!("ws://{addr}/").into_client_request().unwrap();
    request
        .headers_mut()
        .insert("Origin", "http://evil.example".parse().unwrap());
    let refused = tokio_tungstenite::connect_async(request).await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 403);
        }
        other => panic!("expected a 403, got {other:?}"),
    }
    let mut request = format!("ws://{addr}/").into_client_request().unwrap();
    request
        .headers_mut()
        .insert("Origin", format!("http://{addr}").parse().unwrap());
    assert!(tokio_tungstenite::connect_async(request).await.is_ok());
}

#[tokio::test]
async fn client_script_is_served_by_the_route() {
    let addr = serve(app()).await;
    let response = get(addr, "/?_hotreload=client.js", &[]).await;
    assert_eq!(response.status, 200);
    assert!(
        response
            .headers
            .to_ascii_lowercase()
            .contains("content-type: text/javascript")
    );
    assert_eq!(response.body, hotreload::__testing::RUNTIME_CLIENT);
}

#[tokio::test]
async fn timers_push_updates_through_the_handle() {
    #[derive(Default, Serialize, Deserialize)]
    struct Clock {
        ticks: u32,
    }
    struct Tick;
    impl HandleInfo<Tick> for Clock {
        fn handle_info(&mut self, Tick: Tick, _cx: &mut Context<'_, Self>) {
            self.ticks += 1;
        }
    }
    impl LiveView for Clock {
        type Message = ();
        fn mount(&mut self, context: &mut Mount<'_, Self>) {
            context.handle().every(Duration::from_millis(20), || Tick);
        }
        fn update(&mut self, (): (), _cx: &mut Context<'_, Self>) {}
        fn render(&self) -> Html {
            hot_reload_liveview! { <p>"ticks: " {self.ticks}</p> }
        }
    }
    let addr = serve(axum::Router::new().route("/clock", live_view::<Clock>())).await;
    let id = instance_id(&get(addr, "/clock", &[]).await.body);
    let mut client = Client::connect(addr, "/clock").await;
    client.hello(&[(&id, "Clock")], false).await;
    let mut last = 0;
    for _ in 0..3 {
        let frame = client.recv().await;
        let text = frame.to_string();
        let ticks: u32 = text
            .split("ticks: ")
            .nth(1)
            .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("a tick count in {text}"));
        assert!(ticks > last, "ticks grow: {ticks} after {last}");
        last = ticks;
    }
}

#[derive(Default, Serialize, Deserialize)]
struct Parent {
    title: String,
    counter: Option<hotreload::Child<Counter>>,
    second: Option<hotreload::Child<Counter>>,
}

#[derive(Serialize, Deserialize)]
enum ParentMsg {
    Retitle(String),
}

impl LiveView for Parent {
    type Message = ParentMsg;

    fn mount(&mut self, context: &mut Mount<'_, Self>) {
        self.title = "parent".into();
        self.counter = Some(context.child::<Counter>());
        self.second = Some(context.child::<Counter>());
    }

    fn update(&mut self, msg: ParentMsg, _cx: &mut Context<'_, Self>) {
        match msg {
            ParentMsg::Retitle(title) => self.title = title,
        }
    }

    fn render(&self) -> Html<ParentMsg> {
        hot_reload_liveview! {
            <section>
                <h2>{&self.title}</h2>
                {self.counter}
                <hr/>
                {self.second}
                <footer>{&self.title}</footer>
            </section>
        }
    }
}

#[tokio::test]
async fn nested_live_views_are_separate_boundaries() {
    let addr = serve(axum::Router::new().route("/nested", live_view::<Parent>())).await;
    let page = get(addr, "/nested", &[]).await.body;
    let ids: Vec<String> = page
        .match_indices("data-live-view-id=\"")
        .map(|(at, m)| page[at + m.len()..at + m.len() + 16].to_owned())
        .collect();
    assert_eq!(ids.len(), 3, "parent and two children: {page}");
    assert_eq!(
        page.matches("<h1>Count: 0</h1>").count(),
        2,
        "children rendered inside the parent"
    );
    let (parent, first, second) = (&ids[0], &ids[1], &ids[2]);

    let mut client = Client::connect(addr, "/nested").await;
    client
        .hello(
            &[(parent, "Parent"), (first, "Counter"), (second, "Counter")],
            false,
        )
        .await;

    // A child's event patches only that child, addressed within its own boundary.
    client.event(first, "click", json!("Inc")).await;
    let patch = client.recv().await;
    assert_eq!(
        (patch["type"].as_str(), patch["id"].as_str()),
        (Some("patch"), Some(first.as_str()))
    );
    let mut child_tree = parse_fragment_in(
        "<div class=\"counter\"><h1>Count: 0</h1><button live-click=\"&quot;Inc&quot;\">+</button><button live-click=\"&quot;Dec&quot;\">-</button><input type=\"text\" placeholder=\"not bound\"><ul></ul></div>",
        div(),
    );
    apply(&mut child_tree, &ops_of(&patch)).unwrap();
    assert_eq!(
        canonical(&child_tree),
        fresh(&Counter {
            count: 1,
            items: vec![]
        })
    );

    // The parent's patches never enter the children's boundaries.
    client
        .event(parent, "click", json!({"Retitle": "renamed"}))
        .await;
    let patch = client.recv().await;
    assert_eq!(patch["id"].as_str(), Some(parent.as_str()));
    let ops = ops_of(&patch);
    assert_eq!(ops.len(), 2, "the two title texts: {patch}");
    let parent_inner = boundary_inner_of(&page, parent);
    let mut parent_tree = parse_fragment_in(&parent_inner, div());
    apply(&mut parent_tree, &ops).unwrap();
    let text = canonical(&parent_tree);
    assert!(
        text.contains("renamed") && !text.contains("parent"),
        "{text}"
    );

    // The second child is independent of the first.
    client.event(second, "click", json!("Dec")).await;
    let patch = client.recv().await;
    assert_eq!(patch["id"].as_str(), Some(second.as_str()));
    assert!(patch.to_string().contains("Count: -1"));
}

/// The inner HTML of the boundary with id `id` in `page` (boundaries are `<div>`s; counts
/// nested `<div>`s to find the matching close).
fn boundary_inner_of(page: &str, id: &str) -> String {
    let open = page.find(&format!("data-live-view-id=\"{id}\"")).unwrap();
    let start = open + page[open..].find('>').unwrap() + 1;
    let mut depth = 1;
    let mut i = start;
    while depth > 0 {
        let next_open = page[i..].find("<div").map(|p| p + i);
        let next_close = page[i..].find("</div>").map(|p| p + i).unwrap();
        match next_open {
            Some(o) if o < next_close => {
                depth += 1;
                i = o + 4;
            }
            _ => {
                depth -= 1;
                i = next_close + 6;
            }
        }
    }
    page[start..i - 6].to_owned()
}

/// A view registered only by its parent's mount (never served by a route of its own).
#[derive(Default, Serialize, Deserialize)]
struct OnlyNested {
    ticks: u32,
}

impl LiveView for OnlyNested {
    type Message = ();

    fn update(&mut self, (): (), _cx: &mut Context<'_, Self>) {
        self.ticks += 1;
    }

    fn render(&self) -> Html {
        hot_reload_liveview! { <p>"nested " {self.ticks}</p> }
    }
}

/// A parent whose mount takes a while, so its job on the worker runs well after the
/// connection has read the whole `hello`.
#[derive(Default, Serialize, Deserialize)]
struct SlowParent {
    child: Option<hotreload::Child<OnlyNested>>,
}

impl LiveView for SlowParent {
    type Message = ();

    fn mount(&mut self, context: &mut Mount<'_, Self>) {
        std::thread::sleep(Duration::from_millis(200));
        self.child = Some(context.child::<OnlyNested>());
    }

    fn update(&mut self, (): (), _cx: &mut Context<'_, Self>) {}

    fn render(&self) -> Html {
        hot_reload_liveview! { <section>{self.child}</section> }
    }
}

/// After a restart, a page says `hello` for a parent and its child; the child's view type is
/// registered only once the parent has been brought back (on its worker). The child must
/// still be found, whatever the order the jobs run in (it was refused ~1 in 9 restarts).
#[tokio::test]
async fn a_nested_view_is_found_after_a_restart_whatever_the_order() {
    let addr = serve(axum::Router::new().route("/slow", live_view::<SlowParent>())).await;
    let parent: hotreload::InstanceId = "00000000000005a1".parse().unwrap();
    let child = hotreload::__testing::child_id(parent, 0);
    let (parent, child) = (parent.to_string(), child.to_string());

    support::restarted_page_token(addr, &parent, "SlowParent");
    let mut client = Client::connect(addr, "/slow").await;
    // The ids are unknown to this process, as after a restart; the child comes first.
    client
        .hello(&[(&child, "OnlyNested"), (&parent, "SlowParent")], true)
        .await;
    let mut whole = std::collections::BTreeSet::new();
    while whole.len() < 2 {
        let frame = client
            .try_recv(Duration::from_secs(10))
            .await
            .expect("both boundaries are sent whole");
        assert_ne!(frame["type"], "error", "{frame}");
        if frame["type"] == "html" {
            whole.insert(frame["id"].as_str().unwrap().to_owned());
        }
    }
    assert!(whole.contains(&child) && whole.contains(&parent));
    client.event(&child, "click", json!(null)).await;
    let patch = client.recv().await;
    assert_eq!(patch["id"].as_str(), Some(child.as_str()), "{patch}");
    assert!(patch.to_string().contains("nested 1"), "{patch}");
}

/// A guestbook whose save runs in the background and reports back through `HandleInfo`.
#[derive(Default, Serialize, Deserialize)]
struct Guestbook {
    entries: Vec<String>,
    saving: bool,
}

#[derive(Serialize, Deserialize)]
enum GuestbookMsg {
    Sign(String),
}

/// The result of a save: only the server sends it.
#[derive(Serialize, Deserialize)]
enum Saved {
    Saved { name: String },
}

impl LiveView for Guestbook {
    type Message = GuestbookMsg;

    fn update(&mut self, GuestbookMsg::Sign(name): GuestbookMsg, cx: &mut Context<'_, Self>) {
        // Validation happens here, on what the page sent.
        if name.trim().is_empty() || name.len() > 40 {
            return;
        }
        self.saving = true;
        cx.start(async move {
            tokio::time::sleep(Duration::from_millis(5)).await;
            Saved::Saved { name }
        });
    }

    fn render(&self) -> Html<GuestbookMsg> {
        hot_reload_liveview! {
            <p>{self.entries.len()} " entries" {if self.saving { " (saving)" }}</p>
            <ul>{for entry in &self.entries { <li>{entry}</li> }}</ul>
        }
    }
}

impl HandleInfo<Saved> for Guestbook {
    fn handle_info(&mut self, Saved::Saved { name }: Saved, _cx: &mut Context<'_, Self>) {
        self.saving = false;
        self.entries.push(name);
    }
}

/// What background work reports back goes to `handle_info`, never through the page: a page
/// that posts the result itself (to skip `update`'s validation) gets `bad_message`.
#[tokio::test]
async fn server_only_values_cannot_be_forged_by_the_page() {
    let addr = serve(axum::Router::new().route("/guestbook", live_view::<Guestbook>())).await;
    let id = instance_id(&get(addr, "/guestbook", &[]).await.body);
    let mut client = Client::connect(addr, "/guestbook").await;
    client.hello(&[(&id, "Guestbook")], false).await;

    // The real way: update validates and starts the save; its result re-renders the page.
    client.event(&id, "click", json!({"Sign": "ann"})).await;
    let mut seen = String::new();
    while !seen.contains("1 entries") || seen.contains("(saving)") {
        seen = client.recv().await.to_string();
    }
    assert!(seen.contains("ann"), "{seen}");

    // The forged way: the page posts the save's result itself, with a name `update` refuses.
    let forged = "x".repeat(100);
    client
        .event(&id, "click", json!({"Saved": {"name": forged}}))
        .await;
    let error = client.recv().await;
    assert_eq!(error["type"], "error", "{error}");
    assert_eq!(error["code"], "bad_message", "{error}");
    // Nothing changed: the next real message counts from one entry.
    client.event(&id, "click", json!({"Sign": "bob"})).await;
    let mut seen = String::new();
    while !seen.contains("2 entries") || seen.contains("(saving)") {
        seen = client.recv().await.to_string();
    }
    assert!(!seen.contains(&forged), "{seen}");
}

/// A parent that gives its nested badge props and hears back from it.
#[derive(Default, Serialize, Deserialize)]
struct Board {
    picks: Vec<u32>,
    badge: Option<hotreload::Child<Badge>>,
}

#[derive(Serialize, Deserialize)]
enum BoardMsg {
    Relabel(String),
}

/// What the badge tells its parent.
struct Picked(u32);

impl LiveView for Board {
    type Message = BoardMsg;

    fn mount(&mut self, cx: &mut Mount<'_, Self>) {
        self.badge = Some(cx.child_with::<Badge, _>(BadgeProps {
            label: "first".into(),
        }));
    }

    fn update(&mut self, BoardMsg::Relabel(label): BoardMsg, _cx: &mut Context<'_, Self>) {
        if let Some(badge) = &self.badge {
            badge.send(BadgeProps { label }).unwrap();
        }
    }

    fn render(&self) -> Html<BoardMsg> {
        hot_reload_liveview! { <section><p>"picked " {self.picks.len()}</p>{self.badge}</section> }
    }
}

impl HandleInfo<Picked> for Board {
    fn handle_info(&mut self, Picked(n): Picked, _cx: &mut Context<'_, Self>) {
        self.picks.push(n);
    }
}

#[derive(Default, Serialize, Deserialize)]
struct Badge {
    label: String,
    clicks: u32,
    /// `parent` is typed: asking for the wrong parent type gives `None`.
    typed: bool,
}

/// The badge's props.
struct BadgeProps {
    label: String,
}

#[derive(Serialize, Deserialize)]
enum BadgeMsg {
    Pick,
}

impl LiveView for Badge {
    type Message = BadgeMsg;

    fn update(&mut self, BadgeMsg::Pick: BadgeMsg, cx: &mut Context<'_, Self>) {
        self.clicks += 1;
        self.typed = cx.parent::<Counter>().is_none();
        cx.parent::<Board>()
            .expect("nested in a Board")
            .send(Picked(self.clicks))
            .unwrap();
    }

    fn render(&self) -> Html<BadgeMsg> {
        hot_reload_liveview! { <b>{&self.label} " " {self.clicks} {if self.typed { " typed" }}</b> }
    }
}

impl HandleInfo<BadgeProps> for Badge {
    fn handle_info(&mut self, props: BadgeProps, _cx: &mut Context<'_, Self>) {
        self.label = props.label;
    }
}

/// Props go down (first ones before the child's first render, later ones when the parent
/// sends them), events go up through the parent's typed handle.
#[tokio::test]
async fn a_nested_view_takes_props_from_its_parent_and_tells_it_things() {
    let addr = serve(axum::Router::new().route("/board", live_view::<Board>())).await;
    let page = get(addr, "/board", &[]).await.body;
    assert!(
        page.contains("<b>first 0</b>"),
        "first props before the first render: {page}"
    );
    let ids: Vec<String> = page
        .match_indices("data-live-view-id=\"")
        .map(|(at, m)| page[at + m.len()..at + m.len() + 16].to_owned())
        .collect();
    let (board, badge) = (ids[0].clone(), ids[1].clone());
    let mut client = Client::connect(addr, "/board").await;
    client
        .hello(&[(&board, "Board"), (&badge, "Badge")], false)
        .await;

    client
        .event(&board, "click", json!({"Relabel": "second"}))
        .await;
    let patch = client.recv().await;
    assert_eq!(patch["id"].as_str(), Some(badge.as_str()), "{patch}");
    assert!(patch.to_string().contains("second 0"), "{patch}");

    client.event(&badge, "click", json!("Pick")).await;
    let mut parent_heard = false;
    let mut child_shown = false;
    while !(parent_heard && child_shown) {
        let frame = client.recv().await;
        let text = frame.to_string();
        if frame["id"] == board.as_str() {
            parent_heard |= text.contains("picked 1");
        } else if frame["id"] == badge.as_str() {
            child_shown |= text.contains("second 1 typed");
        }
    }
}

/// The router's state, for views.
#[derive(Clone)]
struct Config {
    greeting: &'static str,
}

#[derive(Default, Serialize, Deserialize)]
struct Greeter {
    lines: Vec<String>,
}

#[derive(Serialize, Deserialize)]
enum GreeterMsg {
    Greet(String),
}

impl LiveView for Greeter {
    type Message = GreeterMsg;

    fn mount(&mut self, cx: &mut Mount<'_, Self>) {
        let config = cx.app_state::<Config>().expect("the router's state");
        self.lines.push(format!("{} from mount", config.greeting));
        assert!(
            cx.app_state::<String>().is_none(),
            "typed: another type is None"
        );
    }

    fn update(&mut self, GreeterMsg::Greet(name): GreeterMsg, cx: &mut Context<'_, Self>) {
        let config = cx.app_state::<Config>().expect("the router's state");
        self.lines.push(format!("{} {name}", config.greeting));
    }

    fn render(&self) -> Html<GreeterMsg> {
        hot_reload_liveview! { <ul>{for line in &self.lines { <li>{line}</li> }}</ul> }
    }
}

/// A view reads the router's state in `mount` and `update`, as a handler takes `State`.
#[tokio::test]
async fn views_read_the_routers_state() {
    let app = axum::Router::new()
        .route(
            "/greet",
            hotreload::live_view_with_state::<Greeter, Config>(),
        )
        .with_state(Config { greeting: "hej" });
    let addr = serve(app).await;
    let page = get(addr, "/greet", &[]).await.body;
    assert!(page.contains("<li>hej from mount</li>"), "{page}");
    let id = instance_id(&page);
    let mut client = Client::connect(addr, "/greet").await;
    client.hello(&[(&id, "Greeter")], false).await;
    client.event(&id, "click", json!({"Greet": "ann"})).await;
    let patch = client.recv().await;
    assert!(patch.to_string().contains("hej ann"), "{patch}");
    // After a restart the page's socket brings the instance back: it mounts with the state
    // of the router that serves the socket.
    let mut again = Client::connect(addr, "/greet").await;
    support::restarted_page_token(addr, "00000000000006b1", "Greeter");
    again.hello(&[("00000000000006b1", "Greeter")], true).await;
    let frame = again.recv().await;
    assert!(frame.to_string().contains("hej from mount"), "{frame}");
}
