//! GraphQL over HTTP at `/graphql`.
//!
//! - `POST` with an `application/json` body runs queries and mutations. Any other body type is
//!   refused (415): `text/plain`, form and multipart bodies can be sent cross-site by any web page,
//!   so accepting them would let another site run mutations.
//! - `GET` never executes anything: a browser gets GraphiQL, anything else 405.
//! - Responses are `application/graphql-response+json` when the client accepts it (with 400 for a
//!   request that could not run), otherwise `application/json` with 200, as the GraphQL over HTTP
//!   specification describes.
//! - The actor comes from `Authorization: Bearer <token>`, else from the session cookie (with
//!   the session's CSRF token in `X-CSRF-Token`), else the request is anonymous.
//! - Batches are capped at [`limits::MAX_BATCH`] operations and each document at
//!   [`limits::MAX_ALIASES`] aliases, checked before execution; depth and complexity limits are
//!   set on the schema; the body-size limit applies to the whole app.

use async_graphql::{BatchRequest, BatchResponse};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use registry_api::auth::credentials::{self, CredentialError};
use registry_api::graphql::{self, limits};
use registry_api::model::EntryPoint;
use registry_api::{Actor, ServiceError};
use serde_json::json;

use crate::state::AppState;

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// GraphiQL for people (signed in, it sends the session's CSRF token); nothing for programs.
pub async fn get_graphql(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    if wants_html {
        let csrf_token = match credentials::session(
            &state.db,
            state.sign_in.policy,
            &headers,
            EntryPoint::Graphql,
        )
        .await
        {
            Ok(current) => current.map(|c| c.csrf_token),
            Err(err) => return internal(&err),
        };
        registry_web::graphiql(csrf_token)
    } else {
        let mut response = error(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            "Send GraphQL requests as POST with an application/json body",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        response
    }
}

pub async fn post_graphql(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "GraphQL requests must have Content-Type: application/json",
        );
    }
    let graphql_response = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains(GRAPHQL_RESPONSE));

    let actor = match authenticate(&state, &headers).await {
        Ok(actor) => actor,
        Err(response) => return response,
    };
    let batch: BatchRequest = match serde_json::from_slice(&body) {
        Ok(batch) => batch,
        Err(err) => {
            return error(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                &format!("The request body is not a GraphQL request in JSON: {err}"),
            );
        }
    };
    let single = matches!(batch, BatchRequest::Single(_));
    let requests = match batch {
        BatchRequest::Single(request) => vec![request],
        BatchRequest::Batch(requests) => {
            if requests.len() > limits::MAX_BATCH {
                return error(
                    StatusCode::BAD_REQUEST,
                    "BATCH_TOO_LARGE",
                    &format!("A batch may hold at most {} operations", limits::MAX_BATCH),
                );
            }
            if requests.is_empty() {
                return error(StatusCode::BAD_REQUEST, "BAD_REQUEST", "The batch is empty");
            }
            requests
        }
    };
    for request in &requests {
        // Bounded before anything recursive sees the document.
        if let Err(refusal) = limits::check_request(request) {
            return error(
                StatusCode::BAD_REQUEST,
                refusal.code(),
                &refusal.to_string(),
            );
        }
        if let Ok(document) = async_graphql::parser::parse_query(&request.query)
            && limits::count_aliases(&document) > limits::MAX_ALIASES
        {
            return error(
                StatusCode::BAD_REQUEST,
                "TOO_MANY_ALIASES",
                &format!("A query may use at most {} aliases", limits::MAX_ALIASES),
            );
        }
    }

    let budget = limits::RequestBudget::default();
    let levels = graphql::Levels::default();
    let requests: Vec<_> = requests
        .into_iter()
        .map(|r| graphql::for_actor(r, &state.db, actor.clone(), &levels, &budget))
        .collect();
    let started = std::time::Instant::now();
    let response = if single {
        let mut requests = requests;
        match requests.pop() {
            Some(request) => {
                BatchResponse::Single(levels.drive(state.schema.execute(request)).await)
            }
            None => return error(StatusCode::BAD_REQUEST, "BAD_REQUEST", "No operation"),
        }
    } else {
        levels
            .drive(state.schema.execute_batch(BatchRequest::Batch(requests)))
            .await
    };

    metrics::histogram!("registry_graphql_seconds").record(started.elapsed().as_secs_f64());
    let not_executed = match &response {
        BatchResponse::Single(r) => r.is_err() && r.data == async_graphql::Value::Null,
        BatchResponse::Batch(_) => false,
    };
    let status = if graphql_response && not_executed {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let content_type = if graphql_response {
        GRAPHQL_RESPONSE
    } else {
        "application/json"
    };
    match serde_json::to_vec(&response) {
        Ok(body) => (status, [(header::CONTENT_TYPE, content_type)], body).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "serialising a GraphQL response");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "Something went wrong on our side",
            )
        }
    }
}

/// The request's actor (see `registry_api::auth::credentials`): its bearer token, else its
/// session cookie with the session's CSRF token in `X-CSRF-Token`, else anonymous.
async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Actor, Response> {
    let caller = match credentials::caller(
        &state.db,
        state.sign_in.policy,
        headers,
        EntryPoint::Graphql,
    )
    .await
    {
        Ok(caller) => caller,
        Err(CredentialError::InvalidToken) => {
            let mut response = error(
                StatusCode::UNAUTHORIZED,
                "UNAUTHENTICATED",
                "The API token is not valid: it may be mistyped, expired or revoked",
            );
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return Err(response);
        }
        Err(CredentialError::Lookup(err)) => return Err(internal(&err)),
    };
    caller
        .csrf_checked(credentials::csrf_header(headers))
        .map_err(|_| {
            error(
                StatusCode::FORBIDDEN,
                "CSRF",
                "A signed-in browser request must carry the page's X-CSRF-Token header",
            )
        })
}

fn internal(err: &ServiceError) -> Response {
    tracing::error!(error = ?err, "authenticating a GraphQL request");
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        "INTERNAL",
        "Something went wrong on our side",
    )
}

/// A GraphQL-shaped error for a request refused before execution.
fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        json!({ "errors": [{ "message": message, "extensions": { "code": code } }] }).to_string(),
    )
        .into_response()
}
