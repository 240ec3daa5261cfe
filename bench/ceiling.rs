//! The machine's ceiling for the GraphQL benchmark: an axum handler that answers a POST with
//! a fixed small JSON body, so the figure is what HTTP on loopback costs and nothing else.
//! `cargo run --release --example ceiling -- 127.0.0.1:18099`

use axum::Router;
use axum::routing::post;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:18099".to_owned());
    let app = Router::new().route(
        "/graphql",
        post(|| async { ([("content-type", "application/json")], r#"{"data":{}}"#) }),
    );
    let listener = tokio::net::TcpListener::bind(addr).await?;
    axum::serve(listener, app).await
}
