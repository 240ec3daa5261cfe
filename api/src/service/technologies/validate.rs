//! The rules a technology's details obey, checked together so one answer names every problem,
//! and the one place a technology's row and attributes are built from its checked details.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, prelude::Uuid,
};

use super::TechnologyInput;
use super::attributes::Attributes;
use crate::actor::Actor;
use crate::error::{ErrorCode, FieldError, ServiceError, ServiceResult};
use crate::model::values::{Link, Slug};
use crate::model::{DtacStatus, OrganisationKind, organisation, technology, technology_dtac};
use crate::service::access;
use crate::service::check::Check;

/// What a second technology with the same slug is told.
pub(super) const SLUG_TAKEN: &str = "Another technology already uses this slug";

/// A technology's details once checked: the slug in its canonical form, text trimmed and
/// within its limits, each DTAC section's evidence link parsed.
#[derive(Debug)]
pub(super) struct ValidTechnology {
    input: TechnologyInput,
    dtac: Vec<technology_dtac::Model>,
}

impl ValidTechnology {
    /// The columns that come from a technology's details, for registering and updating alike
    /// (the rest, id, withdrawal, version and timestamps, are the caller's), and its
    /// multi-valued attributes.
    pub(super) fn into_row(self) -> (technology::ActiveModel, Attributes) {
        let input = self.input;
        let row = technology::ActiveModel {
            slug: Set(input.slug),
            name: Set(input.name),
            supplier_id: Set(input.supplier_id),
            summary: Set(input.summary),
            description: Set(input.description),
            category: Set(input.category),
            device_class: Set(input.device_class),
            ukca_marked: Set(input.ukca_marked),
            ce_marked: Set(input.ce_marked),
            mhra_registered: Set(input.mhra_registered),
            esf_tier: Set(input.esf_tier),
            ..Default::default()
        };
        let attributes = Attributes {
            specialties: input.specialties,
            care_settings: input.care_settings,
            standards: input.standards,
            dtac: self.dtac,
        };
        (row, attributes)
    }
}

/// Checks a registration (`existing` of `None`) or an edit of `existing` as the service would
/// take it, writing nothing: the "check your answers" step of a form. The slug is checked
/// against the other technologies too, so a taken one shows now rather than on confirming.
pub async fn check(
    db: &impl ConnectionTrait,
    actor: &Actor,
    existing: Option<Uuid>,
    input: &TechnologyInput,
) -> ServiceResult<()> {
    access::ensure_can_write(actor)?;
    access::ensure_innovator_at(actor, input.supplier_id)?;
    let slug = input.slug.trim().to_lowercase();
    let mut taken = technology::Entity::find().filter(technology::Column::Slug.eq(slug));
    if let Some(id) = existing {
        taken = taken.filter(technology::Column::Id.ne(id));
    }
    let taken = taken.one(db).await?.is_some();
    match validate(db, input.clone()).await {
        Err(ServiceError::Invalid(mut errors)) => {
            if taken && !errors.iter().any(|e| e.field == "slug") {
                errors.push(FieldError::new("slug", ErrorCode::Taken, SLUG_TAKEN));
            }
            Err(ServiceError::Invalid(errors))
        }
        Err(other) => Err(other),
        Ok(_) if taken => Err(ServiceError::field("slug", ErrorCode::Taken, SLUG_TAKEN)),
        Ok(_) => Ok(()),
    }
}

/// Checks a technology's details, including that its supplier exists and may supply.
pub(super) async fn validate(
    db: &impl ConnectionTrait,
    input: TechnologyInput,
) -> ServiceResult<ValidTechnology> {
    let mut check = Check::new();
    let slug = check
        .take(Slug::parse("slug", &input.slug))
        .map(Slug::into_inner)
        .unwrap_or_default();
    let name = check.text("name", "the technology's name", &input.name, 200);
    let summary = check.text("summary", "a summary", &input.summary, 280);
    let description = check.prose("description", "a description", &input.description, 10_000);
    if input.care_settings.is_empty() {
        check.fail(
            "careSettings",
            ErrorCode::Required,
            "Choose at least one care setting",
        );
    }
    if input.specialties.is_empty() {
        check.fail(
            "specialties",
            ErrorCode::Required,
            "Choose at least one specialty",
        );
    }
    let dtac = check_dtac(&mut check, &input);
    match organisation::Entity::find_by_id(input.supplier_id)
        .one(db)
        .await?
    {
        None => check.fail(
            "supplierId",
            ErrorCode::NotFound,
            "There is no organisation with that id",
        ),
        Some(o) if o.kind != OrganisationKind::Supplier && !o.kind.is_nhs() => check.fail(
            "supplierId",
            ErrorCode::Invalid,
            format!("{} cannot supply technologies", o.name),
        ),
        Some(_) => {}
    }
    check.finish()?;
    Ok(ValidTechnology {
        input: TechnologyInput {
            slug,
            name,
            summary,
            description,
            ..input
        },
        dtac,
    })
}

/// Each DTAC section once, met only with the date it was met, never assessed in the future.
fn check_dtac(check: &mut Check, input: &TechnologyInput) -> Vec<technology_dtac::Model> {
    let mut dtac = Vec::with_capacity(input.dtac.len());
    for (i, section) in input.dtac.iter().enumerate() {
        let field = format!("dtac[{i}]");
        if input.dtac[..i].iter().any(|s| s.section == section.section) {
            check.fail(
                &format!("{field}.section"),
                ErrorCode::Invalid,
                format!("{} is listed more than once", section.section.label()),
            );
        }
        let evidence_url = section
            .evidence_url
            .as_deref()
            .filter(|u| !u.trim().is_empty())
            .and_then(|u| check.take(Link::parse(&format!("{field}.evidenceUrl"), u)))
            .map(Link::into_inner);
        if section.status == DtacStatus::Met && section.assessed_on.is_none() {
            check.fail(
                &format!("{field}.assessedOn"),
                ErrorCode::Required,
                format!(
                    "Enter the date {} was met",
                    section.section.label().to_lowercase()
                ),
            );
        }
        if let Some(date) = section.assessed_on
            && date > Utc::now().date_naive()
        {
            check.fail(
                &format!("{field}.assessedOn"),
                ErrorCode::OutOfRange,
                "The assessment date must be today or in the past",
            );
        }
        dtac.push(technology_dtac::Model {
            technology_id: Uuid::nil(),
            section: section.section,
            status: section.status,
            assessed_on: section.assessed_on,
            evidence_url,
        });
    }
    dtac
}
