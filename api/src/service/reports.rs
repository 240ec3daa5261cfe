//! Evaluation reports, kept as revisions. A draft revision may be rewritten; a published one is
//! never edited: an amendment is a new revision with a reason, and the history stays readable.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    TransactionSession, TransactionTrait, prelude::Uuid,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::check::Check;
use super::pilots::{find_readable, reindex_with_technology};
use super::{access, ensure_version, journal, update_versioned};
use crate::actor::Actor;
use crate::error::{ErrorCode, ServiceError, ServiceResult};
use crate::model::values::Link;
use crate::model::{Recommendation, RevisionStatus, report_revision};

/// A titled link to a document, as stored in a revision's `links`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocumentLink {
    pub title: String,
    pub url: String,
}

#[derive(Debug, Clone)]
pub struct ReportInput {
    pub summary: String,
    pub findings: String,
    pub recommendation: Recommendation,
    pub barriers: String,
    pub lessons: String,
    pub costs_and_savings: String,
    pub links: Vec<DocumentLink>,
    /// Why this revision amends a published one; required once a revision has been published.
    pub amendment_reason: Option<String>,
    /// Publish the revision now, rather than keep it as a draft.
    pub publish: bool,
    /// The version of the draft revision being rewritten, when there is one.
    pub draft_version: Option<i32>,
}

struct ValidReport {
    summary: String,
    findings: String,
    barriers: String,
    lessons: String,
    costs_and_savings: String,
    links: Vec<DocumentLink>,
    amendment_reason: Option<String>,
}

fn validate(input: &ReportInput, amends_published: bool) -> ServiceResult<ValidReport> {
    let mut check = Check::new();
    let summary = check.prose("summary", "a summary", &input.summary, 5_000);
    let findings = check.prose("findings", "the findings", &input.findings, 20_000);
    let barriers = check.optional_prose("barriers", "the barriers", Some(&input.barriers), 10_000);
    let lessons = check.optional_prose(
        "lessons",
        "the lessons learned",
        Some(&input.lessons),
        10_000,
    );
    let costs = check.optional_prose(
        "costsAndSavings",
        "the costs and savings",
        Some(&input.costs_and_savings),
        10_000,
    );
    let amendment_reason = check.optional_prose(
        "amendmentReason",
        "the reason for the amendment",
        input.amendment_reason.as_deref(),
        2_000,
    );
    if amends_published && amendment_reason.is_none() {
        check.fail(
            "amendmentReason",
            ErrorCode::Required,
            "Say why you are amending the published report",
        );
    }
    if input.links.len() > 50 {
        check.fail(
            "links",
            ErrorCode::TooLong,
            "A report can link to 50 documents at most",
        );
    }
    let mut links = Vec::with_capacity(input.links.len());
    for (i, link) in input.links.iter().enumerate() {
        let title = check.text(
            &format!("links[{i}].title"),
            "the document's title",
            &link.title,
            200,
        );
        if let Some(url) = check.take(Link::parse(&format!("links[{i}].url"), &link.url)) {
            links.push(DocumentLink {
                title,
                url: url.into_inner(),
            });
        }
    }
    check.finish()?;
    Ok(ValidReport {
        summary,
        findings,
        barriers: barriers.unwrap_or_default(),
        lessons: lessons.unwrap_or_default(),
        costs_and_savings: costs.unwrap_or_default(),
        links,
        amendment_reason,
    })
}

/// The pilot's report revisions, newest first, once the actor is known to be an evaluator at
/// its host.
async fn history_for_writer(
    db: &impl ConnectionTrait,
    actor: &Actor,
    pilot_id: Uuid,
) -> ServiceResult<(crate::model::pilot::Model, Vec<report_revision::Model>)> {
    access::ensure_can_write(actor)?;
    let pilot = find_readable(db, actor, pilot_id).await?;
    access::ensure_evaluator_at(actor, pilot.host_organisation_id)?;
    let history = report_revision::Entity::find()
        .filter(report_revision::Column::PilotId.eq(pilot_id))
        .order_by_desc(report_revision::Column::Revision)
        .all(db)
        .await?;
    Ok((pilot, history))
}

fn amends_published(history: &[report_revision::Model]) -> bool {
    history
        .iter()
        .any(|r| r.status == RevisionStatus::Published)
}

/// Checks a report revision as [`submit`] would, without writing it: for a "check your
/// answers" page.
pub async fn check(
    db: &impl ConnectionTrait,
    actor: &Actor,
    pilot_id: Uuid,
    input: &ReportInput,
) -> ServiceResult<()> {
    let (_, history) = history_for_writer(db, actor, pilot_id).await?;
    validate(input, amends_published(&history)).map(|_| ())
}

/// Writes the pilot's next report revision: rewrites the current draft if there is one, or
/// adds a new revision (an amendment, once one has been published).
#[tracing::instrument(skip_all)]
pub async fn submit(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    pilot_id: Uuid,
    input: ReportInput,
) -> ServiceResult<report_revision::Model> {
    access::ensure_can_write(actor)?;
    let txn = crate::db::begin_write(db).await?;
    let (pilot, history) = history_for_writer(&txn, actor, pilot_id).await?;
    let amends_published = amends_published(&history);
    let valid = validate(&input, amends_published)?;
    let now = Utc::now();
    let (status, published_at) = if input.publish {
        (RevisionStatus::Published, Some(now))
    } else {
        (RevisionStatus::Draft, None)
    };
    let links = serde_json::to_value(&valid.links).unwrap_or_default();
    let mut model = report_revision::ActiveModel {
        summary: Set(valid.summary),
        findings: Set(valid.findings),
        recommendation: Set(input.recommendation),
        barriers: Set(valid.barriers),
        lessons: Set(valid.lessons),
        costs_and_savings: Set(valid.costs_and_savings),
        links: Set(links),
        amendment_reason: Set(valid.amendment_reason),
        status: Set(status),
        published_at: Set(published_at),
        author_id: Set(actor.user_id()),
        updated_at: Set(now),
        ..Default::default()
    };
    let id = match history
        .first()
        .filter(|r| r.status == RevisionStatus::Draft)
    {
        Some(draft) => {
            let Some(given) = input.draft_version else {
                return Err(ServiceError::field(
                    "draftVersion",
                    ErrorCode::Required,
                    format!(
                        "Revision {} is a draft: give its version to rewrite it",
                        draft.revision
                    ),
                ));
            };
            ensure_version(draft.version, given, "draft report")?;
            model.id = Set(draft.id);
            update_versioned(&txn, model, given, "draft report", ServiceError::from).await?;
            draft.id
        }
        None => {
            let id = Uuid::now_v7();
            model.id = Set(id);
            model.pilot_id = Set(pilot_id);
            model.revision = Set(history.first().map_or(1, |r| r.revision + 1));
            model.version = Set(1);
            model.created_at = Set(now);
            report_revision::Entity::insert(model)
                .exec_without_returning(&txn)
                .await
                .map_err(|e| {
                    // Two writers adding the same revision number at once: the later one is stale.
                    match e.sql_err() {
                        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
                            ServiceError::stale("report")
                        }
                        _ => ServiceError::Database(e),
                    }
                })?;
            id
        }
    };
    journal::audit(
        &txn,
        actor,
        if input.publish {
            "report.publish"
        } else {
            "report.draft"
        },
        "report_revision",
        id,
        json!({ "pilot_id": pilot_id }),
    )
    .await?;
    reindex_with_technology(&txn, pilot_id, pilot.technology_id).await?;
    let saved = report_revision::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound("report"))?;
    txn.commit().await?;
    Ok(saved)
}

/// The report revisions of many pilots the actor may see: published ones, and drafts for the
/// host organisation's own members. Oldest first.
pub async fn of_pilots(
    db: &impl ConnectionTrait,
    actor: &Actor,
    pilot_ids: impl IntoIterator<Item = Uuid>,
) -> ServiceResult<Vec<report_revision::Model>> {
    let pilot_ids: Vec<Uuid> = pilot_ids.into_iter().collect();
    let readable = access::readable_among(actor, pilot_ids.clone());
    Ok(report_revision::Entity::find()
        .filter(report_revision::Column::PilotId.is_in(pilot_ids))
        .filter(report_revision::Column::PilotId.in_subquery(readable))
        .filter(access::readable_revisions(actor))
        .order_by_asc(report_revision::Column::PilotId)
        .order_by_asc(report_revision::Column::Revision)
        .all(db)
        .await?)
}

/// The links of a revision, as written.
pub fn links(revision: &report_revision::Model) -> Vec<DocumentLink> {
    serde_json::from_value(revision.links.clone()).unwrap_or_default()
}
