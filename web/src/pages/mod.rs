//! The pages people read, one module per group of pages, each handler thin: it asks the services
//! as the [`Viewer`](crate::viewer::Viewer) and hands a view to its template (under
//! `templates/pages/`, mirroring these modules). Every failure becomes a [`PageError`], which
//! renders the design system's error pages and never shows internal detail.

mod account;
mod admin;
mod audit;
mod evidence;
mod history;
mod home;
mod my_organisation;
mod organisations;
mod pilots;
mod search;
mod technologies;
mod tombstone;

use std::time::Instant;

use askama::Template;
use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use registry_api::ServiceError;

use crate::WebState;
use pilots::work_pages as work;

/// The pages, each timed into `registry_page_seconds` by its route.
pub fn router() -> Router<WebState> {
    Router::new()
        .route("/", get(home::show))
        .route("/search", get(search::show))
        .route(
            "/technologies/new",
            get(technologies::new).post(technologies::new_post),
        )
        .route("/technologies/{slug}", get(technologies::show))
        .route("/technologies/{slug}/history", get(history::of_technology))
        .route(
            "/technologies/{slug}/edit",
            get(technologies::edit).post(technologies::edit_post),
        )
        .route("/pilots/new", get(pilots::new).post(pilots::new_post))
        .route(
            "/pilots/{id}/edit",
            get(pilots::edit).post(pilots::edit_post),
        )
        .route("/pilots/{id}", get(pilots::show))
        .route("/pilots/{id}/history", get(history::of_pilot))
        .route(
            "/pilots/{id}/measures/new",
            get(work::measure_form).post(work::measure_post),
        )
        .route(
            "/pilots/{id}/report",
            get(work::report_form).post(work::report_post),
        )
        .route(
            "/pilots/{id}/publish",
            get(work::publish_form).post(work::publish_post),
        )
        .route("/pilots/{id}/sharing", get(work::sharing).post(work::share))
        .route(
            "/pilots/{id}/sharing/{organisation}/end",
            post(work::end_sharing),
        )
        .route("/pilots/{id}/reads", get(audit::pilot_reads))
        .route("/my-organisation", get(my_organisation::show))
        .route("/admin/audit", get(audit::log))
        .route("/organisations/{ods_code}", get(organisations::show))
        .route("/account/tokens", get(account::list).post(account::create))
        .route("/account/tokens/{id}/revoke", post(account::revoke))
        .route("/evidence", get(evidence::catalogue))
        .route("/evidence/{code}", get(evidence::comparison))
        .merge(admin::router())
        .route_layer(middleware::from_fn(timed))
        .layer(middleware::from_fn(crate::forms::clear_notice))
}

/// Records how long the server took over each page (services and template), for the summary
/// at `/metrics`.
async fn timed(request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    ::metrics::histogram!("registry_page_seconds", "page" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

/// Why a page could not be shown.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// No such record, or none the viewer may read: the two look the same.
    #[error("not found")]
    NotFound,
    /// The address asks for something that cannot be: shown with the reasons, in plain English.
    #[error("bad request")]
    BadRequest(Vec<String>),
    /// Signed in, but without the role (or a form that did not come from this site's pages).
    #[error("forbidden")]
    Forbidden(String),
    #[error(transparent)]
    Service(ServiceError),
    /// A failure already logged where it happened: "try again later", or for a part that is
    /// down or slow, "try again in a few minutes".
    #[error("failed")]
    Failed { transient: bool },
    #[error("rendering a page: {0}")]
    Render(#[from] askama::Error),
}

impl From<ServiceError> for PageError {
    fn from(err: ServiceError) -> Self {
        match err {
            ServiceError::NotFound(_) => Self::NotFound,
            ServiceError::Invalid(errors) => {
                Self::BadRequest(errors.into_iter().map(|e| e.message).collect())
            }
            ServiceError::Forbidden(what) => Self::Forbidden(format!(
                "You do not have permission to {what}. Ask an administrator of the registry if \
                 you need to."
            )),
            other => Self::Service(other),
        }
    }
}

#[derive(Template)]
#[template(path = "errors/not_found.html")]
struct NotFoundPage;

#[derive(Template)]
#[template(path = "errors/bad_request.html")]
struct BadRequestPage {
    reasons: Vec<String>,
}

#[derive(Template)]
#[template(path = "errors/forbidden.html")]
struct ForbiddenPage {
    reason: String,
}

#[derive(Template)]
#[template(path = "errors/problem.html")]
struct ProblemPage {
    /// "Try again later" for a part that is down or slow, rather than "we are fixing it".
    transient: bool,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (status, body) = match self {
            Self::NotFound => (StatusCode::NOT_FOUND, NotFoundPage.render()),
            Self::BadRequest(reasons) => {
                (StatusCode::BAD_REQUEST, BadRequestPage { reasons }.render())
            }
            Self::Forbidden(reason) => (StatusCode::FORBIDDEN, ForbiddenPage { reason }.render()),
            Self::Service(err) => return problem(&err),
            Self::Failed { transient } => {
                let status = if transient {
                    StatusCode::SERVICE_UNAVAILABLE
                } else {
                    StatusCode::INTERNAL_SERVER_ERROR
                };
                (status, ProblemPage { transient }.render())
            }
            Self::Render(err) => {
                tracing::error!(error = %err, "rendering a page");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ProblemPage { transient: false }.render(),
                )
            }
        };
        match body {
            Ok(body) => (status, Html(body)).into_response(),
            Err(err) => {
                tracing::error!(error = %err, "rendering an error page");
                (status, "Sorry, there is a problem with the service").into_response()
            }
        }
    }
}

/// The problem page for a service error, whichever door met it: the cause is logged, never
/// shown.
pub fn problem(err: &ServiceError) -> Response {
    tracing::error!(error = %registry_api::error::CauseChain(err), "serving a page");
    let transient = matches!(
        err,
        ServiceError::TimedOut(_) | ServiceError::Unavailable(_)
    );
    PageError::Failed { transient }.into_response()
}

/// A page's response: its template rendered, or the error page.
pub type PageResult = Result<Html<String>, PageError>;

/// Renders a page's view.
pub fn render(page: &impl Template) -> PageResult {
    Ok(Html(page.render()?))
}

/// Unknown paths: the styled "page not found".
pub async fn not_found() -> PageError {
    PageError::NotFound
}
