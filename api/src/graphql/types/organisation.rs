use async_graphql::{Context, ID, Object, Result};

use super::{Pilot, Technology, loader, page_inside};
use crate::graphql::connection::Paged;
use crate::graphql::enums::{OrganisationKind, Region};
use crate::graphql::loaders::{OrganisationId, PilotsHostedBy, TechnologiesSuppliedBy};
use crate::model::organisation;

/// An NHS trust, ICB, GP practice, PCN, supplier or other body.
#[derive(Debug)]
pub struct Organisation(pub organisation::Model);

#[Object]
impl Organisation {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn kind(&self) -> OrganisationKind {
        self.0.kind.into()
    }
    /// The Organisation Data Service code.
    async fn ods_code(&self) -> Option<&str> {
        self.0.ods_code.as_deref()
    }
    /// NHS England region.
    async fn region(&self) -> Option<Region> {
        self.0.region.map(Into::into)
    }
    /// The integrated care board this organisation sits under.
    async fn parent_icb(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        let Some(id) = self.0.parent_icb_id else {
            return Ok(None);
        };
        Ok(loader(ctx)?
            .load_one(OrganisationId(id))
            .await?
            .map(Organisation))
    }
    /// Primary care (GP practices and PCNs) rather than secondary or other care.
    async fn is_primary_care(&self) -> bool {
        self.0.kind.is_primary_care()
    }
    /// The pilots this organisation hosts that you may see, oldest first.
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, child_complexity)")]
    async fn pilots(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Paged<Pilot>> {
        page_inside(
            ctx,
            first,
            after,
            |page| PilotsHostedBy(self.0.id, page),
            Pilot,
        )
        .await
    }
    /// The technologies this organisation supplies that you may see, by name.
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, child_complexity)")]
    async fn technologies(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Paged<Technology>> {
        page_inside(
            ctx,
            first,
            after,
            |page| TechnologiesSuppliedBy(self.0.id, page),
            Technology,
        )
        .await
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}
