//! Flash messages: an info or error note shown at the top of a view until the user dismisses
//! it or the page navigates.
//!
//! A view sets one from `update` ([`Context::put_flash`](crate::Context::put_flash)); a plain
//! axum handler sets one before redirecting to a live route with [`redirect_with_flash`]
//! (a signed, short-lived cookie the live route reads once when it mounts the view). The runtime
//! renders the flash inside the view's boundary, before the view's own markup, with a dismiss
//! button the client handles (`clear_flash` frame); a client-side URL change (a live link,
//! back or forward) clears it, and a live navigation leaves the view and its flash behind.

use crate::live::protocol::FlashKind;
use crate::live::token::{Key, cookies, sign_bytes, verify_bytes};
use crate::template::{Html, escape_into};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// The cookie a plain handler's flash travels in to the live route it redirects to.
const FLASH_COOKIE: &str = "hotreload_flash";

/// How long a handler's flash cookie is good for (the MAC covers the expiry: a copied cookie
/// cannot be replayed later).
const FLASH_MAX_AGE_SECS: u64 = 60;

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The flash messages of one instance: at most one of each kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flash {
    info: Option<String>,
    error: Option<String>,
}

impl Flash {
    /// The info message, if any.
    pub fn info(&self) -> Option<&str> {
        self.info.as_deref()
    }

    /// The error message, if any.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// Whether there is no message.
    pub fn is_empty(&self) -> bool {
        self.info.is_none() && self.error.is_none()
    }

    pub(crate) fn put(&mut self, kind: FlashKind, message: String) {
        *self.slot(kind) = Some(message);
    }

    pub(crate) fn clear(&mut self, kind: FlashKind) {
        *self.slot(kind) = None;
    }

    pub(crate) fn clear_all(&mut self) {
        *self = Flash::default();
    }

    fn slot(&mut self, kind: FlashKind) -> &mut Option<String> {
        match kind {
            FlashKind::Info => &mut self.info,
            FlashKind::Error => &mut self.error,
        }
    }

    /// The markup the client knows (`data-live-flash`, `live-flash-dismiss`), or nothing.
    pub(crate) fn render(&self) -> Html {
        if self.is_empty() {
            return Html::default();
        }
        let mut out = String::new();
        for (kind, name, message) in [
            (FlashKind::Info, "info", &self.info),
            (FlashKind::Error, "error", &self.error),
        ] {
            let Some(message) = message else { continue };
            let role = if kind == FlashKind::Error {
                "alert"
            } else {
                "status"
            };
            out.push_str(&format!(
                "<div class=\"live-flash live-flash-{name}\" role=\"{role}\" data-live-flash=\"{name}\">"
            ));
            escape_into(message, &mut out);
            out.push_str(&format!(
                "<button type=\"button\" live-flash-dismiss=\"{name}\" aria-label=\"Dismiss\">\u{d7}</button></div>"
            ));
        }
        Html::from_trusted(out)
    }
}

/// A `303 See Other` to `location` (a path on this site; anything else redirects to `/`, so a
/// `?next=` passed on cannot send users elsewhere) that shows `message` as a flash of `kind` in
/// the live view served there: what a plain handler returns after a form post. The cookie it
/// travels in is signed and good for 60 seconds.
///
/// ```
/// use hotreload::{FlashKind, redirect_with_flash};
/// async fn sign_up() -> axum::response::Response {
///     // ... create the account ...
///     redirect_with_flash("/welcome", FlashKind::Info, "Account created")
/// }
/// ```
pub fn redirect_with_flash(location: &str, kind: FlashKind, message: &str) -> Response {
    let key = crate::live::runtime::runtime().token_key();
    let name = kind_name(kind);
    let expiry = now_secs().saturating_add(FLASH_MAX_AGE_SECS).to_string();
    let mac = sign_bytes(
        key,
        &[name.as_bytes(), expiry.as_bytes(), message.as_bytes()],
    );
    let cookie = format!(
        "{FLASH_COOKIE}={name}.{expiry}.{mac}.{}; Path=/; Max-Age={FLASH_MAX_AGE_SECS}; HttpOnly; SameSite=Lax",
        cookie_encode(message)
    );
    let location = if crate::live::params::is_local_path(location) {
        location
    } else {
        tracing::warn!(
            location,
            "hotreload: redirect_with_flash takes a path on this site; redirecting to /"
        );
        "/"
    };
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    if let Ok(location) = HeaderValue::from_str(location) {
        headers.insert(LOCATION, location);
    }
    if let Ok(cookie) = HeaderValue::from_str(&cookie) {
        headers.insert(SET_COOKIE, cookie);
    }
    response
}

/// The flash a handler left for this request in its cookie, if it is there and signed.
pub(crate) fn from_cookie(parts: &Parts, key: &Key) -> Option<(FlashKind, String)> {
    let value = cookies(&parts.headers)
        .find(|(name, _)| *name == FLASH_COOKIE)?
        .1;
    let mut fields = value.splitn(4, '.');
    let (name, expiry, mac, encoded) = (
        fields.next()?,
        fields.next()?,
        fields.next()?,
        fields.next()?,
    );
    if expiry.parse::<u64>().ok()? < now_secs() {
        return None;
    }
    let kind = match name {
        "info" => FlashKind::Info,
        "error" => FlashKind::Error,
        _ => return None,
    };
    let message = crate::live::params::percent_decode(encoded);
    verify_bytes(
        key,
        &[name.as_bytes(), expiry.as_bytes(), message.as_bytes()],
        mac,
    )
    .then_some((kind, message))
}

/// Whether the request carries a flash cookie (which the response then clears).
pub(crate) fn has_cookie(parts: &Parts) -> bool {
    cookies(&parts.headers).any(|(name, _)| name == FLASH_COOKIE)
}

/// The `Set-Cookie` that removes the flash cookie once it was shown.
pub(crate) fn clear_cookie() -> HeaderValue {
    HeaderValue::from_static("hotreload_flash=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax")
}

/// The kind's name in markup (`data-live-flash`) and frames.
pub(crate) fn kind_name(kind: FlashKind) -> &'static str {
    match kind {
        FlashKind::Info => "info",
        FlashKind::Error => "error",
    }
}

/// Percent-encodes everything but ASCII letters and digits (a cookie value has no spaces,
/// commas, semicolons or quotes).
fn cookie_encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header::COOKIE;

    #[test]
    fn a_flash_renders_escaped_with_its_dismiss_button() {
        let mut flash = Flash::default();
        assert_eq!(flash.render().as_str(), "");
        flash.put(FlashKind::Error, "<b>no</b>".into());
        assert_eq!(
            flash.render().as_str(),
            "<div class=\"live-flash live-flash-error\" role=\"alert\" data-live-flash=\"error\">&lt;b&gt;no&lt;/b&gt;<button type=\"button\" live-flash-dismiss=\"error\" aria-label=\"Dismiss\">\u{d7}</button></div>"
        );
        flash.clear(FlashKind::Error);
        assert!(flash.is_empty());
    }

    #[test]
    fn the_cookie_round_trips_and_a_tampered_one_is_ignored() {
        let response = redirect_with_flash("/todo", FlashKind::Info, "Saved; all 3 items ✓");
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let set = response.headers()[SET_COOKIE].to_str().unwrap().to_owned();
        let pair = set.split(';').next().unwrap().to_owned();
        let request = |cookie: &str| {
            axum::http::Request::builder()
                .header(COOKIE, cookie)
                .body(())
                .unwrap()
                .into_parts()
                .0
        };
        let key = crate::live::runtime::runtime().token_key();
        assert_eq!(
            from_cookie(&request(&pair), key),
            Some((FlashKind::Info, "Saved; all 3 items ✓".to_owned()))
        );
        let tampered = pair.replace("Saved", "Hacked");
        assert_eq!(from_cookie(&request(&tampered), key), None);
        let (head, rest) = pair.split_once('.').unwrap();
        let (expiry, rest) = rest.split_once('.').unwrap();
        let later = format!("{head}.{}.{rest}", expiry.parse::<u64>().unwrap() + 3600);
        assert_eq!(
            from_cookie(&request(&later), key),
            None,
            "the expiry is signed"
        );
        let elsewhere = redirect_with_flash("//evil.example/", FlashKind::Info, "x");
        assert_eq!(elsewhere.headers()[LOCATION], "/");
        assert!(has_cookie(&request(&tampered)));
    }
}
