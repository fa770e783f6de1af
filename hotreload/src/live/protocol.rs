//! The wire protocol (version 1): frames between the browser client and the server.
//!
//! `docs/PROTOCOL.md` is the prose version of this file. Inbound frames are decoded by
//! [`decode_client_frame`], which turns every way a frame can be wrong into a [`ProtocolError`]
//! with a stable [`ErrorCode`], so a bad frame gets an `error` frame back and never takes the
//! connection (or anything else) down.

use crate::template::InstanceId;
use hotreload_diff::Op;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;
use thiserror::Error;

/// The protocol version this server speaks.
pub(crate) const PROTOCOL_VERSION: u32 = 1;

/// A boundary announced in `hello`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HelloInstance {
    /// The instance id from `data-live-view-id`.
    pub id: InstanceId,
    /// The view name from `data-live-view`.
    pub view: String,
    /// The boundary's `data-live-token` (top-level boundaries): proof that this page was
    /// served this instance (`docs/PROTOCOL.md`, "Instance tokens").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// The enclosing boundary's id, for a nested view.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<InstanceId>,
}

impl HelloInstance {
    /// A boundary with no token and no parent.
    pub fn new(id: InstanceId, view: impl Into<String>) -> Self {
        HelloInstance {
            id,
            view: view.into(),
            token: None,
            parent: None,
        }
    }
}

/// Kinds of flash messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FlashKind {
    /// Something went well.
    Info,
    /// Something went wrong.
    Error,
}

/// The events a client can send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    /// `live-click`.
    Click,
    /// `live-dblclick`.
    Dblclick,
    /// `live-input`.
    Input,
    /// `live-change`.
    Change,
    /// `live-submit`.
    Submit,
    /// `live-keydown`.
    Keydown,
    /// `live-keyup`.
    Keyup,
    /// `live-focus`.
    Focus,
    /// `live-blur`.
    Blur,
    /// `this.pushEvent(msg)` from a JavaScript hook (`live-hook`).
    Hook,
}

/// A frame from the client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum ClientFrame {
    /// First frame after each (re)connect.
    Hello {
        /// Boundaries on the page.
        instances: Vec<HelloInstance>,
        /// True after a reconnect.
        #[serde(default)]
        resume: bool,
        /// The page's URL (path and query) now: what views brought back after a restart mount
        /// with and read their parameters from.
        #[serde(default)]
        url: Option<String>,
    },
    /// A DOM event inside a boundary.
    Event {
        /// The instance.
        id: InstanceId,
        /// Which event.
        event: EventKind,
        /// The message from the attribute, as JSON.
        msg: Value,
        /// Input value, or `live-value`.
        #[serde(default)]
        value: Option<String>,
        /// Checkbox state.
        #[serde(default)]
        checked: Option<bool>,
        /// Form fields for submit.
        #[serde(default)]
        form: Option<Vec<(String, String)>>,
        /// `KeyboardEvent.key`.
        #[serde(default)]
        key: Option<String>,
        /// With `form`: the names of the fields the user has not used yet.
        #[serde(default)]
        unused: Option<Vec<String>>,
        /// Client-side counter, echoed in errors.
        #[serde(default, rename = "ref")]
        reference: Option<u64>,
    },
    /// A patch/html frame was applied (or not).
    Ack {
        /// The instance.
        id: InstanceId,
        /// The frame's sequence number.
        seq: u64,
        /// Why it failed to apply, if it did.
        #[serde(default)]
        error: Option<String>,
    },
    /// Heartbeat.
    Ping {
        /// Echoed in `pong`.
        #[serde(default)]
        n: u64,
    },
    /// The page's URL changed (a live patch link, back or forward) for the same views.
    Params {
        /// The new path and query.
        url: String,
    },
    /// Files chosen for upload `name` of instance `id`; their bytes follow in binary frames.
    Upload {
        /// The instance.
        id: InstanceId,
        /// The upload (`live-upload="NAME"`).
        name: String,
        /// The files.
        files: Vec<crate::live::upload::Announced>,
    },
    /// These boundaries left the page (a live navigation): their instances are dropped.
    Leave {
        /// The instances.
        ids: Vec<InstanceId>,
    },
    /// A request of the dev tools (click-to-source, the inspector). Only served on dev
    /// sockets of debug builds with hot reload; refused with `dev_off` elsewhere.
    Dev(DevRequest),
    /// The user dismissed a flash message.
    #[serde(rename = "clear_flash")]
    ClearFlash {
        /// The instance showing it.
        id: InstanceId,
        /// Which one.
        kind: FlashKind,
    },
}

/// What a `dev` frame asks for (its `action`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum DevRequest {
    /// Open the editor at `src` (`FILE:LINE:COLUMN`, an element's `data-hr-src`).
    Open {
        /// The position.
        src: String,
    },
    /// Describe these views (state, templates, event log, history): an `inspect` frame.
    Inspect {
        /// The boundaries on the page.
        ids: Vec<InstanceId>,
    },
    /// Show recorded state `to` of instance `id` (time travel); its events pause.
    Travel {
        /// The instance.
        id: InstanceId,
        /// The history entry's number (`n` in the `inspect` frame's log).
        to: u64,
    },
    /// Leave time travel at the state shown: later entries are dropped, events flow again.
    Resume {
        /// The instance.
        id: InstanceId,
    },
    /// Restore recorded state `from` and run the messages recorded after it through the
    /// running `update` again.
    Replay {
        /// The instance.
        id: InstanceId,
        /// The number of the history entry to start from.
        from: u64,
    },
}

/// Stable error codes for `error` frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Not JSON.
    BadJson,
    /// JSON, but not a frame this protocol knows the shape of.
    BadFrame,
    /// `type` names no frame.
    UnknownType,
    /// `v` is not the protocol version.
    BadVersion,
    /// Over the frame size limit.
    TooLarge,
    /// The instance is not attached to this connection.
    UnknownInstance,
    /// The view name is not registered.
    UnknownView,
    /// The event's message does not deserialize into the view's message type.
    BadMessage,
    /// The view's `update` or `render` panicked.
    Panic,
    /// Too many frames too fast.
    RateLimited,
    /// A boundary's token is missing, forged or expired: a fresh instance was mounted instead.
    BadToken,
    /// A `dev` frame on a socket without dev tools (a release build, hot reload not enabled).
    DevOff,
    /// An event for an instance whose state is being time-travelled in the inspector.
    Paused,
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        f.write_str(&text)
    }
}

/// Why an inbound frame was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{code}: {message}")]
pub struct ProtocolError {
    /// Stable code.
    pub code: ErrorCode,
    /// Human-readable detail.
    pub message: String,
}

impl ProtocolError {
    /// Builds an error.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ProtocolError {
            code,
            message: message.into(),
        }
    }
}

const CLIENT_TYPES: &[&str] = &[
    "hello",
    "event",
    "ack",
    "ping",
    "params",
    "leave",
    "upload",
    "clear_flash",
    "dev",
];

/// Decodes and validates one text frame from a client.
pub fn decode_client_frame(text: &str, max_bytes: usize) -> Result<ClientFrame, ProtocolError> {
    if text.len() > max_bytes {
        return Err(ProtocolError::new(
            ErrorCode::TooLarge,
            format!(
                "frame of {} bytes is over the limit of {max_bytes}",
                text.len()
            ),
        ));
    }
    let mut value: Value = serde_json::from_str(text)
        .map_err(|e| ProtocolError::new(ErrorCode::BadJson, format!("not JSON: {e}")))?;
    let Some(object) = value.as_object() else {
        return Err(ProtocolError::new(
            ErrorCode::BadFrame,
            "a frame must be a JSON object",
        ));
    };
    let Some(kind) = object
        .get("type")
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return Err(ProtocolError::new(
            ErrorCode::BadFrame,
            "missing string field `type`",
        ));
    };
    if !CLIENT_TYPES.contains(&kind.as_str()) {
        return Err(ProtocolError::new(
            ErrorCode::UnknownType,
            format!(
                "unknown frame type `{kind}` (expected one of {})",
                CLIENT_TYPES.join(", ")
            ),
        ));
    }
    match object.get("v").and_then(Value::as_u64) {
        Some(v) if v == u64::from(PROTOCOL_VERSION) => {}
        Some(v) => {
            return Err(ProtocolError::new(
                ErrorCode::BadVersion,
                format!(
                    "protocol version {v} is not supported; this server speaks {PROTOCOL_VERSION}"
                ),
            ));
        }
        None => {
            return Err(ProtocolError::new(
                ErrorCode::BadVersion,
                "missing numeric field `v`",
            ));
        }
    }
    if let Some(object) = value.as_object_mut() {
        // Checked above; the envelope's field, not the frame's.
        object.remove("v");
    }
    serde_json::from_value(value)
        .map_err(|e| ProtocolError::new(ErrorCode::BadFrame, format!("bad `{kind}` frame: {e}")))
}

/// Writes `frame` in the one envelope of every frame, both ways: the protocol version `v`
/// before the frame's own fields (`{"v":1,"type":"patch",...}`). Server frames and dev frames
/// are written through it; client frames are checked against it by [`decode_client_frame`].
///
/// The frame is serialized straight into the output after `{"v":1,` (its own opening brace
/// dropped): no intermediate value, no second copy of a large patch. (`#[serde(flatten)]`
/// would buffer every field of an internally tagged enum first: a 64 KB frame then took
/// several times longer to write.)
pub(crate) fn frame_json<F: Serialize>(frame: &F) -> String {
    const PREFIX: &[u8] = b"{\"v\":";
    let mut out = Vec::with_capacity(128);
    out.extend_from_slice(PREFIX);
    out.extend_from_slice(itoa::Buffer::new().format(PROTOCOL_VERSION).as_bytes());
    let start = out.len();
    if serde_json::to_writer(&mut out, frame).is_err() || out.get(start) != Some(&b'{') {
        // Frames are JSON objects with string keys and always serialize; never sent in practice.
        return format!("{{\"v\":{PROTOCOL_VERSION}}}");
    }
    if out.get(start + 1) == Some(&b'}') {
        out.remove(start);
    } else {
        out[start] = b',';
    }
    // serde_json writes valid UTF-8, and the prefix is ASCII.
    String::from_utf8(out).unwrap_or_default()
}

/// A frame to the client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum ServerFrame {
    /// Answer to `hello`.
    Welcome {
        /// Changes when the server process restarts.
        boot: String,
        /// Whether dev frames will follow.
        dev: bool,
    },
    /// Ops for one boundary.
    Patch {
        /// The instance.
        id: InstanceId,
        /// Sequence number.
        seq: u64,
        /// The ops.
        ops: Vec<Op>,
    },
    /// The whole inner HTML of one boundary, to morph in.
    Html {
        /// The instance.
        id: InstanceId,
        /// Sequence number.
        seq: u64,
        /// The inner HTML.
        html: String,
    },
    /// Reload the page.
    Reload {
        /// Why.
        reason: String,
    },
    /// Something was wrong.
    Error {
        /// Stable code.
        code: ErrorCode,
        /// Detail.
        message: String,
        /// The instance concerned, if any.
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<InstanceId>,
    },
    /// Heartbeat answer.
    Pong {
        /// From the ping.
        n: u64,
    },
    /// The token of boundary `old` was refused; a fresh instance `id` stands in for it (an
    /// `html` frame for `id` follows).
    Remount {
        /// The boundary's id on the page.
        old: InstanceId,
        /// The fresh instance.
        id: InstanceId,
        /// Its token.
        token: String,
    },
    /// The view changed its own URL (it has re-rendered already): push or replace history.
    LivePatch {
        /// Path and query.
        url: String,
        /// Replace the history entry instead of pushing one.
        replace: bool,
    },
    /// Go to another live page over this socket.
    LiveNavigate {
        /// Path and query.
        url: String,
        /// Replace the history entry instead of pushing one.
        replace: bool,
    },
    /// Load another page.
    Redirect {
        /// Where.
        url: String,
    },
    /// Send the bytes of these files of upload `name`, in binary frames of at most `chunk`
    /// bytes (the others were refused: the view renders why).
    UploadReady {
        /// The instance.
        id: InstanceId,
        /// The upload.
        name: String,
        /// The files to send.
        refs: Vec<String>,
        /// The largest chunk.
        chunk: usize,
    },
    /// Stop sending file `ref` (cancelled, refused or past its size).
    UploadStop {
        /// The instance.
        id: InstanceId,
        /// The file.
        #[serde(rename = "ref")]
        reference: String,
        /// Why.
        reason: String,
    },
    /// An event for the JavaScript hooks of boundary `id` ([`Context::push_event`]), sent after
    /// the frame that rendered the same update.
    ///
    /// [`Context::push_event`]: crate::Context::push_event
    PushEvent {
        /// The boundary whose hooks get it.
        id: InstanceId,
        /// The name hooks registered with `handleEvent(name, callback)`.
        name: String,
        /// Any JSON value.
        payload: Value,
    },
}

impl ServerFrame {
    /// An `error` frame.
    pub(crate) fn error(error: &ProtocolError, id: Option<InstanceId>) -> Self {
        ServerFrame::Error {
            code: error.code,
            message: error.message.clone(),
            id,
        }
    }

    /// As JSON text, in the one envelope (see [`frame_json`]).
    pub(crate) fn to_json(&self) -> String {
        frame_json(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> ErrorCode {
        decode_client_frame(text, 1024).unwrap_err().code
    }

    #[test]
    fn every_kind_of_bad_frame_gets_its_code() {
        assert_eq!(code("{not json"), ErrorCode::BadJson);
        assert_eq!(code("[1,2]"), ErrorCode::BadFrame);
        assert_eq!(code(r#"{"v":1}"#), ErrorCode::BadFrame);
        assert_eq!(code(r#"{"v":1,"type":"launch"}"#), ErrorCode::UnknownType);
        assert_eq!(code(r#"{"v":2,"type":"ping"}"#), ErrorCode::BadVersion);
        assert_eq!(code(r#"{"type":"ping"}"#), ErrorCode::BadVersion);
        assert_eq!(
            code(r#"{"v":1,"type":"event","id":"zz"}"#),
            ErrorCode::BadFrame
        );
        assert_eq!(
            code(&format!(
                r#"{{"v":1,"type":"ping","pad":"{}"}}"#,
                "x".repeat(2000)
            )),
            ErrorCode::TooLarge
        );
    }

    #[test]
    fn dev_frames_decode_by_action_and_refuse_strangers() {
        assert_eq!(
            decode_client_frame(
                r#"{"v":1,"type":"dev","action":"open","src":"a.rs:1:2"}"#,
                1024
            )
            .unwrap(),
            ClientFrame::Dev(DevRequest::Open {
                src: "a.rs:1:2".into()
            })
        );
        assert_eq!(
            decode_client_frame(
                r#"{"v":1,"type":"dev","action":"travel","id":"00000000000000ff","to":3}"#,
                1024
            )
            .unwrap(),
            ClientFrame::Dev(DevRequest::Travel {
                id: InstanceId(255),
                to: 3
            })
        );
        assert_eq!(
            code(r#"{"v":1,"type":"dev","action":"format_disk"}"#),
            ErrorCode::BadFrame
        );
        assert_eq!(
            code(r#"{"v":1,"type":"dev","action":"open","src":"a","extra":1}"#),
            ErrorCode::BadFrame
        );
        assert_eq!(code(r#"{"v":1,"type":"dev"}"#), ErrorCode::BadFrame);
    }

    #[test]
    fn good_frames_decode() {
        let frame = decode_client_frame(
            r#"{"v":1,"type":"event","id":"00000000000000ff","event":"click","msg":"Inc","ref":3}"#,
            1024,
        )
        .unwrap();
        let ClientFrame::Event {
            id,
            event,
            msg,
            reference,
            ..
        } = frame
        else {
            panic!("not an event");
        };
        assert_eq!(id, InstanceId(255));
        assert_eq!(event, EventKind::Click);
        assert_eq!(msg, Value::String("Inc".into()));
        assert_eq!(reference, Some(3));
        assert!(matches!(
            decode_client_frame(
                r#"{"v":1,"type":"hello","instances":[{"id":"0000000000000001","view":"Counter"}]}"#,
                1024
            ),
            Ok(ClientFrame::Hello { .. })
        ));
    }

    #[test]
    fn server_frames_serialize_compactly() {
        let frame = ServerFrame::Error {
            code: ErrorCode::UnknownInstance,
            message: "x".into(),
            id: Some(InstanceId(1)),
        };
        assert_eq!(
            frame.to_json(),
            r#"{"v":1,"type":"error","code":"unknown_instance","message":"x","id":"0000000000000001"}"#
        );
    }
}
