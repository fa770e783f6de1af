//! The process-wide live runtime: registered views, worker threads, ids, counters, the
//! latest render of every nested view, the circuit breaker's settings and the development
//! hooks (see `hooks.rs`), if any are installed.

use crate::live::app_state::AppState;
use crate::live::breaker::BreakerConfig;
use crate::live::flash::Flash;
use crate::live::handle::{Deliver, LiveHandle, Tasks, restoring};
use crate::live::history::{History, Record, RecordKind};
use crate::live::hooks::RuntimeHooks;
use crate::live::instance::{Instance, render_with_flash};
use crate::live::params::Params;
use crate::live::snapshot;
use crate::live::stats::Counters;
use crate::live::view::{Context, LiveView, Mount};
use crate::live::worker::{Job, Workers};
use crate::template::{Html, InstanceId};
use axum::http::request::Parts;
use dashmap::DashMap;
use std::any::Any;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, OnceLock, PoisonError, RwLock};

pub(crate) use crate::live::outbound::Outbound;

/// A WebSocket connection's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct ConnectionId(pub(crate) u64);

/// Brings back an instance of a registered view for a page whose server restarted: restored
/// from its snapshot, or mounted fresh (a toast on `Outbound` says why its state was lost).
pub(crate) type Resume = fn(InstanceId, &Parts, &Outbound) -> Job;

/// Who a nested view's parent is.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ParentRecord {
    parent: InstanceId,
    /// The parent's view type.
    view: std::any::TypeId,
    /// The child's view name.
    child_view: &'static str,
}

/// The live runtime. One per process: see [`runtime()`].
#[derive(Debug)]
pub(crate) struct LiveRuntime {
    /// Counters.
    pub(crate) stats: Counters,
    boot: u64,
    ids: AtomicU64,
    connections: AtomicU64,
    hasher: RandomState,
    workers: Workers,
    views: DashMap<&'static str, Resume>,
    /// Live connections' breakers, for the stats endpoint.
    pub(crate) breakers: DashMap<ConnectionId, Outbound>,
    /// The tokio runtime that last served a request, for tasks started off it.
    tokio: RwLock<Option<tokio::runtime::Handle>>,
    /// The latest render of every nested view, for its parent's renders.
    child_html: DashMap<InstanceId, Arc<str>>,
    /// Every nested view's parent (its id and view type), recorded when the parent mounts or
    /// restores it, read when the child asks for its parent (`Context::parent`): after a
    /// restart the child may be back before its parent, so this is looked up late.
    parents: DashMap<InstanceId, ParentRecord>,
    /// The route pattern each view was last served at (`/items/{id}`), for the path
    /// parameters of URLs it is patched to or brought back with.
    patterns: DashMap<&'static str, Arc<str>>,
    /// Breaker thresholds of routes without a [`LiveConfig`](crate::live::LiveConfig).
    default_breaker: BreakerConfig,
    /// What development adds (installed by hot reload); `None` in release builds.
    hooks: OnceLock<Arc<dyn RuntimeHooks>>,
}

/// The process-wide live runtime.
pub(crate) fn runtime() -> &'static LiveRuntime {
    static RUNTIME: LazyLock<LiveRuntime> = LazyLock::new(LiveRuntime::new);
    &RUNTIME
}

impl LiveRuntime {
    fn new() -> Self {
        let hasher = RandomState::new();
        let boot = hasher.hash_one(std::time::SystemTime::now());
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(2, 8));
        LiveRuntime {
            stats: Counters::default(),
            boot,
            ids: AtomicU64::new(0),
            connections: AtomicU64::new(0),
            hasher,
            workers: Workers::start(threads),
            views: DashMap::new(),
            breakers: DashMap::new(),
            tokio: RwLock::new(None),
            child_html: DashMap::new(),
            parents: DashMap::new(),
            patterns: DashMap::new(),
            default_breaker: BreakerConfig::from_env().unwrap_or_default(),
            hooks: OnceLock::new(),
        }
    }

    /// Installs the development hooks (once per process; later calls are ignored).
    pub(crate) fn install_hooks(&self, hooks: Arc<dyn RuntimeHooks>) {
        let _ = self.hooks.set(hooks);
    }

    /// The development hooks, if hot reload installed them.
    pub(crate) fn hooks(&self) -> Option<&dyn RuntimeHooks> {
        self.hooks.get().map(|hooks| &**hooks)
    }

    /// The key that signs instance tokens and flash cookies.
    pub(crate) fn token_key(&self) -> &'static crate::live::token::Key {
        crate::live::token::process_key(self.hooks().and_then(|hooks| hooks.token_key()))
    }

    /// The breaker thresholds of a connection whose route has no [`LiveConfig`](crate::live::LiveConfig).
    pub(crate) fn default_breaker(&self) -> BreakerConfig {
        self.default_breaker
    }

    /// Keeps child `id`'s latest render for its parent's renders.
    pub(crate) fn set_child_html(&self, id: InstanceId, html: &str) {
        self.child_html.insert(id, Arc::from(html));
    }

    /// Child `id`'s latest render, if it has rendered.
    pub(crate) fn child_html(&self, id: InstanceId) -> Option<Arc<str>> {
        self.child_html.get(&id).map(|html| Arc::clone(&html))
    }

    pub(crate) fn forget_child_html(&self, id: InstanceId) {
        self.child_html.remove(&id);
        self.parents.remove(&id);
    }

    /// Records that `child` (a `child_view`) is nested in `parent`, an instance of the view
    /// with type id `view`.
    pub(crate) fn set_parent(
        &self,
        child: InstanceId,
        child_view: &'static str,
        parent: InstanceId,
        view: std::any::TypeId,
    ) {
        self.parents.insert(
            child,
            ParentRecord {
                parent,
                view,
                child_view,
            },
        );
    }

    /// The parent of `child` (its id and view type), if it is a nested view.
    pub(crate) fn parent_of(&self, child: InstanceId) -> Option<(InstanceId, std::any::TypeId)> {
        self.parents
            .get(&child)
            .map(|entry| (entry.parent, entry.view))
    }

    /// The view name recorded for nested view `child`, if it is one.
    pub(crate) fn child_view_of(&self, child: InstanceId) -> Option<&'static str> {
        self.parents.get(&child).map(|entry| entry.child_view)
    }

    /// The nested views of `parent` (ids and view names). A scan of every nested view: for
    /// the rare remount, not for every event.
    pub(crate) fn children_of(&self, parent: InstanceId) -> Vec<(InstanceId, &'static str)> {
        self.parents
            .iter()
            .filter(|entry| entry.parent == parent)
            .map(|entry| (*entry.key(), entry.child_view))
            .collect()
    }

    /// Records the route pattern view `view` is served at.
    pub(crate) fn set_route_pattern(&self, view: &'static str, pattern: &str) {
        if self
            .patterns
            .get(view)
            .is_none_or(|p| p.as_ref() != pattern)
        {
            self.patterns.insert(view, Arc::from(pattern));
        }
    }

    /// The route pattern view `view` was last served at.
    pub(crate) fn route_pattern(&self, view: &str) -> Option<Arc<str>> {
        self.patterns.get(view).map(|p| Arc::clone(&p))
    }

    /// Changes on every process start; clients see it in `welcome`.
    pub(crate) fn boot_id(&self) -> String {
        format!("{:016x}", self.boot)
    }

    /// A fresh, hard-to-guess instance id.
    pub(crate) fn next_instance_id(&self) -> InstanceId {
        let n = self.ids.fetch_add(1, Ordering::Relaxed);
        InstanceId(self.hasher.hash_one((self.boot, n)))
    }

    pub(crate) fn next_connection_id(&self) -> ConnectionId {
        ConnectionId(self.connections.fetch_add(1, Ordering::Relaxed))
    }

    /// Remembers the tokio runtime serving requests, for tasks started from worker threads
    /// (e.g. a mount after a server restart runs on a worker, outside any runtime).
    pub(crate) fn capture_tokio(&self) {
        if let Ok(handle) = tokio::runtime::Handle::try_current() {
            *self.tokio.write().unwrap_or_else(PoisonError::into_inner) = Some(handle);
        }
    }

    /// The current tokio runtime, or the one that last served a request.
    pub(crate) fn tokio(&self) -> Option<tokio::runtime::Handle> {
        tokio::runtime::Handle::try_current().ok().or_else(|| {
            self.tokio
                .read()
                .unwrap_or_else(PoisonError::into_inner)
                .clone()
        })
    }

    /// Makes `V` mountable by name (for reconnects after a restart).
    pub(crate) fn register_view<V: LiveView>(&self) {
        if !self.views.contains_key(V::name()) {
            self.views.insert(V::name(), resume::<V>);
        }
    }

    pub(crate) fn resume(&self, view: &str) -> Option<Resume> {
        self.views.get(view).map(|m| *m)
    }

    /// The worker thread that owns `id`, and the number of workers.
    pub(crate) fn worker_of(&self, id: InstanceId) -> (usize, usize) {
        self.workers.index_of(id)
    }

    /// Runs a job on the worker that owns `id`.
    pub(crate) fn run(&self, id: InstanceId, job: Job) -> bool {
        self.workers.run(id, job)
    }

    /// Queues a handle message; `delivered` (if any) is cleared once the instance has
    /// handled it.
    pub(crate) fn send_message(
        &self,
        id: InstanceId,
        msg: Box<dyn Any + Send>,
        delivered: Option<Arc<std::sync::atomic::AtomicBool>>,
    ) -> bool {
        self.workers.run(
            id,
            Box::new(move |instances| {
                instances.deliver(id, msg);
                if let Some(pending) = delivered {
                    pending.store(false, Ordering::Release);
                }
            }),
        )
    }

    /// Re-renders the given instances (after a hot swap) and sends each client what changed.
    /// Waits up to `timeout` for every worker to finish and returns, per instance that still
    /// exists, whether its render succeeded (`Err` carries the panic message).
    #[allow(
        dead_code,
        reason = "called by the dev layer (swaps, restarts), which a build without the `hot-reload` feature leaves out"
    )]
    pub(crate) fn rerender(
        &self,
        ids: &[InstanceId],
        timeout: std::time::Duration,
    ) -> Vec<(InstanceId, Result<(), String>)> {
        let (sender, receiver) = std::sync::mpsc::channel();
        let mut expected = 0;
        for &id in ids {
            let sender = sender.clone();
            let queued = self.workers.run(
                id,
                Box::new(move |instances| {
                    let outcome = instances.get_mut(id).map(|instance| instance.rerender());
                    let _ = sender.send((id, outcome));
                }),
            );
            if queued {
                expected += 1;
            }
        }
        drop(sender);
        let deadline = std::time::Instant::now() + timeout;
        let mut outcomes = Vec::with_capacity(expected);
        while outcomes.len() < expected {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match receiver.recv_timeout(left) {
                Ok((id, Some(outcome))) => outcomes.push((id, outcome)),
                Ok((_, None)) => expected -= 1,
                Err(_) => break,
            }
        }
        outcomes
    }

    /// Snapshots every instance whose state changed since its last snapshot, now (before a
    /// restart or exit), waiting up to `timeout`.
    #[allow(
        dead_code,
        reason = "called by the dev layer (swaps, restarts), which a build without the `hot-reload` feature leaves out"
    )]
    pub(crate) fn snapshot_now(&self, timeout: std::time::Duration) {
        self.workers.run_everywhere(
            || Box::new(|instances| instances.each_mut(|instance| instance.snapshot_now(true))),
            timeout,
        );
    }

    /// Waits (up to `timeout`) until every worker has run the jobs queued so far and rendered
    /// what they changed: the test harness's barrier after each event.
    #[cfg(feature = "testing")]
    pub(crate) fn settle_workers(&self, timeout: std::time::Duration) {
        self.workers
            .run_everywhere(|| Box::new(|instances| instances.flush()), timeout);
    }

    /// Mounts a new instance of `V` for a request; returns its id and inner HTML. The instance
    /// waits on its worker for the page's socket to attach.
    pub(crate) fn mount<V: LiveView>(&self, request: &Parts) -> (InstanceId, Html) {
        let id = self.next_instance_id();
        let (job, html) = mount_instance::<V>(id, request);
        self.run(id, job);
        (id, html)
    }
}

/// Runs `change` (first props, `handle_params`) on a state being mounted, catching panics, and
/// keeps the flash it asks for. Navigation asked for then is ignored (the page is still being
/// served).
fn while_mounting<V: LiveView>(
    state: &mut V,
    handle: &LiveHandle<V>,
    app: Option<&AppState>,
    flash: &mut Flash,
    pushed: &mut Vec<(String, serde_json::Value)>,
    what: &str,
    change: &mut dyn FnMut(&mut V, &mut Context<'_, V>),
) {
    let event = crate::live::view::Event::default();
    let mut cx = Context::new(&event, handle.clone(), app);
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        change(state, &mut cx);
        cx.into_effects()
    })) {
        Ok(mut effects) => {
            effects.apply_flash(flash);
            pushed.append(&mut effects.pushed);
            if effects.navigation.is_some() {
                tracing::warn!(
                    view = V::name(),
                    "hotreload: navigation asked for while mounting is ignored (the page is being served)"
                );
            }
        }
        Err(panic) => tracing::error!(
            view = V::name(),
            panic = %crate::live::instance::panic_message(panic.as_ref()),
            "hotreload: {what} panicked while mounting"
        ),
    }
}

/// Restores instance `id` of `V` from its snapshot, or mounts it fresh; see [`Resume`].
fn resume<V: LiveView>(id: InstanceId, request: &Parts, outbound: &Outbound) -> Job {
    let Some(hooks) = runtime()
        .hooks()
        .filter(|h| V::PRESERVE_STATE && h.keeps_state())
    else {
        return mount_instance::<V>(id, request).0;
    };
    let type_name = std::any::type_name::<V>();
    let restored = match hooks.load_state(id, type_name) {
        Ok(None) => return mount_instance::<V>(id, request).0,
        Ok(Some(bytes)) => {
            let tasks = Arc::new(Tasks::default());
            // A `LiveHandle` kept in the state comes back addressing this instance.
            // A user `Deserialize` that panics is a snapshot that does not restore.
            // A state whose struct changed since is migrated field by field.
            let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                restoring::<V, _>(id, &tasks, || {
                    snapshot::from_bytes::<V>(&bytes)
                        .map(|state| (state, None))
                        .or_else(|error| {
                            crate::live::migrate::migrate::<V>(&bytes)
                                .map(|(state, migration)| (state, Some(migration)))
                                .map_err(|why| {
                                    format!("its type changed since the snapshot was taken ({error}) and it could not be migrated: {why}")
                                })
                        })
                })
            }))
            .unwrap_or_else(|panic| {
                Err(format!(
                    "deserializing it panicked: {}",
                    crate::live::instance::panic_message(panic.as_ref())
                ))
            })
            .map(|(state, migration)| (state, migration, tasks));
            hooks.count_restore(decoded.is_ok());
            decoded
        }
        Err(message) => Err(message),
    };
    match restored {
        Ok((state, migration, tasks)) => {
            tracing::debug!(view = V::name(), instance = %id, "hotreload: state restored");
            let mut restore = Record::new(RecordKind::Restore, serde_json::Value::Null);
            if let Some(migration) = migration {
                tracing::info!(view = V::name(), instance = %id, %migration, "hotreload: state migrated to the changed struct");
                outbound.send(hooks.warning_frame(&format!(
                    "{}: state migrated to the changed struct: {migration}",
                    V::name()
                )));
                restore.msg = serde_json::json!(migration.to_string());
            }
            let history = hooks
                .load_history(id, type_name)
                .and_then(|bytes| History::restore(&bytes).ok());
            restored_instance::<V>(id, request, state, tasks, (restore, history))
        }
        Err(message) => {
            tracing::warn!(view = V::name(), instance = %id, %message, "hotreload: state not restored");
            outbound.send(hooks.warning_frame(&format!(
                "{type_name}: state could not be restored, started fresh ({message})"
            )));
            mount_instance::<V>(id, request).0
        }
    }
}

/// An instance with restored `state`. `mount` still runs (on a scratch state) so timers and
/// background tasks start again; nested views restore themselves from their own snapshots.
fn restored_instance<V: LiveView>(
    id: InstanceId,
    request: &Parts,
    state: V,
    tasks: Arc<Tasks>,
    (restore, history): (Record, Option<History>),
) -> Job {
    let mut scratch = V::default();
    {
        let mut mount = Mount::new(request, LiveHandle::new(id, Arc::clone(&tasks))).restoring();
        let _ =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| scratch.mount(&mut mount)));
    }
    let app = AppState::of_request(request);
    Box::new(move |instances| {
        if instances.get_mut(id).is_none() {
            // The client's copy is unknown here; attaching resends the whole boundary.
            instances.insert(
                id,
                Box::new(
                    Instance::new(id, state, "", tasks, app, Flash::default())
                        .recording(restore, history),
                ),
            );
        }
    })
}

/// Mounts `V` as instance `id`: returns the job that installs it on its worker (unless an
/// instance with that id is already there) and its first render, which the client will be
/// sent. Children it mounts are installed on their own workers right away.
pub(crate) fn mount_instance<V: LiveView>(id: InstanceId, request: &Parts) -> (Job, Html) {
    mount_with::<V>(id, request, None)
}

/// [`mount_instance`], then `init` (a child's first props) before the first render.
pub(crate) fn mount_with<V: LiveView>(
    id: InstanceId,
    request: &Parts,
    init: Option<Deliver<V>>,
) -> (Job, Html) {
    let runtime = runtime();
    runtime.capture_tokio();
    Counters::add(&runtime.stats.mounts, 1);
    let tasks = Arc::new(Tasks::default());
    let mut state = V::default();
    {
        let mut mount = Mount::new(request, LiveHandle::new(id, Arc::clone(&tasks)));
        let _span = tracing::debug_span!("mount", view = V::name(), instance = %id).entered();
        if let Err(panic) =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| state.mount(&mut mount)))
        {
            tracing::error!(
                view = V::name(),
                panic = %crate::live::instance::panic_message(panic.as_ref()),
                "hotreload: mount panicked; starting from the default state"
            );
            state = V::default();
        }
    }
    let app = AppState::of_request(request);
    let mut flash = Flash::default();
    let mut pushed = Vec::new();
    // A top-level view reads its URL, and shows what a handler that redirected here left.
    let top_level = runtime.parent_of(id).is_none();
    if top_level
        && let Some((kind, message)) = crate::live::flash::from_cookie(request, runtime.token_key())
    {
        flash.put(kind, message);
    }
    let handle = LiveHandle::new(id, Arc::clone(&tasks));
    let mut mounting = |what: &str, change: &mut dyn FnMut(&mut V, &mut Context<'_, V>)| {
        while_mounting(
            &mut state,
            &handle,
            app.as_ref(),
            &mut flash,
            &mut pushed,
            what,
            change,
        );
    };
    if let Some(init) = init {
        let mut init = Some(init);
        mounting("handling the first props", &mut |state, cx| {
            if let Some(init) = init.take() {
                init(state, cx);
            }
        });
    }
    if top_level {
        let params = Params::of_request(request, runtime.route_pattern(V::name()).as_deref());
        mounting("handle_params", &mut |state, cx| {
            state.handle_params(&params, cx);
        });
    }
    let html = render_with_flash(id, &state, &flash).unwrap_or_else(|message| {
        Html::from_trusted(format!(
            "<p data-live-error>render failed: {}</p>",
            crate::live::page::escape(&message)
        ))
    });
    let client_html = html.as_str().to_owned();
    let job: Job = Box::new(move |instances| {
        if instances.get_mut(id).is_none() {
            instances.insert(
                id,
                Box::new(
                    Instance::new(id, state, &client_html, tasks, app, flash)
                        .with_pushed(pushed)
                        .recording(
                            Record::new(RecordKind::Mount, serde_json::Value::Null),
                            None,
                        ),
                ),
            );
        }
    });
    (job, html)
}
