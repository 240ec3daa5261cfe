//! Reading technologies: one by id or slug, many by id, and filtered pages, each with its
//! attributes; and how many of a technology's pilots the actor may see.

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
    prelude::Uuid, sea_query::Query,
};

use super::attributes::with_attributes;
use super::{Technology, TechnologyFilter};
use crate::actor::Actor;
use crate::error::{ServiceError, ServiceResult};
use crate::model::{
    pilot, technology, technology_care_setting, technology_specialty, technology_standard,
};
use crate::service::{Page, PageRequest, Sort, access, page_sorted, pages};

/// One technology with its attributes.
async fn one_with_attributes(
    db: &impl ConnectionTrait,
    record: technology::Model,
) -> ServiceResult<Technology> {
    with_attributes(db, vec![record])
        .await?
        .pop()
        .ok_or(ServiceError::NotFound("technology"))
}

/// One technology as the actor may see it.
pub async fn get(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> ServiceResult<Technology> {
    let record = technology::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|t| access::can_read_technology(actor, t))
        .ok_or(ServiceError::NotFound("technology"))?;
    one_with_attributes(db, record).await
}

/// One technology by its slug, as the actor may see it.
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
    one_with_attributes(db, record).await
}

/// The technology whatever its visibility, for a writer that has already checked the rights.
pub(super) async fn load_one(db: &impl ConnectionTrait, id: Uuid) -> ServiceResult<Technology> {
    let record = technology::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound("technology"))?;
    one_with_attributes(db, record).await
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
    Ok(with_attributes(db, records).await?)
}

/// One page of the technologies each organisation supplies that the actor may see, by name,
/// in one statement for all of them, then their attributes in one more (for batch loading).
pub async fn supplied_by(
    db: &impl ConnectionTrait,
    actor: &Actor,
    supplier_ids: &[Uuid],
    page: PageRequest,
) -> ServiceResult<HashMap<Uuid, Page<Technology>>> {
    let select = technology::Entity::find().filter(access::readable_technologies(actor));
    let pages = pages::by_parent(
        db,
        select,
        technology::Column::SupplierId,
        supplier_ids,
        &[(technology::Column::Name, false)],
        (technology::Column::Id, false),
        page,
    )
    .await?;
    let records = pages
        .values()
        .flat_map(|p| p.items.iter().cloned())
        .collect();
    let mut with_attributes: HashMap<Uuid, Technology> = with_attributes(db, records)
        .await?
        .into_iter()
        .map(|t| (t.record.id, t))
        .collect();
    Ok(pages
        .into_iter()
        .map(|(supplier, page)| {
            let items = page
                .items
                .iter()
                .filter_map(|t| with_attributes.remove(&t.id))
                .collect();
            (
                supplier,
                Page {
                    items,
                    has_next_page: page.has_next_page,
                    total_count: page.total_count,
                },
            )
        })
        .collect())
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

/// One page of the technologies the filter selects among those the actor may see.
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

/// How many pilots of a technology the actor may see.
pub async fn count_pilots(
    db: &impl ConnectionTrait,
    actor: &Actor,
    technology_id: Uuid,
) -> ServiceResult<u64> {
    Ok(pilot::Entity::find()
        .filter(pilot::Column::TechnologyId.eq(technology_id))
        .filter(access::readable_pilots(actor))
        .select_only()
        .column(pilot::Column::Id)
        .count(db)
        .await?)
}
