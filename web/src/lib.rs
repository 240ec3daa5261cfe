//! The server-rendered web pages. For now the home page: how much the registry holds that
//! anyone may read. The pages read through the same services as the API.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use registry_api::model::EntryPoint;
use registry_api::service::{PageRequest, Sort, pilots, technologies};
use registry_api::{Actor, ServiceError};
use sea_orm::DatabaseConnection;

/// The pages, with their own state.
pub fn router(db: DatabaseConnection) -> Router {
    Router::new().route("/", get(home)).with_state(db)
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    technologies: u64,
    pilots: u64,
}

async fn home(State(db): State<DatabaseConnection>) -> Response {
    match home_page(&db).await {
        Ok(html) => Html(html).into_response(),
        Err(err) => {
            tracing::error!(error = ?err, "rendering the home page");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Sorry, there is a problem with the service",
            )
                .into_response()
        }
    }
}

async fn home_page(db: &DatabaseConnection) -> Result<String, PageError> {
    let viewer = Actor::anonymous(EntryPoint::Web);
    let one = PageRequest {
        first: 1,
        offset: 0,
    };
    let technologies = technologies::list(db, &viewer, &Default::default(), Sort::default(), one)
        .await?
        .total_count;
    let pilots = pilots::list(db, &viewer, &Default::default(), Sort::default(), one)
        .await?
        .total_count;
    Ok(HomePage {
        technologies,
        pilots,
    }
    .render()?)
}

#[derive(Debug, thiserror::Error)]
enum PageError {
    #[error(transparent)]
    Service(#[from] ServiceError),
    #[error(transparent)]
    Template(#[from] askama::Error),
}
