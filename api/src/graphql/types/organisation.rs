use async_graphql::{Context, ID, Object, Result};

use super::loader;
use crate::graphql::enums::{OrganisationKind, Region};
use crate::graphql::loaders::OrganisationId;
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
    async fn version(&self) -> i32 {
        self.0.version
    }
}
