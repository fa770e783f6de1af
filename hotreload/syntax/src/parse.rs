//! The template parser: tokens of a `hot_reload_liveview! { ... }` body to a [`Template`].
//!
//! Built on syn's `ParseStream`, so the same code runs inside the proc macro (compiler tokens)
//! and in the runtime re-parser (proc-macro2 fallback tokens with `span-locations`). Every error
//! carries the span of the offending token and says what was expected.
//!
//! Structural errors (a tag that never closes, a stray token) stop the parse at once, since
//! nothing after them can be trusted. Semantic errors (an unknown `live-*` attribute, a duplicate
//! attribute, dynamic content inside `<script>`) are collected and reported together, so one
//! mistake does not hide the next and does not produce follow-on noise.

use crate::ast::{
    Attribute, AttributeValue, Element, Expr, ForBlock, IfBlock, MatchBlock, Node, Template, Text,
};
use crate::html::{
    LIVE_CLIENT, LIVE_EVENTS, LIVE_LINKS, LIVE_MODIFIERS, is_raw_text_element, is_void_element,
};
use crate::normalize::normalize_tokens;
use proc_macro2::{Span, TokenStream, TokenTree};
use syn::buffer::Cursor;
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{Ident, Lit, LitStr, Token, braced};

/// Parses a template body from a token stream.
///
/// Returns every collected error combined into one `syn::Error` (iterate it to see each).
pub fn parse_template(tokens: TokenStream) -> syn::Result<Template> {
    let parser = |input: ParseStream<'_>| {
        let mut errors = Errors::default();
        let nodes = parse_children(input, &mut errors, None)?;
        if input.peek(Token![<]) && input.peek2(Token![/]) {
            return Err(stray_closing_tag(input));
        }
        errors.finish()?;
        Ok(Template { nodes })
    };
    parser.parse2(tokens)
}

impl syn::parse::Parse for Template {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let tokens: TokenStream = input.parse()?;
        parse_template(tokens)
    }
}

/// Semantic errors collected while parsing goes on.
#[derive(Default)]
struct Errors(Option<syn::Error>);

impl Errors {
    fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

/// Parses nodes until the end of input or a closing tag `</`, which the caller handles.
fn parse_children(
    input: ParseStream<'_>,
    errors: &mut Errors,
    parent: Option<&str>,
) -> syn::Result<Vec<Node>> {
    let mut nodes = Vec::new();
    while !input.is_empty() {
        if input.peek(Token![<]) && input.peek2(Token![/]) {
            break;
        }
        if input.peek(Token![<]) && input.peek2(Token![>]) {
            // `<>...</>`: a fragment; its children join the parent's.
            input.parse::<Token![<]>()?;
            let open: Token![>] = input.parse()?;
            nodes.extend(parse_children(input, errors, parent)?);
            if input.is_empty() {
                return Err(syn::Error::new(
                    open.span,
                    "unclosed fragment `<>`: expected `</>`",
                ));
            }
            input.parse::<Token![<]>()?;
            input.parse::<Token![/]>()?;
            if !input.peek(Token![>]) {
                let found = closing_name(input)?;
                return Err(syn::Error::new(
                    found.1,
                    format!(
                        "mismatched closing tag: expected `</>`, found `</{}>`",
                        found.0
                    ),
                ));
            }
            input.parse::<Token![>]>()?;
            continue;
        }
        nodes.push(parse_node(input, errors, parent)?);
    }
    Ok(nodes)
}

fn parse_node(
    input: ParseStream<'_>,
    errors: &mut Errors,
    parent: Option<&str>,
) -> syn::Result<Node> {
    let raw_text_parent = parent.filter(|p| is_raw_text_element(p));
    if input.peek(Token![<]) && input.peek2(Token![!]) {
        return parse_doctype(input);
    }
    if input.peek(Token![<]) {
        let element = parse_element(input, errors)?;
        if let Some(p) = raw_text_parent {
            errors.push(syn::Error::new(
                element.name_span,
                format!("`<{p}>` can only contain string literals, not elements"),
            ));
        }
        return Ok(Node::Element(element));
    }
    if input.peek(LitStr) {
        let lit: LitStr = input.parse()?;
        if let Some(p) = raw_text_parent
            && lit.value().to_ascii_lowercase().contains(&format!("</{p}"))
        {
            errors.push(syn::Error::new(
                lit.span(),
                format!("text inside `<{p}>` must not contain `</{p}`"),
            ));
        }
        return Ok(Node::Text(Text {
            value: lit.value(),
            span: lit.span(),
        }));
    }
    if input.peek(syn::token::Brace) {
        let node = parse_braced(input, errors)?;
        if let Some(p) = raw_text_parent {
            errors.push(syn::Error::new(
                node_span(&node),
                format!(
                    "dynamic content inside `<{p}>` is not supported: its text is not escaped; \
                     pass data through a `data-*` attribute instead"
                ),
            ));
        }
        return Ok(node);
    }
    if input.peek(Lit) {
        let lit: Lit = input.parse()?;
        let text = lit.to_token_stream_string();
        return Err(syn::Error::new(
            lit.span(),
            format!(
                "expected a string literal: write \"{text}\" for text or {{{text}}} for a value"
            ),
        ));
    }
    let tree: TokenTree = input.parse()?;
    let message = match &tree {
        TokenTree::Ident(ident) => format!(
            "unquoted text `{ident}`: text must be a string literal, e.g. \"{ident}\", \
             and values go in braces, e.g. {{{ident}}}"
        ),
        other => format!(
            "unexpected `{other}`: expected an element `<tag>`, text in quotes \"...\" \
             or an expression in braces {{...}}"
        ),
    };
    Err(syn::Error::new(tree.span(), message))
}

/// A printable form of a literal for error messages.
trait LitText {
    fn to_token_stream_string(&self) -> String;
}

impl LitText for Lit {
    fn to_token_stream_string(&self) -> String {
        quote::ToTokens::to_token_stream(self).to_string()
    }
}

fn node_span(node: &Node) -> Span {
    match node {
        Node::Doctype(span) => *span,
        Node::Element(e) => e.name_span,
        Node::Text(t) => t.span,
        Node::Expr(e) => e.span,
        Node::For(b) => b.span,
        Node::If(b) => b.span,
        Node::Match(b) => b.span,
    }
}

fn parse_doctype(input: ParseStream<'_>) -> syn::Result<Node> {
    let lt: Token![<] = input.parse()?;
    input.parse::<Token![!]>()?;
    let keyword = Ident::parse_any(input)?;
    if !keyword.to_string().eq_ignore_ascii_case("doctype") {
        return Err(syn::Error::new(
            keyword.span(),
            format!("expected `<!DOCTYPE html>`, found `<!{keyword}`"),
        ));
    }
    let kind = Ident::parse_any(input)?;
    if !kind.to_string().eq_ignore_ascii_case("html") {
        return Err(syn::Error::new(
            kind.span(),
            "only `<!DOCTYPE html>` is supported",
        ));
    }
    input.parse::<Token![>]>()?;
    Ok(Node::Doctype(lt.span))
}

/// A tag or attribute name: identifiers (keywords allowed) joined by `-` or `:`.
fn parse_name(input: ParseStream<'_>, what: &str) -> syn::Result<(String, Span)> {
    let first = input
        .call(Ident::parse_any)
        .map_err(|e| syn::Error::new(e.span(), format!("expected {what} name")))?;
    let span = first.span();
    let mut name = first.to_string();
    if let Some(stripped) = name.strip_prefix("r#") {
        name = stripped.to_owned();
    }
    loop {
        if input.peek(Token![-]) {
            input.parse::<Token![-]>()?;
            name.push('-');
        } else if input.peek(Token![:]) && !input.peek(Token![::]) {
            input.parse::<Token![:]>()?;
            name.push(':');
        } else {
            break;
        }
        if input.peek(syn::LitInt) {
            let int: syn::LitInt = input.parse()?;
            name.push_str(&int.to_string());
        } else {
            let part = input.call(Ident::parse_any).map_err(|e| {
                syn::Error::new(
                    e.span(),
                    format!("expected the rest of the {what} name after `{name}`"),
                )
            })?;
            name.push_str(&part.to_string());
        }
    }
    Ok((name, span))
}

fn parse_element(input: ParseStream<'_>, errors: &mut Errors) -> syn::Result<Element> {
    let lt: Token![<] = input.parse()?;
    let (name, name_span) = parse_name(input, "tag")?;
    let mut attributes: Vec<Attribute> = Vec::new();
    loop {
        if input.is_empty() {
            return Err(syn::Error::new(
                lt.span,
                format!("unclosed tag `<{name}`: expected `>` or `/>`"),
            ));
        }
        if input.peek(Token![>]) || (input.peek(Token![/]) && input.peek2(Token![>])) {
            break;
        }
        let attribute = parse_attribute(input, errors)?;
        if attributes.iter().any(|a| a.name == attribute.name) {
            errors.push(syn::Error::new(
                attribute.span,
                format!("duplicate attribute `{}` on `<{name}>`", attribute.name),
            ));
        }
        attributes.push(attribute);
    }
    let self_closing = input.peek(Token![/]);
    if self_closing {
        input.parse::<Token![/]>()?;
    }
    input.parse::<Token![>]>()?;

    let void = is_void_element(&name);
    let mut element = Element {
        name,
        name_span,
        attributes,
        children: Vec::new(),
    };
    if self_closing || void {
        if void && input.peek(Token![<]) && input.peek2(Token![/]) {
            let fork = input.fork();
            fork.parse::<Token![<]>()?;
            fork.parse::<Token![/]>()?;
            if let Ok((closing, span)) = parse_name(&fork, "tag")
                && closing == element.name
            {
                return Err(syn::Error::new(
                    span,
                    format!(
                        "`<{closing}>` is a void element: it has no closing tag (write `<{closing}>` or `<{closing}/>`)"
                    ),
                ));
            }
        }
        return Ok(element);
    }

    element.children = parse_children(input, errors, Some(&element.name))?;
    if input.is_empty() {
        return Err(syn::Error::new(
            element.name_span,
            format!("unclosed element `<{0}>`: expected `</{0}>`", element.name),
        ));
    }
    input.parse::<Token![<]>()?;
    input.parse::<Token![/]>()?;
    if input.peek(Token![>]) {
        let gt: Token![>] = input.parse()?;
        return Err(syn::Error::new(
            gt.span,
            format!(
                "mismatched closing tag: expected `</{0}>`, found `</>`",
                element.name
            ),
        ));
    }
    let (closing, closing_span) = closing_name(input)?;
    if closing != element.name {
        let mut error = syn::Error::new(
            closing_span,
            format!(
                "mismatched closing tag: expected `</{}>`, found `</{closing}>`",
                element.name
            ),
        );
        error.combine(syn::Error::new(
            element.name_span,
            format!("`<{}>` opened here", element.name),
        ));
        return Err(error);
    }
    input.parse::<Token![>]>()?;
    Ok(element)
}

fn closing_name(input: ParseStream<'_>) -> syn::Result<(String, Span)> {
    parse_name(input, "closing tag")
}

fn stray_closing_tag(input: ParseStream<'_>) -> syn::Error {
    let fork = input.fork();
    let span = fork.span();
    let _ = fork.parse::<Token![<]>();
    let _ = fork.parse::<Token![/]>();
    match parse_name(&fork, "tag") {
        Ok((name, span)) => syn::Error::new(
            span,
            format!("unexpected closing tag `</{name}>`: no element is open here"),
        ),
        Err(_) => syn::Error::new(span, "unexpected closing tag: no element is open here"),
    }
}

fn parse_attribute(input: ParseStream<'_>, errors: &mut Errors) -> syn::Result<Attribute> {
    if !(input.peek(Ident::peek_any)) {
        let tree: TokenTree = input.parse()?;
        return Err(syn::Error::new(
            tree.span(),
            format!("expected an attribute name, `>` or `/>`, found `{tree}`"),
        ));
    }
    let (name, span) = parse_name(input, "attribute")?;
    let value = if input.peek(Token![=]) {
        input.parse::<Token![=]>()?;
        if input.peek(LitStr) {
            let lit: LitStr = input.parse()?;
            AttributeValue::Static(lit.value())
        } else if input.peek(syn::token::Brace) {
            let content;
            let braces = braced!(content in input);
            AttributeValue::Dynamic(parse_expr(&content, braces.span.join())?)
        } else if input.peek(Lit) {
            let lit: Lit = input.parse()?;
            match &lit {
                Lit::Int(i) => AttributeValue::Static(i.base10_digits().to_owned()),
                Lit::Float(f) => AttributeValue::Static(f.base10_digits().to_owned()),
                Lit::Bool(_) => {
                    return Err(syn::Error::new(
                        lit.span(),
                        format!(
                            "boolean attribute values go in braces: `{name}={{true}}`, or write `{name}` alone"
                        ),
                    ));
                }
                _ => {
                    return Err(syn::Error::new(
                        lit.span(),
                        "expected a string literal \"...\" or an expression in braces {...}",
                    ));
                }
            }
        } else {
            let span = input.span();
            return Err(syn::Error::new(
                span,
                format!(
                    "expected a value for `{name}`: a string literal \"...\" or an expression in braces {{...}}"
                ),
            ));
        }
    } else {
        AttributeValue::Boolean
    };
    let value = classify_live_attribute(&name, span, value, errors);
    Ok(Attribute { name, span, value })
}

/// Validates `live-*` attributes and turns event bindings into [`AttributeValue::Event`].
fn classify_live_attribute(
    name: &str,
    span: Span,
    value: AttributeValue,
    errors: &mut Errors,
) -> AttributeValue {
    let Some(rest) = name.strip_prefix("live-") else {
        return value;
    };
    if LIVE_EVENTS.contains(&rest) {
        return match value {
            AttributeValue::Dynamic(expr) => AttributeValue::Event(expr),
            other => {
                errors.push(syn::Error::new(
                    span,
                    format!("`{name}` takes a message in braces, e.g. `{name}={{Msg::Save}}`"),
                ));
                other
            }
        };
    }
    if !LIVE_MODIFIERS.contains(&rest)
        && !LIVE_LINKS.contains(&rest)
        && !LIVE_CLIENT.contains(&rest)
    {
        let live = |names: &[&str]| -> String {
            names
                .iter()
                .map(|n| format!("live-{n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        errors.push(syn::Error::new(
            span,
            format!(
                "unknown live attribute `{name}`: expected an event ({}), a modifier ({}), a link ({}) or a client attribute ({})",
                live(LIVE_EVENTS),
                live(LIVE_MODIFIERS),
                live(LIVE_LINKS),
                live(LIVE_CLIENT)
            ),
        ));
    }
    value
}

/// Parses the content of `{ ... }` as one Rust expression.
fn parse_expr(content: ParseStream<'_>, span: Span) -> syn::Result<Expr> {
    if content.is_empty() {
        return Err(syn::Error::new(
            span,
            "empty braces: expected an expression",
        ));
    }
    let begin = content.cursor();
    content.parse::<syn::Expr>()?;
    if !content.is_empty() {
        return Err(content.error("expected the end of the expression"));
    }
    let tokens = tokens_between(begin, content.cursor());
    let text = normalize_tokens(&tokens);
    Ok(Expr { tokens, text, span })
}

/// Parses `{ ... }` in child position: an expression, or a `for`/`if`/`match` block whose
/// bodies are nested templates.
fn parse_braced(input: ParseStream<'_>, errors: &mut Errors) -> syn::Result<Node> {
    let content;
    let braces = braced!(content in input);
    let span = braces.span.join();
    if content.peek(Token![for]) {
        return parse_for(&content, errors, span).map(Node::For);
    }
    if content.peek(Token![if]) {
        return parse_if(&content, errors, span).map(Node::If);
    }
    if content.peek(Token![match]) {
        return parse_match(&content, errors, span).map(Node::Match);
    }
    parse_expr(&content, span).map(Node::Expr)
}

/// Parses `{ nodes }`: the body of a block, a nested template.
fn parse_body(input: ParseStream<'_>, errors: &mut Errors, after: &str) -> syn::Result<Vec<Node>> {
    if !input.peek(syn::token::Brace) {
        return Err(input.error(format!("expected `{{` with markup after {after}")));
    }
    let content;
    braced!(content in input);
    let nodes = parse_children(&content, errors, None)?;
    if !content.is_empty() {
        return Err(stray_closing_tag(&content));
    }
    Ok(nodes)
}

fn parse_for(content: ParseStream<'_>, errors: &mut Errors, span: Span) -> syn::Result<ForBlock> {
    content.parse::<Token![for]>()?;
    let begin = content.cursor();
    syn::Pat::parse_multi_with_leading_vert(content)?;
    let pat = tokens_between(begin, content.cursor());
    content.parse::<Token![in]>()?;
    let begin = content.cursor();
    syn::Expr::parse_without_eager_brace(content)?;
    let iter = tokens_between(begin, content.cursor());
    let body = parse_body(content, errors, "`for ... in ...`")?;
    if !content.is_empty() {
        return Err(content.error("unexpected tokens after the `for` body"));
    }
    let header = format!(
        "for {} in {}",
        normalize_tokens(&pat),
        normalize_tokens(&iter)
    );
    Ok(ForBlock {
        pat,
        iter,
        header,
        body,
        span,
    })
}

fn parse_if(content: ParseStream<'_>, errors: &mut Errors, span: Span) -> syn::Result<IfBlock> {
    let mut branches = Vec::new();
    let mut otherwise = None;
    let mut header = String::new();
    loop {
        content.parse::<Token![if]>()?;
        let begin = content.cursor();
        syn::Expr::parse_without_eager_brace(content)?;
        let condition = tokens_between(begin, content.cursor());
        let body = parse_body(content, errors, "an `if` condition")?;
        if !header.is_empty() {
            header.push_str(" else ");
        }
        header.push_str("if ");
        header.push_str(&normalize_tokens(&condition));
        header.push_str(" {}");
        branches.push((condition, body));
        if !content.peek(Token![else]) {
            break;
        }
        content.parse::<Token![else]>()?;
        if content.peek(Token![if]) {
            continue;
        }
        otherwise = Some(parse_body(content, errors, "`else`")?);
        header.push_str(" else {}");
        break;
    }
    if !content.is_empty() {
        return Err(content.error("unexpected tokens after the `if` block"));
    }
    Ok(IfBlock {
        branches,
        otherwise,
        header,
        span,
    })
}

fn parse_match(
    content: ParseStream<'_>,
    errors: &mut Errors,
    span: Span,
) -> syn::Result<MatchBlock> {
    content.parse::<Token![match]>()?;
    let begin = content.cursor();
    syn::Expr::parse_without_eager_brace(content)?;
    let scrutinee = tokens_between(begin, content.cursor());
    let arms_content;
    braced!(arms_content in content);
    let mut arms = Vec::new();
    let mut header = format!("match {} {{", normalize_tokens(&scrutinee));
    while !arms_content.is_empty() {
        let begin = arms_content.cursor();
        syn::Pat::parse_multi_with_leading_vert(&arms_content)?;
        if arms_content.peek(Token![if]) {
            arms_content.parse::<Token![if]>()?;
            arms_content.parse::<syn::Expr>()?;
        }
        let pattern = tokens_between(begin, arms_content.cursor());
        arms_content.parse::<Token![=>]>()?;
        let body = parse_body(
            &arms_content,
            errors,
            "`=>` (match arm bodies are markup in braces)",
        )?;
        if arms_content.peek(Token![,]) {
            arms_content.parse::<Token![,]>()?;
        }
        header.push(' ');
        header.push_str(&normalize_tokens(&pattern));
        header.push_str(" => {}");
        arms.push((pattern, body));
    }
    header.push_str(" }");
    if !content.is_empty() {
        return Err(content.error("unexpected tokens after the `match` block"));
    }
    Ok(MatchBlock {
        scrutinee,
        arms,
        header,
        span,
    })
}

/// The token trees from `begin` up to (not including) `end`, with their spans.
fn tokens_between(begin: Cursor<'_>, end: Cursor<'_>) -> TokenStream {
    let mut tokens = TokenStream::new();
    let mut cursor = begin;
    while cursor != end {
        match cursor.token_tree() {
            Some((tree, next)) => {
                tokens.extend([tree]);
                cursor = next;
            }
            None => break,
        }
    }
    tokens
}
