//! What every request handler can reach. It stands apart from the router (`server`) and the
//! GraphQL endpoint (`graphql_http`) so that both depend on it and neither on the other.

use std::time::Duration;

use registry_api::auth::SignIn;
use registry_api::graphql::RegistrySchema;
use registry_api::search::SearchEngine;
use sea_orm::DatabaseConnection;

use crate::rate_limit::RateLimit;
use crate::settings::{RateLimits, RequestLimits};

/// The connection, engine, schema and limits the handlers share.
#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub search: SearchEngine,
    pub schema: RegistrySchema,
    pub body_limit: usize,
    pub request_timeout: Duration,
    /// The bound `/readyz` holds search's lag to.
    pub search_max_lag: Duration,
    pub sign_in: SignIn,
    pub sign_in_limit: RateLimit,
    pub graphql_limit: RateLimit,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("body_limit", &self.body_limit)
            .field("request_timeout", &self.request_timeout)
            .field("search_max_lag", &self.search_max_lag)
            .field("search", &self.search.name())
            .field("sign_in", &self.sign_in)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// The state for a database, search engine (whose lag `/readyz` holds to
    /// `search_max_lag`) and way of signing in, with the GraphQL schema built over them.
    pub fn new(
        db: DatabaseConnection,
        search: SearchEngine,
        search_max_lag: Duration,
        sign_in: SignIn,
        requests: RequestLimits,
        rate_limits: RateLimits,
    ) -> Self {
        Self {
            schema: registry_api::graphql::build_schema(db.clone(), search.clone()),
            db,
            search,
            body_limit: requests.body,
            request_timeout: requests.timeout,
            search_max_lag,
            sign_in,
            sign_in_limit: RateLimit::per_minute(rate_limits.sign_in_per_minute),
            graphql_limit: RateLimit::per_minute(rate_limits.graphql_per_minute),
        }
    }
}
