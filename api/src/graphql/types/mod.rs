//! GraphQL object types: their own types built from the models, so the tables can change
//! without breaking clients.

mod audit;
mod evidence;
mod measure;
mod organisation;
mod pilot;
mod report;
mod revision;
mod technology;
mod viewer;

pub use audit::AuditEntry;
pub use evidence::{PooledEstimate, SubgroupTest};
pub use measure::{Measure, Metric};
pub use organisation::Organisation;
pub use pilot::Pilot;
pub use report::ReportRevision;
pub use revision::{RecordRevision, RevisionDiff};
pub use technology::Technology;
pub use viewer::{ApiToken, Invitation, Membership, Viewer};

use async_graphql::dataloader::Loader;
use async_graphql::{Context, OutputType, Result};

use super::connection::{self, Paged};
use super::errors::to_graphql;
use super::loaders::{RegistryLoader, RequestLoader};
use crate::service::{Page, PageRequest};

/// The request's batch loader.
pub(crate) fn loader<'a>(ctx: &'a Context<'_>) -> Result<&'a RequestLoader> {
    ctx.data::<RequestLoader>()
}

/// One page of a list inside a record, loaded in one batch with the same list of every other
/// record at its level. `key` names the page for this record.
pub(crate) async fn page_inside<K, V, T: OutputType>(
    ctx: &Context<'_>,
    first: Option<i32>,
    after: Option<String>,
    key: impl FnOnce(PageRequest) -> K,
    node: impl Fn(V) -> T,
) -> Result<Paged<T>>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    V: Send + Sync + Clone + 'static,
    RegistryLoader: Loader<K, Value = Page<V>, Error = async_graphql::Error>,
{
    let request = connection::request(ctx, first, after).map_err(to_graphql)?;
    let page = loader(ctx)?
        .load_one(key(request))
        .await?
        .unwrap_or_default();
    Ok(connection::connection(request, page, node))
}
