//! Uploads over the live socket: a profile form with an avatar and a picture gallery.
//!
//! `cargo run --example uploads`. Choosing files (or dropping them on the gallery) uploads
//! them at once over the page's socket: each shows its own progress, a preview (drawn by the
//! browser from the chosen file, `live-preview`), a cancel button and, if the server refuses
//! it, why (too large, too many, not an image). "Save profile" takes the finished files
//! (`Upload::consume`); the server's temporary copies are gone after that, when the page
//! closes, and, for files not finished, as soon as the connection drops.

#[path = "common/mod.rs"]
mod common;

use hotreload::prelude::*;
use hotreload::{Upload, UploadConfig, UploadEntry};

#[derive(Default, Serialize, Deserialize)]
struct Profile {
    name: String,
    avatar: Option<Upload>,
    gallery: Option<Upload>,
    /// What was saved: (upload, file name, bytes).
    saved: Vec<(String, String, u64)>,
}

#[derive(Serialize, Deserialize)]
enum Msg {
    Save,
    Cancel(String),
}

impl LiveView for Profile {
    type Message = Msg;

    fn mount(&mut self, cx: &mut Mount<'_, Self>) {
        self.avatar = Some(
            cx.allow_upload(
                "avatar",
                UploadConfig::new()
                    .accept([".png", ".jpg", ".jpeg", ".gif", ".webp"])
                    .max_file_size(2 * 1024 * 1024),
            ),
        );
        self.gallery = Some(
            cx.allow_upload(
                "gallery",
                UploadConfig::new()
                    .accept(["image/*"])
                    .max_entries(4)
                    .max_file_size(5 * 1024 * 1024),
            ),
        );
    }

    fn update(&mut self, msg: Msg, cx: &mut Context<'_, Self>) {
        let uploads = [&self.avatar, &self.gallery];
        match msg {
            Msg::Save => {
                if let Some(name) = cx.event().field("name") {
                    name.trim().clone_into(&mut self.name);
                }
                for upload in uploads.into_iter().flatten() {
                    // A real app moves `file.path` into its storage here.
                    let saved = upload
                        .consume(|file| (upload.name().to_owned(), file.name.clone(), file.size));
                    self.saved.extend(saved);
                }
            }
            Msg::Cancel(reference) => {
                for upload in uploads.into_iter().flatten() {
                    upload.cancel(&reference);
                }
            }
        }
    }

    fn render(&self) -> Html<Msg> {
        let entries =
            |upload: &Option<Upload>| upload.as_ref().map(Upload::entries).unwrap_or_default();
        hot_reload_liveview! {
            <h1>"Profile"</h1>
            <form id="profile" live-submit={Msg::Save}>
                <p><label>"Name " <input type="text" name="name" value={&self.name}/></label></p>
                <p><label>"Avatar " <input type="file" id="avatar" live-upload="avatar" accept="image/*"/></label></p>
                <ul class="uploads" id="avatar-entries">
                    {for entry in entries(&self.avatar) { {entry_item(&entry)} }}
                </ul>
                <div class="drop" id="gallery-drop" live-drop="gallery">
                    <p><label>"Gallery (up to 4 pictures; drop them here) "
                        <input type="file" id="gallery" live-upload="gallery" multiple="" accept="image/*"/></label></p>
                </div>
                <ul class="uploads" id="gallery-entries">
                    {for entry in entries(&self.gallery) { {entry_item(&entry)} }}
                </ul>
                <button type="submit">"Save profile"</button>
            </form>
            <ul id="saved">
                {for (upload, name, size) in &self.saved { <li>{upload} ": " {name} " (" {size} " bytes)"</li> }}
            </ul>
        }
    }

    fn page(body: Html) -> Html {
        common::page("hotreload uploads", body)
    }
}

/// One file: its preview, name, progress or error, and a cancel button.
fn entry_item(entry: &UploadEntry) -> Html<Msg> {
    hot_reload_liveview! {
        <li data-ref={&entry.reference} class={if entry.error.is_some() { "refused" } else if entry.done() { "done" } else { "sending" }}>
            <img live-preview={&entry.reference} alt="" width="48" height="48"/>
            " " <span class="name">{&entry.name}</span> " "
            <progress max="100" value={entry.progress()}>{entry.progress()} "%"</progress>
            " " <span class="percent">{entry.progress()} "%"</span>
            {if let Some(error) = &entry.error { " " <span class="error">{error}</span> }}
            " " <button type="button" class="cancel" live-click={Msg::Cancel(entry.reference.clone())}>"Cancel"</button>
        </li>
    }
}

/// The app's routes (also what `examples/tests/harness.rs` tests, without a browser).
pub(crate) fn app() -> axum::Router {
    common::assets(axum::Router::new()).route("/", live_view::<Profile>())
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let app = enable_hot_reload!(app());
    common::serve("uploads", app).await
}
