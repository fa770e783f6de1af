//! What an `update` (or `handle_info`, `handle_params`) asks of the page besides re-rendering:
//! a new URL, another page, a flash message. Collected in the [`Context`](crate::Context) and
//! carried out by the instance once the call returns, so a panic midway asks for nothing.

use crate::live::flash::Flash;
use crate::live::protocol::FlashKind;

/// Where the page goes next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Navigation {
    /// The same view, another URL: `handle_params` runs, history is pushed or replaced.
    Patch { url: String, replace: bool },
    /// Another live page over the same socket.
    Navigate { url: String, replace: bool },
    /// A full page load.
    Redirect { url: String },
}

/// A change to the instance's flash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FlashChange {
    Put(FlashKind, String),
    Clear(FlashKind),
    ClearAll,
}

/// The effects one call asked for.
#[derive(Debug, Default)]
pub(crate) struct Effects {
    /// The last navigation asked for wins.
    pub(crate) navigation: Option<Navigation>,
    pub(crate) flash: Vec<FlashChange>,
    /// Events for the boundary's JavaScript hooks, in the order they were pushed.
    pub(crate) pushed: Vec<(String, serde_json::Value)>,
}

impl Effects {
    /// Applies the flash changes to `flash`; true if it changed.
    pub(crate) fn apply_flash(&mut self, flash: &mut Flash) -> bool {
        let before = flash.clone();
        for change in self.flash.drain(..) {
            match change {
                FlashChange::Put(kind, message) => flash.put(kind, message),
                FlashChange::Clear(kind) => flash.clear(kind),
                FlashChange::ClearAll => flash.clear_all(),
            }
        }
        *flash != before
    }
}
