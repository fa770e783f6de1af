//! Outward messages held back on this thread while the inspector replays recorded messages
//! through `update` (`Instance::replay`).
//!
//! A replay is about one view's state: the other tabs, servers and views did not ask for the
//! broadcasts and values its `update` sent the first time to come again. The replay runs each
//! `update` inside [`holding`]; [`publish`](super::publish) and the runtime's sending of
//! values to views (`Child::send`, `LiveHandle::send`) ask [`hold_broadcast`] /
//! [`hold_message`] first and drop what is held, which the replay's log entry then counts.
//! Outside a replay each check is one thread-local read.

use std::cell::Cell;

thread_local! {
    static HOLDING: Cell<Option<Held>> = const { Cell::new(None) };
}

/// What was held back during one [`holding`] call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Held {
    /// Broadcasts published.
    pub(crate) broadcasts: usize,
    /// Values sent to views (nested views, handles).
    pub(crate) messages: usize,
}

impl Held {
    /// A line for the replay's log entry, `None` if nothing was held.
    pub(crate) fn describe(self) -> Option<String> {
        let plural = |n: usize, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
        let parts: Vec<String> = [(self.broadcasts, "broadcast"), (self.messages, "message")]
            .into_iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| plural(n, what))
            .collect();
        (!parts.is_empty()).then(|| {
            format!(
                "{} held back (a replay sends nothing again)",
                parts.join(" and ")
            )
        })
    }
}

/// Runs `f` with outward messages held back on this thread; returns what it returned and
/// what was held. Nests (the outer count resumes afterwards) and survives a panic in `f`.
pub(crate) fn holding<R>(f: impl FnOnce() -> R) -> (R, Held) {
    struct Restore(Option<Held>);
    impl Drop for Restore {
        fn drop(&mut self) {
            HOLDING.set(self.0);
        }
    }
    let restore = Restore(HOLDING.replace(Some(Held::default())));
    let result = f();
    let held = HOLDING.get().unwrap_or_default();
    drop(restore);
    (result, held)
}

/// Whether a broadcast published now is held back (and so counted, not sent).
pub(crate) fn hold_broadcast() -> bool {
    count(|held| held.broadcasts += 1)
}

/// Whether a value sent to a view now is held back (and so counted, not sent).
pub(crate) fn hold_message() -> bool {
    count(|held| held.messages += 1)
}

fn count(add: impl FnOnce(&mut Held)) -> bool {
    HOLDING.with(|holding| match holding.get() {
        Some(mut held) => {
            add(&mut held);
            holding.set(Some(held));
            true
        }
        None => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_happens_inside_is_held_and_counted() {
        assert!(!hold_broadcast());
        let ((), held) = holding(|| {
            assert!(hold_broadcast());
            assert!(hold_message());
            assert!(hold_message());
            let ((), inner) = holding(|| assert!(hold_broadcast()));
            assert_eq!(inner.broadcasts, 1);
        });
        assert_eq!(
            held,
            Held {
                broadcasts: 1,
                messages: 2
            }
        );
        assert_eq!(
            held.describe().unwrap(),
            "1 broadcast and 2 messages held back (a replay sends nothing again)"
        );
        assert_eq!(Held::default().describe(), None);
        assert!(!hold_message());
        let caught = std::panic::catch_unwind(|| holding(|| panic!("in update")));
        assert!(caught.is_err());
        assert!(
            !hold_broadcast(),
            "a panic inside does not leave it holding"
        );
    }
}
