//! Evaluation reports, written as revisions.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use sea_orm::DatabaseConnection;

use super::enums::Recommendation;
use super::errors::{UserError, parse_id, payload};
use super::types::ReportRevision;
use crate::actor::Actor;
use crate::service::reports::{self, DocumentLink, ReportInput};

#[derive(Debug, InputObject)]
pub struct DocumentLinkInput {
    title: String,
    url: String,
}

#[derive(Debug, InputObject)]
pub struct SubmitEvaluationReportInput {
    pilot_id: ID,
    summary: String,
    findings: String,
    recommendation: Recommendation,
    #[graphql(default)]
    barriers: String,
    #[graphql(default)]
    lessons: String,
    #[graphql(default)]
    costs_and_savings: String,
    #[graphql(default)]
    links: Vec<DocumentLinkInput>,
    /// Required once a revision has been published: why this one amends it.
    amendment_reason: Option<String>,
    /// Publish now (readable as the pilot is), or keep as a draft for your organisation.
    #[graphql(default = true)]
    publish: bool,
    /// The version of the current draft revision, when rewriting it.
    draft_version: Option<i32>,
}

#[derive(Debug, SimpleObject)]
pub struct ReportPayload {
    revision: Option<ReportRevision>,
    user_errors: Vec<UserError>,
}

#[derive(Debug, Default)]
pub struct ReportMutation;

#[Object]
impl ReportMutation {
    /// Writes the pilot's next report revision. Published revisions are never edited: once one
    /// is published, each submission is an amendment with a reason.
    async fn submit_evaluation_report(
        &self,
        ctx: &Context<'_>,
        input: SubmitEvaluationReportInput,
    ) -> Result<ReportPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let actor = ctx.data::<Actor>()?;
        let result = match parse_id("pilotId", &input.pilot_id) {
            Ok(pilot_id) => {
                let report = ReportInput {
                    summary: input.summary,
                    findings: input.findings,
                    recommendation: input.recommendation.into(),
                    barriers: input.barriers,
                    lessons: input.lessons,
                    costs_and_savings: input.costs_and_savings,
                    links: input
                        .links
                        .into_iter()
                        .map(|l| DocumentLink {
                            title: l.title,
                            url: l.url,
                        })
                        .collect(),
                    amendment_reason: input.amendment_reason,
                    publish: input.publish,
                    draft_version: input.draft_version,
                };
                reports::submit(db, actor, pilot_id, report).await
            }
            Err(e) => Err(e),
        };
        let (revision, user_errors) = payload(result)?;
        Ok(ReportPayload {
            revision: revision.map(ReportRevision),
            user_errors,
        })
    }
}
