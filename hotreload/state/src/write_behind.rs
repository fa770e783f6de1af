//! [`WriteBehind`]: saves snapshots on a background thread, coalescing bursts.
//!
//! Each update of a component schedules its latest snapshot; the thread writes a key at most
//! once per `delay`. The first [`schedule`](WriteBehind::schedule) of a key starts its clock and
//! later ones within `delay` only replace the bytes, so a burst of keystrokes costs one write and
//! a steady stream of updates still reaches disk every `delay` (the timer is not reset).
//!
//! [`flush`](WriteBehind::flush) writes everything scheduled so far and waits for it (graceful
//! shutdown, before a restart); dropping a `WriteBehind` flushes too. Write errors are logged
//! with `tracing` and counted in [`WriteBehindStats::errors`]; nothing here panics.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::store::{SnapshotStore, StoreError};

/// Counters of a [`WriteBehind`], since it was created.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WriteBehindStats {
    /// Calls to [`WriteBehind::schedule`].
    pub scheduled: u64,
    /// Snapshots written to disk.
    pub writes: u64,
    /// Bytes written to disk (sum of the snapshot sizes).
    pub bytes_written: u64,
    /// Schedules (and removals) that replaced a pending one for the same key before it was
    /// written: work saved.
    pub coalesced: u64,
    /// Snapshots removed from disk.
    pub removes: u64,
    /// Writes or removals that failed (each one is logged).
    pub errors: u64,
}

/// What is pending for one key.
#[derive(Debug)]
enum Op {
    Write(Vec<u8>),
    Remove,
}

#[derive(Debug)]
struct Pending {
    op: Op,
    /// When the first not-yet-written schedule of this key happened plus `delay`.
    due: Instant,
    /// Sequence number of that first schedule: a flush waits for every entry at or below its
    /// sequence number, even if the bytes were replaced since.
    first_seq: u64,
}

#[derive(Debug, Default)]
struct State {
    pending: HashMap<String, Pending>,
    /// Last sequence number handed out.
    seq: u64,
    /// Entries with `first_seq <= flush_through` are due now.
    flush_through: u64,
    /// The worker holds a batch taken from `pending` and is writing it.
    in_flight: bool,
    shutdown: bool,
    stats: WriteBehindStats,
}

#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    /// Signalled when work arrives, a flush starts, or the worker finishes a batch.
    changed: Condvar,
}

impl Shared {
    /// The state, even if a thread panicked while holding the lock (the state stays
    /// consistent: every update to it is a few plain assignments).
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A background writer in front of a [`SnapshotStore`].
///
/// ```
/// # let dir = std::env::temp_dir().join(format!("hrsn-wb-doc-{}", std::process::id()));
/// use std::time::Duration;
/// use hotreload_state::{SnapshotStore, WriteBehind};
///
/// let store = SnapshotStore::open(&dir)?;
/// let writer = WriteBehind::new(store.clone(), Duration::from_millis(150))?;
/// for n in 0..100_u8 {
///     writer.schedule("counter-1", vec![n])?; // a burst: one write
/// }
/// writer.flush();
/// assert_eq!(store.load("counter-1")?, Some(vec![99]));
/// assert_eq!(writer.stats().writes, 1);
/// # drop(writer);
/// # std::fs::remove_dir_all(&dir).ok();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct WriteBehind {
    shared: Arc<Shared>,
    store: SnapshotStore,
    delay: Duration,
    worker: Option<JoinHandle<()>>,
}

impl WriteBehind {
    /// Starts the background thread writing to `store`, at most once per key per `delay`.
    ///
    /// Fails only if the thread cannot be spawned.
    pub fn new(store: SnapshotStore, delay: Duration) -> std::io::Result<Self> {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
        });
        let worker = {
            let shared = Arc::clone(&shared);
            let store = store.clone();
            std::thread::Builder::new()
                .name("hotreload-state-writer".into())
                .spawn(move || run(&shared, &store))?
        };
        Ok(Self {
            shared,
            store,
            delay,
            worker: Some(worker),
        })
    }

    /// The store written to.
    pub fn store(&self) -> &SnapshotStore {
        &self.store
    }

    /// Schedules `bytes` to be saved under `key`. If a save of `key` is already pending, its
    /// bytes are replaced (latest wins) and it keeps its due time.
    ///
    /// Fails only on an invalid key (checked now, so the mistake shows at the call site).
    pub fn schedule(&self, key: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
        self.enqueue(key, Op::Write(bytes))
    }

    /// Schedules the removal of `key`'s snapshot, replacing any pending save of it.
    pub fn remove(&self, key: &str) -> Result<(), StoreError> {
        self.enqueue(key, Op::Remove)
    }

    /// The latest bytes for `key`: pending ones if a save is scheduled, else the stored
    /// snapshot (`None` if a removal is pending or there is none).
    pub fn load(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.store.path_of(key)?;
        if let Some(p) = self.shared.lock().pending.get(key) {
            return Ok(match &p.op {
                Op::Write(bytes) => Some(bytes.clone()),
                Op::Remove => None,
            });
        }
        self.store.load(key)
    }

    /// Writes everything scheduled before this call and waits until it is on disk (or has
    /// failed and been logged). Schedules made meanwhile by other threads are not waited for.
    pub fn flush(&self) {
        let mut state = self.shared.lock();
        let target = state.seq;
        state.flush_through = state.flush_through.max(target);
        self.shared.changed.notify_all();
        loop {
            let waiting = state.in_flight || state.pending.values().any(|p| p.first_seq <= target);
            if !waiting {
                return;
            }
            if self.worker.as_ref().is_none_or(JoinHandle::is_finished) {
                tracing::error!("snapshot writer thread is gone; pending snapshots are lost");
                return;
            }
            state = self
                .shared
                .changed
                .wait_timeout(state, Duration::from_millis(100))
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Number of keys with a save or removal pending.
    pub fn pending(&self) -> usize {
        self.shared.lock().pending.len()
    }

    /// Counters since creation.
    pub fn stats(&self) -> WriteBehindStats {
        self.shared.lock().stats
    }

    fn enqueue(&self, key: &str, op: Op) -> Result<(), StoreError> {
        self.store.path_of(key)?;
        let delay = self.delay;
        let mut state = self.shared.lock();
        state.seq += 1;
        let seq = state.seq;
        if matches!(op, Op::Write(_)) {
            state.stats.scheduled += 1;
        }
        let replaced = match state.pending.get_mut(key) {
            Some(p) => {
                p.op = op;
                true
            }
            None => {
                state.pending.insert(
                    key.to_owned(),
                    Pending {
                        op,
                        due: Instant::now() + delay,
                        first_seq: seq,
                    },
                );
                false
            }
        };
        if replaced {
            state.stats.coalesced += 1;
        } else {
            self.shared.changed.notify_all();
        }
        Ok(())
    }
}

impl Drop for WriteBehind {
    /// Flushes everything pending, then stops the thread.
    fn drop(&mut self) {
        self.shared.lock().shutdown = true;
        self.shared.changed.notify_all();
        if let Some(worker) = self.worker.take()
            && worker.join().is_err()
        {
            tracing::error!("snapshot writer thread panicked; pending snapshots are lost");
        }
    }
}

/// The worker: wait for due entries, write them outside the lock, repeat; on shutdown, write
/// everything and stop.
fn run(shared: &Shared, store: &SnapshotStore) {
    let mut state = shared.lock();
    loop {
        let now = Instant::now();
        let everything = state.shutdown;
        let flush_through = state.flush_through;
        let due: Vec<String> = state
            .pending
            .iter()
            .filter(|(_, p)| everything || p.first_seq <= flush_through || p.due <= now)
            .map(|(k, _)| k.clone())
            .collect();
        if due.is_empty() {
            if state.shutdown {
                return;
            }
            let next = state.pending.values().map(|p| p.due).min();
            state = match next {
                Some(at) => {
                    let wait = at.saturating_duration_since(now);
                    shared
                        .changed
                        .wait_timeout(state, wait)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
                None => shared
                    .changed
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner),
            };
            continue;
        }
        let batch: Vec<(String, Op)> = due
            .into_iter()
            .filter_map(|k| state.pending.remove_entry(&k).map(|(k, p)| (k, p.op)))
            .collect();
        state.in_flight = true;
        drop(state);

        let mut done = WriteBehindStats::default();
        for (key, op) in batch {
            apply(store, &key, op, &mut done);
        }

        state = shared.lock();
        state.in_flight = false;
        state.stats.writes += done.writes;
        state.stats.bytes_written += done.bytes_written;
        state.stats.removes += done.removes;
        state.stats.errors += done.errors;
        shared.changed.notify_all();
    }
}

fn apply(store: &SnapshotStore, key: &str, op: Op, done: &mut WriteBehindStats) {
    match op {
        Op::Write(bytes) => match store.save(key, &bytes) {
            Ok(()) => {
                done.writes += 1;
                done.bytes_written += bytes.len() as u64;
            }
            Err(e) => {
                done.errors += 1;
                tracing::error!(key, error = %e, "could not save state snapshot");
            }
        },
        Op::Remove => match store.remove(key) {
            Ok(_) => done.removes += 1,
            Err(e) => {
                done.errors += 1;
                tracing::error!(key, error = %e, "could not remove state snapshot");
            }
        },
    }
}
