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

use async_graphql::{Context, Result};

use super::loaders::RequestLoader;

/// The request's batch loader.
pub(crate) fn loader<'a>(ctx: &'a Context<'_>) -> Result<&'a RequestLoader> {
    ctx.data::<RequestLoader>()
}
