//! The on-disk store: atomic saves, keys, size cap, cleanup.

use std::fs::{self, File, FileTimes};
use std::path::Path;
use std::time::{Duration, SystemTime};

use hotreload_state::{SnapshotStore, StoreError, TEMP_GRACE};

fn store() -> (tempfile::TempDir, SnapshotStore) {
    let tmp = tempfile::tempdir().unwrap();
    let store = SnapshotStore::open(tmp.path().join("nested/state")).unwrap();
    (tmp, store)
}

/// Sets a file's modification time `ago` in the past.
fn age(path: &Path, ago: Duration) {
    let when = SystemTime::now() - ago;
    File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_times(FileTimes::new().set_modified(when).set_accessed(when))
        .unwrap();
}

#[test]
fn open_creates_the_directory() {
    let (_tmp, store) = store();
    assert!(store.dir().is_dir());
    assert_eq!(store.keys().unwrap(), Vec::<String>::new());
}

#[test]
fn save_load_replace_remove() {
    let (_tmp, store) = store();
    assert_eq!(store.load("a").unwrap(), None);
    store.save("a", b"one").unwrap();
    store.save("b-2_X", b"").unwrap();
    assert_eq!(store.load("a").unwrap().as_deref(), Some(&b"one"[..]));
    assert_eq!(store.load("b-2_X").unwrap().as_deref(), Some(&b""[..]));
    store.save("a", b"two, longer").unwrap();
    assert_eq!(
        store.load("a").unwrap().as_deref(),
        Some(&b"two, longer"[..])
    );
    assert_eq!(store.keys().unwrap(), ["a", "b-2_X"]);
    assert!(store.remove("a").unwrap());
    assert!(!store.remove("a").unwrap());
    assert_eq!(store.keys().unwrap(), ["b-2_X"]);
    // Only the snapshot files are left: no temp files from the saves.
    let names: Vec<_> = fs::read_dir(store.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, ["b-2_X.hrsn"]);
}

#[test]
fn a_crash_between_write_and_rename_keeps_the_old_version() {
    let (_tmp, store) = store();
    store.save("counter", b"old").unwrap();
    // What a save that died before its rename leaves: a complete (or torn) temp file.
    let tmp_file = store.dir().join(".counter.99999-0.tmp");
    fs::write(&tmp_file, b"new but never renamed").unwrap();
    let torn = store.dir().join(".counter.99999-1.tmp");
    fs::write(&torn, b"ne").unwrap();

    assert_eq!(store.load("counter").unwrap().as_deref(), Some(&b"old"[..]));
    assert_eq!(store.keys().unwrap(), ["counter"]);
    // A later save is not confused by them.
    store.save("counter", b"newer").unwrap();
    assert_eq!(
        store.load("counter").unwrap().as_deref(),
        Some(&b"newer"[..])
    );

    // Fresh temp files may be a save in progress: kept.
    assert_eq!(store.cleanup(Duration::from_secs(3600)).unwrap(), 0);
    assert!(tmp_file.exists());
    // Once older than the grace period, they are strays: removed; the snapshot stays.
    age(&tmp_file, TEMP_GRACE + Duration::from_secs(1));
    age(&torn, TEMP_GRACE + Duration::from_secs(1));
    assert_eq!(store.cleanup(Duration::from_secs(3600)).unwrap(), 2);
    assert!(!tmp_file.exists() && !torn.exists());
    assert_eq!(
        store.load("counter").unwrap().as_deref(),
        Some(&b"newer"[..])
    );
}

#[test]
fn invalid_keys_are_rejected_everywhere() {
    let (tmp, store) = store();
    for key in [
        "",
        "../escape",
        "..",
        "a/b",
        "a\\b",
        "/abs",
        "a.hrsn",
        "x y",
        "ü",
        &"k".repeat(65),
    ] {
        let is_invalid =
            |r: Result<(), StoreError>| matches!(r, Err(StoreError::InvalidKey { .. }));
        assert!(is_invalid(store.save(key, b"x")), "save {key:?}");
        assert!(is_invalid(store.load(key).map(drop)), "load {key:?}");
        assert!(is_invalid(store.remove(key).map(drop)), "remove {key:?}");
        assert!(is_invalid(store.path_of(key).map(drop)), "path_of {key:?}");
    }
    assert!(!tmp.path().join("nested/escape.hrsn").exists());
    assert_eq!(store.keys().unwrap(), Vec::<String>::new());
    let msg = store.load("../x").unwrap_err().to_string();
    assert!(
        msg.contains("\"../x\"") && msg.contains("A-Z a-z 0-9 _ -"),
        "{msg}"
    );
}

#[test]
fn size_cap_applies_to_save_and_load() {
    let (_tmp, store) = store();
    let store = store.with_max_file_size(1000);
    store.save("ok", &[1; 1000]).unwrap();
    assert_eq!(store.load("ok").unwrap().unwrap().len(), 1000);
    let err = store.save("big", &[1; 1001]).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::TooLarge {
                size: 1001,
                limit: 1000,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(store.load("big").unwrap(), None);

    // A huge file placed by someone else is rejected from its size, without reading it: make it
    // sparse, 10 GiB, so reading it would be very visible.
    let huge = store.path_of("huge").unwrap();
    File::create(&huge).unwrap().set_len(10 << 30).unwrap();
    let err = store.load("huge").unwrap_err();
    assert!(
        matches!(err, StoreError::TooLarge { size, limit: 1000, .. } if size == 10 << 30),
        "{err:?}"
    );
    assert!(err.to_string().contains("huge.hrsn"), "{err}");
}

#[test]
fn cleanup_removes_old_snapshots_only() {
    let (_tmp, store) = store();
    for key in ["old-1", "old-2", "fresh"] {
        store.save(key, key.as_bytes()).unwrap();
    }
    age(
        &store.path_of("old-1").unwrap(),
        Duration::from_secs(3 * 86400),
    );
    age(
        &store.path_of("old-2").unwrap(),
        Duration::from_secs(2 * 86400),
    );
    // Files that are not the store's are left alone, however old.
    let foreign = store.dir().join("README.txt");
    fs::write(&foreign, "mine").unwrap();
    age(&foreign, Duration::from_secs(10 * 86400));

    assert_eq!(store.cleanup(Duration::from_secs(7 * 86400)).unwrap(), 0);
    assert_eq!(store.cleanup(Duration::from_secs(86400)).unwrap(), 2);
    assert_eq!(store.keys().unwrap(), ["fresh"]);
    assert!(foreign.exists());
    // Zero max age: everything of the store's goes.
    assert_eq!(store.cleanup(Duration::ZERO).unwrap(), 1);
    assert_eq!(store.keys().unwrap(), Vec::<String>::new());
    assert!(foreign.exists());
}

#[test]
fn concurrent_saves_of_one_key_never_tear() {
    let (_tmp, store) = store();
    let versions: Vec<Vec<u8>> = (0..8_u8).map(|n| vec![n; 64 * 1024]).collect();
    std::thread::scope(|s| {
        for v in &versions {
            let store = store.clone();
            s.spawn(move || {
                for _ in 0..5 {
                    store.save("shared", v).unwrap();
                }
            });
        }
        let reader = store.clone();
        s.spawn(move || {
            for _ in 0..50 {
                if let Some(bytes) = reader.load("shared").unwrap() {
                    assert_eq!(bytes.len(), 64 * 1024);
                    assert!(bytes.iter().all(|&b| b == bytes[0]), "torn read");
                }
            }
        });
    });
    let last = store.load("shared").unwrap().unwrap();
    assert!(versions.contains(&last));
    assert_eq!(
        fs::read_dir(store.dir()).unwrap().count(),
        1,
        "no temp files left"
    );
}
