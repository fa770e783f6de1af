//! The quick-start example: a live counter.
//!
//! `cargo run --example counter`, open the printed URL (port from `$PORT`, default 3000), click
//! to count, type into the text box, then edit the markup below (the text "Count: ") and save:
//! the page updates in place, the count and what you typed stay. `/about` is a plain page (a
//! handler returning a template), which follows edits too.

#[path = "common/mod.rs"]
mod common;

use hotreload::prelude::*;

#[derive(Default, Serialize, Deserialize)]
struct Counter {
    count: i64,
}

#[derive(Serialize, Deserialize)]
enum Msg {
    Inc,
    Dec,
}

impl LiveView for Counter {
    type Message = Msg;

    fn update(&mut self, msg: Msg, _cx: &mut Context<'_, Self>) {
        match msg {
            Msg::Inc => self.count += 1,
            Msg::Dec => self.count -= 1,
        }
    }

    fn render(&self) -> Html<Msg> {
        hot_reload_liveview! {
            <div class="counter">
                <h1>"Count: " {self.count}</h1>
                <button live-click={Msg::Inc}>"+"</button>
                <button live-click={Msg::Dec}>"-"</button>
                <p><input type="text" placeholder="Type here: it survives every patch"/></p>
                <div class="notes">
                    <p>"Scroll this box, type above, click, then edit this template and save:"</p>
                    <p>"the count, your text, the caret and both scroll positions stay."</p>
                    <p>"Templates change in place; Rust changes ask for a rebuild."</p>
                    <p>"Save a broken template to see the error overlay; fix it to clear it."</p>
                    <p>"Ctrl+Shift+H prints stats, Ctrl+Shift+T toggles toasts,"</p>
                    <p>"Ctrl+Shift+R reconnects."</p>
                </div>
            </div>
        }
    }

    /// The page around the view: plain markup (edit the nav and save: open tabs follow).
    fn page(body: Html) -> Html {
        common::page(
            "hotreload counter",
            hot_reload_liveview! {
                <nav class="top"><a href="/about">"About this example"</a></nav>
                {body}
            },
        )
    }
}

/// A plain page (no live view): an axum handler returning a template. Edit it and save: open
/// tabs fetch it again and morph it in place, keeping what you typed.
async fn about() -> Html {
    common::page(
        "about hotreload",
        hot_reload_liveview! {
            <main class="about">
                <h1>"About this example"</h1>
                <p>"A static page: no live view, no state on the server."</p>
                <p><input type="text" placeholder="Type here, then edit this template"/></p>
                <p><a href="/">"Back to the counter"</a></p>
            </main>
        },
    )
}

/// The app's routes (also what `examples/tests/harness.rs` tests, without a browser).
pub(crate) fn app() -> axum::Router {
    common::assets(axum::Router::new())
        .route("/", live_view::<Counter>())
        .route("/about", axum::routing::get(about))
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let app = enable_hot_reload!(app());
    common::serve("counter", app).await
}
