//! The dev bus: frames for every connected browser (swap notices, overlays, stylesheet swaps,
//! build progress). Live sockets subscribe when hot reload is enabled.

use serde::Serialize;
use std::sync::{Arc, LazyLock};
use tokio::sync::broadcast;

/// Frames the dev machinery sends to browsers (see `docs/PROTOCOL.md`, "Dev frames").
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum DevFrame {
    /// Templates in `file` were hot-swapped.
    Swapped {
        /// Source file.
        file: String,
        /// How many templates changed.
        templates: usize,
        /// Save → swap time.
        ms: f64,
    },
    /// An edit needs a rebuild.
    RebuildNeeded {
        /// Source file.
        file: String,
        /// Line of the edit.
        line: u32,
        /// Why.
        reason: String,
    },
    /// Errors to show in the overlay.
    Overlay {
        /// What produced them.
        kind: OverlayKind,
        /// The errors.
        errors: Vec<OverlayError>,
    },
    /// Hide the overlay.
    OverlayClear,
    /// The sources are back to what the running build was compiled from: a pending rebuild
    /// was cancelled, and "rebuild needed" (and a compile error) no longer applies.
    RebuildCleared,
    /// A stylesheet changed.
    Css {
        /// Its URL path.
        path: String,
    },
    /// A toast.
    Toast {
        /// How it looks.
        level: ToastLevel,
        /// Text.
        message: String,
    },
    /// The answer to one page's click-to-source request (`editor.rs`).
    SourceOpened {
        /// Whether the location was valid (and the editor started, or the location printed).
        ok: bool,
        /// What happened, for a toast.
        message: String,
        /// The position asked for, when it could be read.
        #[serde(skip_serializing_if = "Option::is_none")]
        file: Option<String>,
        /// Its line.
        #[serde(skip_serializing_if = "Option::is_none")]
        line: Option<u32>,
        /// Its column.
        #[serde(skip_serializing_if = "Option::is_none")]
        column: Option<u32>,
    },
    /// A server `tracing` event for the browser console (`console.rs`).
    Log {
        /// `error`, `warn`, `info`, `debug` or `trace`.
        level: &'static str,
        /// The event's target (module path).
        target: String,
        /// Its message.
        message: String,
        /// Its other fields, as text.
        fields: std::collections::BTreeMap<String, String>,
        /// When, in milliseconds since the Unix epoch.
        at: u64,
        /// For the line that reports dropped events: how many.
        #[serde(skip_serializing_if = "Option::is_none")]
        dropped: Option<u64>,
    },
    /// Build progress.
    Progress {
        /// Units done.
        done: u64,
        /// Units in all.
        total: u64,
        /// What is building.
        label: String,
    },
}

/// What produced the errors in an overlay (`kind` on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum OverlayKind {
    /// A template or file that does not parse.
    Template,
    /// rustc errors from a rebuild.
    Compile,
}

/// A toast's level (`level` on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ToastLevel {
    /// Neutral news.
    Info,
    /// Something was lost or skipped.
    Warn,
    /// Something failed.
    Error,
}

/// One error in the overlay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OverlayError {
    /// Source file.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What is wrong.
    pub message: String,
    /// The source line, if known (template errors; rustc's rendered text has its own).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// An error, or a note that explains the error before it (`` `<p>` opened here ``).
    pub severity: Severity,
}

/// Whether an overlay entry is an error or a note attached to the error before it
/// (`severity` on the wire); the overlay's title counts errors only.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Something that must be fixed.
    #[default]
    Error,
    /// Where it comes from.
    Note,
}

fn sender() -> &'static broadcast::Sender<Arc<str>> {
    static BUS: LazyLock<broadcast::Sender<Arc<str>>> = LazyLock::new(|| broadcast::channel(256).0);
    &BUS
}

/// `frame` as the JSON text sent on the wire (in the protocol's one envelope).
pub(crate) fn frame_json(frame: &DevFrame) -> String {
    crate::live::protocol::frame_json(frame)
}

/// Sends `frame` to every subscribed browser; returns how many sockets will get it.
pub(crate) fn publish(frame: &DevFrame) -> usize {
    sender().send(Arc::from(frame_json(frame))).unwrap_or(0)
}

/// Whether any browser listens (a frame published now would reach someone).
pub(crate) fn has_subscribers() -> bool {
    sender().receiver_count() > 0
}

/// A receiver for dev frames (as JSON text).
pub(crate) fn subscribe() -> broadcast::Receiver<Arc<str>> {
    sender().subscribe()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_carry_version_and_type() {
        let mut receiver = subscribe();
        publish(&DevFrame::Css {
            path: "/app.css".into(),
        });
        let json = receiver.try_recv().unwrap();
        assert_eq!(&*json, r#"{"v":1,"type":"css","path":"/app.css"}"#);
    }
}
