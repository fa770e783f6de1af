//! Same-origin check for WebSocket upgrades.
//!
//! Browsers send `Origin` on every WebSocket handshake but do not apply CORS to WebSockets, so a
//! page on another site could otherwise open a socket to a dev server on localhost and drive
//! it (cross-site WebSocket hijacking). A handshake whose `Origin` names a different host than
//! `Host` is refused. Clients that send no `Origin` at all are not browsers acting for another
//! site, and are let through.

use axum::http::HeaderMap;
use axum::http::header::{HOST, ORIGIN};

/// Whether the dev tools (the inspector's state, the editor, server log lines) may be served
/// to a page that reached the server as `Host`: a loopback name or address, or one listed in
/// `HOTRELOAD_DEV_HOSTS` (comma-separated host names, for a dev VM reached by name).
///
/// The same-origin check alone does not stop DNS rebinding: a page on `evil.example` whose
/// name is made to resolve to 127.0.0.1 is same-origin with itself. Its requests carry
/// `Host: evil.example`, which is neither loopback nor listed.
pub(crate) fn dev_tools_host_allowed(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(HOST).and_then(|h| h.to_str().ok()) else {
        // No Host at all (HTTP/1.0, a test client): not a browser tricked by DNS.
        return true;
    };
    let name = host_name(host);
    if matches!(name.as_str(), "localhost" | "::1" | "[::1]")
        || name.ends_with(".localhost")
        || name
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
    {
        return true;
    }
    std::env::var("HOTRELOAD_DEV_HOSTS").is_ok_and(|hosts| {
        hosts
            .split(',')
            .map(str::trim)
            .any(|allowed| !allowed.is_empty() && allowed.eq_ignore_ascii_case(&name))
    })
}

/// `host` without its port, lowercased (`[::1]:3000` → `[::1]`).
fn host_name(host: &str) -> String {
    let host = host.trim();
    let name = if host.starts_with('[') {
        host.find(']').map_or(host, |end| &host[..=end])
    } else {
        host.rsplit_once(':').map_or(host, |(name, _)| name)
    };
    name.to_ascii_lowercase()
}

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

    #[test]
    fn dev_tools_only_for_loopback_hosts() {
        for host in [
            "127.0.0.1:3000",
            "localhost:3000",
            "LOCALHOST",
            "[::1]:8080",
            "app.localhost:1",
            "127.1.2.3",
        ] {
            assert!(dev_tools_host_allowed(&headers(None, host)), "{host}");
        }
        for host in [
            "evil.example:3000",
            "192.168.1.5:3000",
            "localhost.evil.example",
            "[2001:db8::1]:80",
        ] {
            assert!(!dev_tools_host_allowed(&headers(None, host)), "{host}");
        }
        assert!(dev_tools_host_allowed(&HeaderMap::new()));
    }
}
