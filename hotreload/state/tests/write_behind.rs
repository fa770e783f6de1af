//! The background writer: coalescing, flush, drop.

use std::time::{Duration, Instant};

use hotreload_state::{SnapshotStore, StoreError, WriteBehind};

fn setup(delay: Duration) -> (tempfile::TempDir, SnapshotStore, WriteBehind) {
    let tmp = tempfile::tempdir().unwrap();
    let store = SnapshotStore::open(tmp.path()).unwrap();
    let writer = WriteBehind::new(store.clone(), delay).unwrap();
    (tmp, store, writer)
}

#[test]
fn a_burst_of_schedules_is_one_write() {
    let (_tmp, store, writer) = setup(Duration::from_millis(400));
    let start = Instant::now();
    for n in 0..1000_u32 {
        writer
            .schedule("counter", n.to_le_bytes().to_vec())
            .unwrap();
    }
    assert!(
        start.elapsed() < Duration::from_millis(200),
        "the burst must fit in the delay"
    );
    // Nothing on disk before the delay; the pending bytes are visible through the writer.
    assert_eq!(store.load("counter").unwrap(), None);
    assert_eq!(
        writer.load("counter").unwrap(),
        Some(999_u32.to_le_bytes().to_vec())
    );
    // Without flushing: wait for the timer.
    let deadline = Instant::now() + Duration::from_secs(5);
    while writer.stats().writes == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(start.elapsed() >= Duration::from_millis(400));
    let stats = writer.stats();
    assert_eq!(
        (stats.scheduled, stats.writes, stats.coalesced),
        (1000, 1, 999),
        "{stats:?}"
    );
    assert_eq!(stats.bytes_written, 4);
    assert_eq!(
        store.load("counter").unwrap(),
        Some(999_u32.to_le_bytes().to_vec())
    );
}

#[test]
fn a_steady_stream_still_reaches_disk() {
    // The timer starts at the first schedule and is not reset by later ones.
    let (_tmp, store, writer) = setup(Duration::from_millis(50));
    let start = Instant::now();
    let mut n = 0_u32;
    while start.elapsed() < Duration::from_millis(400) {
        writer.schedule("typing", n.to_le_bytes().to_vec()).unwrap();
        n += 1;
        std::thread::sleep(Duration::from_millis(2));
    }
    let writes = writer.stats().writes;
    assert!(
        (2..=12).contains(&writes),
        "{writes} writes in 400 ms at one per 50 ms"
    );
    writer.flush();
    assert_eq!(
        store.load("typing").unwrap(),
        Some((n - 1).to_le_bytes().to_vec())
    );
}

#[test]
fn flush_writes_everything_now() {
    let (_tmp, store, writer) = setup(Duration::from_secs(3600));
    for k in 0..50 {
        writer.schedule(&format!("c{k}"), vec![k; 100]).unwrap();
    }
    writer.schedule("c0", b"latest".to_vec()).unwrap();
    let start = Instant::now();
    writer.flush();
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(writer.pending(), 0);
    assert_eq!(store.keys().unwrap().len(), 50);
    assert_eq!(store.load("c0").unwrap().as_deref(), Some(&b"latest"[..]));
    assert_eq!(store.load("c49").unwrap(), Some(vec![49; 100]));
    let stats = writer.stats();
    assert_eq!((stats.writes, stats.coalesced, stats.errors), (50, 1, 0));
    // Flushing with nothing pending returns at once.
    writer.flush();
}

#[test]
fn remove_replaces_a_pending_write() {
    let (_tmp, store, writer) = setup(Duration::from_secs(3600));
    store.save("gone", b"old").unwrap();
    writer.schedule("gone", b"new".to_vec()).unwrap();
    writer.remove("gone").unwrap();
    assert_eq!(writer.load("gone").unwrap(), None);
    writer.flush();
    assert_eq!(store.load("gone").unwrap(), None);
    let stats = writer.stats();
    assert_eq!((stats.writes, stats.removes), (0, 1));
}

#[test]
fn drop_flushes() {
    let tmp = tempfile::tempdir().unwrap();
    let store = SnapshotStore::open(tmp.path()).unwrap();
    {
        let writer = WriteBehind::new(store.clone(), Duration::from_secs(3600)).unwrap();
        writer.schedule("a", b"A".to_vec()).unwrap();
        writer.schedule("b", b"B".to_vec()).unwrap();
    }
    assert_eq!(store.load("a").unwrap().as_deref(), Some(&b"A"[..]));
    assert_eq!(store.load("b").unwrap().as_deref(), Some(&b"B"[..]));
}

#[test]
fn invalid_keys_are_rejected_at_the_call() {
    let (_tmp, _store, writer) = setup(Duration::from_millis(10));
    let err = writer.schedule("../x", vec![]).unwrap_err();
    assert!(matches!(err, StoreError::InvalidKey { .. }));
    assert!(writer.remove("").is_err());
    assert_eq!(writer.pending(), 0);
}

#[test]
fn write_errors_are_counted_not_fatal() {
    let tmp = tempfile::tempdir().unwrap();
    let store = SnapshotStore::open(tmp.path())
        .unwrap()
        .with_max_file_size(4);
    let writer = WriteBehind::new(store.clone(), Duration::from_secs(3600)).unwrap();
    writer.schedule("big", vec![0; 5]).unwrap();
    writer.schedule("small", vec![0; 4]).unwrap();
    writer.flush();
    let stats = writer.stats();
    assert_eq!((stats.writes, stats.errors), (1, 1), "{stats:?}");
    assert_eq!(store.keys().unwrap(), ["small"]);
}

#[test]
fn schedules_from_many_threads() {
    let (_tmp, store, writer) = setup(Duration::from_millis(20));
    std::thread::scope(|s| {
        for t in 0..4_u8 {
            let writer = &writer;
            s.spawn(move || {
                for n in 0..200_u8 {
                    writer.schedule(&format!("t{t}"), vec![t, n]).unwrap();
                    if n % 50 == 0 {
                        writer.flush();
                    }
                }
            });
        }
    });
    writer.flush();
    for t in 0..4_u8 {
        assert_eq!(store.load(&format!("t{t}")).unwrap(), Some(vec![t, 199]));
    }
    let stats = writer.stats();
    assert_eq!(stats.scheduled, 800);
    assert_eq!(stats.writes + stats.coalesced, 800, "{stats:?}");
}
