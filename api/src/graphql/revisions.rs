//! The history of pilots and technologies: their revisions are fields of each (`revisions`);
//! this compares two of them.

use async_graphql::{Context, ID, Object, Result};
use sea_orm::DatabaseConnection;

use super::enums::RecordKind;
use super::errors::{query_id, to_graphql};
use super::types::RevisionDiff;
use crate::actor::Actor;
use crate::error::ServiceError;
use crate::service::revisions;

#[derive(Debug, Default)]
pub struct RevisionQuery;

#[Object]
impl RevisionQuery {
    /// What changed from revision `from` to revision `to` of a pilot or technology, field by
    /// field, prose word by word. Null when the record or either revision does not exist or
    /// is not yours to read.
    #[graphql(complexity = "super::limits::DIFF_COST + child_complexity")]
    async fn revision_diff(
        &self,
        ctx: &Context<'_>,
        kind: RecordKind,
        id: ID,
        from: i32,
        to: i32,
    ) -> Result<Option<RevisionDiff>> {
        let Some(id) = query_id(&id) else {
            return Ok(None);
        };
        let db = ctx.data::<DatabaseConnection>()?;
        let actor = ctx.data::<Actor>()?;
        match revisions::diff(db, actor, kind.into(), id, from, to).await {
            Ok(diff) => Ok(Some(RevisionDiff(diff))),
            Err(ServiceError::NotFound(_)) => Ok(None),
            Err(other) => Err(to_graphql(other)),
        }
    }
}
