//! Counters of the hot-swap engine, for `/_hotreload/stats`.

use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};

/// Counters; relaxed atomics.
#[derive(Debug, Default)]
pub struct DevStats {
    pub(crate) edits: AtomicU64,
    pub(crate) swaps: AtomicU64,
    pub(crate) rebuild_needed: AtomicU64,
    pub(crate) parse_errors: AtomicU64,
    pub(crate) reverts: AtomicU64,
    pub(crate) css: AtomicU64,
    pub(crate) configs: AtomicU64,
    pub(crate) last_latency_micros: AtomicU64,
    pub(crate) last_event_unix_micros: AtomicU64,
}

/// A copy of [`DevStats`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DevStatsSnapshot {
    /// Source edits processed.
    pub edits: u64,
    /// Templates hot-swapped.
    pub swaps: u64,
    /// Edits that need a rebuild.
    pub rebuild_needed: u64,
    /// Edits that did not parse.
    pub parse_errors: u64,
    /// Swaps reverted because renders failed.
    pub reverts: u64,
    /// Stylesheet swaps sent.
    pub css: u64,
    /// Config files read again and swapped in.
    pub configs: u64,
    /// Save → patches sent, for the last swap, in microseconds.
    pub last_latency_micros: u64,
    /// Wall-clock time (µs since the Unix epoch) of the first watcher event of the last swap,
    /// to compare with when a tool saved the file.
    pub last_event_unix_micros: u64,
}

impl DevStats {
    pub(crate) fn bump(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// Reads every counter.
    pub fn snapshot(&self) -> DevStatsSnapshot {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        DevStatsSnapshot {
            edits: get(&self.edits),
            swaps: get(&self.swaps),
            rebuild_needed: get(&self.rebuild_needed),
            parse_errors: get(&self.parse_errors),
            reverts: get(&self.reverts),
            css: get(&self.css),
            configs: get(&self.configs),
            last_latency_micros: get(&self.last_latency_micros),
            last_event_unix_micros: get(&self.last_event_unix_micros),
        }
    }
}
