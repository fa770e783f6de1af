//! What every example shares: logging and serving on 127.0.0.1:$PORT.

use axum::Router;
use axum::http::{HeaderValue, header};
use tower::ServiceBuilder;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// Serves `app` on `127.0.0.1:$PORT` (default 3000) and prints the URL.
pub(crate) async fn serve(name: &str, app: Router) -> std::io::Result<()> {
    // Span close events print each stage's time: RUST_LOG=hotreload=debug shows
    // event → update → render → diff → send for every event.
    // In debug builds the app's events (INFO and up) also show in the browser console of
    // every open page (`hotreload::BrowserConsole`); release builds forward nothing.
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;
    tracing_subscriber::fmt()
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,hotreload=info".into()),
        )
        .finish()
        .with(hotreload::BrowserConsole::new(tracing::Level::INFO))
        .init();
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3000);
    // `hotreload::bind` keeps the socket across an in-place restart after a rebuild.
    let listener = hotreload::bind(("127.0.0.1", port)).await?;
    println!(
        "{name} example listening on http://{}",
        listener.local_addr()?
    );
    // Ctrl+C / SIGTERM: finish in-flight requests and write the last state snapshots.
    axum::serve(listener, app)
        .with_graceful_shutdown(hotreload::shutdown_signal())
        .await
}

/// Serves `examples/assets/` at `/assets/` with tower-http's `ServeDir`, in every build (the
/// dev server watches the folder and re-points stylesheet links at it; it does not serve it).
/// `no-cache`: the browser revalidates, so an edited stylesheet shows on reload too.
pub(crate) fn assets(app: Router) -> Router {
    let files = ServeDir::new(concat!(env!("CARGO_MANIFEST_DIR"), "/assets"));
    app.nest_service(
        "/assets",
        ServiceBuilder::new()
            .layer(SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                HeaderValue::from_static("no-cache"),
            ))
            .service(files),
    )
}

/// The page shell the examples share.
pub(crate) fn page(title: &str, body: hotreload::Html) -> hotreload::Html {
    hotreload::hot_reload_liveview! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <title>{title}</title>
                <link rel="stylesheet" href="/assets/style.css"/>
            </head>
            <body>{body}</body>
        </html>
    }
}
