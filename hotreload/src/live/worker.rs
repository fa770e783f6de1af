//! Worker threads that own live instances.
//!
//! The differ's tree is `Rc`-based, so an instance cannot move between threads or live in a
//! tokio task that might. Each instance is pinned to one of a few worker threads (chosen by its
//! id), and everything that touches it (mount, events, handle messages, hot-swap re-renders,
//! acks) is a job sent to that thread. User code (`update`, `render`) therefore also runs off
//! the async runtime: a slow render never stalls other connections' I/O.
//!
//! Idle instances (rendered by a request whose page never connected, or whose connection
//! closed and did not come back) are dropped after [`IDLE_TIMEOUT`].

use crate::live::instance::AnyInstance;
use crate::live::stats::Counters;
use crate::template::InstanceId;
use std::collections::HashMap;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::time::Duration;

/// How long an instance waits for a (re)connection before it is dropped.
pub(crate) const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// How often a worker looks for idle instances when it has nothing else to do.
const SWEEP_EVERY: Duration = Duration::from_secs(5);

/// A unit of work on a worker thread.
pub(crate) type Job = Box<dyn FnOnce(&mut Instances) + Send>;

/// The instances of one worker thread.
#[derive(Default)]
pub(crate) struct Instances {
    map: HashMap<InstanceId, Box<dyn AnyInstance>>,
    /// Instances that took a server-sent value since the worker last rendered them.
    unrendered: Vec<InstanceId>,
    /// Server-sent values for ids not installed yet: work started in `mount` (a ready
    /// future, a subscription) can deliver before the job that installs the instance has run.
    /// Handed over when it is installed; dropped after [`EARLY_TTL`] (nobody installed it).
    early: HashMap<InstanceId, (std::time::Instant, Vec<Box<dyn std::any::Any + Send>>)>,
}

/// How long a value for an id that is not installed waits for its instance.
const EARLY_TTL: Duration = Duration::from_secs(10);

impl Instances {
    pub(crate) fn insert(&mut self, id: InstanceId, instance: Box<dyn AnyInstance>) {
        if self.map.insert(id, instance).is_none() {
            Counters::add(&crate::live::runtime::runtime().stats.instances, 1);
        }
        if let Some((_, values)) = self.early.remove(&id)
            && let Some(instance) = self.map.get_mut(&id)
        {
            let mut newly = false;
            for value in values {
                newly |= instance.message(value);
            }
            if newly {
                self.unrendered.push(id);
            }
        }
    }

    /// Delivers a server-sent value to `id`, or keeps it until `id` is installed.
    pub(crate) fn deliver(&mut self, id: InstanceId, value: Box<dyn std::any::Any + Send>) {
        match self.map.get_mut(&id) {
            Some(instance) => {
                // Marked once per render, not per value: a burst of broadcasts to one instance
                // costs no scan of the list.
                if instance.message(value) {
                    self.unrendered.push(id);
                }
            }
            None => {
                self.early
                    .entry(id)
                    .or_insert_with(|| (std::time::Instant::now(), Vec::new()))
                    .1
                    .push(value);
            }
        }
    }

    /// Marks `id` to be rendered with this batch (something outside its state, such as an
    /// upload's progress, changed what it renders).
    pub(crate) fn touch(&mut self, id: InstanceId) {
        if let Some(instance) = self.map.get_mut(&id)
            && instance.touch()
        {
            self.unrendered.push(id);
        }
    }

    pub(crate) fn get_mut(&mut self, id: InstanceId) -> Option<&mut (dyn AnyInstance + 'static)> {
        self.map.get_mut(&id).map(|b| b.as_mut())
    }

    /// Every instance of this worker.
    #[allow(
        dead_code,
        reason = "called by the dev layer (swaps, restarts), which a build without the `hot-reload` feature leaves out"
    )]
    pub(crate) fn each_mut(&mut self, mut f: impl FnMut(&mut dyn AnyInstance)) {
        for instance in self.map.values_mut() {
            f(instance.as_mut());
        }
    }

    /// Renders the instances server-sent values changed since they last rendered
    /// ([`AnyInstance::message`]).
    pub(crate) fn flush(&mut self) {
        for id in std::mem::take(&mut self.unrendered) {
            if let Some(instance) = self.map.get_mut(&id) {
                instance.flush();
            }
        }
    }

    pub(crate) fn remove(&mut self, id: InstanceId) {
        if let Some(mut instance) = self.map.remove(&id) {
            instance.close();
            Counters::sub(&crate::live::runtime::runtime().stats.instances, 1);
        }
    }

    fn sweep(&mut self) {
        self.early
            .retain(|_, (since, _)| since.elapsed() < EARLY_TTL);
        let expired: Vec<InstanceId> = self
            .map
            .iter()
            .filter(|(_, i)| i.idle_since().is_some_and(|t| t.elapsed() > IDLE_TIMEOUT))
            .map(|(id, _)| *id)
            .collect();
        for id in expired {
            tracing::debug!(instance = %id, "hotreload: dropping idle instance");
            self.remove(id);
        }
    }
}

/// Runs one job. A job is user code (update/render) wrapped in catch_unwind by the instance;
/// this outer guard keeps the worker alive even if our own code panics.
fn run_job(job: Job, instances: &mut Instances) {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(instances)));
    if let Err(panic) = result {
        tracing::error!(
            panic = %crate::live::instance::panic_message(panic.as_ref()),
            "hotreload: a live worker job panicked"
        );
    }
}

/// Senders to the worker threads.
#[derive(Debug)]
pub(crate) struct Workers {
    senders: Vec<Sender<Job>>,
}

impl Workers {
    /// Starts `count` worker threads.
    pub(crate) fn start(count: usize) -> Self {
        let senders = (0..count.max(1))
            .filter_map(|n| {
                let (sender, receiver) = channel::<Job>();
                std::thread::Builder::new()
                    .name(format!("hotreload-live-{n}"))
                    .spawn(move || run(receiver))
                    .map_err(
                        |error| tracing::error!(%error, "hotreload: cannot start a live worker"),
                    )
                    .ok()
                    .map(|_| sender)
            })
            .collect();
        Workers { senders }
    }

    /// Runs `job` on the worker that owns `id`. False if no worker is running.
    pub(crate) fn run(&self, id: InstanceId, job: Job) -> bool {
        let (index, count) = self.index_of(id);
        count > 0 && self.senders[index].send(job).is_ok()
    }

    /// The index of the worker that owns `id`, and how many workers there are.
    pub(crate) fn index_of(&self, id: InstanceId) -> (usize, usize) {
        let count = self.senders.len();
        let index = if count == 0 {
            0
        } else {
            (id.0 % count as u64) as usize
        };
        (index, count)
    }

    /// Runs `make()`'s job on every worker and waits (up to `timeout`) until all have run.
    #[allow(
        dead_code,
        reason = "called by the dev layer (swaps, restarts), which a build without the `hot-reload` feature leaves out"
    )]
    pub(crate) fn run_everywhere(&self, make: impl Fn() -> Job, timeout: Duration) {
        let (done, finished) = channel::<()>();
        let mut expected = 0;
        for sender in &self.senders {
            let job = make();
            let done = done.clone();
            let wrapped: Job = Box::new(move |instances| {
                job(instances);
                let _ = done.send(());
            });
            if sender.send(wrapped).is_ok() {
                expected += 1;
            }
        }
        let deadline = std::time::Instant::now() + timeout;
        for _ in 0..expected {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if finished.recv_timeout(left).is_err() {
                break;
            }
        }
    }
}

/// How many queued jobs a worker runs before it renders the instances they changed.
const BATCH: usize = 256;

fn run(receiver: Receiver<Job>) {
    let mut instances = Instances::default();
    let mut last_sweep = std::time::Instant::now();
    loop {
        match receiver.recv_timeout(SWEEP_EVERY) {
            Ok(job) => {
                run_job(job, &mut instances);
                // The jobs already waiting run before the server-sent values among them are
                // rendered: a burst is one render per instance.
                for _ in 1..BATCH {
                    let Ok(job) = receiver.try_recv() else { break };
                    run_job(job, &mut instances);
                }
                let flushed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    instances.flush();
                }));
                if flushed.is_err() {
                    tracing::error!("hotreload: rendering after a batch panicked");
                }
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        if last_sweep.elapsed() >= SWEEP_EVERY {
            instances.sweep();
            last_sweep = std::time::Instant::now();
        }
    }
}
