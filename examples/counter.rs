//! The quick-start example: a counter page served by axum.
//!
//! `cargo run --example counter`, then open the printed URL (port from `$PORT`, default 3000).
//!
//! Today this serves the server-rendered page; the LiveView runtime (events over a WebSocket,
//! patches, `enable_hot_reload!`) turns it into a live counter.

use axum::Router;
use axum::extract::Query;
use axum::response::Html as HtmlResponse;
use axum::routing::get;
use hotreload::prelude::*;
use serde::Deserialize;

#[derive(Default, Deserialize)]
struct Counter {
    #[serde(default)]
    count: i64,
}

impl Counter {
    fn render(&self) -> Html {
        hot_reload_liveview! {
            <div class="counter">
                <h1>"Count: " {self.count}</h1>
                <a href={format!("?count={}", self.count + 1)}><button>"+"</button></a>
                <a href={format!("?count={}", self.count - 1)}><button>"-"</button></a>
                <input type="text" placeholder="type here: not bound to state"/>
            </div>
        }
    }
}

fn page(body: Html) -> Html {
    hot_reload_liveview! {
        <!DOCTYPE html>
        <html lang="en">
            <head><meta charset="utf-8"/><title>"hotreload counter"</title></head>
            <body>{body}</body>
        </html>
    }
}

async fn index(Query(counter): Query<Counter>) -> HtmlResponse<String> {
    HtmlResponse(page(counter.render()).into_string())
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let port: u16 = std::env::var("PORT")
        .ok()
        .and_then(|p| p.parse().ok())
        .unwrap_or(3000);
    let app = Router::new().route("/", get(index));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!(
        "counter example listening on http://{}",
        listener.local_addr()?
    );
    axum::serve(listener, app).await
}
