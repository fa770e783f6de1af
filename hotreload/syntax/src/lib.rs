//! Template syntax for `hotreload`, shared by the `hot_reload_liveview!` proc macro and the
//! runtime re-parser so that both read a template exactly the same way.
//!
//! The pipeline, one module each:
//!
//! - [`parse`](parse_template) (`parse.rs`): tokens of a macro body → [`Template`] (`ast.rs`), a
//!   tree of elements, static text and holes. Errors carry the offending token's span.
//! - [`compile`] (`compile.rs`): [`Template`] → [`CompiledTemplates`]: per template, escaped
//!   statics interleaved with ordered [`Hole`]s; `for`/`if`/`match` bodies become nested
//!   templates numbered depth-first.
//! - [`normalize_tokens`] (`normalize.rs`): the canonical text of an expression, identical for
//!   compiler and proc-macro2 fallback tokens; holes are matched by it.
//! - `html.rs`: void/raw-text elements, the `live-*` vocabulary, compile-time escaping.
//!
//! # Syntax
//!
//! ```text
//! <!DOCTYPE html>                      doctype (optional, for full pages)
//! <div class="a" id={expr}>            static and dynamic attributes
//!   "text"                             text is always a string literal
//!   {expr}                             a value: escaped text, or Html, Option, Vec, ...
//!   <input disabled={busy} checked/>   bool / Option attribute values decide presence
//!   <button live-click={Msg::Inc}>     event bindings: the message is serialized
//!   {for item in &self.items { <li data-key={item.id}>{item.name}</li> }}
//!   {if self.count > 0 { <p>"positive"</p> } else { <p>"not positive"</p> }}
//!   {match self.tab { Tab::A => { "a" } Tab::B => { <b>"b"</b> } }}
//! </div>
//! <p>"several roots are fine"</p>       also `<>...</>` fragments
//! ```
#![warn(clippy::unwrap_used, clippy::expect_used)]

mod ast;
mod compile;
mod html;
mod normalize;
mod parse;

pub use ast::{
    Attribute, AttributeValue, Element, Expr, ForBlock, IfBlock, MatchBlock, Node, Template, Text,
};
pub use compile::{
    CompiledTemplate, CompiledTemplates, ElementMark, Hole, HoleKind, HoleSource, HoleTag, compile,
};
pub use html::{
    LIVE_CLIENT, LIVE_EVENTS, LIVE_LINKS, LIVE_MODIFIERS, RAW_TEXT_ELEMENTS, VOID_ELEMENTS,
    escape_into, is_raw_text_element, is_void_element,
};
pub use normalize::normalize_tokens;
pub use parse::parse_template;

/// Parses and compiles a template body in one step.
pub fn compile_tokens(tokens: proc_macro2::TokenStream) -> syn::Result<CompiledTemplates> {
    parse_template(tokens).map(|t| compile(&t))
}
