//! What an organisation's own pilots ask of its members ("My organisation"): drafts not yet
//! published, pilots past their end date with no reported result ([`is_overdue`]), and
//! published reports that may need amending. Withdrawn pilots ask nothing.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use super::read::redact;
use crate::actor::Actor;
use crate::error::ServiceResult;
use crate::model::{RevisionStatus, Role, Visibility, organisation, pilot, report_revision};
use crate::service::access;

/// [`is_overdue`] in words, for the pages that list overdue pilots.
pub const OVERDUE_RULE: &str = "Pilots whose end date has passed and that have no published \
    evaluation report. Measures alone do not count: the report says what the results mean.";

/// Whether a pilot is past its end date with no reported result: it has ended (its end date is
/// before `today`), it is not withdrawn, and no revision of its report is published.
pub fn is_overdue(pilot: &pilot::Model, has_published_report: bool, today: NaiveDate) -> bool {
    pilot.withdrawn_at.is_none()
        && pilot.end_date.is_some_and(|end| end < today)
        && !has_published_report
}

/// One organisation's pilots that ask something of its members, each list by title.
#[derive(Debug, Clone)]
pub struct Attention {
    pub organisation: organisation::Model,
    /// Whether the actor is an evaluator there, who may change these pilots and reports.
    pub evaluator: bool,
    /// Pilots in draft: only the organisation (and those it shares them with) read them.
    pub drafts: Vec<pilot::Model>,
    /// Pilots past their end date with no reported result ([`is_overdue`]); drafts included.
    pub overdue: Vec<pilot::Model>,
    /// Pilots with a published report, with its latest published revision: each may need an
    /// amendment as results come in.
    pub published_reports: Vec<(pilot::Model, report_revision::Model)>,
}

/// For each organisation the actor belongs to, by name, what its pilots ask of it: three
/// statements whatever the number of organisations and pilots.
#[tracing::instrument(skip_all)]
pub async fn needing_attention(
    db: &impl ConnectionTrait,
    actor: &Actor,
    today: NaiveDate,
) -> ServiceResult<Vec<Attention>> {
    let own = actor.organisation_ids();
    if own.is_empty() {
        return Ok(Vec::new());
    }
    let organisations = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(own.clone()))
        .order_by_asc(organisation::Column::Name)
        .order_by_asc(organisation::Column::Id)
        .all(db)
        .await?;
    let pilots: Vec<pilot::Model> = pilot::Entity::find()
        .filter(pilot::Column::HostOrganisationId.is_in(own))
        .filter(pilot::Column::WithdrawnAt.is_null())
        .filter(access::readable_pilots(actor))
        .order_by_asc(pilot::Column::Title)
        .order_by_asc(pilot::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|p| redact(actor, p))
        .collect();
    let mut latest_published: HashMap<_, report_revision::Model> = HashMap::new();
    if !pilots.is_empty() {
        let revisions = report_revision::Entity::find()
            .filter(report_revision::Column::PilotId.is_in(pilots.iter().map(|p| p.id)))
            .filter(report_revision::Column::Status.eq(RevisionStatus::Published))
            .order_by_asc(report_revision::Column::Revision)
            .all(db)
            .await?;
        for revision in revisions {
            latest_published.insert(revision.pilot_id, revision);
        }
    }
    let mut by_organisation: BTreeMap<_, Vec<pilot::Model>> = BTreeMap::new();
    for p in pilots {
        by_organisation
            .entry(p.host_organisation_id)
            .or_default()
            .push(p);
    }
    Ok(organisations
        .into_iter()
        .map(|organisation| {
            let pilots = by_organisation.remove(&organisation.id).unwrap_or_default();
            let drafts = pilots
                .iter()
                .filter(|p| p.visibility == Visibility::Draft)
                .cloned()
                .collect();
            let overdue = pilots
                .iter()
                .filter(|p| is_overdue(p, latest_published.contains_key(&p.id), today))
                .cloned()
                .collect();
            let published_reports = pilots
                .iter()
                .filter_map(|p| Some((p.clone(), latest_published.get(&p.id)?.clone())))
                .collect();
            Attention {
                evaluator: actor.has_role(organisation.id, Role::Evaluator),
                organisation,
                drafts,
                overdue,
                published_reports,
            }
        })
        .collect())
}
