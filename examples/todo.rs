//! A todo list: a form, a keyed list, checkboxes and delete buttons, a nested view, URL
//! filters and a flash.
//!
//! `cargo run --example todo`. Items are keyed (`data-key`), so toggling, deleting and
//! reordering move DOM nodes instead of re-creating them. The progress line is a nested view
//! (`Progress`): the list gives it props (`Counts`) and it asks the list to clear done items
//! (`ClearDone`), both through `HandleInfo`.
//!
//! The filter is in the URL (`?filter=active|done|all`): the filter links are `live-patch`
//! links (no page load; back and forward walk through the filters, `handle_params` reads
//! them), "Show all" changes it from `update` (`push_patch`), and "About" is a `live-navigate`
//! link to another live view over the same socket, whose "Done reading" button goes back from
//! `update` (`push_navigate`). Deleting an item shows a flash.

#[path = "common/mod.rs"]
mod common;

use hotreload::prelude::*;

#[derive(Serialize, Deserialize)]
struct Item {
    id: u64,
    text: String,
    done: bool,
}

#[derive(Default, Serialize, Deserialize)]
struct Todo {
    next_id: u64,
    items: Vec<Item>,
    draft: String,
    filter: Filter,
    progress: Option<Child<Progress>>,
}

/// Which items show: from the URL's `?filter=`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Filter {
    #[default]
    All,
    Active,
    Done,
}

impl Filter {
    fn from_query(value: Option<&str>) -> Filter {
        match value {
            Some("active") => Filter::Active,
            Some("done") => Filter::Done,
            _ => Filter::All,
        }
    }

    fn shows(self, item: &Item) -> bool {
        match self {
            Filter::All => true,
            Filter::Active => !item.done,
            Filter::Done => item.done,
        }
    }
}

#[derive(Serialize, Deserialize)]
enum Msg {
    Add,
    Draft,
    Toggle(u64),
    Delete(u64),
    ShowAll,
}

impl LiveView for Todo {
    type Message = Msg;

    fn mount(&mut self, context: &mut Mount<'_, Self>) {
        for text in [
            "Write a template",
            "Edit it while the server runs",
            "Keep your state",
        ] {
            self.add(text);
        }
        self.progress = Some(context.child_with::<Progress, _>(self.counts()));
    }

    fn update(&mut self, msg: Msg, cx: &mut Context<'_, Self>) {
        match msg {
            Msg::Draft => self.draft = cx.event().value().to_owned(),
            Msg::Add => {
                let text = cx
                    .event()
                    .field("text")
                    .unwrap_or(&self.draft)
                    .trim()
                    .to_owned();
                if !text.is_empty() {
                    self.add(&text);
                }
                self.draft.clear();
            }
            Msg::Toggle(id) => {
                if let Some(item) = self.items.iter_mut().find(|i| i.id == id) {
                    item.done = !item.done;
                }
            }
            Msg::Delete(id) => {
                if let Some(at) = self.items.iter().position(|i| i.id == id) {
                    let item = self.items.remove(at);
                    cx.put_flash(FlashKind::Info, format!("Deleted “{}”", item.text));
                }
            }
            Msg::ShowAll => cx.push_patch("/?filter=all"),
        }
        self.report();
    }

    fn handle_params(&mut self, params: &Params, _cx: &mut Context<'_, Self>) {
        self.filter = Filter::from_query(params.query("filter"));
    }

    fn render(&self) -> Html<Msg> {
        hot_reload_liveview! {
            <h1>"Todo"</h1>
            <form live-submit={Msg::Add}>
                <input type="text" name="text" value={&self.draft} live-input={Msg::Draft}
                    live-debounce="150" placeholder="What needs doing?" autocomplete="off"/>
                <button type="submit">"Add"</button>
            </form>
            <nav class="filters">
                <a href="/?filter=all" live-patch="" class={(self.filter == Filter::All).then_some("current")}>"All"</a> " "
                <a href="/?filter=active" live-patch="" class={(self.filter == Filter::Active).then_some("current")}>"Active"</a> " "
                <a href="/?filter=done" live-patch="" class={(self.filter == Filter::Done).then_some("current")}>"Done"</a> " "
                {if self.filter != Filter::All {
                    <button id="show-all" live-click={Msg::ShowAll}>"Show all"</button>
                }}
                <a href="/about" live-navigate="" id="about-link">"About"</a>
            </nav>
            <ul class="items">
                {for item in self.items.iter().filter(|item| self.filter.shows(item)) {
                    <li data-key={item.id} class={item.done.then_some("done")}>
                        <input type="checkbox" checked={item.done} live-change={Msg::Toggle(item.id)}/>
                        " " {&item.text} " "
                        <button live-click={Msg::Delete(item.id)} aria-label="Delete">"×"</button>
                    </li>
                }}
            </ul>
            {self.progress}
        }
    }

    fn page(body: Html) -> Html {
        common::page("hotreload todo", body)
    }
}

impl Todo {
    fn counts(&self) -> Counts {
        Counts {
            done: self.items.iter().filter(|i| i.done).count(),
            total: self.items.len(),
        }
    }

    /// Gives the progress view its props again (no patch goes out if nothing changed).
    fn report(&self) {
        if let Some(progress) = &self.progress {
            let _ = progress.send(self.counts());
        }
    }

    fn add(&mut self, text: &str) {
        self.next_id += 1;
        self.items.push(Item {
            id: self.next_id,
            text: text.to_owned(),
            done: false,
        });
    }
}

/// The progress view asks its parent to clear the done items.
struct ClearDone;

impl HandleInfo<ClearDone> for Todo {
    fn handle_info(&mut self, ClearDone: ClearDone, _cx: &mut Context<'_, Self>) {
        self.items.retain(|i| !i.done);
        self.report();
    }
}

/// A nested view: how far the list is. Its props come from the list.
#[derive(Default, Serialize, Deserialize)]
struct Progress {
    done: usize,
    total: usize,
}

/// `Progress`'s props.
struct Counts {
    done: usize,
    total: usize,
}

#[derive(Serialize, Deserialize)]
enum ProgressMsg {
    ClearDone,
}

impl LiveView for Progress {
    type Message = ProgressMsg;

    fn update(&mut self, ProgressMsg::ClearDone: ProgressMsg, cx: &mut Context<'_, Self>) {
        if let Some(list) = cx.parent::<Todo>() {
            let _ = list.send(ClearDone);
        }
    }

    fn render(&self) -> Html<ProgressMsg> {
        hot_reload_liveview! {
            <p class="progress">{self.total - self.done} " left, " {self.done} " of " {self.total} " done"
                {if self.done > 0 {
                    " · " <button live-click={ProgressMsg::ClearDone}>"Clear done"</button>
                }}
            </p>
        }
    }
}

impl HandleInfo<Counts> for Progress {
    fn handle_info(&mut self, counts: Counts, _cx: &mut Context<'_, Self>) {
        self.done = counts.done;
        self.total = counts.total;
    }
}

/// Another live view, reached from the list without a page load (`live-navigate`).
#[derive(Default, Serialize, Deserialize)]
struct About {
    visits: u32,
}

#[derive(Serialize, Deserialize)]
enum AboutMsg {
    /// Back to the list, asked for by `update` (`push_navigate`) rather than a link.
    Done,
}

impl LiveView for About {
    type Message = AboutMsg;

    fn mount(&mut self, _cx: &mut Mount<'_, Self>) {
        self.visits += 1;
    }

    fn update(&mut self, AboutMsg::Done: AboutMsg, cx: &mut Context<'_, Self>) {
        cx.push_navigate("/?filter=active");
    }

    fn render(&self) -> Html<AboutMsg> {
        hot_reload_liveview! {
            <h1>"About"</h1>
            <p id="about">"A todo list whose templates hot-reload with its state kept."</p>
            <p><a href="/" live-navigate="" id="back-link">"Back to the list"</a></p>
            <p><button id="done-button" live-click={AboutMsg::Done}>"Done reading: show what is left"</button></p>
        }
    }

    fn page(body: Html) -> Html {
        common::page("hotreload todo: about", body)
    }
}

/// The app's routes (also what `examples/tests/harness.rs` tests, without a browser).
pub(crate) fn app() -> axum::Router {
    common::assets(axum::Router::new())
        .route("/", live_view::<Todo>())
        .route("/about", live_view::<About>())
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let app = enable_hot_reload!(app());
    common::serve("todo", app).await
}
