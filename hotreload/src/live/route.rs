//! [`live_view`]: the axum route that serves a view's page, its socket and the client.
//!
//! One path does all three, so a view needs exactly one `.route(...)` line:
//! - `GET /path` renders the page with the view mounted (works without JavaScript);
//! - `GET /path` with `Upgrade: websocket` opens the page's live socket (same-origin only);
//! - `GET /path?_hotreload=client.js` serves the browser client the page loads.

use crate::live::app_state::AppState;
use crate::live::config::LiveConfig;
use crate::live::connection::{self, MAX_SOCKET_MESSAGE};
use crate::live::origin::origin_allowed;
use crate::live::page::{
    RUNTIME_CLIENT, boundary, client_script, insert_before_body_end, shell_placeholder,
};
use crate::live::params::route_pattern;
use crate::live::runtime::runtime;
use crate::live::token::{DEFAULT_MAX_AGE, SESSION_COOKIE, new_session, session_of, sign};
use crate::live::view::LiveView;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::{State, WebSocketUpgrade};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use std::time::Duration;

/// The query that asks a live route for the client script.
pub(crate) const CLIENT_QUERY: &str = "_hotreload=client.js";

/// A route serving live view `V`: `Router::new().route("/", live_view::<Counter>())`.
///
/// The route needs no router state. In a router with state, use
/// [`live_view_with_state::<V, S>()`](live_view_with_state) or
/// `.route_service("/", live_view::<V>())`.
pub fn live_view<V: LiveView>() -> MethodRouter {
    live_view_with_state::<V, ()>()
}

/// [`live_view`] for a `Router<S>` with state `S`: the view reads it with
/// [`Mount::app_state::<S>()`](crate::live::Mount::app_state) and
/// [`Context::app_state::<S>()`](crate::live::Context::app_state) (a database pool, a
/// broadcaster), the way an axum handler takes `State<S>`.
pub fn live_view_with_state<V: LiveView, S: Clone + Send + Sync + 'static>() -> MethodRouter<S> {
    runtime().register_view::<V>();
    get(serve::<V, S>)
}

async fn serve<V: LiveView, S: Clone + Send + Sync + 'static>(
    State(state): State<S>,
    mut parts: Parts,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    // The page request mounts with it; the socket's upgrade request is what instances brought
    // back after a restart mount with.
    parts.extensions.insert(AppState::new(state));
    if parts.uri.query() == Some(CLIENT_QUERY) {
        return client_js();
    }
    #[cfg(feature = "testing")]
    if let Some(test) = parts.extensions.remove::<TestSocket>() {
        if let Some(pattern) = route_pattern(&parts) {
            runtime().set_route_pattern(V::name(), pattern);
        }
        return test.accept(parts, V::name());
    }
    match upgrade {
        Ok(upgrade) => {
            let dev = runtime().hooks().map(|hooks| hooks.subscribe());
            if let Some(pattern) = route_pattern(&parts) {
                runtime().set_route_pattern(V::name(), pattern);
            }
            upgrade_socket(upgrade, parts, dev, Some(V::name()))
        }
        Err(_) => {
            dev_started().await;
            page::<V>(&parts)
        }
    }
}

/// How long a page served right after start-up waits for the dev layer to be ready.
const DEV_START_WAIT: Duration = Duration::from_secs(2);

/// In debug builds, the pages asked for in the first moments after start-up wait (up to
/// [`DEV_START_WAIT`]) for the dev layer to finish starting: the templates then carry their
/// source positions (click-to-source works from the first load) and the socket's first
/// render is the page as served, so no tab opened during start-up is sent its page twice.
/// Past the wait the page is served as it is and patched when the positions arrive.
async fn dev_started() {
    let Some(mut started) = runtime().hooks().and_then(|hooks| hooks.started()) else {
        return;
    };
    let _ = tokio::time::timeout(DEV_START_WAIT, started.wait_for(|done| *done)).await;
}

/// Asks a live route for its socket without one (`hotreload::testing`): a request carrying
/// it, after the router's middleware, hands the test harness the request parts the socket
/// would have been opened with and the view the route serves, instead of upgrading. Only
/// code of this crate can make one, so no client can.
#[cfg(feature = "testing")]
#[derive(Debug, Clone)]
pub(crate) struct TestSocket(std::sync::Arc<std::sync::Mutex<Option<SocketAnswer>>>);

/// Where a [`TestSocket`] request's parts and view go.
#[cfg(feature = "testing")]
type SocketAnswer = tokio::sync::oneshot::Sender<(Parts, &'static str)>;

#[cfg(feature = "testing")]
impl TestSocket {
    /// A request extension, and where its answer arrives.
    pub(crate) fn new() -> (Self, tokio::sync::oneshot::Receiver<(Parts, &'static str)>) {
        let (sender, receiver) = tokio::sync::oneshot::channel();
        (
            TestSocket(std::sync::Arc::new(std::sync::Mutex::new(Some(sender)))),
            receiver,
        )
    }

    fn accept(self, parts: Parts, view: &'static str) -> Response {
        if !origin_allowed(&parts.headers) {
            return (StatusCode::FORBIDDEN, "cross-origin WebSocket refused").into_response();
        }
        let sender = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(sender) = sender {
            let _ = sender.send((parts, view));
        }
        StatusCode::SWITCHING_PROTOCOLS.into_response()
    }
}

/// Upgrades to a live socket if the origin is allowed.
pub(crate) fn upgrade_socket(
    upgrade: WebSocketUpgrade,
    parts: Parts,
    dev: Option<tokio::sync::broadcast::Receiver<std::sync::Arc<str>>>,
    route_view: Option<&'static str>,
) -> Response {
    if !origin_allowed(&parts.headers) {
        tracing::warn!(origin = ?parts.headers.get(axum::http::header::ORIGIN), "hotreload: refused a cross-origin WebSocket");
        return (StatusCode::FORBIDDEN, "cross-origin WebSocket refused").into_response();
    }
    // Frames are small (events, acks): a 4 KiB read buffer instead of tungstenite's 128 KiB
    // keeps a thousand open tabs from costing 128 MB; larger frames still arrive whole.
    upgrade
        .read_buffer_size(4 * 1024)
        .max_message_size(MAX_SOCKET_MESSAGE)
        .on_upgrade(move |socket| connection::run(socket, parts, dev, route_view))
}

/// The runtime client's response.
pub(crate) fn client_js() -> Response {
    script_response(RUNTIME_CLIENT)
}

/// A script file's response (`no-cache`: the client changes with the server).
pub(crate) fn script_response(script: &'static str) -> Response {
    let mut response = script.into_response();
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// The request header a dev client sends to fetch a live page's shell again after an edit.
pub(crate) const SHELL_HEADER: &str = "x-hotreload-shell";

fn page<V: LiveView>(parts: &Parts) -> Response {
    let runtime = runtime();
    if let Some(pattern) = route_pattern(parts) {
        runtime.set_route_pattern(V::name(), pattern);
    }
    // The browser's session cookie binds the page's instance tokens to it (`token.rs`).
    let (session, new_session) = match session_of(&parts.headers) {
        Some(session) => (session, false),
        None => (new_session(), true),
    };
    // The page around the view (a layout's nav bar) is plain markup no instance re-renders:
    // after an edit, the dev client fetches it again and morphs it in around its boundaries.
    // That fetch must not mount anything, so the boundary is a placeholder.
    let shell_only = runtime.hooks().is_some() && parts.headers.contains_key(SHELL_HEADER);
    let body = if shell_only {
        shell_placeholder(V::name())
    } else {
        let (id, inner) = runtime.mount::<V>(parts);
        let max_age = parts
            .extensions
            .get::<LiveConfig>()
            .map_or(DEFAULT_MAX_AGE, LiveConfig::token_max_age_or_default);
        let token = sign(runtime.token_key(), id, V::name(), &session, max_age);
        boundary(id, V::name(), Some(&token), &inner)
    };
    let page = V::page(body);
    let path = parts.uri.path();
    let socket = parts.uri.path_and_query().map_or(path, |pq| pq.as_str());
    let script = client_script(
        &format!("{path}?{CLIENT_QUERY}"),
        socket,
        runtime
            .hooks()
            .map(|hooks| (hooks.dev_client_src(), hooks.source_key())),
    );
    let html = insert_before_body_end(page.as_str(), &script);
    let mut response = axum::response::Html(html).into_response();
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if new_session
        && let Ok(cookie) = HeaderValue::from_str(&format!(
            "{SESSION_COOKIE}={session}; Path=/; HttpOnly; SameSite=Lax"
        ))
    {
        headers.append(SET_COOKIE, cookie);
    }
    if !shell_only && crate::live::flash::has_cookie(parts) {
        // Shown (mounting read it): once only.
        headers.append(SET_COOKIE, crate::live::flash::clear_cookie());
    }
    response
}
