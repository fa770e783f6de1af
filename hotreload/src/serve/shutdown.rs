//! [`shutdown_signal`]: a graceful-shutdown future that keeps the dev state.
//!
//! A library does not own the process's signals: hotreload installs no signal handler of its
//! own. Hand this future to `axum::serve(..).with_graceful_shutdown(..)`, or call
//! [`state::flush`](crate::state::flush) from your own shutdown path, and the last ~200 ms of
//! state changes (snapshots are written behind updates) survive Ctrl+C as well as a rebuild.

/// Resolves when the process is asked to stop (Ctrl+C / SIGINT, or SIGTERM on Unix), after
/// writing every pending state snapshot (debug builds with hot reload; elsewhere nothing to
/// write).
///
/// ```no_run
/// # async fn run(app: axum::Router) -> std::io::Result<()> {
/// let listener = hotreload::bind("127.0.0.1:3000").await?;
/// axum::serve(listener, app)
///     .with_graceful_shutdown(hotreload::shutdown_signal())
///     .await
/// # }
/// ```
///
/// With a shutdown future of your own, call [`state::flush`](crate::state::flush) in it.
pub async fn shutdown_signal() {
    stop_requested().await;
    #[cfg(feature = "hot-reload")]
    crate::state::flush();
}

async fn stop_requested() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let (Ok(mut interrupt), Ok(mut terminate)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
            return;
        }
    }
    if tokio::signal::ctrl_c().await.is_err() {
        // No signal handling here at all: never resolve rather than stop at once.
        std::future::pending::<()>().await;
    }
}
