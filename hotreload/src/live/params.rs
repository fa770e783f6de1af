//! [`Params`]: the URL of a live page as state (Phoenix's `handle_params`).
//!
//! A view reads its route's path and query parameters in
//! [`LiveView::handle_params`](crate::LiveView::handle_params), called after `mount` and
//! whenever the URL changes without a page load: a `live-patch` link, back or forward, or the
//! view's own [`Context::push_patch`](crate::Context::push_patch). Path parameters come from
//! the route's pattern (`/items/{id}`, `/files/{*path}`), matched again for every new URL.

use axum::extract::MatchedPath;
use axum::http::request::Parts;

/// The page's URL, parsed: path, path parameters (from the route's pattern) and query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    uri: String,
    path: String,
    path_params: Vec<(String, String)>,
    query: Vec<(String, String)>,
}

impl Params {
    /// Parses `uri` (path and query, as in the address bar) against route `pattern` (axum's
    /// syntax; `None`: no path parameters).
    pub fn parse(uri: &str, pattern: Option<&str>) -> Params {
        let without_fragment = uri.split('#').next().unwrap_or("");
        let (path, query) = without_fragment
            .split_once('?')
            .unwrap_or((without_fragment, ""));
        let path = if path.is_empty() { "/" } else { path };
        Params {
            uri: without_fragment.to_owned(),
            path: path.to_owned(),
            path_params: pattern
                .and_then(|pattern| match_pattern(pattern, path))
                .unwrap_or_default(),
            query: form_urlencoded(query),
        }
    }

    /// The parameters of the request that served the page (or, after a restart, of the URL
    /// the page reconnected from), against route `pattern`.
    pub(crate) fn of_request(parts: &Parts, pattern: Option<&str>) -> Params {
        let uri = parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path(), |pq| pq.as_str());
        Params::parse(uri, pattern)
    }

    /// A path parameter (`{id}` in `/items/{id}`), else a query parameter, by name: Phoenix's
    /// merged params.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.path_param(name).or_else(|| self.query(name))
    }

    /// A path parameter by name.
    pub fn path_param(&self, name: &str) -> Option<&str> {
        find(&self.path_params, name)
    }

    /// The first query parameter called `name` (decoded).
    pub fn query(&self, name: &str) -> Option<&str> {
        find(&self.query, name)
    }

    /// Every query parameter, decoded, in order.
    pub fn query_pairs(&self) -> &[(String, String)] {
        &self.query
    }

    /// The path (`/todo`).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Path and query as given (`/todo?filter=done`).
    pub fn uri(&self) -> &str {
        &self.uri
    }
}

fn find<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// The route pattern that matched the request (`/items/{id}`), if axum recorded one.
pub(crate) fn route_pattern(parts: &Parts) -> Option<&str> {
    parts
        .extensions
        .get::<MatchedPath>()
        .map(MatchedPath::as_str)
}

/// Matches `path` against an axum route `pattern`: `{name}` takes one segment, `{*name}` the
/// rest. `None` if it does not match.
pub(crate) fn match_pattern(pattern: &str, path: &str) -> Option<Vec<(String, String)>> {
    let mut params = Vec::new();
    let mut segments = path.trim_start_matches('/').split('/');
    let mut parts = pattern.trim_start_matches('/').split('/');
    loop {
        match (parts.next(), segments.next()) {
            (None, None) => return Some(params),
            (Some(part), segment) => {
                if let Some(name) = part.strip_prefix("{*").and_then(|p| p.strip_suffix('}')) {
                    let rest: Vec<&str> = segment.into_iter().chain(segments).collect();
                    params.push((name.to_owned(), percent_decode(&rest.join("/"))));
                    return Some(params);
                }
                let segment = segment?;
                match part.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                    Some(name) => params.push((name.to_owned(), percent_decode(segment))),
                    None if part == segment => {}
                    None => return None,
                }
            }
            (None, Some(_)) => return None,
        }
    }
}

/// `a=1&b=x+y` → pairs, decoded (`+` is a space, `%XX` a byte).
fn form_urlencoded(query: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// Decodes `%XX` escapes; bytes that are not UTF-8 become U+FFFD.
pub(crate) fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// Whether `url` stays on this site: a path (`/x`, not `//host`), with no backslash and no
/// control character (browsers drop tabs and newlines, so `/\t/host` would be `//host`), so the
/// server never sends a page to another origin through a live navigation or patch.
pub(crate) fn is_local_path(url: &str) -> bool {
    url.starts_with('/')
        && !url.starts_with("//")
        && !url.contains('\\')
        && !url.chars().any(char::is_control)
}

/// Whether `url` may be a full page load's target: a local path, or an `http(s)` URL without
/// control characters (never `javascript:` or `data:`).
pub(crate) fn is_web_url(url: &str) -> bool {
    let lower = url.trim_start().to_ascii_lowercase();
    is_local_path(url)
        || ((lower.starts_with("https://") || lower.starts_with("http://"))
            && !url.chars().any(char::is_control))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_and_path_parameters() {
        let params = Params::parse("/items/42?filter=done&q=a+b%21#top", Some("/items/{id}"));
        assert_eq!(params.path(), "/items/42");
        assert_eq!(params.get("id"), Some("42"));
        assert_eq!(params.get("filter"), Some("done"));
        assert_eq!(params.query("q"), Some("a b!"));
        assert_eq!(params.get("nope"), None);
        assert_eq!(params.uri(), "/items/42?filter=done&q=a+b%21");
    }

    #[test]
    fn patterns_match_segments_and_wildcards() {
        assert_eq!(
            match_pattern("/files/{*path}", "/files/a/b%20c"),
            Some(vec![("path".into(), "a/b c".into())])
        );
        assert_eq!(match_pattern("/a/{x}", "/b/1"), None);
        assert_eq!(match_pattern("/a/{x}", "/a"), None);
        assert_eq!(match_pattern("/a", "/a/b"), None);
        assert_eq!(match_pattern("/", "/"), Some(vec![]));
    }

    #[test]
    fn only_paths_on_this_site_are_local() {
        assert!(is_local_path("/todo?filter=done"));
        assert!(!is_local_path("//evil.example/x"));
        assert!(!is_local_path("/\\evil.example"));
        assert!(!is_local_path("https://evil.example/"));
        assert!(!is_local_path("/\t/evil.example"));
        assert!(!is_local_path("/\n/evil"));
        assert!(!is_local_path("/a\\b"));
        assert!(is_web_url("https://example.com/x") && is_web_url("/x"));
        assert!(!is_web_url("javascript:alert(1)") && !is_web_url(" data:text/html,x"));
    }

    #[test]
    fn bad_escapes_are_kept_and_bad_bytes_replaced() {
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%41"), "%zzA");
        assert_eq!(percent_decode("%ff"), "\u{fffd}");
    }
}
