//! [`TestClient`]: a browser without a browser. It sends requests through the app's router
//! in process (no socket), keeps cookies as a browser would, and opens live pages.

use crate::live::{LiveView, live_view};
use crate::testing::error::TestError;
use crate::testing::page::LivePage;
use axum::Router;
use axum::body::Body;
use axum::http::header::{COOKIE, LOCATION, SET_COOKIE};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Request};
use http_body_util::BodyExt;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use tower_service::Service;

/// How many redirects one request follows.
const MAX_REDIRECTS: usize = 5;

/// A response the client got, after redirects.
#[derive(Debug, Clone)]
pub struct TestResponse {
    /// The status.
    pub status: u16,
    /// The path it was finally served at.
    pub path: String,
    /// The body, as text.
    pub body: String,
    /// Its headers.
    pub headers: HeaderMap,
}

/// One browser session against an app's router: cookies kept, headers sent with every
/// request. Cheap to clone (clones share the cookies, like tabs of one browser).
#[derive(Clone)]
pub struct TestClient {
    router: Router,
    headers: HeaderMap,
    cookies: Arc<Mutex<BTreeMap<String, String>>>,
}

impl std::fmt::Debug for TestClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestClient")
            .field("headers", &self.headers)
            .finish()
    }
}

impl TestClient {
    /// A client of `router` (the app as `main` builds it, middleware and all).
    pub fn new(router: Router) -> Self {
        TestClient {
            router,
            headers: HeaderMap::new(),
            cookies: Arc::default(),
        }
    }

    /// A client of a router serving only `V`, at `/`.
    pub fn for_view<V: LiveView>() -> Self {
        TestClient::new(Router::new().route("/", live_view::<V>()))
    }

    /// Sends `name: value` with every request from now on (an `authorization`, an
    /// `accept-language`).
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.insert(name, value);
        self
    }

    /// Sets a cookie, as if the server had.
    pub fn cookie(self, name: &str, value: &str) -> Self {
        self.lock().insert(name.to_owned(), value.to_owned());
        self
    }

    /// The value of cookie `name`, if the server set it.
    pub fn cookie_value(&self, name: &str) -> Option<String> {
        self.lock().get(name).cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, String>> {
        self.cookies.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Opens the live page at `path` (`/items/7?tab=notes`): its view mounted through the
    /// router, its socket attached.
    pub async fn live(&self, path: &str) -> Result<LivePage, TestError> {
        LivePage::open(self.clone(), path).await
    }

    /// `GET path` as a browser would load a page (redirects followed).
    pub async fn get(&self, path: &str) -> Result<TestResponse, TestError> {
        let mut path = path.to_owned();
        for _ in 0..=MAX_REDIRECTS {
            let request = self.request(&path, None)?;
            let response = self.call(request).await;
            let status = response.status();
            let headers = response.headers().clone();
            self.keep_cookies(&headers);
            if status.is_redirection()
                && let Some(location) = headers.get(LOCATION).and_then(|l| l.to_str().ok())
            {
                path = local_path(location, &path);
                continue;
            }
            let body = response
                .into_body()
                .collect()
                .await
                .map(|body| String::from_utf8_lossy(&body.to_bytes()).into_owned())
                .unwrap_or_default();
            return Ok(TestResponse {
                status: status.as_u16(),
                path,
                body,
                headers,
            });
        }
        Err(TestError::Status {
            path,
            status: 310,
            body: String::from("too many redirects"),
        })
    }

    /// A `GET` with this client's headers and cookies; `extension` rides along (the socket
    /// request's [`TestSocket`](crate::live::route::TestSocket)).
    pub(crate) fn request(
        &self,
        path: &str,
        extension: Option<crate::live::TestSocket>,
    ) -> Result<Request<Body>, TestError> {
        let mut request =
            Request::get(path)
                .body(Body::empty())
                .map_err(|error| TestError::Status {
                    path: path.to_owned(),
                    status: 400,
                    body: error.to_string(),
                })?;
        *request.headers_mut() = self.headers.clone();
        request
            .headers_mut()
            .entry(axum::http::header::ACCEPT)
            .or_insert(HeaderValue::from_static("text/html"));
        let cookies = self
            .lock()
            .iter()
            .map(|(name, value)| format!("{name}={value}"))
            .collect::<Vec<_>>()
            .join("; ");
        if !cookies.is_empty()
            && let Ok(value) = HeaderValue::from_str(&cookies)
        {
            request.headers_mut().insert(COOKIE, value);
        }
        if let Some(extension) = extension {
            request.extensions_mut().insert(extension);
        }
        Ok(request)
    }

    /// Runs `request` through the router.
    pub(crate) async fn call(&self, request: Request<Body>) -> axum::response::Response {
        let mut router = self.router.clone();
        // A router is always ready, and its error type is `Infallible`.
        let _ = std::future::poll_fn(|cx| {
            <Router as Service<Request<Body>>>::poll_ready(&mut router, cx)
        })
        .await;
        match router.call(request).await {
            Ok(response) => response,
            Err(never) => match never {},
        }
    }

    /// Keeps the cookies a response sets (and forgets those it expires).
    pub(crate) fn keep_cookies(&self, headers: &HeaderMap) {
        let mut cookies = self.lock();
        for header in headers.get_all(SET_COOKIE) {
            let Ok(text) = header.to_str() else { continue };
            let Some((pair, attributes)) = text.split_once(';').or(Some((text, ""))) else {
                continue;
            };
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            let expired = attributes
                .split(';')
                .any(|a| a.trim().eq_ignore_ascii_case("max-age=0"));
            if expired {
                cookies.remove(name.trim());
            } else {
                cookies.insert(name.trim().to_owned(), value.trim().to_owned());
            }
        }
    }
}

/// The path a `Location` (or a live navigation's URL) names, relative to `from`.
pub(crate) fn local_path(location: &str, from: &str) -> String {
    if location.starts_with('/') {
        return location.to_owned();
    }
    if let Some(rest) = location
        .strip_prefix("http://")
        .or_else(|| location.strip_prefix("https://"))
    {
        return rest
            .find('/')
            .map_or_else(|| String::from("/"), |i| rest[i..].to_owned());
    }
    let base = from.rsplit_once('/').map_or("", |(base, _)| base);
    format!("{base}/{location}")
}
