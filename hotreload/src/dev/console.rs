//! [`BrowserConsole`]: server logs in the browser console (its docs are the user guide).

use crate::dev::bus::{DevFrame, publish};
use std::cell::Cell;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

/// Most events forwarded per second; more are counted and reported as dropped.
pub(crate) const MAX_PER_SECOND: u32 = 50;

/// Longest message forwarded (longer ones are cut, with `…`).
const MAX_MESSAGE: usize = 2000;

/// Server logs in the browser console: [`BrowserConsole`], a `tracing` layer that forwards
/// the app's events to every open page of a dev server, where the dev client prints them
/// with `console.error` / `warn` / `info` / `debug` (like Phoenix's `web_console_logger`).
///
/// ```no_run
/// use tracing_subscriber::prelude::*;
///
/// tracing_subscriber::registry()
///     .with(tracing_subscriber::fmt::layer())
///     .with(hotreload::BrowserConsole::new(tracing::Level::INFO))
///     .init();
/// ```
///
/// It never blocks the server: an event is formatted on the thread that logged it and put on
/// the dev bus (a bounded broadcast channel: a page that reads too slowly loses frames, the
/// logger never waits). At most 50 events a second are forwarded; the rest
/// are counted and reported as one "dropped" line. hotreload's own events below `WARN` are
/// not forwarded (they describe the very frames that would carry them).
///
/// Only debug builds with hot reload enabled forward anything: in a release build `on_event`
/// returns at once (a constant `false`), and without hot reload after one atomic load.
#[derive(Debug)]
pub struct BrowserConsole {
    level: Level,
    limit: Mutex<Window>,
}

#[derive(Debug)]
struct Window {
    started: Instant,
    sent: u32,
    dropped: u64,
}

thread_local! {
    /// Set while this thread forwards an event: an event logged meanwhile is not forwarded.
    static FORWARDING: Cell<bool> = const { Cell::new(false) };
}

impl BrowserConsole {
    /// Forwards events at `level` and more severe.
    pub fn new(level: Level) -> Self {
        BrowserConsole {
            level,
            limit: Mutex::new(Window {
                started: Instant::now(),
                sent: 0,
                dropped: 0,
            }),
        }
    }

    /// Whether this process forwards at all (debug build, hot reload enabled).
    fn active() -> bool {
        cfg!(debug_assertions) && crate::dev::enabled()
    }

    fn wanted(&self, metadata: &Metadata<'_>) -> bool {
        self.wanted_for(*metadata.level(), metadata.target())
    }

    /// Events at the layer's level or more severe, but hotreload's own only from `WARN`.
    fn wanted_for(&self, level: Level, target: &str) -> bool {
        let ours = target == "hotreload" || target.starts_with("hotreload::");
        level <= self.level && !(ours && level > Level::WARN)
    }

    /// Whether one more event fits this second; `Some(n)` first when `n` were dropped in
    /// the second before.
    fn admit(&self) -> (bool, Option<u64>) {
        let mut window = self.limit.lock().unwrap_or_else(PoisonError::into_inner);
        let mut report = None;
        if window.started.elapsed() >= Duration::from_secs(1) {
            if window.dropped > 0 {
                report = Some(window.dropped);
            }
            *window = Window {
                started: Instant::now(),
                sent: 0,
                dropped: 0,
            };
        }
        if window.sent < MAX_PER_SECOND {
            window.sent += 1;
            (true, report)
        } else {
            window.dropped += 1;
            (false, report)
        }
    }
}

impl<S: Subscriber> Layer<S> for BrowserConsole {
    // No `register_callsite` / `enabled`: a layer's answer there filters for every layer of
    // the subscriber, and the app's own output must not lose anything. The defaults say yes;
    // `on_event` decides.

    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        // No page open: nothing to format (every event of the app comes through here).
        if !Self::active()
            || !self.wanted(event.metadata())
            || !crate::dev::bus::has_subscribers()
            || FORWARDING.with(Cell::get)
        {
            return;
        }
        FORWARDING.with(|f| f.set(true));
        // Reset however this ends (a field's `Debug` may panic).
        let _forwarding = Forwarding;
        let (admitted, dropped) = self.admit();
        if let Some(dropped) = dropped {
            publish(&DevFrame::Log {
                level: "warn",
                target: "hotreload".to_owned(),
                message: format!(
                    "{dropped} server log line(s) not shown (more than {MAX_PER_SECOND} a second)"
                ),
                fields: BTreeMap::new(),
                at: now_ms(),
                dropped: Some(dropped),
            });
        }
        if admitted {
            let mut visitor = Fields::default();
            event.record(&mut visitor);
            let metadata = event.metadata();
            publish(&DevFrame::Log {
                level: level_name(*metadata.level()),
                target: metadata.target().to_owned(),
                message: visitor.message,
                fields: visitor.fields,
                at: now_ms(),
                dropped: None,
            });
        }
    }
}

/// Clears `FORWARDING` when dropped.
struct Forwarding;

impl Drop for Forwarding {
    fn drop(&mut self) {
        FORWARDING.with(|f| f.set(false));
    }
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::ERROR => "error",
        Level::WARN => "warn",
        Level::INFO => "info",
        Level::DEBUG => "debug",
        Level::TRACE => "trace",
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// An event's message and other fields, as text.
#[derive(Default)]
struct Fields {
    message: String,
    fields: BTreeMap<String, String>,
}

impl Fields {
    fn put(&mut self, field: &Field, value: String) {
        let value = cut(value);
        if field.name() == "message" {
            self.message = value;
        } else if self.fields.len() < 32 {
            self.fields.insert(field.name().to_owned(), value);
        }
    }
}

fn cut(mut text: String) -> String {
    if text.len() > MAX_MESSAGE {
        let mut end = MAX_MESSAGE;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push('…');
    }
    text
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, value.to_owned());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let mut text = String::new();
        let _ = write!(text, "{value:?}");
        self.put(field, text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn at_most_the_limit_a_second_then_a_dropped_count() {
        let console = BrowserConsole::new(Level::INFO);
        let admitted = (0..MAX_PER_SECOND + 10)
            .filter(|_| console.admit().0)
            .count();
        assert_eq!(admitted, MAX_PER_SECOND as usize);
        console
            .limit
            .lock()
            .unwrap()
            .started
            .clone_from(&(Instant::now() - Duration::from_secs(2)));
        assert_eq!(console.admit(), (true, Some(10)));
    }

    #[test]
    fn levels_and_hotreloads_own_chatter_are_filtered() {
        let console = BrowserConsole::new(Level::INFO);
        assert!(console.wanted_for(Level::INFO, "my_app"));
        assert!(console.wanted_for(Level::ERROR, "my_app"));
        assert!(!console.wanted_for(Level::DEBUG, "my_app"));
        assert!(!console.wanted_for(Level::INFO, "hotreload::live"));
        assert!(console.wanted_for(Level::WARN, "hotreload::live"));
        assert!(
            console.wanted_for(Level::INFO, "hotreload_demo"),
            "an app named like us"
        );
        assert!(BrowserConsole::new(Level::TRACE).wanted_for(Level::TRACE, "my_app"));
    }
}
