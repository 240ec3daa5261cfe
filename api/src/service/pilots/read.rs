//! Reading pilots: one, many by id, the pilots of many technologies, and filtered pages. Every
//! read obeys the visibility rules in `access`, and hides the contact from readers outside
//! the NHS.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, prelude::Uuid};

use super::filter::{PilotFilter, condition};
use crate::actor::Actor;
use crate::error::{ServiceError, ServiceResult};
use crate::model::pilot;
use crate::service::{Page, PageRequest, Sort, access, page_sorted, pages, reads};

/// The pilot whatever its visibility, for a writer that has already checked the actor's rights.
pub(super) async fn find(db: &impl ConnectionTrait, id: Uuid) -> ServiceResult<pilot::Model> {
    pilot::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound("pilot"))
}

/// The pilot, if it exists and the actor may see it; otherwise "not found", so hidden pilots
/// look exactly like missing ones.
pub(in crate::service) async fn find_readable(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> ServiceResult<pilot::Model> {
    pilot::Entity::find_by_id(id)
        .filter(access::readable_pilots(actor))
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound("pilot"))
}

/// Hides the named contact from readers outside the NHS.
pub(super) fn redact(actor: &Actor, mut pilot: pilot::Model) -> pilot::Model {
    if !access::can_see_contacts(actor) {
        pilot.contact_name = None;
        pilot.contact_email = None;
    }
    pilot
}

/// One pilot as the actor may see it.
pub async fn get(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> ServiceResult<pilot::Model> {
    Ok(redact(actor, find_readable(db, actor, id).await?))
}

/// One pilot as the actor may see it, opened through `door`: a read of a restricted pilot
/// is audited ([`reads::opened`]). The doors that show one pilot to a person or client (its
/// page, GraphQL's `pilot(id)`) read it through this; lists and internal checks use [`get`].
pub async fn open(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
    door: reads::Door,
) -> ServiceResult<pilot::Model> {
    let pilot = get(db, actor, id).await?;
    reads::opened(db, actor, &pilot, door).await;
    Ok(pilot)
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

/// One page of each technology's pilots that the actor may see, oldest first, in one
/// statement for all of them (for batch loading).
pub async fn of_technologies(
    db: &impl ConnectionTrait,
    actor: &Actor,
    technology_ids: &[Uuid],
    page: PageRequest,
) -> ServiceResult<HashMap<Uuid, Page<pilot::Model>>> {
    pages_by(db, actor, pilot::Column::TechnologyId, technology_ids, page).await
}

/// One page of the pilots each organisation hosts that the actor may see, oldest first, in
/// one statement for all of them (for batch loading).
pub async fn hosted_by(
    db: &impl ConnectionTrait,
    actor: &Actor,
    organisation_ids: &[Uuid],
    page: PageRequest,
) -> ServiceResult<HashMap<Uuid, Page<pilot::Model>>> {
    pages_by(
        db,
        actor,
        pilot::Column::HostOrganisationId,
        organisation_ids,
        page,
    )
    .await
}

async fn pages_by(
    db: &impl ConnectionTrait,
    actor: &Actor,
    parent: pilot::Column,
    parents: &[Uuid],
    page: PageRequest,
) -> ServiceResult<HashMap<Uuid, Page<pilot::Model>>> {
    let select = pilot::Entity::find().filter(access::readable_pilots(actor));
    let pages = pages::by_parent(
        db,
        select,
        parent,
        parents,
        &[],
        (pilot::Column::Id, false),
        page,
    )
    .await?;
    Ok(pages
        .into_iter()
        .map(|(parent, page)| (parent, page.map(|p| redact(actor, p))))
        .collect())
}

/// One page of the pilots the filter selects among those the actor may see.
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
