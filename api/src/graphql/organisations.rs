//! Organisations: public to read; administrators add and change them.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use sea_orm::DatabaseConnection;

use super::connection::{self, Paged};
use super::enums::{OrganisationKind, Region};
use super::errors::{UserError, filter_id, parse_id, payload, query_id, to_graphql};
use super::types::Organisation;
use crate::actor::Actor;
use crate::error::ServiceError;
use crate::model::organisation;
use crate::service::organisations::{self, OrganisationFilter, OrganisationInput as Input};

/// Everything about an organisation; an update replaces all of it.
#[derive(Debug, InputObject)]
pub struct OrganisationInput {
    name: String,
    kind: OrganisationKind,
    /// The Organisation Data Service code: 3 to 10 letters and digits, unique in the registry.
    ods_code: Option<String>,
    region: Option<Region>,
    /// The integrated care board it sits under.
    parent_icb_id: Option<ID>,
}

impl OrganisationInput {
    fn into_service(self) -> Result<Input, ServiceError> {
        Ok(Input {
            name: self.name,
            kind: self.kind.into(),
            ods_code: self.ods_code,
            region: self.region.map(Into::into),
            parent_icb_id: filter_id("parentIcbId", self.parent_icb_id.as_ref())?,
        })
    }
}

#[derive(Debug, SimpleObject)]
pub struct OrganisationPayload {
    organisation: Option<Organisation>,
    user_errors: Vec<UserError>,
}

impl OrganisationPayload {
    fn from(result: Result<organisation::Model, ServiceError>) -> Result<Self> {
        let (organisation, user_errors) = payload(result)?;
        Ok(Self {
            organisation: organisation.map(Organisation),
            user_errors,
        })
    }
}

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
        let request = connection::request(ctx, first, after).map_err(to_graphql)?;
        let page = organisations::list(db, &filter, request)
            .await
            .map_err(to_graphql)?;
        Ok(connection::connection(request, page, Organisation))
    }
}

#[derive(Debug, Default)]
pub struct OrganisationMutation;

#[Object]
impl OrganisationMutation {
    /// Registers an organisation (administrators only).
    async fn create_organisation(
        &self,
        ctx: &Context<'_>,
        input: OrganisationInput,
    ) -> Result<OrganisationPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let actor = ctx.data::<Actor>()?;
        let result = match input.into_service() {
            Ok(input) => organisations::create(db, actor, input).await,
            Err(e) => Err(e),
        };
        OrganisationPayload::from(result)
    }

    /// Replaces an organisation's details (administrators only). `version` is the one you
    /// read; a stale one is refused.
    async fn update_organisation(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        input: OrganisationInput,
    ) -> Result<OrganisationPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let actor = ctx.data::<Actor>()?;
        let result = match (parse_id("id", &id), input.into_service()) {
            (Ok(id), Ok(input)) => organisations::update(db, actor, id, version, input).await,
            (Err(e), _) | (_, Err(e)) => Err(e),
        };
        OrganisationPayload::from(result)
    }
}
