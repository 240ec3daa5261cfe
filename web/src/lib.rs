//! The server-rendered web pages: the home page and the sign-in pages. The pages read through
//! the same services as the API, as the person the session names.

mod auth;
mod cookies;
mod evidence;
mod forest;
pub mod headers;
mod query;
pub mod statics;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use registry_api::auth::{SignIn, credentials};
use registry_api::model::EntryPoint;
use registry_api::service::{PageRequest, Sort, pilots, technologies};
use registry_api::{Actor, ServiceError};
use sea_orm::DatabaseConnection;

/// What the pages need.
#[derive(Debug, Clone)]
pub struct WebState {
    pub db: DatabaseConnection,
    pub sign_in: SignIn,
}

/// The pages and the sign-in routes. Sign-in routes are returned apart so the server can put a
/// rate limit on them.
pub fn router(state: WebState) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/assets/{version}/{*file}", get(statics::serve))
        .route("/metrics/{code}/forest.svg", get(evidence::forest_svg))
        .route(
            "/metrics/{code}/comparison.csv",
            get(evidence::comparison_csv),
        )
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

/// Who is looking, for the page header.
struct Viewer {
    name: String,
    csrf_token: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    viewer: Option<Viewer>,
    technologies: u64,
    pilots: u64,
}

async fn home(State(state): State<WebState>, headers: HeaderMap) -> Response {
    match home_page(&state, &headers).await {
        Ok(page) => html(page),
        Err(err) => problem(&err),
    }
}

async fn home_page(state: &WebState, headers: &HeaderMap) -> Result<HomePage, ServiceError> {
    let current =
        credentials::session(&state.db, state.sign_in.policy, headers, EntryPoint::Web).await?;
    let (viewer, actor) = match current {
        Some(current) => (
            Some(Viewer {
                name: current.actor.label(),
                csrf_token: current.csrf_token,
            }),
            current.actor,
        ),
        None => (None, Actor::anonymous(EntryPoint::Web)),
    };
    let one = PageRequest {
        first: 1,
        offset: 0,
    };
    let technologies =
        technologies::list(&state.db, &actor, &Default::default(), Sort::default(), one)
            .await?
            .total_count;
    let pilots = pilots::list(&state.db, &actor, &Default::default(), Sort::default(), one)
        .await?
        .total_count;
    Ok(HomePage {
        viewer,
        technologies,
        pilots,
    })
}

/// Renders a page, or the service's generic problem page if the template fails.
fn html(page: impl Template) -> Response {
    match page.render() {
        Ok(body) => Html(body).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "rendering a page");
            unavailable()
        }
    }
}

/// The page for a service error: internal detail is logged, never shown.
fn problem(err: &ServiceError) -> Response {
    tracing::error!(error = %registry_api::error::CauseChain(err), "serving a page");
    unavailable()
}

fn unavailable() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Html("<!DOCTYPE html><title>Sorry, there is a problem with the service</title><h1>Sorry, there is a problem with the service</h1><p>Try again later.</p>"),
    )
        .into_response()
}
