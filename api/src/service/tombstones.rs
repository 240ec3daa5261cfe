//! What stays of a withdrawn pilot or technology where it once stood: its title, its host (or
//! supplier), when it was withdrawn and why. Those who could read the record before its
//! withdrawal see the tombstone; for everyone else it is as if it never existed, so a draft
//! that was never published stays unknown outside its host.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, prelude::Uuid};

use super::check::Check;
use super::{access, organisations};
use crate::actor::Actor;
use crate::error::{ServiceError, ServiceResult};
use crate::model::{organisation, pilot, technology};

/// The reason an administrator gives for withdrawing a `record` ("pilot", "technology"):
/// required prose, kept on the tombstone. A form checks it with this before it asks for
/// confirmation; the withdrawal itself checks it again.
pub fn withdrawal_reason(record: &str, reason: &str) -> ServiceResult<String> {
    let mut check = Check::new();
    let reason = check.prose(
        "reason",
        &format!("the reason for withdrawing the {record}"),
        reason,
        2000,
    );
    check.finish()?;
    Ok(reason)
}

/// A withdrawn record as its tombstone shows it.
#[derive(Debug, Clone)]
pub struct Tombstone {
    /// The pilot's title or the technology's name.
    pub title: String,
    /// The pilot's host, or the technology's supplier.
    pub organisation: organisation::Model,
    pub withdrawn_at: DateTime<Utc>,
    pub reason: String,
}

/// The pilot's tombstone if it was withdrawn, `None` if it was not, and "not found" if it does
/// not exist or the actor could not have read it before it was withdrawn.
#[tracing::instrument(skip_all)]
pub async fn of_pilot(
    db: &impl ConnectionTrait,
    actor: &Actor,
    id: Uuid,
) -> ServiceResult<Option<Tombstone>> {
    let Some(found) = pilot::Entity::find_by_id(id).one(db).await? else {
        return Err(ServiceError::NotFound("pilot"));
    };
    let Some(withdrawn_at) = found.withdrawn_at else {
        return Ok(None);
    };
    let shared = super::sharing::shared_with_actor(db, actor, [found.id])
        .await?
        .contains(&found.id);
    if !access::can_read_unless_withdrawn(actor, &found, shared) {
        return Err(ServiceError::NotFound("pilot"));
    }
    Ok(Some(Tombstone {
        organisation: organisations::get(db, found.host_organisation_id).await?,
        title: found.title,
        withdrawn_at,
        reason: found.withdrawn_reason.unwrap_or_default(),
    }))
}

/// The technology's tombstone if it was withdrawn, `None` if it was not (or there is no such
/// technology). Technologies are public until withdrawn, so everyone sees their tombstones.
#[tracing::instrument(skip_all)]
pub async fn of_technology(
    db: &impl ConnectionTrait,
    slug: &str,
) -> ServiceResult<Option<Tombstone>> {
    let Some(found) = technology::Entity::find()
        .filter(technology::Column::Slug.eq(slug))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let Some(withdrawn_at) = found.withdrawn_at else {
        return Ok(None);
    };
    Ok(Some(Tombstone {
        organisation: organisations::get(db, found.supplier_id).await?,
        title: found.name,
        withdrawn_at,
        reason: found.withdrawn_reason.unwrap_or_default(),
    }))
}
