//! A todo list: a form, a keyed list, checkboxes and delete buttons.
//!
//! `cargo run --example todo`. Items are keyed (`data-key`), so toggling, deleting and
//! reordering move DOM nodes instead of re-creating them.

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
}

#[derive(Serialize, Deserialize)]
enum Msg {
    Add,
    Draft,
    Toggle(u64),
    Delete(u64),
    ClearDone,
}

impl LiveView for Todo {
    type Message = Msg;

    fn mount(&mut self, _context: &mut Mount<'_, Self>) {
        for text in [
            "Write a template",
            "Edit it while the server runs",
            "Keep your state",
        ] {
            self.add(text);
        }
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
            Msg::ClearDone => self.items.retain(|i| !i.done),
        }
    }

    fn render(&self) -> Html<Msg> {
        let left = self.items.iter().filter(|i| !i.done).count();
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
            <p>{left} " left"
                {if self.items.iter().any(|i| i.done) {
                    " · " <button live-click={Msg::ClearDone}>"Clear done"</button>
                }}
            </p>
        }
    }

    fn page(body: Html) -> Html {
        common::page("hotreload todo", body)
    }
}

impl Todo {
    fn add(&mut self, text: &str) {
        self.next_id += 1;
        self.items.push(Item {
            id: self.next_id,
            text: text.to_owned(),
            done: false,
        });
    }
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let app = common::assets(axum::Router::new()).route("/", live_view::<Todo>());
    let app = enable_hot_reload!(app);
    common::serve("todo", app).await
}
