//! [`LiveHandle`]: sends an instance values from outside an event (timers, background work).
//!
//! Everything a handle delivers is a server-side value for [`HandleInfo`]: it reaches the
//! instance's worker as a closure (`Deliver`), never as JSON, so nothing a page sends can
//! pass for it.

use crate::live::async_work::{AbortOnDrop, NamedTasks, TaskError, TaskResult};
use crate::live::runtime::runtime;
use crate::live::view::{Context, HandleInfo, LiveView};
use crate::pubsub::registry::Delivery;
use crate::pubsub::{Broadcast, SUBSCRIBER_QUEUE, Subscription, Topic, subscribe_raw};
use crate::template::InstanceId;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use thiserror::Error;

/// The instance a message was sent to no longer exists (its page was closed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("live view instance {0} is gone")]
pub struct Gone(pub InstanceId);

/// A server-side value on its way to an instance of `V`: applied on the instance's worker.
pub(crate) type Deliver<V> = Box<dyn for<'a> FnOnce(&mut V, &mut Context<'a, V>) + Send>;

/// Sends values to one live instance of view `V` ([`HandleInfo`]); cheap to clone, usable
/// from any thread.
///
/// Tasks started with [`spawn`](Self::spawn), [`start`](Self::start) or
/// [`every`](Self::every) are aborted when the instance goes away, so a timer never outlives
/// its page.
pub struct LiveHandle<V> {
    id: InstanceId,
    tasks: Arc<Tasks>,
    _view: PhantomData<fn(V)>,
}

/// Background tasks and broadcast subscriptions of one instance, ended with it.
#[derive(Debug)]
pub(crate) struct Tasks {
    handles: Mutex<Vec<tokio::task::AbortHandle>>,
    named: NamedTasks,
    subscriptions: Mutex<Vec<Subscription>>,
    closed: std::sync::atomic::AtomicBool,
    /// The tokio runtime the instance was mounted on: its tasks run there, also when they are
    /// started from a worker thread. Several runtimes serving one process (a test binary's
    /// `#[tokio::test]`s, each with its own runtime and clock) then never get each other's
    /// tasks.
    tokio: Option<tokio::runtime::Handle>,
}

impl Default for Tasks {
    fn default() -> Self {
        Tasks {
            handles: Mutex::default(),
            named: NamedTasks::default(),
            subscriptions: Mutex::default(),
            closed: std::sync::atomic::AtomicBool::new(false),
            tokio: tokio::runtime::Handle::try_current().ok(),
        }
    }
}

impl Tasks {
    /// The runtime to spawn this instance's tasks on: the current one, else the one it was
    /// mounted on, else the one that last served a request.
    fn tokio(&self) -> Option<tokio::runtime::Handle> {
        tokio::runtime::Handle::try_current()
            .ok()
            .or_else(|| self.tokio.clone())
            .or_else(|| runtime().tokio())
    }

    pub(crate) fn abort_all(&self) {
        self.closed
            .store(true, std::sync::atomic::Ordering::Release);
        let handles =
            std::mem::take(&mut *self.handles.lock().unwrap_or_else(PoisonError::into_inner));
        for handle in handles {
            handle.abort();
        }
        self.named.abort_all();
        self.end_subscriptions();
    }

    /// Ends every subscription (outside the lock: ending one takes its topic's lock).
    fn end_subscriptions(&self) {
        let ended = std::mem::take(
            &mut *self
                .subscriptions
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        drop(ended);
    }

    /// Keeps `subscription` until the instance ends (dropped at once if it already has).
    fn keep(&self, subscription: Subscription) {
        self.subscriptions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(subscription);
        if self.is_closed() {
            // Closed while subscribing: `abort_all` may have run before the push.
            self.end_subscriptions();
        }
    }

    /// Ends the subscriptions to the topic called `name`.
    fn unsubscribe(&self, name: &str) {
        self.subscriptions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .retain(|subscription| subscription.topic() != name);
    }

    fn is_closed(&self) -> bool {
        self.closed.load(std::sync::atomic::Ordering::Acquire)
    }
}

/// A server-sent value on its way to an instance, with the name of its type (for the
/// inspector's event log: what arrived, since the value itself is inside the closure).
pub(crate) struct Info<V: LiveView> {
    /// The value's type, without its module path (`Tick`, `TaskResult`).
    pub(crate) name: &'static str,
    /// What applies it.
    pub(crate) deliver: Deliver<V>,
}

impl<V: LiveView> Info<V> {
    /// `deliver`, named after type `I`.
    pub(crate) fn of<I>(deliver: Deliver<V>) -> Box<Self> {
        Box::new(Info {
            name: crate::live::view::short_type_name::<I>(),
            deliver,
        })
    }
}

/// `info` on its way to a `V`'s `handle_info`.
pub(crate) fn deliver_info<V, I>(info: I) -> Deliver<V>
where
    V: HandleInfo<I>,
    I: Send + 'static,
{
    Box::new(move |view: &mut V, cx: &mut Context<'_, V>| view.handle_info(info, cx))
}

/// Queues `info` for the `handle_info` of instance `id` (a `V`); `pending`, if any, is cleared
/// once it has been handled. [`Gone`] if no worker has the instance.
pub(crate) fn send_info<V, I>(
    id: InstanceId,
    info: I,
    pending: Option<Arc<AtomicBool>>,
) -> Result<(), Gone>
where
    V: HandleInfo<I>,
    I: Send + 'static,
{
    // Sent from `update` during a replay: the view it goes to did not ask for it again.
    if crate::pubsub::held::hold_message() {
        return Ok(());
    }
    if runtime().send_message(id, Info::<V>::of::<I>(deliver_info::<V, I>(info)), pending) {
        Ok(())
    } else {
        Err(Gone(id))
    }
}

/// A broadcast message queued for an instance: frees its place in the subscriber's queue when
/// handled (or dropped unhandled, its instance gone).
struct Taken(Arc<AtomicUsize>);

impl Drop for Taken {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

thread_local! {
    /// The instance whose state is being deserialized on this thread (its view's type, id and
    /// tasks), for the `LiveHandle`s inside it.
    static RESTORING: std::cell::RefCell<Option<(std::any::TypeId, InstanceId, Arc<Tasks>)>> =
        const { std::cell::RefCell::new(None) };
}

/// Runs `restore` (deserializing instance `id` of `V`) so that handles of `V` in the state come
/// back addressing that instance with `tasks`.
pub(crate) fn restoring<V: LiveView, R>(
    id: InstanceId,
    tasks: &Arc<Tasks>,
    restore: impl FnOnce() -> R,
) -> R {
    /// Puts the previous value back however `restore` ends (a `Deserialize` impl may panic).
    struct Reset(Option<Restoring>);
    impl Drop for Reset {
        fn drop(&mut self) {
            let previous = self.0.take();
            RESTORING.with(|slot| *slot.borrow_mut() = previous);
        }
    }
    let previous = RESTORING
        .with(|slot| slot.replace(Some((std::any::TypeId::of::<V>(), id, Arc::clone(tasks)))));
    let _reset = Reset(previous);
    restore()
}

/// What [`RESTORING`] holds: the view type, id and tasks of the instance being restored.
type Restoring = (std::any::TypeId, InstanceId, Arc<Tasks>);

/// A handle is part of the state it is kept in, but not data: it serializes as the id it
/// addressed (not as a unit, which MessagePack would write as `nil`, the same as `None`, so an
/// `Option<LiveHandle<_>>` would come back `None`).
impl<V> serde::Serialize for LiveHandle<V> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(self.id.0)
    }
}

/// Restored with its instance's state (after a dev-server restart), a handle addresses that
/// instance again, so work started through a handle kept in the state still reports back.
/// Deserialized anywhere else it is closed: sending through it gives [`Gone`]. Every
/// `LiveHandle<V>` in a `V`'s state comes back addressing that instance, including one that
/// addressed another instance of the same view (a recursive view's parent): keep such handles
/// out of the state and ask [`Context::parent`] when needed.
impl<'de, V: LiveView> serde::Deserialize<'de> for LiveHandle<V> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        u64::deserialize(deserializer)?;
        let current = RESTORING.with(|slot| {
            slot.borrow()
                .as_ref()
                .filter(|(view, _, _)| *view == std::any::TypeId::of::<V>())
                .map(|(_, id, tasks)| (*id, Arc::clone(tasks)))
        });
        Ok(match current {
            Some((id, tasks)) => LiveHandle::new(id, tasks),
            None => {
                let tasks = Arc::new(Tasks::default());
                tasks.abort_all();
                LiveHandle::new(InstanceId(0), tasks)
            }
        })
    }
}

impl<V> Clone for LiveHandle<V> {
    fn clone(&self) -> Self {
        LiveHandle {
            id: self.id,
            tasks: Arc::clone(&self.tasks),
            _view: PhantomData,
        }
    }
}

impl<V> fmt::Debug for LiveHandle<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LiveHandle").field("id", &self.id).finish()
    }
}

impl<V: LiveView> LiveHandle<V> {
    pub(crate) fn new(id: InstanceId, tasks: Arc<Tasks>) -> Self {
        LiveHandle {
            id,
            tasks,
            _view: PhantomData,
        }
    }

    /// The instance this handle addresses.
    pub fn id(&self) -> InstanceId {
        self.id
    }

    /// The tasks this handle's `spawn`s are aborted with.
    pub(crate) fn tasks(&self) -> &Arc<Tasks> {
        &self.tasks
    }

    /// Queues `info` for the instance's [`HandleInfo::handle_info`]; the new render is pushed
    /// to the browser like an event's.
    pub fn send<I>(&self, info: I) -> Result<(), Gone>
    where
        I: Send + 'static,
        V: HandleInfo<I>,
    {
        self.send_tracked(info, None)
    }

    fn send_tracked<I>(&self, info: I, pending: Option<Arc<AtomicBool>>) -> Result<(), Gone>
    where
        I: Send + 'static,
        V: HandleInfo<I>,
    {
        if self.tasks.is_closed() {
            return Err(Gone(self.id));
        }
        send_info::<V, I>(self.id, info, pending)
    }

    /// Runs `task` on the server's tokio runtime until it ends or the instance goes away.
    pub fn spawn<F>(&self, task: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        if self.tasks.is_closed() {
            return;
        }
        let Some(tokio) = self.tasks.tokio() else {
            tracing::warn!(instance = %self.id, "hotreload: no tokio runtime to spawn a live task on");
            return;
        };
        let handle = tokio.spawn(task).abort_handle();
        self.tasks
            .handles
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(handle.clone());
        if self.tasks.is_closed() {
            // Closed while spawning: `abort_all` may have drained the list before the push.
            handle.abort();
        }
    }

    /// Runs `work` on the server's tokio runtime and hands its result to
    /// [`HandleInfo::handle_info`]; aborted if the instance goes away first.
    pub fn start<F>(&self, work: F)
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
        V: HandleInfo<F::Output>,
    {
        let handle = self.clone();
        self.spawn(async move {
            let output = work.await;
            // Gone: the page closed while the work ran; nobody is waiting for it.
            let _ = handle.send(output);
        });
    }

    /// Runs `work` under `name` and hands its outcome to
    /// [`HandleInfo::handle_info`] as a [`TaskResult`]: its value, or
    /// [`TaskError::Panicked`] if it panicked (the instance lives on). A new start under the
    /// same name cancels the running one, and a result of an older start that is already on
    /// its way is dropped: the view sees only the latest. Aborted with the instance.
    /// Phoenix's `start_async`; keep an [`Async`](crate::live::Async) in the state for the
    /// loading state.
    pub fn start_async<F>(&self, name: &'static str, work: F)
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
        V: HandleInfo<TaskResult<F::Output>>,
    {
        if self.tasks.is_closed() {
            return;
        }
        let Some(tokio) = self.tasks.tokio() else {
            tracing::warn!(instance = %self.id, "hotreload: no tokio runtime to start a live task on");
            return;
        };
        let generation = self.tasks.named.next(name);
        let (id, tasks) = (self.id, Arc::clone(&self.tasks));
        let outer = tokio.spawn(async move {
            // The work runs as a task of its own so that a panic in it is a `JoinError` here,
            // not the end of this task; aborting this task aborts it too.
            let inner = tokio::spawn(work);
            let _abort_inner = AbortOnDrop(inner.abort_handle());
            let result = match inner.await {
                Ok(value) => Ok(value),
                Err(error) if error.is_panic() => Err(TaskError::Panicked(
                    crate::live::instance::panic_message(error.into_panic().as_ref()),
                )),
                Err(_) => return, // cancelled
            };
            let deliver: Deliver<V> = Box::new(move |view: &mut V, cx: &mut Context<'_, V>| {
                // A newer start of the same name wins over a result already on its way.
                if tasks.named.finish(name, generation) {
                    view.handle_info(TaskResult { name, result }, cx);
                }
            });
            runtime().send_message(id, Info::<V>::of::<TaskResult<F::Output>>(deliver), None);
        });
        self.tasks
            .named
            .started(name, generation, outer.abort_handle());
        if self.tasks.is_closed() {
            outer.abort();
        }
    }

    /// Cancels the task running under `name`, if any (its result will not come).
    pub fn cancel_async(&self, name: &'static str) {
        self.tasks.named.next(name);
    }

    /// Subscribes this instance to `topic` until it goes away (or
    /// [`unsubscribe`](Self::unsubscribe)): every message published there comes to its
    /// [`HandleInfo::handle_info`], after which it re-renders and its page is patched. Messages
    /// beyond [`SUBSCRIBER_QUEUE`] not yet handled are dropped for this instance (see
    /// [`pubsub`](crate::pubsub)). Subscribing twice to one topic delivers every message twice.
    pub fn subscribe<T>(&self, topic: &Topic<T>)
    where
        T: Broadcast,
        V: HandleInfo<T>,
    {
        if self.tasks.is_closed() {
            return;
        }
        let id = self.id;
        let pending = Arc::new(AtomicUsize::new(0));
        let subscription = subscribe_raw(
            topic,
            Box::new(move |payload| {
                let Some(message) = payload.downcast_ref::<T>() else {
                    return Delivery::Queued;
                };
                if pending.fetch_add(1, Ordering::AcqRel) >= SUBSCRIBER_QUEUE {
                    pending.fetch_sub(1, Ordering::AcqRel);
                    return Delivery::Full;
                }
                let taken = Taken(Arc::clone(&pending));
                let message = message.clone();
                let deliver: Deliver<V> = Box::new(move |view: &mut V, cx: &mut Context<'_, V>| {
                    drop(taken);
                    view.handle_info(message, cx);
                });
                if runtime().send_message(id, Info::<V>::of::<T>(deliver), None) {
                    Delivery::Queued
                } else {
                    Delivery::Gone
                }
            }),
        );
        self.tasks.keep(subscription);
    }

    /// Ends this instance's subscriptions to `topic`.
    pub fn unsubscribe<T>(&self, topic: &Topic<T>) {
        self.tasks.unsubscribe(topic.name());
    }

    /// Sends `make()` every `period`, starting one period from now, until the instance goes away.
    ///
    /// A tick is skipped while the previous one has not been handled yet: a timer faster than
    /// the view's `update` + render never piles up messages on its worker thread (where it
    /// would delay every other instance that shares the thread).
    pub fn every<I>(&self, period: Duration, make: impl Fn() -> I + Send + 'static)
    where
        I: Send + 'static,
        V: HandleInfo<I>,
    {
        let handle = self.clone();
        let pending = Arc::new(AtomicBool::new(false));
        self.spawn(async move {
            let mut interval =
                tokio::time::interval_at(tokio::time::Instant::now() + period, period);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            loop {
                interval.tick().await;
                if pending.swap(true, Ordering::AcqRel) {
                    continue;
                }
                if handle
                    .send_tracked(make(), Some(Arc::clone(&pending)))
                    .is_err()
                {
                    break;
                }
            }
        });
    }
}
