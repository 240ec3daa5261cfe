//! Technologies and their multi-valued attributes (specialties, care settings, standards, DTAC).
//! Innovators at the supplier register and edit them; administrators withdraw them.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QuerySelect, TransactionSession, TransactionTrait, prelude::Uuid, sea_query::Query,
};
use serde_json::json;

use super::check::Check;
use super::{
    Page, PageRequest, Sort, access, ensure_version, journal, page_sorted, update_versioned,
};
use crate::actor::Actor;
use crate::error::{ErrorCode, ServiceError, ServiceResult, on_unique};
use crate::model::values::{Link, Slug};
use crate::model::{
    CareSetting, DeviceClass, DtacSection, DtacStatus, EsfTier, IndexedKind, OrganisationKind,
    Specialty, Standard, TechnologyCategory, organisation, pilot, technology,
    technology_care_setting, technology_dtac, technology_specialty, technology_standard,
};

#[derive(Debug, Clone)]
pub struct DtacInput {
    pub section: DtacSection,
    pub status: DtacStatus,
    pub assessed_on: Option<NaiveDate>,
    pub evidence_url: Option<String>,
}

#[derive(Debug, Clone)]
pub struct TechnologyInput {
    pub slug: String,
    pub name: String,
    pub supplier_id: Uuid,
    pub summary: String,
    pub description: String,
    pub category: TechnologyCategory,
    pub specialties: Vec<Specialty>,
    pub care_settings: Vec<CareSetting>,
    pub standards: Vec<Standard>,
    pub device_class: DeviceClass,
    pub ukca_marked: bool,
    pub ce_marked: bool,
    pub mhra_registered: bool,
    pub esf_tier: Option<EsfTier>,
    pub dtac: Vec<DtacInput>,
}

/// A technology with all its attributes.
#[derive(Debug, Clone)]
pub struct Technology {
    pub record: technology::Model,
    pub specialties: Vec<Specialty>,
    pub care_settings: Vec<CareSetting>,
    pub standards: Vec<Standard>,
    pub dtac: Vec<technology_dtac::Model>,
}

#[derive(Debug, Clone, Default)]
pub struct TechnologyFilter {
    pub category: Option<TechnologyCategory>,
    pub specialty: Option<Specialty>,
    pub care_setting: Option<CareSetting>,
    pub standard: Option<Standard>,
    pub esf_tier: Option<EsfTier>,
    pub supplier_id: Option<Uuid>,
}

struct ValidTechnology {
    slug: String,
    name: String,
    summary: String,
    description: String,
    dtac: Vec<technology_dtac::Model>,
}

async fn validate(
    db: &impl ConnectionTrait,
    input: &TechnologyInput,
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
        slug,
        name,
        summary,
        description,
        dtac,
    })
}

const SLUG_TAKEN: &str = "Another technology already uses this slug";

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

/// Replaces every multi-valued attribute of a technology with the input's.
async fn write_attributes(
    db: &impl ConnectionTrait,
    id: Uuid,
    input: &TechnologyInput,
    dtac: Vec<technology_dtac::Model>,
) -> ServiceResult<()> {
    technology_dtac::Entity::delete_many()
        .filter(technology_dtac::Column::TechnologyId.eq(id))
        .exec(db)
        .await?;
    replace_values(
        db,
        technology_specialty::Column::TechnologyId,
        id,
        &input.specialties,
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
        &input.care_settings,
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
        &input.standards,
        |v| technology_standard::ActiveModel {
            technology_id: Set(id),
            standard: Set(v),
        },
    )
    .await?;
    if !dtac.is_empty() {
        technology_dtac::Entity::insert_many(dtac.into_iter().map(|d| {
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

#[tracing::instrument(skip_all)]
pub async fn register(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    input: TechnologyInput,
) -> ServiceResult<Technology> {
    access::ensure_innovator_at(actor, input.supplier_id)?;
    let txn = crate::db::begin_write(db).await?;
    let valid = validate(&txn, &input).await?;
    let now = Utc::now();
    let id = Uuid::now_v7();
    technology::Entity::insert(technology::ActiveModel {
        id: Set(id),
        slug: Set(valid.slug),
        name: Set(valid.name),
        supplier_id: Set(input.supplier_id),
        summary: Set(valid.summary),
        description: Set(valid.description),
        category: Set(input.category),
        device_class: Set(input.device_class),
        ukca_marked: Set(input.ukca_marked),
        ce_marked: Set(input.ce_marked),
        mhra_registered: Set(input.mhra_registered),
        esf_tier: Set(input.esf_tier),
        withdrawn_at: Set(None),
        withdrawn_reason: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(&txn)
    .await
    .map_err(|e| on_unique(e, "slug", SLUG_TAKEN))?;
    write_attributes(&txn, id, &input, valid.dtac).await?;
    journal::audit(
        &txn,
        actor,
        "technology.register",
        "technology",
        id,
        json!({}),
    )
    .await?;
    journal::reindex(&txn, IndexedKind::Technology, id).await?;
    let created = load_one(&txn, id).await?;
    txn.commit().await?;
    Ok(created)
}

#[tracing::instrument(skip_all)]
pub async fn update(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    id: Uuid,
    version: i32,
    input: TechnologyInput,
) -> ServiceResult<Technology> {
    access::ensure_can_write(actor)?;
    let txn = crate::db::begin_write(db).await?;
    let current = technology::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .filter(|t| access::can_read_technology(actor, t))
        .ok_or(ServiceError::NotFound("technology"))?;
    access::ensure_innovator_at(actor, current.supplier_id)?;
    if input.supplier_id != current.supplier_id {
        access::ensure_innovator_at(actor, input.supplier_id)?;
    }
    ensure_version(current.version, version, "technology")?;
    let valid = validate(&txn, &input).await?;
    update_versioned(
        &txn,
        technology::ActiveModel {
            id: Set(id),
            slug: Set(valid.slug),
            name: Set(valid.name),
            supplier_id: Set(input.supplier_id),
            summary: Set(valid.summary),
            description: Set(valid.description),
            category: Set(input.category),
            device_class: Set(input.device_class),
            ukca_marked: Set(input.ukca_marked),
            ce_marked: Set(input.ce_marked),
            mhra_registered: Set(input.mhra_registered),
            esf_tier: Set(input.esf_tier),
            updated_at: Set(Utc::now()),
            ..Default::default()
        },
        version,
        "technology",
        |e| on_unique(e, "slug", SLUG_TAKEN),
    )
    .await?;
    write_attributes(&txn, id, &input, valid.dtac).await?;
    journal::audit(
        &txn,
        actor,
        "technology.update",
        "technology",
        id,
        json!({}),
    )
    .await?;
    journal::reindex(&txn, IndexedKind::Technology, id).await?;
    let updated = load_one(&txn, id).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Takes a technology out of lists and search, with the reason kept for its supplier.
#[tracing::instrument(skip_all)]
pub async fn withdraw(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    id: Uuid,
    reason: &str,
) -> ServiceResult<Technology> {
    access::ensure_administrator(actor, "withdraw technologies")?;
    let mut check = Check::new();
    let reason = check.prose("reason", "the reason for withdrawing it", reason, 2000);
    check.finish()?;
    let txn = crate::db::begin_write(db).await?;
    let current = technology::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound("technology"))?;
    // Moderation acts on the record as it is now, so the version is the one just read: only
    // a change committed in between makes it stale.
    let now = Utc::now();
    update_versioned(
        &txn,
        technology::ActiveModel {
            id: Set(id),
            withdrawn_at: Set(Some(now)),
            withdrawn_reason: Set(Some(reason.clone())),
            updated_at: Set(now),
            ..Default::default()
        },
        current.version,
        "technology",
        ServiceError::from,
    )
    .await?;
    journal::audit(
        &txn,
        actor,
        "technology.withdraw",
        "technology",
        id,
        json!({ "reason": reason }),
    )
    .await?;
    journal::reindex(&txn, IndexedKind::Technology, id).await?;
    let withdrawn = load_one(&txn, id).await?;
    txn.commit().await?;
    Ok(withdrawn)
}

pub async fn get(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> ServiceResult<Technology> {
    let record = technology::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|t| access::can_read_technology(actor, t))
        .ok_or(ServiceError::NotFound("technology"))?;
    Ok(with_attributes(db, vec![record]).await?.remove(0))
}

pub async fn get_by_slug(
    db: &impl ConnectionTrait,
    actor: &Actor,
    slug: &str,
) -> ServiceResult<Technology> {
    let record = technology::Entity::find()
        .filter(technology::Column::Slug.eq(slug.trim()))
        .one(db)
        .await?
        .filter(|t| access::can_read_technology(actor, t))
        .ok_or(ServiceError::NotFound("technology"))?;
    Ok(with_attributes(db, vec![record]).await?.remove(0))
}

async fn load_one(db: &impl ConnectionTrait, id: Uuid) -> ServiceResult<Technology> {
    let record = technology::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound("technology"))?;
    Ok(with_attributes(db, vec![record]).await?.remove(0))
}

/// Technologies by id, those the actor may see, in no particular order (for batch loading).
pub async fn get_many(
    db: &impl ConnectionTrait,
    actor: &Actor,
    ids: impl IntoIterator<Item = Uuid>,
) -> ServiceResult<Vec<Technology>> {
    let records = technology::Entity::find()
        .filter(technology::Column::Id.is_in(ids))
        .filter(access::readable_technologies(actor))
        .all(db)
        .await?;
    with_attributes(db, records).await
}

/// Ids of technologies having one value of a multi-valued attribute.
fn having<E: EntityTrait>(
    column: E::Column,
    id_column: E::Column,
    value: impl Into<sea_orm::Value>,
) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(id_column)
        .from(E::default())
        .and_where(column.eq(value))
        .to_owned()
}

#[tracing::instrument(skip_all)]
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: &TechnologyFilter,
    sort: Sort,
    page: PageRequest,
) -> ServiceResult<Page<Technology>> {
    let mut condition = Condition::all().add(access::readable_technologies(actor));
    if let Some(category) = filter.category {
        condition = condition.add(technology::Column::Category.eq(category));
    }
    if let Some(tier) = filter.esf_tier {
        condition = condition.add(technology::Column::EsfTier.eq(tier));
    }
    if let Some(supplier) = filter.supplier_id {
        condition = condition.add(technology::Column::SupplierId.eq(supplier));
    }
    if let Some(specialty) = filter.specialty {
        condition = condition.add(technology::Column::Id.in_subquery(having::<
            technology_specialty::Entity,
        >(
            technology_specialty::Column::Specialty,
            technology_specialty::Column::TechnologyId,
            specialty,
        )));
    }
    if let Some(setting) = filter.care_setting {
        condition = condition.add(technology::Column::Id.in_subquery(having::<
            technology_care_setting::Entity,
        >(
            technology_care_setting::Column::CareSetting,
            technology_care_setting::Column::TechnologyId,
            setting,
        )));
    }
    if let Some(standard) = filter.standard {
        condition = condition.add(technology::Column::Id.in_subquery(having::<
            technology_standard::Entity,
        >(
            technology_standard::Column::Standard,
            technology_standard::Column::TechnologyId,
            standard,
        )));
    }
    let order: &[(technology::Column, bool)] = match sort {
        Sort::Name => &[(technology::Column::Name, false)],
        _ => &[],
    };
    let id = (technology::Column::Id, sort == Sort::Newest);
    let page = page_sorted(
        db,
        technology::Entity::find().filter(condition),
        order,
        id,
        page,
    )
    .await?;
    let has_next_page = page.has_next_page;
    let total_count = page.total_count;
    Ok(Page {
        items: with_attributes(db, page.items).await?,
        has_next_page,
        total_count,
    })
}

/// Loads the attributes of many technologies in four queries, whatever their number.
pub async fn with_attributes(
    db: &impl ConnectionTrait,
    records: Vec<technology::Model>,
) -> ServiceResult<Vec<Technology>> {
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

/// How many pilots of a technology the actor may see.
pub async fn count_pilots(
    db: &impl ConnectionTrait,
    actor: &Actor,
    technology_id: Uuid,
) -> ServiceResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(pilot::Entity::find()
        .filter(pilot::Column::TechnologyId.eq(technology_id))
        .filter(access::readable_pilots(actor))
        .select_only()
        .column(pilot::Column::Id)
        .count(db)
        .await?)
}
