//! Code generation for `hot_reload_liveview!`.
//!
//! For each template (root and nested block bodies) the macro emits a `static` describing it
//! (location, statics, hole signatures: what the dev registry needs) and one call to
//! `::hotreload::__private::render` with two closures:
//!
//! - `holes(i, attribute_name, out)`: renders hole `i`; every user expression appears exactly
//!   once, here, so type errors are reported once and point at the user's tokens;
//! - `fast(holes, out)`: the compiled layout as straight-line code calling `holes` with constant
//!   indexes, which the optimizer inlines to plain `push_str`s.
//!
//! In release builds `render` just runs `fast`. In debug builds it first asks the template's
//! registry entry whether a hot-swapped layout is active and, if so, renders that layout with
//! `holes` instead.
//!
//! Hygiene: locals introduced here use `Span::mixed_site()`, so user code can neither see nor
//! shadow them; `file!()`/`line!()`/`column!()` use `Span::call_site()` so they name the user's
//! invocation, never this crate.

use hotreload_syntax::{CompiledTemplates, HoleKind, HoleSource, HoleTag};
use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{quote, quote_spanned};

/// Locals of the generated code, all with mixed-site hygiene.
struct Names {
    out: Ident,
    buffer: Ident,
    hole: Ident,
    name: Ident,
    holes: Ident,
    template: Ident,
    messages: Ident,
}

impl Names {
    fn new() -> Self {
        let ident = |s: &str| Ident::new(s, Span::mixed_site());
        Names {
            out: ident("__hr_out"),
            buffer: ident("__hr_buffer"),
            hole: ident("__hr_hole"),
            name: ident("__hr_name"),
            holes: ident("__hr_holes"),
            template: ident("__HR_TEMPLATE"),
            messages: ident("__hr_messages"),
        }
    }
}

/// The whole expansion: an expression of type `::hotreload::Html<M>`, `M` being the message
/// type of its event bindings (inferred from where it is used).
pub(crate) fn templates(compiled: &CompiledTemplates) -> TokenStream {
    let names = Names::new();
    let Names {
        out,
        buffer,
        template,
        messages,
        ..
    } = &names;
    let declaration = template_static(compiled, 0, &names);
    let render = render_call(compiled, 0, &names);
    // `typed` takes the message type from where the template is used (`Html<Self::Message>`
    // in `render`) before the body is checked, so a binding of another type is reported at
    // the binding's expression.
    quote! {
        ::hotreload::__private::typed(&|_| ::core::unreachable!(), |#messages| {
            #declaration
            let mut #buffer = ::hotreload::__private::buffer(&#template);
            {
                let #out = &mut #buffer;
                #render
            }
            ::hotreload::__private::finish(&#template, #buffer, #messages)
        })
    }
}

/// `static __HR_TEMPLATE: Template = ...;` for template `index`.
fn template_static(compiled: &CompiledTemplates, index: u32, names: &Names) -> TokenStream {
    let Some(template) = compiled.templates.get(index as usize) else {
        return quote!(::core::compile_error!(
            "hotreload: internal error: missing template"
        ));
    };
    let statics = template.statics.iter().map(|s| Literal::string(s));
    let holes = template.holes.iter().map(|hole| {
        let tag = match hole.kind.tag() {
            HoleTag::Child => quote!(Child),
            HoleTag::Attribute => quote!(Attribute),
            HoleTag::Event => quote!(Event),
            HoleTag::Block => quote!(Block),
        };
        let text = Literal::string(&hole.text);
        let attribute = Literal::string(hole.kind.attribute_name().unwrap_or(""));
        quote!(::hotreload::__private::HoleMeta::new(::hotreload::__private::HoleKind::#tag, #text, #attribute))
    });
    let index = Literal::u32_suffixed(index);
    let call_site = Span::call_site();
    let location = quote_spanned! {call_site=>
        ::hotreload::__private::Location::new(
            ::core::file!(),
            ::core::line!(),
            ::core::column!(),
            #index,
            ::core::env!("CARGO_MANIFEST_DIR"),
        )
    };
    let template_name = &names.template;
    quote! {
        static #template_name: ::hotreload::__private::Template = ::hotreload::__private::Template::new(
            #location,
            &[#(#statics),*],
            &[#(#holes),*],
        );
    }
}

/// A statement rendering template `index` into `__hr_out` (which must be in scope).
fn render_call(compiled: &CompiledTemplates, index: u32, names: &Names) -> TokenStream {
    let Some(template) = compiled.templates.get(index as usize) else {
        return quote!(::core::compile_error!(
            "hotreload: internal error: missing template"
        ));
    };
    let Names {
        out,
        hole,
        name,
        holes,
        template: template_name,
        ..
    } = names;

    let arms = template.holes.iter().enumerate().map(|(i, h)| {
        let body = hole_code(compiled, &h.kind, &h.source, h.span, names);
        quote!(#i => { #body })
    });
    let hole_fn = if template.holes.is_empty() {
        quote!(|_: usize, _: &str, _: &mut ::std::string::String| {})
    } else {
        quote! {
            |#hole: usize, #name: &str, #out: &mut ::std::string::String| match #hole {
                #(#arms)*
                _ => {}
            }
        }
    };

    let mut fast = TokenStream::new();
    for (i, text) in template.statics.iter().enumerate() {
        if !text.is_empty() {
            let text = Literal::string(text);
            fast.extend(quote!(#out.push_str(#text);));
        }
        if let Some(h) = template.holes.get(i) {
            let attribute = Literal::string(h.kind.attribute_name().unwrap_or(""));
            fast.extend(quote!(#holes(#i, #attribute, #out);));
        }
    }
    let holes_param = if template.holes.is_empty() {
        quote!(_)
    } else {
        quote!(#holes)
    };
    let declaration = if index == 0 {
        TokenStream::new()
    } else {
        template_static(compiled, index, names)
    };
    quote! {
        {
            #declaration
            ::hotreload::__private::render(
                &#template_name,
                #out,
                #hole_fn,
                |#holes_param, #out: &mut ::std::string::String| { #fast },
            );
        }
    }
}

/// The code rendering one hole into `__hr_out`.
fn hole_code(
    compiled: &CompiledTemplates,
    kind: &HoleKind,
    source: &HoleSource,
    span: Span,
    names: &Names,
) -> TokenStream {
    let Names {
        out,
        name,
        messages,
        ..
    } = names;
    match source {
        HoleSource::Expr(tokens) => match kind {
            HoleKind::Attribute { .. } => quote_spanned! {span=>
                ::hotreload::__private::AttributeValue::render_attribute(&(#tokens), #name, #out)
            },
            HoleKind::Event { .. } => quote_spanned! {span=>
                ::hotreload::__private::render_event(#messages, &(#tokens), #name, #out)
            },
            HoleKind::Child | HoleKind::Block => quote_spanned! {span=>
                ::hotreload::Render::render_to(&(#tokens), #out)
            },
        },
        HoleSource::For { pat, iter, body } => {
            let body = render_call(compiled, *body, names);
            quote!(for #pat in #iter { #body })
        }
        HoleSource::If {
            branches,
            otherwise,
        } => {
            let mut code = TokenStream::new();
            for (i, (condition, body)) in branches.iter().enumerate() {
                let body = render_call(compiled, *body, names);
                if i > 0 {
                    code.extend(quote!(else));
                }
                code.extend(quote!(if #condition { #body }));
            }
            if let Some(body) = otherwise {
                let body = render_call(compiled, *body, names);
                code.extend(quote!(else { #body }));
            }
            code
        }
        HoleSource::Match { scrutinee, arms } => {
            let arms = arms.iter().map(|(pattern, body)| {
                let body = render_call(compiled, *body, names);
                quote!(#pattern => { #body })
            });
            quote!(match #scrutinee { #(#arms)* })
        }
    }
}
