//! What a revision keeps of its record: each field as people read it (labels for closed
//! lists, dates written out, names for the records it points at), so the history reads the
//! same whatever becomes of the code's spellings, and two revisions compare field by field.

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, EntityTrait};
use serde::{Deserialize, Serialize};

use crate::error::ServiceResult;
use crate::model::{DtacSection, organisation, pilot, technology};
use crate::service::technologies::Technology;

/// One field of a record as a revision keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    /// The field's name as the API spells it (`costGbp`, `dtac.clinical_safety`): what two
    /// revisions are compared by.
    pub field: String,
    /// What people call it.
    pub label: String,
    /// The value as people read it; `None` when not given.
    pub value: Option<String>,
    /// Prose, compared word by word rather than as a whole.
    #[serde(default)]
    pub long: bool,
}

/// The fields of a pilot only NHS readers see (see `access::can_see_contacts`).
pub(super) const CONTACT_FIELDS: [&str; 2] = ["contactName", "contactEmail"];

fn short(field: &str, label: &str, value: Option<String>) -> Field {
    Field {
        field: field.to_owned(),
        label: label.to_owned(),
        value: value.filter(|v| !v.is_empty()),
        long: false,
    }
}

fn long(field: &str, label: &str, value: &str) -> Field {
    Field {
        long: true,
        ..short(field, label, Some(value.to_owned()))
    }
}

/// `1 March 2025`, as GOV.UK writes dates.
fn date(value: NaiveDate) -> String {
    value.format("%-d %B %Y").to_string()
}

/// `85,000`.
fn thousands(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value < 0 {
        grouped.push('-');
    }
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    grouped
}

fn yes_no(value: bool) -> String {
    if value { "Yes" } else { "No" }.to_owned()
}

fn labels<T: Copy>(values: &[T], label: impl Fn(T) -> &'static str) -> String {
    values
        .iter()
        .map(|&v| label(v))
        .collect::<Vec<_>>()
        .join(", ")
}

async fn organisation_name(
    db: &impl ConnectionTrait,
    id: sea_orm::prelude::Uuid,
) -> ServiceResult<Option<String>> {
    Ok(organisation::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(|o| o.name))
}

/// A pilot's fields as people read them, with the names of its technology and host.
pub(super) async fn of_pilot(
    db: &impl ConnectionTrait,
    pilot: &pilot::Model,
) -> ServiceResult<Vec<Field>> {
    let technology = technology::Entity::find_by_id(pilot.technology_id)
        .one(db)
        .await?
        .map(|t| t.name);
    let host = organisation_name(db, pilot.host_organisation_id).await?;
    Ok(vec![
        short("title", "Title", Some(pilot.title.clone())),
        short("technology", "Technology", technology),
        short("hostOrganisation", "Host organisation", host),
        long("problem", "Problem addressed", &pilot.problem),
        short("status", "Status", Some(pilot.status.label().to_owned())),
        short("startDate", "Start date", pilot.start_date.map(date)),
        short("endDate", "End date", pilot.end_date.map(date)),
        short(
            "careSetting",
            "Care setting",
            Some(pilot.care_setting.label().to_owned()),
        ),
        short(
            "specialty",
            "Specialty",
            Some(pilot.specialty.label().to_owned()),
        ),
        long("population", "Population", &pilot.population),
        short(
            "patients",
            "Number of patients",
            pilot.patients.map(|n| thousands(n.into())),
        ),
        short(
            "staff",
            "Number of staff",
            pilot.staff.map(|n| thousands(n.into())),
        ),
        short(
            "fundingSource",
            "Funding source",
            pilot.funding_source.clone(),
        ),
        short(
            "costGbp",
            "Cost",
            pilot.cost_gbp.map(|c| format!("£{}", thousands(c))),
        ),
        short(
            "design",
            "Evaluation design",
            Some(pilot.design.label().to_owned()),
        ),
        short(
            "evaluatorKind",
            "Evaluator",
            Some(pilot.evaluator_kind.label().to_owned()),
        ),
        short(
            "evaluatorName",
            "Evaluated by",
            pilot.evaluator_name.clone(),
        ),
        short(
            CONTACT_FIELDS[0],
            "Contact name",
            pilot.contact_name.clone(),
        ),
        short(
            CONTACT_FIELDS[1],
            "Contact email",
            pilot.contact_email.clone(),
        ),
        short(
            "visibility",
            "Who can read it",
            Some(pilot.visibility.label().to_owned()),
        ),
        short(
            "withdrawnReason",
            "Reason for withdrawal",
            pilot.withdrawn_reason.clone(),
        ),
    ])
}

/// How a technology stands against one DTAC section: `Met, assessed 1 March 2025, evidence:
/// https://…`.
fn dtac(technology: &Technology, section: DtacSection) -> Option<String> {
    let assessment = technology.dtac.iter().find(|d| d.section == section)?;
    let mut text = assessment.status.label().to_owned();
    if let Some(on) = assessment.assessed_on {
        text.push_str(&format!(", assessed {}", date(on)));
    }
    if let Some(url) = &assessment.evidence_url {
        text.push_str(&format!(", evidence: {url}"));
    }
    Some(text)
}

/// A technology's fields as people read them, with its supplier's name.
pub(super) async fn of_technology(
    db: &impl ConnectionTrait,
    technology: &Technology,
) -> ServiceResult<Vec<Field>> {
    let record = &technology.record;
    let supplier = organisation_name(db, record.supplier_id).await?;
    let mut fields = vec![
        short("name", "Name", Some(record.name.clone())),
        short("slug", "Address (slug)", Some(record.slug.clone())),
        short("supplier", "Supplier", supplier),
        long("summary", "Summary", &record.summary),
        long("description", "Description", &record.description),
        short(
            "category",
            "Category",
            Some(record.category.label().to_owned()),
        ),
        short(
            "specialties",
            "Clinical specialties",
            Some(labels(&technology.specialties, |s| s.label())),
        ),
        short(
            "careSettings",
            "Care settings",
            Some(labels(&technology.care_settings, |s| s.label())),
        ),
        short(
            "standards",
            "Interoperability standards",
            Some(labels(&technology.standards, |s| s.label())),
        ),
        short(
            "deviceClass",
            "Medical device class",
            Some(record.device_class.label().to_owned()),
        ),
        short(
            "ukcaMarked",
            "UKCA marked",
            Some(yes_no(record.ukca_marked)),
        ),
        short("ceMarked", "CE marked", Some(yes_no(record.ce_marked))),
        short(
            "mhraRegistered",
            "Registered with the MHRA",
            Some(yes_no(record.mhra_registered)),
        ),
        short(
            "esfTier",
            "NICE evidence standards tier",
            record.esf_tier.map(|t| t.label().to_owned()),
        ),
    ];
    for section in <DtacSection as sea_orm::Iterable>::iter() {
        fields.push(short(
            &format!("dtac.{}", section.as_str()),
            &format!("DTAC: {}", section.label().to_lowercase()),
            dtac(technology, section),
        ));
    }
    fields.push(short(
        "withdrawnReason",
        "Reason for withdrawal",
        record.withdrawn_reason.clone(),
    ));
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_dates_read_as_people_write_them() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(85_000), "85,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(-4_500), "-4,500");
        let on = NaiveDate::from_ymd_opt(2025, 3, 1);
        assert_eq!(on.map(date).as_deref(), Some("1 March 2025"));
    }
}
