//! `hotreload::testing` itself: time, tasks, async work, broadcasts, hooks, the request a view
//! mounts with. (The examples' behaviour is tested with it in `examples/tests/harness.rs`.)

use hotreload::prelude::*;
use hotreload::pubsub::{self, Topic};
use hotreload::testing::{TestClient, TestError, mount};
use hotreload::{Async, TaskResult};
use std::time::Duration;

type Result = std::result::Result<(), TestError>;

/// Ticks once a second; loads a value that takes 10 s.
#[derive(Default, Serialize, Deserialize)]
struct Clock {
    ticks: u32,
    answer: Async<u32>,
}

#[derive(Serialize, Deserialize)]
enum ClockMsg {
    Load,
}

struct Tick;

impl LiveView for Clock {
    type Message = ClockMsg;

    fn mount(&mut self, cx: &mut Mount<'_, Self>) {
        cx.handle().every(Duration::from_secs(1), || Tick);
    }

    fn update(&mut self, ClockMsg::Load: ClockMsg, cx: &mut Context<'_, Self>) {
        self.answer = Async::Loading;
        cx.start_async("answer", async {
            tokio::time::sleep(Duration::from_secs(10)).await;
            42
        });
    }

    fn render(&self) -> Html<ClockMsg> {
        hot_reload_liveview! {
            <p id="ticks">"ticks: " {self.ticks}</p>
            <button live-click={ClockMsg::Load}>"Load"</button>
            <p id="answer">{match &self.answer {
                Async::Ready(n) => { "answer: " {n} }
                Async::Loading => { "loading" }
                _ => { "idle" }
            }}</p>
        }
    }
}

impl HandleInfo<Tick> for Clock {
    fn handle_info(&mut self, _tick: Tick, _cx: &mut Context<'_, Self>) {
        self.ticks += 1;
    }
}

impl HandleInfo<TaskResult<u32>> for Clock {
    fn handle_info(&mut self, result: TaskResult<u32>, _cx: &mut Context<'_, Self>) {
        self.answer.finish(result.result);
    }
}

#[tokio::test(start_paused = true)]
async fn timers_follow_the_paused_clock() -> Result {
    let mut page = mount::<Clock>().await?;
    assert_eq!(page.text("#ticks").as_deref(), Some("ticks: 0"));
    page.advance(Duration::from_millis(3500)).await?;
    assert_eq!(page.text("#ticks").as_deref(), Some("ticks: 3"));
    page.advance(Duration::from_secs(1)).await?;
    assert_eq!(page.text("#ticks").as_deref(), Some("ticks: 4"));
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn async_work_is_awaited_without_waiting() -> Result {
    let mut page = mount::<Clock>().await?;
    page.click("button").await?;
    assert_eq!(page.text("#answer").as_deref(), Some("loading"));
    let started = std::time::Instant::now();
    page.until_within(Duration::from_secs(30), |page| {
        page.text("#answer").as_deref() == Some("answer: 42")
    })
    .await?;
    // Ten seconds of the test's clock, not of the wall's.
    assert!(started.elapsed() < Duration::from_secs(5));
    Ok(())
}

#[tokio::test(start_paused = true)]
async fn until_gives_up_with_a_timeout() {
    let mut page = mount::<Clock>().await.expect("mounts");
    let waited = page
        .until_within(Duration::from_millis(500), |page| page.has("#never"))
        .await;
    assert!(matches!(waited, Err(TestError::Timeout(_))), "{waited:?}");
}

/// Shows what is broadcast on a topic; a chart widget owned by a JavaScript hook.
#[derive(Default, Serialize, Deserialize)]
struct Board {
    notes: Vec<String>,
    points: Vec<u32>,
}

const NOTES: Topic<String> = Topic::new("harness:notes");

#[derive(Serialize, Deserialize)]
enum BoardMsg {
    /// Sent by the chart's hook (`this.pushEvent({"Point": n})`).
    Point(u32),
}

impl LiveView for Board {
    type Message = BoardMsg;

    fn mount(&mut self, cx: &mut Mount<'_, Self>) {
        cx.subscribe(&NOTES);
    }

    fn update(&mut self, BoardMsg::Point(n): BoardMsg, cx: &mut Context<'_, Self>) {
        self.points.push(n);
        cx.push_event("points", &self.points);
    }

    fn render(&self) -> Html<BoardMsg> {
        hot_reload_liveview! {
            <ul id="notes">{for note in &self.notes { <li>{note}</li> }}</ul>
            <div id="chart" live-hook="Chart" live-ignore="" data-count={self.points.len()}></div>
            <p id="plain">"no hook here"</p>
        }
    }
}

impl HandleInfo<String> for Board {
    fn handle_info(&mut self, note: String, _cx: &mut Context<'_, Self>) {
        self.notes.push(note);
    }
}

#[tokio::test]
async fn broadcasts_from_anywhere_show_after_settle() -> Result {
    let mut page = mount::<Board>().await?;
    pubsub::publish(&NOTES, String::from("first"));
    pubsub::publish(&NOTES, String::from("second"));
    page.settle().await?;
    assert_eq!(page.texts("#notes li"), ["first", "second"]);
    Ok(())
}

#[tokio::test]
async fn hooks_push_events_and_get_events_pushed() -> Result {
    let mut page = mount::<Board>().await?;
    page.hook_event("#chart", serde_json::json!({"Point": 7}))
        .await?;
    page.hook_event("#chart", serde_json::json!({"Point": 9}))
        .await?;
    assert_eq!(
        page.find("#chart")
            .and_then(|c| c.attr("data-count").map(str::to_owned))
            .as_deref(),
        Some("2")
    );
    let pushed = page.pushed_events();
    assert_eq!(pushed.len(), 2);
    assert_eq!(pushed[1].name, "points");
    assert_eq!(pushed[1].payload, serde_json::json!([7, 9]));
    // No hook there: a browser could not send it.
    let refused = page
        .hook_event("#plain", serde_json::json!({"Point": 1}))
        .await;
    assert!(
        matches!(refused, Err(TestError::NotBound { .. })),
        "{refused:?}"
    );
    // A message the view does not have is the server's error, returned.
    let bad = page
        .hook_event("#chart", serde_json::json!({"Nope": 1}))
        .await;
    assert!(
        matches!(&bad, Err(TestError::Server { code, .. }) if code == "bad_message"),
        "{bad:?}"
    );
    Ok(())
}

/// Reads its path parameter, query and a request header.
#[derive(Default, Serialize, Deserialize)]
struct Item {
    id: String,
    tab: String,
    user: String,
}

#[derive(Serialize, Deserialize)]
enum ItemMsg {}

impl LiveView for Item {
    type Message = ItemMsg;

    fn mount(&mut self, cx: &mut Mount<'_, Self>) {
        self.user = cx
            .request()
            .headers
            .get("x-user")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("nobody")
            .to_owned();
    }

    fn update(&mut self, msg: ItemMsg, _cx: &mut Context<'_, Self>) {
        match msg {}
    }

    fn handle_params(&mut self, params: &Params, _cx: &mut Context<'_, Self>) {
        self.id = params.path_param("id").unwrap_or("").to_owned();
        self.tab = params.query("tab").unwrap_or("main").to_owned();
    }

    fn render(&self) -> Html<ItemMsg> {
        hot_reload_liveview! {
            <h1>"Item " {&self.id} " (" {&self.tab} ") for " {&self.user}</h1>
            <a id="notes" href={format!("/items/{}?tab=notes", self.id)} live-patch="">"Notes"</a>
        }
    }
}

#[tokio::test]
async fn views_mount_with_the_request_path_query_and_headers() -> Result {
    let router = axum::Router::new().route("/items/{id}", live_view::<Item>());
    let client = TestClient::new(router).header(
        axum::http::HeaderName::from_static("x-user"),
        axum::http::HeaderValue::from_static("ada"),
    );
    let mut page = client.live("/items/7?tab=history").await?;
    assert_eq!(page.text("h1").as_deref(), Some("Item 7 (history) for ada"));
    page.click("#notes").await?;
    assert_eq!(page.url(), "/items/7?tab=notes");
    assert_eq!(page.text("h1").as_deref(), Some("Item 7 (notes) for ada"));
    // A route that does not exist is an error, not an empty page.
    let missing = client.live("/nowhere").await;
    assert!(
        matches!(missing, Err(TestError::Status { status: 404, .. })),
        "{missing:?}"
    );
    Ok(())
}

#[tokio::test]
async fn bad_selectors_are_errors() {
    let mut page = mount::<Board>().await.expect("mounts");
    assert!(matches!(
        page.try_find_all("ul >> li"),
        Err(TestError::BadSelector { .. })
    ));
    assert!(matches!(
        page.click("[").await,
        Err(TestError::BadSelector { .. })
    ));
}

/// A form with a radio group, a checkbox, a select and a textarea: what `submit` sends is what
/// a browser's `FormData` would hold.
#[derive(Default, Serialize, Deserialize)]
struct Order {
    sent: Vec<(String, String)>,
}

#[derive(Serialize, Deserialize)]
enum OrderMsg {
    Send,
}

impl LiveView for Order {
    type Message = OrderMsg;

    fn update(&mut self, OrderMsg::Send: OrderMsg, cx: &mut Context<'_, Self>) {
        self.sent = cx.event().form.clone();
    }

    fn render(&self) -> Html<OrderMsg> {
        hot_reload_liveview! {
            <form live-submit={OrderMsg::Send}>
                <input type="radio" name="size" value="s" checked=""/>
                <input type="radio" name="size" value="m"/>
                <input type="radio" name="size" value="l"/>
                <input type="checkbox" name="gift"/>
                <select name="color"><option value="red">"Red"</option><option value="blue" selected="">"Blue"</option></select>
                <textarea name="note">"hi"</textarea>
                <input type="hidden" name="token" value="t1"/>
                <button type="submit" name="via" value="button">"Order"</button>
            </form>
            <ul id="sent">{for (k, v) in &self.sent { <li>{k} "=" {v}</li> }}</ul>
        }
    }
}

#[tokio::test]
async fn submit_sends_what_form_data_would() -> Result {
    let mut page = mount::<Order>().await?;
    page.submit("form", &[]).await?;
    assert_eq!(
        page.texts("#sent li"),
        ["size=s", "color=blue", "note=hi", "token=t1"]
    );
    // A radio nothing binds: clicking it sends nothing, and is refused.
    assert!(page.click("input[value=l]").await.is_err());
    // Another radio of the group unchecks the first; the submitter is sent too.
    page.submit(
        "button",
        &[
            ("size", "m"),
            ("gift", "true"),
            ("color", "red"),
            ("note", "ok"),
        ],
    )
    .await?;
    assert_eq!(
        page.texts("#sent li"),
        [
            "size=m",
            "gift=on",
            "color=red",
            "note=ok",
            "token=t1",
            "via=button"
        ]
    );
    let missing = page.submit("form", &[("size", "xl")]).await;
    assert!(
        matches!(missing, Err(TestError::NoSuchField { .. })),
        "{missing:?}"
    );
    Ok(())
}
