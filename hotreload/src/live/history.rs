//! The inspector's record of one instance: each state it went through, and what produced it
//! (the message, when, how long `update`, render and diff took, what was sent).
//!
//! Kept only while dev hooks that ask for it are installed (debug builds with hot reload; the
//! inspector can be turned off with `HOTRELOAD_INSPECTOR=0`), so release builds record
//! nothing. Bounded twice: at most [`MAX_STATES`] entries and [`MAX_BYTES`] of state per
//! instance, the oldest dropped first; what every instance keeps is counted in
//! [`memory`] for the stats.
//!
//! The record is state like the state itself: it is written behind, beside the instance's
//! snapshot, and read back when the instance is restored after a restart, so the messages
//! recorded before a Rust rebuild can be replayed through the new `update`.

use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Most states kept per instance.
pub(crate) const MAX_STATES: usize = 200;

/// Most bytes of state (MessagePack) kept per instance.
pub(crate) const MAX_BYTES: usize = 8 << 20;

/// What produced an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum RecordKind {
    /// The state at mount (the first entry).
    Mount,
    /// A page event's message through `update`.
    Event,
    /// A server-sent value through `handle_info` (a timer, a task, a broadcast).
    Info,
    /// A URL change through `handle_params`.
    Params,
    /// A message run again by "replay from here".
    Replay,
    /// The state restored after a restart (possibly migrated to a changed struct).
    Restore,
}

/// A page event as recorded, enough to run it again.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct RecordedEvent {
    /// The event kind (`click`, `input`, ...).
    pub kind: Option<crate::live::protocol::EventKind>,
    /// The input's value.
    pub value: Option<String>,
    /// A checkbox's state.
    pub checked: Option<bool>,
    /// Form fields.
    pub form: Vec<(String, String)>,
    /// The key of a key event.
    pub key: Option<String>,
    /// Form fields not used yet.
    pub unused: Vec<String>,
}

impl RecordedEvent {
    /// What `event` carried.
    pub(crate) fn of(event: &crate::live::view::Event) -> Self {
        RecordedEvent {
            kind: event.kind,
            value: event.value.clone(),
            checked: event.checked,
            form: event.form.clone(),
            key: event.key.clone(),
            unused: event.unused.clone(),
        }
    }

    /// The event again, for a replay.
    pub(crate) fn into_event(self) -> crate::live::view::Event {
        crate::live::view::Event {
            kind: self.kind,
            value: self.value,
            checked: self.checked,
            form: self.form,
            key: self.key,
            unused: self.unused,
        }
    }
}

/// What one entry records besides the state: one line of the inspector's event log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Record {
    /// The entry's number, counting from 0 at mount: the log reads in order across dropped
    /// entries. Resuming time travel drops the later entries, and numbering goes on from the
    /// state resumed.
    pub n: u64,
    /// When, in milliseconds since the Unix epoch.
    pub at: u64,
    /// What produced it.
    pub kind: RecordKind,
    /// The message (as the page sent it), the URL (params), or the value's type (info).
    pub msg: serde_json::Value,
    /// The event around the message, for replay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<RecordedEvent>,
    /// Microseconds in `update` / `handle_info` / `handle_params`.
    pub update_us: u64,
    /// Microseconds rendering the view afterwards.
    pub render_us: u64,
    /// Microseconds diffing the render against the page.
    pub diff_us: u64,
    /// Patch ops sent.
    pub ops: u64,
    /// Bytes sent.
    pub bytes: u64,
    /// What went wrong (a panic, a message that no longer deserializes on replay).
    pub error: Option<String>,
    /// What else to know (a replayed step's broadcasts, not sent again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Record {
    /// A record of `kind` for `msg`, numbered later by [`History::push`].
    pub(crate) fn new(kind: RecordKind, msg: serde_json::Value) -> Self {
        Record {
            n: 0,
            at: now_ms(),
            kind,
            msg,
            event: None,
            update_us: 0,
            render_us: 0,
            diff_us: 0,
            ops: 0,
            bytes: 0,
            error: None,
            note: None,
        }
    }

    /// With the time `update` took.
    pub(crate) fn took(mut self, update: Duration) -> Self {
        self.update_us = micros(update);
        self
    }
}

/// What one render sent, for the record of the change it showed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct SendReport {
    /// Microseconds rendering.
    pub render_us: u64,
    /// Microseconds diffing.
    pub diff_us: u64,
    /// Ops sent.
    pub ops: u64,
    /// Bytes sent.
    pub bytes: u64,
}

/// One recorded state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Entry {
    /// The state after the change (MessagePack with field names, like snapshots); shared, so
    /// a save can encode a copy of the history off the instance's thread.
    #[serde(with = "bytes")]
    pub state: Arc<[u8]>,
    /// What produced it.
    pub record: Record,
}

/// Every instance's history, for the stats: instances, states, bytes.
pub(crate) fn memory() -> Memory {
    Memory {
        views: VIEWS.load(Ordering::Relaxed),
        states: STATES.load(Ordering::Relaxed),
        bytes: BYTES.load(Ordering::Relaxed),
    }
}

/// What the histories of all instances hold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Memory {
    /// Instances with a history.
    pub views: u64,
    /// States kept.
    pub states: u64,
    /// Bytes of states and records kept (an estimate of the heap they use).
    pub bytes: u64,
}

static VIEWS: AtomicU64 = AtomicU64::new(0);
static STATES: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

/// An instance's recorded states, oldest first.
#[derive(Debug)]
pub(crate) struct History {
    entries: VecDeque<Entry>,
    /// Bytes of `entries` (states plus an estimate of each record).
    bytes: usize,
    next_n: u64,
    /// The entry shown while time-travelling (the view's events pause meanwhile).
    travelling: Option<usize>,
    /// Changed since it was last saved.
    dirty: bool,
}

/// The bytes an entry is counted for (an estimate of the heap it holds).
fn entry_bytes(entry: &Entry) -> usize {
    let event = entry.record.event.as_ref().map_or(0, |e| {
        e.value.as_ref().map_or(0, String::len)
            + e.key.as_ref().map_or(0, String::len)
            + e.form
                .iter()
                .map(|(n, v)| n.len() + v.len() + 48)
                .sum::<usize>()
            + e.unused.iter().map(|n| n.len() + 24).sum::<usize>()
    });
    entry.state.len()
        + std::mem::size_of::<Entry>()
        + entry.record.msg.to_string().len()
        + entry.record.error.as_ref().map_or(0, String::len)
        + event
}

impl History {
    /// An empty history (counted in [`memory`] until dropped).
    pub(crate) fn new() -> Self {
        VIEWS.fetch_add(1, Ordering::Relaxed);
        History {
            entries: VecDeque::new(),
            bytes: 0,
            next_n: 0,
            travelling: None,
            dirty: false,
        }
    }

    /// Appends the state after a change and what produced it; drops the oldest entries past
    /// the bounds. Returns the entry's number.
    pub(crate) fn push(&mut self, state: impl Into<Arc<[u8]>>, mut record: Record) -> u64 {
        record.n = self.next_n;
        self.next_n += 1;
        let entry = Entry {
            state: state.into(),
            record,
        };
        let size = entry_bytes(&entry);
        self.bytes += size;
        BYTES.fetch_add(size as u64, Ordering::Relaxed);
        STATES.fetch_add(1, Ordering::Relaxed);
        self.entries.push_back(entry);
        while self.entries.len() > MAX_STATES || (self.bytes > MAX_BYTES && self.entries.len() > 1)
        {
            self.drop_front();
        }
        self.dirty = true;
        self.next_n - 1
    }

    fn drop_front(&mut self) {
        if let Some(old) = self.entries.pop_front() {
            let size = entry_bytes(&old);
            self.bytes -= size;
            BYTES.fetch_sub(size as u64, Ordering::Relaxed);
            STATES.fetch_sub(1, Ordering::Relaxed);
            if let Some(at) = &mut self.travelling {
                *at = at.saturating_sub(1);
            }
        }
    }

    /// Drops every entry after `index`.
    pub(crate) fn truncate_after(&mut self, index: usize) {
        while self.entries.len() > index + 1 {
            if let Some(old) = self.entries.pop_back() {
                let size = entry_bytes(&old);
                self.bytes -= size;
                BYTES.fetch_sub(size as u64, Ordering::Relaxed);
                STATES.fetch_sub(1, Ordering::Relaxed);
            }
        }
        if let Some(last) = self.entries.back() {
            self.next_n = last.record.n + 1;
        }
        self.dirty = true;
    }

    /// Adds what the render after the last change sent to that change's record (server-sent
    /// values render in a batch, after they were recorded).
    pub(crate) fn sent(&mut self, report: SendReport) {
        if let Some(last) = self.entries.back_mut()
            && last.record.render_us == 0
            && last.record.ops == 0
        {
            last.record.render_us = report.render_us;
            last.record.diff_us = report.diff_us;
            last.record.ops = report.ops;
            last.record.bytes = report.bytes;
        }
    }

    /// Entry `index` (0 is the oldest kept).
    pub(crate) fn get(&self, index: usize) -> Option<&Entry> {
        self.entries.get(index)
    }

    /// The entry numbered `n` and its index, if it is kept.
    pub(crate) fn find(&self, n: u64) -> Option<(usize, &Entry)> {
        // Numbers increase along the entries: a binary search.
        let index = self
            .entries
            .binary_search_by_key(&n, |entry| entry.record.n)
            .ok()?;
        Some((index, &self.entries[index]))
    }

    /// The number of the entry shown: the one travelled to, else the newest.
    pub(crate) fn position(&self) -> u64 {
        let index = self
            .travelling
            .unwrap_or(self.entries.len().saturating_sub(1));
        self.entries.get(index).map_or(0, |entry| entry.record.n)
    }

    /// The entries, oldest first.
    pub(crate) fn entries(&self) -> impl DoubleEndedIterator<Item = &Entry> + ExactSizeIterator {
        self.entries.iter()
    }

    /// How many entries there are.
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    /// Bytes kept.
    pub(crate) fn bytes(&self) -> usize {
        self.bytes
    }

    /// The entry shown while time-travelling, if travelling.
    pub(crate) fn travelling(&self) -> Option<usize> {
        self.travelling
    }

    /// Starts (or moves) time travel to `index`, or ends it with `None`.
    pub(crate) fn set_travelling(&mut self, index: Option<usize>) {
        self.travelling = index;
    }

    /// Whether it changed since [`saved`](Self::saved).
    pub(crate) fn is_dirty(&self) -> bool {
        self.dirty
    }

    /// A copy of the history to save (cheap: the states are shared); clears the dirty mark.
    /// [`Saved::encode`] it, on another thread if it is large.
    pub(crate) fn take_save(&mut self) -> Saved {
        self.dirty = false;
        Saved {
            next_n: self.next_n,
            entries: self.entries.iter().cloned().collect(),
        }
    }

    /// The history encoded for the snapshot store at once (clears the dirty mark).
    #[cfg(test)]
    pub(crate) fn saved(&mut self) -> Result<Vec<u8>, rmp_serde::encode::Error> {
        self.take_save().encode()
    }

    /// A history read back from [`saved`](Self::saved) bytes (bounds applied again).
    pub(crate) fn restore(bytes: &[u8]) -> Result<Self, rmp_serde::decode::Error> {
        let saved: SavedOwned = crate::live::snapshot::from_bytes(bytes)?;
        let mut history = History::new();
        for entry in saved.entries {
            let n = entry.record.n;
            history.push(entry.state, entry.record);
            if let Some(last) = history.entries.back_mut() {
                last.record.n = n;
            }
        }
        history.next_n = history.next_n.max(saved.next_n);
        history.dirty = false;
        Ok(history)
    }
}

impl Drop for History {
    fn drop(&mut self) {
        VIEWS.fetch_sub(1, Ordering::Relaxed);
        BYTES.fetch_sub(self.bytes as u64, Ordering::Relaxed);
        STATES.fetch_sub(self.entries.len() as u64, Ordering::Relaxed);
    }
}

/// A history as it is saved (see [`History::take_save`]).
#[derive(Debug, Serialize)]
pub(crate) struct Saved {
    next_n: u64,
    entries: Vec<Entry>,
}

impl Saved {
    /// MessagePack with field names, states as `bin`.
    pub(crate) fn encode(&self) -> Result<Vec<u8>, rmp_serde::encode::Error> {
        rmp_serde::to_vec_named(self)
    }
}

#[derive(Deserialize)]
struct SavedOwned {
    next_n: u64,
    entries: Vec<Entry>,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// `duration` in whole microseconds.
pub(crate) fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap_or(u64::MAX)
}

/// States as MessagePack `bin`, not as an array of numbers (half the size or less).
mod bytes {
    use serde::{Deserializer, Serializer};
    use std::sync::Arc;

    pub(super) fn serialize<S: Serializer>(bytes: &Arc<[u8]>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bytes(bytes)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<[u8]>, D::Error> {
        deserialize_vec(d).map(Arc::from)
    }

    fn deserialize_vec<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Vec<u8>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("bytes")
            }
            fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
                Ok(v.to_vec())
            }
            fn visit_byte_buf<E: serde::de::Error>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
                Ok(v)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Vec<u8>, A::Error> {
                let mut out = Vec::new();
                while let Some(byte) = seq.next_element::<u8>()? {
                    out.push(byte);
                }
                Ok(out)
            }
        }
        d.deserialize_byte_buf(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(msg: &str) -> Record {
        Record::new(RecordKind::Event, serde_json::json!(msg))
    }

    #[test]
    fn bounded_by_count_and_numbered_in_order() {
        let mut history = History::new();
        for i in 0..(MAX_STATES + 20) {
            history.push(vec![i as u8], record("Inc"));
        }
        assert_eq!(history.len(), MAX_STATES);
        assert_eq!(history.get(0).unwrap().record.n, 20);
        assert_eq!(
            history.entries().last().unwrap().record.n,
            (MAX_STATES + 19) as u64
        );
        history.truncate_after(9);
        assert_eq!(history.len(), 10);
        assert_eq!(history.push(vec![1], record("Dec")), 30);
    }

    #[test]
    fn entries_are_found_by_number_after_older_ones_dropped() {
        let mut history = History::new();
        for _ in 0..(MAX_STATES + 5) {
            history.push(vec![0], record("Inc"));
        }
        assert!(history.find(4).is_none(), "dropped");
        let (index, entry) = history.find(5).unwrap();
        assert_eq!((index, entry.record.n), (0, 5));
        assert_eq!(history.position(), (MAX_STATES + 4) as u64);
        history.set_travelling(Some(3));
        assert_eq!(history.position(), 8);
        // Resuming there drops the later entries; numbering goes on from it.
        history.truncate_after(3);
        history.set_travelling(None);
        assert_eq!(history.push(vec![1], record("Dec")), 9);
        assert_eq!(history.find(9).unwrap().0, 4);
    }

    #[test]
    fn bounded_by_bytes_but_keeps_the_latest() {
        let mut history = History::new();
        for _ in 0..4 {
            history.push(vec![0; MAX_BYTES / 3], record("Big"));
        }
        assert_eq!(history.len(), 2);
        assert!(history.bytes() <= MAX_BYTES);
        history.push(vec![0; MAX_BYTES * 2], record("Huge"));
        assert_eq!(history.len(), 1, "the latest state stays, however large");
    }

    #[test]
    fn round_trips_through_its_saved_form() {
        let mut history = History::new();
        history.push(
            vec![1, 2, 3],
            Record::new(RecordKind::Mount, serde_json::Value::Null),
        );
        let mut event = record("Inc");
        event.event = Some(RecordedEvent {
            value: Some("x".into()),
            ..RecordedEvent::default()
        });
        history.push(vec![4], event);
        let bytes = history.saved().unwrap();
        assert!(!history.is_dirty());
        let back = History::restore(&bytes).unwrap();
        assert_eq!(
            back.entries().collect::<Vec<_>>(),
            history.entries().collect::<Vec<_>>()
        );
        assert!(History::restore(&bytes[..bytes.len() / 2]).is_err());
        assert!(History::restore(b"\xc1").is_err());
    }
}
