//! Canonical text of a token stream.
//!
//! The proc macro sees the compiler's tokens, the runtime re-parser sees proc-macro2's fallback
//! tokens, and their `Display` output differs in spacing (and the two disagree on which
//! punctuation is `Joint`). Holes are matched by their expression text, so both sides must
//! produce exactly the same string for the same source: this module prints tokens itself, one
//! space between any two tokens, except that a lifetime's `'` is glued to its name.

use proc_macro2::{Delimiter, TokenStream, TokenTree};

/// Returns the canonical text of `tokens`, identical for compiler and fallback token streams.
///
/// ```
/// let a: proc_macro2::TokenStream = "self.count  +=1".parse().unwrap();
/// let b: proc_macro2::TokenStream = "self . count += 1".parse().unwrap();
/// assert_eq!(hotreload_syntax::normalize_tokens(&a), hotreload_syntax::normalize_tokens(&b));
/// assert_eq!(hotreload_syntax::normalize_tokens(&a), "self . count + = 1");
/// ```
pub fn normalize_tokens(tokens: &TokenStream) -> String {
    let mut out = String::new();
    write_stream(tokens, &mut out);
    out
}

fn write_stream(tokens: &TokenStream, out: &mut String) {
    let mut glue = true; // no space before the first token
    for tree in tokens.clone() {
        if !glue {
            out.push(' ');
        }
        glue = false;
        match tree {
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::None => ("", ""),
                };
                out.push_str(open);
                write_stream(&group.stream(), out);
                out.push_str(close);
            }
            TokenTree::Ident(ident) => out.push_str(&ident.to_string()),
            TokenTree::Literal(literal) => out.push_str(&literal.to_string()),
            TokenTree::Punct(punct) => {
                out.push(punct.as_char());
                glue = punct.as_char() == '\'';
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        normalize_tokens(&s.parse().unwrap())
    }

    #[test]
    fn spacing_is_canonical() {
        assert_eq!(norm("a::b(c,d)"), "a : : b (c , d)");
        assert_eq!(norm("a :: b ( c , d )"), "a : : b (c , d)");
        assert_eq!(norm("x..=y"), "x . . = y");
        assert_eq!(norm("&'a str"), "& 'a str");
        assert_eq!(norm("&  'a str"), "& 'a str");
        assert_eq!(norm("vec![1,2]"), "vec ! [1 , 2]");
        assert_eq!(norm("f()"), "f ()");
        assert_eq!(norm("\"lit  eral\""), "\"lit  eral\"");
    }
}
