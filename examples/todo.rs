//! A todo list: a form, a keyed list, checkboxes and delete buttons, and a nested view.
//!
//! `cargo run --example todo`. Items are keyed (`data-key`), so toggling, deleting and
//! reordering move DOM nodes instead of re-creating them. The progress line is a nested view
//! (`Progress`): the list gives it props (`Counts`) and it asks the list to clear done items
//! (`ClearDone`), both through `HandleInfo`.

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
    progress: Option<Child<Progress>>,
}

#[derive(Serialize, Deserialize)]
enum Msg {
    Add,
    Draft,
    Toggle(u64),
    Delete(u64),
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
            Msg::Delete(id) => self.items.retain(|i| i.id != id),
        }
        self.report();
    }

    fn render(&self) -> Html<Msg> {
        hot_reload_liveview! {
            <h1>"Todo"</h1>
            <form live-submit={Msg::Add}>
                <input type="text" name="text" value={&self.draft} live-input={Msg::Draft}
                    live-debounce="150" placeholder="What needs doing?" autocomplete="off"/>
                <button type="submit">"Add"</button>
            </form>
            <ul class="items">
                {for item in &self.items {
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

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let app = common::assets(axum::Router::new()).route("/", live_view::<Todo>());
    let app = enable_hot_reload!(app);
    common::serve("todo", app).await
}
