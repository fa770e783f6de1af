//! Fixtures shared by the integration tests.
#![allow(dead_code, unreachable_pub)]

use std::collections::BTreeMap;

use proptest::test_runner::Config;
use serde::{Deserialize, Serialize};

/// The type name the fixtures are saved under.
pub const TODO: &str = "app::todo::TodoList";

/// A realistic piece of component state: nested structs, an enum, options, a map, floats.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TodoList {
    pub title: String,
    pub items: Vec<Item>,
    pub filter: Filter,
    pub draft: Option<String>,
    pub next_id: u64,
    pub zoom: f64,
    pub counts: BTreeMap<String, u32>,
    pub selection: (u32, u32),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub id: u64,
    pub text: String,
    pub done: bool,
    pub tags: Vec<String>,
    pub due: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Filter {
    All,
    Active,
    Done,
    Tagged(String),
    Range { from: i64, to: i64 },
}

pub fn todo_list(items: usize) -> TodoList {
    TodoList {
        title: "Groceries — ünïcödé ✓".into(),
        items: (0..items as u64)
            .map(|id| Item {
                id,
                text: format!("item number {id}"),
                done: id % 3 == 0,
                tags: (0..id % 4).map(|t| format!("tag{t}")).collect(),
                due: (id % 2 == 0).then_some(1_700_000_000 + id as i64),
            })
            .collect(),
        filter: Filter::Range { from: -5, to: 42 },
        draft: Some("half-typed".into()),
        next_id: items as u64,
        zoom: 1.25,
        counts: [("all".to_string(), items as u32), ("done".into(), 1)]
            .into_iter()
            .collect(),
        selection: (3, 9),
    }
}

/// `default_cases` proptest cases, unless `PROPTEST_CASES` is set (long runs).
pub fn cases(default_cases: u32) -> Config {
    if std::env::var_os("PROPTEST_CASES").is_some() {
        Config::default()
    } else {
        Config::with_cases(default_cases)
    }
}
