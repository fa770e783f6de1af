//! A JavaScript widget inside a live view: a bar chart drawn by a hook, kept alive across
//! patches and hot swaps.
//!
//! `cargo run --example chart`. The chart's `<div live-hook="BarChart" live-ignore>` belongs to
//! the hook in `assets/chart-hook.js` (registered in `window.hotreload.hooks` by a classic
//! script, which runs before the live client's module): it draws the bars in its own DOM,
//! which patches never touch (`live-ignore`), while the element's attributes still patch.
//! The view pushes the points to it (`cx.push_event("points", ..)`) after every change, and a
//! click on a bar comes back as the view's own message (`this.pushEvent({"Picked": i})`).
//! Edit the markup around the chart and save: the widget stays the same (its `mounted` count
//! does not move), it is told `updated`.

#[path = "common/mod.rs"]
mod common;

use hotreload::prelude::*;

#[derive(Default, Serialize, Deserialize)]
struct Chart {
    points: Vec<u32>,
    picked: Option<usize>,
    next: u32,
}

#[derive(Serialize, Deserialize)]
enum Msg {
    /// Adds a bar.
    Add,
    /// Clears the chart.
    Reset,
    /// Sent by the widget's hook when a bar is clicked.
    Picked(usize),
}

impl LiveView for Chart {
    type Message = Msg;

    fn mount(&mut self, _cx: &mut Mount<'_, Self>) {
        self.points = vec![3, 5, 2];
        self.next = 7;
    }

    fn update(&mut self, msg: Msg, cx: &mut Context<'_, Self>) {
        match msg {
            Msg::Add => {
                // A fixed sequence, so tests know what comes.
                self.next = (self.next * 7 + 3) % 10 + 1;
                self.points.push(self.next);
            }
            Msg::Reset => {
                self.points.clear();
                self.picked = None;
            }
            Msg::Picked(index) if index < self.points.len() => self.picked = Some(index),
            Msg::Picked(_) => {}
        }
        cx.push_event("points", &self.points);
    }

    fn render(&self) -> Html<Msg> {
        hot_reload_liveview! {
            <h1>"Chart"</h1>
            <p id="summary">{self.points.len()} " bars, total " {self.points.iter().sum::<u32>()}</p>
            <div id="chart" class="chart" live-hook="BarChart" live-ignore=""
                data-points={self.points.iter().map(u32::to_string).collect::<Vec<_>>().join(",")}></div>
            <p id="picked">{match self.picked {
                Some(i) => { "picked bar " {i + 1} " (" {self.points[i]} ")" }
                None => { "click a bar" }
            }}</p>
            <button id="add" live-click={Msg::Add}>"Add a bar"</button>
            " "
            <button id="reset" live-click={Msg::Reset}>"Reset"</button>
        }
    }

    fn page(body: Html) -> Html {
        common::page(
            "hotreload chart",
            hot_reload_liveview! {
                <script src="/assets/chart-hook.js"></script>
                {body}
            },
        )
    }
}

/// The app's routes (also what `examples/tests/harness.rs` tests, without a browser).
pub(crate) fn app() -> axum::Router {
    common::assets(axum::Router::new()).route("/", live_view::<Chart>())
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let app = enable_hot_reload!(app());
    common::serve("chart", app).await
}
