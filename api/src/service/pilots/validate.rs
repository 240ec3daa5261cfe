//! The rules a pilot's details obey, checked together so one answer names every problem, and
//! the one place a pilot's row is built from its checked details.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, prelude::Uuid,
};

use super::PilotInput;
use crate::actor::Actor;
use crate::error::{ErrorCode, FieldError, ServiceError, ServiceResult};
use crate::model::values::Email;
use crate::model::{EvaluatorKind, PilotStatus, organisation, pilot, technology};
use crate::service::access;
use crate::service::check::Check;

/// What a second pilot of one host with the same title is told.
pub(super) const TITLE_TAKEN: &str = "This organisation already has a pilot with this title";

/// Checks a pilot's registration, or the edit of pilot `existing`, as the service would take
/// it, writing nothing: the "check your answers" step of a form. The title is checked against
/// the host's other pilots too (an edit may keep its own).
pub async fn check(
    db: &impl ConnectionTrait,
    actor: &Actor,
    existing: Option<Uuid>,
    input: &PilotInput,
) -> ServiceResult<()> {
    access::ensure_evaluator_at(actor, input.host_organisation_id)?;
    let mut taken = pilot::Entity::find()
        .filter(pilot::Column::HostOrganisationId.eq(input.host_organisation_id))
        .filter(pilot::Column::Title.eq(input.title.trim()));
    if let Some(id) = existing {
        taken = taken.filter(pilot::Column::Id.ne(id));
    }
    let taken = taken.one(db).await?.is_some();
    match validate(db, actor, input.clone()).await {
        Err(ServiceError::Invalid(mut errors)) => {
            if taken && !errors.iter().any(|e| e.field == "title") {
                errors.push(FieldError::new("title", ErrorCode::Taken, TITLE_TAKEN));
            }
            Err(ServiceError::Invalid(errors))
        }
        Err(other) => Err(other),
        Ok(_) if taken => Err(ServiceError::field("title", ErrorCode::Taken, TITLE_TAKEN)),
        Ok(_) => Ok(()),
    }
}

/// A pilot's details once checked: text trimmed and within its limits, the contact's e-mail
/// address in its canonical form.
#[derive(Debug)]
pub(super) struct ValidPilot(PilotInput);

impl ValidPilot {
    pub(super) fn technology_id(&self) -> Uuid {
        self.0.technology_id
    }

    /// The columns that come from a pilot's details, for registering and updating alike; the
    /// rest (id, visibility, publication, withdrawal, version, timestamps) are the caller's.
    pub(super) fn into_row(self) -> pilot::ActiveModel {
        let input = self.0;
        pilot::ActiveModel {
            technology_id: Set(input.technology_id),
            host_organisation_id: Set(input.host_organisation_id),
            title: Set(input.title),
            problem: Set(input.problem),
            status: Set(input.status),
            start_date: Set(input.start_date),
            end_date: Set(input.end_date),
            care_setting: Set(input.care_setting),
            specialty: Set(input.specialty),
            population: Set(input.population),
            patients: Set(input.patients),
            staff: Set(input.staff),
            funding_source: Set(input.funding_source),
            cost_gbp: Set(input.cost_gbp),
            design: Set(input.design),
            evaluator_kind: Set(input.evaluator_kind),
            evaluator_name: Set(input.evaluator_name),
            contact_name: Set(input.contact_name),
            contact_email: Set(input.contact_email),
            ..Default::default()
        }
    }
}

/// Checks a pilot's details, including that its technology is one the actor may see and not
/// withdrawn, and that its host is a kind of organisation that hosts pilots.
pub(super) async fn validate(
    db: &impl ConnectionTrait,
    actor: &Actor,
    input: PilotInput,
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

    check_dates(&mut check, &input);
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
    check_references(db, actor, &mut check, &input).await?;
    check.finish()?;
    Ok(ValidPilot(PilotInput {
        title,
        problem,
        population,
        funding_source,
        evaluator_name,
        contact_name,
        contact_email,
        ..input
    }))
}

/// Dates agree with the status: started unless planned, ended exactly when it has ended, and
/// not in the future once ended.
fn check_dates(check: &mut Check, input: &PilotInput) {
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
}

/// The technology and the host organisation exist, and can take part in a pilot.
async fn check_references(
    db: &impl ConnectionTrait,
    actor: &Actor,
    check: &mut Check,
    input: &PilotInput,
) -> ServiceResult<()> {
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
    Ok(())
}
