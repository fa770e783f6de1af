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
//! - a field whose type changed (its old value no longer deserializes) takes the default;
//! - a field whose value changed shape *inside* (a field added to the struct of its
//!   `Vec` items, a nested struct's field retyped, an enum variant gone) is repaired there and
//!   kept, what fits of it unchanged (`repair.rs`);
//! - a field renamed with `#[serde(alias = "old_name")]` takes the old value.
//!
//! [`Migration`] says what happened, for the toast. If no field at all could be kept (the
//! state is not a struct any more, or nothing in it fits), [`migrate`] fails and the view
//! mounts fresh. Each step deserializes the candidate, so a struct of `n` fields costs about
//! `n` decodes: nothing next to a rebuild.

mod repair;

use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt;
use thiserror::Error;

/// What a migration did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Migration {
    /// Fields taken over unchanged.
    pub kept: Vec<String>,
    /// New fields, at their defaults (`field.inner`, `items[].field` inside old values).
    pub added: Vec<String>,
    /// Old fields with no place in the new type, dropped.
    pub removed: Vec<String>,
    /// Fields whose type changed, at their defaults (`field.inner` inside nested structs,
    /// `items[].field` inside the items of a list).
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
    let base_value = rmpv::Value::Map(base.clone());
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
        // Changed inside: new fields of its items, a nested field retyped, a variant gone.
        let mut repaired = rmpv::Value::Map(current.clone());
        let mut repairs = repair::Repairs::default();
        if repair::repair::<T>(&mut repaired, &name, &base_value, &mut repairs)
            && let rmpv::Value::Map(repaired) = repaired
        {
            current = repaired;
            migration.kept.push(name);
            migration.added.extend(repairs.added);
            migration.retyped.extend(repairs.retyped);
            continue;
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
    rmpv::decode::read_value_with_max_depth(&mut reader, crate::live::snapshot::MAX_DEPTH)
        .map_err(|e| MigrateError::Corrupt(e.to_string()))
}

fn decode<T: DeserializeOwned>(map: &Map) -> Option<T> {
    repair::decode::<T>(&rmpv::Value::Map(map.clone())).ok()
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
    /// Repairs field `field` of the old state `old` to fit `New`; what it took.
    fn repaired<New: Default + Serialize + DeserializeOwned>(
        old: &[u8],
        field: &str,
    ) -> repair::Repairs {
        let mut state = read(old).unwrap();
        let base = read(&bytes(&New::default())).unwrap();
        let mut repairs = repair::Repairs::default();
        assert!(repair::repair::<New>(
            &mut state,
            field,
            &base,
            &mut repairs
        ));
        repairs
    }

    #[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
    enum Priority {
        #[default]
        Low,
        High,
    }

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct Due {
        day: u8,
        note: String,
    }

    #[test]
    fn the_items_of_a_list_get_the_fields_added_to_their_type_and_keep_the_rest() {
        #[derive(Serialize)]
        struct OldItem {
            text: String,
            done: bool,
            tag: u8,
            gone: i32,
        }
        #[derive(Serialize)]
        struct Old {
            items: Vec<OldItem>,
            next: u64,
        }
        #[derive(Debug, PartialEq, Deserialize, Serialize)]
        struct Item {
            text: String,
            done: bool,
            tag: String,
            priority: Priority,
            due: Option<Due>,
            at: Due,
            subtasks: Vec<String>,
            weight: f64,
        }
        #[derive(Debug, Default, PartialEq, Deserialize, Serialize)]
        struct New {
            items: Vec<Item>,
            next: u64,
        }
        let old = Old {
            items: (0..1000)
                .map(|n| OldItem {
                    text: format!("item {n}"),
                    done: n % 3 == 0,
                    tag: (n % 256) as u8,
                    gone: n,
                })
                .collect(),
            next: 1000,
        };
        let (new, migration) = migrate::<New>(&bytes(&old)).unwrap();
        assert_eq!(new.next, 1000);
        assert_eq!(new.items.len(), 1000);
        for (n, item) in new.items.iter().enumerate() {
            assert_eq!(item.text, format!("item {n}"));
            assert_eq!(item.done, n % 3 == 0);
            assert_eq!(item.tag, "");
            assert_eq!(item.priority, Priority::Low);
            assert_eq!(item.due, None);
            assert_eq!(item.at, Due::default());
            assert!(item.subtasks.is_empty());
            assert_eq!(item.weight, 0.0);
        }
        assert_eq!(migration.kept, ["items", "next"]);
        // `due` is not listed: serde reads a missing `Option` as `None` by itself.
        assert_eq!(
            migration.added,
            [
                "items[].priority",
                "items[].at",
                "items[].at.day",
                "items[].at.note",
                "items[].subtasks",
                "items[].weight",
            ]
        );
        assert_eq!(migration.retyped, ["items[].tag"]);
        let text = migration.to_string();
        assert!(text.contains("`items[].priority`"), "{text}");
    }

    #[test]
    fn a_list_of_a_thousand_items_is_repaired_in_a_handful_of_decodes() {
        #[derive(Serialize, Deserialize)]
        struct OldItem {
            text: String,
        }
        #[derive(Deserialize, Serialize)]
        struct Item {
            text: String,
            done: bool,
        }
        #[derive(Serialize)]
        struct Old {
            items: Vec<OldItem>,
        }
        #[derive(Default, Deserialize, Serialize)]
        struct New {
            items: Vec<Item>,
        }
        let old = Old {
            items: (0..1000)
                .map(|n| OldItem {
                    text: n.to_string(),
                })
                .collect(),
        };
        let repairs = repaired::<New>(&bytes(&old), "items");
        assert!(repairs.decodes <= 6, "{repairs:?}");
        assert_eq!(repairs.added, ["items[].done"]);
    }

    #[test]
    fn a_removed_variant_is_replaced_where_it_was_and_nowhere_else() {
        #[derive(Serialize)]
        enum OldPriority {
            Low,
            Medium,
            High,
        }
        #[derive(Serialize)]
        struct Old {
            priorities: Vec<OldPriority>,
            by_name: std::collections::BTreeMap<String, OldPriority>,
        }
        #[derive(Debug, Default, Deserialize, Serialize)]
        struct New {
            priorities: Vec<Priority>,
            by_name: std::collections::BTreeMap<String, Priority>,
        }
        let old = Old {
            priorities: vec![OldPriority::High, OldPriority::Medium, OldPriority::Low],
            by_name: [
                ("a".to_owned(), OldPriority::Medium),
                ("b".to_owned(), OldPriority::High),
            ]
            .into(),
        };
        let (new, migration) = migrate::<New>(&bytes(&old)).unwrap();
        assert_eq!(
            new.priorities,
            [Priority::High, Priority::Low, Priority::Low]
        );
        assert_eq!(new.by_name["a"], Priority::Low);
        assert_eq!(new.by_name["b"], Priority::High);
        assert_eq!(migration.retyped, ["priorities[]", "by_name.a"]);
    }

    #[test]
    fn variants_and_options_are_repaired_inside() {
        #[derive(Serialize)]
        enum OldMode {
            Edit { draft: String },
        }
        #[derive(Serialize)]
        struct OldDue {
            day: u8,
        }
        #[derive(Serialize)]
        struct Old {
            mode: OldMode,
            due: Option<OldDue>,
            nested: Vec<Vec<OldDue>>,
        }
        #[derive(Debug, Default, PartialEq, Deserialize, Serialize)]
        enum Mode {
            #[default]
            View,
            Edit {
                draft: String,
                cursor: usize,
            },
        }
        #[derive(Debug, Default, Deserialize, Serialize)]
        struct New {
            mode: Mode,
            due: Option<Due>,
            nested: Vec<Vec<Due>>,
        }
        let old = Old {
            mode: OldMode::Edit { draft: "hi".into() },
            due: Some(OldDue { day: 3 }),
            nested: vec![
                vec![OldDue { day: 1 }, OldDue { day: 2 }],
                vec![OldDue { day: 9 }],
            ],
        };
        let (new, migration) = migrate::<New>(&bytes(&old)).unwrap();
        assert_eq!(
            new.mode,
            Mode::Edit {
                draft: "hi".into(),
                cursor: 0
            }
        );
        assert_eq!(
            new.due,
            Some(Due {
                day: 3,
                note: String::new()
            })
        );
        let days: Vec<Vec<u8>> = new
            .nested
            .iter()
            .map(|row| row.iter().map(|d| d.day).collect())
            .collect();
        assert_eq!(days, [vec![1, 2], vec![9]]);
        assert_eq!(
            migration.added,
            ["mode(Edit).cursor", "due.note", "nested[][].note"]
        );
        assert_eq!(migration.kept, ["mode", "due", "nested"]);
    }

    #[test]
    fn a_field_whose_own_type_changed_still_takes_its_default() {
        #[derive(Serialize)]
        struct Old {
            count: i64,
            items: String,
        }
        #[derive(Debug, Default, Deserialize, Serialize)]
        struct New {
            count: i64,
            items: Vec<Due>,
        }
        let (new, migration) = migrate::<New>(&bytes(&Old {
            count: 2,
            items: "x".into(),
        }))
        .unwrap();
        assert_eq!(new.count, 2);
        assert!(new.items.is_empty());
        assert_eq!(migration.retyped, ["items"]);
    }

    #[test]
    fn the_values_of_a_map_of_records_get_an_added_field_in_one_go() {
        #[derive(Serialize)]
        struct OldUser {
            name: String,
        }
        #[derive(Serialize)]
        struct Old {
            users: std::collections::BTreeMap<String, OldUser>,
        }
        #[derive(Debug, Deserialize, Serialize)]
        struct User {
            name: String,
            email: String,
        }
        #[derive(Debug, Default, Deserialize, Serialize)]
        struct New {
            users: std::collections::BTreeMap<String, User>,
        }
        let old = Old {
            users: (0..500)
                .map(|n| {
                    (
                        format!("u{n}"),
                        OldUser {
                            name: format!("user {n}"),
                        },
                    )
                })
                .collect(),
        };
        let repairs = repaired::<New>(&bytes(&old), "users");
        assert!(repairs.decodes <= 6, "{repairs:?}");
        assert_eq!(repairs.added, ["users.*.email"]);
        let (new, migration) = migrate::<New>(&bytes(&old)).unwrap();
        assert_eq!(new.users.len(), 500);
        assert_eq!(new.users["u7"].name, "user 7");
        assert_eq!(new.users["u7"].email, "");
        assert_eq!(migration.kept, ["users"]);
    }

    #[test]
    fn a_struct_of_structs_that_denies_unknown_fields_is_not_taken_for_a_map() {
        #[derive(Serialize)]
        struct OldPart {
            size: u32,
        }
        #[derive(Serialize)]
        struct OldParts {
            head: OldPart,
            tail: OldPart,
        }
        #[derive(Serialize)]
        struct Old {
            parts: OldParts,
        }
        #[derive(Debug, Default, Deserialize, Serialize)]
        struct Head {
            size: u32,
            color: String,
        }
        #[derive(Debug, Default, Deserialize, Serialize)]
        #[serde(deny_unknown_fields)]
        struct Tail {
            size: u32,
        }
        #[derive(Debug, Default, Deserialize, Serialize)]
        struct Parts {
            head: Head,
            tail: Tail,
        }
        #[derive(Debug, Default, Deserialize, Serialize)]
        struct New {
            parts: Parts,
        }
        let old = Old {
            parts: OldParts {
                head: OldPart { size: 3 },
                tail: OldPart { size: 4 },
            },
        };
        let (new, migration) = migrate::<New>(&bytes(&old)).unwrap();
        assert_eq!((new.parts.head.size, new.parts.tail.size), (3, 4));
        assert_eq!(migration.added, ["parts.head.color"]);
        assert_eq!(migration.kept, ["parts"]);
    }

    /// Any MessagePack value an old snapshot might hold.
    fn any_value() -> impl proptest::strategy::Strategy<Value = rmpv::Value> {
        use proptest::prelude::*;
        let names = prop::sample::select(vec![
            "items", "text", "done", "tag", "at", "day", "note", "Low", "High", "Edit", "x",
        ]);
        let leaf = prop_oneof![
            Just(rmpv::Value::Nil),
            any::<bool>().prop_map(rmpv::Value::from),
            any::<i64>().prop_map(rmpv::Value::from),
            any::<f64>().prop_map(rmpv::Value::from),
            names.clone().prop_map(rmpv::Value::from),
        ];
        leaf.prop_recursive(5, 64, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(rmpv::Value::Array),
                prop::collection::vec((names.clone().prop_map(rmpv::Value::from), inner), 0..6)
                    .prop_map(rmpv::Value::Map),
            ]
        })
    }

    proptest::proptest! {
        /// Whatever an old snapshot holds, a migration ends with a state or an error: no
        /// panic, no endless repair.
        #[test]
        fn any_old_state_migrates_or_fails_cleanly(old in any_value()) {
            #[derive(Debug, Default, Deserialize, Serialize)]
            struct Item {
                text: String,
                done: bool,
                at: Due,
                tags: Vec<Priority>,
            }
            #[derive(Debug, Default, Deserialize, Serialize)]
            struct New {
                items: Vec<Item>,
                by_name: std::collections::BTreeMap<String, Item>,
                mode: Option<Priority>,
                x: (u8, String),
            }
            let mut bytes = Vec::new();
            rmpv::encode::write_value(&mut bytes, &old).unwrap();
            if let Ok((state, _)) = migrate::<New>(&bytes) {
                proptest::prop_assert!(rmp_serde::to_vec_named(&state).is_ok());
            }
        }
    }
}
