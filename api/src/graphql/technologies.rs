//! Technologies: read by anyone; registered and changed by innovators at the supplier.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::NaiveDate;
use sea_orm::DatabaseConnection;

use super::connection::{self, Paged};
use super::enums::{
    CareSetting, DeviceClass, DtacSection, DtacStatus, EsfTier, Sort, Specialty, Standard,
    TechnologyCategory, domain_all,
};
use super::errors::{UserError, filter_id, parse_id, payload, query_id, to_graphql};
use super::types::Technology;
use crate::actor::Actor;
use crate::error::ServiceError;
use crate::service::technologies::{self, DtacInput, TechnologyFilter, TechnologyInput};

#[derive(Debug, InputObject, Default)]
pub struct TechnologyFilterInput {
    category: Option<TechnologyCategory>,
    specialty: Option<Specialty>,
    care_setting: Option<CareSetting>,
    standard: Option<Standard>,
    esf_tier: Option<EsfTier>,
    supplier_id: Option<ID>,
}

#[derive(Debug, InputObject)]
pub struct DtacAssessmentInput {
    section: DtacSection,
    status: DtacStatus,
    assessed_on: Option<NaiveDate>,
    evidence_url: Option<String>,
}

/// Everything about a technology; an update replaces all of it.
#[derive(Debug, InputObject)]
pub struct RegisterTechnologyInput {
    slug: String,
    name: String,
    supplier_id: ID,
    summary: String,
    description: String,
    category: TechnologyCategory,
    specialties: Vec<Specialty>,
    care_settings: Vec<CareSetting>,
    #[graphql(default)]
    standards: Vec<Standard>,
    device_class: DeviceClass,
    #[graphql(default)]
    ukca_marked: bool,
    #[graphql(default)]
    ce_marked: bool,
    #[graphql(default)]
    mhra_registered: bool,
    esf_tier: Option<EsfTier>,
    #[graphql(default)]
    dtac: Vec<DtacAssessmentInput>,
}

impl RegisterTechnologyInput {
    fn into_service(self) -> Result<TechnologyInput, ServiceError> {
        Ok(TechnologyInput {
            slug: self.slug,
            name: self.name,
            supplier_id: parse_id("supplierId", &self.supplier_id)?,
            summary: self.summary,
            description: self.description,
            category: self.category.into(),
            specialties: domain_all(self.specialties),
            care_settings: domain_all(self.care_settings),
            standards: domain_all(self.standards),
            device_class: self.device_class.into(),
            ukca_marked: self.ukca_marked,
            ce_marked: self.ce_marked,
            mhra_registered: self.mhra_registered,
            esf_tier: self.esf_tier.map(Into::into),
            dtac: self
                .dtac
                .into_iter()
                .map(|d| DtacInput {
                    section: d.section.into(),
                    status: d.status.into(),
                    assessed_on: d.assessed_on,
                    evidence_url: d.evidence_url,
                })
                .collect(),
        })
    }
}

#[derive(Debug, SimpleObject)]
pub struct TechnologyPayload {
    technology: Option<Technology>,
    user_errors: Vec<UserError>,
}

impl TechnologyPayload {
    fn from(result: Result<technologies::Technology, ServiceError>) -> Result<Self> {
        let (technology, user_errors) = payload(result)?;
        Ok(Self {
            technology: technology.map(Technology),
            user_errors,
        })
    }
}

#[derive(Debug, Default)]
pub struct TechnologyQuery;

#[Object]
impl TechnologyQuery {
    /// One technology, by id or by slug.
    async fn technology(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
        slug: Option<String>,
    ) -> Result<Option<Technology>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let actor = ctx.data::<Actor>()?;
        let found = match (id, slug) {
            (Some(id), _) => match query_id(&id) {
                Some(id) => technologies::get(db, actor, id).await,
                None => return Ok(None),
            },
            (None, Some(slug)) => technologies::get_by_slug(db, actor, &slug).await,
            (None, None) => return Err("give an id or a slug".into()),
        };
        match found {
            Ok(t) => Ok(Some(Technology(t))),
            Err(ServiceError::NotFound(_)) => Ok(None),
            Err(other) => Err(to_graphql(other)),
        }
    }

    #[graphql(complexity = "super::limits::page_cost(first, child_complexity)")]
    async fn technologies(
        &self,
        ctx: &Context<'_>,
        filter: Option<TechnologyFilterInput>,
        #[graphql(default)] sort: Sort,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Paged<Technology>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let actor = ctx.data::<Actor>()?;
        let filter = filter.unwrap_or_default();
        let filter = TechnologyFilter {
            category: filter.category.map(Into::into),
            specialty: filter.specialty.map(Into::into),
            care_setting: filter.care_setting.map(Into::into),
            standard: filter.standard.map(Into::into),
            esf_tier: filter.esf_tier.map(Into::into),
            supplier_id: filter_id("filter.supplierId", filter.supplier_id.as_ref())
                .map_err(to_graphql)?,
        };
        let request = connection::request(ctx, first, after).map_err(to_graphql)?;
        let page = technologies::list(db, actor, &filter, sort.into(), request)
            .await
            .map_err(to_graphql)?;
        Ok(connection::connection(request, page, Technology))
    }
}

#[derive(Debug, Default)]
pub struct TechnologyMutation;

#[Object]
impl TechnologyMutation {
    /// Registers a technology for a supplier where you are an innovator.
    async fn register_technology(
        &self,
        ctx: &Context<'_>,
        input: RegisterTechnologyInput,
    ) -> Result<TechnologyPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let actor = ctx.data::<Actor>()?;
        let result = match input.into_service() {
            Ok(input) => technologies::register(db, actor, input).await,
            Err(e) => Err(e),
        };
        TechnologyPayload::from(result)
    }

    /// Replaces a technology's details. `version` is the one you read; a stale one is refused.
    /// `reason` says why, for the technology's history.
    async fn update_technology(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        input: RegisterTechnologyInput,
        reason: Option<String>,
    ) -> Result<TechnologyPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let actor = ctx.data::<Actor>()?;
        let result = match (parse_id("id", &id), input.into_service()) {
            (Ok(id), Ok(input)) => {
                technologies::update(db, actor, id, version, input, reason.as_deref()).await
            }
            (Err(e), _) | (_, Err(e)) => Err(e),
        };
        TechnologyPayload::from(result)
    }

    /// Moderation (administrators): takes a technology out of every list and search, leaving
    /// a tombstone page with the reason. `version` is the one you read; a stale one is refused.
    async fn withdraw_technology(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        reason: String,
    ) -> Result<TechnologyPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let actor = ctx.data::<Actor>()?;
        let result = match parse_id("id", &id) {
            Ok(id) => technologies::withdraw(db, actor, id, version, &reason).await,
            Err(e) => Err(e),
        };
        TechnologyPayload::from(result)
    }
}
