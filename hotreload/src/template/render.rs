//! How values become markup: [`Render`] for child holes, [`AttributeValue`] for attribute holes,
//! and event payloads.
//!
//! Everything is escaped unless it is [`Html`] (already escaped) or explicitly [`Raw`].

use crate::template::escape::{EscapingWriter, escape_into};
use crate::template::html::Html;
use std::borrow::Cow;
use std::fmt::{self, Write as _};
use std::rc::Rc;
use std::sync::Arc;

/// A value that can be rendered in a template's child position: `{value}`.
///
/// Text is escaped; [`Html`] is inserted as is; `Option` renders nothing for `None`; slices and
/// `Vec`s render each item in order.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be rendered in a template",
    label = "`{Self}` does not implement `hotreload::Render`",
    note = "text, numbers, `Html`, `Option` and `Vec` of those render; wrap other `Display` values in `display(..)`, or implement `Render`"
)]
pub trait Render {
    /// Appends this value's markup to `out`.
    fn render_to(&self, out: &mut String);

    /// Renders this value on its own.
    fn render(&self) -> Html {
        let mut out = String::new();
        self.render_to(&mut out);
        Html::from_trusted(out)
    }
}

impl Render for str {
    #[inline]
    fn render_to(&self, out: &mut String) {
        escape_into(self, out);
    }
}

impl Render for String {
    #[inline]
    fn render_to(&self, out: &mut String) {
        escape_into(self, out);
    }
}

impl Render for Cow<'_, str> {
    #[inline]
    fn render_to(&self, out: &mut String) {
        escape_into(self, out);
    }
}

impl Render for char {
    #[inline]
    fn render_to(&self, out: &mut String) {
        escape_into(self.encode_utf8(&mut [0; 4]), out);
    }
}

impl Render for bool {
    #[inline]
    fn render_to(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

macro_rules! render_integers {
    ($($t:ty)*) => {$(
        impl Render for $t {
            #[inline]
            fn render_to(&self, out: &mut String) {
                out.push_str(itoa::Buffer::new().format(*self));
            }
        }
        impl AttributeValue for $t {
            #[inline]
            fn render_attribute(&self, name: &str, out: &mut String) {
                attribute_with(name, out, |out| self.render_to(out));
            }
        }
    )*};
}
render_integers!(i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize);

macro_rules! render_floats {
    ($($t:ty)*) => {$(
        impl Render for $t {
            #[inline]
            fn render_to(&self, out: &mut String) {
                // Writing to a String cannot fail.
                let _ = write!(out, "{self}");
            }
        }
        impl AttributeValue for $t {
            #[inline]
            fn render_attribute(&self, name: &str, out: &mut String) {
                attribute_with(name, out, |out| self.render_to(out));
            }
        }
    )*};
}
render_floats!(f32 f64);

impl<T: Render + ?Sized> Render for &T {
    #[inline]
    fn render_to(&self, out: &mut String) {
        (**self).render_to(out);
    }
}

impl<T: Render + ?Sized> Render for &mut T {
    #[inline]
    fn render_to(&self, out: &mut String) {
        (**self).render_to(out);
    }
}

impl<T: Render + ?Sized> Render for Box<T> {
    #[inline]
    fn render_to(&self, out: &mut String) {
        (**self).render_to(out);
    }
}

impl<T: Render + ?Sized> Render for Rc<T> {
    #[inline]
    fn render_to(&self, out: &mut String) {
        (**self).render_to(out);
    }
}

impl<T: Render + ?Sized> Render for Arc<T> {
    #[inline]
    fn render_to(&self, out: &mut String) {
        (**self).render_to(out);
    }
}

impl<T: Render> Render for Option<T> {
    #[inline]
    fn render_to(&self, out: &mut String) {
        if let Some(value) = self {
            value.render_to(out);
        }
    }
}

impl<T: Render> Render for [T] {
    fn render_to(&self, out: &mut String) {
        for item in self {
            item.render_to(out);
        }
    }
}

impl<T: Render> Render for Vec<T> {
    fn render_to(&self, out: &mut String) {
        self.as_slice().render_to(out);
    }
}

/// Markup inserted without escaping: the opt-in for raw HTML. See [`raw`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Raw<T>(pub T);

/// Inserts `html` without escaping. Only for HTML you produced or sanitised yourself: raw user
/// input here is a cross-site scripting hole.
pub fn raw<T: AsRef<str>>(html: T) -> Raw<T> {
    Raw(html)
}

impl<T: AsRef<str>> Render for Raw<T> {
    #[inline]
    fn render_to(&self, out: &mut String) {
        out.push_str(self.0.as_ref());
    }
}

/// Renders any `Display` value, escaped. See [`display`].
#[derive(Debug, Clone, Copy)]
pub struct Displayed<T>(pub T);

/// Renders any [`fmt::Display`] value as escaped text: `{display(&uuid)}`.
pub fn display<T: fmt::Display>(value: T) -> Displayed<T> {
    Displayed(value)
}

impl<T: fmt::Display> Render for Displayed<T> {
    fn render_to(&self, out: &mut String) {
        // The escaping writer never fails; a failing Display impl just stops early.
        let _ = write!(EscapingWriter(out), "{}", self.0);
    }
}

impl<T: fmt::Display> AttributeValue for Displayed<T> {
    fn render_attribute(&self, name: &str, out: &mut String) {
        attribute_with(name, out, |out| self.render_to(out));
    }
}

/// A value that can be rendered as an attribute: `name={value}`.
///
/// Renders the whole attribute (` name="value"`), so `bool` and `Option` can decide whether the
/// attribute is present at all: `disabled={true}` renders ` disabled`, `disabled={false}` and
/// `title={None::<String>}` render nothing.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an attribute value",
    label = "`{Self}` does not implement `hotreload::AttributeValue`",
    note = "strings, numbers, `bool` (presence) and `Option` (absent when `None`) are attribute values; wrap other `Display` values in `display(..)`"
)]
pub trait AttributeValue {
    /// Appends ` name="value"` (or nothing) to `out`.
    fn render_attribute(&self, name: &str, out: &mut String);
}

#[inline]
fn attribute_with(name: &str, out: &mut String, value: impl FnOnce(&mut String)) {
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    value(out);
    out.push('"');
}

impl AttributeValue for str {
    #[inline]
    fn render_attribute(&self, name: &str, out: &mut String) {
        attribute_with(name, out, |out| escape_into(self, out));
    }
}

impl AttributeValue for String {
    #[inline]
    fn render_attribute(&self, name: &str, out: &mut String) {
        self.as_str().render_attribute(name, out);
    }
}

impl AttributeValue for Cow<'_, str> {
    #[inline]
    fn render_attribute(&self, name: &str, out: &mut String) {
        self.as_ref().render_attribute(name, out);
    }
}

impl AttributeValue for char {
    #[inline]
    fn render_attribute(&self, name: &str, out: &mut String) {
        attribute_with(name, out, |out| self.render_to(out));
    }
}

impl AttributeValue for bool {
    #[inline]
    fn render_attribute(&self, name: &str, out: &mut String) {
        if *self {
            out.push(' ');
            out.push_str(name);
        }
    }
}

impl<T: AttributeValue> AttributeValue for Option<T> {
    #[inline]
    fn render_attribute(&self, name: &str, out: &mut String) {
        if let Some(value) = self {
            value.render_attribute(name, out);
        }
    }
}

impl<T: AttributeValue + ?Sized> AttributeValue for &T {
    #[inline]
    fn render_attribute(&self, name: &str, out: &mut String) {
        (**self).render_attribute(name, out);
    }
}

impl<T: AttributeValue + ?Sized> AttributeValue for Box<T> {
    #[inline]
    fn render_attribute(&self, name: &str, out: &mut String) {
        (**self).render_attribute(name, out);
    }
}

impl<T: AttributeValue + ?Sized> AttributeValue for Rc<T> {
    #[inline]
    fn render_attribute(&self, name: &str, out: &mut String) {
        (**self).render_attribute(name, out);
    }
}

impl<T: AttributeValue + ?Sized> AttributeValue for Arc<T> {
    #[inline]
    fn render_attribute(&self, name: &str, out: &mut String) {
        (**self).render_attribute(name, out);
    }
}

/// Renders an event binding ` live-click="<message as JSON>"`.
///
/// The message is what the browser sends back when the event fires; the runtime deserializes
/// and validates it before `update` sees it. A message that cannot be serialized (a map with
/// non-string keys, a failing `Serialize` impl) is a bug in the component: it is logged and the
/// attribute is left out, so the page still renders.
///
/// `message` must be of the template's message type (`Messages<M>`): the view's `Message`.
pub fn render_event<M: serde::Serialize>(
    _: crate::template::Messages<M>,
    message: &M,
    name: &str,
    out: &mut String,
) {
    match serde_json::to_string(message) {
        Ok(json) => attribute_with(name, out, |out| escape_into(&json, out)),
        Err(error) => {
            tracing::error!(attribute = name, %error, "hotreload: event message does not serialize");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn child(value: &dyn Render) -> String {
        let mut out = String::new();
        value.render_to(&mut out);
        out
    }

    fn attribute(value: &dyn AttributeValue, name: &str) -> String {
        let mut out = String::new();
        value.render_attribute(name, &mut out);
        out
    }

    #[test]
    fn children_escape_text_but_not_html() {
        assert_eq!(child(&"<b>"), "&lt;b&gt;");
        assert_eq!(child(&String::from("a&b")), "a&amp;b");
        assert_eq!(child(&Html::from_trusted("<b>x</b>")), "<b>x</b>");
        assert_eq!(child(&raw("<i>y</i>")), "<i>y</i>");
        assert_eq!(child(&display(1.5)), "1.5");
        assert_eq!(child(&display("<")), "&lt;");
    }

    #[test]
    fn numbers_options_and_lists() {
        assert_eq!(child(&-42_i64), "-42");
        assert_eq!(child(&u64::MAX), "18446744073709551615");
        assert_eq!(child(&2.5_f64), "2.5");
        assert_eq!(child(&Some("x")), "x");
        assert_eq!(child(&None::<&str>), "");
        assert_eq!(child(&vec!["a", "<"]), "a&lt;");
        assert_eq!(child(&'<'), "&lt;");
        assert_eq!(child(&true), "true");
    }

    #[test]
    fn attributes_decide_presence() {
        assert_eq!(attribute(&true, "disabled"), " disabled");
        assert_eq!(attribute(&false, "disabled"), "");
        assert_eq!(attribute(&None::<&str>, "title"), "");
        assert_eq!(attribute(&Some("t"), "title"), " title=\"t\"");
        assert_eq!(attribute(&7_u32, "data-key"), " data-key=\"7\"");
    }

    #[test]
    fn attribute_injection_stays_inside_the_quotes() {
        assert_eq!(
            attribute(&"\"><script>alert(1)</script>", "title"),
            " title=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\""
        );
        assert_eq!(
            attribute(&"' onload='x", "alt"),
            " alt=\"&#39; onload=&#39;x\""
        );
    }

    #[test]
    fn events_serialize_messages_as_escaped_json() {
        #[derive(serde::Serialize)]
        enum Msg {
            Inc,
            Set(String),
        }
        let mut out = String::new();
        let messages = crate::template::Messages::<Msg>::new();
        render_event(messages, &Msg::Inc, "live-click", &mut out);
        assert_eq!(out, " live-click=\"&quot;Inc&quot;\"");
        out.clear();
        render_event(messages, &Msg::Set("\"><x>".into()), "live-input", &mut out);
        assert_eq!(
            out,
            " live-input=\"{&quot;Set&quot;:&quot;\\&quot;&gt;&lt;x&gt;&quot;}\""
        );
    }
}
