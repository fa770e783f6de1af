//! Patch ops: what the server sends a client to turn its copy of a component into the new one.
//!
//! # Addressing
//!
//! Every op has a `path`: child indexes from the fragment root (the component's boundary
//! element), e.g. `[0, 2, 1]` is `root.childNodes[0].childNodes[2].childNodes[1]`. The empty
//! path is the boundary element itself. Child lists count *all* nodes (elements, text,
//! comments). For a `<template>` element, its children are `template.content.childNodes`.
//!
//! Ops are applied **in order**; each op's path is valid in the tree as left by the ops before
//! it. A client applies them one by one, resolving each path afresh.
//!
//! # JSON shape (browser)
//!
//! Internally tagged by `"op"`; optional fields are omitted when empty/false.
//!
//! | op | fields | meaning |
//! |----|--------|---------|
//! | `text` | `path`, `text`, `prop`? | set the data of the text or comment node at `path` |
//! | `attr` | `path`, `name`, `value`, `ns`?, `prop`? | set attribute `name` (namespace URL `ns`) |
//! | `rmattr` | `path`, `name`, `ns`?, `prop`? | remove that attribute |
//! | `insert` | `path`, `index`, `html`, `ctx`? | parse `html` with the element at `path` as context (or, if `ctx` is set, a detached `<template>`, `<svg>` or `<math>` element), insert the resulting nodes so the first is child number `index` |
//! | `remove` | `path` | remove the node at `path` |
//! | `move` | `path`, `from`, `to` | take child `from` of the element at `path` out, then insert it so it becomes child number `to` (index counted after the removal) |
//! | `replace` | `path`, `html` | parse `html` with the parent of `path` as context and put the nodes in place of the node at `path` |
//!
//! `prop: true` marks form state the browser keeps as a *property* that the attribute alone
//! does not update once the user has interacted: `value` and `checked` on `<input>`, `value`
//! on `<select>`/`<textarea>`/`<option>`, `selected` on `<option>`, and text inside
//! `<textarea>`. A client sets the property too (`el.value = ...`, `el.checked = true`),
//! unless it decides to preserve what the user is typing in a focused control.
//!
//! Attribute names are written as in markup (`xlink:href`); `ns` is the namespace URL
//! (`http://www.w3.org/1999/xlink`) for namespaced attributes: use `setAttributeNS(ns, name,
//! value)` / `removeAttributeNS(ns, localName)`.
//!
//! Examples:
//! ```json
//! {"op":"text","path":[0,2,1],"text":"Count: 7"}
//! {"op":"attr","path":[0],"name":"class","value":"on"}
//! {"op":"attr","path":[1,0],"name":"xlink:href","value":"#b","ns":"http://www.w3.org/1999/xlink"}
//! {"op":"attr","path":[2],"name":"value","value":"hi","prop":true}
//! {"op":"rmattr","path":[0],"name":"hidden"}
//! {"op":"insert","path":[0,1],"index":3,"html":"<tr><td>new</td></tr>"}
//! {"op":"insert","path":[0],"index":0,"html":"<select></select>","ctx":"template"}
//! {"op":"remove","path":[0,4]}
//! {"op":"move","path":[0],"from":5,"to":0}
//! {"op":"replace","path":[3],"html":"<section>x</section>"}
//! ```
//!
//! The same types encode to MessagePack with [`ops_to_msgpack`] (map-encoded, because
//! optional fields are omitted) for compact storage and logs.

use serde::{Deserialize, Serialize};

/// Child indexes from the fragment root to a node.
pub type Path = Vec<u32>;

/// One patch operation. See the module docs for the wire format and semantics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
pub enum Op {
    /// Set the data of a text or comment node.
    Text {
        /// The text or comment node.
        path: Path,
        /// Its new data.
        text: String,
        /// The node is the text of a `<textarea>`: also set the control's `value`.
        #[serde(default, skip_serializing_if = "is_false")]
        prop: bool,
    },
    /// Set (add or change) an attribute.
    Attr {
        /// The element.
        path: Path,
        /// Attribute name as in markup, with its prefix if any (`xlink:href`).
        name: String,
        /// The new value.
        value: String,
        /// Namespace URL of a namespaced attribute.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ns: Option<String>,
        /// A form property (`value`, `checked`, `selected`): also set the DOM property.
        #[serde(default, skip_serializing_if = "is_false")]
        prop: bool,
    },
    /// Remove an attribute.
    #[serde(rename = "rmattr")]
    RemoveAttr {
        /// The element.
        path: Path,
        /// Attribute name as in markup.
        name: String,
        /// Namespace URL of a namespaced attribute.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ns: Option<String>,
        /// A form property: also reset the DOM property (`checked = false`, ...).
        #[serde(default, skip_serializing_if = "is_false")]
        prop: bool,
    },
    /// Insert nodes parsed from `html` as children of the element at `path`.
    Insert {
        /// The parent element (also the parsing context).
        path: Path,
        /// Index the first inserted node gets among the parent's children.
        index: u32,
        /// Serialized HTML of the new node(s).
        html: String,
        /// Parse `html` in this context instead of the parent: `"template"`, `"svg"` or
        /// `"math"`. Only set for an empty element the parent context would not accept
        /// (e.g. a `<select>` the parser nested in a `<select>` through table fixups).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ctx: Option<String>,
    },
    /// Remove the node at `path`.
    Remove {
        /// The node to remove.
        path: Path,
    },
    /// Move a child within its parent.
    Move {
        /// The parent element.
        path: Path,
        /// Current index of the child.
        from: u32,
        /// Index the child ends up at (counted after taking it out).
        to: u32,
    },
    /// Replace the node at `path` with nodes parsed from `html` (parent as context).
    Replace {
        /// The node to replace.
        path: Path,
        /// Serialized HTML of the new node.
        html: String,
    },
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Op {
    /// The path this op addresses.
    pub fn path(&self) -> &[u32] {
        match self {
            Op::Text { path, .. }
            | Op::Attr { path, .. }
            | Op::RemoveAttr { path, .. }
            | Op::Insert { path, .. }
            | Op::Remove { path }
            | Op::Move { path, .. }
            | Op::Replace { path, .. } => path,
        }
    }

    /// The op as one line of compact JSON (the browser encoding).
    pub fn to_json(&self) -> String {
        // Serializing this enum to JSON cannot fail (string keys, no maps with non-string
        // keys); fall back to an empty object rather than panic.
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_owned())
    }
}

/// Errors decoding ops.
#[derive(Debug, thiserror::Error)]
pub enum OpsDecodeError {
    /// The JSON is not a valid op list.
    #[error("invalid ops JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The MessagePack is not a valid op list.
    #[error("invalid ops MessagePack: {0}")]
    MsgPack(#[from] rmp_serde::decode::Error),
}

/// Encodes ops as a JSON array (the browser encoding).
pub fn ops_to_json(ops: &[Op]) -> String {
    serde_json::to_string(ops).unwrap_or_else(|_| "[]".to_owned())
}

/// Decodes a JSON array of ops.
pub fn ops_from_json(json: &str) -> Result<Vec<Op>, OpsDecodeError> {
    Ok(serde_json::from_str(json)?)
}

/// Encodes ops as MessagePack (structs as maps so omitted optional fields decode).
pub fn ops_to_msgpack(ops: &[Op]) -> Vec<u8> {
    rmp_serde::to_vec_named(ops).unwrap_or_default()
}

/// Decodes MessagePack produced by [`ops_to_msgpack`].
pub fn ops_from_msgpack(bytes: &[u8]) -> Result<Vec<Op>, OpsDecodeError> {
    Ok(rmp_serde::from_slice(bytes)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn samples() -> Vec<Op> {
        vec![
            Op::Text {
                path: vec![0, 2, 1],
                text: "Count: 7".into(),
                prop: false,
            },
            Op::Attr {
                path: vec![1, 0],
                name: "xlink:href".into(),
                value: "#b".into(),
                ns: Some("http://www.w3.org/1999/xlink".into()),
                prop: false,
            },
            Op::Attr {
                path: vec![2],
                name: "value".into(),
                value: "hi".into(),
                ns: None,
                prop: true,
            },
            Op::RemoveAttr {
                path: vec![0],
                name: "hidden".into(),
                ns: None,
                prop: false,
            },
            Op::Insert {
                path: vec![0, 1],
                index: 3,
                html: "<tr><td>new</td></tr>".into(),
                ctx: None,
            },
            Op::Insert {
                path: vec![0],
                index: 0,
                html: "<select></select>".into(),
                ctx: Some("template".into()),
            },
            Op::Remove { path: vec![0, 4] },
            Op::Move {
                path: vec![0],
                from: 5,
                to: 0,
            },
            Op::Replace {
                path: vec![3],
                html: "<section>x</section>".into(),
            },
        ]
    }

    #[test]
    fn json_shapes_are_as_documented() {
        let lines: Vec<String> = samples().iter().map(Op::to_json).collect();
        assert_eq!(
            lines,
            [
                r#"{"op":"text","path":[0,2,1],"text":"Count: 7"}"#,
                r##"{"op":"attr","path":[1,0],"name":"xlink:href","value":"#b","ns":"http://www.w3.org/1999/xlink"}"##,
                r#"{"op":"attr","path":[2],"name":"value","value":"hi","prop":true}"#,
                r#"{"op":"rmattr","path":[0],"name":"hidden"}"#,
                r#"{"op":"insert","path":[0,1],"index":3,"html":"<tr><td>new</td></tr>"}"#,
                r#"{"op":"insert","path":[0],"index":0,"html":"<select></select>","ctx":"template"}"#,
                r#"{"op":"remove","path":[0,4]}"#,
                r#"{"op":"move","path":[0],"from":5,"to":0}"#,
                r#"{"op":"replace","path":[3],"html":"<section>x</section>"}"#,
            ]
        );
    }

    #[test]
    fn json_and_msgpack_round_trip() {
        let ops = samples();
        assert_eq!(ops_from_json(&ops_to_json(&ops)).ok(), Some(ops.clone()));
        let packed = ops_to_msgpack(&ops);
        assert_eq!(ops_from_msgpack(&packed).ok(), Some(ops));
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(ops_from_json(r#"[{"op":"explode"}]"#).is_err());
        assert!(ops_from_msgpack(&[0xc1, 0x00]).is_err());
    }
}
