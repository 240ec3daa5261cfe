//! The GraphQL API: thin resolvers over the services, one file per area, merged into the root
//! types. Every request carries its [`Actor`] and a batch loader bound to it.

mod audit;
mod comparisons;
mod connection;
mod enums;
pub mod errors;
pub mod execution;
pub mod limits;
mod loaders;
mod measures;
mod memberships;
mod metrics;
mod organisations;
mod pilots;
mod reports;
mod revisions;
mod search;
mod sharing;
mod technologies;
mod types;
mod viewer;

use std::sync::Arc;
use std::time::Duration;

use async_graphql::dataloader::DataLoader;
use async_graphql::{EmptySubscription, MergedObject, Request, Schema};
use sea_orm::DatabaseConnection;

use crate::actor::Actor;

#[derive(Debug, MergedObject, Default)]
pub struct Query(
    viewer::ViewerQuery,
    technologies::TechnologyQuery,
    pilots::PilotQuery,
    organisations::OrganisationQuery,
    metrics::MetricQuery,
    search::SearchQueryRoot,
    comparisons::ComparisonQuery,
    revisions::RevisionQuery,
    audit::AuditQuery,
);

#[derive(Debug, MergedObject, Default)]
pub struct Mutation(
    technologies::TechnologyMutation,
    pilots::PilotMutation,
    measures::MeasureMutation,
    reports::ReportMutation,
    viewer::TokenMutation,
    memberships::MembershipMutation,
    comparisons::ComparisonMutation,
    sharing::SharingMutation,
    metrics::MetricMutation,
    organisations::OrganisationMutation,
);

pub type RegistrySchema = Schema<Query, Mutation, EmptySubscription>;

/// The schema, with the limits that keep hostile queries cheap (see [`limits`]), and the marker
/// that tells request errors from field errors (see [`execution`]).
pub fn build_schema(db: DatabaseConnection, engine: crate::search::SearchEngine) -> RegistrySchema {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .data(db)
        .data(engine)
        .limit_depth(limits::MAX_DEPTH)
        .limit_complexity(limits::MAX_COMPLEXITY)
        .limit_recursive_depth(limits::MAX_RECURSIVE_DEPTH)
        .limit_directives(limits::MAX_DIRECTIVES)
        .extension(limits::BudgetExtension)
        .extension(execution::ExecutionMarker)
        .finish()
}

/// The schema in SDL, as `api/schema.graphql` holds it.
pub fn sdl() -> String {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .finish()
        .sdl()
}

/// Binds a request to its actor: the actor itself, a batch loader that sees what it sees, and
/// the complexity budget of the HTTP request it came in (shared by the operations of a batch).
/// `batch_window` is how long the loader gathers keys before it queries: it must cover the time
/// to resolve one level of a page, or a level's keys split into two queries.
pub fn for_actor(
    request: Request,
    db: &DatabaseConnection,
    actor: Actor,
    batch_window: Duration,
    budget: &limits::RequestBudget,
) -> Request {
    let actor = Arc::new(actor);
    let loader = DataLoader::new(
        loaders::RegistryLoader {
            db: db.clone(),
            actor: actor.clone(),
        },
        tokio::spawn,
    )
    .delay(batch_window);
    request
        .data(actor.as_ref().clone())
        .data(loader)
        .data(budget.clone())
}
