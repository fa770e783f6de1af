//! Testing live views without a browser (feature `testing`): Phoenix's `LiveViewTest` for
//! `cargo test`.
//!
//! A [`TestClient`] sends requests through your app's router in process (middleware, state and
//! all; no socket, no port) and keeps cookies like a browser. [`TestClient::live`] opens a
//! live page: the view mounts as for a real request, and the page's socket request goes
//! through the router too, so the connection is opened with what the route made of it.
//! [`LivePage`] then acts as a user: [`click`](LivePage::click), [`input`](LivePage::input),
//! [`change`](LivePage::change), [`fill`](LivePage::fill), [`submit`](LivePage::submit),
//! [`keydown`](LivePage::keydown), [`hook_event`](LivePage::hook_event), live links.
//!
//! Each action finds the binding the browser client would find and sends the `event` frame
//! it would send, so **a test fails if the markup no longer binds the event**
//! ([`TestError::NotBound`]). The real runtime runs `update` → `render` → diff, and the page
//! applies the `patch` frames to its own copy of the DOM with the reference applier
//! (`hotreload_diff::apply`): a test also proves the patch path. Read the page back with CSS
//! selectors ([`find`](LivePage::find), [`text`](LivePage::text), [`count`](LivePage::count),
//! [`flash`](LivePage::flash)), and follow what does not come from the page: broadcasts and
//! other pages' events with [`settle`](LivePage::settle), async work and tasks with
//! [`until`](LivePage::until), timers with [`advance`](LivePage::advance) on a paused clock.
//!
//! ```
//! use hotreload::prelude::*;
//! use hotreload::testing::TestClient;
//!
//! #[derive(Default, Serialize, Deserialize)]
//! struct Counter { count: i64 }
//!
//! #[derive(Serialize, Deserialize)]
//! enum Msg { Inc }
//!
//! impl LiveView for Counter {
//!     type Message = Msg;
//!     fn update(&mut self, msg: Msg, _cx: &mut Context<'_, Self>) {
//!         match msg { Msg::Inc => self.count += 1 }
//!     }
//!     fn render(&self) -> Html<Msg> {
//!         hot_reload_liveview! {
//!             <h1>"Count: " {self.count}</h1>
//!             <button class="inc" live-click={Msg::Inc}>"+"</button>
//!         }
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), hotreload::testing::TestError> {
//! let mut page = TestClient::for_view::<Counter>().live("/").await?;
//! page.click("button.inc").await?;
//! assert_eq!(page.text("h1").as_deref(), Some("Count: 1"));
//! // The heading binds nothing: a browser would send nothing, so the harness refuses.
//! assert!(page.click("h1").await.is_err());
//! # Ok(())
//! # }
//! ```
//!
//! Time: a test with `#[tokio::test(start_paused = true)]` owns its clock. Tasks a view starts
//! run on the test's runtime (each instance keeps the runtime it was mounted on), so tests in
//! one binary do not share clocks or tasks. Debounce and throttle are not applied: every
//! action is sent at once.
//!
//! - `client.rs`: [`TestClient`] (requests, cookies, redirects);
//! - `page.rs`: [`LivePage`] (frames in and out, actions, reading the page);
//! - `dom.rs`: the page's copy (the document, each boundary's patched tree, form state);
//! - `select.rs`: CSS selectors (servo's `selectors` crate) over a flattened snapshot;
//! - `error.rs`: [`TestError`].

mod client;
mod dom;
mod error;
mod page;
mod select;

pub use client::{TestClient, TestResponse};
pub use error::TestError;
pub use page::{Element, LivePage, PushedEvent, TestFile};

/// Mounts `V` alone (a router serving only it at `/`) and opens its page.
pub async fn mount<V: crate::LiveView>() -> Result<LivePage, TestError> {
    TestClient::for_view::<V>().live("/").await
}
