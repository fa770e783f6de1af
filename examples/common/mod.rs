//! What every example shares: logging and serving on 127.0.0.1:$PORT.

use axum::Router;
use axum::extract::Path;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// Serves `app` on `127.0.0.1:$PORT` (default 3000) and prints the URL.
pub(crate) async fn serve(name: &str, app: Router) -> std::io::Result<()> {
    // Span close events print each stage's time: RUST_LOG=hotreload=debug shows
    // event → update → render → diff → send for every event.
    tracing_subscriber::fmt()
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,hotreload=info".into()),
        )
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

/// Serves `examples/assets/*` from disk at `/assets/*`, read on every request so that edited
/// stylesheets show without a rebuild.
pub(crate) fn assets(app: Router) -> Router {
    app.route("/assets/{file}", get(asset))
}

async fn asset(Path(file): Path<String>) -> Response {
    if file.contains("..") || file.contains('/') || file.contains('\\') {
        return StatusCode::NOT_FOUND.into_response();
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("assets")
        .join(&file);
    let content_type = match path.extension().and_then(|e| e.to_str()) {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        _ => "application/octet-stream",
    };
    match tokio::fs::read(&path).await {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "no-cache"),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => StatusCode::NOT_FOUND.into_response(),
    }
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
