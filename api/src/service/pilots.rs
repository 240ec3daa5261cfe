//! Pilots: a technology tried at a host organisation. Evaluators at the host register, edit and
//! publish them; administrators withdraw them. Reads obey the visibility rules in `access`.

use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    TransactionSession, TransactionTrait, prelude::Uuid, sea_query::Query,
};
use serde_json::json;

use super::check::Check;
use super::{
    Page, PageRequest, Sort, access, ensure_version, journal, page_sorted, update_versioned,
};
use crate::actor::Actor;
use crate::error::{ErrorCode, ServiceError, ServiceResult, on_unique};
use crate::model::values::Email;
use crate::model::{
    CareSetting, EsfTier, EvaluationDesign, EvaluatorKind, IndexedKind, PilotStatus, Region,
    Specialty, Standard, TechnologyCategory, Visibility, organisation, pilot, technology,
    technology_standard,
};

#[derive(Debug, Clone)]
pub struct PilotInput {
    pub technology_id: Uuid,
    pub host_organisation_id: Uuid,
    pub title: String,
    pub problem: String,
    pub status: PilotStatus,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub care_setting: CareSetting,
    pub specialty: Specialty,
    pub population: String,
    pub patients: Option<i32>,
    pub staff: Option<i32>,
    pub funding_source: Option<String>,
    pub cost_gbp: Option<i64>,
    pub design: EvaluationDesign,
    pub evaluator_kind: EvaluatorKind,
    pub evaluator_name: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
}

/// Which pilots a list, count or comparison covers (always within what the actor may read).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct PilotFilter {
    pub technology_id: Option<Uuid>,
    pub host_organisation_id: Option<Uuid>,
    pub status: Option<PilotStatus>,
    pub care_setting: Option<CareSetting>,
    pub specialty: Option<Specialty>,
    pub design: Option<EvaluationDesign>,
    pub region: Option<Region>,
    pub visibility: Option<Visibility>,
    pub started_on_or_after: Option<NaiveDate>,
    pub started_on_or_before: Option<NaiveDate>,
    /// The tested technology's category, evidence tier and a standard it supports.
    pub category: Option<TechnologyCategory>,
    pub esf_tier: Option<EsfTier>,
    pub standard: Option<Standard>,
}

struct ValidPilot {
    title: String,
    problem: String,
    population: String,
    funding_source: Option<String>,
    evaluator_name: Option<String>,
    contact_name: Option<String>,
    contact_email: Option<String>,
}

async fn validate(
    db: &impl ConnectionTrait,
    actor: &Actor,
    input: &PilotInput,
) -> ServiceResult<ValidPilot> {
    let mut check = Check::new();
    let title = check.text("title", "a title", &input.title, 200);
    let problem = check.prose(
        "problem",
        "the problem the pilot addresses",
        &input.problem,
        10_000,
    );
    let population = check.prose(
        "population",
        "the population the pilot served",
        &input.population,
        2_000,
    );
    let funding_source = check.optional_text(
        "fundingSource",
        "the funding source",
        input.funding_source.as_deref(),
        200,
    );
    let evaluator_name = check.optional_text(
        "evaluatorName",
        "the evaluator's name",
        input.evaluator_name.as_deref(),
        200,
    );
    let contact_name = check.optional_text(
        "contactName",
        "the contact's name",
        input.contact_name.as_deref(),
        200,
    );
    let contact_email = input
        .contact_email
        .as_deref()
        .filter(|e| !e.trim().is_empty())
        .and_then(|e| check.take(Email::parse("contactEmail", e)))
        .map(Email::into_inner);

    check.dates_in_order("endDate", input.start_date, input.end_date, "The pilot's");
    let ended = matches!(
        input.status,
        PilotStatus::Completed | PilotStatus::Stopped | PilotStatus::ScaledUp
    );
    if input.status != PilotStatus::Planned && input.start_date.is_none() {
        check.fail(
            "startDate",
            ErrorCode::Required,
            "Enter the date the pilot started",
        );
    }
    if ended && input.end_date.is_none() {
        check.fail(
            "endDate",
            ErrorCode::Required,
            format!(
                "Enter the date the pilot ended (its status is {})",
                input.status.label().to_lowercase()
            ),
        );
    }
    if !ended && input.end_date.is_some() {
        check.fail(
            "endDate",
            ErrorCode::NotAllowed,
            format!(
                "A {} pilot has no end date yet",
                input.status.label().to_lowercase()
            ),
        );
    }
    let today = Utc::now().date_naive();
    if ended && input.end_date.is_some_and(|end| end > today) {
        check.fail(
            "endDate",
            ErrorCode::OutOfRange,
            "A pilot that has ended cannot end in the future",
        );
    }
    check.count_at_least(
        "patients",
        "The number of patients",
        input.patients.map(i64::from),
        0,
    );
    check.count_at_least(
        "staff",
        "The number of staff",
        input.staff.map(i64::from),
        0,
    );
    check.count_at_least("costGbp", "The cost", input.cost_gbp, 0);
    if input.evaluator_kind == EvaluatorKind::Independent && evaluator_name.is_none() {
        check.fail(
            "evaluatorName",
            ErrorCode::Required,
            "Enter who evaluated the pilot independently",
        );
    }

    match technology::Entity::find_by_id(input.technology_id)
        .one(db)
        .await?
    {
        Some(t) if access::can_read_technology(actor, &t) => {
            if t.withdrawn_at.is_some() {
                check.fail(
                    "technologyId",
                    ErrorCode::NotAllowed,
                    format!("{} has been withdrawn", t.name),
                );
            }
        }
        _ => check.fail(
            "technologyId",
            ErrorCode::NotFound,
            "There is no technology with that id",
        ),
    }
    match organisation::Entity::find_by_id(input.host_organisation_id)
        .one(db)
        .await?
    {
        None => check.fail(
            "hostOrganisationId",
            ErrorCode::NotFound,
            "There is no organisation with that id",
        ),
        Some(o) if !o.kind.can_host_pilots() => check.fail(
            "hostOrganisationId",
            ErrorCode::Invalid,
            format!(
                "{} is a {} and cannot host pilots",
                o.name,
                o.kind.label().to_lowercase()
            ),
        ),
        Some(_) => {}
    }
    check.finish()?;
    Ok(ValidPilot {
        title,
        problem,
        population,
        funding_source,
        evaluator_name,
        contact_name,
        contact_email,
    })
}

const TITLE_TAKEN: &str = "This organisation already has a pilot with this title";

/// A taken title is a field error, whichever writer got there first.
fn title_taken(err: sea_orm::DbErr) -> ServiceError {
    on_unique(err, "title", TITLE_TAKEN)
}

/// Registers a pilot as a draft of its host organisation.
#[tracing::instrument(skip_all)]
pub async fn register(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    input: PilotInput,
) -> ServiceResult<pilot::Model> {
    access::ensure_evaluator_at(actor, input.host_organisation_id)?;
    let txn = crate::db::begin_write(db).await?;
    let valid = validate(&txn, actor, &input).await?;
    let now = Utc::now();
    let id = Uuid::now_v7();
    pilot::Entity::insert(pilot::ActiveModel {
        id: Set(id),
        technology_id: Set(input.technology_id),
        host_organisation_id: Set(input.host_organisation_id),
        title: Set(valid.title),
        problem: Set(valid.problem),
        status: Set(input.status),
        start_date: Set(input.start_date),
        end_date: Set(input.end_date),
        care_setting: Set(input.care_setting),
        specialty: Set(input.specialty),
        population: Set(valid.population),
        patients: Set(input.patients),
        staff: Set(input.staff),
        funding_source: Set(valid.funding_source),
        cost_gbp: Set(input.cost_gbp),
        design: Set(input.design),
        evaluator_kind: Set(input.evaluator_kind),
        evaluator_name: Set(valid.evaluator_name),
        contact_name: Set(valid.contact_name),
        contact_email: Set(valid.contact_email),
        visibility: Set(Visibility::Draft),
        published_at: Set(None),
        withdrawn_at: Set(None),
        withdrawn_reason: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(&txn)
    .await
    .map_err(title_taken)?;
    journal::audit(&txn, actor, "pilot.register", "pilot", id, json!({})).await?;
    reindex_with_technology(&txn, id, input.technology_id).await?;
    let created = find(&txn, id).await?;
    txn.commit().await?;
    Ok(created)
}

#[tracing::instrument(skip_all)]
pub async fn update(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    id: Uuid,
    version: i32,
    input: PilotInput,
) -> ServiceResult<pilot::Model> {
    access::ensure_can_write(actor)?;
    let txn = crate::db::begin_write(db).await?;
    let current = find_readable(&txn, actor, id).await?;
    access::ensure_evaluator_at(actor, current.host_organisation_id)?;
    if input.host_organisation_id != current.host_organisation_id {
        access::ensure_evaluator_at(actor, input.host_organisation_id)?;
    }
    ensure_version(current.version, version, "pilot")?;
    let valid = validate(&txn, actor, &input).await?;
    let updated = update_versioned(
        &txn,
        pilot::ActiveModel {
            id: Set(id),
            technology_id: Set(input.technology_id),
            host_organisation_id: Set(input.host_organisation_id),
            title: Set(valid.title),
            problem: Set(valid.problem),
            status: Set(input.status),
            start_date: Set(input.start_date),
            end_date: Set(input.end_date),
            care_setting: Set(input.care_setting),
            specialty: Set(input.specialty),
            population: Set(valid.population),
            patients: Set(input.patients),
            staff: Set(input.staff),
            funding_source: Set(valid.funding_source),
            cost_gbp: Set(input.cost_gbp),
            design: Set(input.design),
            evaluator_kind: Set(input.evaluator_kind),
            evaluator_name: Set(valid.evaluator_name),
            contact_name: Set(valid.contact_name),
            contact_email: Set(valid.contact_email),
            updated_at: Set(Utc::now()),
            ..Default::default()
        },
        version,
        "pilot",
        title_taken,
    )
    .await?;
    journal::audit(&txn, actor, "pilot.update", "pilot", id, json!({})).await?;
    reindex_with_technology(&txn, id, input.technology_id).await?;
    if input.technology_id != current.technology_id {
        journal::reindex(&txn, IndexedKind::Technology, current.technology_id).await?;
    }
    txn.commit().await?;
    Ok(updated)
}

/// Opens a pilot (and its published reports) to NHS staff or to everyone.
#[tracing::instrument(skip_all)]
pub async fn publish(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    id: Uuid,
    version: i32,
    visibility: Visibility,
) -> ServiceResult<pilot::Model> {
    access::ensure_can_write(actor)?;
    if visibility == Visibility::Draft {
        return Err(ServiceError::field(
            "visibility",
            ErrorCode::Invalid,
            "Choose who can see the pilot: NHS staff, or everyone",
        ));
    }
    let txn = crate::db::begin_write(db).await?;
    let current = find_readable(&txn, actor, id).await?;
    access::ensure_evaluator_at(actor, current.host_organisation_id)?;
    ensure_version(current.version, version, "pilot")?;
    if current.withdrawn_at.is_some() {
        return Err(ServiceError::field(
            "id",
            ErrorCode::NotAllowed,
            "This pilot was withdrawn by an administrator and cannot be published",
        ));
    }
    let now = Utc::now();
    let published = update_versioned(
        &txn,
        pilot::ActiveModel {
            id: Set(id),
            visibility: Set(visibility),
            published_at: Set(Some(current.published_at.unwrap_or(now))),
            updated_at: Set(now),
            ..Default::default()
        },
        version,
        "pilot",
        ServiceError::from,
    )
    .await?;
    journal::audit(
        &txn,
        actor,
        "pilot.publish",
        "pilot",
        id,
        json!({ "visibility": visibility }),
    )
    .await?;
    reindex_with_technology(&txn, id, current.technology_id).await?;
    txn.commit().await?;
    Ok(published)
}

/// Moderation: takes a pilot out of every list, search and aggregate, keeping the reason.
#[tracing::instrument(skip_all)]
pub async fn withdraw(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    id: Uuid,
    version: i32,
    reason: &str,
) -> ServiceResult<pilot::Model> {
    access::ensure_administrator(actor, "withdraw pilots")?;
    let mut check = Check::new();
    let reason = check.prose(
        "reason",
        "the reason for withdrawing the pilot",
        reason,
        2000,
    );
    check.finish()?;
    let txn = crate::db::begin_write(db).await?;
    let current = find_readable(&txn, actor, id).await?;
    ensure_version(current.version, version, "pilot")?;
    let now = Utc::now();
    let withdrawn = update_versioned(
        &txn,
        pilot::ActiveModel {
            id: Set(id),
            withdrawn_at: Set(Some(now)),
            withdrawn_reason: Set(Some(reason.clone())),
            updated_at: Set(now),
            ..Default::default()
        },
        version,
        "pilot",
        ServiceError::from,
    )
    .await?;
    journal::audit(
        &txn,
        actor,
        "pilot.withdraw",
        "pilot",
        id,
        json!({ "reason": reason }),
    )
    .await?;
    reindex_with_technology(&txn, id, current.technology_id).await?;
    txn.commit().await?;
    Ok(withdrawn)
}

/// A pilot's search document rolls up into its technology's, so both go stale together.
pub(super) async fn reindex_with_technology(
    db: &impl ConnectionTrait,
    pilot_id: Uuid,
    technology_id: Uuid,
) -> ServiceResult<()> {
    journal::reindex(db, IndexedKind::Pilot, pilot_id).await?;
    journal::reindex(db, IndexedKind::Technology, technology_id).await
}

async fn find(db: &impl ConnectionTrait, id: Uuid) -> ServiceResult<pilot::Model> {
    pilot::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound("pilot"))
}

/// The pilot, if it exists and the actor may see it; otherwise "not found", so hidden pilots
/// look exactly like missing ones.
pub(super) async fn find_readable(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> ServiceResult<pilot::Model> {
    pilot::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|p| access::can_read_pilot(actor, p))
        .ok_or(ServiceError::NotFound("pilot"))
}

/// Hides the named contact from readers outside the NHS.
fn redact(actor: &Actor, mut pilot: pilot::Model) -> pilot::Model {
    if !access::can_see_contacts(actor) {
        pilot.contact_name = None;
        pilot.contact_email = None;
    }
    pilot
}

pub async fn get(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> ServiceResult<pilot::Model> {
    Ok(redact(actor, find_readable(db, actor, id).await?))
}

/// Pilots by id, those the actor may see, in no particular order (for batch loading).
pub async fn get_many(
    db: &impl ConnectionTrait,
    actor: &Actor,
    ids: impl IntoIterator<Item = Uuid>,
) -> ServiceResult<Vec<pilot::Model>> {
    Ok(pilot::Entity::find()
        .filter(pilot::Column::Id.is_in(ids))
        .filter(access::readable_pilots(actor))
        .all(db)
        .await?
        .into_iter()
        .map(|p| redact(actor, p))
        .collect())
}

/// The readable pilots of many technologies at once (for batch loading).
pub async fn of_technologies(
    db: &impl ConnectionTrait,
    actor: &Actor,
    technology_ids: impl IntoIterator<Item = Uuid>,
) -> ServiceResult<Vec<pilot::Model>> {
    Ok(pilot::Entity::find()
        .filter(pilot::Column::TechnologyId.is_in(technology_ids))
        .filter(access::readable_pilots(actor))
        .all(db)
        .await?
        .into_iter()
        .map(|p| redact(actor, p))
        .collect())
}

#[tracing::instrument(skip_all)]
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: &PilotFilter,
    sort: Sort,
    page: PageRequest,
) -> ServiceResult<Page<pilot::Model>> {
    let select = pilot::Entity::find().filter(condition(actor, filter));
    let order: &[(pilot::Column, bool)] = match sort {
        Sort::Created | Sort::Newest => &[],
        Sort::Name => &[(pilot::Column::Title, false)],
        Sort::StartDate => &[(pilot::Column::StartDate, false)],
    };
    let id = (pilot::Column::Id, sort == Sort::Newest);
    Ok(page_sorted(db, select, order, id, page)
        .await?
        .map(|p| redact(actor, p)))
}

/// The filter as a condition, always narrowed to what the actor may read.
pub fn condition(actor: &Actor, filter: &PilotFilter) -> Condition {
    let mut condition = Condition::all().add(access::readable_pilots(actor));
    if let Some(id) = filter.technology_id {
        condition = condition.add(pilot::Column::TechnologyId.eq(id));
    }
    if let Some(id) = filter.host_organisation_id {
        condition = condition.add(pilot::Column::HostOrganisationId.eq(id));
    }
    if let Some(status) = filter.status {
        condition = condition.add(pilot::Column::Status.eq(status));
    }
    if let Some(setting) = filter.care_setting {
        condition = condition.add(pilot::Column::CareSetting.eq(setting));
    }
    if let Some(specialty) = filter.specialty {
        condition = condition.add(pilot::Column::Specialty.eq(specialty));
    }
    if let Some(design) = filter.design {
        condition = condition.add(pilot::Column::Design.eq(design));
    }
    if let Some(visibility) = filter.visibility {
        condition = condition.add(pilot::Column::Visibility.eq(visibility));
    }
    if let Some(from) = filter.started_on_or_after {
        condition = condition.add(pilot::Column::StartDate.gte(from));
    }
    if let Some(to) = filter.started_on_or_before {
        condition = condition.add(pilot::Column::StartDate.lte(to));
    }
    let technology_where = |condition: Condition| {
        pilot::Column::TechnologyId.in_subquery(
            Query::select()
                .column(technology::Column::Id)
                .from(technology::Entity)
                .cond_where(condition)
                .to_owned(),
        )
    };
    if let Some(category) = filter.category {
        condition = condition.add(technology_where(
            Condition::all().add(technology::Column::Category.eq(category)),
        ));
    }
    if let Some(tier) = filter.esf_tier {
        condition = condition.add(technology_where(
            Condition::all().add(technology::Column::EsfTier.eq(tier)),
        ));
    }
    if let Some(standard) = filter.standard {
        condition = condition.add(
            pilot::Column::TechnologyId.in_subquery(
                Query::select()
                    .column(technology_standard::Column::TechnologyId)
                    .from(technology_standard::Entity)
                    .and_where(technology_standard::Column::Standard.eq(standard))
                    .to_owned(),
            ),
        );
    }
    if let Some(region) = filter.region {
        condition = condition.add(
            pilot::Column::HostOrganisationId.in_subquery(
                Query::select()
                    .column(organisation::Column::Id)
                    .from(organisation::Entity)
                    .and_where(organisation::Column::Region.eq(region))
                    .to_owned(),
            ),
        );
    }
    condition
}
