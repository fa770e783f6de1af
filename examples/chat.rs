//! A chat room: broadcasts between every open page, on one server or several.
//!
//! `cargo run --example chat`, open the page in two tabs and type. Every page subscribes to
//! one topic when it mounts; a message posted in one is published there and reaches every
//! page (`HandleInfo<Said>`), which patches its list. Run two servers sharing a Redis and the
//! rooms are one:
//!
//! ```sh
//! REDIS_URL=redis://127.0.0.1:6379 PORT=3000 cargo run --example chat
//! REDIS_URL=redis://127.0.0.1:6379 PORT=3001 cargo run --example chat
//! ```
//!
//! Contract (tests outside the project rely on it): `PORT` sets the port, `REDIS_URL`
//! (optional) connects servers; the page has a `<form>` with a text input named `text` whose
//! submit posts a message, and each message appears as an `<li>` inside `#messages`.
//!
//! Each server also keeps the last messages it saw (a `subscribe_fn` callback, not a view), so
//! a page opened later starts with the conversation so far.

#[path = "common/mod.rs"]
mod common;

use hotreload::prelude::*;
use hotreload::pubsub::{self, Topic};
use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

/// A message in the room.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Said {
    who: String,
    text: String,
}

/// The room: every page of every server.
const LOBBY: Topic<Said> = Topic::new("chat:lobby");

/// How many messages a newly opened page starts with.
const BACKLOG: usize = 50;

/// The last messages this server saw, for pages opened later.
static RECENT: Mutex<VecDeque<Said>> = Mutex::new(VecDeque::new());

#[derive(Default, Serialize, Deserialize)]
struct Chat {
    name: String,
    /// What is typed in the message box (cleared once posted, which clears the box).
    draft: String,
    lines: Vec<Said>,
}

#[derive(Serialize, Deserialize)]
enum Msg {
    Draft,
    Post,
}

impl LiveView for Chat {
    type Message = Msg;

    fn mount(&mut self, cx: &mut Mount<'_, Self>) {
        self.name = format!("guest-{}", cx.handle().id().0 % 1000);
        self.lines = RECENT
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .cloned()
            .collect();
        cx.subscribe(&LOBBY);
    }

    fn update(&mut self, msg: Msg, cx: &mut Context<'_, Self>) {
        if let Msg::Draft = msg {
            cx.event().value().clone_into(&mut self.draft);
            return;
        }
        self.draft.clear();
        let text = cx.event().field("text").unwrap_or("").trim();
        if text.is_empty() {
            return;
        }
        let name = cx.event().field("name").map(str::trim).unwrap_or("");
        if !name.is_empty() {
            self.name = name.chars().take(24).collect();
        }
        pubsub::publish(
            &LOBBY,
            Said {
                who: self.name.clone(),
                text: text.chars().take(500).collect(),
            },
        );
    }

    fn render(&self) -> Html<Msg> {
        hot_reload_liveview! {
            <h1>"Chat"</h1>
            <ul id="messages" class="notes chat">
                {for line in &self.lines {
                    <li><b>{&line.who}</b> ": " {&line.text}</li>
                }}
            </ul>
            <form live-submit={Msg::Post} class="post">
                <input type="text" name="name" value={&self.name} aria-label="Your name" size="10"/>
                <input type="text" name="text" value={&self.draft} live-input={Msg::Draft} live-debounce="150"
                    placeholder="Say something" autocomplete="off" autofocus=""/>
                <button type="submit">"Send"</button>
            </form>
        }
    }

    fn page(body: Html) -> Html {
        common::page("hotreload chat", body)
    }
}

impl HandleInfo<Said> for Chat {
    fn handle_info(&mut self, said: Said, _cx: &mut Context<'_, Self>) {
        self.lines.push(said);
        if self.lines.len() > BACKLOG {
            self.lines.remove(0);
        }
    }
}

/// Keeps the room's last messages for pages opened later, until dropped.
pub(crate) fn keep_backlog() -> pubsub::Subscription {
    pubsub::subscribe_fn(&LOBBY, |said| {
        let mut recent = RECENT.lock().unwrap_or_else(PoisonError::into_inner);
        recent.push_back(said);
        if recent.len() > BACKLOG {
            recent.pop_front();
        }
    })
}

/// The app's routes (also what `examples/tests/harness.rs` tests, without a browser).
pub(crate) fn app() -> axum::Router {
    common::assets(axum::Router::new()).route("/", live_view::<Chat>())
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    if let Ok(url) = std::env::var("REDIS_URL") {
        // Returns at once; the relay connects (and reconnects) in the background.
        pubsub::connect_redis(&url).map_err(std::io::Error::other)?;
    }
    let _backlog = keep_backlog();
    let app = enable_hot_reload!(app());
    common::serve("chat", app).await
}
