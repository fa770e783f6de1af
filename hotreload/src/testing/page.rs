//! [`LivePage`]: a live page opened by a [`TestClient`], driven as a user would drive it.
//!
//! Every action finds its element by CSS selector, finds the binding the browser client would
//! find (`closest('[live-click]')`, the form of a submit, ...), and sends the very `event`
//! frame the client would send, through the real connection code. The runtime runs `update`,
//! renders, diffs and sends `patch` frames; the page applies them to its own copy of the DOM
//! with the reference applier and acks them. An action returns once every worker has run
//! what it queued and the frames are applied, so the next line sees the result.

use crate::live::connection::TestConnection;
use crate::live::runtime::runtime;
use crate::live::{FlashKind, TestSocket};
use crate::testing::client::{TestClient, local_path};
use crate::testing::dom::{BOUNDARY, Dom};
use crate::testing::error::TestError;
use crate::testing::select::{Selector, Snapshot};
use serde_json::{Value, json};
use std::time::Duration;

/// How long the harness waits for workers and for the page's socket.
const WAIT: Duration = Duration::from_secs(10);

/// The default patience of [`LivePage::until`].
const UNTIL: Duration = Duration::from_secs(5);

/// How long [`LivePage::until`] lets time pass between looks at the page.
const UNTIL_STEP: Duration = Duration::from_millis(10);

/// How far [`LivePage::advance`] moves the clock between rounds.
const ADVANCE_STEP: Duration = Duration::from_millis(1);

/// Rounds of (let tasks run, wait for workers, apply frames) an action settles in at most.
const MAX_ROUNDS: usize = 64;

/// An element as found on the page, copied out (the page keeps changing under it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// Its tag name, lower case.
    pub tag: String,
    /// Its attributes, in markup order.
    pub attrs: Vec<(String, String)>,
    /// Its text content, whitespace collapsed.
    pub text: String,
}

impl Element {
    /// Attribute `name`'s value.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A server push to the page's JavaScript hooks (`Context::push_event`).
#[derive(Debug, Clone, PartialEq)]
pub struct PushedEvent {
    /// The boundary it was pushed to.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its payload.
    pub payload: Value,
}

/// A live page: its view mounted through the router, attached to a connection without a
/// socket. See the [module docs](crate::testing).
#[derive(Debug)]
pub struct LivePage {
    client: TestClient,
    url: String,
    dom: Dom,
    connection: TestConnection,
    refs: u64,
    errors: Vec<(String, String)>,
    pushed: Vec<PushedEvent>,
    redirect: Option<String>,
    reloaded: Option<String>,
    navigate_to: Option<String>,
    /// Files the server asked for (`upload_ready`), by reference.
    ready: Vec<String>,
    /// Files it told to stop (`upload_stop`): (reference, reason).
    stopped: Vec<(String, String)>,
}

/// A file for [`LivePage::upload`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestFile {
    /// Its name.
    pub name: String,
    /// Its MIME type.
    pub content_type: String,
    /// Its content.
    pub bytes: Vec<u8>,
}

impl TestFile {
    /// A file named `name` of type `content_type` holding `bytes`.
    pub fn new(name: &str, content_type: &str, bytes: impl Into<Vec<u8>>) -> Self {
        TestFile {
            name: name.to_owned(),
            content_type: content_type.to_owned(),
            bytes: bytes.into(),
        }
    }
}

impl LivePage {
    pub(crate) async fn open(client: TestClient, path: &str) -> Result<LivePage, TestError> {
        let (url, dom, connection) = load(&client, path).await?;
        let mut page = LivePage {
            client,
            url,
            dom,
            connection,
            refs: 0,
            errors: Vec::new(),
            pushed: Vec::new(),
            redirect: None,
            reloaded: None,
            navigate_to: None,
            ready: Vec::new(),
            stopped: Vec::new(),
        };
        page.hello()?;
        page.settle().await?;
        Ok(page)
    }

    fn hello(&mut self) -> Result<(), TestError> {
        let instances: Vec<Value> = self
            .dom
            .boundaries()
            .into_iter()
            .map(|b| {
                let mut entry = json!({ "id": b.id, "view": b.view });
                if let Some(token) = b.token {
                    entry["token"] = json!(token);
                }
                if let Some(parent) = b.parent {
                    entry["parent"] = json!(parent);
                }
                entry
            })
            .collect();
        let hello = json!({"v": 1, "type": "hello", "url": self.url, "instances": instances, "resume": false});
        self.send(&hello)
    }

    /// Sends a client frame; an immediate answer is handled like any frame.
    fn send(&mut self, frame: &Value) -> Result<(), TestError> {
        if let Some(reply) = self.connection.send(&frame.to_string()) {
            self.receive(&reply)?;
        }
        Ok(())
    }

    /// Lets the app's tasks run, waits for the workers and applies every frame they queued,
    /// until nothing more comes. Actions call it; call it yourself after something outside the
    /// page (a broadcast from a test, another page's event) to see its effect.
    pub async fn settle(&mut self) -> Result<(), TestError> {
        let errors_before = self.errors.len();
        // A job one worker ran may have queued one on another worker after that worker's
        // barrier had passed (a broadcast to a page on another thread): a round that brings
        // nothing after a first one means every such job has run.
        for round in 0..MAX_ROUNDS {
            if self.round().await? == 0 && round > 0 {
                break;
            }
        }
        match self.errors.get(errors_before) {
            Some((code, message)) => Err(TestError::Server {
                code: code.clone(),
                message: message.clone(),
            }),
            None => Ok(()),
        }
    }

    /// Settles until `done(page)` holds, letting time pass in steps of 10 ms (with
    /// `#[tokio::test(start_paused = true)]` the clock jumps instead of waiting, so a task
    /// sleeping 10 s finishes at once); fails after 5 s of (that) time.
    pub async fn until(
        &mut self,
        done: impl FnMut(&mut LivePage) -> bool,
    ) -> Result<(), TestError> {
        self.until_within(UNTIL, done).await
    }

    /// [`until`](Self::until) with another time limit.
    pub async fn until_within(
        &mut self,
        limit: Duration,
        mut done: impl FnMut(&mut LivePage) -> bool,
    ) -> Result<(), TestError> {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            self.settle().await?;
            if done(self) {
                return Ok(());
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(TestError::Timeout(limit));
            }
            tokio::time::sleep(UNTIL_STEP).await;
        }
    }

    /// Moves the paused clock on by `by`, a millisecond at a time, handling what comes at each
    /// step: a timer every second fires three times in `advance(3.5 s)`, as it would on a
    /// real clock (one jump would fire it once and skip the missed ticks), and sleeping tasks
    /// due by then finish. Needs `#[tokio::test(start_paused = true)]` (tokio panics on a
    /// clock that is not paused).
    pub async fn advance(&mut self, by: Duration) -> Result<(), TestError> {
        let mut left = by;
        while !left.is_zero() {
            let step = left.min(ADVANCE_STEP);
            tokio::time::advance(step).await;
            left -= step;
            self.round().await?;
        }
        self.settle().await
    }

    /// One round of [`settle`](Self::settle): tasks run, workers finish, frames applied.
    async fn round(&mut self) -> Result<usize, TestError> {
        for _ in 0..4 {
            tokio::task::yield_now().await;
        }
        runtime().settle_workers(WAIT);
        let mut received = 0;
        while let Some(frame) = self.connection.try_recv() {
            received += 1;
            self.receive(&frame)?;
        }
        if let Some(url) = self.navigate_to.take() {
            self.navigate(&url).await?;
            received += 1;
        }
        Ok(received)
    }

    fn receive(&mut self, text: &str) -> Result<(), TestError> {
        let frame: Value =
            serde_json::from_str(text).map_err(|e| malformed(&e.to_string(), text))?;
        let field = |name: &str| {
            frame
                .get(name)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned()
        };
        match frame.get("type").and_then(Value::as_str) {
            Some("patch") => {
                let id = field("id");
                let seq = frame.get("seq").and_then(Value::as_u64).unwrap_or(0);
                let ops: Vec<hotreload_diff::Op> = frame
                    .get("ops")
                    .cloned()
                    .map(serde_json::from_value)
                    .transpose()
                    .map_err(|e| malformed(&e.to_string(), text))?
                    .unwrap_or_default();
                if let Err(reason) = self.dom.patch(&id, &ops) {
                    let ack = json!({"v": 1, "type": "ack", "id": id, "seq": seq, "error": reason});
                    self.send(&ack)?;
                    return Err(TestError::Patch { id, seq, reason });
                }
                self.send(&json!({"v": 1, "type": "ack", "id": id, "seq": seq}))
            }
            Some("html") => {
                let id = field("id");
                let seq = frame.get("seq").and_then(Value::as_u64).unwrap_or(0);
                if let Err(reason) = self.dom.replace(&id, &field("html")) {
                    return Err(TestError::Patch { id, seq, reason });
                }
                self.send(&json!({"v": 1, "type": "ack", "id": id, "seq": seq}))
            }
            Some("remount") => {
                self.dom
                    .remount(&field("old"), &field("id"), &field("token"));
                Ok(())
            }
            Some("live_patch") => {
                self.url = field("url");
                Ok(())
            }
            Some("live_navigate") => {
                self.navigate_to = Some(field("url"));
                Ok(())
            }
            Some("redirect") => {
                self.redirect = Some(field("url"));
                Ok(())
            }
            Some("reload") => {
                self.reloaded = Some(field("reason"));
                Ok(())
            }
            Some("error") => {
                self.errors.push((field("code"), field("message")));
                Ok(())
            }
            Some("push_event") => {
                self.pushed.push(PushedEvent {
                    id: field("id"),
                    name: field("name"),
                    payload: frame.get("payload").cloned().unwrap_or(Value::Null),
                });
                Ok(())
            }
            Some("upload_ready") => {
                if let Some(refs) = frame.get("refs").and_then(Value::as_array) {
                    self.ready
                        .extend(refs.iter().filter_map(Value::as_str).map(str::to_owned));
                }
                Ok(())
            }
            Some("upload_stop") => {
                self.stopped.push((field("ref"), field("reason")));
                Ok(())
            }
            Some(_) => Ok(()), // welcome, pong, dev frames
            None => Err(malformed("no type", text)),
        }
    }

    /// A live navigation to `url`: the page fetched through the router, the old boundaries
    /// left, the new ones announced on the same connection.
    async fn navigate(&mut self, url: &str) -> Result<(), TestError> {
        let path = local_path(url, &self.url);
        let response = self.client.get(&path).await?;
        if response.status != 200 {
            return Err(TestError::Status {
                path,
                status: response.status,
                body: response.body.chars().take(200).collect(),
            });
        }
        let ids: Vec<String> = self.dom.boundaries().into_iter().map(|b| b.id).collect();
        self.send(&json!({"v": 1, "type": "leave", "ids": ids}))?;
        self.dom = Dom::parse(&response.body);
        self.url = response.path;
        self.hello()
    }

    // ---- reading the page ----

    /// The page's URL now (path and query): changed by live patches and navigations.
    pub fn url(&self) -> &str {
        &self.url
    }

    fn selector(selector: &str) -> Result<Selector, TestError> {
        Selector::parse(selector).map_err(|reason| TestError::BadSelector {
            selector: selector.to_owned(),
            reason,
        })
    }

    fn select(&mut self, selector: &str) -> Result<(Snapshot, Vec<usize>), TestError> {
        let parsed = Self::selector(selector)?;
        let page = self.dom.snapshot().clone();
        let found = page.select(0, &parsed);
        Ok((page, found))
    }

    fn first(&mut self, selector: &str) -> Result<(Snapshot, usize), TestError> {
        let (page, found) = self.select(selector)?;
        match found.first() {
            Some(&index) => Ok((page, index)),
            None => Err(TestError::NotFound {
                selector: selector.to_owned(),
            }),
        }
    }

    /// Every element matching `selector`, in document order (a bad selector finds nothing;
    /// [`try_find_all`](Self::try_find_all) says why).
    pub fn find_all(&mut self, selector: &str) -> Vec<Element> {
        self.try_find_all(selector).unwrap_or_default()
    }

    /// [`find_all`](Self::find_all), with the selector's error.
    pub fn try_find_all(&mut self, selector: &str) -> Result<Vec<Element>, TestError> {
        let (page, found) = self.select(selector)?;
        Ok(found.into_iter().map(|i| element(&page, i)).collect())
    }

    /// The first element matching `selector`.
    pub fn find(&mut self, selector: &str) -> Option<Element> {
        self.find_all(selector).into_iter().next()
    }

    /// Whether an element matches `selector`.
    pub fn has(&mut self, selector: &str) -> bool {
        self.find(selector).is_some()
    }

    /// How many elements match `selector`.
    pub fn count(&mut self, selector: &str) -> usize {
        self.find_all(selector).len()
    }

    /// The text of the first element matching `selector`, whitespace collapsed; `None` if
    /// nothing matches.
    pub fn text(&mut self, selector: &str) -> Option<String> {
        self.find(selector).map(|e| e.text)
    }

    /// The texts of every element matching `selector`.
    pub fn texts(&mut self, selector: &str) -> Vec<String> {
        self.find_all(selector)
            .into_iter()
            .map(|e| e.text)
            .collect()
    }

    /// The page's first (top-level) view's inner HTML, as the harness's copy has it after
    /// every patch.
    pub fn html(&mut self) -> String {
        let first = self.dom.boundaries().into_iter().next();
        first
            .and_then(|b| self.dom.boundary_html(&b.id))
            .unwrap_or_default()
    }

    /// The flash message of `kind` shown now (without its dismiss button).
    pub fn flash(&mut self, kind: FlashKind) -> Option<String> {
        let name = crate::live::flash::kind_name(kind);
        let (page, found) = self.select(&format!("[data-live-flash={name}]")).ok()?;
        let &index = found.first()?;
        let mut text = page.text(index);
        for button in page.descendants(index) {
            if page.name(button) == Some("button") {
                let label = page.text(button);
                text = text.replacen(&label, "", 1);
            }
        }
        Some(collapse(&text))
    }

    /// The `error` frames the server sent, as (code, message).
    pub fn errors(&self) -> &[(String, String)] {
        &self.errors
    }

    /// The events pushed to the page's hooks so far.
    pub fn pushed_events(&self) -> &[PushedEvent] {
        &self.pushed
    }

    /// Where the view redirected the page (`Context::redirect`), if it did.
    pub fn redirected_to(&self) -> Option<&str> {
        self.redirect.as_deref()
    }

    /// Why the server asked the page to reload, if it did.
    pub fn reload_reason(&self) -> Option<&str> {
        self.reloaded.as_deref()
    }

    /// The client this page was opened with (same cookies): open another tab with it.
    pub fn client(&self) -> &TestClient {
        &self.client
    }

    // ---- acting on the page ----

    /// Clicks the first element matching `selector`, as a user would: the closest
    /// `live-click` from it up gets the event; a `live-patch`/`live-navigate` link is
    /// followed; a checkbox or radio is toggled first and its `live-input`/`live-change` fire.
    pub async fn click(&mut self, selector: &str) -> Result<(), TestError> {
        let (page, target) = self.first(selector)?;
        let toggles = is_toggle(&page, target);
        if toggles {
            let was = self.checked(&page, target);
            let radio = is_radio(&page, target);
            self.set_checked(&page, target, radio || !was);
            if let Some(key) = page.key(target) {
                self.dom.set_control(key, |c| c.used = true);
            }
        }
        let mut sent = false;
        if let Some(binding) = page.closest(target, |i| page.attr(i, "live-click").is_some()) {
            let frame = self.event_frame(&page, binding, target, "click", "live-click", None)?;
            self.send(&frame)?;
            sent = true;
        } else if let Some(link) = page.closest(target, |i| {
            page.name(i) == Some("a") && page.attr(i, "href").is_some()
        }) {
            let href = page.attr(link, "href").unwrap_or("/").to_owned();
            if page.attr(link, "live-patch").is_some() {
                self.url = local_path(&href, &self.url);
                let url = self.url.clone();
                self.send(&json!({"v": 1, "type": "params", "url": url}))?;
                sent = true;
            } else if page.attr(link, "live-navigate").is_some() {
                self.navigate_to = Some(href);
                sent = true;
            } else if !toggles {
                return Err(TestError::NotBound {
                    selector: selector.to_owned(),
                    event: String::from("click"),
                    hint: format!("a plain link to {href} (open it with client().live(...))"),
                });
            }
        }
        if toggles {
            let page = self.dom.snapshot().clone();
            for (event, attr) in [("input", "live-input"), ("change", "live-change")] {
                if let Some(binding) = page.closest(target, |i| page.attr(i, attr).is_some()) {
                    let frame = self.event_frame(&page, binding, target, event, attr, None)?;
                    self.send(&frame)?;
                    sent = true;
                }
            }
        }
        if !sent {
            return Err(not_bound(&page, target, selector, "click"));
        }
        self.settle().await
    }

    /// Types `value` into the control matching `selector` (it becomes the control's value)
    /// and fires `input`: the closest `live-input` (the control, or its form) gets it.
    pub async fn input(&mut self, selector: &str, value: &str) -> Result<(), TestError> {
        self.type_and_fire(selector, value, &[("input", "live-input")])
            .await
    }

    /// Sets the control matching `selector` to `value` (a `<select>`'s option value, a text)
    /// and fires `change`: the closest `live-change` (the control, or its form) gets it.
    pub async fn change(&mut self, selector: &str, value: &str) -> Result<(), TestError> {
        self.type_and_fire(selector, value, &[("change", "live-change")])
            .await
    }

    /// What a user typing `value` and leaving the field causes: `input`, then `change`
    /// (each sent if something binds it; one of them must be bound).
    pub async fn fill(&mut self, selector: &str, value: &str) -> Result<(), TestError> {
        self.type_and_fire(
            selector,
            value,
            &[("input", "live-input"), ("change", "live-change")],
        )
        .await
    }

    async fn type_and_fire(
        &mut self,
        selector: &str,
        value: &str,
        events: &[(&str, &str)],
    ) -> Result<(), TestError> {
        let (page, target) = self.first(selector)?;
        let key = page.key(target).unwrap_or(0);
        self.dom.set_control(key, |c| {
            c.value = Some(value.to_owned());
            c.used = true;
        });
        let page = self.dom.snapshot().clone();
        let mut sent = false;
        for &(event, attr) in events {
            if let Some(binding) = page.closest(target, |i| page.attr(i, attr).is_some()) {
                let frame = self.event_frame(&page, binding, target, event, attr, None)?;
                self.send(&frame)?;
                sent = true;
            }
        }
        if !sent {
            return Err(not_bound(&page, target, selector, events[0].0));
        }
        self.settle().await
    }

    /// Presses `key` (a `KeyboardEvent.key`: `"Enter"`, `"Escape"`, `"a"`) in the element
    /// matching `selector`: the closest `live-keydown` gets it, unless its `live-key` names
    /// other keys.
    pub async fn keydown(&mut self, selector: &str, key: &str) -> Result<(), TestError> {
        self.key_event(selector, key, "keydown", "live-keydown")
            .await
    }

    /// [`keydown`](Self::keydown) for `live-keyup`.
    pub async fn keyup(&mut self, selector: &str, key: &str) -> Result<(), TestError> {
        self.key_event(selector, key, "keyup", "live-keyup").await
    }

    async fn key_event(
        &mut self,
        selector: &str,
        key: &str,
        event: &str,
        attr: &str,
    ) -> Result<(), TestError> {
        let (page, target) = self.first(selector)?;
        let Some(binding) = page.closest(target, |i| page.attr(i, attr).is_some()) else {
            return Err(not_bound(&page, target, selector, event));
        };
        if let Some(keys) = page.attr(binding, "live-key")
            && !keys.split(',').any(|k| k.trim() == key)
        {
            return Err(TestError::NotBound {
                selector: selector.to_owned(),
                event: format!("{event} of {key:?}"),
                hint: format!("its live-key is {keys:?}"),
            });
        }
        let frame = self.event_frame(&page, binding, target, event, attr, Some(key))?;
        self.send(&frame)?;
        self.settle().await
    }

    /// Fills the form matching `selector` (or the form of the element matching it, e.g. a
    /// submit button) with `fields` (name, value; a checkbox's value `"true"`/`"false"` checks
    /// it) and submits it: its `live-submit` gets every field, as `FormData` has them.
    pub async fn submit(
        &mut self,
        selector: &str,
        fields: &[(&str, &str)],
    ) -> Result<(), TestError> {
        let (page, target) = self.first(selector)?;
        let Some(form) = page.closest(target, |i| page.name(i) == Some("form")) else {
            return Err(TestError::NotBound {
                selector: selector.to_owned(),
                event: String::from("submit"),
                hint: String::from("it is not in a <form>"),
            });
        };
        for &(name, value) in fields {
            let control = page
                .descendants(form)
                .into_iter()
                .find(|&i| is_field(&page, i) && page.attr(i, "name") == Some(name))
                .ok_or_else(|| TestError::NoSuchField {
                    selector: selector.to_owned(),
                    field: name.to_owned(),
                })?;
            if is_radio(&page, control) {
                // `(name, value)` picks the radio of that group with that value.
                let pick = page
                    .descendants(form)
                    .into_iter()
                    .find(|&i| {
                        is_radio(&page, i)
                            && page.attr(i, "name") == Some(name)
                            && page.attr(i, "value").unwrap_or("on") == value
                    })
                    .ok_or_else(|| TestError::NoSuchField {
                        selector: selector.to_owned(),
                        field: format!("{name}={value}"),
                    })?;
                self.set_checked(&page, pick, true);
            } else if is_toggle(&page, control) {
                self.set_checked(&page, control, value == "true" || value == "on");
            } else {
                let key = page.key(control).unwrap_or(0);
                self.dom
                    .set_control(key, |c| c.value = Some(value.to_owned()));
            }
        }
        let page = self.dom.snapshot().clone();
        if page.attr(form, "live-submit").is_none() {
            return Err(not_bound(&page, form, selector, "submit"));
        }
        let mut frame = self.event_frame(&page, form, form, "submit", "live-submit", None)?;
        // A submit marks every field used: it carries `unused: []`.
        frame["unused"] = json!([]);
        let submitter = (page.name(target) == Some("button") || page.name(target) == Some("input"))
            .then_some(target)
            .filter(|&b| page.attr(b, "name").is_some());
        if let Some(button) = submitter
            && let Some(entries) = frame["form"].as_array_mut()
        {
            entries.push(json!([
                page.attr(button, "name").unwrap_or(""),
                page.attr(button, "value").unwrap_or("")
            ]));
        }
        for control in page.descendants(form) {
            if let Some(key) = page.key(control) {
                self.dom.set_control(key, |c| c.used = true);
            }
        }
        self.send(&frame)?;
        self.settle().await
    }

    /// Chooses `files` in the file input matching `selector` (`live-upload="NAME"`) and
    /// uploads them as the browser client does: announced, then the bytes of those the server
    /// accepts in binary chunks. Refused files show in the view's entries with their error.
    pub async fn upload(&mut self, selector: &str, files: &[TestFile]) -> Result<(), TestError> {
        self.upload_part(selector, files, usize::MAX).await
    }

    /// [`upload`](Self::upload), sending at most `limit` bytes of each file: what a connection
    /// that drops mid-upload got (drop the page then).
    pub async fn upload_part(
        &mut self,
        selector: &str,
        files: &[TestFile],
        limit: usize,
    ) -> Result<(), TestError> {
        let (page, target) = self.first(selector)?;
        let Some(input) = page.closest(target, |i| page.attr(i, "live-upload").is_some()) else {
            return Err(not_bound(
                &page,
                target,
                selector,
                "uploads (no live-upload)",
            ));
        };
        let name = page.attr(input, "live-upload").unwrap_or("").to_owned();
        let id = boundary_of(&page, input).unwrap_or_default();
        let mut announced = Vec::new();
        let mut refs = Vec::new();
        for file in files {
            self.refs += 1;
            let reference = format!("u{}", self.refs);
            announced.push(json!({"ref": reference, "name": file.name, "size": file.bytes.len(), "type": file.content_type}));
            refs.push(reference);
        }
        self.ready.clear();
        self.send(&json!({"v": 1, "type": "upload", "id": id, "name": name, "files": announced}))?;
        let instance: u64 = u64::from_str_radix(&id, 16).unwrap_or(0);
        for (file, reference) in files.iter().zip(&refs) {
            if !self.ready.contains(reference) {
                continue;
            }
            let bytes = &file.bytes[..file.bytes.len().min(limit)];
            for chunk in bytes.chunks(crate::live::upload::CHUNK_BYTES) {
                let frame =
                    crate::live::upload::chunk_frame(crate::InstanceId(instance), reference, chunk);
                if let Some(reply) = self.connection.send_binary(&frame) {
                    self.receive(&reply)?;
                }
                if self.stopped.iter().any(|(r, _)| r == reference) {
                    break;
                }
            }
        }
        self.settle().await
    }

    /// The files the server told the page to stop sending, as (reference, reason).
    pub fn stopped_uploads(&self) -> &[(String, String)] {
        &self.stopped
    }

    /// Sends `msg` (the view's message, as JSON) from the JavaScript hook of the element
    /// matching `selector`, as its `this.pushEvent(msg)` would.
    pub async fn hook_event(&mut self, selector: &str, msg: Value) -> Result<(), TestError> {
        let (page, target) = self.first(selector)?;
        let Some(hooked) = page.closest(target, |i| page.attr(i, "live-hook").is_some()) else {
            return Err(not_bound(
                &page,
                target,
                selector,
                "hook events (no live-hook)",
            ));
        };
        let id = boundary_of(&page, hooked).unwrap_or_default();
        self.refs += 1;
        let frame = json!({"v": 1, "type": "event", "id": id, "event": "hook", "msg": msg, "ref": self.refs});
        self.send(&frame)?;
        self.settle().await
    }

    /// Dismisses the flash of `kind` with its button, as a user would.
    pub async fn dismiss_flash(&mut self, kind: FlashKind) -> Result<(), TestError> {
        let name = crate::live::flash::kind_name(kind);
        let (page, button) = self.first(&format!("[live-flash-dismiss={name}]"))?;
        let id = boundary_of(&page, button).unwrap_or_default();
        self.send(&json!({"v": 1, "type": "clear_flash", "id": id, "kind": name}))?;
        self.settle().await
    }

    /// The `event` frame the client sends for `binding` (found from `target`).
    fn event_frame(
        &mut self,
        page: &Snapshot,
        binding: usize,
        target: usize,
        event: &str,
        attr: &str,
        key: Option<&str>,
    ) -> Result<Value, TestError> {
        let raw = page.attr(binding, attr).unwrap_or("");
        let msg: Value = serde_json::from_str(raw).map_err(|e| TestError::Frame {
            reason: format!("{attr} is not JSON: {e}"),
            frame: raw.to_owned(),
        })?;
        let id = boundary_of(page, binding).ok_or_else(|| TestError::NotBound {
            selector: String::from("(binding)"),
            event: event.to_owned(),
            hint: String::from("it is not inside a live view"),
        })?;
        self.refs += 1;
        let mut frame = json!({"v": 1, "type": "event", "id": id, "event": event, "msg": msg, "ref": self.refs});
        let control = [binding, target].into_iter().find(|&i| is_control(page, i));
        if let Some(value) = page.attr(binding, "live-value") {
            frame["value"] = json!(value);
        } else if let Some(control) = control {
            frame["value"] = json!(self.value(page, control));
        }
        if let Some(control) = control.filter(|&c| is_toggle(page, c)) {
            frame["checked"] = json!(self.checked(page, control));
        }
        if page.name(binding) == Some("form") {
            let (entries, unused) = self.form_entries(page, binding);
            frame["form"] = json!(entries);
            frame["unused"] = json!(unused);
        }
        if let Some(key) = key {
            frame["key"] = json!(key);
        }
        Ok(frame)
    }

    /// A control's value now: what the user set, else what the markup says.
    fn value(&self, page: &Snapshot, control: usize) -> String {
        if let Some(value) = page
            .key(control)
            .and_then(|k| self.dom.control(k))
            .and_then(|c| c.value.clone())
        {
            return value;
        }
        match page.name(control) {
            Some("textarea") => page.text(control),
            Some("select") => {
                let options: Vec<usize> = page
                    .descendants(control)
                    .into_iter()
                    .filter(|&i| page.name(i) == Some("option"))
                    .collect();
                let chosen = options
                    .iter()
                    .copied()
                    .find(|&o| page.attr(o, "selected").is_some())
                    .or_else(|| options.first().copied());
                chosen.map_or_else(String::new, |o| {
                    page.attr(o, "value")
                        .map_or_else(|| collapse(&page.text(o)), str::to_owned)
                })
            }
            _ => page
                .attr(control, "value")
                .map(str::to_owned)
                .unwrap_or_else(|| {
                    if is_toggle(page, control) {
                        String::from("on")
                    } else {
                        String::new()
                    }
                }),
        }
    }

    /// Checks or unchecks `control`; checking a radio unchecks the others of its group (same
    /// name, same form), as a browser does.
    fn set_checked(&mut self, page: &Snapshot, control: usize, checked: bool) {
        if checked && is_radio(page, control) {
            let name = page.attr(control, "name");
            let form = page.closest(control, |i| page.name(i) == Some("form"));
            let group = form.map_or_else(|| page.descendants(0), |f| page.descendants(f));
            for other in group {
                if other != control
                    && is_radio(page, other)
                    && page.attr(other, "name") == name
                    && let Some(key) = page.key(other)
                {
                    self.dom.set_control(key, |c| c.checked = Some(false));
                }
            }
        }
        if let Some(key) = page.key(control) {
            self.dom.set_control(key, |c| c.checked = Some(checked));
        }
    }

    fn checked(&self, page: &Snapshot, control: usize) -> bool {
        page.key(control)
            .and_then(|k| self.dom.control(k))
            .and_then(|c| c.checked)
            .unwrap_or_else(|| page.attr(control, "checked").is_some())
    }

    /// A form's entries in `FormData` order, and the names of the fields not used yet.
    fn form_entries(&self, page: &Snapshot, form: usize) -> (Vec<(String, String)>, Vec<String>) {
        let mut entries = Vec::new();
        let mut unused: Vec<String> = Vec::new();
        for control in page.descendants(form) {
            if !is_field(page, control) || page.attr(control, "disabled").is_some() {
                continue;
            }
            let Some(name) = page.attr(control, "name") else {
                continue;
            };
            let kind = page
                .attr(control, "type")
                .unwrap_or("text")
                .to_ascii_lowercase();
            let submits = page.name(control) == Some("button")
                || matches!(kind.as_str(), "submit" | "image" | "reset" | "button");
            if submits {
                continue;
            }
            let used = page
                .key(control)
                .and_then(|k| self.dom.control(k))
                .is_some_and(|c| c.used);
            if !used && kind != "hidden" && !unused.iter().any(|n| n == name) {
                unused.push(name.to_owned());
            }
            if is_toggle(page, control) && !self.checked(page, control) {
                continue;
            }
            if kind == "file" {
                entries.push((name.to_owned(), String::new()));
                continue;
            }
            entries.push((name.to_owned(), self.value(page, control)));
        }
        (entries, unused)
    }
}

/// The connection to a page at `path`: the page fetched, its socket request sent through the
/// router (middleware and all), a connection opened with what the route made of it.
async fn load(client: &TestClient, path: &str) -> Result<(String, Dom, TestConnection), TestError> {
    let response = client.get(path).await?;
    if response.status != 200 {
        return Err(TestError::Status {
            path: response.path,
            status: response.status,
            body: response.body.chars().take(300).collect(),
        });
    }
    let mut dom = Dom::parse(&response.body);
    let socket = {
        let page = dom.snapshot();
        let tag = Selector::parse("script[data-hotreload-client][data-socket]")
            .ok()
            .and_then(|s| page.select(0, &s).first().copied());
        tag.and_then(|t| page.attr(t, "data-socket").map(str::to_owned))
    };
    let Some(socket) = socket else {
        return Err(TestError::NotLive {
            path: response.path,
        });
    };
    let (extension, accepted) = TestSocket::new();
    let request = client.request(&socket, Some(extension))?;
    let answer = client.call(request).await;
    let status = answer.status();
    let (parts, view) = tokio::time::timeout(WAIT, accepted)
        .await
        .ok()
        .and_then(Result::ok)
        .ok_or_else(|| TestError::Socket {
            path: socket.clone(),
            reason: format!("the route answered {status} instead of opening it"),
        })?;
    Ok((response.path, dom, TestConnection::open(parts, view)))
}

fn malformed(reason: &str, frame: &str) -> TestError {
    TestError::Frame {
        reason: reason.to_owned(),
        frame: frame.chars().take(300).collect(),
    }
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn element(page: &Snapshot, index: usize) -> Element {
    let attrs = match &page.items[index] {
        crate::testing::select::Item::Element { attrs, .. } => attrs.clone(),
        crate::testing::select::Item::Text(_) => Vec::new(),
    };
    Element {
        tag: page.name(index).unwrap_or("").to_owned(),
        attrs,
        text: collapse(&page.text(index)),
    }
}

fn boundary_of(page: &Snapshot, index: usize) -> Option<String> {
    page.closest(index, |i| page.attr(i, BOUNDARY).is_some())
        .and_then(|b| page.attr(b, BOUNDARY).map(str::to_owned))
}

fn is_control(page: &Snapshot, index: usize) -> bool {
    matches!(page.name(index), Some("input" | "select" | "textarea"))
}

/// A named part of a form (`FormData`'s candidates).
fn is_field(page: &Snapshot, index: usize) -> bool {
    matches!(
        page.name(index),
        Some("input" | "select" | "textarea" | "button")
    )
}

fn is_radio(page: &Snapshot, index: usize) -> bool {
    page.name(index) == Some("input")
        && page
            .attr(index, "type")
            .is_some_and(|t| t.eq_ignore_ascii_case("radio"))
}

fn is_toggle(page: &Snapshot, index: usize) -> bool {
    page.name(index) == Some("input")
        && page
            .attr(index, "type")
            .is_some_and(|t| t.eq_ignore_ascii_case("checkbox") || t.eq_ignore_ascii_case("radio"))
}

/// The error for an event nothing binds, naming what the element does bind.
fn not_bound(page: &Snapshot, target: usize, selector: &str, event: &str) -> TestError {
    let mut bound: Vec<String> = Vec::new();
    let mut at = Some(target);
    while let Some(i) = at {
        if let crate::testing::select::Item::Element { attrs, .. } = &page.items[i] {
            for (name, _) in attrs {
                if name.starts_with("live-") && !bound.contains(name) {
                    bound.push(name.clone());
                }
            }
        }
        at = page.parents[i];
    }
    TestError::NotBound {
        selector: selector.to_owned(),
        event: event.to_owned(),
        hint: if bound.is_empty() {
            String::from("nothing there binds any live event")
        } else {
            format!("it and its ancestors bind only {}", bound.join(", "))
        },
    }
}
