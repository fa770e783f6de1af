//! Repairs inside a field whose old value no longer fits, where the view's default has no
//! shape to copy: the elements of a `Vec`, the values of a map, the content of an `Option` or
//! of an enum variant. `Vec<Todo>` is the common case: add a field to `Todo` and every saved
//! item lacks it, while the view's default (an empty list) says nothing about items.
//!
//! The repair is led by where deserialization fails (`serde_path_to_error` names the place,
//! `todos[3].priority`, and serde says why): a missing field is added and a value that no
//! longer fits is replaced, each with the first candidate that gets the decode past that
//! place. Candidates are, in order, the value the view's default has at that place (a nested
//! struct's own default), the variants an enum expects (a renamed or removed variant), and
//! the `Default` of the common types (`None`, `false`, `0`, `""`, an empty list, an empty
//! struct or map, whose own missing fields are then repaired in turn). A fix is applied at
//! once to every sibling at the same place (every item of the list; for a field added, every
//! value of a map of records too), so a list of ten thousand items costs a handful of
//! decodes, not ten thousand.
//!
//! Each step decodes the whole state, and a repair stops after [`MAX_DECODES`]: the field
//! then takes its default, as it did before repairs.

use super::key_name;
use rmpv::Value;
use serde::de::DeserializeOwned;
use std::collections::VecDeque;

/// Most decodes one field's repair may take.
const MAX_DECODES: usize = 256;

/// One step of a place in the state, as `serde_path_to_error` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    /// An element of a list (any element, when fixes spread to siblings).
    Index(usize),
    /// A struct field or a map key.
    Key(String),
    /// The content of an enum variant.
    Variant(String),
}

/// Where the state stops deserializing, and serde's reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Failure {
    /// `None` when the place cannot be told (a custom `Deserialize`, a panic).
    at: Option<Vec<Step>>,
    message: String,
}

/// What repairs changed, by place (list elements written `[]`).
#[derive(Debug, Default)]
pub(super) struct Repairs {
    /// Fields added inside the old value.
    pub(super) added: Vec<String>,
    /// Values inside it replaced because their type changed.
    pub(super) retyped: Vec<String>,
    /// Decodes taken.
    pub(super) decodes: usize,
}

/// How one failure is fixed.
#[derive(Clone)]
enum Fix {
    /// Add `key` to the map at `at`.
    Insert { at: Vec<Step>, key: String },
    /// Replace the value at `at`.
    Replace { at: Vec<Step> },
}

impl Fix {
    /// The place the new value goes.
    fn place(&self) -> Vec<Step> {
        match self {
            Fix::Insert { at, key } => {
                let mut place = at.clone();
                place.push(Step::Key(key.clone()));
                place
            }
            Fix::Replace { at } => at.clone(),
        }
    }
}

/// Repairs field `field` of `state` (a map, the view's state with the field's old value in
/// place) until it deserializes into `T`; `base` is the view's default, serialized. `false`
/// (and `state` partly repaired, to be thrown away) if it cannot be done within the budget
/// or the field itself no longer fits (the caller then takes the default for it).
pub(super) fn repair<T: DeserializeOwned>(
    state: &mut Value,
    field: &str,
    base: &Value,
    repairs: &mut Repairs,
) -> bool {
    let field = [Step::Key(field.to_owned())];
    // The state before the last fix spread over a map's values, and that fix: undone if the
    // map was a struct that denies unknown fields after all.
    let mut undo: Option<(Value, Fix, Value, String)> = None;
    loop {
        let Some(failure) = failure::<T>(state, repairs) else {
            return true;
        };
        if repairs.decodes >= MAX_DECODES {
            return false;
        }
        if let Some((before, fix, value, name)) = undo.take()
            && failure.message.starts_with("unknown field")
        {
            *state = before;
            spread(state, &fix, value, false, false);
            repairs.added.retain(|added| *added != name);
            let name = display(&fix.place(), &[]);
            if !repairs.added.contains(&name) {
                repairs.added.push(name);
            }
            continue;
        }
        let Some(at) = failure.at.filter(|at| at.starts_with(&field)) else {
            return false;
        };
        let fix = match missing_field(&failure.message) {
            Some(key) => match value_at(state, &at) {
                Some(Value::Map(_)) => Fix::Insert {
                    at,
                    key: key.to_owned(),
                },
                _ => return false,
            },
            None => Fix::Replace { at },
        };
        let place = fix.place();
        if place.len() <= field.len() {
            return false; // The field itself changed type: its default, not a repair.
        }
        let Some(value) = choose::<T>(state, &fix, &place, base, &failure.message, repairs) else {
            return false;
        };
        // A kind the new type does not take fails wherever it is; a value it does not take
        // (an enum variant gone, a number out of range) fails only where it is that value.
        let by_kind = failure.message.starts_with("invalid type:");
        let before = matches!(fix, Fix::Insert { .. }).then(|| state.clone());
        let wild = spread(state, &fix, value.clone(), by_kind, true);
        let name = display(&place, &wild);
        if !wild.is_empty()
            && let Some(before) = before
        {
            undo = Some((before, fix.clone(), value, name.clone()));
        }
        let list = match fix {
            Fix::Insert { .. } => &mut repairs.added,
            Fix::Replace { .. } => &mut repairs.retyped,
        };
        if !list.contains(&name) {
            list.push(name);
        }
    }
}

/// The first candidate that gets the decode past `place`, else the first that at least gets
/// it deeper into the new value (an empty struct whose fields are missing next).
fn choose<T: DeserializeOwned>(
    state: &Value,
    fix: &Fix,
    place: &[Step],
    base: &Value,
    message: &str,
    repairs: &mut Repairs,
) -> Option<Value> {
    let current = value_at(state, place).cloned();
    let mut queue: VecDeque<Value> = candidates(base, place, message).into();
    let mut tried = Vec::new();
    let mut deeper = None;
    while let Some(candidate) = queue.pop_front() {
        if current.as_ref() == Some(&candidate) || tried.contains(&candidate) {
            continue;
        }
        tried.push(candidate.clone());
        let mut trial = state.clone();
        apply(&mut trial, fix, candidate.clone());
        let Some(failed) = failure::<T>(&trial, repairs) else {
            return Some(candidate);
        };
        match failed.at {
            Some(at) if !at.starts_with(place) => return Some(candidate),
            // Inside the new value: an empty struct now missing its own fields.
            Some(at) if at.len() > place.len() || missing_field(&failed.message).is_some() => {
                deeper.get_or_insert(candidate);
            }
            // An enum: serde names the variants it takes.
            _ => {
                for variant in expected_variants(&failed.message).into_iter().rev() {
                    queue.push_front(Value::from(variant));
                }
            }
        }
        if repairs.decodes >= MAX_DECODES {
            break;
        }
    }
    deeper
}

/// What may go at `place`, best first.
fn candidates(base: &Value, place: &[Step], message: &str) -> Vec<Value> {
    let mut candidates = Vec::new();
    if let Some(default) = value_at(base, place) {
        candidates.push(default.clone());
    }
    candidates.extend(expected_variants(message).into_iter().map(Value::from));
    candidates.extend([
        Value::Nil,
        Value::Boolean(false),
        Value::from(0),
        Value::from(""),
        Value::Array(Vec::new()),
        Value::Map(Vec::new()),
    ]);
    candidates
}

/// Applies `fix` with `value` at its place only.
fn apply(state: &mut Value, fix: &Fix, value: Value) {
    match fix {
        Fix::Insert { at, key } => {
            if let Some(Value::Map(entries)) = value_at_mut(state, at) {
                entries.push((Value::from(key.as_str()), value));
            }
        }
        Fix::Replace { at } => {
            if let Some(slot) = value_at_mut(state, at) {
                *slot = value;
            }
        }
    }
}

/// Applies `fix` with `value` at its place in every element of every list on the way: maps
/// there that lack the key get it; values there that fail as the one fixed did are replaced
/// (`by_kind`: those of its kind, else those equal to it), and the others, which may well fit
/// already, are left alone.
///
/// A field added also goes into every value of a map of records on the way (`records`: a
/// map below the field itself, of two or more entries, all of them maps: the items of a
/// `HashMap<Id, Item>`). Returns the steps of `at` so taken as "every value", for the toast.
/// (Such a map may be a struct whose fields are all structs: they then get a field they
/// ignore, or, denying unknown fields, have the fix undone.)
fn spread(state: &mut Value, fix: &Fix, value: Value, by_kind: bool, records: bool) -> Vec<usize> {
    let mut wild = Vec::new();
    match fix {
        Fix::Insert { at, key } => each_at(state, at, 0, records, &mut wild, &mut |target| {
            if let Value::Map(entries) = target
                && !entries.iter().any(|(k, _)| key_name(k) == *key)
            {
                entries.push((Value::from(key.as_str()), value.clone()));
            }
        }),
        Fix::Replace { at } => {
            let Some(failed) = value_at(state, at).cloned() else {
                return wild;
            };
            each_at(state, at, 0, false, &mut wild, &mut |target| {
                let fails = if by_kind {
                    kind_of(target) == kind_of(&failed)
                } else {
                    *target == failed
                };
                if fails {
                    *target = value.clone();
                }
            });
        }
    }
    wild.sort_unstable();
    wild.dedup();
    wild
}

/// A value's MessagePack kind (nil, bool, number, string, list, map, ...).
fn kind_of(value: &Value) -> std::mem::Discriminant<Value> {
    std::mem::discriminant(value)
}

fn value_at<'a>(value: &'a Value, steps: &[Step]) -> Option<&'a Value> {
    let Some((first, rest)) = steps.split_first() else {
        return Some(value);
    };
    let next = match (first, value) {
        (Step::Index(index), Value::Array(items)) => items.get(*index)?,
        (Step::Key(name), Value::Map(entries)) => {
            &entries.iter().find(|(key, _)| key_name(key) == *name)?.1
        }
        (Step::Variant(name), Value::Map(entries)) => match entries.as_slice() {
            [(key, content)] if key_name(key) == *name => content,
            _ => return None,
        },
        _ => return None,
    };
    value_at(next, rest)
}

fn value_at_mut<'a>(value: &'a mut Value, steps: &[Step]) -> Option<&'a mut Value> {
    let Some((first, rest)) = steps.split_first() else {
        return Some(value);
    };
    let next = match (first, value) {
        (Step::Index(index), Value::Array(items)) => items.get_mut(*index)?,
        (Step::Key(name), Value::Map(entries)) => {
            &mut entries
                .iter_mut()
                .find(|(key, _)| key_name(key) == *name)?
                .1
        }
        (Step::Variant(name), Value::Map(entries)) => match entries.as_mut_slice() {
            [(key, content)] if key_name(key) == *name => content,
            _ => return None,
        },
        _ => return None,
    };
    value_at_mut(next, rest)
}

/// Calls `f` on the value at `steps` (from step number `depth` on), taking every element
/// where a step is a list index and, with `records`, every value of a map of records where a
/// step is a key (noting that step's number in `wild`).
fn each_at(
    value: &mut Value,
    steps: &[Step],
    depth: usize,
    records: bool,
    wild: &mut Vec<usize>,
    f: &mut dyn FnMut(&mut Value),
) {
    let Some((first, rest)) = steps.split_first() else {
        f(value);
        return;
    };
    match (first, value) {
        (Step::Index(_), Value::Array(items)) => {
            for item in items {
                each_at(item, rest, depth + 1, records, wild, f);
            }
        }
        (Step::Key(_), Value::Map(entries))
            if records
                && depth > 0
                && entries.len() > 1
                && entries.iter().all(|(_, v)| v.is_map()) =>
        {
            wild.push(depth);
            for (_, next) in entries.iter_mut() {
                each_at(next, rest, depth + 1, records, wild, f);
            }
        }
        (Step::Key(name), Value::Map(entries)) => {
            if let Some((_, next)) = entries.iter_mut().find(|(key, _)| key_name(key) == *name) {
                each_at(next, rest, depth + 1, records, wild, f);
            }
        }
        (Step::Variant(name), Value::Map(entries)) => {
            if let [(key, content)] = entries.as_mut_slice()
                && key_name(key) == *name
            {
                each_at(content, rest, depth + 1, records, wild, f);
            }
        }
        _ => {}
    }
}

/// Decodes `state` as `T`, as a snapshot is read, or says where and why not: the one decode
/// of a migration (`mod.rs` tries its candidates with it too).
pub(super) fn decode<T: DeserializeOwned>(state: &Value) -> Result<T, Failure> {
    let mut bytes = Vec::new();
    if rmpv::encode::write_value(&mut bytes, state).is_err() {
        return Err(Failure {
            at: None,
            message: "cannot be written as MessagePack".to_owned(),
        });
    }
    // A user `Deserialize` that panics is a candidate that does not fit.
    let decoded = std::panic::catch_unwind(|| {
        serde_path_to_error::deserialize::<_, T>(&mut crate::live::snapshot::deserializer(&bytes))
    });
    match decoded {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(error)) => Err(Failure {
            at: steps(error.path()),
            message: error.inner().to_string(),
        }),
        Err(_) => Err(Failure {
            at: None,
            message: "its Deserialize panicked".to_owned(),
        }),
    }
}

/// [`decode`], counted: `None` if `state` deserializes.
fn failure<T: DeserializeOwned>(state: &Value, repairs: &mut Repairs) -> Option<Failure> {
    repairs.decodes += 1;
    decode::<T>(state).err()
}

fn steps(path: &serde_path_to_error::Path) -> Option<Vec<Step>> {
    use serde_path_to_error::Segment;
    path.iter()
        .map(|segment| match segment {
            Segment::Seq { index } => Some(Step::Index(*index)),
            Segment::Map { key } => Some(Step::Key(key.clone())),
            Segment::Enum { variant } => Some(Step::Variant(variant.clone())),
            Segment::Unknown => None,
        })
        .collect()
}

/// `field` of serde's "missing field `field`".
fn missing_field(message: &str) -> Option<&str> {
    message.strip_prefix("missing field `")?.strip_suffix('`')
}

/// The variants of serde's "unknown variant `x`, expected one of `A`, `B`" (or "expected
/// `A` or `B`", "expected `A`").
fn expected_variants(message: &str) -> Vec<String> {
    let Some(rest) = message.strip_prefix("unknown variant `") else {
        return Vec::new();
    };
    let Some((_, expected)) = rest.split_once("`, expected ") else {
        return Vec::new();
    };
    expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// `todos[].priority`, `mode(Edit).draft`, `users.*.email` (the steps numbered in `wild`
/// stand for every value of a map).
fn display(place: &[Step], wild: &[usize]) -> String {
    let mut text = String::new();
    for (number, step) in place.iter().enumerate() {
        match step {
            Step::Index(_) => text.push_str("[]"),
            Step::Key(_) if wild.contains(&number) => text.push_str(".*"),
            Step::Key(name) if text.is_empty() => text.push_str(name),
            Step::Key(name) => {
                text.push('.');
                text.push_str(name);
            }
            Step::Variant(name) => {
                text.push('(');
                text.push_str(name);
                text.push(')');
            }
        }
    }
    text
}
