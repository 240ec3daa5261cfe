//! Organisations: public to read.

use async_graphql::{Context, ID, InputObject, Object, Result};
use sea_orm::DatabaseConnection;

use super::connection::{self, Paged};
use super::enums::{OrganisationKind, Region};
use super::errors::{filter_id, query_id, to_graphql};
use super::types::Organisation;
use crate::service::organisations::{self, OrganisationFilter};

#[derive(Debug, InputObject, Default)]
pub struct OrganisationFilterInput {
    kind: Option<OrganisationKind>,
    region: Option<Region>,
    parent_icb_id: Option<ID>,
}

#[derive(Debug, Default)]
pub struct OrganisationQuery;

#[Object]
impl OrganisationQuery {
    /// One organisation, by id or by ODS code.
    async fn organisation(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        ods_code: Option<String>,
    ) -> Result<Option<Organisation>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let found = match (id, ods_code) {
            (Some(id), _) => match query_id(&id) {
                Some(id) => organisations::get_many(db, [id])
                    .await
                    .map_err(to_graphql)?
                    .pop(),
                None => None,
            },
            (None, Some(code)) => organisations::find_by_ods_code(db, &code)
                .await
                .map_err(to_graphql)?,
            (None, None) => return Err("give an id or an odsCode".into()),
        };
        Ok(found.map(Organisation))
    }

    #[graphql(complexity = "super::limits::page_cost(first, child_complexity)")]
    async fn organisations(
        &self,
        ctx: &Context<'_>,
        filter: Option<OrganisationFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Paged<Organisation>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let filter = filter.unwrap_or_default();
        let filter = OrganisationFilter {
            kind: filter.kind.map(Into::into),
            region: filter.region.map(Into::into),
            parent_icb_id: filter_id("filter.parentIcbId", filter.parent_icb_id.as_ref())
                .map_err(to_graphql)?,
        };
        let request = connection::request(first, after).map_err(to_graphql)?;
        let page = organisations::list(db, &filter, request)
            .await
            .map_err(to_graphql)?;
        Ok(connection::connection(request, page, Organisation))
    }
}
