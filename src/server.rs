//! The HTTP server: routes, middleware, health and readiness, and graceful shutdown.

use std::future::Future;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json};
use axum::routing::get;
use registry_api::graphql::RegistrySchema;
use sea_orm::DatabaseConnection;
use serde_json::json;
use tokio::net::TcpListener;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::graphql_http;

/// What every request handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub schema: RegistrySchema,
    pub body_limit: usize,
    pub request_timeout: Duration,
    /// How long GraphQL batch loaders gather keys before querying.
    pub batch_window: Duration,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("body_limit", &self.body_limit)
            .field("request_timeout", &self.request_timeout)
            .field("batch_window", &self.batch_window)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// The state for a database, with the GraphQL schema built over it.
    pub fn new(db: DatabaseConnection, body_limit: usize, request_timeout: Duration) -> Self {
        Self {
            schema: registry_api::graphql::build_schema(db.clone()),
            db,
            body_limit,
            request_timeout,
            batch_window: Duration::from_millis(2),
        }
    }
}

/// The whole application: web pages, health and readiness.
pub fn build_app(state: AppState) -> Router {
    let body_limit = state.body_limit;
    let timeout = state.request_timeout;
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route(
            "/graphql",
            get(graphql_http::get_graphql).post(graphql_http::post_graphql),
        )
        .with_state(state.clone())
        .merge(registry_web::router(state.db))
        .layer(RequestBodyLimitLayer::new(body_limit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(TraceLayer::new_for_http())
}

/// Serves until `shutdown` completes, then lets requests in flight finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// The process is up.
async fn healthz() -> &'static str {
    "ok"
}

/// The process can do its work: the database answers.
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.db.ping().await {
        Ok(()) => (
            StatusCode::OK,
            Json(json!({ "status": "ready", "checks": { "database": "ok" } })),
        ),
        Err(err) => {
            tracing::warn!(error = %err, "readiness check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable", "checks": { "database": "unreachable" } })),
            )
        }
    }
}
