//! [`Html`]: markup that is already escaped and safe to send to a browser.

use crate::template::render::Render;
use std::fmt;
use std::marker::PhantomData;

/// Rendered, escaped HTML: the value of a `hot_reload_liveview!` expression.
///
/// `M` is the message type its event bindings (`live-click={..}`) send: a view's `render`
/// returns `Html<Self::Message>`, so a binding whose expression is of another type is a
/// compile error at that expression, not a `bad_message` at click time. Markup without
/// bindings is `Html` (`Html<()>`) or takes `M` from where it is used.
///
/// An `Html` placed in another template's hole is inserted as is (it is already escaped), which
/// is how components compose; a component's own bindings are checked against the message type
/// in its signature (`fn row(item: &Item) -> Html<Msg>`). Build one from a trusted string with
/// [`Html::from_trusted`].
pub struct Html<M = ()> {
    html: String,
    messages: PhantomData<fn() -> M>,
}

impl Html {
    /// Wraps a string that is already valid, safe HTML. Never pass user input here.
    pub fn from_trusted(html: impl Into<String>) -> Self {
        Html {
            html: html.into(),
            messages: PhantomData,
        }
    }
}

impl<M> Html<M> {
    /// Generated code's constructor, for any message type.
    pub(crate) fn typed(html: String) -> Self {
        Html {
            html,
            messages: PhantomData,
        }
    }

    /// The HTML as a string slice.
    pub fn as_str(&self) -> &str {
        &self.html
    }

    /// The HTML as an owned string.
    pub fn into_string(self) -> String {
        self.html
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.html.len()
    }

    /// Whether nothing was rendered.
    pub fn is_empty(&self) -> bool {
        self.html.is_empty()
    }

    /// The same markup without its message type, to pass where plain `Html` is expected.
    pub fn erase(self) -> Html {
        Html::from_trusted(self.html)
    }
}

impl<M> Clone for Html<M> {
    fn clone(&self) -> Self {
        Html::typed(self.html.clone())
    }
}

impl<M> Default for Html<M> {
    fn default() -> Self {
        Html::typed(String::new())
    }
}

impl<M> PartialEq for Html<M> {
    fn eq(&self, other: &Self) -> bool {
        self.html == other.html
    }
}

impl<M> Eq for Html<M> {}

impl<M> std::hash::Hash for Html<M> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.html.hash(state);
    }
}

/// An axum handler can return a template directly: `200 OK`, `text/html; charset=utf-8`. In
/// debug builds the dev client is injected into such pages too, and they follow template
/// edits: the client fetches the page again after a swap and morphs it in place.
impl<M> axum::response::IntoResponse for Html<M> {
    fn into_response(self) -> axum::response::Response {
        axum::response::Html(self.html).into_response()
    }
}

impl<M> fmt::Display for Html<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.html)
    }
}

impl<M> fmt::Debug for Html<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Html").field(&self.html).finish()
    }
}

impl<M> From<Html<M>> for String {
    fn from(html: Html<M>) -> String {
        html.html
    }
}

impl<M> AsRef<str> for Html<M> {
    fn as_ref(&self) -> &str {
        &self.html
    }
}

impl<M> Render for Html<M> {
    #[inline]
    fn render_to(&self, out: &mut String) {
        out.push_str(&self.html);
    }
}

impl<M> FromIterator<Html<M>> for Html<M> {
    fn from_iter<I: IntoIterator<Item = Html<M>>>(iter: I) -> Self {
        let mut out = String::new();
        for html in iter {
            out.push_str(&html.html);
        }
        Html::typed(out)
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
