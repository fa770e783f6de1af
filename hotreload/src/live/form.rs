//! [`Form`]: a form's state as a view keeps it: what the user typed, which fields they used,
//! and the errors to show (only for used fields, or all after a submit: Phoenix's
//! `used_input?`).
//!
//! ```
//! use hotreload::prelude::*;
//! use hotreload::Form;
//!
//! #[derive(Deserialize)]
//! struct SignUp { email: String, age: u8 }
//!
//! #[derive(Default, Serialize, Deserialize)]
//! struct Page { form: Form, saved: Option<String> }
//!
//! #[derive(Serialize, Deserialize)]
//! enum Msg { Validate, Save }
//!
//! impl LiveView for Page {
//!     type Message = Msg;
//!     fn update(&mut self, msg: Msg, cx: &mut Context<'_, Self>) {
//!         let decoded = match msg {
//!             Msg::Validate => self.form.change::<SignUp>(cx.event()),
//!             Msg::Save => self.form.submit::<SignUp>(cx.event()),
//!         };
//!         let Some(sign_up) = decoded else { return };
//!         if !sign_up.email.contains('@') {
//!             self.form.add_error("email", "must be an email address");
//!         }
//!         if matches!(msg, Msg::Save) && self.form.is_valid() {
//!             self.saved = Some(sign_up.email);
//!             self.form.reset();
//!         }
//!     }
//!     fn render(&self) -> Html<Msg> {
//!         hot_reload_liveview! {
//!             <form data-key={self.form.generation()} live-change={Msg::Validate} live-submit={Msg::Save}>
//!                 <input name="email" value={self.form.value("email")}/>
//!                 {if let Some(error) = self.form.error("email") { <p class="error">{error}</p> }}
//!                 <input name="age" value={self.form.value("age")}/>
//!                 {if let Some(error) = self.form.error("age") { <p class="error">{error}</p> }}
//!                 <button>"Sign up"</button>
//!             </form>
//!         }
//!     }
//! }
//! ```

use crate::live::form_decode::{Found, decode};
use crate::live::view::Event;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A form's values, used fields and errors; see the module docs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Form {
    values: Vec<(String, String)>,
    used: BTreeSet<String>,
    submitted: bool,
    errors: BTreeMap<String, Vec<String>>,
    /// Bumped by [`reset`](Form::reset); see [`generation`](Form::generation).
    generation: u32,
}

impl Form {
    /// Takes a `live-change` (or `live-input`) event's fields: keeps the values, marks the
    /// fields the user has used (the event's `unused` are not), decodes them into a `T` with
    /// an error per field. The `T` comes back even when some fields have errors (a neutral
    /// value, `0`, `false`, the first variant, stands in for each), so your own checks run on
    /// the rest ([`add_error`](Self::add_error)); use it only once
    /// [`is_valid`](Self::is_valid). `None` only if the form cannot be a `T` at all (not a
    /// struct with named fields).
    pub fn change<T: DeserializeOwned>(&mut self, event: &Event) -> Option<T> {
        self.take(event, false)
    }

    /// Takes a `live-submit` event's fields, as [`change`](Self::change), and marks the whole
    /// form used: every error shows from now on.
    pub fn submit<T: DeserializeOwned>(&mut self, event: &Event) -> Option<T> {
        self.take(event, true)
    }

    fn take<T: DeserializeOwned>(&mut self, event: &Event, submit: bool) -> Option<T> {
        self.values.clone_from(&event.form);
        self.submitted |= submit;
        for (name, _) in &event.form {
            if submit || event.used(name) {
                self.used.insert(name.clone());
            }
        }
        let found = Found::default();
        let decoded = decode::<T>(&event.form, &found);
        self.errors = found.into_inner();
        match decoded {
            Ok(value) => Some(value),
            Err(error) => {
                self.errors
                    .entry(String::new())
                    .or_default()
                    .push(error.to_string());
                None
            }
        }
    }

    /// Adds `message` to field `name`'s errors (your own validation).
    pub fn add_error(&mut self, name: &str, message: impl Into<String>) {
        self.errors
            .entry(name.to_owned())
            .or_default()
            .push(message.into());
    }

    /// The value of field `name` as the user last sent it (`""` if none): render it back in
    /// the field's `value`.
    pub fn value(&self, name: &str) -> &str {
        self.values
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The first error of field `name`, if the user has used it (or submitted the form):
    /// what to show beside it. A field they have not reached yet shows nothing.
    pub fn error(&self, name: &str) -> Option<&str> {
        if !self.is_used(name) {
            return None;
        }
        self.errors.get(name)?.first().map(String::as_str)
    }

    /// Every error of field `name`, used or not.
    pub fn errors_of(&self, name: &str) -> &[String] {
        self.errors.get(name).map_or(&[], Vec::as_slice)
    }

    /// Whether the user has used field `name` (typed in it, changed it) or submitted the form.
    pub fn is_used(&self, name: &str) -> bool {
        self.submitted || self.used.contains(name)
    }

    /// Whether the form has no errors (used fields or not).
    pub fn is_valid(&self) -> bool {
        self.errors.is_empty()
    }

    /// Empties the form (after a successful save): values, used fields, errors.
    ///
    /// The browser also remembers which fields the user used (it sends the others as
    /// `unused`): render `data-key={form.generation()}` on the `<form>`, so that a reset form
    /// is a new element there too and starts over (`<form data-key={self.form.generation()}
    /// live-change=..>`).
    pub fn reset(&mut self) {
        let generation = self.generation.wrapping_add(1);
        *self = Form {
            generation,
            ..Form::default()
        };
    }

    /// How many times the form was [`reset`](Self::reset): the `<form>`'s `data-key`.
    pub fn generation(&self) -> u32 {
        self.generation
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    enum Plan {
        Free,
        Pro,
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct SignUp {
        email: String,
        age: u8,
        newsletter: bool,
        plan: Plan,
        referrer: Option<String>,
        tags: Vec<String>,
        score: f64,
    }

    fn event(fields: &[(&str, &str)], unused: &[&str]) -> Event {
        Event {
            form: fields
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            unused: unused.iter().map(|n| (*n).to_owned()).collect(),
            ..Event::default()
        }
    }

    #[test]
    fn a_valid_form_decodes_with_checkboxes_options_and_lists() {
        let mut form = Form::default();
        let decoded = form.submit::<SignUp>(&event(
            &[
                ("email", "a@b.c"),
                ("age", " 42 "),
                ("newsletter", "on"),
                ("plan", "Pro"),
                ("tags", "x"),
                ("tags", "y"),
                ("referrer", ""),
                ("score", "1.5"),
                ("_csrf", "ignored"),
            ],
            &[],
        ));
        assert_eq!(
            decoded,
            Some(SignUp {
                email: "a@b.c".into(),
                age: 42,
                newsletter: true,
                plan: Plan::Pro,
                referrer: None,
                tags: vec!["x".into(), "y".into()],
                score: 1.5,
            })
        );
        assert!(form.is_valid());
    }

    #[test]
    fn every_bad_field_gets_its_own_error_in_one_pass() {
        let mut form = Form::default();
        let decoded = form.change::<SignUp>(&event(
            &[
                ("email", "x"),
                ("age", "old"),
                ("plan", "Gold"),
                ("score", ""),
            ],
            &["plan", "score"],
        ));
        // The rest decodes (own checks can run on it), neutral values where the errors are.
        let decoded = decoded.expect("a struct");
        assert_eq!(
            (decoded.email.as_str(), decoded.age, decoded.plan),
            ("x", 0, Plan::Free)
        );
        assert!(!form.is_valid());
        assert_eq!(
            form.errors_of("age"),
            ["must be a whole number from 0 to 255"]
        );
        assert_eq!(form.errors_of("plan"), ["must be one of: Free, Pro"]);
        assert_eq!(form.errors_of("score"), ["can't be blank"]);
        form.change::<SignUp>(&event(&[("score", "NaN"), ("age", "300")], &[]));
        assert_eq!(form.errors_of("score"), ["must be a number"]);
        assert_eq!(
            form.errors_of("age"),
            ["must be a whole number from 0 to 255"]
        );
        form.change::<SignUp>(&event(
            &[
                ("email", "x"),
                ("age", "old"),
                ("plan", "Gold"),
                ("score", ""),
            ],
            &["plan", "score"],
        ));
        assert!(
            form.errors_of("newsletter").is_empty(),
            "an absent checkbox is false"
        );
        // Only the used fields show theirs; a submit shows all.
        assert_eq!(
            form.error("age"),
            Some("must be a whole number from 0 to 255")
        );
        assert_eq!(form.error("plan"), None);
        assert_eq!(form.value("age"), "old");
        form.submit::<SignUp>(&event(&[("age", "old"), ("plan", "Gold")], &[]));
        assert_eq!(form.error("plan"), Some("must be one of: Free, Pro"));
        form.reset();
        assert_eq!(
            (form.generation(), form.error("plan"), form.value("age")),
            (1, None, "")
        );
    }

    #[test]
    fn own_validation_joins_the_decoded_errors_and_a_map_is_refused_clearly() {
        let mut form = Form::default();
        form.change::<SignUp>(&event(&[("email", "x")], &[]));
        form.add_error("email", "must be an email address");
        assert_eq!(form.error("email"), Some("must be an email address"));
        let mut other = Form::default();
        assert_eq!(other.submit::<u32>(&event(&[("n", "1")], &[])), None);
        assert_eq!(
            other.errors_of(""),
            ["a form decodes into a struct with named fields"]
        );
    }
}
