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

/// Uploads: an avatar (one image, at most 1,000 bytes) and a gallery (three `.png`s).
#[derive(Default, Serialize, Deserialize)]
struct Profile {
    avatar: Option<hotreload::Upload>,
    gallery: Option<hotreload::Upload>,
    saved: Vec<String>,
}

#[derive(Serialize, Deserialize)]
enum ProfileMsg {
    Save,
    Cancel(String),
}

impl LiveView for Profile {
    type Message = ProfileMsg;

    fn mount(&mut self, cx: &mut Mount<'_, Self>) {
        use hotreload::UploadConfig;
        self.avatar = Some(cx.allow_upload(
            "avatar",
            UploadConfig::new().accept(["image/*"]).max_file_size(1000),
        ));
        self.gallery = Some(
            cx.allow_upload(
                "gallery",
                UploadConfig::new()
                    .accept([".png"])
                    .max_entries(3)
                    .max_file_size(200_000),
            ),
        );
    }

    fn update(&mut self, msg: ProfileMsg, _cx: &mut Context<'_, Self>) {
        let uploads = [&self.avatar, &self.gallery];
        match msg {
            ProfileMsg::Save => {
                for upload in uploads.into_iter().flatten() {
                    let saved = upload.consume(|file| {
                        let bytes = std::fs::read(&file.path).unwrap_or_default();
                        format!("{}:{}:{}", upload.name(), file.name, bytes.len())
                    });
                    self.saved.extend(saved);
                }
            }
            ProfileMsg::Cancel(reference) => {
                for upload in uploads.into_iter().flatten() {
                    upload.cancel(&reference);
                }
            }
        }
    }

    fn render(&self) -> Html<ProfileMsg> {
        let entries = |upload: &Option<hotreload::Upload>| {
            upload.as_ref().map(|u| u.entries()).unwrap_or_default()
        };
        hot_reload_liveview! {
            <form live-submit={ProfileMsg::Save}>
                <input type="file" id="avatar" name="avatar" live-upload="avatar"/>
                <input type="file" id="gallery" name="gallery" live-upload="gallery" multiple=""/>
                <button type="submit">"Save"</button>
            </form>
            <ul id="entries">
                {for entry in entries(&self.avatar).into_iter().chain(entries(&self.gallery)) {
                    <li data-ref={&entry.reference}>
                        {&entry.name} " " {entry.progress()} "%"
                        {if let Some(error) = &entry.error { " error: " {error} }}
                        <button class="cancel" live-click={ProfileMsg::Cancel(entry.reference.clone())}>"×"</button>
                    </li>
                }}
            </ul>
            <ul id="saved">{for s in &self.saved { <li>{s}</li> }}</ul>
        }
    }
}

fn instance_dir(page: &mut hotreload::testing::LivePage) -> std::path::PathBuf {
    let id = page
        .find("[data-live-view-id]")
        .and_then(|b| b.attr("data-live-view-id").map(str::to_owned))
        .expect("a boundary");
    hotreload::upload_dir().join(format!("{}-{id}", std::process::id()))
}

fn files_in(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| entries.count())
}

#[tokio::test]
async fn uploads_enforce_limits_show_progress_and_hand_over_files() -> Result {
    use hotreload::testing::TestFile;
    let mut page = mount::<Profile>().await?;
    let dir = instance_dir(&mut page);
    // Too large, and not an image: refused with their errors, nothing written for them.
    page.upload(
        "#avatar",
        &[TestFile::new("big.jpg", "image/jpeg", vec![1; 1001])],
    )
    .await?;
    page.upload(
        "#gallery",
        &[TestFile::new("notes.txt", "text/plain", "hi")],
    )
    .await?;
    assert_eq!(
        page.texts("#entries li"),
        [
            "big.jpg 0% error: too large (1001 bytes; at most 1000)×",
            "notes.txt 0% error: not an accepted type (accepted: .png)×"
        ]
    );
    assert_eq!(files_in(&dir), 0);
    for reference in ["u1", "u2"] {
        page.click(&format!("li[data-ref={reference}] button.cancel"))
            .await?;
    }
    // Three gallery pictures over several chunks, a fourth one too many.
    let big = vec![7u8; 150_000];
    page.upload(
        "#gallery",
        &[
            TestFile::new("a.png", "image/png", big.clone()),
            TestFile::new("b.png", "image/png", vec![1; 10]),
            TestFile::new("c.PNG", "image/png", vec![2; 20]),
            TestFile::new("d.png", "image/png", vec![3; 30]),
        ],
    )
    .await?;
    assert_eq!(
        page.texts("#entries li"),
        [
            "a.png 100%×",
            "b.png 100%×",
            "c.PNG 100%×",
            "d.png 0% error: too many files (at most 3)×"
        ]
    );
    assert_eq!(files_in(&dir), 3);
    // Cancel one, save: the finished files are handed over and removed.
    page.click("li:nth-child(2) button.cancel").await?;
    page.submit("form", &[]).await?;
    assert_eq!(
        page.texts("#saved li"),
        ["gallery:a.png:150000", "gallery:c.PNG:20"]
    );
    assert_eq!(
        page.texts("#entries li"),
        ["d.png 0% error: too many files (at most 3)×"]
    );
    assert_eq!(files_in(&dir), 0);
    Ok(())
}

#[tokio::test]
async fn a_connection_dropped_mid_upload_leaves_no_file() -> Result {
    use hotreload::testing::TestFile;
    let mut page = mount::<Profile>().await?;
    let dir = instance_dir(&mut page);
    page.upload_part(
        "#gallery",
        &[TestFile::new("half.png", "image/png", vec![9; 100_000])],
        70_000,
    )
    .await?;
    assert_eq!(page.texts("#entries li"), ["half.png 70%×"]);
    assert_eq!(files_in(&dir), 1, "the partial file is being written");
    drop(page);
    // The connection's close removes what it had not finished (on this thread, at once).
    assert_eq!(files_in(&dir), 0);
    Ok(())
}

#[tokio::test]
async fn uploads_are_refused_where_nothing_allows_them() {
    let mut page = mount::<Profile>().await.expect("mounts");
    let refused = page
        .upload("button", &[hotreload::testing::TestFile::new("x", "", "x")])
        .await;
    assert!(
        matches!(refused, Err(TestError::NotBound { .. })),
        "{refused:?}"
    );
}
