//! [`InjectClientLayer`]: a tower layer that adds the dev client `<script>` to HTML responses.
//!
//! Only complete, uncompressed `text/html` responses are touched (a compressed body would need
//! decompressing; a streamed one buffering); pages that already carry the client (live routes)
//! are left alone. Bodies over [`MAX_INJECT_BYTES`] pass through unchanged.

use crate::live::page::CLIENT_MARKER;
use crate::live::page::insert_before_body_end;
use axum::body::Body;
use axum::http::header::{CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderValue, Request, Response};
use http_body_util::BodyExt;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Larger HTML bodies are not buffered for injection.
pub(crate) const MAX_INJECT_BYTES: usize = 16 * 1024 * 1024;

/// Adds `script` before `</body>` of HTML responses.
#[derive(Debug, Clone)]
pub(crate) struct InjectClientLayer {
    script: std::sync::Arc<str>,
}

impl InjectClientLayer {
    /// Injects `script` (a complete `<script ...></script>` tag).
    pub(crate) fn new(script: impl Into<std::sync::Arc<str>>) -> Self {
        InjectClientLayer {
            script: script.into(),
        }
    }
}

impl<S> tower_layer::Layer<S> for InjectClientLayer {
    type Service = InjectClient<S>;

    fn layer(&self, inner: S) -> Self::Service {
        InjectClient {
            inner,
            script: std::sync::Arc::clone(&self.script),
        }
    }
}

/// The service made by [`InjectClientLayer`].
#[derive(Debug, Clone)]
pub(crate) struct InjectClient<S> {
    inner: S,
    script: std::sync::Arc<str>,
}

impl<S, B> tower_service::Service<Request<B>> for InjectClient<S>
where
    S: tower_service::Service<Request<B>, Response = Response<Body>, Error = Infallible>
        + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
{
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // The clone that was polled ready serves this request; the fresh clone is kept.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let script = std::sync::Arc::clone(&self.script);
        Box::pin(async move {
            let response = inner.call(request).await?;
            Ok(inject(response, &script).await)
        })
    }
}

fn is_plain_html(response: &Response<Body>) -> bool {
    let html = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("text/html"));
    let encoded = response
        .headers()
        .get(CONTENT_ENCODING)
        .is_some_and(|v| v.as_bytes() != b"identity");
    let too_long = response
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|len| len > MAX_INJECT_BYTES);
    html && !encoded && !too_long
}

async fn inject(response: Response<Body>, script: &str) -> Response<Body> {
    if !is_plain_html(&response) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let limited = http_body_util::Limited::new(body, MAX_INJECT_BYTES);
    let bytes = match limited.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(error) => {
            tracing::warn!(%error, "hotreload: could not buffer an HTML response for script injection");
            parts.headers.remove(CONTENT_LENGTH);
            return Response::from_parts(
                parts,
                Body::from("hotreload: response body could not be read"),
            );
        }
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    if text.contains(CLIENT_MARKER) {
        return Response::from_parts(parts, Body::from(bytes));
    }
    let html = insert_before_body_end(text, script);
    if let Ok(len) = HeaderValue::from_str(&html.len().to_string()) {
        parts.headers.insert(CONTENT_LENGTH, len);
    }
    Response::from_parts(parts, Body::from(html))
}
