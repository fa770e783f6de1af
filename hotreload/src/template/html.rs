//! [`Html`]: markup that is already escaped and safe to send to a browser.

use crate::template::render::Render;
use std::fmt;

/// Rendered, escaped HTML: the value of a `hot_reload_liveview!` expression.
///
/// An `Html` placed in another template's hole is inserted as is (it is already escaped), which
/// is how components compose. Build one from a trusted string with [`Html::from_trusted`].
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Html(String);

impl Html {
    /// Wraps a string that is already valid, safe HTML. Never pass user input here.
    pub fn from_trusted(html: impl Into<String>) -> Self {
        Html(html.into())
    }

    /// The HTML as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The HTML as an owned string.
    pub fn into_string(self) -> String {
        self.0
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether nothing was rendered.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// An axum handler can return a template directly: `200 OK`, `text/html; charset=utf-8`. In
/// debug builds the dev client is injected into such pages too, and they follow template
/// edits: the client fetches the page again after a swap and morphs it in place.
impl axum::response::IntoResponse for Html {
    fn into_response(self) -> axum::response::Response {
        axum::response::Html(self.0).into_response()
    }
}

impl fmt::Display for Html {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Html {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Html").field(&self.0).finish()
    }
}

impl From<Html> for String {
    fn from(html: Html) -> String {
        html.0
    }
}

impl AsRef<str> for Html {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Render for Html {
    #[inline]
    fn render_to(&self, out: &mut String) {
        out.push_str(&self.0);
    }
}

impl FromIterator<Html> for Html {
    fn from_iter<I: IntoIterator<Item = Html>>(iter: I) -> Self {
        let mut out = String::new();
        for html in iter {
            out.push_str(&html.0);
        }
        Html(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::response::IntoResponse;

    #[test]
    fn a_template_is_an_html_response() {
        let response = Html::from_trusted("<p>x</p>").into_response();
        assert_eq!(response.status(), axum::http::StatusCode::OK);
        assert_eq!(
            response.headers()[axum::http::header::CONTENT_TYPE],
            "text/html; charset=utf-8"
        );
    }
}
