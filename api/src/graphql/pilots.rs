//! Pilots: read as the visibility rules allow; registered, changed and published by evaluators
//! at the host; withdrawn by administrators.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::NaiveDate;
use sea_orm::DatabaseConnection;

use super::connection::{self, Paged};
use super::enums::{
    CareSetting, EsfTier, EvaluationDesign, EvaluatorKind, PilotStatus, Region, Sort, Specialty,
    Standard, TechnologyCategory, Visibility,
};
use super::errors::{UserError, filter_id, parse_id, payload, query_id, to_graphql};
use super::types::Pilot;
use crate::actor::Actor;
use crate::error::ServiceError;
use crate::model::pilot;
use crate::service::pilots::{self, PilotFilter, PilotInput};
use crate::service::reads::Door;

#[derive(Debug, InputObject, Default)]
pub struct PilotFilterInput {
    technology_id: Option<ID>,
    host_organisation_id: Option<ID>,
    status: Option<PilotStatus>,
    care_setting: Option<CareSetting>,
    specialty: Option<Specialty>,
    design: Option<EvaluationDesign>,
    /// The host organisation's NHS England region.
    region: Option<Region>,
    visibility: Option<Visibility>,
    started_on_or_after: Option<NaiveDate>,
    started_on_or_before: Option<NaiveDate>,
    /// The tested technology's category.
    category: Option<TechnologyCategory>,
    /// The tested technology's NICE evidence tier.
    esf_tier: Option<EsfTier>,
    /// A standard the tested technology supports.
    standard: Option<Standard>,
    /// Hosted in primary care (GP practices and primary care networks): true; elsewhere: false.
    primary_care: Option<bool>,
}

impl PilotFilterInput {
    pub(super) fn into_filter(self) -> Result<PilotFilter, ServiceError> {
        Ok(PilotFilter {
            technology_id: filter_id("filter.technologyId", self.technology_id.as_ref())?,
            host_organisation_id: filter_id(
                "filter.hostOrganisationId",
                self.host_organisation_id.as_ref(),
            )?,
            status: self.status.map(Into::into),
            care_setting: self.care_setting.map(Into::into),
            specialty: self.specialty.map(Into::into),
            design: self.design.map(Into::into),
            region: self.region.map(Into::into),
            visibility: self.visibility.map(Into::into),
            started_on_or_after: self.started_on_or_after,
            started_on_or_before: self.started_on_or_before,
            category: self.category.map(Into::into),
            esf_tier: self.esf_tier.map(Into::into),
            standard: self.standard.map(Into::into),
            primary_care: self.primary_care,
        })
    }
}

/// Everything about a pilot; an update replaces all of it. Visibility changes through
/// `publishPilot`.
#[derive(Debug, InputObject)]
pub struct RegisterPilotInput {
    technology_id: ID,
    host_organisation_id: ID,
    title: String,
    problem: String,
    status: PilotStatus,
    start_date: Option<NaiveDate>,
    end_date: Option<NaiveDate>,
    care_setting: CareSetting,
    specialty: Specialty,
    population: String,
    patients: Option<i32>,
    staff: Option<i32>,
    funding_source: Option<String>,
    cost_gbp: Option<i64>,
    design: EvaluationDesign,
    evaluator_kind: EvaluatorKind,
    evaluator_name: Option<String>,
    contact_name: Option<String>,
    contact_email: Option<String>,
}

impl RegisterPilotInput {
    fn into_service(self) -> Result<PilotInput, ServiceError> {
        Ok(PilotInput {
            technology_id: parse_id("technologyId", &self.technology_id)?,
            host_organisation_id: parse_id("hostOrganisationId", &self.host_organisation_id)?,
            title: self.title,
            problem: self.problem,
            status: self.status.into(),
            start_date: self.start_date,
            end_date: self.end_date,
            care_setting: self.care_setting.into(),
            specialty: self.specialty.into(),
            population: self.population,
            patients: self.patients,
            staff: self.staff,
            funding_source: self.funding_source,
            cost_gbp: self.cost_gbp,
            design: self.design.into(),
            evaluator_kind: self.evaluator_kind.into(),
            evaluator_name: self.evaluator_name,
            contact_name: self.contact_name,
            contact_email: self.contact_email,
        })
    }
}

#[derive(Debug, SimpleObject)]
pub struct PilotPayload {
    pilot: Option<Pilot>,
    user_errors: Vec<UserError>,
}

impl PilotPayload {
    pub(super) fn from(result: Result<pilot::Model, ServiceError>) -> Result<Self> {
        let (pilot, user_errors) = payload(result)?;
        Ok(Self {
            pilot: pilot.map(Pilot),
            user_errors,
        })
    }
}

#[derive(Debug, Default)]
pub struct PilotQuery;

#[Object]
impl PilotQuery {
    /// A pilot, if it exists and you may read it. Opening a pilot that is not public from
    /// outside its host organisation is audited (`auditLog`, action `pilot.read`).
    async fn pilot(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Pilot>> {
        let Some(id) = query_id(&id) else {
            return Ok(None);
        };
        let db = ctx.data::<DatabaseConnection>()?;
        match pilots::open(db, ctx.data::<Actor>()?, id, Door::Graphql).await {
            Ok(p) => Ok(Some(Pilot(p))),
            Err(ServiceError::NotFound(_)) => Ok(None),
            Err(other) => Err(to_graphql(other)),
        }
    }

    #[graphql(complexity = "super::limits::page_cost(first, child_complexity)")]
    async fn pilots(
        &self,
        ctx: &Context<'_>,
        filter: Option<PilotFilterInput>,
        #[graphql(default)] sort: Sort,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Paged<Pilot>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let actor = ctx.data::<Actor>()?;
        let filter = filter
            .unwrap_or_default()
            .into_filter()
            .map_err(to_graphql)?;
        let request = connection::request(ctx, first, after).map_err(to_graphql)?;
        let page = pilots::list(db, actor, &filter, sort.into(), request)
            .await
            .map_err(to_graphql)?;
        Ok(connection::connection(request, page, Pilot))
    }
}

#[derive(Debug, Default)]
pub struct PilotMutation;

#[Object]
impl PilotMutation {
    /// Registers a pilot, as a draft, at an organisation where you are an evaluator.
    async fn register_pilot(
        &self,
        ctx: &Context<'_>,
        input: RegisterPilotInput,
    ) -> Result<PilotPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let actor = ctx.data::<Actor>()?;
        let result = match input.into_service() {
            Ok(input) => pilots::register(db, actor, input).await,
            Err(e) => Err(e),
        };
        PilotPayload::from(result)
    }

    /// Replaces a pilot's details. `version` is the one you read; a stale one is refused.
    /// `reason` says why, for the pilot's history.
    async fn update_pilot(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        input: RegisterPilotInput,
        reason: Option<String>,
    ) -> Result<PilotPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let actor = ctx.data::<Actor>()?;
        let result = match (parse_id("id", &id), input.into_service()) {
            (Ok(id), Ok(input)) => {
                pilots::update(db, actor, id, version, input, reason.as_deref()).await
            }
            (Err(e), _) | (_, Err(e)) => Err(e),
        };
        PilotPayload::from(result)
    }

    /// Opens a pilot to NHS staff (`NHS`) or to everyone (`PUBLIC`).
    async fn publish_pilot(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        visibility: Visibility,
    ) -> Result<PilotPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let actor = ctx.data::<Actor>()?;
        let result = match parse_id("id", &id) {
            Ok(id) => pilots::publish(db, actor, id, version, visibility.into()).await,
            Err(e) => Err(e),
        };
        PilotPayload::from(result)
    }

    /// Moderation (administrators): takes a pilot out of every list, with the reason.
    async fn withdraw_pilot(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        reason: String,
    ) -> Result<PilotPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let actor = ctx.data::<Actor>()?;
        let result = match parse_id("id", &id) {
            Ok(id) => pilots::withdraw(db, actor, id, version, &reason).await,
            Err(e) => Err(e),
        };
        PilotPayload::from(result)
    }
}
