//! [`LiveHandle`]: sends an instance messages from outside an event (timers, background work).

use crate::live::runtime::runtime;
use crate::template::InstanceId;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use thiserror::Error;

/// The instance a message was sent to no longer exists (its page was closed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("live view instance {0} is gone")]
pub struct Gone(pub InstanceId);

/// Sends messages to one live instance; cheap to clone, usable from any thread.
///
/// Tasks started with [`spawn`](Self::spawn) or [`every`](Self::every) are aborted when the
/// instance goes away, so a timer never outlives its page.
pub struct LiveHandle<M> {
    id: InstanceId,
    tasks: Arc<Tasks>,
    _message: PhantomData<fn(M)>,
}

/// Background tasks of one instance, aborted with it.
#[derive(Debug, Default)]
pub(crate) struct Tasks {
    handles: Mutex<Vec<tokio::task::AbortHandle>>,
    closed: std::sync::atomic::AtomicBool,
}

impl Tasks {
    pub(crate) fn abort_all(&self) {
        self.closed
            .store(true, std::sync::atomic::Ordering::Release);
        let handles =
            std::mem::take(&mut *self.handles.lock().unwrap_or_else(PoisonError::into_inner));
        for handle in handles {
            handle.abort();
        }
    }

    fn is_closed(&self) -> bool {
        self.closed.load(std::sync::atomic::Ordering::Acquire)
    }
}

impl<M> Clone for LiveHandle<M> {
    fn clone(&self) -> Self {
        LiveHandle {
            id: self.id,
            tasks: Arc::clone(&self.tasks),
            _message: PhantomData,
        }
    }
}

impl<M> fmt::Debug for LiveHandle<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LiveHandle").field("id", &self.id).finish()
    }
}

impl<M: Send + 'static> LiveHandle<M> {
    pub(crate) fn new(id: InstanceId, tasks: Arc<Tasks>) -> Self {
        LiveHandle {
            id,
            tasks,
            _message: PhantomData,
        }
    }

    /// The instance this handle addresses.
    pub fn id(&self) -> InstanceId {
        self.id
    }

    /// Queues `msg` for the instance's `update`; the result is pushed to the browser like any
    /// event's.
    pub fn send(&self, msg: M) -> Result<(), Gone> {
        self.send_tracked(msg, None)
    }

    fn send_tracked(&self, msg: M, pending: Option<Arc<AtomicBool>>) -> Result<(), Gone> {
        if self.tasks.is_closed() {
            return Err(Gone(self.id));
        }
        if runtime().send_message(self.id, Box::new(msg), pending) {
            Ok(())
        } else {
            Err(Gone(self.id))
        }
    }

    /// Runs `task` on the server's tokio runtime until it ends or the instance goes away.
    pub fn spawn<F>(&self, task: F)
    where
        F: Future<Output = ()> + Send + 'static,
    {
        if self.tasks.is_closed() {
            return;
        }
        let Some(tokio) = runtime().tokio() else {
            tracing::warn!(instance = %self.id, "hotreload: no tokio runtime to spawn a live task on");
            return;
        };
        let handle = tokio.spawn(task).abort_handle();
        self.tasks
            .handles
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(handle);
    }

    /// Sends `make()` every `period`, starting one period from now, until the instance goes away.
    ///
    /// A tick is skipped while the previous one has not been handled yet: a timer faster than
    /// the view's `update` + render never piles up messages on its worker thread (where it
    /// would delay every other instance that shares the thread).
    pub fn every(&self, period: Duration, make: impl Fn() -> M + Send + 'static) {
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
