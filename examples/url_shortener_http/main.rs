//! The URL shortener as an HTTP service (axum), sharing the shortener's
//! model; the routes are in `app.rs`.
//!
//! ```sh
//! cargo run --example url_shortener_http   # on the embedded engine
//! # in another shell:
//! curl -si -X POST localhost:3000/links -H 'content-type: application/json' \
//!      -d '{"target": "https://example.com/", "ownerId": "user-001"}'
//! curl -si localhost:3000/<code>          # 308, Location: https://example.com/
//! curl -s  localhost:3000/<code>/stats
//! curl -s 'localhost:3000/links?owner=user-001'
//! ```
//!
//! It binds 127.0.0.1 on `PORT` (default 3000) and prints its address.
//! The table (`url-shortener`, or `TABLE`) is created if missing with a
//! set-up client; the serving client is created once and primed with one
//! GetItem before the first request (`PRIME=0` leaves it cold, to measure
//! what priming saves: BENCHMARKS.md).
//!
//! On AWS Lambda (a function URL or API Gateway), build with the `lambda`
//! feature; the same router then runs under `lambda_http`:
//!
//! ```sh
//! cargo lambda build --release --features lambda --example url_shortener_http
//! cargo lambda deploy --binary-name url_shortener_http --env-var TABLE=url-shortener
//! ```

mod app;
#[path = "../shared/engine.rs"]
mod engine;
#[path = "../url_shortener/model.rs"]
mod shortener;

use shortener::Shortener;
use std::time::Instant;
use truss_model::Table;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let started = Instant::now();
    let target = engine::connect("url_shortener_http").await?;
    let config = &target.config;
    let table_name = std::env::var("TABLE").unwrap_or_else(|_| "url-shortener".to_owned());
    // Set-up on its own client, so the serving client below starts cold
    // unless primed.
    let setup = Shortener::new(Table::new(
        aws_sdk_dynamodb::Client::new(config),
        &table_name,
    ));
    setup.ensure_table().await?;

    let shortener = Shortener::new(Table::new(
        aws_sdk_dynamodb::Client::new(config),
        &table_name,
    ));
    if std::env::var("PRIME").as_deref() != Ok("0") {
        // One GetItem of a key no link has: credentials resolved, the
        // connection open, before the first request needs them.
        let primed = Instant::now();
        shortener.open("-prime-").await?;
        eprintln!(
            "primed the client in {:.1} ms",
            primed.elapsed().as_secs_f64() * 1e3
        );
    }
    let router = app::router(shortener);

    #[cfg(feature = "lambda")]
    if std::env::var("AWS_LAMBDA_RUNTIME_API").is_ok() {
        return lambda_http::run(router).await;
    }

    let port: u16 = match std::env::var("PORT") {
        Ok(port) => port
            .parse()
            .map_err(|_| format!("PORT `{port}` is not a port number"))?,
        Err(_) => 3000,
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!(
        "url_shortener_http listening on http://{} (ready in {:.0} ms)",
        listener.local_addr()?,
        started.elapsed().as_secs_f64() * 1e3
    );
    axum::serve(listener, router).await?;
    Ok(())
}
