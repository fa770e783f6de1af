//! The router's state, for views: what [`live_view_with_state`](crate::live::live_view_with_state)
//! takes from axum's `State` and hands to `mount` and `update`
//! ([`Mount::app_state`](crate::live::Mount::app_state),
//! [`Context::app_state`](crate::live::Context::app_state)).
//!
//! The route puts it into the request's extensions (the page request and the socket's upgrade
//! request alike), so every instance, including one brought back after a restart and the
//! children it mounts, finds the state of the router that serves it. It is type-erased here
//! and typed again where it is read: the view names the type its router has.

use axum::http::request::Parts;
use std::any::Any;
use std::sync::Arc;

/// A router's state, type-erased.
#[derive(Clone)]
pub(crate) struct AppState(Arc<dyn Any + Send + Sync>);

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AppState")
    }
}

impl AppState {
    /// Wraps a router's state.
    pub(crate) fn new<S: Send + Sync + 'static>(state: S) -> Self {
        AppState(Arc::new(state))
    }

    /// The state, if it is an `S`.
    pub(crate) fn get<S: 'static>(&self) -> Option<&S> {
        self.0.downcast_ref::<S>()
    }

    /// The state the route put into `request`, if any.
    pub(crate) fn of_request(request: &Parts) -> Option<AppState> {
        request.extensions.get::<AppState>().cloned()
    }
}
