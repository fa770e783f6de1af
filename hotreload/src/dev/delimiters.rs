//! Finding the brace a developer forgot, when a saved file does not even lex.
//!
//! proc-macro2's lexer reports unbalanced delimiters at the outermost group that failed (an
//! `impl` line far above the edit), which is true but useless. rustc does better with a
//! heuristic this module copies: editors indent a closing delimiter like the line that opened
//! it, so the first group whose closer is indented differently from its opener is most likely
//! the one missing its own closer (`{count " entries"` in a template swallows the `}` meant for
//! the block around it). Without such a hint, the report is the first closer that does not
//! match its opener, or the opener still open at the end of the file.
//!
//! The scanner knows just enough Rust to skip what is not code: line and (nested) block
//! comments, string, byte-string and raw-string literals, and character literals (told apart
//! from lifetimes).

/// Where the unbalanced delimiter is (1-based line and column, in characters) and what is
/// wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unbalanced {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// What is wrong, in words.
    pub message: String,
}

/// An opening delimiter on the stack, or one that has been closed.
#[derive(Debug, Clone, Copy)]
struct Opened {
    delimiter: char,
    line: u32,
    column: u32,
    /// The indentation of the line it is on, in characters.
    indent: u32,
}

/// The most likely unbalanced delimiter of `source`, or `None` if its delimiters balance.
pub(crate) fn find_unbalanced(source: &str) -> Option<Unbalanced> {
    let mut scanner = Scanner::new(source);
    let mut stack: Vec<Opened> = Vec::new();
    // The first group closed on a line indented unlike its opener: the likely culprit, with
    // the depth it was at. Forgotten when a group around it closes where its indentation says
    // it should: then the file was balanced up to there, only unevenly indented.
    let mut suspect: Option<(Opened, usize)> = None;
    while let Some((c, line, column)) = scanner.next_code_char() {
        match c {
            '(' | '[' | '{' => stack.push(Opened {
                delimiter: c,
                line,
                column,
                indent: scanner.indent_of_line(line),
            }),
            ')' | ']' | '}' => {
                let Some(open) = stack.pop() else {
                    return Some(Unbalanced {
                        line,
                        column,
                        message: format!(
                            "unexpected closing delimiter `{c}`: nothing is open here"
                        ),
                    });
                };
                if closer_of(open.delimiter) != c {
                    let culprit = suspect.map_or(open, |(suspect, _)| suspect);
                    return Some(unclosed(culprit, Some((c, line, column))));
                }
                let on_its_own_line = open.line != line && scanner.closer_starts_line(line, column);
                let indented_like_opener = scanner.indent_of_line(line) == open.indent;
                match suspect {
                    None if on_its_own_line && !indented_like_opener => {
                        suspect = Some((open, stack.len()));
                    }
                    Some((_, depth))
                        if depth > stack.len() && on_its_own_line && indented_like_opener =>
                    {
                        suspect = None;
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    let last = *stack.last()?;
    Some(unclosed(suspect.map_or(last, |(suspect, _)| suspect), None))
}

fn unclosed(open: Opened, found: Option<(char, u32, u32)>) -> Unbalanced {
    let expected = closer_of(open.delimiter);
    let message = match found {
        Some((c, line, column)) => format!(
            "this `{}` is never closed: `{expected}` expected; the mismatched `{c}` is at {line}:{column}",
            open.delimiter
        ),
        None => format!(
            "this `{}` is never closed: the file ends without its `{expected}`",
            open.delimiter
        ),
    };
    Unbalanced {
        line: open.line,
        column: open.column,
        message,
    }
}

fn closer_of(open: char) -> char {
    match open {
        '(' => ')',
        '[' => ']',
        _ => '}',
    }
}

/// Walks a Rust source character by character, skipping comments and literals.
struct Scanner<'a> {
    chars: Vec<char>,
    at: usize,
    line: u32,
    column: u32,
    /// The source's lines, for indentation.
    lines: Vec<&'a str>,
}

impl<'a> Scanner<'a> {
    fn new(source: &'a str) -> Self {
        Scanner {
            chars: source.chars().collect(),
            at: 0,
            line: 1,
            column: 1,
            lines: source.lines().collect(),
        }
    }

    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.at + ahead).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek(0)?;
        self.at += 1;
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    /// The next character that is code (not in a comment or literal), with its position.
    fn next_code_char(&mut self) -> Option<(char, u32, u32)> {
        loop {
            let (line, column) = (self.line, self.column);
            let c = self.peek(0)?;
            match (c, self.peek(1)) {
                ('/', Some('/')) => self.skip_line(),
                ('/', Some('*')) => self.skip_block_comment(),
                ('"', _) => {
                    self.bump();
                    self.skip_quoted('"');
                }
                ('r', Some('"' | '#')) if self.starts_raw_string(1) => {
                    self.bump();
                    self.skip_raw_string();
                }
                ('b' | 'c', Some('r')) if self.starts_raw_string(2) => {
                    self.bump();
                    self.bump();
                    self.skip_raw_string();
                }
                ('b' | 'c', Some('"')) => {
                    self.bump();
                    self.bump();
                    self.skip_quoted('"');
                }
                ('b', Some('\'')) => {
                    self.bump();
                    self.bump();
                    self.skip_quoted('\'');
                }
                ('\'', _) => {
                    self.bump();
                    if self.is_char_literal() {
                        self.skip_quoted('\'');
                    }
                }
                _ if c.is_alphanumeric() || c == '_' => {
                    // An identifier: skip it whole, so `r` or `b` inside one is not a prefix.
                    while self
                        .peek(0)
                        .is_some_and(|c| c.is_alphanumeric() || c == '_')
                    {
                        self.bump();
                    }
                }
                _ => {
                    self.bump();
                    return Some((c, line, column));
                }
            }
        }
    }

    fn skip_line(&mut self) {
        while self.peek(0).is_some_and(|c| c != '\n') {
            self.bump();
        }
    }

    fn skip_block_comment(&mut self) {
        self.bump();
        self.bump();
        let mut depth = 1;
        while depth > 0 {
            match (self.bump(), self.peek(0)) {
                (Some('/'), Some('*')) => {
                    self.bump();
                    depth += 1;
                }
                (Some('*'), Some('/')) => {
                    self.bump();
                    depth -= 1;
                }
                (None, _) => return,
                _ => {}
            }
        }
    }

    /// After the opening quote: up to and including the closing one.
    fn skip_quoted(&mut self, quote: char) {
        while let Some(c) = self.bump() {
            if c == '\\' {
                self.bump();
            } else if c == quote {
                return;
            }
        }
    }

    /// Whether `r`, `br` or `cr` at `prefix` characters before here starts a raw string:
    /// `#`s then `"`.
    fn starts_raw_string(&self, prefix: usize) -> bool {
        let mut n = prefix;
        while self.peek(n) == Some('#') {
            n += 1;
        }
        self.peek(n) == Some('"')
    }

    /// At the `r`'s following `#`s: up to and including the closing `"` and `#`s.
    fn skip_raw_string(&mut self) {
        let mut hashes = 0;
        while self.peek(0) == Some('#') {
            self.bump();
            hashes += 1;
        }
        self.bump(); // the opening quote
        while let Some(c) = self.bump() {
            if c == '"' && (0..hashes).all(|n| self.peek(n) == Some('#')) {
                for _ in 0..hashes {
                    self.bump();
                }
                return;
            }
        }
    }

    /// After a `'`: whether it opens a character literal (`'a'`, `'\n'`, `'{'`) rather than a
    /// lifetime or label (`'a`, `'static`).
    fn is_char_literal(&self) -> bool {
        matches!(
            (self.peek(0), self.peek(1)),
            (Some('\\'), _) | (Some(_), Some('\''))
        )
    }

    /// Leading whitespace of 1-based `line`, in characters.
    fn indent_of_line(&self, line: u32) -> u32 {
        self.lines
            .get(line.saturating_sub(1) as usize)
            .map_or(0, |text| {
                let indent = text.chars().take_while(|c| c.is_whitespace()).count();
                u32::try_from(indent).unwrap_or(u32::MAX)
            })
    }

    /// Whether the closer at `line`:`column` is the first non-blank character of its line.
    fn closer_starts_line(&self, line: u32, column: u32) -> bool {
        self.indent_of_line(line) + 1 == column
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balanced_sources_have_no_report() {
        let source = "fn f() { let s = \"}{\"; let c = '}'; let r = r#\"{\"#; // }\n /* { /* } */ */ g(['a', b'(']); }\nfn g<'a>(x: &'a str) -> &'a str { x }\n";
        assert_eq!(find_unbalanced(source), None);
    }

    #[test]
    fn a_template_brace_left_open_is_found_by_indentation() {
        let source = "\
impl LiveView for Guestbook {
    fn render(&self) -> Html {
        hot_reload_liveview! {
            <p>{self.count \" entries, \"</p>
        }
    }
}
";
        let found = find_unbalanced(source).expect("unbalanced");
        assert_eq!((found.line, found.column), (4, 16), "{found:?}");
        assert!(
            found.message.contains("this `{` is never closed"),
            "{found:?}"
        );
    }

    #[test]
    fn an_unevenly_indented_but_balanced_block_above_is_not_blamed() {
        let source = "\
fn a() {
    if x {
      }
}

fn b() -> Html {
    hot_reload_liveview! {
        <p>{count \" entries\"</p>
    }
}
";
        let found = find_unbalanced(source).expect("unbalanced");
        assert_eq!((found.line, found.column), (8, 12), "{found:?}");
    }

    #[test]
    fn a_mismatched_closer_names_both_places() {
        let found = find_unbalanced("fn f() { g(1, 2]; }\n").expect("unbalanced");
        assert_eq!((found.line, found.column), (1, 11));
        assert!(
            found.message.contains("mismatched `]` is at 1:16"),
            "{found:?}"
        );
    }

    #[test]
    fn a_stray_closer_is_reported_where_it_is() {
        let found = find_unbalanced("fn f() {}\n}\n").expect("unbalanced");
        assert_eq!((found.line, found.column), (2, 1));
        assert!(found.message.contains("nothing is open"));
    }

    #[test]
    fn an_opener_left_at_the_end_of_the_file() {
        let found = find_unbalanced("fn f() {\n    g(\n").expect("unbalanced");
        assert!(found.message.contains("file ends"), "{found:?}");
    }
}
