//! State that survives struct edits: a snapshot that no longer deserializes into its type is
//! migrated field by field instead of thrown away.
//!
//! Snapshots are MessagePack with field names (`snapshot.rs`), so after a rebuild the old
//! state still reads as a map from field names to values. The migration starts from the new
//! type's `Default::default()` (serialized the same way) and takes each old field over in
//! turn, checking after each that the whole still deserializes into the new type:
//!
//! - a field that is new takes its default;
//! - a field that is gone is dropped;
//! - a field whose type changed (its old value no longer deserializes) takes the default; for
//!   a nested struct, the fields that still fit are kept inside it;
//! - a field renamed with `#[serde(alias = "old_name")]` takes the old value.
//!
//! [`Migration`] says what happened, for the toast. If no field at all could be kept (the
//! state is not a struct any more, or nothing in it fits), [`migrate`] fails and the view
//! mounts fresh. Each step deserializes the candidate, so a struct of `n` fields costs about
//! `n` decodes: nothing next to a rebuild.

use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt;
use thiserror::Error;

/// Deepest nesting read from a snapshot (a hostile one cannot overflow the stack).
const MAX_DEPTH: usize = 256;

/// What a migration did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Migration {
    /// Fields taken over unchanged.
    pub kept: Vec<String>,
    /// New fields, at their defaults.
    pub added: Vec<String>,
    /// Old fields with no place in the new type, dropped.
    pub removed: Vec<String>,
    /// Fields whose type changed, at their defaults (`field.inner` for nested structs).
    pub retyped: Vec<String>,
    /// Old name → new name, through `#[serde(alias)]`.
    pub renamed: Vec<(String, String)>,
}

impl Migration {
    /// Whether nothing was added, removed, retyped or renamed (every field was kept).
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.retyped.is_empty()
            && self.renamed.is_empty()
    }
}

impl fmt::Display for Migration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |names: &[String]| {
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut parts = Vec::new();
        if !self.kept.is_empty() {
            parts.push(format!("kept {}", list(&self.kept)));
        }
        if !self.added.is_empty() {
            parts.push(format!("added {} (default)", list(&self.added)));
        }
        if !self.removed.is_empty() {
            parts.push(format!("removed {}", list(&self.removed)));
        }
        if !self.retyped.is_empty() {
            parts.push(format!("type changed: {} (default)", list(&self.retyped)));
        }
        for (from, to) in &self.renamed {
            parts.push(format!("renamed `{from}` → `{to}`"));
        }
        f.write_str(&parts.join("; "))
    }
}

/// Why a state could not be migrated (the view then mounts fresh).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MigrateError {
    /// The snapshot is not MessagePack (corrupt or truncated).
    #[error("the snapshot is not readable MessagePack: {0}")]
    Corrupt(String),
    /// The new type's default does not serialize as a struct with named fields.
    #[error("the state is not a struct with named fields, so it cannot be migrated field by field")]
    NotAStruct,
    /// The old state is not a struct, or none of its fields fit.
    #[error("none of the snapshot's fields fit the new type")]
    NothingKept,
}

type Map = Vec<(rmpv::Value, rmpv::Value)>;

/// Reads `bytes` (MessagePack with field names, written for an older version of `T`) into
/// `T`, field by field; see the module docs.
pub(crate) fn migrate<T>(bytes: &[u8]) -> Result<(T, Migration), MigrateError>
where
    T: Default + Serialize + DeserializeOwned,
{
    let old = read(bytes)?;
    let base = rmp_serde::to_vec_named(&T::default())
        .map_err(|_| MigrateError::NotAStruct)
        .and_then(|b| read(&b))?;
    let rmpv::Value::Map(base) = base else {
        return Err(MigrateError::NotAStruct);
    };
    let rmpv::Value::Map(old) = old else {
        return Err(MigrateError::NothingKept);
    };
    let mut migration = Migration::default();
    let mut current = base.clone();
    for index in 0..current.len() {
        let name = key_name(&current[index].0);
        let Some(old_value) = lookup(&old, &current[index].0) else {
            migration.added.push(name);
            continue;
        };
        let default = std::mem::replace(&mut current[index].1, old_value.clone());
        if decodes::<T>(&current) {
            migration.kept.push(name);
            continue;
        }
        // A nested struct: keep the inner fields that still fit.
        if let (rmpv::Value::Map(inner_default), rmpv::Value::Map(inner_old)) =
            (&default, old_value)
        {
            let mut inner = inner_default.clone();
            let mut kept_any = false;
            for inner_index in 0..inner.len() {
                let Some(value) = lookup(inner_old, &inner[inner_index].0) else {
                    continue;
                };
                let previous = std::mem::replace(&mut inner[inner_index].1, value.clone());
                current[index].1 = rmpv::Value::Map(inner.clone());
                if decodes::<T>(&current) {
                    kept_any = true;
                } else {
                    inner[inner_index].1 = previous;
                    migration
                        .retyped
                        .push(format!("{name}.{}", key_name(&inner[inner_index].0)));
                }
            }
            current[index].1 = rmpv::Value::Map(inner);
            if kept_any && decodes::<T>(&current) {
                migration.kept.push(name);
                continue;
            }
        }
        current[index].1 = default;
        migration.retyped.push(name);
    }
    // Old fields the new type has no field for: renamed (an alias reads them) or removed.
    for (key, value) in &old {
        if lookup(&base, key).is_some() {
            continue;
        }
        let old_name = key_name(key);
        match renamed_to::<T>(&current, &migration.added, key, value) {
            Some((new_name, migrated)) => {
                migration.added.retain(|a| *a != new_name);
                migration.renamed.push((old_name, new_name));
                current = migrated;
            }
            None => migration.removed.push(old_name),
        }
    }
    if migration.kept.is_empty() && migration.renamed.is_empty() {
        return Err(MigrateError::NothingKept);
    }
    let state = decode::<T>(&current).ok_or(MigrateError::NothingKept)?;
    Ok((state, migration))
}

/// If one of the `added` fields reads old field `key` (an alias), the state with it taken
/// over, normalized to the new name.
fn renamed_to<T>(
    current: &Map,
    added: &[String],
    key: &rmpv::Value,
    value: &rmpv::Value,
) -> Option<(String, Map)>
where
    T: Serialize + DeserializeOwned,
{
    for new_name in added {
        let mut candidate: Map = current
            .iter()
            .filter(|(k, _)| key_name(k) != *new_name)
            .cloned()
            .collect();
        candidate.push((key.clone(), value.clone()));
        let Some(state) = decode::<T>(&candidate) else {
            continue;
        };
        let Ok(rmpv::Value::Map(normalized)) = rmp_serde::to_vec_named(&state)
            .map_err(|_| MigrateError::NotAStruct)
            .and_then(|b| read(&b))
        else {
            continue;
        };
        let now = normalized
            .iter()
            .find(|(k, _)| key_name(k) == *new_name)
            .map(|(_, v)| v);
        // Not a rename if the new field takes that value without the old one too (a
        // `#[serde(default)]` field whose default happens to equal it).
        let without: Map = candidate
            .iter()
            .filter(|(k, _)| k != key)
            .cloned()
            .collect();
        let by_default = decode::<T>(&without)
            .and_then(|state| rmp_serde::to_vec_named(&state).ok())
            .and_then(|bytes| read(&bytes).ok())
            .and_then(|value| match value {
                rmpv::Value::Map(map) => map
                    .into_iter()
                    .find(|(k, _)| key_name(k) == *new_name)
                    .map(|(_, v)| v),
                _ => None,
            });
        if now == Some(value) && by_default.as_ref() != Some(value) {
            return Some((new_name.clone(), normalized));
        }
    }
    None
}

fn read(bytes: &[u8]) -> Result<rmpv::Value, MigrateError> {
    let mut reader = bytes;
    rmpv::decode::read_value_with_max_depth(&mut reader, MAX_DEPTH)
        .map_err(|e| MigrateError::Corrupt(e.to_string()))
}

fn encode(map: &Map) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    rmpv::encode::write_value(&mut out, &rmpv::Value::Map(map.clone())).ok()?;
    Some(out)
}

fn decode<T: DeserializeOwned>(map: &Map) -> Option<T> {
    let bytes = encode(map)?;
    // A user `Deserialize` that panics is a candidate that does not fit.
    std::panic::catch_unwind(|| crate::live::snapshot::from_bytes::<T>(&bytes).ok())
        .ok()
        .flatten()
}

fn decodes<T: DeserializeOwned>(map: &Map) -> bool {
    decode::<T>(map).is_some()
}

fn lookup<'a>(map: &'a Map, key: &rmpv::Value) -> Option<&'a rmpv::Value> {
    map.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn key_name(key: &rmpv::Value) -> String {
    match key.as_str() {
        Some(name) => name.to_owned(),
        None => key.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct Settings {
        dark: bool,
        size: u32,
    }

    #[derive(Debug, Default, Serialize, Deserialize)]
    struct Before {
        count: i64,
        label: String,
        step: String,
        settings: OldSettings,
        n: u32,
    }

    #[derive(Debug, Default, Serialize, Deserialize)]
    struct OldSettings {
        dark: bool,
        size: String,
    }

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct After {
        count: i64,
        step: i32,
        history: Vec<i64>,
        settings: Settings,
        #[serde(alias = "n")]
        total: u32,
    }

    fn bytes<T: Serialize>(value: &T) -> Vec<u8> {
        rmp_serde::to_vec_named(value).unwrap()
    }

    #[test]
    fn fields_are_kept_added_dropped_retyped_and_renamed() {
        let before = Before {
            count: 7,
            label: "x".into(),
            step: "two".into(),
            settings: OldSettings {
                dark: true,
                size: "big".into(),
            },
            n: 3,
        };
        let (after, migration) = migrate::<After>(&bytes(&before)).unwrap();
        assert_eq!(
            after,
            After {
                count: 7,
                step: 0,
                history: vec![],
                settings: Settings {
                    dark: true,
                    size: 0
                },
                total: 3,
            }
        );
        assert_eq!(migration.kept, ["count", "settings"]);
        assert_eq!(migration.added, ["history"]);
        assert_eq!(migration.removed, ["label"]);
        assert_eq!(migration.retyped, ["step", "settings.size"]);
        assert_eq!(migration.renamed, [("n".to_owned(), "total".to_owned())]);
        let text = migration.to_string();
        assert!(text.contains("added `history` (default)"), "{text}");
        assert!(text.contains("removed `label`"), "{text}");
        assert!(
            text.contains("type changed: `step`, `settings.size`"),
            "{text}"
        );
        assert!(text.contains("renamed `n` → `total`"), "{text}");
    }

    #[test]
    fn a_default_that_equals_a_removed_value_is_not_a_rename() {
        #[derive(Serialize)]
        struct Old {
            count: i64,
            flag: bool,
        }
        #[derive(Debug, Default, Serialize, Deserialize)]
        struct New {
            count: i64,
            #[serde(default)]
            enabled: bool,
        }
        let (_, migration) = migrate::<New>(&bytes(&Old {
            count: 1,
            flag: false,
        }))
        .unwrap();
        assert_eq!(migration.renamed, Vec::<(String, String)>::new());
        assert_eq!(migration.removed, ["flag"]);
        assert_eq!(migration.added, ["enabled"]);
    }

    #[test]
    fn nothing_sensible_to_keep_fails() {
        #[derive(Debug, Default, Serialize, Deserialize)]
        struct Other {
            name: String,
        }
        assert_eq!(
            migrate::<Other>(&bytes(&Settings::default())).unwrap_err(),
            MigrateError::NothingKept
        );
        assert_eq!(
            migrate::<Other>(&bytes(&7_u8)).unwrap_err(),
            MigrateError::NothingKept
        );
        assert_eq!(
            migrate::<u8>(&bytes(&Settings::default())).unwrap_err(),
            MigrateError::NotAStruct
        );
        assert!(migrate::<Settings>(b"\xc1").is_err());
        assert!(matches!(
            migrate::<Settings>(b"\x82\xa4dark"),
            Err(MigrateError::Corrupt(_))
        ));
        assert!(matches!(
            migrate::<Settings>(&[0x91; 100_000]),
            Err(MigrateError::Corrupt(_))
        ));
    }
}
