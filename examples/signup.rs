//! A sign-up form: typed decoding, errors only for the fields the user has used, flash
//! messages, and form recovery.
//!
//! `cargo run --example signup`. The form validates on every change (`live-change`): its fields
//! decode into `SignUp` (a `serde` struct) with an error per field, and an error shows only
//! once the user has used that field (or pressed "Sign up"), not while they are still filling
//! in the ones above it. A successful sign-up shows a flash (dismissible) and empties the form.
//!
//! Restart the server while the form is half filled in (or run a release build, which keeps no
//! state): the page reconnects, the server mounts the form fresh, and the browser sends back
//! what the user typed (form recovery), so nothing is lost.
//!
//! `/invite` is a plain axum handler that redirects here with a flash
//! (`redirect_with_flash`): shown once, gone on reload.

#[path = "common/mod.rs"]
mod common;

use hotreload::prelude::*;
use hotreload::{Form, redirect_with_flash};

/// What the form decodes into.
#[derive(Debug, Deserialize)]
struct SignUp {
    name: String,
    email: String,
    age: u8,
    plan: Plan,
    terms: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Plan {
    Free,
    Pro,
}

#[derive(Default, Serialize, Deserialize)]
struct Signup {
    form: Form,
    members: Vec<String>,
}

#[derive(Serialize, Deserialize)]
enum Msg {
    Validate,
    Save,
}

impl SignUp {
    /// The rules beyond the types.
    fn check(&self, form: &mut Form) {
        if self.name.trim().chars().count() < 2 {
            form.add_error("name", "must be at least 2 characters");
        }
        if !self.email.contains('@') {
            form.add_error("email", "must be an email address");
        }
        if self.age < 13 {
            form.add_error("age", "must be 13 or more");
        }
        if !self.terms {
            form.add_error("terms", "must be accepted");
        }
    }
}

impl LiveView for Signup {
    type Message = Msg;

    fn update(&mut self, msg: Msg, cx: &mut Context<'_, Self>) {
        let submitted = matches!(msg, Msg::Save);
        let decoded = if submitted {
            self.form.submit::<SignUp>(cx.event())
        } else {
            self.form.change::<SignUp>(cx.event())
        };
        // Decoded even when some fields have errors (neutral values stand in), so the checks
        // below cover the other fields too.
        let Some(sign_up) = decoded else { return };
        sign_up.check(&mut self.form);
        if submitted && self.form.is_valid() {
            cx.clear_flash(FlashKind::Error);
            let plan = if sign_up.plan == Plan::Pro {
                " (Pro)"
            } else {
                ""
            };
            cx.put_flash(
                FlashKind::Info,
                format!("Welcome, {}{plan}!", sign_up.name.trim()),
            );
            self.members.push(sign_up.name.trim().to_owned());
            self.form.reset();
        } else if submitted {
            cx.clear_flash(FlashKind::Info);
            cx.put_flash(FlashKind::Error, "Please fix the errors below.");
        }
    }

    fn render(&self) -> Html<Msg> {
        let error = |name: &str| self.form.error(name).unwrap_or("");
        hot_reload_liveview! {
            <h1>"Sign up"</h1>
            // A reset form is a new element (its key changes), so the browser forgets which
            // fields the user had used.
            <form id="signup" data-key={self.form.generation()} live-change={Msg::Validate} live-submit={Msg::Save}>
                <p><label>"Name " <input type="text" name="name" value={self.form.value("name")}/></label>
                    <span class="bad" id="name-error">{error("name")}</span></p>
                <p><label>"Email " <input type="text" name="email" value={self.form.value("email")}/></label>
                    <span class="bad" id="email-error">{error("email")}</span></p>
                <p><label>"Age " <input type="text" name="age" value={self.form.value("age")} size="4"/></label>
                    <span class="bad" id="age-error">{error("age")}</span></p>
                <p><label>"Plan "
                    <select name="plan">
                        <option value="Free" selected={self.form.value("plan") != "Pro"}>"Free"</option>
                        <option value="Pro" selected={self.form.value("plan") == "Pro"}>"Pro"</option>
                    </select></label></p>
                <p><label><input type="checkbox" name="terms" checked={self.form.value("terms") == "on"}/>
                    " I accept the terms"</label>
                    <span class="bad" id="terms-error">{error("terms")}</span></p>
                <button type="submit">"Sign up"</button>
            </form>
            <p id="members">{self.members.len()} " signed up"</p>
        }
    }

    fn page(body: Html) -> Html {
        common::page("hotreload sign-up", body)
    }
}

/// A plain handler: accepts an invitation, then shows the form with a flash.
async fn invite() -> axum::response::Response {
    redirect_with_flash("/", FlashKind::Info, "Invitation accepted: sign up below.")
}

/// The app's routes (also what `examples/tests/harness.rs` tests, without a browser).
pub(crate) fn app() -> axum::Router {
    common::assets(axum::Router::new())
        .route("/", live_view::<Signup>())
        .route("/invite", axum::routing::get(invite))
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let app = enable_hot_reload!(app());
    common::serve("signup", app).await
}
