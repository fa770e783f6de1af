//! Counters of the live runtime: [`stats`] for metrics, the dev `/_hotreload/stats` endpoint
//! and tests.

use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};

/// Monotonic counters and gauges; all relaxed atomics (they are statistics, not
/// synchronisation).
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) connections_open: AtomicU64,
    pub(crate) connections_total: AtomicU64,
    pub(crate) instances: AtomicU64,
    pub(crate) mounts: AtomicU64,
    pub(crate) events: AtomicU64,
    pub(crate) patches: AtomicU64,
    pub(crate) html_frames: AtomicU64,
    pub(crate) patch_bytes: AtomicU64,
    pub(crate) ops: AtomicU64,
    pub(crate) in_place_updates: AtomicU64,
    pub(crate) errors_sent: AtomicU64,
    pub(crate) panics: AtomicU64,
    pub(crate) failed_acks: AtomicU64,
    pub(crate) refreshes: AtomicU64,
    pub(crate) last_update_micros: AtomicU64,
}

/// The live runtime's counters at one point in time: what [`stats`] returns (and the dev
/// `/_hotreload/stats` endpoint shows), for metrics and health checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LiveStats {
    /// Open WebSocket connections.
    pub connections_open: u64,
    /// Connections ever opened.
    pub connections_total: u64,
    /// Live instances (pending, attached or waiting for a reconnect).
    pub instances: u64,
    /// Instances mounted.
    pub mounts: u64,
    /// Events handled.
    pub events: u64,
    /// `patch` frames sent.
    pub patches: u64,
    /// `html` frames sent.
    pub html_frames: u64,
    /// Bytes of `patch` and `html` frames sent.
    pub patch_bytes: u64,
    /// Ops sent.
    pub ops: u64,
    /// Re-renders whose diff was found without parsing the new HTML (only text and attribute
    /// values changed).
    pub in_place_updates: u64,
    /// `error` frames sent.
    pub errors_sent: u64,
    /// Panics caught in views.
    pub panics: u64,
    /// Acks reporting a patch that did not apply.
    pub failed_acks: u64,
    /// Full page reloads asked for by an open circuit breaker.
    pub refreshes: u64,
    /// Time of the last update → render → diff, in microseconds.
    pub last_update_micros: u64,
}

impl Counters {
    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn sub(counter: &AtomicU64, n: u64) {
        counter.fetch_sub(n, Ordering::Relaxed);
    }

    /// Reads every counter.
    pub(crate) fn snapshot(&self) -> LiveStats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        LiveStats {
            connections_open: get(&self.connections_open),
            connections_total: get(&self.connections_total),
            instances: get(&self.instances),
            mounts: get(&self.mounts),
            events: get(&self.events),
            patches: get(&self.patches),
            html_frames: get(&self.html_frames),
            patch_bytes: get(&self.patch_bytes),
            ops: get(&self.ops),
            in_place_updates: get(&self.in_place_updates),
            errors_sent: get(&self.errors_sent),
            panics: get(&self.panics),
            failed_acks: get(&self.failed_acks),
            refreshes: get(&self.refreshes),
            last_update_micros: get(&self.last_update_micros),
        }
    }
}

/// The process's live counters now: connections, instances, events, patches, errors.
pub fn stats() -> LiveStats {
    crate::live::runtime::runtime().stats.snapshot()
}
