//! File watching with a debounce measured in milliseconds.
//!
//! Editors save in bursts: write + rename, truncate + write, several writes. The watcher
//! collects events until the file system has been quiet for [`QUIET`] (or [`MAX_WAIT`] passed
//! since the first event), then hands the set of paths over at once, with the time of the first
//! event so the swap latency can be measured from the save. Hundreds of milliseconds of
//! debounce (a common default) would be most of our latency budget.
//!
//! Where the OS says a save is complete (Linux reports the writer closing the file and the
//! rename of an atomic save), the burst ends right then instead of after the quiet window:
//! events already queued are still merged in, and a writer that reopens the file just starts
//! another burst (re-reading an unchanged file swaps nothing).

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// A burst is over after this long without events.
pub(crate) const QUIET: Duration = Duration::from_millis(2);

/// A burst is cut after this long, even if events keep coming.
pub(crate) const MAX_WAIT: Duration = Duration::from_millis(50);

/// Paths changed in one burst.
#[derive(Debug, Clone)]
pub(crate) struct Batch {
    /// Every path an event named, once.
    pub(crate) paths: Vec<PathBuf>,
    /// When the first event of the burst arrived.
    pub(crate) first_event: Instant,
}

/// Keeps the OS watcher alive; dropping it stops watching.
#[derive(Debug)]
pub(crate) struct WatchHandle {
    watcher: RecommendedWatcher,
    /// The directories watched recursively.
    dirs: Vec<PathBuf>,
    /// The directories whose files (only) are watched.
    flat: Vec<PathBuf>,
    /// Directories to watch the files of once they exist (a config file's directory that is
    /// not there yet); their nearest existing ancestor is watched meanwhile, to see them come.
    pending: Vec<PathBuf>,
}

impl WatchHandle {
    /// Also watches the files directly in `dir` (not its subdirectories: a crate root holds
    /// `target/`), unless a directory already watched covers it. A `dir` that does not exist
    /// yet is watched from when it appears (see [`appeared`](Self::appeared)).
    pub(crate) fn watch_files_in(&mut self, dir: &Path) {
        if !dir.is_dir() {
            if !self.pending.iter().any(|p| p == dir) {
                self.pending.push(dir.to_path_buf());
            }
            if let Some(ancestor) = dir.ancestors().skip(1).find(|a| a.is_dir()) {
                self.watch_flat(ancestor);
            }
            return;
        }
        self.watch_flat(dir);
    }

    /// The pending directories that exist now, watched from now on; those still missing
    /// are watched for from their nearest existing ancestor again (a tree made a level at a
    /// time). Cheap when nothing is pending: called for every changed path.
    pub(crate) fn appeared(&mut self) -> Vec<PathBuf> {
        if self.pending.is_empty() {
            return Vec::new();
        }
        let (now, still): (Vec<PathBuf>, Vec<PathBuf>) = std::mem::take(&mut self.pending)
            .into_iter()
            .partition(|dir| dir.is_dir());
        for dir in &now {
            self.watch_flat(dir);
        }
        for dir in &still {
            self.watch_files_in(dir);
        }
        now
    }

    fn watch_flat(&mut self, dir: &Path) {
        if self.dirs.iter().any(|watched| dir.starts_with(watched))
            || self.flat.iter().any(|watched| watched == dir)
        {
            return;
        }
        match self.watcher.watch(dir, RecursiveMode::NonRecursive) {
            Ok(()) => self.flat.push(dir.to_path_buf()),
            Err(error) => tracing::warn!(dir = %dir.display(), %error, "hotreload: cannot watch"),
        }
    }
}

/// Watches `dirs` recursively and calls `on_batch` (on a thread of its own) per burst.
pub(crate) fn watch(
    dirs: &[PathBuf],
    mut on_batch: impl FnMut(Batch) + Send + 'static,
) -> Result<WatchHandle, notify::Error> {
    let (sender, receiver) = channel::<(Instant, notify::Event)>();
    let mut watcher =
        notify::recommended_watcher(move |event: notify::Result<notify::Event>| match event {
            Ok(event) => {
                let _ = sender.send((Instant::now(), event));
            }
            Err(error) => tracing::warn!(%error, "hotreload: file watcher error"),
        })?;
    let mut watching = 0;
    for dir in dirs {
        match watcher.watch(dir, RecursiveMode::Recursive) {
            Ok(()) => watching += 1,
            Err(error) => tracing::warn!(dir = %dir.display(), %error, "hotreload: cannot watch"),
        }
    }
    tracing::debug!(dirs = watching, "hotreload: watching");
    std::thread::Builder::new()
        .name("hotreload-watch".to_owned())
        .spawn(move || {
            while let Ok((first_event, event)) = receiver.recv() {
                let mut paths = BTreeSet::new();
                let mut complete = collect(&event, &mut paths);
                let mut quiet_until = Instant::now() + QUIET;
                let hard_stop = first_event + MAX_WAIT;
                loop {
                    let until = if complete {
                        Instant::now() // only drain what is already queued
                    } else {
                        quiet_until.min(hard_stop)
                    };
                    match receiver.recv_timeout(until.saturating_duration_since(Instant::now())) {
                        Ok((_, event)) => {
                            complete |= collect(&event, &mut paths);
                            quiet_until = Instant::now() + QUIET;
                        }
                        Err(RecvTimeoutError::Timeout) => break,
                        Err(RecvTimeoutError::Disconnected) => return,
                    }
                }
                if !paths.is_empty() {
                    on_batch(Batch {
                        paths: paths.into_iter().collect(),
                        first_event,
                    });
                }
            }
        })
        .map_err(|e| notify::Error::generic(&e.to_string()))?;
    Ok(WatchHandle {
        watcher,
        dirs: dirs.to_vec(),
        flat: Vec::new(),
        pending: Vec::new(),
    })
}

/// Adds the paths of a relevant event; returns whether the event says a save is complete
/// (the writer closed the file, or an atomic save renamed it into place).
fn collect(event: &notify::Event, paths: &mut BTreeSet<PathBuf>) -> bool {
    use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};
    let complete = matches!(
        event.kind,
        EventKind::Access(AccessKind::Close(AccessMode::Write))
            | EventKind::Modify(ModifyKind::Name(RenameMode::To | RenameMode::Both))
    );
    let relevant = complete
        || matches!(
            event.kind,
            EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) | EventKind::Any
        );
    if relevant {
        paths.extend(event.paths.iter().cloned());
    }
    complete
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, AccessMode, CreateKind, DataChange, ModifyKind, RenameMode};

    fn event(kind: EventKind, path: &str) -> notify::Event {
        notify::Event::new(kind).add_path(PathBuf::from(path))
    }

    #[test]
    fn a_close_after_writing_or_a_rename_into_place_completes_a_save() {
        let mut paths = BTreeSet::new();
        let partial = [
            event(EventKind::Modify(ModifyKind::Data(DataChange::Any)), "a.rs"),
            event(EventKind::Create(CreateKind::File), "b.rs"),
            event(
                EventKind::Modify(ModifyKind::Name(RenameMode::From)),
                "c.rs",
            ),
        ];
        for e in &partial {
            assert!(!collect(e, &mut paths), "{e:?}");
        }
        let complete = [
            event(
                EventKind::Access(AccessKind::Close(AccessMode::Write)),
                "a.rs",
            ),
            event(EventKind::Modify(ModifyKind::Name(RenameMode::To)), "d.rs"),
            event(
                EventKind::Modify(ModifyKind::Name(RenameMode::Both)),
                "e.rs",
            ),
        ];
        for e in &complete {
            assert!(collect(e, &mut paths), "{e:?}");
        }
        // Reading a file is not an edit.
        assert!(!collect(
            &event(
                EventKind::Access(AccessKind::Close(AccessMode::Read)),
                "x.rs"
            ),
            &mut paths
        ));
        let names: Vec<_> = paths
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["a.rs", "b.rs", "c.rs", "d.rs", "e.rs"]);
    }
}
