//! A search box whose results load in the background.
//!
//! `cargo run --example search`. Every keystroke (debounced) starts the search under one name
//! (`start_async("search", ..)`): the page shows "Searching…" at once, the results when they
//! come; a newer query cancels the one still running, so slow old answers never overwrite the
//! newest. The "database" here is a list of crate names with a delay that grows with how short
//! the query is (short queries are "expensive"); a query containing `!` panics, to show that a
//! failed search is reported and the page goes on. The query is in the URL (`?q=`, replacing
//! the history entry rather than pushing one per keystroke), so a search can be shared or
//! reloaded.

#[path = "common/mod.rs"]
mod common;

use hotreload::prelude::*;
use hotreload::{Async, TaskResult};
use std::time::Duration;

const CRATES: &[&str] = &[
    "axum",
    "serde",
    "serde_json",
    "tokio",
    "tracing",
    "hyper",
    "tower",
    "tower-http",
    "syn",
    "quote",
    "proc-macro2",
    "html5ever",
    "markup5ever",
    "dashmap",
    "notify",
    "thiserror",
    "anyhow",
    "rmp-serde",
    "zstd",
    "criterion",
    "proptest",
    "trybuild",
    "redis",
    "sqlx",
    "reqwest",
    "clap",
    "rayon",
    "regex",
    "rand",
    "chrono",
    "time",
    "uuid",
    "bytes",
    "futures",
    "itertools",
    "once_cell",
    "parking_lot",
    "crossbeam",
    "smallvec",
    "hashbrown",
];

/// Finds the crates whose name contains `query`, taking longer for shorter queries.
async fn find(query: String) -> Vec<String> {
    assert!(!query.contains('!'), "the search index is on fire");
    let delay = 600u64.saturating_sub(query.len() as u64 * 150).max(50);
    tokio::time::sleep(Duration::from_millis(delay)).await;
    CRATES
        .iter()
        .filter(|name| name.contains(query.as_str()))
        .map(|name| (*name).to_owned())
        .collect()
}

#[derive(Default, Serialize, Deserialize)]
struct Search {
    query: String,
    hits: Async<Vec<String>>,
    /// Searches started, for the page's counter.
    started: u32,
}

#[derive(Serialize, Deserialize)]
enum Msg {
    Query,
}

impl LiveView for Search {
    type Message = Msg;

    fn update(&mut self, Msg::Query: Msg, cx: &mut Context<'_, Self>) {
        let query = cx.event().value().trim().to_owned();
        // The URL follows the query (replaced, not pushed: one entry per search, not per
        // keystroke); `handle_params` below starts the search.
        let encoded: String = form_urlencoded::byte_serialize(query.as_bytes()).collect();
        cx.replace_patch(format!("/?q={encoded}"));
    }

    fn handle_params(&mut self, params: &Params, cx: &mut Context<'_, Self>) {
        let query = params.query("q").unwrap_or("").to_owned();
        if query == self.query && !matches!(self.hits, Async::Idle) {
            return;
        }
        self.query.clone_from(&query);
        if query.is_empty() {
            cx.cancel_async("search");
            self.hits = Async::Idle;
            return;
        }
        self.hits = Async::Loading;
        self.started += 1;
        cx.start_async("search", find(query));
    }

    fn render(&self) -> Html<Msg> {
        hot_reload_liveview! {
            <h1>"Search crates"</h1>
            <input type="search" id="query" name="q" value={&self.query} live-input={Msg::Query}
                live-debounce="120" placeholder="Type a crate name" autocomplete="off" autofocus=""/>
            <p id="status" class="notes-line">
                {match &self.hits {
                    Async::Idle => { "Type to search." }
                    Async::Loading => { "Searching…" }
                    Async::Ready(hits) => { {hits.len()} " result(s) for “" {&self.query} "”" }
                    Async::Failed(reason) => { "Search failed: " {reason} }
                }}
            </p>
            <ul id="results">
                {for hit in self.hits.ready().into_iter().flatten() {
                    <li>{hit}</li>
                }}
            </ul>
            <p class="ok">{self.started} " searches started"</p>
        }
    }

    fn page(body: Html) -> Html {
        common::page("hotreload search", body)
    }
}

impl HandleInfo<TaskResult<Vec<String>>> for Search {
    fn handle_info(&mut self, done: TaskResult<Vec<String>>, _cx: &mut Context<'_, Self>) {
        self.hits.finish(done.result);
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let app = common::assets(axum::Router::new()).route("/", live_view::<Search>());
    let app = enable_hot_reload!(app);
    common::serve("search", app).await
}
