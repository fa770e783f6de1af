//! Proc macros for [`hotreload`](https://docs.rs/hotreload). Use them through the `hotreload`
//! crate, which re-exports them; generated code names `::hotreload` by absolute path.
//!
//! - `hot_reload_liveview! { ... }`: the template macro. `hotreload-syntax` parses and compiles
//!   the body (the same crate the runtime re-parser uses, so the running server reads an edited
//!   template exactly as this macro did); `generate.rs` emits the code.
//! - `enable_hot_reload!(router)`: the dev routes and machinery in debug builds, the router
//!   unchanged in release builds (the `cfg` is evaluated in the calling crate).
#![warn(clippy::unwrap_used, clippy::expect_used)]

mod generate;

use proc_macro::TokenStream;

/// Compiles a JSX-like template to an `Html` value; see the `hotreload` crate docs for syntax.
///
/// The template is stamped with `file!()`, `line!()` and `column!()` of this call (plus an
/// index for each nested `for`/`if`/`match` body), so the dev runtime can hot-swap its markup.
#[proc_macro]
pub fn hot_reload_liveview(input: TokenStream) -> TokenStream {
    match hotreload_syntax::compile_tokens(input.into()) {
        Ok(compiled) => generate::templates(&compiled).into(),
        Err(error) => {
            // Several errors become several `compile_error!`s; a block keeps them valid as an
            // expression, and the `Html` tail keeps the types right, so only our messages show.
            let errors = error.into_compile_error();
            quote::quote!({ #errors ::hotreload::Html::default() }).into()
        }
    }
}

/// Adds hot reload to an axum `Router` in debug builds; in release builds it is the router,
/// unchanged: no routes, no layer, no watcher.
///
/// ```ignore
/// let app = Router::new().route("/", live_view::<Counter>());
/// let app = enable_hot_reload!(app);
/// ```
#[proc_macro]
pub fn enable_hot_reload(input: TokenStream) -> TokenStream {
    let router = proc_macro2::TokenStream::from(input);
    if router.is_empty() {
        return syn::Error::new(
            proc_macro2::Span::call_site(),
            "expected a router: `enable_hot_reload!(router)`",
        )
        .into_compile_error()
        .into();
    }
    // `cfg` is evaluated in the user's crate, so the user's profile decides.
    let local = proc_macro2::Ident::new("__hr_router", proc_macro2::Span::mixed_site());
    quote::quote!({
        #[cfg(debug_assertions)]
        let #local = ::hotreload::__private::enable(#router, ::core::env!("CARGO_MANIFEST_DIR"));
        #[cfg(not(debug_assertions))]
        let #local = #router;
        #local
    })
    .into()
}
