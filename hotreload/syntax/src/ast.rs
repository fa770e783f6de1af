//! The parsed form of a template body: a tree of elements, static text and holes.
//!
//! This is what both the proc macro and the runtime re-parser see. It keeps the original token
//! streams of every Rust expression (so the macro can emit them with their spans) and the spans
//! of markup (so errors point at the offending token).

use proc_macro2::{Span, TokenStream};

/// A whole template: the body of one `hot_reload_liveview! { ... }` call.
#[derive(Debug, Clone)]
pub struct Template {
    /// Top-level nodes; a template may have several roots.
    pub nodes: Vec<Node>,
}

/// One node of the template tree.
#[derive(Debug, Clone)]
pub enum Node {
    /// `<!DOCTYPE html>`.
    Doctype(Span),
    /// `<tag attr="..">children</tag>`, `<br>`, `<br/>`.
    Element(Element),
    /// `"static text"`: a string literal, escaped at compile time.
    Text(Text),
    /// `{expr}` in child position: text, `Html`, `Option`, `Vec`, ... rendered through `Render`.
    Expr(Expr),
    /// `{for pat in iter { nodes }}`.
    For(ForBlock),
    /// `{if cond { nodes } else if cond { nodes } else { nodes }}`, including `if let`.
    If(IfBlock),
    /// `{match expr { pat => { nodes } ... }}`.
    Match(MatchBlock),
}

/// A string literal in child position.
#[derive(Debug, Clone)]
pub struct Text {
    /// The literal's value (unescaped).
    pub value: String,
    /// Span of the literal.
    pub span: Span,
}

/// A Rust expression hole: its tokens as written plus the normalized text used to match holes
/// between the compiled template and a re-parsed one.
#[derive(Debug, Clone)]
pub struct Expr {
    /// The tokens of the expression, with their original spans.
    pub tokens: TokenStream,
    /// Normalized token text, see [`crate::normalize_tokens`].
    pub text: String,
    /// Span of the braces around the expression.
    pub span: Span,
}

/// An element with attributes and children.
#[derive(Debug, Clone)]
pub struct Element {
    /// Tag name as written (`div`, `my-widget`, `linearGradient`).
    pub name: String,
    /// Span of the tag name in the opening tag.
    pub name_span: Span,
    /// Attributes in source order.
    pub attributes: Vec<Attribute>,
    /// Child nodes (always empty for void elements).
    pub children: Vec<Node>,
}

/// One attribute of an element.
#[derive(Debug, Clone)]
pub struct Attribute {
    /// Name as written, with dashes and colons (`data-key`, `live-click`, `xlink:href`).
    pub name: String,
    /// Span of the name.
    pub span: Span,
    /// The value.
    pub value: AttributeValue,
}

/// What follows an attribute name.
#[derive(Debug, Clone)]
pub enum AttributeValue {
    /// No value: a boolean attribute such as `disabled`.
    Boolean,
    /// `name="literal"` (or a number literal).
    Static(String),
    /// `name={expr}`: rendered at run time. `bool` and `Option` values decide presence.
    Dynamic(Expr),
    /// `live-click={msg}`: an event binding; the message is serialized into the attribute.
    Event(Expr),
}

/// `{for pat in iter { body }}`.
#[derive(Debug, Clone)]
pub struct ForBlock {
    /// The loop pattern's tokens.
    pub pat: TokenStream,
    /// The iterated expression's tokens.
    pub iter: TokenStream,
    /// Normalized `for <pat> in <iter>` header text.
    pub header: String,
    /// The loop body: a nested template.
    pub body: Vec<Node>,
    /// Span of the braces around the whole block.
    pub span: Span,
}

/// `{if ... }` with optional `else if` and `else` branches.
#[derive(Debug, Clone)]
pub struct IfBlock {
    /// Each `if`/`else if` condition (tokens after the `if` keyword, `let` included) and body.
    pub branches: Vec<(TokenStream, Vec<Node>)>,
    /// The `else` body, if any.
    pub otherwise: Option<Vec<Node>>,
    /// Normalized header text: every condition, in order, plus whether an `else` exists.
    pub header: String,
    /// Span of the braces around the whole block.
    pub span: Span,
}

/// `{match expr { arms }}`.
#[derive(Debug, Clone)]
pub struct MatchBlock {
    /// The scrutinee's tokens.
    pub scrutinee: TokenStream,
    /// The arms: pattern (with `if` guard tokens, if any) and body.
    pub arms: Vec<(TokenStream, Vec<Node>)>,
    /// Normalized header text: scrutinee and every arm's pattern and guard.
    pub header: String,
    /// Span of the braces around the whole block.
    pub span: Span,
}
