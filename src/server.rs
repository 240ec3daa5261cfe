//! The HTTP router: routes, middleware, health, readiness and metrics. Accepting connections
//! is `connections`'s job, starting everything `application`'s.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Json};
use axum::routing::get;
use std::sync::OnceLock;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use registry_api::indexing::{health, outbox};
use serde_json::json;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::graphql_http;
use crate::rate_limit;
use crate::state::AppState;
use registry_api::service::comparisons::EvidenceCache;
use registry_web::WebState;

/// The whole application: web pages, health and readiness.
pub fn build_app(state: AppState) -> Router {
    let body_limit = state.body_limit;

    let timeout = state.request_timeout;
    let web = WebState {
        db: state.db.clone(),
        sign_in: state.sign_in.clone(),
        search: state.search.clone(),
        evidence: EvidenceCache::default(),
    };
    let mut app = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics_text))
        .route(
            "/graphql",
            get(graphql_http::get_graphql)
                .post(graphql_http::post_graphql)
                .layer(axum::middleware::from_fn_with_state(
                    state.graphql_limit.clone(),
                    rate_limit::enforce,
                )),
        )
        .with_state(state.clone())
        .merge(registry_web::router(web.clone()))
        .merge(
            registry_web::sign_in_router(web).layer(axum::middleware::from_fn_with_state(
                state.sign_in_limit.clone(),
                rate_limit::enforce,
            )),
        )
        .layer(RequestBodyLimitLayer::new(body_limit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ));
    for header in registry_web::headers::layers() {
        app = app.layer(header);
    }
    app.layer(axum::middleware::from_fn(count_requests))
        .layer(TraceLayer::new_for_http())
}

/// The process's Prometheus recorder, installed on first use: at start, before the index
/// rebuild, so that what the rebuild and the outbox worker count is not lost.
pub(crate) fn prometheus() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| match PrometheusBuilder::new().install_recorder() {
            Ok(handle) => Some(handle),
            Err(err) => {
                tracing::error!(error = %err, "could not install the Prometheus recorder");
                None
            }
        })
        .as_ref()
}

/// Prometheus text format: request counts, the search outbox's lag.
async fn metrics_text(State(state): State<AppState>) -> impl IntoResponse {
    if let Ok(lag) = outbox::lag(&state.db).await {
        metrics::gauge!("registry_search_outbox_pending").set(lag.pending as f64);
        metrics::gauge!("registry_search_outbox_oldest_seconds").set(lag.oldest_seconds);
    }
    match prometheus() {
        Some(handle) => (
            StatusCode::OK,
            [(
                axum::http::header::CONTENT_TYPE,
                "text/plain; version=0.0.4",
            )],
            handle.render(),
        )
            .into_response(),
        None => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

async fn count_requests(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    prometheus();
    let response = next.run(request).await;
    metrics::counter!("registry_http_requests_total", "status" => response.status().as_u16().to_string()).increment(1);
    response
}

/// The process is up.
async fn healthz() -> &'static str {
    "ok"
}

/// The process can do its work: the database answers, and search can be relied on: the engine
/// answers, its index is there, and the outbox is neither failing nor lagging beyond its bounds
/// (`--search-max-lag`; see `registry_api::indexing::health`). Otherwise 503, with
/// `checks.search` saying `unreachable` or `degraded` and `search.reason` why: writes are still
/// acknowledged when search is broken, so only this tells that search is going stale. Either
/// way the body says the lag (pending changes, the oldest one's age) and its bound.
async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let database = match state.db.ping().await {
        Ok(()) => true,
        Err(err) => {
            tracing::warn!(error = %err, "readiness check: database unreachable");
            false
        }
    };
    let search = health::readiness(&state.db, &state.search, database, state.search_max_lag).await;
    if let Some(trouble) = &search.trouble {
        tracing::warn!(
            check = trouble.kind.as_str(),
            reason = %trouble.reason,
            detail = trouble.detail.as_deref().unwrap_or(""),
            "readiness check: search is not ready"
        );
    }
    let status = if database && search.trouble.is_none() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let lag = search.lag;
    (
        status,
        Json(json!({
            "status": if status == StatusCode::OK { "ready" } else { "unavailable" },
            "checks": {
                "database": if database { "ok" } else { "unreachable" },
                "search": search.trouble.as_ref().map_or("ok", |t| t.kind.as_str()),
            },
            "search": {
                "engine": state.search.name(),
                "outbox_pending": lag.map(|l| l.pending),
                "outbox_oldest_seconds": lag.map(|l| l.oldest_seconds),
                "outbox_failing": search.failing.as_ref().map(|f| f.rows),
                "max_lag_seconds": search.max_lag.as_secs_f64(),
                "reason": search.trouble.as_ref().map(|t| t.reason.as_str()),
            },
        })),
    )
}
