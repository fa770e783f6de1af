//! Named async work with loading states (Phoenix's `start_async` / `assign_async`).
//!
//! [`Context::start_async`](crate::Context::start_async) runs a future under a name; its
//! outcome comes back to the view as a [`TaskResult`] in `handle_info`: `Ok(value)`, or
//! `Err(TaskError::Panicked)` if the future panicked (the instance lives on). Starting the
//! same name again cancels the earlier run, and a result of an earlier run that was already on
//! its way is dropped, so a view only ever sees the latest (a search box typed into quickly
//! gets the results of the last query, never a stale one). Everything ends with the instance.
//!
//! [`Async<T>`] is the state to keep for such a value and render from: `Idle`, `Loading`,
//! `Ready(T)` or `Failed(reason)`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::PoisonError;

/// What came of a task started with `start_async`.
#[derive(Debug)]
pub struct TaskResult<T> {
    /// The name it was started under.
    pub name: &'static str,
    /// Its value, or why there is none.
    pub result: Result<T, TaskError>,
}

/// Why a task gave no value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TaskError {
    /// The future panicked (with this message); the instance is unharmed.
    #[error("the task panicked: {0}")]
    Panicked(String),
}

/// A value that loads in the background, as a view keeps it: render a spinner for
/// [`Loading`](Async::Loading), the value for [`Ready`](Async::Ready), the reason for
/// [`Failed`](Async::Failed).
///
/// Kept across dev restarts like the rest of the state, except `Loading`, which comes back as
/// `Idle`: the work it waited for did not survive the restart.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Async<T> {
    /// Not asked for yet.
    #[default]
    Idle,
    /// On its way.
    Loading,
    /// Here.
    Ready(T),
    /// It failed, for this reason.
    Failed(String),
}

impl<T> Async<T> {
    /// Whether it is on its way.
    pub fn is_loading(&self) -> bool {
        matches!(self, Async::Loading)
    }

    /// The value, if it is here.
    pub fn ready(&self) -> Option<&T> {
        match self {
            Async::Ready(value) => Some(value),
            _ => None,
        }
    }

    /// The failure's reason, if it failed.
    pub fn failed(&self) -> Option<&str> {
        match self {
            Async::Failed(reason) => Some(reason),
            _ => None,
        }
    }

    /// Takes a task's outcome: `Ready` or `Failed` (a value that is itself a `Result` can be
    /// mapped first with [`Async::from_result`]).
    pub fn finish(&mut self, result: Result<T, TaskError>) {
        *self = match result {
            Ok(value) => Async::Ready(value),
            Err(error) => Async::Failed(error.to_string()),
        };
    }

    /// `Ready` for `Ok`, `Failed` (with the error's text) for `Err`, for work whose own value
    /// is a `Result`.
    pub fn from_result<E: std::fmt::Display>(result: Result<Result<T, E>, TaskError>) -> Self {
        match result {
            Ok(Ok(value)) => Async::Ready(value),
            Ok(Err(error)) => Async::Failed(error.to_string()),
            Err(error) => Async::Failed(error.to_string()),
        }
    }
}

/// As it is kept: `Loading` is written as `Idle` (see the type's docs).
#[derive(Serialize, Deserialize)]
enum Kept<T> {
    Idle,
    Ready(T),
    Failed(String),
}

impl<T: Serialize> Serialize for Async<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let kept: Kept<&T> = match self {
            Async::Idle | Async::Loading => Kept::Idle,
            Async::Ready(value) => Kept::Ready(value),
            Async::Failed(reason) => Kept::Failed(reason.clone()),
        };
        kept.serialize(serializer)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Async<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Kept::<T>::deserialize(deserializer)? {
            Kept::Idle => Async::Idle,
            Kept::Ready(value) => Async::Ready(value),
            Kept::Failed(reason) => Async::Failed(reason),
        })
    }
}

/// The named tasks of one instance: the generation of each name's latest start and how to
/// abort it.
#[derive(Debug, Default)]
pub(crate) struct NamedTasks {
    latest: Mutex<HashMap<&'static str, (u64, tokio::task::AbortHandle)>>,
    generation: std::sync::atomic::AtomicU64,
}

impl NamedTasks {
    /// A new run of `name`: aborts the previous one and returns this run's generation. The
    /// abort handle is set with [`started`](Self::started) once spawned.
    pub(crate) fn next(&self, name: &'static str) -> u64 {
        let generation = self
            .generation
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            + 1;
        if let Some((_, previous)) = self
            .latest
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(name)
        {
            previous.abort();
        }
        generation
    }

    /// Records the abort handle of run `generation` of `name` (unless a newer one started).
    pub(crate) fn started(
        &self,
        name: &'static str,
        generation: u64,
        abort: tokio::task::AbortHandle,
    ) {
        let mut latest = self.latest.lock().unwrap_or_else(PoisonError::into_inner);
        match latest.get(name) {
            Some((newer, _)) if *newer > generation => abort.abort(),
            _ => {
                // An older run recorded meanwhile (two starts from other threads) goes.
                if let Some((_, older)) = latest.insert(name, (generation, abort)) {
                    older.abort();
                }
            }
        }
    }

    /// Whether run `generation` is still the latest of `name` (its result is wanted); forgets
    /// it if so (it has finished).
    pub(crate) fn finish(&self, name: &'static str, generation: u64) -> bool {
        let mut latest = self.latest.lock().unwrap_or_else(PoisonError::into_inner);
        match latest.get(name) {
            Some((current, _)) if *current == generation => {
                latest.remove(name);
                true
            }
            // Not recorded yet (finished before `started` ran) counts as the latest unless a
            // newer run was started meanwhile.
            None => self.generation.load(std::sync::atomic::Ordering::Relaxed) == generation,
            Some(_) => false,
        }
    }

    /// Aborts every named task.
    pub(crate) fn abort_all(&self) {
        for (_, (_, abort)) in self
            .latest
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .drain()
        {
            abort.abort();
        }
    }
}

/// Aborts the task it holds when dropped: the inner task of a named run goes when the outer
/// one is aborted.
pub(crate) struct AbortOnDrop(pub(crate) tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loading_is_kept_as_idle() {
        let loading: Async<u32> = Async::Loading;
        let bytes = rmp_serde::to_vec_named(&loading).unwrap();
        assert_eq!(
            rmp_serde::from_slice::<Async<u32>>(&bytes).unwrap(),
            Async::Idle
        );
        let ready = Async::Ready(7u32);
        let bytes = rmp_serde::to_vec_named(&ready).unwrap();
        assert_eq!(rmp_serde::from_slice::<Async<u32>>(&bytes).unwrap(), ready);
    }

    #[test]
    fn results_map_to_states() {
        let mut value: Async<u8> = Async::Loading;
        value.finish(Err(TaskError::Panicked("boom".into())));
        assert_eq!(value.failed(), Some("the task panicked: boom"));
        assert_eq!(Async::from_result::<String>(Ok(Ok(1))), Async::Ready(1));
        assert_eq!(
            Async::<u8>::from_result(Ok(Err("no rows".to_owned()))),
            Async::Failed("no rows".into())
        );
    }
}
