//! The [`LiveView`] trait: a component whose state is its struct.

use crate::live::app_state::AppState;
use crate::live::async_work::TaskResult;
use crate::live::child::{Child, child_id};
use crate::live::effects::{Effects, FlashChange, Navigation};
use crate::live::handle::{Deliver, LiveHandle, deliver_info};
use crate::live::params::Params;
use crate::live::protocol::EventKind;
use crate::live::protocol::FlashKind;
use crate::live::runtime::{mount_with, runtime};
use crate::pubsub::{Broadcast, Topic};
use crate::template::Html;
use crate::template::InstanceId;
use axum::http::request::Parts;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::future::Future;

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
///     fn update(&mut self, msg: Msg, _cx: &mut Context<'_, Self>) {
///         match msg { Msg::Inc => self.count += 1, Msg::Dec => self.count -= 1 }
///     }
///     fn render(&self) -> Html<Msg> {
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
///
/// **Two kinds of messages.** [`Message`](LiveView::Message) is what the *page* sends: the
/// values of this view's `live-*` bindings, which travel through the browser as JSON and are
/// deserialized before [`update`](LiveView::update) sees them, so treat them as user input
/// (any well-formed `Message` can be sent by a client). What only the *server* sends (the
/// result of background work, a timer tick, a broadcast) goes to
/// [`HandleInfo::handle_info`] instead, through a [`LiveHandle`] or [`Context::start`]: such
/// a value never passes through the page, so it cannot be forged there, and a page that
/// sends one gets `bad_message` (it is not a `Message`). Phoenix LiveView makes the same cut
/// between `handle_event` and `handle_info`.
pub trait LiveView: Default + Serialize + DeserializeOwned + Send + 'static {
    /// What the page may send: the values of this view's `live-*` bindings. Every binding in
    /// [`render`](LiveView::render) is checked against it at compile time.
    type Message: Serialize + DeserializeOwned + Send + 'static;

    /// Fills in a new instance (which starts as `Default::default()`) from the request, and may
    /// start timers through [`Mount::handle`]. Keep it fast: it runs inside the request that
    /// serves the page. Does nothing by default.
    ///
    /// After a dev-server restart, an instance whose state was restored runs `mount` on a
    /// scratch copy (so its timers start again) and keeps the restored state.
    fn mount(&mut self, cx: &mut Mount<'_, Self>) {
        let _ = cx;
    }

    /// Reads the page's URL: called after `mount` (and a child's first props) with the URL the
    /// page was served at, and again whenever it changes without a page load (a `live-patch`
    /// link, back or forward, [`Context::push_patch`]). Keep what the URL says in the state
    /// (`self.filter = params.query("filter")...`) and render from there. Only top-level views
    /// get it (nested views take props). Does nothing by default.
    fn handle_params(&mut self, params: &Params, cx: &mut Context<'_, Self>) {
        let _ = (params, cx);
    }

    /// Whether this view's state is kept across dev-server restarts (default: yes). Set to
    /// `false` for state that must not outlive the process (secrets).
    const PRESERVE_STATE: bool = true;

    /// Applies a message from the page. `cx` has what the browser sent with it
    /// ([`Context::event`]: input value, form fields, key) and starts background work whose
    /// result comes back to [`HandleInfo::handle_info`] ([`Context::start`]).
    fn update(&mut self, msg: Self::Message, cx: &mut Context<'_, Self>);

    /// Renders the current state. Called after every `update` (and on hot swaps); only what
    /// changed is sent to the browser.
    fn render(&self) -> Html<Self::Message>;

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

/// Values of type `I` that only the server sends view `Self`: the result of work started with
/// [`Context::start`] or [`LiveHandle::start`], a value sent with [`LiveHandle::send`], a
/// timer's tick from [`LiveHandle::every`]. Implement it once per type the view receives:
///
/// ```
/// use hotreload::prelude::*;
///
/// #[derive(Default, Serialize, Deserialize)]
/// struct Guestbook { entries: Vec<String>, saving: bool }
///
/// #[derive(Serialize, Deserialize)]
/// enum Msg { Sign(String) }
///
/// /// What the database said; the page cannot send this.
/// struct Saved(Result<String, String>);
///
/// impl LiveView for Guestbook {
///     type Message = Msg;
///     fn update(&mut self, Msg::Sign(name): Msg, cx: &mut Context<'_, Self>) {
///         self.saving = true;
///         cx.start(async move { Saved(Ok(name)) });
///     }
///     fn render(&self) -> Html<Msg> {
///         hot_reload_liveview! { <p>{self.entries.len()} " entries"</p> }
///     }
/// }
///
/// impl HandleInfo<Saved> for Guestbook {
///     fn handle_info(&mut self, Saved(result): Saved, _cx: &mut Context<'_, Self>) {
///         self.saving = false;
///         if let Ok(name) = result { self.entries.push(name) }
///     }
/// }
/// ```
pub trait HandleInfo<I>: LiveView {
    /// Applies a value sent by the server; the view re-renders afterwards, as after `update`.
    fn handle_info(&mut self, info: I, cx: &mut Context<'_, Self>);
}

/// What [`LiveView::update`] and [`HandleInfo::handle_info`] get besides the message: what
/// the browser sent with it, and a handle to this instance for background work.
pub struct Context<'a, V: LiveView> {
    event: &'a Event,
    handle: LiveHandle<V>,
    app: Option<&'a AppState>,
    effects: Effects,
}

impl<V: LiveView> std::fmt::Debug for Context<'_, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("id", &self.handle.id())
            .field("event", &self.event)
            .finish()
    }
}

impl<'a, V: LiveView> Context<'a, V> {
    pub(crate) fn new(event: &'a Event, handle: LiveHandle<V>, app: Option<&'a AppState>) -> Self {
        Context {
            event,
            handle,
            app,
            effects: Effects::default(),
        }
    }

    /// What the call asked of the page (navigation, flash).
    pub(crate) fn into_effects(self) -> Effects {
        self.effects
    }

    /// Changes the page's URL to `url` (a path on this site, `/todo?filter=done`) without
    /// leaving this view: [`LiveView::handle_params`] runs with the new parameters right after
    /// this call, and the browser pushes a history entry (back returns to the old URL and
    /// runs `handle_params` again). Phoenix's `push_patch`.
    pub fn push_patch(&mut self, url: impl Into<String>) {
        self.effects.navigation = Some(Navigation::Patch {
            url: url.into(),
            replace: false,
        });
    }

    /// [`push_patch`](Self::push_patch), replacing the current history entry.
    pub fn replace_patch(&mut self, url: impl Into<String>) {
        self.effects.navigation = Some(Navigation::Patch {
            url: url.into(),
            replace: true,
        });
    }

    /// Goes to another live page (a path on this site) over the same socket, without a page
    /// load: this view is dropped, the page at `url` is mounted and swapped in, and a history
    /// entry is pushed. Phoenix's `push_navigate`.
    pub fn push_navigate(&mut self, url: impl Into<String>) {
        self.effects.navigation = Some(Navigation::Navigate {
            url: url.into(),
            replace: false,
        });
    }

    /// [`push_navigate`](Self::push_navigate), replacing the current history entry.
    pub fn replace_navigate(&mut self, url: impl Into<String>) {
        self.effects.navigation = Some(Navigation::Navigate {
            url: url.into(),
            replace: true,
        });
    }

    /// Loads `url` (a path on this site, or an `http(s)` URL elsewhere; anything else, such as
    /// `javascript:`, is refused with a warning) as a new page.
    pub fn redirect(&mut self, url: impl Into<String>) {
        self.effects.navigation = Some(Navigation::Redirect { url: url.into() });
    }

    /// Shows `message` as a flash of `kind` at the top of this view (replacing one of the same
    /// kind) until the user dismisses it or the page's URL changes.
    pub fn put_flash(&mut self, kind: FlashKind, message: impl Into<String>) {
        self.effects
            .flash
            .push(FlashChange::Put(kind, message.into()));
    }

    /// Removes the flash of `kind`, if shown.
    pub fn clear_flash(&mut self, kind: FlashKind) {
        self.effects.flash.push(FlashChange::Clear(kind));
    }

    /// Removes every flash.
    pub fn clear_all_flash(&mut self) {
        self.effects.flash.push(FlashChange::ClearAll);
    }

    /// Sends `payload` to the JavaScript hooks of this view's page (`live-hook` elements inside
    /// its boundary that called `this.handleEvent(name, callback)`). It arrives after the
    /// patch of this update, so the hook sees the new markup. A payload that does not
    /// serialize is dropped with a warning.
    pub fn push_event(&mut self, name: impl Into<String>, payload: &impl Serialize) {
        let name = name.into();
        match serde_json::to_value(payload) {
            Ok(payload) => self.effects.pushed.push((name, payload)),
            Err(error) => {
                tracing::warn!(name, %error, "hotreload: push_event payload does not serialize; dropped");
            }
        }
    }

    /// A context outside any running page, for unit tests of `update` and `handle_info`:
    /// `event` is what the browser sent. It has no router state and no parent; its handle is
    /// closed, so values sent through it give [`Gone`](crate::live::Gone) and work started with
    /// it does not run.
    ///
    /// ```
    /// # use hotreload::prelude::*;
    /// # #[derive(Default, Serialize, Deserialize)]
    /// # struct Counter { count: i64 }
    /// # #[derive(Serialize, Deserialize)]
    /// # enum Msg { Inc }
    /// # impl LiveView for Counter {
    /// #     type Message = Msg;
    /// #     fn update(&mut self, Msg::Inc: Msg, _cx: &mut Context<'_, Self>) { self.count += 1 }
    /// #     fn render(&self) -> Html<Msg> { hot_reload_liveview! { <p>{self.count}</p> } }
    /// # }
    /// let mut counter = Counter::default();
    /// counter.update(Msg::Inc, &mut Context::detached(&Event::default()));
    /// assert_eq!(counter.render().as_str(), "<p>1</p>");
    /// ```
    pub fn detached(event: &'a Event) -> Self {
        let tasks = std::sync::Arc::new(crate::live::handle::Tasks::default());
        tasks.abort_all();
        Context::new(event, LiveHandle::new(InstanceId(0), tasks), None)
    }

    /// The state of the router serving this view, if it is an `S`: what
    /// [`live_view_with_state::<V, S>()`](crate::live::live_view_with_state) took from axum
    /// (a database pool, a broadcaster). `None` for another type (under
    /// [`live_view`](crate::live::live_view) the state is `()`).
    pub fn app_state<S: Send + Sync + 'static>(&self) -> Option<&S> {
        self.app?.get::<S>()
    }

    /// A handle to this view's parent, if it is nested in a view of type `P`: how a child tells
    /// its parent something (`cx.parent::<Guestbook>()?.send(Picked(id))`, with
    /// `impl HandleInfo<Picked> for Guestbook`). `None` for a top-level view or another parent
    /// type. Tasks started through it stop with this instance.
    pub fn parent<P: LiveView>(&self) -> Option<LiveHandle<P>> {
        parent_handle(self.handle.id(), self.handle.tasks())
    }

    /// What the browser sent with the message (empty for [`HandleInfo`] values).
    pub fn event(&self) -> &Event {
        self.event
    }

    /// The instance being updated.
    pub fn id(&self) -> InstanceId {
        self.handle.id()
    }

    /// A handle to this instance, to keep in a task (it stays valid as long as the instance).
    pub fn handle(&self) -> LiveHandle<V> {
        self.handle.clone()
    }

    /// Runs `work` on the server's tokio runtime and hands its result to
    /// [`HandleInfo::handle_info`] (then re-renders). Aborted if the instance goes away.
    pub fn start<F>(&self, work: F)
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
        V: HandleInfo<F::Output>,
    {
        self.handle.start(work);
    }

    /// Runs `task` (which reports nothing back) until it ends or the instance goes away.
    pub fn spawn<F>(&self, task: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        self.handle.spawn(task);
    }

    /// Runs `work` under `name`; its outcome (value or panic) comes to `handle_info` as a
    /// [`TaskResult`], a newer start of `name` cancels it. See [`LiveHandle::start_async`].
    ///
    /// ```
    /// use hotreload::prelude::*;
    /// use hotreload::{Async, TaskResult};
    ///
    /// #[derive(Default, Serialize, Deserialize)]
    /// struct Search { hits: Async<Vec<String>> }
    ///
    /// #[derive(Serialize, Deserialize)]
    /// enum Msg { Query }
    ///
    /// impl LiveView for Search {
    ///     type Message = Msg;
    ///     fn update(&mut self, Msg::Query: Msg, cx: &mut Context<'_, Self>) {
    ///         let query = cx.event().value().to_owned();
    ///         self.hits = Async::Loading;
    ///         cx.start_async("search", async move { vec![format!("{query}: 1 hit")] });
    ///     }
    ///     fn render(&self) -> Html<Msg> {
    ///         hot_reload_liveview! {
    ///             <input live-input={Msg::Query}/>
    ///             {if self.hits.is_loading() { <p>"Searching…"</p> }}
    ///         }
    ///     }
    /// }
    ///
    /// impl HandleInfo<TaskResult<Vec<String>>> for Search {
    ///     fn handle_info(&mut self, done: TaskResult<Vec<String>>, _cx: &mut Context<'_, Self>) {
    ///         self.hits.finish(done.result);
    ///     }
    /// }
    /// ```
    pub fn start_async<F>(&self, name: &'static str, work: F)
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
        V: HandleInfo<TaskResult<F::Output>>,
    {
        self.handle.start_async(name, work);
    }

    /// Cancels the task running under `name`, if any.
    pub fn cancel_async(&self, name: &'static str) {
        self.handle.cancel_async(name);
    }
    /// Subscribes this instance to `topic` from now on; see [`Mount::subscribe`].
    pub fn subscribe<T>(&self, topic: &Topic<T>)
    where
        T: Broadcast,
        V: HandleInfo<T>,
    {
        self.handle.subscribe(topic);
    }

    /// Ends this instance's subscriptions to `topic`.
    pub fn unsubscribe<T>(&self, topic: &Topic<T>) {
        self.handle.unsubscribe(topic);
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

/// What [`LiveView::mount`] gets: the request, a handle to send the view values later, and
/// a way to mount nested views.
pub struct Mount<'a, V: LiveView> {
    request: &'a Parts,
    handle: LiveHandle<V>,
    id: InstanceId,
    children: u32,
    /// The state comes from a snapshot: children restore themselves, so none are mounted.
    restoring: bool,
}

impl<V: LiveView> std::fmt::Debug for Mount<'_, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mount")
            .field("id", &self.id)
            .field("children", &self.children)
            .finish()
    }
}

impl<'a, V: LiveView> Mount<'a, V> {
    pub(crate) fn new(request: &'a Parts, handle: LiveHandle<V>) -> Self {
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
        self.mount_child::<C>(None)
    }

    /// [`child`](Self::child) with first props: `props` is handed to the child's
    /// [`HandleInfo::handle_info`] right after its `mount`, before its first render. Send it
    /// new props later with [`Child::send`]. (After a restart the child restores its own state,
    /// props included, and `props` is not applied again.)
    pub fn child_with<C, P>(&mut self, props: P) -> Child<C>
    where
        C: HandleInfo<P>,
        P: Send + 'static,
    {
        self.mount_child::<C>(Some(deliver_info::<C, P>(props)))
    }

    fn mount_child<C: LiveView>(&mut self, init: Option<Deliver<C>>) -> Child<C> {
        let id = child_id(self.id, self.children);
        self.children += 1;
        let runtime = runtime();
        runtime.register_view::<C>();
        runtime.set_parent(id, C::name(), self.id, std::any::TypeId::of::<V>());
        if self.restoring {
            return Child::new(id);
        }
        let (install, html) = mount_with::<C>(id, self.request, init);
        runtime.set_child_html(id, html.as_str());
        runtime.run(id, install);
        Child::new(id)
    }

    /// The state of the router serving this view, if it is an `S`; see
    /// [`Context::app_state`].
    pub fn app_state<S: Send + Sync + 'static>(&self) -> Option<&S> {
        self.request.extensions.get::<AppState>()?.get::<S>()
    }

    /// A handle to this view's parent, if it is nested in a view of type `P`; see
    /// [`Context::parent`].
    pub fn parent<P: LiveView>(&self) -> Option<LiveHandle<P>> {
        parent_handle(self.id, self.handle.tasks())
    }

    /// The request that served the page (or opened the socket, for a mount after a restart).
    pub fn request(&self) -> &Parts {
        self.request
    }

    /// Allows upload `name` (`<input type="file" live-upload="NAME">` in the markup) with
    /// `config`'s limits; keep the returned [`Upload`](crate::Upload) in the state to render
    /// its entries and consume its files.
    pub fn allow_upload(&mut self, name: &str, config: crate::UploadConfig) -> crate::Upload {
        crate::live::upload::Upload::register(self.id, name, config)
    }

    /// A handle that sends this instance values from timers or background tasks
    /// ([`HandleInfo`]).
    pub fn handle(&self) -> LiveHandle<V> {
        self.handle.clone()
    }
    /// Runs `work` under `name` from `mount` (Phoenix's `assign_async`): render the loading
    /// state, take the value in `handle_info`. See [`LiveHandle::start_async`].
    pub fn start_async<F>(&self, name: &'static str, work: F)
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
        V: HandleInfo<TaskResult<F::Output>>,
    {
        self.handle.start_async(name, work);
    }

    /// Subscribes this instance to `topic` for as long as it lives: every message
    /// [published](crate::pubsub::publish) there (in this process, or on another server with
    /// [`connect_redis`](crate::pubsub)) comes to its [`HandleInfo::handle_info`], and what
    /// changed is patched to its page. After a dev-server restart `mount` runs again, so the
    /// subscription is made again too.
    pub fn subscribe<T>(&self, topic: &Topic<T>)
    where
        T: Broadcast,
        V: HandleInfo<T>,
    {
        self.handle.subscribe(topic);
    }
}

/// A handle to the parent of `child` if it is a `P`, with `tasks` (the child's).
fn parent_handle<P: LiveView>(
    child: InstanceId,
    tasks: &std::sync::Arc<crate::live::handle::Tasks>,
) -> Option<LiveHandle<P>> {
    let (parent, view) = runtime().parent_of(child)?;
    (view == std::any::TypeId::of::<P>())
        .then(|| LiveHandle::new(parent, std::sync::Arc::clone(tasks)))
}

/// What the browser sent along with a message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Event {
    /// The event, or `None` for values sent through a [`LiveHandle`].
    pub kind: Option<EventKind>,
    /// The input's value (`live-input`, `live-change`) or the element's `live-value`.
    pub value: Option<String>,
    /// A checkbox's state.
    pub checked: Option<bool>,
    /// The form's fields, for `live-submit`, in document order.
    pub form: Vec<(String, String)>,
    /// `KeyboardEvent.key`, for key events.
    pub key: Option<String>,
    /// With `form`: the fields the user has not used yet (not typed in, not changed, and the
    /// form not submitted). See [`used`](Self::used).
    pub unused: Vec<String>,
}

impl Event {
    /// The first form field called `name`.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether the user has used form field `name` (typed in it, changed it, or submitted its
    /// form): show a field's validation errors only then, not while they fill in the fields
    /// before it. Phoenix's `used_input?`.
    pub fn used(&self, name: &str) -> bool {
        !self.unused.iter().any(|unused| unused == name)
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
