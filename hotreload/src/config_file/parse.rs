//! Reading a config file's text into its type: TOML (the `toml` crate) or JSON (`serde_json`),
//! chosen by the file's extension, with the parser's position turned into line and column.

use serde::de::DeserializeOwned;
use std::path::Path;

/// The formats config files may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.toml`.
    Toml,
    /// `.json`.
    Json,
}

impl Format {
    /// The format of `path`, by extension.
    pub fn of(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "toml" => Some(Format::Toml),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// Where a parser stopped and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ParseFailure {
    /// 1-based line.
    pub line: u32,
    /// 1-based column (characters).
    pub column: u32,
    /// The parser's message.
    pub message: String,
}

/// `text` as a `T`, in `format`.
pub(crate) fn parse<T: DeserializeOwned>(format: Format, text: &str) -> Result<T, ParseFailure> {
    match format {
        Format::Toml => toml::from_str(text).map_err(|error| {
            let (line, column) = error
                .span()
                .map_or((1, 1), |span| line_column(text, span.start));
            ParseFailure {
                line,
                column,
                message: error.message().to_owned(),
            }
        }),
        Format::Json => serde_json::from_str(text).map_err(|error| ParseFailure {
            line: u32::try_from(error.line()).unwrap_or(u32::MAX).max(1),
            column: u32::try_from(error.column()).unwrap_or(u32::MAX).max(1),
            message: strip_position(&error.to_string()),
        }),
    }
}

/// The 1-based line and column (in characters) of byte `offset` in `text`.
fn line_column(text: &str, offset: usize) -> (u32, u32) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
    )
}

/// serde_json's message without its " at line L column C" (shown separately).
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Config {
        title: String,
        period: u32,
    }

    #[test]
    fn both_formats_read_and_report_where_they_stopped() {
        let toml: Config = parse(Format::Toml, "title = \"a\"\nperiod = 2\n").unwrap();
        assert_eq!(toml.period, 2);
        let json: Config = parse(Format::Json, r#"{"title":"a","period":2}"#).unwrap();
        assert_eq!(json, toml);
        let broken = parse::<Config>(Format::Toml, "title = \"a\"\nperiod = = 2\n").unwrap_err();
        assert_eq!((broken.line, broken.column), (2, 10));
        let mistyped =
            parse::<Config>(Format::Toml, "title = \"a\"\nperiod = \"x\"\n").unwrap_err();
        assert_eq!(mistyped.line, 2);
        assert!(
            mistyped.message.contains("expected u32"),
            "{}",
            mistyped.message
        );
        let json = parse::<Config>(Format::Json, "{\n  \"title\": 1\n}").unwrap_err();
        assert_eq!(json.line, 2);
        assert!(!json.message.contains("at line"), "{}", json.message);
        assert_eq!(Format::of(Path::new("a/B.TOML")), Some(Format::Toml));
        assert_eq!(Format::of(Path::new("a.yaml")), None);
    }
}
