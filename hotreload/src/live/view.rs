//! The [`LiveView`] trait: a component whose state is its struct.

use crate::live::child::{Child, child_id};
use crate::live::handle::LiveHandle;
use crate::live::protocol::EventKind;
use crate::live::runtime::{mount_instance, runtime};
use crate::template::Html;
use crate::template::InstanceId;
use axum::http::request::Parts;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A live component: state (the struct), messages, and how it renders.
///
/// ```
/// use hotreload::prelude::*;
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Default, Serialize, Deserialize)]
/// struct Counter { count: i64 }
///
/// #[derive(Serialize, Deserialize)]
/// enum Msg { Inc, Dec }
///
/// impl LiveView for Counter {
///     type Message = Msg;
///     fn update(&mut self, msg: Msg, _event: &Event) {
///         match msg { Msg::Inc => self.count += 1, Msg::Dec => self.count -= 1 }
///     }
///     fn render(&self) -> Html {
///         hot_reload_liveview! {
///             <h1>"Count: " {self.count}</h1>
///             <button live-click={Msg::Inc}>"+"</button>
///         }
///     }
/// }
/// ```
///
/// A new instance starts as `Default::default()` and then [`mount`](LiveView::mount) fills it in
/// from the request. The state is `Serialize + DeserializeOwned` so the dev runtime can keep it
/// across restarts.
/// Messages travel through the page as JSON inside `live-*` attributes; the server deserializes
/// each one into `Message` before `update` sees it, so a forged or stale message is refused,
/// but any well-formed `Message` can be sent by a client: treat messages as user input.
pub trait LiveView: Default + Serialize + DeserializeOwned + Send + 'static {
    /// What `update` receives.
    type Message: Serialize + DeserializeOwned + Send + 'static;

    /// Fills in a new instance (which starts as `Default::default()`) from the request, and may
    /// start timers through [`Mount::handle`]. Keep it fast: it runs inside the request that
    /// serves the page. Does nothing by default.
    fn mount(&mut self, context: &mut Mount<'_, Self::Message>) {
        let _ = context;
    }

    /// Whether this view's state is kept across dev-server restarts (default: yes). Set to
    /// `false` for state that must not outlive the process (secrets, live handles).
    const PRESERVE_STATE: bool = true;

    /// Applies a message. `event` carries what the browser sent with it (input value, form
    /// fields, key).
    fn update(&mut self, msg: Self::Message, event: &Event);

    /// Renders the current state. Called after every `update` (and on hot swaps); only what
    /// changed is sent to the browser.
    fn render(&self) -> Html;

    /// The name this view is registered and addressed by (`data-live-view`). Defaults to the
    /// type's name without its module path.
    fn name() -> &'static str
    where
        Self: Sized,
    {
        short_type_name::<Self>()
    }

    /// The page around the view when it is served by [`live_view`](crate::live::live_view);
    /// `body` is the view's boundary element. The client script is added before `</body>`.
    fn page(body: Html) -> Html
    where
        Self: Sized,
    {
        default_page(Self::name(), body)
    }
}

/// The default page shell.
pub fn default_page(title: &str, body: Html) -> Html {
    crate::hot_reload_liveview! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <title>{title}</title>
            </head>
            <body>{body}</body>
        </html>
    }
}

/// `my_app::views::Counter` → `Counter` (generic arguments kept).
pub(crate) fn short_type_name<T: ?Sized>() -> &'static str {
    let full = std::any::type_name::<T>();
    let end = full.find('<').unwrap_or(full.len());
    let start = full[..end].rfind("::").map_or(0, |i| i + 2);
    &full[start..]
}

/// What [`LiveView::mount`] gets: the request, a handle to send the view messages later, and
/// a way to mount nested views.
pub struct Mount<'a, M> {
    request: &'a Parts,
    handle: LiveHandle<M>,
    id: InstanceId,
    children: u32,
    /// The state comes from a snapshot: children restore themselves, so none are mounted.
    restoring: bool,
}

impl<M> std::fmt::Debug for Mount<'_, M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mount")
            .field("id", &self.id)
            .field("children", &self.children)
            .finish()
    }
}

impl<'a, M: Send + 'static> Mount<'a, M> {
    pub(crate) fn new(request: &'a Parts, handle: LiveHandle<M>) -> Self {
        let id = handle.id();
        Mount {
            request,
            handle,
            id,
            children: 0,
            restoring: false,
        }
    }

    pub(crate) fn restoring(mut self) -> Self {
        self.restoring = true;
        self
    }

    /// Mounts a nested live view `C` (with the same request) and returns it to keep in the
    /// state and render where it belongs: `{self.clock}`. It is its own boundary: its events,
    /// state and patches are separate from this view's.
    pub fn child<C: LiveView>(&mut self) -> Child<C> {
        let id = child_id(self.id, self.children);
        self.children += 1;
        runtime().register_view::<C>();
        if self.restoring {
            return Child::new(id);
        }
        let (install, html) = mount_instance::<C>(id, self.request, true);
        let runtime = runtime();
        runtime.set_child_html(id, html.as_str());
        runtime.run(id, install);
        Child::new(id)
    }

    /// The request that served the page (or opened the socket, for a mount after a restart).
    pub fn request(&self) -> &Parts {
        self.request
    }

    /// A handle that sends this instance messages, from timers or background tasks.
    pub fn handle(&self) -> LiveHandle<M> {
        self.handle.clone()
    }
}

/// What the browser sent along with a message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Event {
    /// The event, or `None` for messages sent through a [`LiveHandle`].
    pub kind: Option<EventKind>,
    /// The input's value (`live-input`, `live-change`) or the element's `live-value`.
    pub value: Option<String>,
    /// A checkbox's state.
    pub checked: Option<bool>,
    /// The form's fields, for `live-submit`, in document order.
    pub form: Vec<(String, String)>,
    /// `KeyboardEvent.key`, for key events.
    pub key: Option<String>,
}

impl Event {
    /// The first form field called `name`.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value, or `""`.
    pub fn value(&self) -> &str {
        self.value.as_deref().unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names() {
        struct Counter;
        assert_eq!(short_type_name::<Counter>(), "Counter");
        assert_eq!(
            short_type_name::<Vec<String>>(),
            "Vec<alloc::string::String>"
        );
    }
}
