use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};

use super::{Organisation, Pilot, RecordRevision, loader, page_inside};
use crate::graphql::connection::Paged;
use crate::graphql::enums::{
    CareSetting, DeviceClass, DtacSection, DtacStatus, EsfTier, Specialty, Standard,
    TechnologyCategory, api_all,
};
use crate::graphql::loaders::{HistoryOfTechnology, OrganisationId, PilotsOfTechnology};
use crate::service::technologies;

/// A technology that pilots test.
#[derive(Debug)]
pub struct Technology(pub technologies::Technology);

/// A technology's standing against one section of the Digital Technology Assessment Criteria.
#[derive(Debug, SimpleObject)]
pub struct DtacAssessment {
    section: DtacSection,
    status: DtacStatus,
    assessed_on: Option<NaiveDate>,
    evidence_url: Option<String>,
}

#[Object]
impl Technology {
    async fn id(&self) -> ID {
        ID(self.0.record.id.to_string())
    }
    async fn slug(&self) -> &str {
        &self.0.record.slug
    }
    async fn name(&self) -> &str {
        &self.0.record.name
    }
    async fn summary(&self) -> &str {
        &self.0.record.summary
    }
    async fn description(&self) -> &str {
        &self.0.record.description
    }
    async fn category(&self) -> TechnologyCategory {
        self.0.record.category.into()
    }
    async fn specialties(&self) -> Vec<Specialty> {
        api_all(&self.0.specialties)
    }
    async fn care_settings(&self) -> Vec<CareSetting> {
        api_all(&self.0.care_settings)
    }
    /// Interoperability standards supported.
    async fn standards(&self) -> Vec<Standard> {
        api_all(&self.0.standards)
    }
    async fn device_class(&self) -> DeviceClass {
        self.0.record.device_class.into()
    }
    async fn ukca_marked(&self) -> bool {
        self.0.record.ukca_marked
    }
    async fn ce_marked(&self) -> bool {
        self.0.record.ce_marked
    }
    async fn mhra_registered(&self) -> bool {
        self.0.record.mhra_registered
    }
    /// NICE Evidence Standards Framework tier.
    async fn esf_tier(&self) -> Option<EsfTier> {
        self.0.record.esf_tier.map(Into::into)
    }
    async fn dtac(&self) -> Vec<DtacAssessment> {
        self.0
            .dtac
            .iter()
            .map(|d| DtacAssessment {
                section: d.section.into(),
                status: d.status.into(),
                assessed_on: d.assessed_on,
                evidence_url: d.evidence_url.clone(),
            })
            .collect()
    }
    async fn supplier(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        Ok(loader(ctx)?
            .load_one(OrganisationId(self.0.record.supplier_id))
            .await?
            .map(Organisation))
    }
    /// The pilots of this technology that you may see, oldest first.
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
            |page| PilotsOfTechnology(self.0.record.id, page),
            Pilot,
        )
        .await
    }
    /// When an administrator withdrew the technology (shown to its supplier and administrators).
    async fn withdrawn_at(&self) -> Option<DateTime<Utc>> {
        self.0.record.withdrawn_at
    }
    /// Set when an administrator withdrew the technology (shown to its supplier and administrators).
    async fn withdrawn_reason(&self) -> Option<&str> {
        self.0.record.withdrawn_reason.as_deref()
    }
    /// The technology's history: each change, newest first. Compare two with `revisionDiff`.
    #[graphql(complexity = "3 * child_complexity")]
    async fn revisions(&self, ctx: &Context<'_>) -> Result<Vec<RecordRevision>> {
        Ok(loader(ctx)?
            .load_one(HistoryOfTechnology(self.0.record.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(RecordRevision)
            .collect())
    }
    async fn version(&self) -> i32 {
        self.0.record.version
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.record.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.record.updated_at
    }
}
