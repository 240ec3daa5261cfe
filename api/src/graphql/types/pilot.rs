use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, NaiveDate, Utc};

use super::{Measure, Organisation, RecordRevision, ReportRevision, Technology, loader};
use crate::graphql::enums::{
    CareSetting, EvaluationDesign, EvaluatorKind, EvidenceRating, PilotStatus, Specialty,
    Visibility,
};
use crate::graphql::loaders::{
    HistoryOfPilot, MeasuresOfPilot, OrganisationId, RevisionsOfPilot, SharesOfPilot, TechnologyId,
};
use crate::graphql::sharing::PilotShare;
use crate::model::pilot;

/// A technology tried at a host organisation.
#[derive(Debug)]
pub struct Pilot(pub pilot::Model);

#[Object]
impl Pilot {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The problem the pilot set out to address.
    async fn problem(&self) -> &str {
        &self.0.problem
    }
    async fn status(&self) -> PilotStatus {
        self.0.status.into()
    }
    async fn start_date(&self) -> Option<NaiveDate> {
        self.0.start_date
    }
    async fn end_date(&self) -> Option<NaiveDate> {
        self.0.end_date
    }
    async fn care_setting(&self) -> CareSetting {
        self.0.care_setting.into()
    }
    async fn specialty(&self) -> Specialty {
        self.0.specialty.into()
    }
    async fn population(&self) -> &str {
        &self.0.population
    }
    async fn patients(&self) -> Option<i32> {
        self.0.patients
    }
    async fn staff(&self) -> Option<i32> {
        self.0.staff
    }
    async fn funding_source(&self) -> Option<&str> {
        self.0.funding_source.as_deref()
    }
    /// Cost in whole pounds.
    async fn cost_gbp(&self) -> Option<i64> {
        self.0.cost_gbp
    }
    async fn design(&self) -> EvaluationDesign {
        self.0.design.into()
    }
    async fn evaluator_kind(&self) -> EvaluatorKind {
        self.0.evaluator_kind.into()
    }
    /// How far the pilot's evaluation can be relied on: strong, moderate or suggestive, from
    /// its design (and whether a primary measure has a concurrent control), its number of
    /// patients and its evaluator's independence, by the rule in `docs/evidence.md`.
    async fn evidence_rating(&self, ctx: &Context<'_>) -> Result<EvidenceRating> {
        let measures = loader(ctx)?
            .load_one(MeasuresOfPilot(self.0.id))
            .await?
            .unwrap_or_default();
        Ok(crate::evidence::rate_pilot(&self.0, &measures).into())
    }
    async fn evaluator_name(&self) -> Option<&str> {
        self.0.evaluator_name.as_deref()
    }
    /// Shown to NHS staff only.
    async fn contact_name(&self) -> Option<&str> {
        self.0.contact_name.as_deref()
    }
    /// Shown to NHS staff only.
    async fn contact_email(&self) -> Option<&str> {
        self.0.contact_email.as_deref()
    }
    async fn visibility(&self) -> Visibility {
        self.0.visibility.into()
    }
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.published_at
    }
    async fn withdrawn_at(&self) -> Option<DateTime<Utc>> {
        self.0.withdrawn_at
    }
    async fn withdrawn_reason(&self) -> Option<&str> {
        self.0.withdrawn_reason.as_deref()
    }
    async fn technology(&self, ctx: &Context<'_>) -> Result<Option<Technology>> {
        Ok(loader(ctx)?
            .load_one(TechnologyId(self.0.technology_id))
            .await?
            .map(Technology))
    }
    async fn host(&self, ctx: &Context<'_>) -> Result<Option<Organisation>> {
        Ok(loader(ctx)?
            .load_one(OrganisationId(self.0.host_organisation_id))
            .await?
            .map(Organisation))
    }
    /// Outcome measures, primary first.
    #[graphql(complexity = "3 * child_complexity")]
    async fn measures(&self, ctx: &Context<'_>) -> Result<Vec<Measure>> {
        Ok(loader(ctx)?
            .load_one(MeasuresOfPilot(self.0.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(Measure)
            .collect())
    }
    /// The evaluation report's revisions you may see, oldest first.
    #[graphql(complexity = "3 * child_complexity")]
    async fn report_revisions(&self, ctx: &Context<'_>) -> Result<Vec<ReportRevision>> {
        Ok(loader(ctx)?
            .load_one(RevisionsOfPilot(self.0.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(ReportRevision)
            .collect())
    }
    /// The pilot's history: each change you may see, newest first (while it was a draft, only
    /// its own organisation sees it). Compare two with `revisionDiff`.
    #[graphql(complexity = "3 * child_complexity")]
    async fn revisions(&self, ctx: &Context<'_>) -> Result<Vec<RecordRevision>> {
        Ok(loader(ctx)?
            .load_one(HistoryOfPilot(self.0.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(RecordRevision)
            .collect())
    }
    /// The organisations the pilot is shared with before publication: shown to its own
    /// organisation only (others see none).
    async fn shared_with(&self, ctx: &Context<'_>) -> Result<Vec<PilotShare>> {
        Ok(loader(ctx)?
            .load_one(SharesOfPilot(self.0.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect())
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}
