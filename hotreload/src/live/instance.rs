//! One live instance: a view's state, the tree its client has, and the loop
//! event → `update` → `render` → diff → frame.
//!
//! Instances live on worker threads (see `worker.rs`) because the differ's tree
//! (`hotreload_diff::ClientTree`, `Rc`-based) is not `Send`. [`Instance`] is generic over the
//! view; the worker sees it as `dyn AnyInstance`.

use crate::live::app_state::AppState;
use crate::live::breaker::Recovery;
use crate::live::effects::{Effects, Navigation};
use crate::live::flash::Flash;
use crate::live::handle::{Info, LiveHandle, Tasks};
use crate::live::history::{History, Record, RecordKind, RecordedEvent, SendReport, micros};
use crate::live::params::{Params, is_local_path, is_web_url};
use crate::live::protocol::{ErrorCode, FlashKind, ProtocolError, ServerFrame};
use crate::live::runtime::{ConnectionId, Outbound, runtime};
use crate::live::snapshot;
use crate::live::stats::Counters;
use crate::live::view::{Context, Event, LiveView};
use crate::pubsub::held::{Held, holding};
use crate::template::{Html, InstanceId, RenderScope};
use hotreload_diff::ClientTree;
use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::Instant;

/// How long after an update its state is snapshotted (updates within it are serialized once).
const SNAPSHOT_DELAY: std::time::Duration = std::time::Duration::from_millis(100);

/// Bytes of a `patch`/`html` frame around its payload: `{"type":"html","v":1,"id":"…16…",
/// "seq":1,"html":""}`.
const FRAME_ENVELOPE: usize = 63;

/// The element name of every boundary: inner HTML is parsed as a `<div>`'s children.
pub(crate) const BOUNDARY_TAG: &str = "div";

fn boundary_context() -> hotreload_diff::Context {
    hotreload_diff::Context::html(BOUNDARY_TAG)
}

/// What the worker can do with any instance.
pub(crate) trait AnyInstance {
    /// The view's registered name.
    fn view(&self) -> &'static str;
    /// The attached connection, if any.
    fn connection(&self) -> Option<ConnectionId>;
    /// Attaches a connection; with `resync`, sends the whole boundary, else only what changed
    /// since the client's copy.
    fn attach(&mut self, connection: ConnectionId, outbound: Outbound, resync: bool);
    /// Detaches `connection` (if it is the attached one).
    fn detach(&mut self, connection: ConnectionId) -> bool;
    /// When it was detached (or created without a connection yet).
    fn idle_since(&self) -> Option<Instant>;
    /// Handles an event: decode the message, update, render, send.
    fn event(&mut self, msg: serde_json::Value, event: Event);
    /// Handles a value from a [`LiveHandle`] or a broadcast (a boxed [`Deliver`]). It is not
    /// rendered at once: the worker renders ([`flush`](Self::flush)) once it has run the jobs
    /// already queued, so a burst of values (a busy topic, many results) costs one render and
    /// one frame, not one each. True if it was rendered since the last value (so the worker
    /// marks it once per batch, not once per value).
    fn message(&mut self, msg: Box<dyn Any + Send>) -> bool;
    /// Re-renders (after a hot swap) and sends what changed; `Err` is a render panic.
    #[allow(
        dead_code,
        reason = "called by the dev layer (swaps, restarts), which a build without the `hot-reload` feature leaves out"
    )]
    fn rerender(&mut self) -> Result<(), String>;
    /// The client applied (or failed to apply) frame `seq`.
    fn ack(&mut self, seq: u64, error: Option<String>);
    /// Stops background tasks.
    fn close(&mut self);
    /// Snapshots the state now if it changed since the last snapshot.
    /// Writes its state (and, at most every [`HISTORY_SAVE_PERIOD`] unless `everything`, its
    /// inspector history) through the hooks, if it changed.
    fn snapshot_now(&mut self, everything: bool);
    /// The page's URL changed on the client (a live link, back or forward): a top-level view
    /// drops its flash and runs `handle_params`; a nested one ignores it.
    fn params(&mut self, url: &str);
    /// The user dismissed the flash of `kind`.
    fn clear_flash(&mut self, kind: FlashKind);
    /// Renders and sends what changed if a server-sent value was applied since the last render
    /// (see [`message`](Self::message)).
    fn flush(&mut self);
    /// Asks for a render at the next [`flush`](Self::flush); true if none was pending.
    fn touch(&mut self) -> bool;
    /// What the inspector shows of it (an object of the `inspect` frame's `views`).
    fn describe(&self) -> serde_json::Value;
    /// A time-travel request of the inspector.
    fn time_travel(&mut self, request: TimeTravel) -> Result<(), String>;
}

/// A view instance on its worker thread.
pub(crate) struct Instance<V: LiveView> {
    id: InstanceId,
    state: V,
    /// What the client has (or will have once it applies what was sent).
    tree: ClientTree,
    seq: u64,
    /// Seq of the last whole-boundary resend after a failed ack; older failures are stale.
    resync_seq: u64,
    connection: Option<(ConnectionId, Outbound)>,
    idle_since: Option<Instant>,
    tasks: Arc<Tasks>,
    /// The state changed since its last snapshot.
    snapshot_dirty: bool,
    /// A snapshot job is already on its way.
    snapshot_scheduled: bool,
    /// The state of the router that serves it, for `Context::app_state`.
    app: Option<AppState>,
    /// A server-sent value changed the state since the last render.
    render_pending: bool,
    /// Its flash messages, rendered before the view's markup.
    flash: Flash,
    /// The route pattern its view was served at when it mounted (`/items/{id}`): the path
    /// parameters of the URLs it is patched to. Fixed per instance, so another route serving
    /// the same view elsewhere does not change how this page's URLs read.
    pattern: Option<Arc<str>>,
    /// Events for the page's JavaScript hooks ([`Context::push_event`]), sent after the next
    /// render's frame.
    pushed: Vec<(String, serde_json::Value)>,
    /// The inspector's record of its states (only with dev hooks that keep one).
    history: Option<History>,
    /// What the last render sent, for the record of the change it showed.
    last_sent: SendReport,
    /// Server-sent values that arrived while time-travelling, applied on resume.
    held: Vec<Info<V>>,
    /// When its history was last handed to the hooks.
    history_saved_at: Option<Instant>,
    /// How many history saves were started (a save that finds a later one started skips).
    history_saves: Arc<std::sync::atomic::AtomicU64>,
}

/// How often at most an instance's inspector history is saved behind its updates (it holds
/// up to 200 states; the state itself is saved after every burst). A restart saves it at once.
const HISTORY_SAVE_PERIOD: std::time::Duration = std::time::Duration::from_secs(2);

/// What the inspector asks of an instance's recorded states.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeTravel {
    /// Show the entry numbered `n`.
    To(u64),
    /// Go on from the entry shown.
    Resume,
    /// Run the messages after the entry numbered `n` again.
    Replay(u64),
}

/// Most server-sent values held while an instance is time-travelled; older ones are dropped.
const MAX_HELD: usize = 256;

impl<V: LiveView> Instance<V> {
    /// Wraps a mounted state whose render the client already has (`client_html`). Its
    /// inspector record starts with [`recording`](Self::recording).
    pub(crate) fn new(
        id: InstanceId,
        state: V,
        client_html: &str,
        tasks: Arc<Tasks>,
        app: Option<AppState>,
        flash: Flash,
    ) -> Self {
        Instance {
            flash,
            pattern: runtime().route_pattern(V::name()),
            render_pending: false,
            id,
            state,
            tree: ClientTree::with_context(client_html, boundary_context()),
            seq: 0,
            resync_seq: 0,
            connection: None,
            idle_since: Some(Instant::now()),
            tasks,
            snapshot_dirty: false,
            snapshot_scheduled: false,
            app,
            pushed: Vec::new(),
            history: None,
            last_sent: SendReport::default(),
            held: Vec::new(),
            history_saved_at: None,
            history_saves: Arc::default(),
        }
    }

    /// Starts the inspector's record with the current state as its first entry (`first`:
    /// mount, or restore after a restart, then continuing `earlier`), if the dev hooks keep
    /// one.
    pub(crate) fn recording(mut self, first: Record, earlier: Option<History>) -> Self {
        if !runtime().hooks().is_some_and(|h| h.records_history()) {
            return self;
        }
        let mut history = earlier.unwrap_or_else(History::new);
        if let Ok(state) = recordable(&self.state) {
            history.push(state, first);
        }
        self.history = Some(history);
        self
    }

    /// Adds the state now to the record, with what produced it.
    fn record(&mut self, mut record: Record) {
        let Some(history) = &mut self.history else {
            return;
        };
        record.render_us = self.last_sent.render_us;
        record.diff_us = self.last_sent.diff_us;
        record.ops = self.last_sent.ops;
        record.bytes = self.last_sent.bytes;
        match recordable(&self.state) {
            Ok(state) => {
                history.push(state, record);
            }
            Err(error) => {
                tracing::debug!(%error, view = V::name(), "hotreload: state not recorded");
            }
        }
    }

    /// Events pushed while mounting: sent once the page attaches, after its first frame.
    pub(crate) fn with_pushed(mut self, pushed: Vec<(String, serde_json::Value)>) -> Self {
        self.pushed = pushed;
        self
    }

    fn send(&self, frame: &ServerFrame) -> usize {
        self.send_json(frame.to_json())
    }

    /// Queues an already serialized frame; returns its size (0 without a connection).
    fn send_json(&self, json: String) -> usize {
        let Some((_, outbound)) = &self.connection else {
            return 0;
        };
        let bytes = json.len();
        // A closed channel means the connection is going away; its close detaches us.
        if !outbound.send(json) {
            outbound.failure();
        }
        bytes
    }

    fn send_error(&self, code: ErrorCode, message: String) {
        let stats = &runtime().stats;
        Counters::add(&stats.errors_sent, 1);
        self.send(&ServerFrame::error(
            &ProtocolError::new(code, message),
            Some(self.id),
        ));
    }

    /// Renders the boundary's inner HTML (flash, then the view), catching panics.
    fn render_inner(&self) -> Result<Html, String> {
        render_with_flash(self.id, &self.state, &self.flash)
    }

    /// Renders and sends the client what changed (or everything, with `whole`), then the
    /// events pushed to its hooks since; `Err` is a render panic (reported to the client as
    /// well).
    fn refresh(&mut self, whole: bool) -> Result<(), String> {
        let rendered = self.render_and_send(whole);
        if self.connection.is_some() {
            for (name, payload) in std::mem::take(&mut self.pushed) {
                self.send(&ServerFrame::PushEvent {
                    id: self.id,
                    name,
                    payload,
                });
            }
        }
        rendered
    }

    /// Renders and sends the client what changed (or everything, with `whole`).
    fn render_and_send(&mut self, whole: bool) -> Result<(), String> {
        self.render_pending = false;
        self.last_sent = SendReport::default();
        let started = Instant::now();
        let rendered = {
            let _span = tracing::debug_span!("render", instance = %self.id).entered();
            self.render_inner()
        };
        self.last_sent.render_us = micros(started.elapsed());
        let html = match rendered {
            Ok(html) => {
                // A nested view's latest render is kept for its parent's renders. Whether it
                // is one is the runtime's record (made when its parent mounts or restores
                // it, which after a restart may be after this instance came back).
                if runtime().parent_of(self.id).is_some() {
                    runtime().set_child_html(self.id, html.as_str());
                }
                html
            }
            Err(message) => {
                self.send_error(ErrorCode::Panic, format!("render panicked: {message}"));
                if let Some((_, outbound)) = &self.connection
                    && outbound.failure() == Recovery::Reload
                {
                    self.send_reload("the page kept failing to render");
                }
                return Err(message);
            }
        };
        let Some((_, outbound)) = &self.connection else {
            // Nothing to send to; the client's copy is unchanged and the next attach diffs
            // against it.
            return Ok(());
        };
        if !outbound.allows_patches() {
            // The breaker is open: the client was told to reload. Its copy stays as it was.
            return Ok(());
        }
        let stats = &runtime().stats;
        if whole {
            self.tree = ClientTree::with_context(html.as_str(), boundary_context());
            self.send_html(html.into_string());
            return Ok(());
        }
        let diff_started = Instant::now();
        let diffed = {
            let span = tracing::debug_span!(
                "diff",
                instance = %self.id,
                bytes = html.len(),
                in_place = tracing::field::Empty
            )
            .entered();
            let diffed = self.tree.update(html.as_str());
            let in_place =
                diffed.is_ok() && self.tree.last_update() == hotreload_diff::UpdateKind::InPlace;
            span.record("in_place", in_place);
            if in_place {
                Counters::add(&stats.in_place_updates, 1);
            }
            diffed
        };
        self.last_sent.diff_us = micros(diff_started.elapsed());
        let ops = match diffed {
            Ok(ops) => ops,
            Err(error) => {
                tracing::warn!(instance = %self.id, %error, "hotreload: sending whole boundary");
                self.tree = ClientTree::with_context(html.as_str(), boundary_context());
                self.send_html(html.into_string());
                return Ok(());
            }
        };
        stats.last_update_micros.store(
            micros(started.elapsed()),
            std::sync::atomic::Ordering::Relaxed,
        );
        if ops.is_empty() {
            return Ok(());
        }
        // Serialize the patch once; if it is larger than the `html` frame would be (at least the
        // HTML plus the same envelope), send that instead (the tree already holds the new HTML).
        let op_count = ops.len();
        let patch = ServerFrame::Patch {
            id: self.id,
            seq: self.seq + 1,
            ops,
        }
        .to_json();
        if patch.len() > html.len() + FRAME_ENVELOPE {
            self.send_html(html.into_string());
            return Ok(());
        }
        self.seq += 1;
        Counters::add(&stats.ops, op_count as u64);
        let _span =
            tracing::debug_span!("send", instance = %self.id, seq = self.seq, ops = op_count)
                .entered();
        let bytes = self.send_json(patch);
        self.last_sent.ops = op_count as u64;
        self.last_sent.bytes = bytes as u64;
        Counters::add(&stats.patches, 1);
        Counters::add(&stats.patch_bytes, bytes as u64);
        Ok(())
    }

    /// Marks the state changed and snapshots it [`SNAPSHOT_DELAY`] later, so a burst of updates
    /// (keystrokes, a fast timer) is serialized once, not per update.
    fn snapshot_later(&mut self) {
        let runtime = runtime();
        if !V::PRESERVE_STATE || !runtime.hooks().is_some_and(|h| h.keeps_state()) {
            return;
        }
        self.snapshot_dirty = true;
        if self.snapshot_scheduled {
            return;
        }
        let Some(tokio) = runtime.tokio() else {
            self.snapshot_now(false);
            return;
        };
        self.snapshot_scheduled = true;
        let id = self.id;
        tokio.spawn(async move {
            tokio::time::sleep(SNAPSHOT_DELAY).await;
            runtime.run(
                id,
                Box::new(move |instances| {
                    if let Some(instance) = instances.get_mut(id) {
                        instance.snapshot_now(false);
                    }
                }),
            );
        });
    }

    fn send_reload(&self, reason: &str) {
        Counters::add(&runtime().stats.refreshes, 1);
        tracing::warn!(instance = %self.id, reason, "hotreload: asking the client to reload");
        self.send(&ServerFrame::Reload {
            reason: reason.to_owned(),
        });
    }

    fn send_html(&mut self, html: String) {
        self.seq += 1;
        let bytes = self.send(&ServerFrame::Html {
            id: self.id,
            seq: self.seq,
            html,
        });
        self.last_sent.ops = 1;
        self.last_sent.bytes = bytes as u64;
        let stats = &runtime().stats;
        Counters::add(&stats.html_frames, 1);
        Counters::add(&stats.patch_bytes, bytes as u64);
    }

    /// Runs `change` (an `update` or a `handle_info`) on the state with a [`Context`], carries
    /// out what it asked for (flash, navigation), then snapshots (later) and sends what changed.
    /// `record` is the inspector's line for the change (recorded with the state after it).
    fn apply(
        &mut self,
        event: &Event,
        record: Option<Record>,
        change: impl for<'a> FnOnce(&mut V, &mut Context<'a, V>),
    ) {
        Counters::add(&runtime().stats.events, 1);
        let started = Instant::now();
        let called = self.call(event, change);
        let record = record.map(|r| r.took(started.elapsed()));
        match called {
            Ok(effects) => self.carry_out(effects, 0),
            Err(message) => {
                self.send_error(ErrorCode::Panic, format!("update panicked: {message}"));
                if let Some(mut record) = record {
                    self.last_sent = SendReport::default();
                    record.error = Some(format!("update panicked: {message}"));
                    self.record(record);
                }
                return;
            }
        }
        self.snapshot_later();
        // A render panic was already reported to the client by `refresh`.
        let rendered = self.refresh(false);
        if let Some(mut record) = record {
            record.error = rendered.err().map(|m| format!("render panicked: {m}"));
            self.record(record);
        }
    }

    /// [`call`](Self::call) with a detached context (a replay): its tasks never start and it has
    /// no parent, and what it publishes or sends to views is held back (`pubsub/held.rs`), so
    /// only the state and the effects returned change. Also returns what was held.
    fn call_detached(
        &mut self,
        event: &Event,
        change: impl for<'a> FnOnce(&mut V, &mut Context<'a, V>),
    ) -> (Result<Effects, String>, Held) {
        let state = &mut self.state;
        let (called, held) = holding(|| {
            catch_unwind(AssertUnwindSafe(|| {
                let mut cx = Context::<V>::detached(event);
                change(state, &mut cx);
                cx.into_effects()
            }))
        });
        let called = called.map_err(|panic| {
            Counters::add(&runtime().stats.panics, 1);
            panic_message(panic.as_ref())
        });
        (called, held)
    }

    /// Calls `change` with a fresh [`Context`], catching panics; returns what it asked for.
    fn call(
        &mut self,
        event: &Event,
        change: impl for<'a> FnOnce(&mut V, &mut Context<'a, V>),
    ) -> Result<Effects, String> {
        let handle = LiveHandle::new(self.id, Arc::clone(&self.tasks));
        let state = &mut self.state;
        let app = self.app.as_ref();
        let _span = tracing::debug_span!("update", instance = %self.id, view = V::name()).entered();
        catch_unwind(AssertUnwindSafe(|| {
            let mut cx = Context::new(event, handle, app);
            change(state, &mut cx);
            cx.into_effects()
        }))
        .map_err(|panic| {
            Counters::add(&runtime().stats.panics, 1);
            panic_message(panic.as_ref())
        })
    }

    /// Carries out `effects`: the flash changes, then the navigation. A patch runs
    /// `handle_params`, whose own effects are carried out in turn (`depth` stops a view that
    /// patches from every `handle_params` from looping).
    fn carry_out(&mut self, mut effects: Effects, depth: u8) {
        effects.apply_flash(&mut self.flash);
        self.pushed.append(&mut effects.pushed);
        match effects.navigation.take() {
            None => {}
            Some(Navigation::Patch { url, replace }) => {
                if runtime().parent_of(self.id).is_some() {
                    tracing::warn!(instance = %self.id, url, "hotreload: push_patch is for top-level views (send the parent a value instead)");
                    return;
                }
                if !is_local_path(&url) {
                    tracing::warn!(instance = %self.id, url, "hotreload: push_patch takes a path on this site; use redirect");
                    return;
                }
                if depth >= MAX_PATCH_DEPTH {
                    tracing::warn!(instance = %self.id, url, "hotreload: handle_params keeps patching the URL; stopped");
                    return;
                }
                self.send(&ServerFrame::LivePatch {
                    url: url.clone(),
                    replace,
                });
                self.handle_params(&url, depth + 1);
            }
            Some(Navigation::Navigate { url, replace }) => {
                if is_local_path(&url) {
                    self.send(&ServerFrame::LiveNavigate { url, replace });
                } else {
                    tracing::warn!(instance = %self.id, url, "hotreload: push_navigate takes a path on this site; use redirect");
                }
            }
            Some(Navigation::Redirect { url }) => {
                if is_web_url(&url) {
                    self.send(&ServerFrame::Redirect { url });
                } else {
                    tracing::warn!(instance = %self.id, url, "hotreload: redirect takes a path or an http(s) URL");
                }
            }
        }
    }

    /// Runs a server-sent value through `handle_info`; returns whether the instance had no
    /// render pending before (so the worker renders it once after its batch).
    fn deliver(&mut self, Info { name, deliver }: Info<V>) -> bool {
        let was_rendered = !self.render_pending;
        Counters::add(&runtime().stats.events, 1);
        let started = Instant::now();
        match self.call(&Event::default(), |state, cx| deliver(state, cx)) {
            Ok(effects) => {
                let took = started.elapsed();
                self.carry_out(effects, 0);
                self.snapshot_later();
                self.render_pending = true;
                if self.history.is_some() {
                    self.last_sent = SendReport::default();
                    self.record(Record::new(RecordKind::Info, serde_json::json!(name)).took(took));
                }
                was_rendered
            }
            Err(message) => {
                self.send_error(ErrorCode::Panic, format!("handle_info panicked: {message}"));
                false
            }
        }
    }

    /// Recorded entry number `n`: its place in the history and its state read back as a `V`
    /// (migrated field by field if the struct changed since it was recorded).
    fn recorded_state(&self, n: u64) -> Result<(usize, V), String> {
        let history = self
            .history
            .as_ref()
            .ok_or("this view keeps no history (the inspector is off)")?;
        let (index, entry) = history.find(n).ok_or_else(|| {
            format!(
                "there is no recorded state {n} (entries {} to {} are kept)",
                history.get(0).map_or(0, |e| e.record.n),
                history.entries().last().map_or(0, |e| e.record.n)
            )
        })?;
        let state = crate::live::handle::restoring::<V, _>(self.id, &self.tasks, || {
            snapshot::from_bytes::<V>(&entry.state)
                .map_err(|e| e.to_string())
                .or_else(|error| {
                    crate::live::migrate::migrate::<V>(&entry.state)
                        .map(|(state, _)| state)
                        .map_err(|m| {
                            format!(
                                "the recorded state no longer fits `{}`: {error}; {m}",
                                V::name()
                            )
                        })
                })
        })?;
        Ok((index, state))
    }

    /// Time travel: shows recorded entry `to` (its number); events pause (server-sent values
    /// are held) until [`resume`](Self::resume) or [`replay`](Self::replay).
    pub(crate) fn travel(&mut self, to: u64) -> Result<(), String> {
        let (index, state) = self.recorded_state(to)?;
        if let Some(history) = &mut self.history {
            history.set_travelling(Some(index));
        }
        self.state = state;
        self.refresh(false)
    }

    /// Leaves time travel at the state shown: the entries after it are dropped, held values
    /// are applied, events flow again.
    pub(crate) fn resume(&mut self) -> Result<(), String> {
        let Some(history) = &mut self.history else {
            return Err("this view keeps no history (the inspector is off)".to_owned());
        };
        let Some(at) = history.travelling() else {
            return Ok(());
        };
        history.truncate_after(at);
        history.set_travelling(None);
        self.snapshot_later();
        for deliver in std::mem::take(&mut self.held) {
            self.deliver(deliver);
        }
        self.refresh(false)
    }

    /// Restores recorded state `from` and runs the messages recorded after it through
    /// `update` (and URL changes through `handle_params`) again: the running build's code,
    /// which after a rebuild may differ from the code that recorded them. Server-sent values
    /// cannot be sent again and are skipped. The steps run with a detached context: what they
    /// ask for besides flash (navigation, tasks, messages to a parent, pushed events) is not
    /// carried out, and the broadcasts they publish and the values they send to views are
    /// held back (each step's log entry counts them), so a replay has no effects outside this
    /// view's state. Returns how many steps ran.
    pub(crate) fn replay(&mut self, from: u64) -> Result<usize, String> {
        let (from, state) = self.recorded_state(from)?;
        let Some(history) = &mut self.history else {
            return Err("this view keeps no history (the inspector is off)".to_owned());
        };
        let steps: Vec<Record> = history
            .entries()
            .skip(from + 1)
            .map(|entry| entry.record.clone())
            .collect();
        history.truncate_after(from);
        history.set_travelling(None);
        self.state = state;
        let mut ran = 0;
        for step in steps {
            self.last_sent = SendReport::default();
            match step.kind {
                RecordKind::Event | RecordKind::Replay => {
                    let event = step.event.clone().unwrap_or_default().into_event();
                    let mut record = Record::new(RecordKind::Replay, step.msg.clone());
                    record.event = step.event.clone();
                    let started = Instant::now();
                    match serde_json::from_value::<V::Message>(step.msg.clone()) {
                        Ok(msg) => match self.replay_step(&mut record, &event, |state, cx| {
                            state.update(msg, cx);
                        }) {
                            Ok(mut effects) => {
                                effects.apply_flash(&mut self.flash);
                                record = record.took(started.elapsed());
                            }
                            Err(panic) => record.error = Some(format!("update panicked: {panic}")),
                        },
                        Err(error) => {
                            record.error =
                                Some(format!("no longer a `{}` message: {error}", V::name()));
                        }
                    }
                    self.record(record);
                    ran += 1;
                }
                RecordKind::Params => {
                    let url = step.msg.as_str().unwrap_or("/").to_owned();
                    let params = Params::parse(&url, self.pattern.as_deref());
                    let started = Instant::now();
                    let mut record = Record::new(RecordKind::Params, step.msg.clone());
                    match self.replay_step(&mut record, &Event::default(), |state, cx| {
                        state.handle_params(&params, cx);
                    }) {
                        Ok(mut effects) => {
                            effects.apply_flash(&mut self.flash);
                            record = record.took(started.elapsed());
                        }
                        Err(panic) => {
                            record.error = Some(format!("handle_params panicked: {panic}"));
                        }
                    }
                    self.record(record);
                    ran += 1;
                }
                RecordKind::Info | RecordKind::Mount | RecordKind::Restore => {}
            }
        }
        self.snapshot_later();
        for deliver in std::mem::take(&mut self.held) {
            self.deliver(deliver);
        }
        self.refresh(false)?;
        Ok(ran)
    }

    /// One step of a [`replay`](Self::replay): [`call_detached`](Self::call_detached), with
    /// what it held back noted in the step's `record`.
    fn replay_step(
        &mut self,
        record: &mut Record,
        event: &Event,
        change: impl for<'a> FnOnce(&mut V, &mut Context<'a, V>),
    ) -> Result<Effects, String> {
        let (called, held) = self.call_detached(event, change);
        record.note = held.describe();
        called
    }

    /// What the inspector shows of this instance (see `inspect.rs`).
    pub(crate) fn describe(&self) -> serde_json::Value {
        crate::live::inspect::describe(
            self.id,
            V::name(),
            crate::live::inspect::state_json(&self.state),
            self.history.as_ref(),
        )
    }

    /// Runs `handle_params` with `url` (a top-level view only) and carries out its effects.
    fn handle_params(&mut self, url: &str, depth: u8) {
        let params = Params::parse(url, self.pattern.as_deref());
        match self.call(&Event::default(), |state, cx| {
            state.handle_params(&params, cx);
        }) {
            Ok(effects) => self.carry_out(effects, depth),
            Err(message) => {
                self.send_error(
                    ErrorCode::Panic,
                    format!("handle_params panicked: {message}"),
                );
            }
        }
    }
}

/// `state` as the bytes of a history entry; a `Serialize` that fails or panics is an error
/// (the inspector then has no entry for it; the view goes on).
fn recordable<V: LiveView>(state: &V) -> Result<Vec<u8>, String> {
    catch_unwind(AssertUnwindSafe(|| snapshot::to_bytes(state)))
        .map_err(|panic| {
            format!(
                "serializing the state panicked: {}",
                panic_message(panic.as_ref())
            )
        })?
        .map_err(|error| error.to_string())
}

/// How many `push_patch`es in a row (each from the previous `handle_params`) are carried out.
const MAX_PATCH_DEPTH: u8 = 4;

/// Renders the boundary's inner HTML: `flash`'s messages, then the view.
pub(crate) fn render_with_flash<V: LiveView>(
    id: InstanceId,
    state: &V,
    flash: &Flash,
) -> Result<Html, String> {
    let view = render_view(id, state)?;
    if flash.is_empty() {
        return Ok(view);
    }
    let mut out = flash.render().into_string();
    out.push_str(view.as_str());
    Ok(Html::from_trusted(out))
}

/// Renders `state` inside a render scope for `id`, catching panics.
pub(crate) fn render_view<V: LiveView>(id: InstanceId, state: &V) -> Result<Html, String> {
    let scope = RenderScope::enter(id);
    let result = catch_unwind(AssertUnwindSafe(|| state.render().erase()));
    scope.finish();
    result.map_err(|panic| {
        Counters::add(&runtime().stats.panics, 1);
        panic_message(panic.as_ref())
    })
}

/// The text of a panic payload.
pub(crate) fn panic_message(panic: &(dyn Any + Send)) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        String::from("(non-string panic payload)")
    }
}

impl<V: LiveView> AnyInstance for Instance<V> {
    fn view(&self) -> &'static str {
        V::name()
    }

    fn connection(&self) -> Option<ConnectionId> {
        self.connection.as_ref().map(|(c, _)| *c)
    }

    fn attach(&mut self, connection: ConnectionId, outbound: Outbound, resync: bool) {
        self.connection = Some((connection, outbound));
        self.idle_since = None;
        let _ = self.refresh(resync);
    }

    fn detach(&mut self, connection: ConnectionId) -> bool {
        if self.connection() == Some(connection) {
            self.connection = None;
            self.idle_since = Some(Instant::now());
            true
        } else {
            false
        }
    }

    fn idle_since(&self) -> Option<Instant> {
        self.idle_since
    }

    fn event(&mut self, msg: serde_json::Value, event: Event) {
        if self
            .history
            .as_ref()
            .is_some_and(|h| h.travelling().is_some())
        {
            self.send_error(
                ErrorCode::Paused,
                "events are paused while the inspector travels through this view's states (resume to go on)".to_owned(),
            );
            return;
        }
        let record = self.history.is_some().then(|| {
            let mut record = Record::new(RecordKind::Event, msg.clone());
            record.event = Some(RecordedEvent::of(&event));
            record
        });
        match serde_json::from_value::<V::Message>(msg) {
            Ok(msg) => self.apply(&event, record, |state, cx| state.update(msg, cx)),
            Err(error) => self.send_error(
                ErrorCode::BadMessage,
                format!("message is not a valid `{}` message: {error}", V::name()),
            ),
        }
    }

    fn message(&mut self, msg: Box<dyn Any + Send>) -> bool {
        let Ok(info) = msg.downcast::<Info<V>>() else {
            tracing::error!(instance = %self.id, "hotreload: message of the wrong type");
            return false;
        };
        if self
            .history
            .as_ref()
            .is_some_and(|h| h.travelling().is_some())
        {
            // Held, so the state shown stays the recorded one; applied on resume.
            if self.held.len() >= MAX_HELD {
                drop(self.held.remove(0));
            }
            self.held.push(*info);
            return false;
        }
        self.deliver(*info)
    }

    fn describe(&self) -> serde_json::Value {
        Instance::describe(self)
    }

    fn time_travel(&mut self, request: TimeTravel) -> Result<(), String> {
        match request {
            TimeTravel::To(index) => self.travel(index),
            TimeTravel::Resume => self.resume(),
            TimeTravel::Replay(from) => self.replay(from).map(|_| ()),
        }
    }

    fn touch(&mut self) -> bool {
        let was_rendered = !self.render_pending;
        self.render_pending = true;
        was_rendered
    }

    fn flush(&mut self) {
        if self.render_pending {
            let _ = self.refresh(false);
            if let Some(history) = &mut self.history {
                history.sent(self.last_sent);
            }
        }
    }

    fn rerender(&mut self) -> Result<(), String> {
        self.refresh(false)
    }

    fn ack(&mut self, seq: u64, error: Option<String>) {
        let Some((_, outbound)) = &self.connection else {
            return;
        };
        let Some(error) = error else {
            outbound.success();
            return;
        };
        Counters::add(&runtime().stats.failed_acks, 1);
        if seq < self.resync_seq {
            // Sent before the last resync; that one supersedes it.
            return;
        }
        match outbound.failure() {
            Recovery::ResendBoundary => {
                tracing::warn!(instance = %self.id, seq, %error, "hotreload: client could not apply a patch; resending the boundary");
                let _ = self.refresh(true);
                self.resync_seq = self.seq;
            }
            Recovery::Reload => self.send_reload("patches kept failing to apply"),
            Recovery::Wait => {}
        }
    }

    fn close(&mut self) {
        self.tasks.abort_all();
    }

    fn params(&mut self, url: &str) {
        if runtime().parent_of(self.id).is_some() || !is_local_path(url) {
            return;
        }
        if self
            .history
            .as_ref()
            .is_some_and(|h| h.travelling().is_some())
        {
            tracing::debug!(instance = %self.id, url, "hotreload: URL change while time-travelling ignored");
            return;
        }
        Counters::add(&runtime().stats.events, 1);
        let started = Instant::now();
        self.flash.clear_all();
        self.handle_params(url, 0);
        let took = started.elapsed();
        self.snapshot_later();
        let _ = self.refresh(false);
        if self.history.is_some() {
            self.record(Record::new(RecordKind::Params, serde_json::json!(url)).took(took));
        }
    }

    fn clear_flash(&mut self, kind: FlashKind) {
        self.flash.clear(kind);
        let _ = self.refresh(false);
    }

    fn snapshot_now(&mut self, everything: bool) {
        self.snapshot_scheduled = false;
        let Some(hooks) = runtime().hooks() else {
            return;
        };
        if self.snapshot_dirty {
            self.snapshot_dirty = false;
            // While time-travelling, the state shown is a recorded one: the view's own state
            // (what a restart must bring back) is the newest entry.
            let travelled = self
                .history
                .as_ref()
                .filter(|h| h.travelling().is_some())
                .and_then(|h| h.entries().last())
                .map(|entry| entry.state.to_vec());
            match travelled.map_or_else(|| snapshot::to_bytes(&self.state), Ok) {
                Ok(bytes) => hooks.save_state(self.id, std::any::type_name::<V>(), bytes),
                Err(error) => {
                    tracing::warn!(%error, view = V::name(), "hotreload: state does not serialize; not saved");
                }
            }
        }
        if !V::PRESERVE_STATE || !hooks.keeps_state() {
            return;
        }
        let due = everything
            || self
                .history_saved_at
                .is_none_or(|at| at.elapsed() >= HISTORY_SAVE_PERIOD);
        if let Some(history) = self.history.as_mut().filter(|h| due && h.is_dirty()) {
            self.history_saved_at = Some(Instant::now());
            let saved = history.take_save();
            let (id, type_name) = (self.id, std::any::type_name::<V>());
            let seq = self
                .history_saves
                .fetch_add(1, std::sync::atomic::Ordering::AcqRel)
                + 1;
            let latest = Arc::clone(&self.history_saves);
            // Encoding up to 8 MiB (and compressing it, in the hooks) is not for the worker
            // thread, which renders other instances too; only a restart's flush waits for it.
            let save = move || {
                // A later save overtook this one: it has the newer history.
                if latest.load(std::sync::atomic::Ordering::Acquire) != seq {
                    return;
                }
                match saved.encode() {
                    Ok(bytes) => hooks.save_history(id, type_name, bytes),
                    Err(error) => tracing::debug!(%error, "hotreload: history not saved"),
                }
            };
            match runtime().tokio().filter(|_| !everything) {
                Some(tokio) => drop(tokio.spawn_blocking(save)),
                None => save(),
            }
        }
    }
}

impl<V: LiveView> Drop for Instance<V> {
    fn drop(&mut self) {
        self.tasks.abort_all();
        let runtime = runtime();
        runtime.forget_child_html(self.id);
        if let Some(hooks) = runtime.hooks() {
            // Dropped after its page went away for good: its snapshot is no longer needed.
            hooks.forget_state(self.id);
        }
        crate::template::registry().forget_instance(self.id);
        crate::live::upload::forget_instance(self.id);
    }
}
