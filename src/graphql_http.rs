//! GraphQL over HTTP at `/graphql`.
//!
//! - `POST` with an `application/json` body runs queries and mutations. Any other body type is
//!   refused (415): `text/plain`, form and multipart bodies can be sent cross-site by any web page,
//!   so accepting them would let another site run mutations.
//! - `GET` never executes anything: a browser gets GraphiQL, anything else 405.
//! - Responses are `application/graphql-response+json` when the client's `Accept` names it,
//!   otherwise `application/json`, as the GraphQL over HTTP specification describes. A request
//!   error (the document does not parse or validate, a variable cannot be coerced, a limit
//!   refuses it: nothing executed) answers `errors` and no `data` entry, with 400 under
//!   `application/graphql-response+json` and 200 under `application/json`; once execution began
//!   the answer is 200 with `data`, `null` included. What this module refuses before the
//!   schema sees a request (a body that is not JSON or has no `query`, a document over a limit
//!   of [`limits`] on its text or aliases, a batch too large, a bad token or a missing CSRF
//!   token) has its 4xx status under either media type, with no `data` entry.
//!   `tests/e2e/graphql/http_audit.rs` runs the public `graphql-http` audit against this module.
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
use registry_api::graphql::execution::Executed;
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
            Err(err) => return internal(Media::accepted(&headers), &err),
        };
        registry_web::graphiql(csrf_token)
    } else {
        let mut response = error(
            Media::accepted(&headers),
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
    let media = Media::accepted(&headers);
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        return error(
            media,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "GraphQL requests must have Content-Type: application/json",
        );
    }

    let actor = match authenticate(&state, &headers, media).await {
        Ok(actor) => actor,
        Err(response) => return response,
    };
    let batch: BatchRequest = match serde_json::from_slice(&body) {
        Ok(batch) => batch,
        Err(err) => {
            return error(
                media,
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                &format!("The request body is not a GraphQL request in JSON: {err}"),
            );
        }
    };
    let single = matches!(batch, BatchRequest::Single(_));
    let mut requests = match batch {
        BatchRequest::Single(request) => vec![request],
        BatchRequest::Batch(requests) => {
            if requests.len() > limits::MAX_BATCH {
                return error(
                    media,
                    StatusCode::BAD_REQUEST,
                    "BATCH_TOO_LARGE",
                    &format!("A batch may hold at most {} operations", limits::MAX_BATCH),
                );
            }
            if requests.is_empty() {
                return error(
                    media,
                    StatusCode::BAD_REQUEST,
                    "BAD_REQUEST",
                    "The batch is empty",
                );
            }
            requests
        }
    };
    for request in &mut requests {
        // `query` is required: without one the body is not a GraphQL request at all (async-graphql
        // would read it as an empty document and answer a parse error).
        if request.query.trim().is_empty() {
            return error(
                media,
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "The request has no query: send the GraphQL document as the string `query`",
            );
        }
        // Bounded before anything recursive sees the document.
        if let Err(refusal) = limits::check_request(request) {
            return error(
                media,
                StatusCode::BAD_REQUEST,
                refusal.code(),
                &refusal.to_string(),
            );
        }
        // Parsed once here: the request keeps the document for execution.
        if let Ok(document) = request.parsed_query()
            && limits::count_aliases(document) > limits::MAX_ALIASES
        {
            return error(
                media,
                StatusCode::BAD_REQUEST,
                "TOO_MANY_ALIASES",
                &format!("A query may use at most {} aliases", limits::MAX_ALIASES),
            );
        }
    }

    let budget = limits::RequestBudget::default();
    let levels = graphql::Levels::default();
    let marks: Vec<Executed> = requests.iter().map(|_| Executed::default()).collect();
    let requests: Vec<_> = requests
        .into_iter()
        .zip(&marks)
        .map(|(r, executed)| {
            graphql::for_actor(r, &state.db, actor.clone(), &levels, &budget).data(executed.clone())
        })
        .collect();
    let started = std::time::Instant::now();
    let response = if single {
        let mut requests = requests;
        match requests.pop() {
            Some(request) => {
                BatchResponse::Single(levels.drive(state.schema.execute(request)).await)
            }
            None => {
                return error(
                    media,
                    StatusCode::BAD_REQUEST,
                    "BAD_REQUEST",
                    "No operation",
                );
            }
        }
    } else {
        levels
            .drive(state.schema.execute_batch(BatchRequest::Batch(requests)))
            .await
    };
    metrics::histogram!("registry_graphql_seconds").record(started.elapsed().as_secs_f64());

    let (status, body) = match &response {
        BatchResponse::Single(response) => {
            let answer = Answer::new(response, marks.first());
            // Under application/json every GraphQL response is 200, as that media type's
            // clients expect; under graphql-response+json a request error is a 400.
            let status = if media == Media::GraphqlResponse && answer.is_request_error() {
                StatusCode::BAD_REQUEST
            } else {
                StatusCode::OK
            };
            (status, serde_json::to_vec(&answer))
        }
        // Batches are not in the specification: 200, with each operation's own answer.
        BatchResponse::Batch(responses) => {
            let answers: Vec<Answer<'_>> = responses
                .iter()
                .enumerate()
                .map(|(i, response)| Answer::new(response, marks.get(i)))
                .collect();
            (StatusCode::OK, serde_json::to_vec(&answers))
        }
    };
    match body {
        Ok(body) => (status, [(header::CONTENT_TYPE, media.content_type())], body).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "serialising a GraphQL response");
            error(
                media,
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "Something went wrong on our side",
            )
        }
    }
}

/// The media type of the answer: `application/graphql-response+json` when the client's `Accept`
/// names it, otherwise `application/json` (what a client that names neither, or `*/*`, gets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Media {
    Json,
    GraphqlResponse,
}

impl Media {
    fn accepted(headers: &HeaderMap) -> Media {
        let names_it = headers
            .get_all(header::ACCEPT)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|range| {
                let mut parts = range.split(';').map(str::trim);
                let is_it = parts
                    .next()
                    .is_some_and(|name| name.eq_ignore_ascii_case(GRAPHQL_RESPONSE));
                // `q=0` says "not this one".
                let refused = parts.any(|p| {
                    p.strip_prefix("q=")
                        .and_then(|q| q.parse::<f32>().ok())
                        .is_some_and(|q| q <= 0.0)
                });
                is_it && !refused
            });
        if names_it {
            Media::GraphqlResponse
        } else {
            Media::Json
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Media::Json => "application/json",
            Media::GraphqlResponse => GRAPHQL_RESPONSE,
        }
    }
}

/// One operation's response as GraphQL over HTTP writes it. A request error (the operation never
/// executed: see [`registry_api::graphql::execution`]) has `errors` and no `data` entry, as the
/// GraphQL specification asks; anything that executed keeps its `data`, `null` included.
struct Answer<'a> {
    response: &'a async_graphql::Response,
    executed: bool,
}

impl<'a> Answer<'a> {
    fn new(response: &'a async_graphql::Response, executed: Option<&Executed>) -> Self {
        Answer {
            response,
            executed: executed.is_some_and(Executed::get),
        }
    }

    fn is_request_error(&self) -> bool {
        !self.executed && self.response.is_err()
    }
}

impl serde::Serialize for Answer<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if !self.is_request_error() {
            return self.response.serialize(serializer);
        }
        #[derive(serde::Serialize)]
        struct RequestError<'a> {
            errors: &'a [async_graphql::ServerError],
            #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
            extensions: &'a std::collections::BTreeMap<String, async_graphql::Value>,
        }
        RequestError {
            errors: &self.response.errors,
            extensions: &self.response.extensions,
        }
        .serialize(serializer)
    }
}

/// The request's actor (see `registry_api::auth::credentials`): its bearer token, else its
/// session cookie with the session's CSRF token in `X-CSRF-Token`, else anonymous.
async fn authenticate(
    state: &AppState,
    headers: &HeaderMap,
    media: Media,
) -> Result<Actor, Response> {
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
                media,
                StatusCode::UNAUTHORIZED,
                "UNAUTHENTICATED",
                "The API token is not valid: it may be mistyped, expired or revoked",
            );
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            return Err(response);
        }
        Err(CredentialError::Lookup(err)) => return Err(internal(media, &err)),
    };
    caller
        .csrf_checked(credentials::csrf_header(headers))
        .map_err(|_| {
            error(
                media,
                StatusCode::FORBIDDEN,
                "CSRF",
                "A signed-in browser request must carry the page's X-CSRF-Token header",
            )
        })
}

fn internal(media: Media, err: &ServiceError) -> Response {
    tracing::error!(error = ?err, "authenticating a GraphQL request");
    error(
        media,
        StatusCode::SERVICE_UNAVAILABLE,
        "INTERNAL",
        "Something went wrong on our side",
    )
}

/// A GraphQL-shaped error (no `data` entry) for a request refused before execution, in the
/// media type the client accepts.
fn error(media: Media, status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, media.content_type())],
        json!({ "errors": [{ "message": message, "extensions": { "code": code } }] }).to_string(),
    )
        .into_response()
}
