//! The inspector's view of live instances: what the `inspect` frame says about each (state as
//! JSON, templates with their source positions, event log, history), and the connection's
//! part of the dev tools' requests (gathering descriptions from the workers, time travel).
//!
//! Served only to dev sockets of processes with dev hooks that keep history (debug builds
//! with hot reload); a release build answers every `dev` frame with `dev_off`.

use crate::live::history::{History, memory};
use crate::live::instance::TimeTravel;
use crate::live::runtime::{Outbound, runtime};
use crate::template::{InstanceId, registry};
use serde::Serialize;
use serde_json::{Value, json};

/// How many log lines of each view an `inspect` frame carries (newest last).
const LOG_LINES: usize = 200;

/// `state` as JSON for reading: serde_json first; a state serde_json cannot write (a map
/// with non-string keys) through its MessagePack form.
pub(crate) fn state_json<T: Serialize>(state: &T) -> Value {
    // A `Serialize` that panics shows as such; the inspector (and the view) go on.
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| state_json_inner(state))) {
        Ok(value) => value,
        Err(panic) => json!({
            "unreadable": crate::live::instance::panic_message(panic.as_ref())
        }),
    }
}

fn state_json_inner<T: Serialize>(state: &T) -> Value {
    match serde_json::to_value(state) {
        Ok(value) => value,
        Err(error) => crate::live::snapshot::to_bytes(state)
            .ok()
            .and_then(|bytes| rmpv::decode::read_value(&mut bytes.as_slice()).ok())
            .map_or_else(
                || json!({ "unreadable": error.to_string() }),
                |value| json!({ "msgpack": value.to_string() }),
            ),
    }
}

/// One view as the `inspect` frame describes it.
pub(crate) fn describe(
    id: InstanceId,
    view: &str,
    state: Value,
    history: Option<&History>,
) -> Value {
    let templates: Vec<Value> = registry()
        .templates_of(id)
        .into_iter()
        .map(|template| {
            let info = registry().info(&template);
            // Where the template is now: its first element's annotated position once the
            // file was edited above it; the macro call as built otherwise.
            let (line, column) = info
                .as_ref()
                .and_then(|i| i.first_element)
                .unwrap_or((template.line(), template.column()));
            json!({
                "file": template.file(),
                "line": line,
                "column": column,
                "built": format!("{}:{}:{}", template.file(), template.line(), template.column()),
                "index": template.index(),
                "swapped": info.as_ref().is_some_and(|i| i.swapped),
                "version": info.as_ref().map_or(0, |i| i.version),
            })
        })
        .collect();
    let (log, summary) = match history {
        Some(history) => {
            let skip = history.len().saturating_sub(LOG_LINES);
            let log: Vec<Value> = history
                .entries()
                .skip(skip)
                .map(|entry| {
                    let r = &entry.record;
                    json!({
                        "n": r.n, "at": r.at, "kind": r.kind, "msg": r.msg,
                        "update_us": r.update_us, "render_us": r.render_us, "diff_us": r.diff_us,
                        "ops": r.ops, "bytes": r.bytes, "error": r.error, "note": r.note,
                    })
                })
                .collect();
            let position = history.position();
            (
                log,
                json!({
                    "len": history.len(),
                    "position": position,
                    "travelling": history.travelling().is_some(),
                    "bytes": history.bytes(),
                    "first": skip,
                }),
            )
        }
        None => (
            Vec::new(),
            json!({ "len": 0, "position": 0, "travelling": false, "bytes": 0, "first": 0 }),
        ),
    };
    json!({
        "id": id,
        "view": view,
        "parent": runtime().parent_of(id).map(|(parent, _)| parent),
        "state": state,
        "templates": templates,
        "log": log,
        "history": summary,
    })
}

/// Describes `ids` (those attached to the connection) from their workers and sends one
/// `inspect` frame on `outbound`; `travel`, if any, is carried out on its instance first.
pub(crate) fn answer(
    ids: Vec<InstanceId>,
    travel: Option<(InstanceId, TimeTravel)>,
    outbound: Outbound,
) {
    let Some(tokio) = runtime().tokio() else {
        return;
    };
    let mut waiting = Vec::with_capacity(ids.len());
    for id in ids {
        let (done, description) = tokio::sync::oneshot::channel::<Value>();
        let travel = travel
            .filter(|(travelled, _)| *travelled == id)
            .map(|(_, t)| t);
        let out = outbound.clone();
        runtime().run(
            id,
            Box::new(move |instances| {
                let Some(instance) = instances.get_mut(id) else {
                    return;
                };
                if let Some(request) = travel
                    && let Err(message) = instance.time_travel(request)
                {
                    let error = crate::live::protocol::ProtocolError::new(
                        crate::live::protocol::ErrorCode::BadFrame,
                        format!("time travel: {message}"),
                    );
                    let _ = out.send(
                        crate::live::protocol::ServerFrame::error(&error, Some(id)).to_json(),
                    );
                }
                let _ = done.send(instance.describe());
            }),
        );
        waiting.push(description);
    }
    tokio.spawn(async move {
        let mut views = Vec::with_capacity(waiting.len());
        for description in waiting {
            if let Ok(view) = description.await {
                views.push(view);
            }
        }
        let frame = crate::live::protocol::frame_json(&json!({
            "type": "inspect",
            "views": views,
            "memory": memory(),
        }));
        let _ = outbound.send(frame);
    });
}
