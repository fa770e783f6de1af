//! Same-origin check for WebSocket upgrades.
//!
//! Browsers send `Origin` on every WebSocket handshake but do not apply CORS to WebSockets, so a
//! page on another site could otherwise open a socket to a dev server on localhost and drive
//! it (cross-site WebSocket hijacking). A handshake whose `Origin` names a different host than
//! `Host` is refused. Clients that send no `Origin` at all are not browsers acting for another
//! site, and are let through.

use axum::http::HeaderMap;
use axum::http::header::{HOST, ORIGIN};

/// Whether a WebSocket handshake with these headers may proceed.
pub(crate) fn origin_allowed(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(ORIGIN) else {
        return true;
    };
    let (Ok(origin), Some(Ok(host))) = (origin.to_str(), headers.get(HOST).map(|h| h.to_str()))
    else {
        return false;
    };
    let Some((scheme, authority)) = origin.split_once("://") else {
        return false;
    };
    matches!(scheme, "http" | "https") && authority.eq_ignore_ascii_case(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(origin: Option<&str>, host: &str) -> HeaderMap {
        let mut map = HeaderMap::new();
        map.insert(HOST, host.parse().unwrap());
        if let Some(origin) = origin {
            map.insert(ORIGIN, origin.parse().unwrap());
        }
        map
    }

    #[test]
    fn same_origin_and_originless_pass_foreign_is_refused() {
        assert!(origin_allowed(&headers(
            Some("http://127.0.0.1:3000"),
            "127.0.0.1:3000"
        )));
        assert!(origin_allowed(&headers(None, "127.0.0.1:3000")));
        assert!(!origin_allowed(&headers(
            Some("http://evil.example"),
            "127.0.0.1:3000"
        )));
        assert!(!origin_allowed(&headers(
            Some("http://127.0.0.1:4000"),
            "127.0.0.1:3000"
        )));
        assert!(!origin_allowed(&headers(Some("null"), "127.0.0.1:3000")));
    }
}
