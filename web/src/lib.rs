//! The server-rendered web pages, in the NHS.UK design system: the pages people read (`pages`),
//! the sign-in pages (`auth`), the downloads (`evidence`) and the design system's assets
//! (`statics`). The pages read through the same services as the API, as the person the
//! session names (`viewer`).

mod auth;
mod charts;
mod components;
mod cookies;
mod evidence;
mod forest;
mod format;
mod forms;
pub mod headers;
mod pages;
mod query;
pub mod statics;
mod viewer;
mod wording;

use askama::Template;
use axum::Router;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use registry_api::ServiceError;
use registry_api::auth::SignIn;
use registry_api::search::SearchEngine;
use registry_api::service::comparisons::EvidenceCache;
use sea_orm::DatabaseConnection;

/// What the pages need.
#[derive(Debug, Clone)]
pub struct WebState {
    pub db: DatabaseConnection,
    pub sign_in: SignIn,
    pub search: SearchEngine,
    /// Figures of technologies' evidence at a glance, kept between views.
    pub evidence: EvidenceCache,
}

/// The pages and the sign-in routes. Sign-in routes are returned apart so the server can put a
/// rate limit on them.
pub fn router(state: WebState) -> Router {
    pages::router()
        .route("/assets/{version}/{*file}", get(statics::serve))
        .route("/evidence/{code}/forest.svg", get(evidence::forest_svg))
        .route(
            "/evidence/{code}/comparison.csv",
            get(evidence::comparison_csv),
        )
        .route("/metrics/{code}/{file}", get(evidence::moved))
        .fallback(pages::not_found)
        .with_state(state)
}

/// `/auth/login`, `/auth/callback`, `/auth/logout` and `/auth/demo`.
pub fn sign_in_router(state: WebState) -> Router {
    Router::new()
        .route("/auth/login", get(auth::login))
        .route("/auth/callback", get(auth::callback))
        .route("/auth/logout", post(auth::logout))
        .route("/auth/demo", post(auth::demo))
        .with_state(state)
}

#[derive(Template)]
#[template(path = "graphiql.html")]
struct GraphiqlPage {
    csrf_token: Option<String>,
}

/// GraphiQL, served from the registry's own assets; a signed-in browser's page carries the
/// session's CSRF token for the requests GraphiQL sends.
pub fn graphiql(csrf_token: Option<String>) -> Response {
    html(GraphiqlPage { csrf_token })
}

/// Renders a page, or the problem page if the template fails.
fn html(page: impl Template) -> Response {
    match page.render() {
        Ok(body) => Html(body).into_response(),
        Err(err) => pages::PageError::Render(err).into_response(),
    }
}

/// The page for a service error: internal detail is logged, never shown.
fn problem(err: &ServiceError) -> Response {
    pages::problem(err)
}

/// The problem page for a failure already logged.
fn unavailable() -> Response {
    pages::PageError::Failed { transient: false }.into_response()
}
