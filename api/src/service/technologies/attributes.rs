//! A technology's multi-valued attributes (specialties, care settings, standards, DTAC), kept
//! in a table each: written whole on every change, and loaded for many technologies at once.

use std::collections::HashMap;

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, prelude::Uuid,
};

use super::Technology;
use crate::error::ServiceResult;
use crate::model::{
    CareSetting, Specialty, Standard, technology, technology_care_setting, technology_dtac,
    technology_specialty, technology_standard,
};

/// Every multi-valued attribute of one technology, as written.
#[derive(Debug)]
pub(super) struct Attributes {
    pub(super) specialties: Vec<Specialty>,
    pub(super) care_settings: Vec<CareSetting>,
    pub(super) standards: Vec<Standard>,
    /// Sections as checked; their `technology_id` is set when written.
    pub(super) dtac: Vec<technology_dtac::Model>,
}

/// Replaces one multi-valued attribute's rows of a technology with `values` (sorted, without
/// repeats).
async fn replace_values<A, V>(
    db: &impl ConnectionTrait,
    technology_column: <A::Entity as EntityTrait>::Column,
    id: Uuid,
    values: &[V],
    row: impl Fn(V) -> A,
) -> ServiceResult<()>
where
    A: sea_orm::ActiveModelTrait + Send,
    V: Ord + Copy,
{
    <A::Entity as EntityTrait>::delete_many()
        .filter(technology_column.eq(id))
        .exec(db)
        .await?;
    let mut values = values.to_vec();
    values.sort();
    values.dedup();
    if !values.is_empty() {
        <A::Entity as EntityTrait>::insert_many(values.into_iter().map(row))
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Replaces every multi-valued attribute of a technology with `attributes`.
pub(super) async fn write_attributes(
    db: &impl ConnectionTrait,
    id: Uuid,
    attributes: Attributes,
) -> ServiceResult<()> {
    technology_dtac::Entity::delete_many()
        .filter(technology_dtac::Column::TechnologyId.eq(id))
        .exec(db)
        .await?;
    replace_values(
        db,
        technology_specialty::Column::TechnologyId,
        id,
        &attributes.specialties,
        |v| technology_specialty::ActiveModel {
            technology_id: Set(id),
            specialty: Set(v),
        },
    )
    .await?;
    replace_values(
        db,
        technology_care_setting::Column::TechnologyId,
        id,
        &attributes.care_settings,
        |v| technology_care_setting::ActiveModel {
            technology_id: Set(id),
            care_setting: Set(v),
        },
    )
    .await?;
    replace_values(
        db,
        technology_standard::Column::TechnologyId,
        id,
        &attributes.standards,
        |v| technology_standard::ActiveModel {
            technology_id: Set(id),
            standard: Set(v),
        },
    )
    .await?;
    if !attributes.dtac.is_empty() {
        technology_dtac::Entity::insert_many(attributes.dtac.into_iter().map(|d| {
            technology_dtac::ActiveModel {
                technology_id: Set(id),
                section: Set(d.section),
                status: Set(d.status),
                assessed_on: Set(d.assessed_on),
                evidence_url: Set(d.evidence_url),
            }
        }))
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

/// Loads the attributes of many technologies in four queries, whatever their number. Only the
/// database can fail here, so the error is the database's (the search documents use it too).
pub async fn with_attributes(
    db: &impl ConnectionTrait,
    records: Vec<technology::Model>,
) -> Result<Vec<Technology>, DbErr> {
    let ids: Vec<Uuid> = records.iter().map(|t| t.id).collect();
    let mut specialties: HashMap<Uuid, Vec<Specialty>> = HashMap::new();
    for row in technology_specialty::Entity::find()
        .filter(technology_specialty::Column::TechnologyId.is_in(ids.clone()))
        .all(db)
        .await?
    {
        specialties
            .entry(row.technology_id)
            .or_default()
            .push(row.specialty);
    }
    let mut settings: HashMap<Uuid, Vec<CareSetting>> = HashMap::new();
    for row in technology_care_setting::Entity::find()
        .filter(technology_care_setting::Column::TechnologyId.is_in(ids.clone()))
        .all(db)
        .await?
    {
        settings
            .entry(row.technology_id)
            .or_default()
            .push(row.care_setting);
    }
    let mut standards: HashMap<Uuid, Vec<Standard>> = HashMap::new();
    for row in technology_standard::Entity::find()
        .filter(technology_standard::Column::TechnologyId.is_in(ids.clone()))
        .all(db)
        .await?
    {
        standards
            .entry(row.technology_id)
            .or_default()
            .push(row.standard);
    }
    let mut dtac: HashMap<Uuid, Vec<technology_dtac::Model>> = HashMap::new();
    for row in technology_dtac::Entity::find()
        .filter(technology_dtac::Column::TechnologyId.is_in(ids))
        .all(db)
        .await?
    {
        dtac.entry(row.technology_id).or_default().push(row);
    }
    Ok(records
        .into_iter()
        .map(|record| {
            let id = record.id;
            // Listed in the order of each closed list, whatever order the rows came back in.
            let mut sections = dtac.remove(&id).unwrap_or_default();
            sections.sort_by_key(|d| d.section);
            Technology {
                record,
                specialties: sorted(specialties.remove(&id).unwrap_or_default()),
                care_settings: sorted(settings.remove(&id).unwrap_or_default()),
                standards: sorted(standards.remove(&id).unwrap_or_default()),
                dtac: sections,
            }
        })
        .collect())
}

fn sorted<T: Ord>(mut values: Vec<T>) -> Vec<T> {
    values.sort();
    values
}
