//! File watching with a debounce measured in milliseconds.
//!
//! Editors save in bursts: write + rename, truncate + write, several writes. The watcher
//! collects events until the file system has been quiet for [`QUIET`] (or [`MAX_WAIT`] passed
//! since the first event), then hands the set of paths over at once, with the time of the first
//! event so the swap latency can be measured from the save. Hundreds of milliseconds of
//! debounce (a common default) would be most of our latency budget.

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use std::collections::BTreeSet;
use std::path::PathBuf;
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
    _watcher: RecommendedWatcher,
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
                collect(&event, &mut paths);
                let mut quiet_until = Instant::now() + QUIET;
                let hard_stop = first_event + MAX_WAIT;
                loop {
                    let until = quiet_until.min(hard_stop);
                    match receiver.recv_timeout(until.saturating_duration_since(Instant::now())) {
                        Ok((_, event)) => {
                            collect(&event, &mut paths);
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
    Ok(WatchHandle { _watcher: watcher })
}

fn collect(event: &notify::Event, paths: &mut BTreeSet<PathBuf>) {
    let relevant = matches!(
        event.kind,
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) | EventKind::Any
    ) || matches!(
        event.kind,
        EventKind::Access(notify::event::AccessKind::Close(
            notify::event::AccessMode::Write
        ))
    );
    if relevant {
        paths.extend(event.paths.iter().cloned());
    }
}
