//! The GraphQL API: thin resolvers over the services, one file per area, merged into the root
//! types. Every request carries its [`Actor`] and a batch loader bound to it.

mod audit;
mod comparisons;
mod connection;
mod enums;
pub mod errors;
pub mod execution;
mod levels;
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

use async_graphql::dataloader::{DataLoader, HashMapCache};
use async_graphql::{EmptySubscription, MergedObject, Request, Schema};
use sea_orm::DatabaseConnection;

use crate::actor::Actor;
pub use levels::Levels;

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
/// The loader's batches close at the request's [`Levels`] gate, so run the request through
/// [`Levels::drive`]. It remembers what it loaded for the rest of the request, unless the
/// request may change records (`mutation`), where a later field must see the change.
pub fn for_actor(
    mut request: Request,
    db: &DatabaseConnection,
    actor: Actor,
    levels: &Levels,
    budget: &limits::RequestBudget,
) -> Request {
    let actor = Arc::new(actor);
    let loader = DataLoader::with_cache(
        loaders::RegistryLoader {
            db: db.clone(),
            actor: actor.clone(),
        },
        levels.spawner(),
        HashMapCache::default(),
    )
    .delay(std::time::Duration::ZERO)
    .max_batch_size(loaders::MAX_BATCH_KEYS);
    if may_change_records(&mut request) {
        loader.enable_all_cache(false);
    }
    request
        .data(actor.as_ref().clone())
        .data(loader)
        .data(budget.clone())
}

/// Whether the document holds a mutation (or fails to parse, when nothing runs anyway). The
/// request keeps the parsed document, so execution does not parse it again.
fn may_change_records(request: &mut Request) -> bool {
    use async_graphql::parser::types::OperationType;
    request.parsed_query().map_or(true, |document| {
        document
            .operations
            .iter()
            .any(|(_, operation)| operation.node.ty == OperationType::Mutation)
    })
}

#[cfg(test)]
mod tests {
    use async_graphql::Request;

    use super::may_change_records;

    #[test]
    fn only_queries_remember_what_they_loaded() {
        let changes = |query: &str| may_change_records(&mut Request::new(query));
        assert!(!changes("{ technologies { nodes { name } } }"));
        assert!(!changes(
            "query A { viewer { name } } query B { pilots { totalCount } }"
        ));
        assert!(changes("query A { viewer { name } } mutation B { x }"));
        assert!(changes("{ unclosed"));
    }
}
